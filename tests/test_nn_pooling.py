"""Pooling against torch: max/avg pooling (1-D, 2-D; padding, dilation, ceil_mode, indices,
count_include_pad, divisor_override), adaptive pooling, lp pooling and max unpooling. Values,
indices, gradients (ties and NaN included), float32/float64, errors, modules."""
import itertools

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


def relu_like(*shape, dt=F64, seed=0):
    """Half zeros: windows with tied maxima, as after a ReLU."""
    return np.maximum(R(*shape, dt=dt, seed=seed), 0)


def tol(dt):
    return dict(rtol=1e-5, atol=1e-6) if dt == F32 else dict(rtol=1e-10, atol=1e-12)



# -- max pooling --------------------------------------------------------------------------------------
MAX2D = [(2, None, 0, 1, False), (3, 2, 1, 1, False), ((3, 2), (2, 1), (1, 0), 1, False),
         (3, 1, 1, 2, False), (2, 2, 0, 1, True), (3, 2, 1, 1, True), (3, 3, 1, 2, True),
         ((2, 3), None, 0, (2, 1), False), (4, 3, 2, 1, True), (1, 1, 0, 1, False)]


@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('k,s,p,d,ceil', MAX2D)
def test_max_pool2d_matches_torch(dt, k, s, p, d, ceil):
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    for x in (relu_like(2, 3, 9, 8, dt=dt), R(3, 7, 10, dt=dt)):
        check_op(lambda a: F.max_pool2d(a, **kw), lambda a: TF.max_pool2d(a, **kw), x, **tol(dt))
        check_op(lambda a: F.max_pool2d(a, return_indices=True, **kw),
                 lambda a: TF.max_pool2d(a, return_indices=True, **kw), x, **tol(dt))


@pytest.mark.parametrize('k,s,p,d,ceil', [(2, None, 0, 1, False), (3, 2, 1, 1, False), (3, 2, 1, 2, False),
                                          (2, 2, 0, 1, True), (3, 2, 1, 1, True), (4, 1, 2, 1, False)])
def test_max_pool1d_matches_torch(k, s, p, d, ceil):
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil, return_indices=True)
    for x in (relu_like(2, 3, 11), R(4, 9)):
        out = check_op(lambda a: F.max_pool1d(a, **kw), lambda a: TF.max_pool1d(a, **kw), x, **tol(F64))[0]
        assert out[0].grad_fn.name() == 'SqueezeBackward1'


def test_max_pool_nan_and_integer_inputs():
    x = np.array([[[[0., np.nan, 1., np.nan], [2., 3., np.nan, 0.]]]])
    check_op(lambda a: F.max_pool2d(a, (1, 4), return_indices=True),
             lambda a: TF.max_pool2d(a, (1, 4), return_indices=True), x)
    check_op(lambda a: F.max_pool2d(a, 2, return_indices=True),
             lambda a: TF.max_pool2d(a, 2, return_indices=True), x)
    xi = rng(0).integers(-9, 9, (2, 3, 6, 6))
    check_op(lambda a: F.max_pool2d(a, 3, 2, 1, return_indices=True),
             lambda a: TF.max_pool2d(a, 3, 2, 1, return_indices=True), xi, grad=False)


def test_max_pool_grad_fn_gradcheck_and_create_graph():
    x = torchlet.tensor(R(2, 2, 5, 5), requires_grad=True)
    out = F.max_pool2d(x, 2)
    assert out.grad_fn.name() == 'MaxPool2DWithIndicesBackward0'
    numeric_gradcheck(lambda a: F.max_pool2d(a, 3, 2, 1, ceil_mode=True), R(1, 2, 6, 5))
    numeric_gradcheck(lambda a: F.max_pool1d(a, 2, 1, dilation=2), R(2, 7))
    g, = torchlet.autograd.grad((out ** 2).sum(), x, create_graph=True)
    xt = torch.tensor(R(2, 2, 5, 5), requires_grad=True)
    gt, = torch.autograd.grad((TF.max_pool2d(xt, 2) ** 2).sum(), xt, create_graph=True)
    assert_same(g, gt)                   # first-order values are exact under create_graph
    assert g.requires_grad
    with pytest.raises(RuntimeError, match='double backward'):
        g.sum().backward()


# -- average pooling ----------------------------------------------------------------------------------
AVG2D = [(2, None, 0, False, True, None), (3, 2, 1, False, True, None), ((3, 2), (2, 1), (1, 0), False,
                                                                       True, None),
         (2, 2, 0, True, True, None), (3, 2, 1, True, True, None), (3, 2, 1, True, False, None),
         (3, 2, 1, False, False, None), (3, 2, 1, True, True, 5), (4, 3, 2, True, False, None)]


@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('k,s,p,ceil,cip,div', AVG2D)
def test_avg_pool2d_matches_torch(dt, k, s, p, ceil, cip, div):
    kw = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=cip,
              divisor_override=div)
    for x in (R(2, 3, 9, 8, dt=dt), R(3, 7, 10, dt=dt)):
        check_op(lambda a: F.avg_pool2d(a, **kw), lambda a: TF.avg_pool2d(a, **kw), x, **tol(dt))


@pytest.mark.parametrize('k,s,p,ceil,cip', [(2, None, 0, False, True), (3, 2, 1, False, True),
                                            (3, 2, 1, True, False), (4, 3, 2, True, True)])
def test_avg_pool1d_matches_torch(k, s, p, ceil, cip):
    kw = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=cip)
    for x in (R(2, 3, 11), R(4, 9)):
        check_op(lambda a: F.avg_pool1d(a, **kw), lambda a: TF.avg_pool1d(a, **kw), x, **tol(F64))


def test_avg_pool_integer_input_truncates_like_torch():
    x = np.array([[[[1, 2, -3, -4], [5, 6, -8, -9]]]])
    for kw in (dict(kernel_size=2), dict(kernel_size=2, padding=1), dict(kernel_size=2, padding=1,
                                                                      count_include_pad=False)):
        check_op(lambda a: F.avg_pool2d(a, **kw), lambda a: TF.avg_pool2d(a, **kw), x, grad=False)


def test_avg_pool_gradcheck():
    numeric_gradcheck(lambda a: F.avg_pool2d(a, 3, 2, 1, ceil_mode=True, count_include_pad=False),
                      R(1, 2, 6, 5))
    numeric_gradcheck(lambda a: F.avg_pool2d(a, 2, 1, divisor_override=3), R(1, 1, 4, 4))
    numeric_gradcheck(lambda a: F.avg_pool1d(a, 3, 2, 1), R(2, 7))


# -- adaptive pooling ---------------------------------------------------------------------------------
@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('size', [1, (3, 4), (4, 3), (None, 3), (9, 8), (5, 7), (2, None), 2, (1, 8)])
def test_adaptive_pool2d_matches_torch(dt, size):
    for x in (relu_like(2, 3, 9, 8, dt=dt), R(3, 9, 8, dt=dt)):
        check_op(lambda a: F.adaptive_avg_pool2d(a, size), lambda a: TF.adaptive_avg_pool2d(a, size), x,
                 **tol(dt))
        check_op(lambda a: F.adaptive_max_pool2d(a, size, return_indices=True),
                 lambda a: TF.adaptive_max_pool2d(a, size, return_indices=True), x, **tol(dt))


def test_adaptive_pool2d_empty_output_matches_torch():
    x = R(2, 3, 9, 8)
    check_op(lambda a: F.adaptive_avg_pool2d(a, (0, 3)), lambda a: TF.adaptive_avg_pool2d(a, (0, 3)), x,
             grad=False)
    check_op(lambda a: F.adaptive_max_pool2d(a, (0, 3), True),
             lambda a: TF.adaptive_max_pool2d(a, (0, 3), True), x, grad=False)


@pytest.mark.parametrize('size', [1, 3, 5, 8, 11])
def test_adaptive_pool1d_matches_torch(size):
    for x in (relu_like(2, 3, 8), R(4, 11)):
        check_op(lambda a: F.adaptive_avg_pool1d(a, size), lambda a: TF.adaptive_avg_pool1d(a, size), x,
                 **tol(F64))
        check_op(lambda a: F.adaptive_max_pool1d(a, size, return_indices=True),
                 lambda a: TF.adaptive_max_pool1d(a, size, return_indices=True), x, **tol(F64))


def test_adaptive_pool_grad_fns_gradcheck_and_double_backward():
    x = torchlet.tensor(R(2, 3, 7, 5), requires_grad=True)
    assert F.adaptive_avg_pool2d(x, 1).grad_fn.name() == 'MeanBackward1'
    assert F.adaptive_avg_pool2d(x, (3, 2)).grad_fn.name() == 'AdaptiveAvgPool2DBackward0'
    assert F.adaptive_max_pool2d(x, (3, 2)).grad_fn.name() == 'AdaptiveMaxPool2DBackward0'
    numeric_gradcheck(lambda a: F.adaptive_avg_pool2d(a, (3, 2)), R(1, 2, 7, 5))
    numeric_gradcheck(lambda a: F.adaptive_max_pool2d(a, (3, 4)), R(1, 2, 7, 5))
    numeric_gradcheck(lambda a: F.adaptive_avg_pool1d(a, 4), R(2, 9))
    # adaptive average pooling is linear: its gradient is differentiable again
    xt = torch.tensor(R(2, 3, 7, 5), requires_grad=True)
    g, = torchlet.autograd.grad((F.adaptive_avg_pool2d(x, (3, 2)) ** 3).sum(), x, create_graph=True)
    gt, = torch.autograd.grad((TF.adaptive_avg_pool2d(xt, (3, 2)) ** 3).sum(), xt, create_graph=True)
    (g ** 2).sum().backward()
    (gt ** 2).sum().backward()
    assert_same(x.grad, xt.grad, rtol=1e-9, atol=1e-12)


# -- lp pooling and unpooling ------------------------------------------------------------------------
@pytest.mark.parametrize('p,k,s,ceil', [(2, 3, 2, False), (1.5, (2, 3), None, False), (3, 2, 1, True)])
def test_lp_pool_matches_torch(p, k, s, ceil):
    x = np.abs(R(2, 3, 8, 7)) + 0.1
    check_op(lambda a: F.lp_pool2d(a, p, k, s, ceil), lambda a: TF.lp_pool2d(a, p, k, s, ceil), x,
             **tol(F64))
    k1 = k if isinstance(k, int) else k[0]
    check_op(lambda a: F.lp_pool1d(a, p, k1, s, ceil), lambda a: TF.lp_pool1d(a, p, k1, s, ceil), x[0],
             **tol(F64))


@pytest.mark.parametrize('shape,k,s,p,size', [((2, 3, 8, 8), 2, None, 0, None),
                                              ((2, 3, 8, 8), 3, 2, 1, (8, 8)),
                                              ((3, 9, 9), 2, 2, 0, (9, 9))])
def test_max_unpool_matches_torch(shape, k, s, p, size):
    x = R(*shape)
    vals, idx = TF.max_pool2d(torch.tensor(x), k, s, p, return_indices=True)
    out = check_op(lambda a, i: F.max_unpool2d(a, i, k, s, p, output_size=size),
                   lambda a, i: TF.max_unpool2d(a, i, k, s, p, output_size=size),
                   vals.numpy(), idx.numpy(), **tol(F64))[0]
    assert out.grad_fn.name() == 'MaxUnpool2DBackward0'
    v1, i1 = TF.max_pool1d(torch.tensor(x[0]), k, s, p, return_indices=True)
    size1 = None if size is None else size[-1:]
    check_op(lambda a, i: F.max_unpool1d(a, i, k, s, p, size1),
             lambda a, i: TF.max_unpool1d(a, i, k, s, p, size1), v1.numpy(), i1.numpy(), **tol(F64))


def test_max_unpool_invalid_index_errors_match_torch():
    v, i = TF.max_pool2d(torch.tensor(R(1, 1, 9, 8)), 3, 2, 1, return_indices=True)
    raises_like(lambda: F.max_unpool2d(torchlet.tensor(v.numpy()), torchlet.tensor(i.numpy()), 3, 2, 1),
                lambda: TF.max_unpool2d(v, i, 3, 2, 1))
    v, i = TF.max_pool1d(torch.arange(8.).reshape(1, 1, 8), 3, 2, 1, return_indices=True)
    raises_like(lambda: F.max_unpool1d(torchlet.tensor(v.numpy()), torchlet.tensor(i.numpy()), 3, 2, 1),
                lambda: TF.max_unpool1d(v, i, 3, 2, 1))


# -- errors -------------------------------------------------------------------------------------------
POOL_ERRORS = [
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 3, padding=2),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 3, stride=0),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 0),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 0, stride=1),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 3, dilation=0),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 3, padding=-1),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 9),
    lambda F, t: F.max_pool2d(t(8, 8), 2),
    lambda F, t: F.max_pool2d(t(2, 3, 0, 8), 2),
    lambda F, t: F.max_pool2d(t(0, 3, 4), 2),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), (2, 2, 2)),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 2, stride=(1, 2, 3)),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 2, padding=(1, 2, 3)),
    lambda F, t: F.max_pool2d(t(2, 3, 8, 8), 2, dilation=(1, 2, 3)),
    lambda F, t: F.max_pool2d(t(1, 1, 2, 2), 3, stride=1, padding=1, dilation=2),
    lambda F, t: F.max_pool1d(t(3, 8, 8), 9),
    lambda F, t: F.max_pool1d(t(3, 8, 8), 3, padding=2),
    lambda F, t: F.max_pool1d(t(2, 3, 8, 8), 3),
    lambda F, t: F.max_pool1d(t(8), 3),
    lambda F, t: F.max_pool1d(t(3, 8), 0),
    lambda F, t: F.max_pool1d(t(3, 8), 2, stride=0),
    lambda F, t: F.max_pool1d(t(3, 8), 2, dilation=0),
    lambda F, t: F.max_pool1d(t(3, 8), 2, padding=-1),
    lambda F, t: F.max_pool1d(t(3, 8), (2, 2)),
    lambda F, t: F.avg_pool2d(t(2, 3, 8, 8), 3, padding=2),
    lambda F, t: F.avg_pool2d(t(2, 3, 8, 8), 9),
    lambda F, t: F.avg_pool2d(t(2, 3, 8, 8), 2, divisor_override=0),
    lambda F, t: F.avg_pool2d(t(2, 3, 8, 8), 0, stride=1),
    lambda F, t: F.avg_pool2d(t(2, 3, 8, 8), 2, stride=0),
    lambda F, t: F.avg_pool2d(t(2, 3, 8, 8), (2, 2, 2)),
    lambda F, t: F.avg_pool2d(t(2, 3, 0, 8), 2),
    lambda F, t: F.avg_pool1d(t(3, 8, 8), 9),
    lambda F, t: F.avg_pool1d(t(2, 3, 8, 8), 2),
    lambda F, t: F.avg_pool1d(t(3, 8), (2, 2)),
    lambda F, t: F.avg_pool1d(t(3, 8), 0),
    lambda F, t: F.adaptive_avg_pool2d(t(2, 3, 8, 8), (3,)),
    lambda F, t: F.adaptive_avg_pool2d(t(2, 3, 8, 8), -1),
    lambda F, t: F.adaptive_avg_pool2d(t(8, 8), 2),
    lambda F, t: F.adaptive_max_pool2d(t(8, 8), 2),
    lambda F, t: F.adaptive_max_pool2d(t(2, 3, 8, 8), (2, 2, 2)),
    lambda F, t: F.adaptive_max_pool2d(t(2, 3, 8, 8), -1),
    lambda F, t: F.adaptive_avg_pool1d(t(2, 3, 8, 8), 2),
    lambda F, t: F.adaptive_max_pool1d(t(2, 3, 8, 8), 2),
    lambda F, t: F.adaptive_avg_pool1d(t(3, 8), (2, 2)),
    lambda F, t: F.adaptive_max_pool1d(t(3, 8), -1),
    lambda F, t: F.adaptive_avg_pool2d(t(2, 3, 0, 4), 2),
    lambda F, t: F.adaptive_max_pool2d(t(2, 3, 0, 4), 2),
]


@pytest.mark.parametrize('case', range(len(POOL_ERRORS)))
def test_pool_errors_match_torch(case):
    make = POOL_ERRORS[case]
    raises_like(lambda: make(F, lambda *s: torchlet.ones(*s)), lambda: make(TF, lambda *s: torch.ones(*s)))


def test_pool_error_types_match_torch():
    raises_like(lambda: F.avg_pool2d(torchlet.ones(8, 8), 2), lambda: TF.avg_pool2d(torch.ones(8, 8), 2),
                IndexError)
    for fn in ('adaptive_avg_pool2d', 'adaptive_max_pool2d'):
        raises_like(lambda: getattr(F, fn)(torchlet.ones(2, 3, 8, 8, dtype=torchlet.long), 2),
                    lambda: getattr(TF, fn)(torch.ones(2, 3, 8, 8, dtype=torch.long), 2),
                    NotImplementedError)


# -- modules ------------------------------------------------------------------------------------------
def pool_modules(n):
    return [n.MaxPool2d(2), n.MaxPool2d((2, 3), 1, 1, 2, True, True), n.MaxPool1d(3, 2, 1),
            n.AvgPool2d(2), n.AvgPool2d(3, 2, 1, True, False, 4), n.AvgPool1d(3, 2, 1),
            n.AdaptiveAvgPool2d((3, None)), n.AdaptiveAvgPool2d(1), n.AdaptiveMaxPool2d(3, True),
            n.AdaptiveAvgPool1d(3), n.AdaptiveMaxPool1d(4), n.LPPool2d(2, 3), n.LPPool1d(1.5, 2, 1)]


def test_pool_modules_repr_and_forward_match_torch():
    x = relu_like(2, 3, 9, 8)
    for a, b in zip(pool_modules(nn), pool_modules(torch.nn)):
        assert repr(a) == repr(b)
        assert a.state_dict() == {} or len(a.state_dict()) == 0
        inp = x if '2d' in type(b).__name__ else x[0]
        if isinstance(b, torch.nn.LPPool1d) or isinstance(b, torch.nn.LPPool2d):
            inp = np.abs(inp) + 0.1
        check_op(a, b, inp, **tol(F64))


def test_max_unpool_modules_match_torch():
    assert repr(nn.MaxUnpool2d(2)) == repr(torch.nn.MaxUnpool2d(2))
    assert repr(nn.MaxUnpool1d(3, 2, 1)) == repr(torch.nn.MaxUnpool1d(3, 2, 1))
    x = R(2, 3, 8, 8)
    out, idx = nn.MaxPool2d(2, return_indices=True)(torchlet.tensor(x))
    out_t, idx_t = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    assert_same(nn.MaxUnpool2d(2)(out, idx), torch.nn.MaxUnpool2d(2)(out_t, idx_t))


def test_max_pool_ceil_mode_output_sizes_exhaustive():
    """torch's output-size arithmetic over a grid of sizes (the last window starts inside)."""
    for size, k, s, p, d in itertools.product(range(1, 9), range(1, 4), range(1, 4), range(0, 2), (1, 2)):
        if p > ((k - 1) * d + 1) // 2 or (k - 1) * d + 1 > size + 2 * p:
            continue
        for ceil in (False, True):
            a = F.max_pool1d(torchlet.ones(1, size), k, s, p, d, ceil)
            b = TF.max_pool1d(torch.ones(1, size), k, s, p, d, ceil)
            assert tuple(a.shape) == tuple(b.shape), (size, k, s, p, d, ceil)


@pytest.mark.parametrize('shape', [(2, 0, 4, 4), (0, 3, 4), (3, 0, 4), (0, 3, 4, 4)])
@pytest.mark.parametrize('fn', ['adaptive_avg_pool2d', 'adaptive_max_pool2d', 'max_pool2d', 'avg_pool2d'])
def test_pool_empty_inputs_match_torch(shape, fn):
    def run(lib):
        try:
            out = getattr(lib.nn.functional, fn)(lib.ones(*shape), 2)
            return tuple(out.shape)
        except RuntimeError as e:
            return str(e)
    assert run(torchlet) == run(torch)


def test_remaining_pool_gradchecks():
    numeric_gradcheck(lambda a: F.adaptive_max_pool1d(a, 3), R(2, 7))
    numeric_gradcheck(lambda a: F.lp_pool2d(a, 2, 2), np.abs(R(1, 2, 4, 4)) + 0.5)
    numeric_gradcheck(lambda a: F.lp_pool1d(a, 3, 2, 1), np.abs(R(2, 5)) + 0.5)
    idx = torchlet.tensor(np.array([[[[0, 3], [9, 14]]]]))
    numeric_gradcheck(lambda a: F.max_unpool2d(a, idx, 2), R(1, 1, 2, 2))
