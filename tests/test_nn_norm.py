"""Normalization (batch/instance/layer/group/RMS/local-response norm) against PyTorch: values,
gradients of input and parameters, running statistics, train/eval, double backward, modules
(repr, state_dict, loading torch's state) and errors."""
import warnings

import numpy as np
import pytest

import torchlet
import torchlet.nn as tnn
import torchlet.nn.functional as TF
from conftest import torch, check_op, numeric_gradcheck, assert_same, pair, rng

F = torch.nn.functional


def _tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-10)


def _x(shape, seed=0, dtype=np.float64):
    return (rng(seed).standard_normal(shape) * 2 + 0.5).astype(dtype)


def _stats(c, seed, dtype):
    r = rng(seed)
    return r.standard_normal(c).astype(dtype), r.uniform(0.5, 2.0, c).astype(dtype)


# -- batch_norm -------------------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(8, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 2, 3)])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('training', [True, False])
def test_batch_norm_against_torch(shape, dtype, training):
    x = _x(shape, 1, dtype)
    w, b = _stats(3, 2, dtype)
    rm, rv = _stats(3, 3, dtype)
    (rml, rmh), (rvl, rvh) = pair(rm), pair(rv)
    check_op(lambda t, w, b: TF.batch_norm(t, rml, rvl, w, b, training, 0.3),
             lambda t, w, b: F.batch_norm(t, rmh, rvh, w, b, training, 0.3), x, w, b, **_tol(dtype))
    assert_same(rml, rmh, **_tol(dtype))
    assert_same(rvl, rvh, **_tol(dtype))


@pytest.mark.parametrize('affine', ['none', 'weight', 'both'])
def test_batch_norm_optional_affine_and_stats(affine):
    x = _x((5, 3, 4), 4, np.float32)
    w, b = _stats(3, 5, np.float32)
    args = {'none': (), 'weight': (w,), 'both': (w, b)}[affine]
    check_op(lambda t, *p: TF.batch_norm(t, None, None, *p, training=True),
             lambda t, *p: F.batch_norm(t, None, None, *p, training=True), x, *args)


def test_batch_norm_noncontiguous_input():
    x = _x((6, 3, 8), 6, np.float32)
    check_op(lambda t: TF.batch_norm(t[::2, :, 1::2], None, None, training=True),
             lambda t: F.batch_norm(t[::2, :, 1::2], None, None, training=True), x)
    check_op(lambda t: TF.batch_norm(t.transpose(0, 1), None, None, training=True),
             lambda t: F.batch_norm(t.transpose(0, 1), None, None, training=True), x[:, :, :3].copy())


@pytest.mark.parametrize('training', [True, False])
def test_batch_norm_gradcheck(training):
    x = _x((4, 2, 3), 7)
    rm, rv = _stats(2, 8, np.float64)
    numeric_gradcheck(lambda t, w, b: TF.batch_norm(t, torchlet.tensor(rm), torchlet.tensor(rv), w, b,
                                                    training), x, *_stats(2, 9, np.float64))


def test_batch_norm_no_grad_path_and_momentum_none():
    x = _x((6, 3), 10, np.float32)
    (rml, rmh), (rvl, rvh) = pair(np.zeros(3, np.float32)), pair(np.ones(3, np.float32))
    with torchlet.no_grad():
        ya = TF.batch_norm(torchlet.tensor(x), rml, rvl, training=True, momentum=None)
    yb = F.batch_norm(torch.tensor(x), rmh, rvh, training=True, momentum=0.0)
    assert_same(ya, yb, rtol=1e-5, atol=1e-6)
    assert_same((rml, rvl), (rmh, rvh))


def test_running_stats_bump_version():
    rm = torchlet.zeros(3)
    v = rm._version
    TF.batch_norm(torchlet.randn(4, 3), rm, None, training=True)
    assert rm._version == v + 1


def _same_error(fl, fh, exc):
    with pytest.raises(exc) as th:
        fh()
    with pytest.raises(exc) as tl:
        fl()
    assert str(tl.value) == str(th.value)


def test_batch_norm_errors():
    x = np.ones((4, 3), np.float32)
    a, b = pair(x)
    z3, o3 = np.zeros(3, np.float32), np.ones(3, np.float32)
    cases = [
        ((np.zeros(4, np.float32), o3, None, False), RuntimeError),
        ((z3, o3, np.ones(2, np.float32), False), RuntimeError),
        ((None, None, None, False), RuntimeError),
        ((z3.astype(np.float64), o3.astype(np.float64), None, True), RuntimeError),
    ]
    for (rm, rv, w, training), exc in cases:
        conv = lambda mod, v: None if v is None else mod.tensor(v)  # noqa: E731
        _same_error(lambda: TF.batch_norm(a, conv(torchlet, rm), conv(torchlet, rv), conv(torchlet, w),
                                          training=training),
                    lambda: F.batch_norm(b, conv(torch, rm), conv(torch, rv), conv(torch, w),
                                         training=training), exc)
    _same_error(lambda: TF.batch_norm(a[:1], None, None, training=True),
                lambda: F.batch_norm(b[:1], None, None, training=True), ValueError)
    _same_error(lambda: TF.batch_norm(a, None, None, training=True, eps=0.0),
                lambda: F.batch_norm(b, None, None, training=True, eps=0.0), ValueError)
    ai, bi = pair(np.ones((4, 3), np.int64))
    _same_error(lambda: TF.batch_norm(ai, None, None, training=True),
                lambda: F.batch_norm(bi, None, None, training=True), NotImplementedError)
    _same_error(lambda: TF.batch_norm(a.double(), torchlet.zeros(3), torchlet.ones(3)),
                lambda: F.batch_norm(b.double(), torch.zeros(3), torch.ones(3)), RuntimeError)


# -- layer_norm, group_norm, instance_norm, rms_norm, local_response_norm ---------------------------
@pytest.mark.parametrize('shape,normalized', [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((2, 3, 4), (4,)),
                                              ((6,), (6,))])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_layer_norm_against_torch(shape, normalized, dtype):
    x = _x(shape, 11, dtype)
    r = rng(12)
    w = r.standard_normal(normalized).astype(dtype)
    b = r.standard_normal(normalized).astype(dtype)
    check_op(lambda t, w, b: TF.layer_norm(t, normalized, w, b, 1e-4),
             lambda t, w, b: F.layer_norm(t, normalized, w, b, 1e-4), x, w, b, **_tol(dtype))
    check_op(lambda t: TF.layer_norm(t, normalized), lambda t: F.layer_norm(t, normalized), x,
             **_tol(dtype))


def test_layer_norm_noncontiguous_and_gradcheck():
    x = _x((5, 6), 13, np.float32)
    check_op(lambda t: TF.layer_norm(t.T, (5,)), lambda t: F.layer_norm(t.T, (5,)), x)
    numeric_gradcheck(lambda t, w, b: TF.layer_norm(t, (3,), w, b), _x((2, 3), 14),
                      *rng(15).standard_normal((2, 3)))


@pytest.mark.parametrize('shape,groups', [((2, 6, 5), 3), ((2, 4, 3, 3), 2), ((3, 6), 2), ((2, 6), 1)])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_group_norm_against_torch(shape, groups, dtype):
    x = _x(shape, 16, dtype)
    w, b = rng(17).standard_normal((2, shape[1])).astype(dtype)
    check_op(lambda t, w, b: TF.group_norm(t, groups, w, b),
             lambda t, w, b: F.group_norm(t, groups, w, b), x, w, b, **_tol(dtype))
    check_op(lambda t: TF.group_norm(t, groups), lambda t: F.group_norm(t, groups), x, **_tol(dtype))


def test_group_norm_gradcheck():
    numeric_gradcheck(lambda t, w, b: TF.group_norm(t, 2, w, b), _x((2, 4, 3), 18),
                      *rng(19).standard_normal((2, 4)))


@pytest.mark.parametrize('use_input_stats', [True, False])
def test_instance_norm_against_torch(use_input_stats):
    x = _x((3, 2, 5), 20, np.float32)
    w, b = rng(21).standard_normal((2, 2)).astype(np.float32)
    rm, rv = _stats(2, 22, np.float32)
    (rml, rmh), (rvl, rvh) = pair(rm), pair(rv)
    check_op(lambda t, w, b: TF.instance_norm(t, rml, rvl, w, b, use_input_stats, 0.2),
             lambda t, w, b: F.instance_norm(t, rmh, rvh, w, b, use_input_stats, 0.2), x, w, b,
             rtol=1e-4, atol=1e-5)
    assert_same((rml, rvl), (rmh, rvh))
    numeric_gradcheck(lambda t: TF.instance_norm(t), _x((2, 2, 4), 23))


@pytest.mark.parametrize('eps', [None, 1e-3])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_rms_norm_against_torch(eps, dtype):
    x = _x((3, 4, 5), 24, dtype)
    w = rng(25).standard_normal((4, 5)).astype(dtype)
    check_op(lambda t, w: TF.rms_norm(t, (4, 5), w, eps), lambda t, w: F.rms_norm(t, (4, 5), w, eps),
             x, w, **_tol(dtype))
    check_op(lambda t: TF.rms_norm(t, [5]), lambda t: F.rms_norm(t, [5]), x, **_tol(dtype))
    numeric_gradcheck(lambda t: TF.rms_norm(t, (5,), eps=eps), _x((2, 5), 26))


@pytest.mark.parametrize('shape,size', [((2, 5, 4), 3), ((2, 6, 3, 3), 2), ((1, 4, 2, 2, 2), 5)])
def test_local_response_norm_against_torch(shape, size):
    x = _x(shape, 27, np.float32)
    check_op(lambda t: TF.local_response_norm(t, size, 1e-2, 0.6, 1.5),
             lambda t: F.local_response_norm(t, size, 1e-2, 0.6, 1.5), x)
    numeric_gradcheck(lambda t: TF.local_response_norm(t, size, 0.1),
                      np.ascontiguousarray(_x(shape, 28)[:1, :, :2]))


@pytest.mark.parametrize('fn', ['batch_norm', 'batch_norm_eval', 'layer_norm', 'group_norm',
                                'instance_norm'])
def test_double_backward_matches_torch(fn):
    x = _x((3, 4, 5), 29)
    w = rng(30).standard_normal(4)
    rm, rv = pair(np.full(4, 0.2)), pair(np.full(4, 1.5))
    make = {
        'batch_norm': lambda m, F, i: F.batch_norm(i[0], None, None, i[1], training=True),
        'batch_norm_eval': lambda m, F, i: F.batch_norm(i[0], rm[m], rv[m], i[1], training=False),
        'layer_norm': lambda m, F, i: F.layer_norm(i[0], (5,), i[1][:1].expand(5)),
        'group_norm': lambda m, F, i: F.group_norm(*i[:1], 2, i[1]),
        'instance_norm': lambda m, F, i: F.instance_norm(i[0], weight=i[1]),
    }[fn]
    (xl, xh), (wl, wh) = pair(x, True), pair(w, True)
    g = rng(31).standard_normal((3, 4, 5))
    yl = (make(0, TF, (xl, wl)) * torchlet.tensor(g)).pow(2).sum()
    yh = (make(1, F, (xh, wh)) * torch.tensor(g)).pow(2).sum()
    gl = torchlet.autograd.grad(yl, [xl, wl], create_graph=True)
    gh = torch.autograd.grad(yh, [xh, wh], create_graph=True)
    assert_same(gl, gh, rtol=1e-8, atol=1e-10)
    (gl[0].pow(2).sum() + gl[1].pow(2).sum()).backward()
    (gh[0].pow(2).sum() + gh[1].pow(2).sum()).backward()
    assert_same((xl.grad, wl.grad), (xh.grad, wh.grad), rtol=1e-7, atol=1e-9)


def test_grad_fn_names():
    x = torchlet.randn(2, 4, 3, requires_grad=True)
    assert TF.batch_norm(x, None, None, training=True).grad_fn.name() == 'NativeBatchNormBackward0'
    assert TF.layer_norm(x, (3,)).grad_fn.name() == 'NativeLayerNormBackward0'
    assert TF.group_norm(x, 2).grad_fn.name() == 'NativeGroupNormBackward0'
    assert TF.instance_norm(x).grad_fn.name() == 'ViewBackward0'


def test_saved_input_modified_in_place_raises():
    x = torchlet.randn(4, 3, requires_grad=True)
    h = x * 1
    y = TF.layer_norm(h, (3,))
    h.add_(1)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.sum().backward()


def test_norm_errors():
    a, b = pair(np.ones((2, 3), np.float32))
    a6, b6 = pair(np.ones((2, 6, 4), np.float32))
    cases = [
        (lambda m, F, x, x6: F.layer_norm(x, (4,)), RuntimeError),
        (lambda m, F, x, x6: F.layer_norm(x, (2, 3, 4)), RuntimeError),
        (lambda m, F, x, x6: F.layer_norm(x, (3,), m.ones(4)), RuntimeError),
        (lambda m, F, x, x6: F.layer_norm(x, ()), RuntimeError),
        (lambda m, F, x, x6: F.layer_norm(x.long(), (3,)), NotImplementedError),
        (lambda m, F, x, x6: F.layer_norm(x, (3,), m.ones(3, dtype=m.float64)), RuntimeError),
        (lambda m, F, x, x6: F.layer_norm(x.double(), (3,), None, m.ones(3)), RuntimeError),
        (lambda m, F, x, x6: F.group_norm(x6, 3, None, m.ones(6, dtype=m.float64)), RuntimeError),
        (lambda m, F, x, x6: F.group_norm(x6, 4), RuntimeError),
        (lambda m, F, x, x6: F.group_norm(x6, 3, m.ones(5)), RuntimeError),
        (lambda m, F, x, x6: F.group_norm(x[0], 3), RuntimeError),
        (lambda m, F, x, x6: F.group_norm(x[:1], 3), ValueError),
        (lambda m, F, x, x6: F.instance_norm(x6[:, :, :1]), ValueError),
        (lambda m, F, x, x6: F.rms_norm(x, (4,)), RuntimeError),
        (lambda m, F, x, x6: F.local_response_norm(x, 2), ValueError),
    ]
    for fn, exc in cases:
        _same_error(lambda: fn(torchlet, TF, a, a6), lambda: fn(torch, F, b, b6), exc)


# -- modules ----------------------------------------------------------------------------------------
MODULES = {
    'BatchNorm1d(3)': (4, 3), 'BatchNorm1d(3, momentum=0.5)': (4, 3, 5),
    'BatchNorm2d(3, momentum=None, affine=False)': (2, 3, 4, 4), 'BatchNorm2d(3, bias=False)': (2, 3, 2, 2),
    'BatchNorm3d(3, track_running_stats=False)': (2, 3, 2, 2, 2), 'LayerNorm(5)': (2, 3, 5),
    'LayerNorm((4, 5), bias=False)': (2, 4, 5), 'LayerNorm(5, elementwise_affine=False)': (3, 5),
    'GroupNorm(3, 6)': (2, 6, 3), 'GroupNorm(2, 4, affine=False)': (2, 4, 2, 2),
    'InstanceNorm1d(3)': (2, 3, 5), 'InstanceNorm2d(3, affine=True, track_running_stats=True)': (2, 3, 2, 3),
    'InstanceNorm1d(3, affine=True)': (3, 5), 'InstanceNorm3d(2)': (2, 2, 2, 2, 2),
    'RMSNorm(5)': (2, 5), 'RMSNorm([4, 5], eps=1e-3, elementwise_affine=False)': (3, 4, 5),
    'LocalResponseNorm(2)': (2, 4, 3),
}


@pytest.mark.parametrize('spec', sorted(MODULES))
def test_modules_against_torch(spec):
    ml, mh = eval('tnn.' + spec), eval('torch.nn.' + spec)
    assert repr(ml) == repr(mh)
    sl, sh = ml.state_dict(), mh.state_dict()
    assert list(sl) == list(sh)
    for k in sl:
        assert_same(sl[k], sh[k])
    x = _x(MODULES[spec], 32, np.float32)
    for step in range(3):                     # training steps update the running statistics
        check_op(ml, mh, x + step, rtol=1e-4, atol=1e-5)
        for (kl, pl), (kh, ph) in zip(ml.named_parameters(), mh.named_parameters()):
            assert kl == kh
            assert_same(pl.grad, ph.grad, rtol=1e-4, atol=1e-5)
            pl.grad = None
            ph.grad = None
    for k, v in ml.state_dict().items():
        assert_same(v, mh.state_dict()[k], rtol=1e-5, atol=1e-6)
    ml.eval(), mh.eval()
    check_op(ml, mh, x, rtol=1e-4, atol=1e-5)


def test_batchnorm_loads_torch_state_dict_and_matches_in_eval():
    mh = torch.nn.BatchNorm2d(3)
    mh.train()
    for _ in range(3):
        mh(torch.randn(4, 3, 2, 2) * 3 + 1)
    ml = tnn.BatchNorm2d(3)
    ml.load_state_dict({k: torchlet.tensor(v.numpy()) for k, v in mh.state_dict().items()})
    assert int(ml.num_batches_tracked) == 3 and ml.num_batches_tracked.dtype == torchlet.int64
    mh.eval(), ml.eval()
    check_op(ml, mh, _x((2, 3, 2, 2), 33, np.float32))


def test_batchnorm_old_state_dict_without_num_batches_tracked():
    ml = tnn.BatchNorm1d(2)
    sd = {k: v for k, v in ml.state_dict().items() if k != 'num_batches_tracked'}
    ml.load_state_dict(sd)        # a version-1 checkpoint: no metadata, key filled in


def test_batchnorm_cumulative_average_with_momentum_none():
    ml, mh = tnn.BatchNorm1d(2, momentum=None), torch.nn.BatchNorm1d(2, momentum=None)
    for seed in range(3):
        x = _x((5, 2), 40 + seed, np.float32)
        ml(torchlet.tensor(x)), mh(torch.tensor(x))
    assert_same(ml.running_mean, mh.running_mean)
    assert_same(ml.running_var, mh.running_var)
    assert int(ml.num_batches_tracked) == 3


def test_module_errors():
    cases = [
        (lambda nn, m: nn.BatchNorm1d(3)(m.ones(1, 3)), ValueError),
        (lambda nn, m: nn.BatchNorm1d(3)(m.ones(2, 3, 4, 5)), ValueError),
        (lambda nn, m: nn.BatchNorm2d(3)(m.ones(2, 3, 4)), ValueError),
        (lambda nn, m: nn.BatchNorm2d(3)(m.ones(2, 4, 4, 4)), RuntimeError),
        (lambda nn, m: nn.BatchNorm3d(3)(m.ones(2, 3, 4, 4)), ValueError),
        (lambda nn, m: nn.LayerNorm(3)(m.ones(2, 4)), RuntimeError),
        (lambda nn, m: nn.GroupNorm(4, 6), ValueError),
        (lambda nn, m: nn.InstanceNorm1d(3)(m.ones(2, 3, 4, 5)), ValueError),
        (lambda nn, m: nn.InstanceNorm1d(3, affine=True)(m.ones(2, 4, 5)), ValueError),
    ]
    for fn, exc in cases:
        _same_error(lambda: fn(tnn, torchlet), lambda: fn(torch.nn, torch), exc)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        tnn.InstanceNorm1d(3)(torchlet.ones(2, 4, 5))
    assert "does not match num_features" in str(w[0].message)


def test_batchnorm_eval_one_sample_is_fine():
    ml = tnn.BatchNorm1d(3).eval()
    assert ml(torchlet.randn(1, 3)).shape == (1, 3)


def test_reset_parameters_and_float64_modules():
    ml = tnn.BatchNorm1d(3, dtype=torchlet.float64)
    assert ml.weight.dtype == torchlet.float64 and ml.running_var.dtype == torchlet.float64
    ml(torchlet.randn(4, 3, dtype=torchlet.float64))
    ml.reset_parameters()
    assert np.all(ml.running_mean.numpy() == 0) and int(ml.num_batches_tracked) == 0
    ln = tnn.LayerNorm(4).double()
    assert ln(torchlet.randn(2, 4, dtype=torchlet.float64)).dtype == torchlet.float64
