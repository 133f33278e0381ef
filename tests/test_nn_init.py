"""nn.init against torch: the same numbers after the same seed (the generators match), statistics of
large tensors against the theoretical values, in-place/no_grad behaviour, generator=, gains and
errors."""
import math
import warnings

import numpy as np
import pytest

import torchlet
import torchlet.nn.init as init
from conftest import torch, assert_same

TI = torch.nn.init


def both(fn, shape, *args, dtype='float32', **kwargs):
    """Run init fn on fresh tensors of both libraries after the same seed; return (ours, torch's)."""
    torchlet.manual_seed(3)
    torch.manual_seed(3)
    a = torchlet.empty(*shape, dtype=getattr(torchlet, dtype))
    b = torch.empty(*shape, dtype=getattr(torch, dtype))
    ra = getattr(init, fn)(a, *args, **kwargs)
    getattr(TI, fn)(b, *args, **kwargs)
    assert ra is a
    return a, b


EXACT = [
    ('uniform_', (30, 40), (-2, 3), {}),
    ('normal_', (30, 40), (1, 2), {}),
    ('normal_', (3, 4), (1, 2), {}),
    ('constant_', (3, 4), (1.5,), {}),
    ('ones_', (3, 4), (), {}),
    ('zeros_', (3, 4), (), {}),
    ('eye_', (3, 5), (), {}),
    ('eye_', (4, 2), (), {}),
    ('dirac_', (4, 2, 3, 3), (), {}),
    ('dirac_', (6, 2, 3), (), dict(groups=2)),
    ('dirac_', (4, 2, 3, 3, 3), (), {}),
    ('xavier_uniform_', (30, 40), (), dict(gain=2.0)),
    ('xavier_normal_', (30, 40, 3, 3), (), {}),
    ('sparse_', (20, 10), (0.3,), {}),
    ('trunc_normal_', (100, 100), (), {}),
    ('trunc_normal_', (100, 100), (1, 2, 0, 3), {}),
    ('trunc_normal_', (100, 100), (0, 1, 2, 3), {}),
    ('trunc_normal_', (50,), (0, 1, -0.1, 0.1), {}),
] + [('kaiming_uniform_', (20, 10, 3), (), dict(a=a, mode=m, nonlinearity=nl))
     for a in (0, math.sqrt(5)) for m in ('fan_in', 'fan_out') for nl in ('relu', 'leaky_relu', 'tanh')] + \
    [('kaiming_normal_', (20, 10, 3), (), dict(a=0.2, mode=m, nonlinearity=nl))
     for m in ('fan_in', 'fan_out') for nl in ('relu', 'leaky_relu', 'selu', 'linear')]


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('fn,shape,args,kwargs', EXACT)
def test_init_reproduces_torch_numbers(fn, shape, args, kwargs, dtype):
    a, b = both(fn, shape, *args, dtype=dtype, **kwargs)
    assert_same(a, b, rtol=0, atol=0)


@pytest.mark.parametrize('shape,gain', [((10, 20), 1), ((20, 10), 2.0), ((6, 2, 3, 3), 0.5)])
def test_orthogonal_matches_torch(shape, gain):
    a, b = both('orthogonal_', shape, gain=gain, dtype='float64')
    assert_same(a, b, rtol=1e-9, atol=1e-12)      # QR from LAPACK on the same normal sample
    flat = a.numpy().reshape(shape[0], -1)
    small = flat @ flat.T if shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(small, gain ** 2 * np.eye(small.shape[0]), atol=1e-9)


def test_generator_argument():
    for fn, kw in (('uniform_', {}), ('normal_', {}), ('xavier_uniform_', {}), ('kaiming_normal_', {}),
                   ('trunc_normal_', {}), ('orthogonal_', {})):
        a, b = torchlet.empty(8, 9), torch.empty(8, 9)
        getattr(init, fn)(a, generator=torchlet.Generator().manual_seed(5), **kw)
        getattr(TI, fn)(b, generator=torch.Generator().manual_seed(5), **kw)
        assert_same(a, b, rtol=1e-6, atol=1e-7)
    torchlet.manual_seed(0)
    before = torchlet.rand(3)
    torchlet.manual_seed(0)
    init.normal_(torchlet.empty(100), generator=torchlet.Generator().manual_seed(1))
    assert np.array_equal(torchlet.rand(3).numpy(), before.numpy())   # the global stream untouched


def test_init_statistics_match_theory():
    """Large tensors: mean/std/bounds within sampling error of the theoretical values."""
    torchlet.manual_seed(0)
    fan_in, fan_out = 400, 300
    w = torchlet.empty(fan_out, fan_in)
    n = w.numel()

    def stats(t):
        v = t.numpy().astype(np.float64)
        return v.mean(), v.std(), v.min(), v.max()

    bound = math.sqrt(6 / (fan_in + fan_out))
    m, s, lo, hi = stats(init.xavier_uniform_(w))
    assert abs(m) < 4 * bound / math.sqrt(3 * n) and abs(s - bound / math.sqrt(3)) < 0.01 * bound
    assert -bound <= lo and hi <= bound and hi > 0.999 * bound
    std = math.sqrt(2 / (fan_in + fan_out))
    m, s, _, _ = stats(init.xavier_normal_(w))
    assert abs(m) < 4 * std / math.sqrt(n) and abs(s / std - 1) < 0.01
    std = math.sqrt(2) / math.sqrt(fan_in)
    m, s, _, _ = stats(init.kaiming_normal_(w, nonlinearity='relu'))
    assert abs(m) < 4 * std / math.sqrt(n) and abs(s / std - 1) < 0.01
    bound = math.sqrt(2) * math.sqrt(3 / fan_out)
    m, s, lo, hi = stats(init.kaiming_uniform_(w, mode='fan_out', nonlinearity='relu'))
    assert -bound <= lo and hi <= bound and abs(s - bound / math.sqrt(3)) < 0.01 * bound
    m, s, lo, hi = stats(init.trunc_normal_(w, mean=1.0, std=2.0, a=-1.0, b=2.0))
    assert -1.0 <= lo and hi <= 2.0
    # the mean of N(1, 4) truncated to [-1, 2]
    alpha, beta = (-1 - 1) / 2, (2 - 1) / 2
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2  # noqa: E731
    expected = 1 + 2 * (pdf(alpha) - pdf(beta)) / (cdf(beta) - cdf(alpha))
    assert abs(m - expected) < 0.02
    m, s, _, _ = stats(init.uniform_(w, -3, 5))
    assert abs(m - 1) < 0.05 and abs(s - 8 / math.sqrt(12)) < 0.02
    sp = init.sparse_(torchlet.empty(50, 40), 0.2).numpy()
    assert ((sp == 0).sum(0) == 10).all()


def test_init_in_place_under_no_grad_on_parameters():
    p = torchlet.nn.Parameter(torchlet.empty(4, 5))
    version = p._version
    for fn, args in (('uniform_', ()), ('normal_', ()), ('constant_', (0.3,)), ('zeros_', ()),
                     ('ones_', ()), ('eye_', ()), ('xavier_uniform_', ()), ('kaiming_normal_', ()),
                     ('orthogonal_', ()), ('trunc_normal_', ()), ('sparse_', (0.5,))):
        out = getattr(init, fn)(p, *args)
        assert out is p and p.requires_grad and p.grad_fn is None, fn
    assert p._version > version
    w = torchlet.nn.Parameter(torchlet.empty(4, 2, 3))
    assert init.dirac_(w) is w and w.grad_fn is None


def test_calculate_gain_and_fans():
    for name in ('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
                 'conv_transpose3d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'):
        assert init.calculate_gain(name) == TI.calculate_gain(name)
    for param in (0.2, 1, 0):
        assert init.calculate_gain('leaky_relu', param) == TI.calculate_gain('leaky_relu', param)
    for shape in ((3, 4), (5, 4, 3), (6, 2, 3, 3)):
        assert init._calculate_fan_in_and_fan_out(torchlet.empty(*shape)) == \
            TI._calculate_fan_in_and_fan_out(torch.empty(*shape))


def raises_like(fn_tl, fn_th, exc=ValueError):
    with pytest.raises(exc) as e_th:
        fn_th()
    with pytest.raises(exc) as e_tl:
        fn_tl()
    assert str(e_tl.value) == str(e_th.value)


@pytest.mark.parametrize('call', [
    lambda I, t: I.calculate_gain('foo'),
    lambda I, t: I.calculate_gain('leaky_relu', 'x'),
    lambda I, t: I.calculate_gain('leaky_relu', True),
    lambda I, t: I.xavier_uniform_(t(5)),
    lambda I, t: I.kaiming_uniform_(t(5, 3), mode='fan_avg'),
    lambda I, t: I.eye_(t(2, 3, 4)),
    lambda I, t: I.dirac_(t(2, 3)),
    lambda I, t: I.dirac_(t(5, 2, 3), groups=2),
    lambda I, t: I.orthogonal_(t(5)),
    lambda I, t: I.sparse_(t(5), 0.1),
])
def test_init_errors_match_torch(call):
    raises_like(lambda: call(init, torchlet.empty), lambda: call(TI, torch.empty))


def test_zero_element_warning_and_deprecated_aliases():
    with pytest.warns(UserWarning, match='zero-element'):
        init.kaiming_uniform_(torchlet.empty(0, 3))
    with pytest.warns(FutureWarning, match='nn.init.normal_'):
        init.normal(torchlet.empty(3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for name in ('uniform', 'constant', 'xavier_normal', 'kaiming_uniform', 'orthogonal'):
            assert callable(getattr(init, name))
