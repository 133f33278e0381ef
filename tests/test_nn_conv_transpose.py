"""F.conv_transpose1d/2d and nn.ConvTranspose1d/2d against torch: outputs and gradients (stride,
padding, output_padding, dilation, groups, bias, unbatched and non-contiguous inputs, float32 and
float64), output_size in forward, initialisation, reprs, state_dict, errors, finite differences."""
import numpy as np
import pytest

import torchlet
from conftest import torch, to_np, numeric_gradcheck

F_th, F_tl = torch.nn.functional, torchlet.nn.functional


pytestmark = pytest.mark.usefixtures('torch_single_thread')


def leaf(arr):
    return torch.tensor(arr, requires_grad=True), torchlet.tensor(arr, requires_grad=True)


def close(x, y, tol):
    np.testing.assert_allclose(to_np(x), to_np(y), rtol=tol, atol=tol)


def run_both(fn_th, fn_tl, leaves, tol):
    a, b = fn_th(), fn_tl()
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)
    close(b, a, tol)
    w = np.random.default_rng(7).standard_normal(tuple(a.shape)).astype(to_np(a).dtype)
    (a * torch.tensor(w)).sum().backward()
    (b * torchlet.tensor(w)).sum().backward()
    for p, q in leaves:
        close(q.grad, p.grad, tol)
    return a, b


CASES_2D = [dict(), dict(stride=2), dict(stride=2, padding=1, output_padding=1),
            dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1), output_padding=(1, 0)),
            dict(groups=2), dict(stride=3, padding=2, groups=2, dilation=2, output_padding=2),
            dict(dilation=3, output_padding=2), dict(stride=2, padding=(0, 1))]


@pytest.mark.parametrize('kw', CASES_2D)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('bias', [True, False])
def test_conv_transpose2d_matches_torch(kw, dtype, bias):
    rng = np.random.default_rng(0)
    g = kw.get('groups', 1)
    x = leaf(rng.standard_normal((2, 4, 5, 6)).astype(dtype))
    w = leaf(rng.standard_normal((4, 3, 3, 2)).astype(dtype))
    b = leaf(rng.standard_normal(3 * g).astype(dtype)) if bias else (None, None)
    tol = 2e-5 if dtype == np.float32 else 1e-10
    _, out = run_both(lambda: F_th.conv_transpose2d(x[0], w[0], b[0], **kw),
                      lambda: F_tl.conv_transpose2d(x[1], w[1], b[1], **kw),
                      [x, w] + ([b] if bias else []), tol)
    assert out.grad_fn.name() == 'ConvolutionBackward0'


@pytest.mark.parametrize('kw', [dict(), dict(stride=2, padding=1, output_padding=1),
                                dict(groups=2, dilation=2), dict(stride=3, padding=1)])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_conv_transpose1d_matches_torch(kw, dtype):
    rng = np.random.default_rng(1)
    g = kw.get('groups', 1)
    x = leaf(rng.standard_normal((2, 4, 7)).astype(dtype))
    w = leaf(rng.standard_normal((4, 3, 3)).astype(dtype))
    b = leaf(rng.standard_normal(3 * g).astype(dtype))
    tol = 2e-5 if dtype == np.float32 else 1e-10
    run_both(lambda: F_th.conv_transpose1d(x[0], w[0], b[0], **kw),
             lambda: F_tl.conv_transpose1d(x[1], w[1], b[1], **kw), [x, w, b], tol)


def test_unbatched_and_non_contiguous_inputs():
    rng = np.random.default_rng(2)
    x, w = leaf(rng.standard_normal((4, 6, 5))), leaf(rng.standard_normal((4, 2, 3, 3)))
    # (C, W, H) transposed to (C, H, W): a non-contiguous unbatched input
    run_both(lambda: F_th.conv_transpose2d(x[0].transpose(1, 2), w[0], stride=2),
             lambda: F_tl.conv_transpose2d(x[1].transpose(1, 2), w[1], stride=2), [x, w], 1e-10)
    x1, w1 = leaf(rng.standard_normal((4, 9))), leaf(rng.standard_normal((4, 2, 3)))
    run_both(lambda: F_th.conv_transpose1d(x1[0][:, ::2], w1[0], padding=1),
             lambda: F_tl.conv_transpose1d(x1[1][:, ::2], w1[1], padding=1), [x1, w1], 1e-10)


def test_numeric_gradcheck():
    rng = np.random.default_rng(3)
    numeric_gradcheck(lambda x, w, b: F_tl.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1,
                                                            groups=2, dilation=(1, 2)),
                      rng.standard_normal((1, 2, 3, 3)), rng.standard_normal((2, 2, 2, 3)),
                      rng.standard_normal(4))
    numeric_gradcheck(lambda x, w: F_tl.conv_transpose1d(x, w, stride=3, padding=1),
                      rng.standard_normal((2, 2, 4)), rng.standard_normal((2, 3, 3)))


def test_double_backward_raises_clearly():
    x = torchlet.randn(1, 2, 3, 3, requires_grad=True)
    w = torchlet.randn(2, 2, 3, 3, requires_grad=True)
    (gx,) = torchlet.autograd.grad(F_tl.conv_transpose2d(x, w).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match='double backward'):
        gx.sum().backward()


MODULES = [('ConvTranspose2d', (4, 6, 3), dict()),
           ('ConvTranspose2d', (4, 6, (3, 2)), dict(stride=2, padding=1, output_padding=1, groups=2,
                                                    bias=False, dilation=2)),
           ('ConvTranspose1d', (4, 3, 5), dict(stride=2)),
           ('ConvTranspose1d', (2, 4, 3), dict(groups=2, padding=2, output_padding=1, stride=2))]


@pytest.mark.parametrize('name,args,kw', MODULES)
def test_modules_match_torch(name, args, kw):
    torch.manual_seed(4)
    torchlet.manual_seed(4)
    m_th, m_tl = getattr(torch.nn, name)(*args, **kw), getattr(torchlet.nn, name)(*args, **kw)
    assert repr(m_tl) == repr(m_th)
    sd_th, sd_tl = m_th.state_dict(), m_tl.state_dict()
    assert list(sd_tl) == list(sd_th)
    for k in sd_th:       # kaiming_uniform_(a=sqrt(5)) and the bias bound, from the same stream
        np.testing.assert_array_equal(to_np(sd_tl[k]), to_np(sd_th[k]))
    shape = (2, args[0], 5, 4) if name.endswith('2d') else (2, args[0], 6)
    x = leaf(np.random.default_rng(5).standard_normal(shape).astype(np.float32))
    run_both(lambda: m_th(x[0]), lambda: m_tl(x[1]), [x], 2e-5)
    for p, q in zip(m_th.parameters(), m_tl.parameters()):
        close(q.grad, p.grad, 2e-5)


def test_output_size_argument():
    torch.manual_seed(0)
    torchlet.manual_seed(0)
    m_th, m_tl = torch.nn.ConvTranspose2d(4, 3, 3, stride=2), torchlet.nn.ConvTranspose2d(4, 3, 3, stride=2)
    x = np.random.default_rng(0).standard_normal((1, 4, 8, 8)).astype(np.float32)
    for size in ([18, 18], [17, 18], [1, 3, 18, 17], torch.Size([18, 17])):
        a = m_th(torch.tensor(x), output_size=size)
        b = m_tl(torchlet.tensor(x), output_size=list(size))
        assert tuple(b.shape) == tuple(a.shape)
        close(b, a, 2e-5)
    for size in ([20, 18], [18]):
        with pytest.raises(ValueError) as e_th:
            m_th(torch.tensor(x), output_size=size)
        with pytest.raises(ValueError) as e_tl:
            m_tl(torchlet.tensor(x), output_size=size)
        assert str(e_tl.value) == str(e_th.value)


def test_torch_state_dict_loads():
    torch.manual_seed(1)
    m_th = torch.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1)
    m_tl = torchlet.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1)
    m_tl.load_state_dict({k: torchlet.tensor(v.numpy()) for k, v in m_th.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 7)).astype(np.float32)
    close(m_tl(torchlet.tensor(x)), m_th(torch.tensor(x)), 2e-5)


def same_error(fn):
    with pytest.raises(Exception) as e_th:
        fn(torch)
    with pytest.raises(Exception) as e_tl:
        fn(torchlet)
    assert type(e_tl.value) is type(e_th.value), (e_tl.value, e_th.value)
    assert str(e_tl.value) == str(e_th.value)


@pytest.mark.parametrize('make', [
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 5, 8, 8), lib.randn(4, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(5, 8, 8), lib.randn(4, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(8, 8), lib.randn(4, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 8, 8), lib.randn(4, 3, 3, 3), stride=2,
                                                   output_padding=2),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 8, 8), lib.randn(4, 3, 3, 3), groups=3),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 8, 8), lib.randn(4, 3, 3, 3),
                                                   bias=lib.randn(5)),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 1, 1), lib.randn(4, 3, 3, 3), padding=3),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 8, 8), lib.randn(4, 3, 3, 3), stride=0),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 8, 8), lib.randn(4, 3, 3, 3), padding=-1),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 8, 8), lib.randn(4, 3, 3, 3),
                                                   stride=(1, 2, 3)),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 8, 8), lib.randn(4, 3, 3, 3), dilation=0),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.randn(1, 4, 8, 8).double(), lib.randn(4, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv_transpose1d(lib.randn(1, 5, 8), lib.randn(4, 2, 3)),
    lambda lib: lib.nn.functional.conv_transpose1d(lib.randn(1, 4, 8), lib.randn(4, 2, 3, 3)),
    lambda lib: lib.nn.ConvTranspose2d(4, 3, 3, padding_mode='reflect'),
    lambda lib: lib.nn.ConvTranspose2d(4, 3, 3, groups=3),
    lambda lib: lib.nn.ConvTranspose1d(4, 3, 3, groups=0),
])
def test_errors_match_torch(make):
    same_error(make)


@pytest.mark.parametrize('dt,tol', [(np.float32, 2e-4), (np.float64, 1e-10)])
def test_conv_transpose2d_dcgan_generator_layers(dt, tol):
    """DCGAN's generator: a 1x1 input to 7x7 (one dense GEMM), then stride-2 upsampling."""
    r = np.random.default_rng(11)
    for xs, ws, kw in [((4, 10, 1, 1), (10, 6, 7, 7), {}), ((4, 6, 7, 7), (6, 3, 4, 4), dict(stride=2, padding=1)),
                       ((2, 5, 1), (5, 3, 4), {})]:
        x, w = r.standard_normal(xs).astype(dt), r.standard_normal(ws).astype(dt)
        b = r.standard_normal(ws[1]).astype(dt)
        leaves = [leaf(x), leaf(w), leaf(b)]
        fn = 'conv_transpose2d' if len(xs) == 4 else 'conv_transpose1d'
        _, out = run_both(lambda: getattr(F_th, fn)(*(p for p, _ in leaves), **kw),
                          lambda: getattr(F_tl, fn)(*(q for _, q in leaves), **kw), leaves, tol)
        assert out.grad_fn.name() == 'ConvolutionBackward0'


@pytest.mark.parametrize('kw', [dict(stride=2, padding=1), dict(stride=2, padding=1, output_padding=1),
                                dict(stride=(2, 3), padding=(0, 2), groups=2), dict(stride=3, dilation=2)])
def test_conv_transpose2d_wide_strided_backward(kw):
    """Strided with many output channels per group (K >= 256): backward on plain columns, the
    input's columns remade from x."""
    r = np.random.default_rng(12)
    g = kw.get('groups', 1)
    x, w, b = r.standard_normal((3, 4, 5, 6)), r.standard_normal((4, 64 // g, 4, 4)), r.standard_normal(64)
    leaves = [leaf(x), leaf(w), leaf(b)]
    run_both(lambda: F_th.conv_transpose2d(*(p for p, _ in leaves), **kw),
             lambda: F_tl.conv_transpose2d(*(q for _, q in leaves), **kw), leaves, 1e-10)
