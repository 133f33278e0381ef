"""Comparisons, logical ops, the isnan family, isclose/allclose/equal, where, signbit and heaviside
against PyTorch."""
import operator

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlet
from conftest import torch, check_op, numeric_gradcheck, assert_same, pair, rng

CMP = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'greater', 'greater_equal', 'less', 'less_equal',
       'not_equal']
OPS = {'==': operator.eq, '!=': operator.ne, '<': operator.lt, '<=': operator.le, '>': operator.gt,
       '>=': operator.ge}


def _ints(shape, seed=0):
    return rng(seed).integers(-2, 3, shape)


@pytest.mark.parametrize('name', CMP)
@pytest.mark.parametrize('dtypes', [('float32', 'float32'), ('int64', 'float32'),
                                    ('int32', 'int64'), ('bool', 'bool'), ('float64', 'int32')])
def test_function_and_method(name, dtypes):
    x = _ints((3, 4), 1).astype(dtypes[0])
    y = _ints((4,), 2).astype(dtypes[1])
    check_op(getattr(torchlet, name), getattr(torch, name), x, y, grad=False)
    check_op(lambda a, b: getattr(a, name)(b), lambda a, b: getattr(a, name)(b), x, y, grad=False)


@pytest.mark.parametrize('sym', sorted(OPS))
@pytest.mark.parametrize('scalar', [0, 1.5, True, -1])
def test_operators_with_scalars_and_reflected(sym, scalar):
    op = OPS[sym]
    for dtype in ('float32', 'int32', 'uint8'):
        x = np.array([[0, 1, 2], [3, 1, 0]]).astype(dtype)
        check_op(lambda a: op(a, scalar), lambda a: op(a, scalar), x, grad=False)
        check_op(lambda a: op(scalar, a), lambda a: op(scalar, a), x, grad=False)


def test_operators_noncontiguous_and_zero_dim():
    x = rng(3).standard_normal((4, 6)).astype(np.float32)
    for op in OPS.values():
        check_op(lambda a: op(a.T[::2], a.T[1::2]), lambda a: op(a.T[::2], a.T[1::2]), x, grad=False)
        check_op(lambda a: op(a, a[0, 0]), lambda a: op(a, a[0, 0]), x, grad=False)


@given(st.lists(st.integers(1, 3), min_size=0, max_size=3),
       st.lists(st.integers(1, 3), min_size=0, max_size=3))
def test_broadcasting(shape_a, shape_b):
    try:
        np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        return
    x = _ints(tuple(shape_a), 4).astype(np.float32)
    y = _ints(tuple(shape_b), 5).astype(np.float32)
    for name in ('lt', 'eq'):
        check_op(getattr(torchlet, name), getattr(torch, name), x, y, grad=False)


def test_comparison_with_other_types():
    a, b = pair(np.array([1.0, 2.0]))
    assert (a == None) is False and (b == None) is False    # noqa: E711
    assert (a == 'x') is False
    assert (a != 'x') is True
    with pytest.raises(TypeError):
        a < 'x'
    with pytest.raises(TypeError, match=r"eq\(\) received an invalid combination of arguments"):
        torchlet.eq(a, 'x')


def test_broadcast_error_message():
    a = torchlet.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor "
                                           r"b \(4\) at non-singleton dimension 1"):
        a < torchlet.ones(2, 4)


@pytest.mark.parametrize('name', ['eq', 'ne', 'lt', 'ge', 'logical_and', 'logical_xor'])
def test_inplace_keeps_dtype(name):
    x = np.array([[0.0, 1.0, 2.0], [3.0, 1.0, 0.0]], dtype=np.float32)
    y = np.array([1.0, 1.0, 0.0], dtype=np.float32)
    a, b = pair(x)
    ya, yb = pair(y)
    ra, rb = getattr(a, name + '_')(ya), getattr(b, name + '_')(yb)
    assert ra is a
    assert_same(ra, rb)
    assert a._version == 1
    ai, bi = pair(np.array([1, 2, 3]))
    assert_same(getattr(ai, name + '_')(pair(np.array([1, 1, 1]))[0]),
                getattr(bi, name + '_')(torch.tensor([1, 1, 1])))


def test_comparison_out():
    a, b = pair(np.array([1.0, 2.0, 3.0]))
    oa, ob = torchlet.empty(3), torch.empty(3)
    torchlet.lt(a, 2.5, out=oa)
    torch.lt(b, 2.5, out=ob)
    assert_same(oa, ob)


def test_comparisons_do_not_require_grad():
    a = torchlet.tensor([1.0, 2.0], requires_grad=True)
    r = a > 1
    assert r.dtype == torchlet.bool and not r.requires_grad and r.grad_fn is None


# -- equal / isclose / allclose ---------------------------------------------------------------------
def test_equal():
    cases = [([1, 2], [1.0, 2.0]), ([1, 2], [[1, 2]]), ([np.nan], [np.nan]), ([1, 2], [1, 3]),
             ([True], [1])]
    for x, y in cases:
        assert torchlet.equal(torchlet.tensor(x), torchlet.tensor(y)) == \
            torch.equal(torch.tensor(x), torch.tensor(y))
    assert torchlet.tensor([1.0]).equal(torchlet.tensor([1.0])) is True


def test_isclose_allclose():
    x = np.array([1.0, np.inf, np.nan, -np.inf, 1.0, 0.0, 1e-9], dtype=np.float32)
    y = np.array([1.00001, np.inf, np.nan, np.inf, 1.1, 1e-9, 0.0], dtype=np.float32)
    for kw in ({}, dict(equal_nan=True), dict(rtol=0.2), dict(atol=0.2, rtol=0)):
        check_op(lambda a, b: torchlet.isclose(a, b, **kw), lambda a, b: torch.isclose(a, b, **kw),
                 x, y, grad=False)
        assert torchlet.allclose(torchlet.tensor(x), torchlet.tensor(y), **kw) == \
            torch.allclose(torch.tensor(x), torch.tensor(y), **kw)
    xi, yi = np.array([1, 2]), np.array([1, 3])
    for kw in ({}, dict(rtol=0.5), dict(atol=1)):
        check_op(lambda a, b: a.isclose(b, **kw), lambda a, b: a.isclose(b, **kw), xi, yi,
                 grad=False)
    a = torchlet.tensor([1.0, 2.0])
    assert torchlet.allclose(a, torchlet.tensor([[1.0, 2.0], [1.0, 2.000001]]))
    assert a.allclose(a + 1e-7)


def test_isclose_errors():
    with pytest.raises(RuntimeError, match='Long did not match Float'):
        torchlet.isclose(torchlet.tensor([1, 2]), torchlet.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match='rtol must be greater than or equal to zero, but got -1'):
        torchlet.isclose(torchlet.tensor([1.0]), torchlet.tensor([1.0]), rtol=-1)
    with pytest.raises(RuntimeError, match='atol must be greater than or equal to zero, but got -1'):
        torchlet.isclose(torchlet.tensor([1.0]), torchlet.tensor([1.0]), atol=-1)
    with pytest.raises(TypeError, match=r"isclose\(\): argument 'other' \(position 2\) must be Tensor"):
        torchlet.isclose(torchlet.tensor([1.0]), 1.0)


# -- predicates -------------------------------------------------------------------------------------
PRED = ['isnan', 'isinf', 'isposinf', 'isneginf', 'isfinite', 'isreal', 'signbit']


@pytest.mark.parametrize('name', PRED)
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64', 'uint8', 'bool', 'complex64'])
def test_predicates(name, dtype):
    if dtype == 'complex64' and name in ('isposinf', 'isneginf', 'signbit'):
        return
    if dtype == 'complex64':
        x = np.array([1 + 1j, 2, np.nan, np.inf], dtype=np.complex64)
    elif dtype.startswith('float'):
        x = np.array([[np.nan, np.inf, -np.inf], [0.0, -0.0, -2.5]], dtype=dtype)
    else:
        x = np.array([[0, 1, 2], [1, 0, 3]]).astype(dtype)
    check_op(getattr(torchlet, name), getattr(torch, name), x, grad=False)
    check_op(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x, grad=False)


# -- logical ----------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['logical_and', 'logical_or', 'logical_xor'])
def test_logical(name):
    x = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 3.0]], dtype=np.float32)
    y = np.array([0, 2, 0])
    check_op(getattr(torchlet, name), getattr(torch, name), x, y, grad=False)
    check_op(lambda a, b: getattr(a, name)(b), lambda a, b: getattr(a, name)(b), x, y, grad=False)
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'other' \(position 2\) must be Tensor"):
        getattr(torchlet, name)(torchlet.tensor([1]), 1)
    oa, ob = torchlet.empty(2, 3), torch.empty(2, 3)
    getattr(torchlet, name)(torchlet.tensor(x), torchlet.tensor(y), out=oa)
    getattr(torch, name)(torch.tensor(x), torch.tensor(y), out=ob)
    assert_same(oa, ob)


def test_logical_not():
    for x in (np.array([0.0, 1.5, np.nan]), np.array([0, 3]), np.array([True, False])):
        check_op(torchlet.logical_not, torch.logical_not, x, grad=False)
        a, b = pair(x)
        assert_same(a.logical_not_(), b.logical_not_())
    oa, ob = torchlet.empty(2), torch.empty(2)
    torchlet.logical_not(torchlet.tensor([1.0, 0.0]), out=oa)
    torch.logical_not(torch.tensor([1.0, 0.0]), out=ob)
    assert_same(oa, ob)


# -- where ------------------------------------------------------------------------------------------
def test_where_values_and_gradients():
    r = rng(6)
    cond = r.random((3, 4)) > 0.5
    x = r.standard_normal((3, 4))
    y = r.standard_normal((4,))
    for dtype in (np.float32, np.float64):
        check_op(torchlet.where, torch.where, cond, x.astype(dtype), y.astype(dtype))
        check_op(lambda c, a, b: a.where(c, b), lambda c, a, b: a.where(c, b), cond,
                 x.astype(dtype), y.astype(dtype))
    check_op(lambda c, a, b: torchlet.where(c.T, a.T, b), lambda c, a, b: torch.where(c.T, a.T, b),
             cond, x, np.float64(2.0) * np.ones((3,)))
    numeric_gradcheck(lambda a, b: torchlet.where(torchlet.tensor(cond), a, b), x, y)


@pytest.mark.parametrize('x,y', [('t32', 0.0), ('ti', 0.5), (1.0, 0), (1, 0), ('ti', True),
                                 (True, False), ('ti', 't64'), ('0d64', 't32'), (1, 't32'),
                                 ('0d64', 2), ('0di32', 2.5)])
def test_where_dtype_rules(x, y):
    vals = {'t32': np.array([1.0, 2.0], np.float32), 'ti': np.array([1, 2]),
            't64': np.array([1.0, 2.0]), '0d64': np.array(1.0), '0di32': np.array(1, np.int32)}
    args = [vals.get(v, v) if isinstance(v, str) else v for v in (x, y)]
    check_op(torchlet.where, torch.where, np.array([True, False]), *args)


def test_where_errors_and_single_argument():
    with pytest.raises(RuntimeError, match='where expected condition to be a boolean tensor, but got '
                                           'a tensor with dtype Float'):
        torchlet.where(torchlet.tensor([1.0, 0.0]), 1.0, 0.0)
    with pytest.raises(RuntimeError, match=r'The size of tensor a \(2\) must match the size of tensor '
                                           r'b \(3\) at non-singleton dimension 0'):
        torchlet.where(torchlet.tensor([True, False]), torchlet.ones(2), torchlet.ones(3))
    c = np.array([[True, False], [False, True]])
    ra, rb = torchlet.where(torchlet.tensor(c)), torch.where(torch.tensor(c))
    assert_same(ra, rb)


def test_where_gradient_only_to_tensors():
    x = torchlet.tensor([1.0, -2.0, 3.0], requires_grad=True)
    xt = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    ra = torchlet.where(x > 0, x, 0.0)
    rb = torch.where(xt > 0, xt, 0.0)
    assert ra.grad_fn.name() == rb.grad_fn.name()
    ra.sum().backward()
    rb.sum().backward()
    assert_same(x.grad, xt.grad)


# -- signbit / heaviside ----------------------------------------------------------------------------
def test_heaviside():
    x = np.array([[-1.0, 0.0, 2.0, np.nan], [0.0, -0.0, 3.0, -4.0]], dtype=np.float32)
    v = np.array([0.5, 7.0, 1.0, 2.0], dtype=np.float32)
    check_op(torchlet.heaviside, torch.heaviside, x, v, grad=False)
    check_op(torchlet.heaviside, torch.heaviside, np.array([-1, 0, 2]), np.array([7]), grad=False)
    a, b = pair(x)
    assert_same(a.heaviside_(torchlet.tensor(v)), b.heaviside_(torch.tensor(v)))
    with pytest.raises(RuntimeError, match='heaviside is not yet implemented for tensors with '
                                           'different dtypes.'):
        torchlet.heaviside(torchlet.tensor([1.0]), torchlet.tensor([1.0], dtype=torchlet.float64))
    with pytest.raises(TypeError, match=r"argument 'values' \(position 2\) must be Tensor"):
        torchlet.heaviside(torchlet.tensor([1.0]), 0.5)


def test_heaviside_has_no_derivative():
    a = torchlet.tensor([1.0, 0.0], requires_grad=True)
    r = torchlet.heaviside(a, torchlet.tensor([0.5]))
    assert r.requires_grad and r.grad_fn.name() == 'torch::autograd::NotImplemented'
    with pytest.raises(RuntimeError, match='derivative for aten::heaviside is not implemented'):
        r.sum().backward()


def test_where_one_argument_matches_nonzero_for_0d_and_nd():
    import torch
    for arr in (np.array(3.0), np.array(0.0), np.array([[3.0, 0.0], [2.0, 5.0]])):
        ours = torchlet.where(torchlet.tensor(arr) > 1)
        theirs = torch.where(torch.tensor(arr) > 1)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert a.tolist() == b.tolist() and str(a.dtype) == str(b.dtype)
