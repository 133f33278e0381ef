"""Convolutions (F.conv1d/conv2d, nn.Conv1d/Conv2d) and F.unfold/F.fold against torch: values,
input/weight/bias gradients, float32/float64, odd geometries, errors, init, repr, state_dict, and a
LeNet trained for a step from torch's weights."""
import itertools
import warnings

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
    return dict(rtol=1e-4, atol=1e-4) if dt == F32 else dict(rtol=1e-9, atol=1e-10)



# -- conv2d -----------------------------------------------------------------------------------------
GRID = list(itertools.product(
    [1, 2, (2, 1)],              # stride
    [0, 1, (2, 0)],              # padding
    [1, 2],                      # dilation
    [1, 2],                      # groups
    [True, False],               # bias
))


@pytest.mark.parametrize('stride,padding,dilation,groups,bias', GRID)
def test_conv2d_grid_matches_torch(stride, padding, dilation, groups, bias):
    x = R(2, 4, 9, 8, seed=1)
    w = R(6, 4 // groups, 3, 2, seed=2)
    args = (x, w, R(6, seed=3)) if bias else (x, w)
    check_op(lambda *a: F.conv2d(*a, stride=stride, padding=padding, dilation=dilation, groups=groups),
             lambda *a: TF.conv2d(*a, stride=stride, padding=padding, dilation=dilation, groups=groups),
             *args, **tol(F64))


@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('shape,kernel', [((3, 2, 7, 11), (5, 2, 3, 3)), ((1, 1, 5, 5), (1, 1, 5, 5)),
                                          ((2, 3, 6, 6), (4, 3, 1, 1)), ((2, 1, 28, 28), (6, 1, 5, 5))])
def test_conv2d_dtypes_and_odd_sizes(dt, shape, kernel):
    check_op(F.conv2d, TF.conv2d, R(*shape, dt=dt), R(*kernel, dt=dt, seed=1),
             R(kernel[0], dt=dt, seed=2), **tol(dt))
    out = F.conv2d(torchlet.tensor(R(*shape, dt=dt)), torchlet.tensor(R(*kernel, dt=dt)))
    assert out.dtype == (torchlet.float32 if dt == F32 else torchlet.float64)
    assert out.is_contiguous()


def test_conv2d_non_contiguous_input_and_weight():
    x, w = R(2, 3, 10, 12), R(4, 3, 3, 3, seed=1)
    check_op(lambda a, b: F.conv2d(a[:, :, :, ::2], b.transpose(2, 3)),
             lambda a, b: TF.conv2d(a[:, :, :, ::2], b.transpose(2, 3)), x, w, **tol(F64))
    check_op(lambda a, b: F.conv2d(a.transpose(2, 3), b, padding=1),
             lambda a, b: TF.conv2d(a.transpose(2, 3), b, padding=1), x, w, **tol(F64))


@pytest.mark.parametrize('kernel,dilation', [(3, 1), (4, 1), ((2, 5), (3, 1)), (3, 2)])
def test_conv2d_same_and_valid_padding(kernel, dilation):
    ks = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    x, w = R(2, 3, 9, 10), R(4, 3, *ks, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        out = check_op(lambda a, b: F.conv2d(a, b, padding='same', dilation=dilation),
                       lambda a, b: TF.conv2d(a, b, padding='same', dilation=dilation), x, w,
                       **tol(F64))[0]
    assert tuple(out.shape[2:]) == (9, 10)
    check_op(lambda a, b: F.conv2d(a, b, padding='valid'), lambda a, b: TF.conv2d(a, b, padding='valid'),
             x, w, **tol(F64))


def test_conv2d_same_even_kernel_warns_like_torch():
    x, w = torchlet.randn(1, 1, 6, 6), torchlet.randn(1, 1, 4, 4)
    with pytest.warns(UserWarning, match="padding='same' with even kernel"):
        F.conv2d(x, w, padding='same')


def test_conv2d_unbatched_and_empty_batch():
    x, w, b = R(3, 8, 7), R(5, 3, 3, 3, seed=1), R(5, seed=2)
    out = check_op(F.conv2d, TF.conv2d, x, w, b, **tol(F64))[0]
    assert out.grad_fn.name() == 'SqueezeBackward1'
    check_op(F.conv2d, TF.conv2d, R(0, 3, 8, 7), w, b, grad=False)


def test_conv2d_integer_input():
    x = rng(0).integers(-5, 5, (2, 3, 6, 6))
    w = rng(1).integers(-3, 3, (4, 3, 3, 3))
    check_op(F.conv2d, TF.conv2d, x, w, grad=False)


def test_conv2d_grad_fn_and_needs_grad():
    x = torchlet.randn(2, 3, 6, 6)
    w = torchlet.randn(4, 3, 3, 3, requires_grad=True)
    out = F.conv2d(x, w)
    assert out.grad_fn.name() == 'ConvolutionBackward0'
    out.sum().backward()
    assert x.grad is None and w.grad is not None


def test_conv2d_numeric_gradcheck():
    numeric_gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)),
                      R(1, 2, 5, 6), R(2, 2, 2, 3, seed=1), R(2, seed=2))
    numeric_gradcheck(lambda x, w: F.conv2d(x, w, groups=2, padding=(0, 1)),
                      R(2, 4, 4, 4), R(4, 2, 3, 3, seed=1))


def test_conv2d_create_graph_first_order_and_double_backward_refused():
    x = torchlet.tensor(R(1, 2, 5, 5), requires_grad=True)
    w = torchlet.tensor(R(3, 2, 3, 3, seed=1), requires_grad=True)
    xt = torch.tensor(R(1, 2, 5, 5), requires_grad=True)
    wt = torch.tensor(R(3, 2, 3, 3, seed=1), requires_grad=True)
    gx, gw = torchlet.autograd.grad((F.conv2d(x, w) ** 2).sum(), (x, w), create_graph=True)
    gxt, gwt = torch.autograd.grad((TF.conv2d(xt, wt) ** 2).sum(), (xt, wt), create_graph=True)
    assert_same(gx, gxt, rtol=1e-9, atol=1e-10)
    assert_same(gw, gwt, rtol=1e-9, atol=1e-10)
    assert gx.requires_grad
    with pytest.raises(RuntimeError, match='double backward'):
        gx.sum().backward()


def test_conv2d_outputs_survive_buffer_reuse():
    """Pooled buffers are reused only once nothing refers to them: earlier outputs stay intact."""
    x, w = torchlet.tensor(R(8, 3, 20, 20, dt=F32)), torchlet.tensor(R(16, 3, 3, 3, dt=F32, seed=1))
    first = F.conv2d(x, w)
    kept = first.clone()
    view = first[:, :2]
    for _ in range(3):
        F.conv2d(x * 2, w)
    assert np.array_equal(first.numpy(), kept.numpy())
    assert np.array_equal(view.numpy(), kept.numpy()[:, :2])


def test_buffer_pool_reuses_only_unreferenced_arrays_within_budget():
    from torchlet.nn._functional._columns import BufferPool
    pool = BufferPool()
    pool.MAX_BYTES = 10 << 20
    a = pool.empty((1 << 20,), np.float32)            # 4 MiB: pooled
    b = pool.empty((1 << 20,), np.float32)
    assert a is not b
    first = id(a)
    view = a[:10]
    del a
    c = pool.empty((1 << 20,), np.float32)
    assert c is not view.base and c is not b            # a is still referenced through its view
    del view
    d = pool.empty((1 << 20,), np.float32)
    assert id(d) == first                               # the first array is free again: reused
    assert pool._bytes <= pool.MAX_BYTES
    assert pool.empty((10,), np.float32).shape == (10,)  # small arrays bypass the pool
    pool.clear()
    assert pool._bytes == 0


# -- conv1d -----------------------------------------------------------------------------------------
@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('stride,padding,dilation,groups', [(1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 2),
                                                            (3, 'same', 1, 1), (1, 'same', 2, 2)])
def test_conv1d_matches_torch(dt, stride, padding, dilation, groups):
    if padding == 'same' and stride != 1:
        return
    check_op(lambda *a: F.conv1d(*a, stride=stride, padding=padding, dilation=dilation, groups=groups),
             lambda *a: TF.conv1d(*a, stride=stride, padding=padding, dilation=dilation, groups=groups),
             R(2, 4, 11, dt=dt), R(6, 4 // groups, 3, dt=dt, seed=1), R(6, dt=dt, seed=2), **tol(dt))


def test_conv1d_unbatched_and_gradcheck():
    check_op(F.conv1d, TF.conv1d, R(3, 9), R(2, 3, 4, seed=1), **tol(F64))
    numeric_gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), R(2, 2, 7),
                      R(3, 2, 3, seed=1), R(3, seed=2))


# -- errors -------------------------------------------------------------------------------------------
CONV_ERRORS = [
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 2, 3, 3)),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 1, 3, 3), groups=3),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 1, 3, 3), groups=2),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), t(3)),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), t(1, 4)),
    lambda F, t: F.conv2d(t(8, 8), t(4, 3, 3, 3)),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3)),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 9, 9)),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 5, 5), dilation=2),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), stride=0),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), padding=-1),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), dilation=0),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), groups=0),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), padding='same', stride=2),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), padding='foo'),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), padding=(1, 2, 3)),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), stride=(1, 2, 3)),
    lambda F, t: F.conv2d(t(2, 3, 8, 8).double(), t(4, 3, 3, 3)),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3).double()),
    lambda F, t: F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), t(4).double()),
    lambda F, t: F.conv1d(t(3, 8, 8), t(4, 3, 3)),
    lambda F, t: F.conv1d(t(2, 3, 8, 8), t(4, 3, 3)),
    lambda F, t: F.conv2d(t(2, 3, 0, 8), t(4, 3, 3, 3)),
]


@pytest.mark.parametrize('case', range(len(CONV_ERRORS)))
def test_conv_errors_match_torch(case):
    make = CONV_ERRORS[case]
    raises_like(lambda: make(F, lambda *s: torchlet.ones(*s)), lambda: make(TF, lambda *s: torch.ones(*s)))


def test_conv_type_errors():
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        F.conv2d([1.0], torchlet.ones(1, 1, 1, 1))
    with pytest.raises(TypeError):
        F.conv2d(torchlet.ones(1, 1, 3, 3), torchlet.ones(1, 1, 1, 1), stride=1.5)


# -- unfold / fold -----------------------------------------------------------------------------------
@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('kernel,dilation,padding,stride', [(3, 1, 0, 1), ((2, 3), (2, 1), (1, 0), (2, 1)),
                                                            (2, 1, 1, 2), (1, 1, 0, 1)])
def test_unfold_fold_match_torch(dt, kernel, dilation, padding, stride):
    kw = dict(kernel_size=kernel, dilation=dilation, padding=padding, stride=stride)
    x = R(2, 3, 7, 8, dt=dt)
    cols = check_op(lambda a: F.unfold(a, **kw), lambda a: TF.unfold(a, **kw), x, **tol(dt))[1]
    check_op(lambda a: F.fold(a, (7, 8), **kw), lambda a: TF.fold(a, (7, 8), **kw),
             R(*cols.shape, dt=dt, seed=1), **tol(dt))
    check_op(lambda a: F.unfold(a, **kw), lambda a: TF.unfold(a, **kw), x[0], **tol(dt))


def test_unfold_fold_gradcheck_and_double_backward():
    numeric_gradcheck(lambda a: F.unfold(a, 2, padding=1, stride=(1, 2)), R(1, 2, 3, 4))
    numeric_gradcheck(lambda a: F.fold(a, (4, 5), 2, dilation=(1, 2)), R(1, 8, 9))
    x = torchlet.tensor(R(1, 2, 4, 4), requires_grad=True)
    xt = torch.tensor(R(1, 2, 4, 4), requires_grad=True)
    g, = torchlet.autograd.grad((F.unfold(x, 2) ** 3).sum(), x, create_graph=True)
    gt, = torch.autograd.grad((TF.unfold(xt, 2) ** 3).sum(), xt, create_graph=True)
    g.sum().backward()
    gt.sum().backward()
    assert_same(x.grad, xt.grad, rtol=1e-9, atol=1e-10)
    assert F.unfold(x, 2).grad_fn.name() == 'Im2ColBackward0'


UNFOLD_ERRORS = [
    lambda F, t: F.unfold(t(2, 3, 4, 4), 5),
    lambda F, t: F.unfold(t(2, 3, 4, 4), 0),
    lambda F, t: F.unfold(t(2, 3, 4, 4), 2, stride=0),
    lambda F, t: F.unfold(t(2, 3, 4, 4), 2, padding=-1),
    lambda F, t: F.unfold(t(4, 4), 2),
    lambda F, t: F.unfold(t(0, 3, 4), 2),
    lambda F, t: F.fold(t(2, 12, 9), (5, 5), 2),
    lambda F, t: F.fold(t(2, 10, 16), (5, 5), 2),
    lambda F, t: F.fold(t(2, 3, 4, 4), (5, 5), 2),
    lambda F, t: F.unfold(t(2, 3, 4, 4), 2, dilation=0),
    lambda F, t: F.fold(t(2, 12, 9), (4, 4), 2, stride=0, dilation=0),
    lambda F, t: F.fold(t(2, 12, 9), (4, 4), 2, padding=-1),
]


@pytest.mark.parametrize('case', range(len(UNFOLD_ERRORS)))
def test_unfold_fold_errors_match_torch(case):
    make = UNFOLD_ERRORS[case]
    exc = IndexError if case == 4 else RuntimeError
    raises_like(lambda: make(F, lambda *s: torchlet.ones(*s)), lambda: make(TF, lambda *s: torch.ones(*s)),
                exc)


# -- modules ------------------------------------------------------------------------------------------
def conv_modules(lib):
    n = lib.nn
    return [n.Conv2d(3, 4, 3), n.Conv2d(4, 6, (3, 2), stride=2, padding=1, dilation=2, bias=False),
            n.Conv2d(4, 8, 3, padding='same', groups=2), n.Conv2d(3, 4, 3, padding='valid'),
            n.Conv1d(3, 6, 3, padding='same', groups=3), n.Conv1d(2, 4, 5, stride=2, padding=2),
            n.Conv2d(3, 5, 3, padding=1, padding_mode='reflect'), n.Conv1d(2, 3, 3, padding=1,
                                                                          padding_mode='circular'),
            n.Conv2d(3, 5, 3, padding=(1, 2), padding_mode='replicate', dtype=lib.float64)]


def test_conv_modules_repr_state_dict_and_init_match_torch():
    torchlet.manual_seed(7)
    torch.manual_seed(7)
    for a, b in zip(conv_modules(torchlet), conv_modules(torch)):
        assert repr(a) == repr(b)
        sa, sb = a.state_dict(), b.state_dict()
        assert list(sa) == list(sb)
        for k in sa:
            assert_same(sa[k], sb[k], rtol=0, atol=0)     # same generator, same numbers


def test_conv_modules_forward_backward_after_loading_torch_weights():
    for a, b in zip(conv_modules(torchlet), conv_modules(torch)):
        a.load_state_dict({k: torchlet.tensor(v.numpy()) for k, v in b.state_dict().items()})
        c = b.in_channels
        shape = (2, c, 9, 8) if isinstance(b, torch.nn.Conv2d) else (2, c, 9)
        x = R(*shape, dt=np.float64 if b.weight.dtype == torch.float64 else F32)
        xa, xb = torchlet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yb = a(xa), b(xb)
        assert_same(ya, yb, rtol=1e-4, atol=1e-5)
        w = R(*yb.shape, seed=1).astype(x.dtype)
        (ya * torchlet.tensor(w)).sum().backward()
        (yb * torch.tensor(w)).sum().backward()
        assert_same(xa.grad, xb.grad, rtol=1e-4, atol=1e-5)
        for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
            assert na == nb
            assert_same(pa.grad, pb.grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('kwargs,exc', [(dict(groups=0), ValueError), (dict(groups=2), ValueError),
                                        (dict(padding='same', stride=2), ValueError)])
def test_conv_module_constructor_errors(kwargs, exc):
    raises_like(lambda: nn.Conv2d(3, 4, 3, **kwargs), lambda: torch.nn.Conv2d(3, 4, 3, **kwargs), exc)


def test_conv_module_padding_mode_error():
    # the message prints a set, whose order depends on the hash seed: compare all but the order
    with pytest.raises(ValueError, match=r"padding_mode must be one of \{.*\}, but got padding_mode='foo'"):
        nn.Conv2d(3, 4, 3, padding_mode='foo')
    with pytest.raises(ValueError, match=r"Invalid padding string 'full', should be one of \{.*\}"):
        nn.Conv2d(3, 4, 3, padding='full')


def test_conv_module_wrong_channels_error():
    raises_like(lambda: nn.Conv2d(3, 4, 3)(torchlet.ones(2, 2, 8, 8)),
                lambda: torch.nn.Conv2d(3, 4, 3)(torch.ones(2, 2, 8, 8)))


def lenet(lib):
    n = lib.nn
    return n.Sequential(n.Conv2d(1, 6, 5, padding=2), n.ReLU(), n.MaxPool2d(2), n.Conv2d(6, 16, 5),
                        n.ReLU(), n.MaxPool2d(2), n.Flatten(), n.Linear(400, 120), n.ReLU(),
                        n.Linear(120, 84), n.ReLU(), n.Linear(84, 10))


def test_lenet_forward_backward_matches_torch():
    torch.manual_seed(0)
    model_th = lenet(torch)
    model_tl = lenet(torchlet)
    assert repr(model_tl) == repr(model_th)
    model_tl.load_state_dict({k: torchlet.tensor(v.numpy()) for k, v in model_th.state_dict().items()})
    x = R(16, 1, 28, 28, dt=F32)
    target = rng(1).integers(0, 10, 16)
    out_tl, out_th = model_tl(torchlet.tensor(x)), model_th(torch.tensor(x))
    assert_same(out_tl, out_th, rtol=1e-4, atol=1e-5)
    onehot = np.eye(10, dtype=F32)[target]
    ((out_tl - torchlet.tensor(onehot)) ** 2).mean().backward()
    ((out_th - torch.tensor(onehot)) ** 2).mean().backward()
    for (na, pa), (nb, pb) in zip(model_tl.named_parameters(), model_th.named_parameters()):
        assert na == nb
        assert_same(pa.grad, pb.grad, rtol=1e-3, atol=1e-6)


# -- column layouts: stride phases, whole-input windows ---------------------------------------------
PHASED = [((2, 3, 14, 14), (5, 3, 4, 4), dict(stride=2, padding=1)),          # DCGAN's discriminator
          ((2, 2, 13, 11), (4, 2, 5, 3), dict(stride=3, padding=2)),
          ((2, 2, 12, 12), (4, 1, 3, 3), dict(stride=(2, 3), padding=(1, 0), dilation=2, groups=2)),
          ((3, 4, 9, 17), (2, 4, 2, 6), dict(stride=(1, 4), padding=(0, 3)))]


@pytest.mark.parametrize('dt', [F32, F64])
@pytest.mark.parametrize('xs,ws,kw', PHASED)
def test_conv2d_strided_input_gradient_matches_torch(dt, xs, ws, kw):
    """Strided convolutions whose input needs a gradient (the stride-phase col2im)."""
    check_op(lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw),
             R(*xs, dt=dt, seed=4), R(*ws, dt=dt, seed=5), R(ws[0], dt=dt, seed=6), **tol(dt))


@pytest.mark.parametrize('xs,ws,bias', [((3, 4, 7, 6), (5, 4, 7, 6), True), ((3, 4, 7, 6), (5, 4, 7, 6), False),
                                        ((2, 3, 5), (4, 3, 5), True), ((4, 128, 7, 7), (1, 128, 7, 7), False)])
def test_conv_whole_input_window_matches_torch(xs, ws, bias):
    """A kernel as large as the unpadded input: one dense GEMM (DCGAN's last discriminator layer)."""
    fn, tfn = (F.conv2d, TF.conv2d) if len(xs) == 4 else (F.conv1d, TF.conv1d)
    args = (R(*xs, seed=7), R(*ws, seed=8)) + ((R(ws[0], seed=9),) if bias else ())
    out, _ = check_op(fn, tfn, *args, **tol(F64))
    assert out.grad_fn.name() == 'ConvolutionBackward0'
    numeric_gradcheck(lambda *a: fn(*a), *args)


@pytest.mark.parametrize('kw', [dict(padding=1), dict(stride=2, padding=2, dilation=2), dict(groups=2)])
def test_conv2d_columns_made_in_chunks_match_torch(monkeypatch, kw):
    """Few output channels and many columns: the columns are made a chunk of images at a time in
    forward and again for the weight gradient (forced here with tiny chunk sizes)."""
    from torchlet.nn._functional import conv, _columns
    monkeypatch.setattr(conv, '_CHUNK_BYTES', 64)
    monkeypatch.setattr(_columns, '_GRID_CHUNK_BYTES', 3000)
    x, w, b = R(5, 4, 9, 10, seed=10), R(6, 4 // kw.get('groups', 1), 3, 3, seed=11), R(6, seed=12)
    check_op(lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw), x, w, b, **tol(F64))


@pytest.mark.parametrize('kw', [dict(padding=1), dict(stride=2, padding=2, dilation=2), dict(groups=2)])
def test_conv2d_small_gemms_in_blocks_match_torch(monkeypatch, kw):
    """Small GEMMs run a few images at a time as one batched matmul, then the remaining images
    (forced here: blocks of two images out of five)."""
    from torchlet.nn._functional import _columns
    monkeypatch.setattr(_columns, '_SMALL_GEMM', 50_000)
    x, w, b = R(5, 4, 9, 10, seed=13), R(6, 4 // kw.get('groups', 1), 3, 3, seed=14), R(6, seed=15)
    check_op(lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw), x, w, b, **tol(F64))
    check_op(lambda *a: F.conv_transpose2d(*a, **kw), lambda *a: TF.conv_transpose2d(*a, **kw),
             R(5, 4, 5, 6, seed=16), R(4, 6 // kw.get('groups', 1), 3, 3, seed=17), **tol(F64))


@pytest.mark.parametrize('xs,ws,kw', [((4, 1, 28, 28), (10, 1, 5, 5), {}),                  # LeNet's first layer
                                      ((3, 2, 20, 18), (6, 1, 3, 3), dict(stride=2, padding=1, groups=2)),
                                      ((3, 2, 40), (4, 2, 5), dict(dilation=2))])
@pytest.mark.parametrize('dt', [F32, F64])
def test_conv_input_without_grad_matches_torch(xs, ws, kw, dt):
    """An input that needs no gradient (a first layer): image-major columns, one small GEMM per
    image; only the weight and bias get gradients."""
    fn, tfn = (F.conv2d, TF.conv2d) if len(xs) == 4 else (F.conv1d, TF.conv1d)
    x, w, b = R(*xs, dt=dt, seed=20), R(*ws, dt=dt, seed=21), R(ws[0], dt=dt, seed=22)
    gy = None
    grads = []
    for lib, f in ((torchlet, fn), (torch, tfn)):
        wt, bt = lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)
        y = f(lib.tensor(x), wt, bt, **kw)
        if gy is None:
            gy = R(*tuple(y.shape), dt=dt, seed=23)
        (y * lib.tensor(gy)).sum().backward()
        grads.append((y.detach().numpy(), wt.grad.numpy(), bt.grad.numpy()))
    for a, c in zip(*grads):
        np.testing.assert_allclose(a, c, **tol(dt))
    with torchlet.no_grad():
        np.testing.assert_allclose(fn(torchlet.tensor(x), torchlet.tensor(w), torchlet.tensor(b), **kw).numpy(),
                                   grads[1][0], **tol(dt))
