"""Unary elementwise ops against PyTorch: values, dtypes, gradients, in-place and out= forms."""
import math
import warnings

import numpy as np
import pytest

import torchlet
from conftest import torch, check_op, numeric_gradcheck, assert_same, pair, rng

# name -> a function drawing valid inputs of a shape
_ANY = lambda r, s: r.standard_normal(s) * 2                        # noqa: E731
_POS = lambda r, s: r.uniform(0.1, 3.0, s)                           # noqa: E731
_UNIT = lambda r, s: r.uniform(-0.9, 0.9, s)                         # noqa: E731
_ABOVE1 = lambda r, s: r.uniform(1.1, 3.0, s)                        # noqa: E731
_PROB = lambda r, s: r.uniform(0.05, 0.95, s)                        # noqa: E731
_AWAY = lambda r, s: (r.uniform(0.1, 2, s) * r.choice([-1, 1], s) + r.integers(-3, 3, s))  # noqa: E731

SMOOTH = {
    'exp': _ANY, 'exp2': _ANY, 'expm1': _ANY, 'log': _POS, 'log2': _POS, 'log10': _POS,
    'log1p': _POS, 'sqrt': _POS, 'rsqrt': _POS, 'reciprocal': _POS, 'square': _ANY, 'sin': _ANY,
    'cos': _ANY, 'tan': _UNIT, 'asin': _UNIT, 'acos': _UNIT, 'atan': _ANY, 'sinh': _ANY,
    'cosh': _ANY, 'tanh': _ANY, 'asinh': _ANY, 'acosh': _ABOVE1, 'atanh': _UNIT, 'sigmoid': _ANY,
    'erf': _ANY, 'erfc': _ANY, 'erfinv': _UNIT, 'deg2rad': _ANY, 'rad2deg': _ANY, 'logit': _PROB,
    'lgamma': _POS, 'digamma': _POS, 'abs': _AWAY, 'relu': _AWAY, 'frac': _AWAY,
    'arcsin': _UNIT, 'arccos': _UNIT, 'arctan': _ANY, 'arcsinh': _ANY, 'arccosh': _ABOVE1,
    'arctanh': _UNIT, 'absolute': _AWAY, 'nan_to_num': _ANY,
}
PIECEWISE = {'sign': _AWAY, 'sgn': _AWAY, 'floor': _AWAY, 'ceil': _AWAY, 'trunc': _AWAY,
             'fix': _AWAY, 'round': _AWAY}
ALL = {**SMOOTH, **PIECEWISE}
# ops whose in-place form torch lacks
NO_INPLACE = {'positive'}


def _kw(name, dtype):
    """Tolerances, and no gradient comparison for sgn (torch's gradient is a ZeroTensor, which
    cannot be read back as an array)."""
    return dict(_tol(name, dtype), grad=name != 'sgn')


def _tol(name, dtype):
    if dtype == np.float32:
        return dict(rtol=2e-5, atol=2e-5) if name not in ('lgamma', 'digamma', 'erfinv') else \
            dict(rtol=1e-4, atol=1e-4)
    return dict(rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize('name', sorted(ALL))
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_against_torch(name, dtype):
    x = ALL[name](rng(1), (3, 4)).astype(dtype)
    check_op(getattr(torchlet, name), getattr(torch, name), x, **_kw(name, dtype))


@pytest.mark.parametrize('name', sorted(ALL))
def test_method_and_noncontiguous(name):
    x = ALL[name](rng(2), (4, 6)).astype(np.float32)
    check_op(lambda t: getattr(t.T[:, ::2], name)(), lambda t: getattr(t.T[:, ::2], name)(), x,
             **_kw(name, np.float32))


@pytest.mark.parametrize('name', sorted(ALL))
def test_zero_dim(name):
    x = np.asarray(ALL[name](rng(3), ()), dtype=np.float64)
    check_op(getattr(torchlet, name), getattr(torch, name), x, **_kw(name, np.float64))


@pytest.mark.parametrize('name', sorted(ALL))
def test_numeric_gradcheck(name):
    """Piecewise-constant ops (sign, floor, ...) have zero gradients away from their jumps."""
    x = ALL[name](rng(4), (2, 3)) + (0.25 if name in PIECEWISE else 0.0)
    numeric_gradcheck(getattr(torchlet, name), x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('name', sorted(ALL) + ['positive', 'signbit', 'isnan'])
@pytest.mark.parametrize('dtype', [np.int64, np.int32, np.uint8, np.bool_])
def test_integer_inputs(name, dtype):
    """Integer and bool inputs: torch's result dtype (default float or kept), or torch's error."""
    x = np.array([[0, 1, 2], [3, 1, 0]]).astype(dtype)
    a, b = pair(x)
    fl, fh = getattr(torchlet, name), getattr(torch, name)
    try:
        expected = fh(b)
    except Exception as e:
        with pytest.raises(type(e)):
            fl(a)
        return
    assert_same(fl(a), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('name', sorted(set(ALL) - NO_INPLACE))
def test_inplace(name):
    x = ALL[name](rng(5), (3, 4)).astype(np.float32)
    a, b = pair(x)
    view_a, view_b = a[1], b[1]
    ra, rb = getattr(view_a, name + '_')(), getattr(view_b, name + '_')()
    assert ra is view_a
    assert_same(a, b, **_tol(name, np.float32))     # the base saw the change through the view
    assert a._version == 1


@pytest.mark.parametrize('name', ['exp', 'sqrt', 'sin', 'sigmoid', 'floor'])
def test_inplace_on_integer_tensor_fails_like_torch(name):
    a, b = pair(np.array([1, 2, 3]))
    if name == 'floor':
        assert_same(getattr(a, name + '_')(), getattr(b, name + '_')())
        return
    with pytest.raises(RuntimeError) as e_th:
        getattr(b, name + '_')()
    with pytest.raises(RuntimeError) as e_tl:
        getattr(a, name + '_')()
    assert str(e_tl.value) == str(e_th.value)


def test_inplace_autograd_and_leaf_error():
    x = rng(6).standard_normal((3,))
    a, b = pair(x, requires_grad=True)
    for t in (a, b):
        with pytest.raises(RuntimeError, match='leaf Variable that requires grad'):
            t.exp_()
    ya, yb = a * 2, b * 2
    ya.tanh_()
    yb.tanh_()
    assert ya.grad_fn.name() == yb.grad_fn.name() == 'TanhBackward0'
    ya.sum().backward()
    yb.sum().backward()
    assert_same(a.grad, b.grad)


@pytest.mark.parametrize('name', ['exp', 'log', 'abs', 'sigmoid', 'floor', 'sqrt'])
def test_out(name):
    x = _POS(rng(7), (2, 3)).astype(np.float32)
    a, b = pair(x)
    oa, ob = torchlet.empty(2, 3), torch.empty(2, 3)
    ra = getattr(torchlet, name)(a, out=oa)
    rb = getattr(torch, name)(b, out=ob)
    assert ra is oa
    assert_same(oa, ob)
    # float results cannot go into an integer out=
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        getattr(torchlet, name)(a, out=torchlet.zeros(2, 3, dtype=torchlet.int64))


def test_out_resize_and_autograd_errors():
    a = torchlet.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"exp\(\): functions with out=... arguments don't support"):
        torchlet.exp(a, out=torchlet.empty(2))
    with torchlet.no_grad():
        out = torchlet.exp(a, out=torchlet.empty(2))
    assert_same(out, torch.exp(torch.tensor([1.0, 2.0])))
    with pytest.warns(UserWarning, match='An output with one or more elements was resized'):
        out = torchlet.exp(torchlet.tensor([1.0, 2.0, 3.0]), out=torchlet.empty(2))
    assert tuple(out.shape) == (3,)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        out = torchlet.exp(torchlet.tensor([1.0, 2.0, 3.0]), out=torchlet.empty(0))
    assert tuple(out.shape) == (3,)


def test_bad_input_type():
    with pytest.raises(TypeError, match=r"exp\(\): argument 'input' \(position 1\) must be Tensor, "
                                        r"not float"):
        torchlet.exp(2.0)


# -- kinks and special values ------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['relu', 'abs', 'sqrt', 'sign', 'floor', 'round', 'rsqrt', 'log',
                                  'reciprocal', 'frac', 'logit', 'erfinv', 'acosh', 'atanh'])
def test_gradients_at_special_points(name):
    x = np.array([0.0, -0.0, 1.0, -1.0, 2.0, 0.5], dtype=np.float64)
    check_op(getattr(torchlet, name), getattr(torch, name), x)


def test_special_values_match_torch():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -7.5, 1e30], dtype=np.float32)
    for name in sorted(ALL):
        assert_same(getattr(torchlet, name)(torchlet.tensor(x)), getattr(torch, name)(torch.tensor(x)),
                    rtol=1e-5, atol=1e-6)


def test_erf_family_accuracy():
    x = np.concatenate([np.linspace(-8, 8, 2001), [0.0, 1e-300, 27.0, -27.0]])
    t = torchlet.tensor(x)
    ref = np.array([math.erf(v) for v in x])
    refc = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(torchlet.erf(t).numpy(), ref, rtol=1e-14, atol=0)
    np.testing.assert_allclose(torchlet.erfc(t).numpy(), refc, rtol=1e-13, atol=0)
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 2001), 1 - np.logspace(-3, -15, 50)])
    np.testing.assert_allclose(torchlet.erfinv(torchlet.tensor(y)).numpy(),
                               torch.erfinv(torch.tensor(y)).numpy(), rtol=1e-12)
    assert_same(torchlet.erfinv(torchlet.tensor([-1.0, 1.0, 1.5, np.nan])),
                torch.erfinv(torch.tensor([-1.0, 1.0, 1.5, np.nan])))


def test_round_decimals():
    x = np.array([1.2345, -1.2355, 1234.5, 155.0, 0.5, 2.5, -2.5], dtype=np.float32)
    for d in (0, 1, 2, -1, -2):
        check_op(lambda t: torchlet.round(t, decimals=d), lambda t: torch.round(t, decimals=d), x)
    a, b = pair(x)
    assert_same(a.round_(decimals=1), b.round_(decimals=1))
    with pytest.raises(NotImplementedError, match='"round_cpu" not implemented for \'Long\''):
        torchlet.round(torchlet.tensor([1, 2]), decimals=1)
    assert_same(torchlet.round(torchlet.tensor([1, 2])), torch.round(torch.tensor([1, 2])))


def test_nan_to_num_and_logit_arguments():
    x = np.array([np.nan, np.inf, -np.inf, 0.3, 2.0], dtype=np.float32)
    for kw in ({}, dict(nan=2.0), dict(nan=1.0, posinf=5.0, neginf=-5.0)):
        check_op(lambda t: torchlet.nan_to_num(t, **kw), lambda t: torch.nan_to_num(t, **kw), x)
    check_op(lambda t: t.nan_to_num(0.5), lambda t: t.nan_to_num(0.5), x.astype(np.float16),
             grad=False)
    p = np.array([0.0, 0.05, 0.3, 0.97, 1.0], dtype=np.float64)
    check_op(lambda t: torchlet.logit(t, eps=0.1), lambda t: torch.logit(t, eps=0.1), p)
    check_op(lambda t: t.logit(0.01), lambda t: t.logit(0.01), p)
    numeric_gradcheck(lambda t: torchlet.logit(t, eps=0.2), np.array([0.3, 0.5, 0.7]))


@pytest.mark.parametrize('name', ['exp', 'sin', 'tanh', 'sigmoid', 'sqrt', 'erf', 'log', 'atan',
                                  'rsqrt', 'reciprocal', 'square'])
def test_second_derivative(name):
    x = _POS(rng(8), (4,))
    grads = []
    for lib in (torchlet, torch):
        t = lib.tensor(x, requires_grad=True)
        y = getattr(lib, name)(t).sum()
        (g,) = lib.autograd.grad(y, t, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), t)
        grads.append(gg)
    assert_same(grads[0], grads[1], rtol=1e-6, atol=1e-8)


def test_operators_abs_pos_neg_rtruediv():
    x = np.array([[-1.5, 2.0], [0.5, -3.0]], dtype=np.float32)
    check_op(lambda t: abs(t), lambda t: abs(t), x)
    check_op(lambda t: +t, lambda t: +t, x)
    check_op(lambda t: 2 / t, lambda t: 2 / t, x)
    check_op(lambda t: 2 / t, lambda t: 2 / t, np.array([1, 2, 4]))
    with pytest.raises(RuntimeError, match='The `\\+` operator, on a bool tensor is not supported.'):
        +torchlet.tensor([True])


def test_grad_fn_names():
    for name in ['exp', 'square', 'fix', 'arcsin', 'absolute', 'sigmoid', 'relu', 'deg2rad',
                 'erfinv', 'nan_to_num', 'logit', 'frac', 'sgn']:
        ya = getattr(torchlet, name)(torchlet.tensor([0.3], requires_grad=True))
        yb = getattr(torch, name)(torch.tensor([0.3], requires_grad=True))
        assert ya.grad_fn.name() == yb.grad_fn.name()


@pytest.mark.parametrize('name', ['exp', 'log', 'sqrt', 'sin', 'tanh', 'sigmoid', 'relu', 'abs',
                                  'floor', 'erf', 'reciprocal', 'square', 'sign'])
def test_float16(name):
    x = _POS(rng(9), (3, 4)).astype(np.float16)
    check_op(getattr(torchlet, name), getattr(torch, name), x, grad=False, rtol=2e-3, atol=2e-3)
