"""F.linear/F.bilinear and nn.Identity/Linear/Bilinear/Flatten/Unflatten against torch: values,
gradients (first and second order), float32/float64, grad_fn names, errors, init, repr and
state_dict."""
import numpy as np
import pytest

import torchlet
import torchlet.nn as nn
import torchlet.nn.functional as F
from conftest import raises_like, check_op, numeric_gradcheck, torch, rng, assert_same

TF = torch.nn.functional
F32, F64 = np.float32, np.float64


def R(*shape, dt=F64, seed=0):
    return rng(seed).standard_normal(shape).astype(dt)


def tol(dt):
    return dict(rtol=1e-5, atol=1e-5) if dt == F32 else dict(rtol=1e-10, atol=1e-12)



# -- F.linear -----------------------------------------------------------------------------------------
LINEAR_SHAPES = [((4, 3), (5, 3), (5,), 'AddmmBackward0'), ((4, 3), (5, 3), None, 'MmBackward0'),
                 ((2, 4, 3), (5, 3), (5,), 'ViewBackward0'), ((2, 4, 3), (5, 3), None, 'UnsafeViewBackward0'),
                 ((3,), (5, 3), (5,), 'ViewBackward0'), ((4, 3), (3,), None, 'MvBackward0'),
                 ((4, 3), (5, 3), (4, 5), 'AddmmBackward0'), ((4, 3), (5, 3), (1, 5), 'AddmmBackward0'),
                 ((0, 3), (5, 3), (5,), 'AddmmBackward0'), ((2, 1, 2, 3), (4, 3), (4,), 'ViewBackward0')]


@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('xs,ws,bs,name', LINEAR_SHAPES)
def test_linear_matches_torch(dt, xs, ws, bs, name):
    arrays = [R(*xs, dt=dt), R(*ws, dt=dt, seed=1)] + ([] if bs is None else [R(*bs, dt=dt, seed=2)])
    out = check_op(F.linear, TF.linear, *arrays, **tol(dt))[0]
    assert out.grad_fn.name() == name


def test_linear_non_contiguous_and_integer_inputs():
    check_op(lambda x, w, b: F.linear(x.T, w[:, ::2], b), lambda x, w, b: TF.linear(x.T, w[:, ::2], b),
             R(3, 4), R(5, 6, seed=1), R(5, seed=2), **tol(F64))
    xi, wi = rng(0).integers(-5, 5, (4, 3)), rng(1).integers(-5, 5, (2, 3))
    check_op(F.linear, TF.linear, xi, wi, rng(2).integers(-5, 5, (2,)), grad=False)


def test_linear_only_needed_grads_and_gradcheck():
    x = torchlet.tensor(R(4, 3))
    w = torchlet.tensor(R(5, 3, seed=1), requires_grad=True)
    F.linear(x, w).sum().backward()
    assert x.grad is None and w.grad is not None
    numeric_gradcheck(F.linear, R(2, 4, 3), R(5, 3, seed=1), R(5, seed=2))
    numeric_gradcheck(F.linear, R(4, 3), R(5, 3, seed=1), R(4, 5, seed=2))


def test_linear_double_backward_matches_torch():
    arrays = [R(4, 3), R(5, 3, seed=1), R(5, seed=2)]
    tl = [torchlet.tensor(a, requires_grad=True) for a in arrays]
    th = [torch.tensor(a, requires_grad=True) for a in arrays]
    g = torchlet.autograd.grad(F.linear(*tl).tanh().sum(), tl[:2], create_graph=True)
    gt = torch.autograd.grad(TF.linear(*th).tanh().sum(), th[:2], create_graph=True)
    (g[0].square().sum() + g[1].sum()).backward()
    (gt[0].square().sum() + gt[1].sum()).backward()
    for a, b in zip(tl, th):
        assert_same(a.grad, b.grad, rtol=1e-9, atol=1e-12)


LINEAR_ERRORS = [
    lambda F, t: F.linear(t(2, 3), t(5, 4), t(5)),
    lambda F, t: F.linear(t(2, 3), t(5, 4)),
    lambda F, t: F.linear(t(2, 7, 3), t(5, 4)),
    lambda F, t: F.linear(t(3), t(5, 4)),
    lambda F, t: F.linear(t(2, 4), t(5, 4), t(3)),
    lambda F, t: F.linear(t(2, 4).double(), t(5, 4), t(5)),
    lambda F, t: F.linear(t(2, 4), t(5, 4).double(), t(5)),
    lambda F, t: F.linear(t(2, 4), t(5, 4), t(5).double()),
    lambda F, t: F.linear(t(2, 4).double(), t(5, 4)),
    lambda F, t: F.linear(t(()), t(5, 4)),
    lambda F, t: F.linear(t(2, 4), t(4), t(())),
    lambda F, t: F.linear(t(2, 4), t(3, 2, 4)),
]


@pytest.mark.parametrize('case', range(len(LINEAR_ERRORS)))
def test_linear_errors_match_torch(case):
    make = LINEAR_ERRORS[case]
    raises_like(lambda: make(F, lambda *s: torchlet.ones(*s)), lambda: make(TF, lambda *s: torch.ones(*s)))


def test_linear_type_error():
    raises_like(lambda: F.linear([1.0], torchlet.ones(2, 1)), lambda: TF.linear([1.0], torch.ones(2, 1)),
                TypeError)


# -- F.bilinear ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('lead', [(4,), (2, 3), ()])
def test_bilinear_matches_torch(dt, lead):
    x1, x2 = R(*lead, 3, dt=dt), R(*lead, 2, dt=dt, seed=1)
    w, b = R(5, 3, 2, dt=dt, seed=2), R(5, dt=dt, seed=3)
    check_op(F.bilinear, TF.bilinear, x1, x2, w, b, **tol(dt))
    check_op(F.bilinear, TF.bilinear, x1, x2, w, **tol(dt))


def test_bilinear_gradcheck_and_errors():
    numeric_gradcheck(F.bilinear, R(2, 3), R(2, 2, seed=1), R(4, 3, 2, seed=2), R(4, seed=3))
    t, u = torchlet.ones, torch.ones
    raises_like(lambda: F.bilinear(t(4, 3), t(5, 2), t(5, 3, 2)), lambda: TF.bilinear(u(4, 3), u(5, 2),
                                                                                        u(5, 3, 2)))
    raises_like(lambda: F.bilinear(t(4, 4), t(4, 2), t(5, 3, 2)), lambda: TF.bilinear(u(4, 4), u(4, 2),
                                                                                        u(5, 3, 2)))


# -- modules ------------------------------------------------------------------------------------------
def linear_modules(lib):
    n = lib.nn
    return [n.Linear(3, 4), n.Linear(7, 2, bias=False), n.Linear(5, 6, dtype=lib.float64),
            n.Bilinear(2, 3, 4), n.Bilinear(3, 3, 2, bias=False), n.Identity(54, unused=0.1)]


def test_linear_modules_init_repr_and_state_dict_match_torch():
    torchlet.manual_seed(11)
    torch.manual_seed(11)
    for a, b in zip(linear_modules(torchlet), linear_modules(torch)):
        assert repr(a) == repr(b)
        sa, sb = a.state_dict(), b.state_dict()
        assert list(sa) == list(sb)
        for k in sa:
            assert_same(sa[k], sb[k], rtol=0, atol=0)     # same generator, same numbers


def test_linear_module_forward_backward_with_torch_weights():
    lin_th = torch.nn.Linear(6, 3)
    lin_tl = nn.Linear(6, 3)
    lin_tl.load_state_dict({k: torchlet.tensor(v.numpy()) for k, v in lin_th.state_dict().items()})
    x = R(5, 6, dt=F32)
    ya, yb = lin_tl(torchlet.tensor(x)), lin_th(torch.tensor(x))
    assert_same(ya, yb, **tol(F32))
    ya.square().sum().backward()
    yb.square().sum().backward()
    assert_same(lin_tl.weight.grad, lin_th.weight.grad, **tol(F32))
    assert_same(lin_tl.bias.grad, lin_th.bias.grad, **tol(F32))
    bil_th, bil_tl = torch.nn.Bilinear(2, 3, 4), nn.Bilinear(2, 3, 4)
    bil_tl.load_state_dict({k: torchlet.tensor(v.numpy()) for k, v in bil_th.state_dict().items()})
    x1, x2 = R(5, 2, dt=F32), R(5, 3, dt=F32, seed=1)
    assert_same(bil_tl(torchlet.tensor(x1), torchlet.tensor(x2)), bil_th(torch.tensor(x1), torch.tensor(x2)),
                **tol(F32))


def test_linear_module_errors_and_reset():
    raises_like(lambda: nn.Linear(3, 4)(torchlet.ones(2, 5)), lambda: torch.nn.Linear(3, 4)(torch.ones(2, 5)))
    raises_like(lambda: nn.Bilinear(0, 2, 3), lambda: torch.nn.Bilinear(0, 2, 3), ValueError)
    lin = nn.Linear(100, 50)
    bound = 1 / np.sqrt(100)
    assert np.abs(lin.weight.detach().numpy()).max() <= bound
    assert np.abs(lin.bias.detach().numpy()).max() <= bound
    assert lin.weight.dtype == torchlet.float32 and lin.weight.requires_grad
    with pytest.warns(UserWarning, match='zero-element'):
        assert nn.Linear(0, 3).bias.shape == (3,)


def test_identity_flatten_unflatten():
    x = R(2, 3, 4, 5)
    ident = nn.Identity()
    t = torchlet.tensor(x)
    assert ident(t) is t
    for kw in ({}, dict(start_dim=0), dict(start_dim=1, end_dim=2), dict(start_dim=-2)):
        assert repr(nn.Flatten(**kw)) == repr(torch.nn.Flatten(**kw))
        check_op(nn.Flatten(**kw), torch.nn.Flatten(**kw), x)
    for dim, size in ((1, (3, 1)), (-1, [5, 1]), (3, (1, 5))):
        assert repr(nn.Unflatten(dim, size)) == repr(torch.nn.Unflatten(dim, size))
        check_op(nn.Unflatten(dim, size), torch.nn.Unflatten(dim, size), x)
    raises_like(lambda: nn.Unflatten(1, (2, 1.5)), lambda: torch.nn.Unflatten(1, (2, 1.5)), TypeError)
    raises_like(lambda: nn.Unflatten(1, 6), lambda: torch.nn.Unflatten(1, 6), TypeError)


def test_mlp_step_matches_torch():
    def mlp(lib):
        n = lib.nn
        return n.Sequential(n.Flatten(), n.Linear(784, 64), n.ReLU(), n.Linear(64, 10))
    torch.manual_seed(0)
    torchlet.manual_seed(0)
    m_th, m_tl = mlp(torch), mlp(torchlet)
    for a, b in zip(m_tl.parameters(), m_th.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    x = R(32, 1, 28, 28, dt=F32)
    out_tl, out_th = m_tl(torchlet.tensor(x)), m_th(torch.tensor(x))
    assert_same(out_tl, out_th, rtol=1e-4, atol=1e-5)
    out_tl.square().mean().backward()
    out_th.square().mean().backward()
    for a, b in zip(m_tl.parameters(), m_th.parameters()):
        assert_same(a.grad, b.grad, rtol=1e-4, atol=1e-6)
