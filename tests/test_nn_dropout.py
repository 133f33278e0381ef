"""Dropout functions and modules against PyTorch: the same masks for the same seed, scaling,
channel-wise variants, alpha dropout, train/eval, in-place forms, reprs and errors."""
import warnings

import numpy as np
import pytest

import torchlet
import torchlet.nn as tnn
import torchlet.nn.functional as TF
from conftest import torch, check_op, assert_same, pair, rng

F = torch.nn.functional

# function -> input shape it is meant for
FUNCS = {'dropout': (6, 5, 4), 'dropout1d': (6, 5, 4), 'dropout2d': (3, 5, 4, 2),
         'dropout3d': (3, 4, 2, 3, 2), 'alpha_dropout': (6, 5, 4),
         'feature_alpha_dropout': (3, 5, 4, 2)}


def _seeded(seed, fl, fh, x, **kw):
    """check_op of fl vs fh with both generators seeded alike."""
    torchlet.manual_seed(seed)
    torch.manual_seed(seed)
    return check_op(fl, fh, x, rtol=0, atol=0, **kw)


@pytest.mark.parametrize('name', sorted(FUNCS))
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('p', [0.2, 0.5, 0.9])
def test_training_matches_torch_bit_for_bit(name, dtype, p):
    x = rng(1).standard_normal(FUNCS[name]).astype(dtype)
    _seeded(7, lambda t: getattr(TF, name)(t, p, True), lambda t: getattr(F, name)(t, p, True), x)


@pytest.mark.parametrize('name', sorted(FUNCS))
def test_eval_and_p0_return_the_input(name):
    x = torchlet.randn(*FUNCS[name], requires_grad=True)
    assert getattr(TF, name)(x, 0.5, False) is x
    assert getattr(TF, name)(x, 0.0, True) is x


@pytest.mark.parametrize('name', sorted(FUNCS))
def test_p1_gives_zeros_or_alpha_constant(name):
    x = rng(2).standard_normal(FUNCS[name]).astype(np.float32)
    check_op(lambda t: getattr(TF, name)(t, 1.0, True), lambda t: getattr(F, name)(t, 1.0, True), x)


def test_grad_fn_names():
    x = torchlet.randn(4, 3, 2, requires_grad=True)
    assert TF.dropout(x, 0.3).grad_fn.name() == 'MulBackward0'
    assert TF.dropout1d(x, 0.3).grad_fn.name() == 'MulBackward0'
    assert TF.alpha_dropout(x, 0.3, True).grad_fn.name() == 'AddBackward0'


def test_dropout_statistics():
    x = torchlet.ones(200, 100)
    y = TF.dropout(x, 0.3).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    y2 = TF.dropout2d(torchlet.ones(100, 50, 3, 3), 0.4).numpy()
    per_channel = y2.reshape(100, 50, 9)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))      # whole channels
    assert abs((per_channel[..., 0] != 0).mean() - 0.6) < 0.03


def test_alpha_dropout_keeps_mean_and_variance():
    torchlet.manual_seed(0)
    x = torchlet.randn(400, 250)
    y = TF.alpha_dropout(x, 0.2, True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


def test_reproducible_with_manual_seed():
    x = torchlet.randn(50, 20)
    torchlet.manual_seed(5)
    a = TF.dropout(x, 0.5).numpy()
    torchlet.manual_seed(5)
    assert np.array_equal(TF.dropout(x, 0.5).numpy(), a)
    assert not np.array_equal(TF.dropout(x, 0.5).numpy(), a)


@pytest.mark.parametrize('name', ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout'])
def test_inplace(name):
    x = rng(3).standard_normal(FUNCS[name]).astype(np.float32)
    a, b = pair(x, requires_grad=True)
    ya, yb = a * 1, b * 1
    torchlet.manual_seed(1)
    torch.manual_seed(1)
    ra = getattr(TF, name)(ya, 0.4, True, inplace=True)
    rb = getattr(F, name)(yb, 0.4, True, inplace=True)
    assert ra is ya
    assert_same(ya, yb, rtol=0, atol=0)
    w = rng(4).standard_normal(x.shape).astype(np.float32)
    (ra * torchlet.tensor(w)).sum().backward()
    (rb * torch.tensor(w)).sum().backward()
    assert_same(a.grad, b.grad, rtol=0, atol=0)


def test_unbatched_channel_dropout():
    x = rng(5).standard_normal((5, 4)).astype(np.float32)
    _seeded(2, lambda t: TF.dropout1d(t, 0.5), lambda t: F.dropout1d(t, 0.5), x)
    x = rng(6).standard_normal((5, 2, 3, 4)).astype(np.float32)
    _seeded(2, lambda t: TF.dropout3d(t, 0.5), lambda t: F.dropout3d(t, 0.5), x)


def test_dropout2d_warnings_like_torch():
    for shape in [(3, 4, 5), (2, 3)]:
        a, b = pair(np.ones(shape, np.float32))
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter('always')
            TF.dropout2d(a, 0.5)
        with warnings.catch_warnings(record=True) as wh:
            warnings.simplefilter('always')
            F.dropout2d(b, 0.5)
        assert [str(w.message) for w in wl] == [str(w.message) for w in wh]


def _same_error(fl, fh, exc):
    with pytest.raises(exc) as th:
        fh()
    with pytest.raises(exc) as tl:
        fl()
    assert str(tl.value) == str(th.value)


def test_errors():
    a, b = pair(np.ones((2, 3, 4), np.float32))
    for name in FUNCS:
        for p in (-0.1, 1.5):
            _same_error(lambda: getattr(TF, name)(a, p, True), lambda: getattr(F, name)(b, p, True),
                        ValueError)
    _same_error(lambda: TF.dropout1d(a[0, 0], 0.5), lambda: F.dropout1d(b[0, 0], 0.5), RuntimeError)
    _same_error(lambda: TF.feature_alpha_dropout(a[0, 0], 0.5, True),
                lambda: F.feature_alpha_dropout(b[0, 0], 0.5, True), RuntimeError)
    ai, bi = pair(np.ones((2, 3), np.int64))
    _same_error(lambda: TF.dropout(ai, 0.5), lambda: F.dropout(bi, 0.5), RuntimeError)
    for cls in ('Dropout', 'Dropout2d', 'AlphaDropout'):
        _same_error(lambda: getattr(tnn, cls)(1.5), lambda: getattr(torch.nn, cls)(1.5), ValueError)


MODULES = ['Dropout()', 'Dropout(0.2, True)', 'Dropout1d(0.3)', 'Dropout2d(0.2, True)',
           'Dropout3d()', 'AlphaDropout(0.1)', 'FeatureAlphaDropout(0.4)']


@pytest.mark.parametrize('spec', MODULES)
def test_modules_repr_train_eval(spec):
    ml, mh = eval('tnn.' + spec), eval('torch.nn.' + spec)
    assert repr(ml) == repr(mh)
    assert ml.state_dict() == {} and len(mh.state_dict()) == 0
    x = rng(7).standard_normal((4, 3, 2, 3, 2)).astype(np.float32)
    if spec.startswith('Dropout1d'):
        x = x[:, :, :, 0, 0]
    elif spec.startswith(('Dropout2d', 'FeatureAlpha')):
        x = x[:, :, :, :, 0]
    _seeded(3, lambda t: ml(t * 1), lambda t: mh(t * 1), x)
    ml.eval(), mh.eval()
    check_op(lambda t: ml(t * 1), lambda t: mh(t * 1), x)
