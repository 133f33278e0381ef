"""pad, interpolate, pixel_shuffle/unshuffle and the padding / upsampling modules against PyTorch:
values, gradients, double backward, node names, reprs and errors."""
import warnings

import numpy as np
import pytest

import torchlet
import torchlet.nn as tnn
import torchlet.nn.functional as TF
from conftest import torch, check_op, numeric_gradcheck, assert_same, pair, rng

F = torch.nn.functional


def _x(shape, seed=0, dtype=np.float32):
    return rng(seed).standard_normal(shape).astype(dtype)


def _tol(dtype):
    return dict(rtol=1e-5, atol=2e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)


def _same_error(fl, fh, exc):
    with pytest.raises(exc) as th:
        fh()
    with pytest.raises(exc) as tl:
        fl()
    assert str(tl.value) == str(th.value)


def _double_backward(fl, fh, x):
    """Second derivatives of sum(f(x) ** 2) ** 2 agree with torch (float64)."""
    (a, b) = pair(x.astype(np.float64), True)
    ga, = torchlet.autograd.grad((fl(a) ** 2).sum(), a, create_graph=True)
    gb, = torch.autograd.grad((fh(b) ** 2).sum(), b, create_graph=True)
    assert_same(ga, gb, rtol=1e-10, atol=1e-12)
    (ga ** 2).sum().backward()
    (gb ** 2).sum().backward()
    assert_same(a.grad, b.grad, rtol=1e-10, atol=1e-12)


# -- pad ----------------------------------------------------------------------------------------------
PADS = [((2, 3, 5, 6), (1, 2)), ((2, 3, 5, 6), (1, 2, -1, 3)), ((3, 4), (0, 0, 2, 1)),
        ((2, 3, 4), (1, 1, 1, 1, 1, 1)), ((4,), (-1, 2))]


@pytest.mark.parametrize('shape,pads', PADS)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_constant_pad(shape, pads, dtype):
    x = _x(shape, 1, dtype)
    check_op(lambda t: TF.pad(t, pads), lambda t: F.pad(t, pads), x)
    check_op(lambda t: TF.pad(t, pads, value=-1.5), lambda t: F.pad(t, pads, value=-1.5), x)
    numeric_gradcheck(lambda t: TF.pad(t, pads, value=2.0), x.astype(np.float64))


def test_constant_pad_integers_and_noncontiguous():
    xi = np.arange(12).reshape(3, 4)
    assert_same(TF.pad(torchlet.tensor(xi), (1, 1), value=2.7), F.pad(torch.tensor(xi), (1, 1), value=2.7))
    check_op(lambda t: TF.pad(t.T[::2], (1, 0, 0, 2)), lambda t: F.pad(t.T[::2], (1, 0, 0, 2)),
             _x((3, 4), 2))


MODE_PADS = [((2, 3, 7), (3, 2)), ((3, 7), (1, 0)), ((2, 3, 5, 6), (2, 1, 3, -1)),
             ((3, 5, 6), (1, 1, 2, 2)), ((2, 2, 3, 4, 5), (1, 2, 2, 1, 1, 1)),
             ((2, 3, 4, 4), (-1, 2, 0, 1))]


@pytest.mark.parametrize('mode', ['reflect', 'replicate', 'circular'])
@pytest.mark.parametrize('shape,pads', MODE_PADS)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_pad_modes(mode, shape, pads, dtype):
    x = _x(shape, 3, dtype)
    check_op(lambda t: TF.pad(t, pads, mode=mode), lambda t: F.pad(t, pads, mode=mode), x,
             **_tol(dtype))


@pytest.mark.parametrize('mode', ['constant', 'reflect', 'replicate', 'circular'])
def test_pad_gradcheck_double_backward_and_node_name(mode):
    x = _x((1, 2, 3, 4), 4, np.float64)
    fl = lambda t: TF.pad(t, (2, 1, 1, 2), mode=mode)  # noqa: E731
    fh = lambda t: F.pad(t, (2, 1, 1, 2), mode=mode)  # noqa: E731
    numeric_gradcheck(fl, x)
    _double_backward(fl, fh, x)
    a, b = pair(x, True)
    assert fl(a).grad_fn.name() == fh(b).grad_fn.name()


def test_pad_errors():
    a, b = pair(_x((1, 2, 3, 4), 5))
    cases = [((1,), 'constant'), ((1,) * 10, 'constant'), ((-3, -2), 'constant'), ((1, 1), 'reflect'),
             ((1, 1), 'foo'), ((4, 4, 1, 1), 'reflect'), ((1, 1, 3, 1), 'reflect'),
             ((5, 5, 1, 1), 'circular'), ((1,) * 8, 'replicate')]
    for pads, mode in cases:
        with pytest.raises(Exception) as th:
            F.pad(b, pads, mode=mode)
        with pytest.raises(type(th.value)) as tl:
            TF.pad(a, pads, mode=mode)
        if pads != (-3, -2):        # torch's message there comes from an internal narrow()
            assert str(tl.value) == str(th.value)
    _same_error(lambda: TF.pad(a, (1, 1, 1, 1), mode='reflect', value=2.0),
                lambda: F.pad(b, (1, 1, 1, 1), mode='reflect', value=2.0), RuntimeError)
    _same_error(lambda: TF.pad(a[:, :, :, :0], (1, 1, 1, 1), mode='replicate'),
                lambda: F.pad(b[:, :, :, :0], (1, 1, 1, 1), mode='replicate'), RuntimeError)


# -- interpolate ------------------------------------------------------------------------------------
SIZES = [dict(scale_factor=2), dict(scale_factor=1.7), dict(size=(7, 4)), dict(size=(3, 13)),
         dict(scale_factor=(0.6, 2.3)), dict(size=5)]
MODES = [('nearest', None), ('nearest-exact', None), ('bilinear', False), ('bilinear', True),
         ('bicubic', False), ('bicubic', True), ('area', None)]


@pytest.mark.parametrize('mode,align', MODES)
@pytest.mark.parametrize('kw', SIZES, ids=str)
def test_interpolate_2d(mode, align, kw):
    x = _x((2, 3, 5, 6), 6)
    tol = dict(rtol=1e-5, atol=5e-6)
    check_op(lambda t: TF.interpolate(t, mode=mode, align_corners=align, **kw),
             lambda t: F.interpolate(t, mode=mode, align_corners=align, **kw), x, **tol)
    check_op(lambda t: TF.interpolate(t, mode=mode, align_corners=align, **kw),
             lambda t: F.interpolate(t, mode=mode, align_corners=align, **kw), x.astype(np.float64),
             rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('mode,align', [('nearest', None), ('linear', False), ('linear', True),
                                        ('area', None), ('nearest-exact', None)])
@pytest.mark.parametrize('kw', [dict(scale_factor=2.5), dict(size=4), dict(scale_factor=0.5)], ids=str)
def test_interpolate_1d(mode, align, kw):
    check_op(lambda t: TF.interpolate(t, mode=mode, align_corners=align, **kw),
             lambda t: F.interpolate(t, mode=mode, align_corners=align, **kw), _x((2, 3, 7), 7))


@pytest.mark.parametrize('mode,align', [('nearest', None), ('trilinear', False), ('trilinear', True),
                                        ('area', None)])
def test_interpolate_3d(mode, align):
    check_op(lambda t: TF.interpolate(t, size=(4, 3, 7), mode=mode, align_corners=align),
             lambda t: F.interpolate(t, size=(4, 3, 7), mode=mode, align_corners=align),
             _x((1, 2, 3, 4, 5), 8))


@pytest.mark.parametrize('kw', [dict(scale_factor=3), dict(scale_factor=(1, 2)), dict(size=(2, 9))],
                         ids=str)
def test_nearest_integer_factors_and_downsampling(kw):
    check_op(lambda t: TF.interpolate(t, **kw), lambda t: F.interpolate(t, **kw), _x((2, 2, 4, 5), 16))


def test_results_never_alias_the_input():
    x = torchlet.randn(1, 1, 3, 4)
    for y in (TF.interpolate(x, scale_factor=1), TF.interpolate(x, size=(3, 4), mode='bilinear'),
              TF.pad(x, (0, 0, 0, 0), mode='reflect'), TF.pad(x, (0, 0, -1, 0), mode='replicate'),
              TF.pad(x, (0, 0)), TF.pixel_shuffle(x, 1), TF.pixel_unshuffle(x, 1)):
        assert not np.shares_memory(y.numpy(), x.numpy())


def test_interpolate_recompute_scale_factor():
    x = _x((1, 2, 5, 5), 9)
    for mode, align in [('nearest', None), ('bilinear', False)]:
        check_op(lambda t: TF.interpolate(t, scale_factor=1.3, mode=mode, align_corners=align,
                                          recompute_scale_factor=True),
                 lambda t: F.interpolate(t, scale_factor=1.3, mode=mode, align_corners=align,
                                         recompute_scale_factor=True), x)


@pytest.mark.parametrize('mode,align', [('nearest', None), ('bilinear', True), ('bicubic', False),
                                        ('area', None)])
def test_interpolate_gradcheck_double_backward_and_node_name(mode, align):
    x = _x((1, 2, 3, 4), 10, np.float64)
    fl = lambda t: TF.interpolate(t, size=(5, 3), mode=mode, align_corners=align)  # noqa: E731
    fh = lambda t: F.interpolate(t, size=(5, 3), mode=mode, align_corners=align)  # noqa: E731
    numeric_gradcheck(fl, x)
    _double_backward(fl, fh, x)
    a, b = pair(x, True)
    assert fl(a).grad_fn.name() == fh(b).grad_fn.name()


def test_interpolate_errors():
    a, b = pair(_x((1, 2, 3, 4), 11))
    cases = [dict(scale_factor=2, mode='linear'), dict(scale_factor=2, mode='foo'),
             dict(size=(2, 2), scale_factor=2), dict(), dict(size=(2, 2, 2)),
             dict(scale_factor=(2, 2, 2)), dict(size=2, mode='nearest', align_corners=True),
             dict(size=(0, 3)), dict(scale_factor=0.1), dict(size=(2, 2), recompute_scale_factor=True),
             dict(size=(2.5, 2))]
    for kw in cases:
        with pytest.raises(Exception) as th:
            F.interpolate(b, **kw)
        with pytest.raises(type(th.value)) as tl:
            TF.interpolate(a, **kw)
        assert str(tl.value) == str(th.value)
    _same_error(lambda: TF.interpolate(a[0], scale_factor=2, mode='bilinear'),
                lambda: F.interpolate(b[0], scale_factor=2, mode='bilinear'), NotImplementedError)


def test_deprecated_upsample_functions():
    x = _x((1, 2, 3, 3), 12)
    for name, kw in [('upsample', dict(scale_factor=2, mode='bilinear')),
                     ('upsample_nearest', dict(size=5)), ('upsample_bilinear', dict(scale_factor=2))]:
        a, b = pair(x)
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter('always')
            ya = getattr(TF, name)(a, **kw)
        with warnings.catch_warnings(record=True) as wh:
            warnings.simplefilter('always')
            yb = getattr(F, name)(b, **kw)
        assert_same(ya, yb)
        assert [str(w.message) for w in wl] == [str(w.message) for w in wh]


# -- pixel shuffle -------------------------------------------------------------------------------------
@pytest.mark.parametrize('shape,r', [((2, 8, 3, 4), 2), ((9, 2, 2), 3), ((2, 2, 4, 2, 3), 2)])
def test_pixel_shuffle(shape, r):
    x = _x(shape, 13)
    check_op(lambda t: TF.pixel_shuffle(t, r), lambda t: F.pixel_shuffle(t, r), x)
    y = F.pixel_shuffle(torch.tensor(x), r).numpy()
    check_op(lambda t: TF.pixel_unshuffle(t, r), lambda t: F.pixel_unshuffle(t, r), y)
    fl = lambda t: TF.pixel_shuffle(t, r)  # noqa: E731
    _double_backward(fl, lambda t: F.pixel_shuffle(t, r), x)
    a = torchlet.tensor(x, requires_grad=True)
    assert fl(a).grad_fn.name() == 'PixelShuffleBackward0'
    assert TF.pixel_unshuffle(fl(a), r).grad_fn.name() == 'PixelUnshuffleBackward0'


def test_pixel_shuffle_errors():
    a, b = pair(_x((1, 2, 3, 4), 14))
    _same_error(lambda: TF.pixel_shuffle(a, 2), lambda: F.pixel_shuffle(b, 2), RuntimeError)
    _same_error(lambda: TF.pixel_unshuffle(a, 2), lambda: F.pixel_unshuffle(b, 2), RuntimeError)
    _same_error(lambda: TF.pixel_shuffle(a[0, 0, 0], 2), lambda: F.pixel_shuffle(b[0, 0, 0], 2),
                RuntimeError)


# -- modules --------------------------------------------------------------------------------------
MODULES = {
    'ZeroPad1d(2)': (2, 3, 4), 'ZeroPad2d(1)': (1, 2, 3, 4), 'ZeroPad2d((1, 0, 2, 1))': (2, 3, 3),
    'ZeroPad3d(1)': (1, 1, 2, 2, 2), 'ConstantPad1d(1, 2)': (2, 4),
    'ConstantPad2d((1, 2, 3, 4), 2.5)': (1, 1, 2, 2),
    'ConstantPad3d((1, 0, 0, 1, 1, 0), -1.0)': (1, 2, 2, 2), 'ReflectionPad1d(2)': (2, 3, 4),
    'ReflectionPad2d((1, 2, 0, 1))': (1, 2, 3, 4), 'ReflectionPad3d(1)': (1, 1, 2, 3, 3),
    'ReplicationPad1d((0, 3))': (2, 3), 'ReplicationPad2d(2)': (1, 1, 2, 2),
    'ReplicationPad3d(1)': (1, 2, 2, 2), 'CircularPad1d(1)': (2, 3, 4),
    'CircularPad2d((1, 0, 2, 1))': (1, 2, 3, 3),
    'CircularPad3d(1)': (1, 1, 2, 2, 2),
    'Upsample(scale_factor=2)': (1, 2, 3, 3), "Upsample(size=(3, 4), mode='bilinear')": (1, 2, 2, 2),
    "Upsample(scale_factor=2, mode='bilinear', align_corners=True)": (1, 2, 3, 2),
    "Upsample(scale_factor=(2, 3))": (1, 1, 2, 2), "Upsample(size=5, mode='linear')": (1, 2, 3),
    'UpsamplingNearest2d(scale_factor=2)': (1, 2, 2, 3), 'UpsamplingBilinear2d(size=5)': (1, 1, 3, 3),
    'PixelShuffle(2)': (1, 8, 2, 2), 'PixelUnshuffle(2)': (1, 2, 4, 2),
}


@pytest.mark.parametrize('spec', sorted(MODULES))
def test_modules_against_torch(spec):
    ml, mh = eval('tnn.' + spec), eval('torch.nn.' + spec)
    assert repr(ml) == repr(mh)
    assert ml.state_dict() == {} and len(mh.state_dict()) == 0
    check_op(ml, mh, _x(MODULES[spec], 15))


def test_circular_pad_module_checks_dims():
    _same_error(lambda: tnn.CircularPad2d(1)(torchlet.ones(2, 2)),
                lambda: torch.nn.CircularPad2d(1)(torch.ones(2, 2)), ValueError)


# -- affine_grid / grid_sample -------------------------------------------------------------------
@pytest.mark.parametrize('align', [False, True])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_affine_grid(align, dtype):
    theta = _x((2, 2, 3), 17, dtype)
    check_op(lambda t: TF.affine_grid(t, [2, 3, 4, 5], align), lambda t: F.affine_grid(t, [2, 3, 4, 5], align),
             theta, **_tol(dtype))
    check_op(lambda t: TF.affine_grid(t, [2, 1, 3, 4, 2], align),
             lambda t: F.affine_grid(t, [2, 1, 3, 4, 2], align), _x((2, 3, 4), 18, dtype), **_tol(dtype))


@pytest.mark.parametrize('mode', ['bilinear', 'nearest'])
@pytest.mark.parametrize('padding_mode', ['zeros', 'border', 'reflection'])
@pytest.mark.parametrize('align', [False, True])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_grid_sample(mode, padding_mode, align, dtype):
    x = _x((2, 3, 4, 6), 19, dtype)
    grid = rng(20).uniform(-1.4, 1.4, (2, 5, 3, 2)).astype(dtype)
    check_op(lambda t, g: TF.grid_sample(t, g, mode, padding_mode, align),
             lambda t, g: F.grid_sample(t, g, mode, padding_mode, align), x, grid,
             **(dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else _tol(dtype)))


def test_grid_sample_gradcheck_and_spatial_transformer():
    x, grid = _x((1, 2, 3, 4), 21, np.float64), rng(22).uniform(-1.2, 1.2, (1, 2, 3, 2))
    numeric_gradcheck(lambda t, g: TF.grid_sample(t, g, align_corners=False), x, grid)
    theta = np.array([[[0.9, 0.1, 0.05], [-0.2, 1.1, 0.1]]])
    check_op(lambda t, th: TF.grid_sample(t, TF.affine_grid(th, [1, 2, 3, 4], False), align_corners=False),
             lambda t, th: F.grid_sample(t, F.affine_grid(th, [1, 2, 3, 4], False), align_corners=False),
             x, theta, **_tol(np.float64))
    a, gr = torchlet.tensor(x, requires_grad=True), torchlet.tensor(grid, requires_grad=True)
    g, = torchlet.autograd.grad(TF.grid_sample(a, gr, align_corners=True).sum(), a, create_graph=True)
    assert g.requires_grad          # it depends on the grid
    with pytest.raises(RuntimeError, match='double backward of grid_sample is not supported'):
        (g * g).sum().backward()


def test_grid_sample_and_affine_grid_errors_and_warnings():
    a, b = pair(_x((1, 1, 3, 3), 23))
    ga, gb = pair(_x((1, 2, 2, 2), 24))
    for kw in [dict(mode='foo'), dict(padding_mode='foo')]:
        _same_error(lambda: TF.grid_sample(a, ga, **kw), lambda: F.grid_sample(b, gb, **kw), ValueError)
    _same_error(lambda: TF.grid_sample(a, ga[0], align_corners=False),
                lambda: F.grid_sample(b, gb[0], align_corners=False), RuntimeError)
    _same_error(lambda: TF.grid_sample(a, ga[..., :1], align_corners=False),
                lambda: F.grid_sample(b, gb[..., :1], align_corners=False), RuntimeError)
    _same_error(lambda: TF.grid_sample(a, ga.double(), align_corners=False),
                lambda: F.grid_sample(b, gb.double(), align_corners=False), RuntimeError)
    ta, tb = pair(_x((2, 2, 3), 25))
    _same_error(lambda: TF.affine_grid(ta, [2, 3, 4], False), lambda: F.affine_grid(tb, [2, 3, 4], False),
                NotImplementedError)
    _same_error(lambda: TF.affine_grid(ta, [2, 1, 3, 4, 5], False),
                lambda: F.affine_grid(tb, [2, 1, 3, 4, 5], False), ValueError)
    _same_error(lambda: TF.affine_grid(ta.long(), [2, 1, 3, 4], False),
                lambda: F.affine_grid(tb.long(), [2, 1, 3, 4], False), ValueError)
    for fl, fh in [(lambda: TF.grid_sample(a, ga), lambda: F.grid_sample(b, gb)),
                   (lambda: TF.affine_grid(ta, [2, 1, 3, 3]), lambda: F.affine_grid(tb, [2, 1, 3, 3]))]:
        with pytest.warns(UserWarning) as wl:
            fl()
        with pytest.warns(UserWarning) as wh:
            fh()
        assert [str(w.message) for w in wl] == [str(w.message) for w in wh]
