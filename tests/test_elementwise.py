"""Binary elementwise ops (arithmetic, pow, division and remainders, extrema, clamp, lerp, addcmul,
bitwise, ...) against PyTorch: values, dtype promotion, broadcasting, gradients, in-place and out=."""
import operator
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlet
from conftest import torch, check_op, numeric_gradcheck, assert_same, pair, rng


def _randn(shape, seed=0, dtype=np.float64):
    return np.asarray(rng(seed).standard_normal(shape), dtype=dtype)


def _away(shape, seed=0, dtype=np.float64):
    """Values bounded away from 0 (divisors, log arguments)."""
    r = rng(seed)
    return np.asarray(r.uniform(0.5, 2.0, shape) * r.choice([-1, 1], shape), dtype=dtype)


def _pos(shape, seed=0, dtype=np.float64):
    return np.asarray(rng(seed).uniform(0.3, 2.0, shape), dtype=dtype)


def _raises_like(fn_tl, fn_th):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as e_th:
        fn_th()
    with pytest.raises(type(e_th.value)) as e_tl:
        fn_tl()
    assert str(e_tl.value) == str(e_th.value)


# operands of the differentiable binary ops: name -> (input maker, other maker)
BINARY = {
    'add': (_randn, _randn), 'sub': (_randn, _randn), 'mul': (_randn, _randn),
    'div': (_randn, _away), 'true_divide': (_randn, _away), 'pow': (_pos, _randn),
    'float_power': (_pos, _randn), 'remainder': (_randn, _away), 'fmod': (_randn, _away),
    'maximum': (_randn, _randn), 'minimum': (_randn, _randn), 'fmax': (_randn, _randn),
    'fmin': (_randn, _randn), 'atan2': (_randn, _away), 'arctan2': (_randn, _away),
    'hypot': (_randn, _randn), 'copysign': (_away, _away), 'xlogy': (_randn, _pos),
    'subtract': (_randn, _randn), 'multiply': (_randn, _randn), 'divide': (_randn, _away),
    'clamp_min': (_randn, _randn), 'clamp_max': (_randn, _randn),
}
NONDIFF = {'floor_divide': (_randn, _away)}


@pytest.mark.parametrize('name', sorted(BINARY))
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_binary_against_torch(name, dtype):
    mk_a, mk_b = BINARY[name]
    a, b = mk_a((3, 4), 1, dtype), mk_b((3, 4), 2, dtype)
    tol = dict(rtol=2e-5, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-10)
    check_op(getattr(torchlet, name), getattr(torch, name), a, b, **tol)
    check_op(lambda x, y: getattr(x, name)(y), lambda x, y: getattr(x, name)(y), a, b, **tol)


@pytest.mark.parametrize('name', sorted(BINARY))
def test_binary_noncontiguous(name):
    mk_a, mk_b = BINARY[name]
    a, b = mk_a((4, 6), 3), mk_b((4, 6), 4)
    check_op(lambda x, y: getattr(torchlet, name)(x.T[:, ::2], y.T[:, 1::2]),
             lambda x, y: getattr(torch, name)(x.T[:, ::2], y.T[:, 1::2]), a, b)


@pytest.mark.parametrize('name', sorted(BINARY))
def test_binary_numeric_gradcheck(name):
    mk_a, mk_b = BINARY[name]
    numeric_gradcheck(getattr(torchlet, name), mk_a((2, 3), 5), mk_b((3,), 6))


_shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3)


@given(_shapes, _shapes)
def test_binary_broadcasting(shape_a, shape_b):
    try:
        np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        return
    for name in ('add', 'sub', 'mul', 'div', 'maximum', 'fmin', 'pow', 'atan2', 'remainder',
                 'hypot', 'xlogy', 'copysign'):
        mk_a, mk_b = BINARY[name]
        check_op(getattr(torchlet, name), getattr(torch, name), mk_a(tuple(shape_a), 7),
                 mk_b(tuple(shape_b), 8))


@given(_shapes, _shapes, _shapes)
def test_three_operand_broadcasting(shape_a, shape_b, shape_c):
    try:
        np.broadcast_shapes(shape_a, shape_b, shape_c)
    except ValueError:
        return
    a, b, c = _randn(tuple(shape_a), 1), _randn(tuple(shape_b), 2), _away(tuple(shape_c), 3)
    w = np.asarray(rng(4).uniform(0, 1, tuple(shape_c)))
    check_op(torchlet.lerp, torch.lerp, a, b, w)
    check_op(torchlet.addcmul, torch.addcmul, a, b, c)
    check_op(torchlet.addcdiv, torch.addcdiv, a, b, c)
    full = _randn(np.broadcast_shapes(shape_a, shape_b, shape_c), 6)   # torch's clamp backward
    check_op(torchlet.clamp, torch.clamp, full, np.asarray(b - 1), np.asarray(c + 1))  # needs it
    check_op(torchlet.where, torch.where, np.asarray(rng(5).random(tuple(shape_c)) > 0.5), a, b)


def test_broadcast_failure_message():
    a, b = torchlet.ones(2, 3), torchlet.ones(2, 4)
    msg = (r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton "
           r"dimension 1")
    for fn in (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
               operator.mod, operator.floordiv, torchlet.maximum, torchlet.atan2, torchlet.hypot,
               torchlet.fmod, torchlet.copysign, torchlet.xlogy, torchlet.fmax):
        with pytest.raises(RuntimeError, match=msg):
            fn(a, b)
    with pytest.raises(RuntimeError, match=msg):
        torchlet.ones(2, 3, dtype=torchlet.int64) & torchlet.ones(2, 4, dtype=torchlet.int64)


# -- dtype promotion --------------------------------------------------------------------------------
_OPERANDS = {
    'i64': lambda: np.array([3, 2, 1]), 'i32': lambda: np.array([3, 2, 1], np.int32),
    'u8': lambda: np.array([3, 2, 1], np.uint8), 'i8': lambda: np.array([3, 2, 1], np.int8),
    'b': lambda: np.array([True, False, True]), 'f32': lambda: np.array([3.0, 2.0, 1.0], np.float32),
    'f64': lambda: np.array([3.0, 2.0, 1.0]), 'f16': lambda: np.array([3.0, 2.0, 1.0], np.float16),
    '0d64': lambda: np.array(2.0), '0di32': lambda: np.array(2, np.int32),
    'py2': lambda: 2, 'py2.5': lambda: 2.5, 'pyTrue': lambda: True,
}
_COMBOS = [('i64', 'i64'), ('i32', 'i64'), ('b', 'b'), ('i64', 'f32'), ('i32', 'py2.5'),
           ('f32', 'py2'), ('i32', 'py2'), ('b', 'py2'), ('b', 'pyTrue'), ('f32', '0d64'),
           ('i32', '0d64'), ('u8', 'i8'), ('f16', 'f32'), ('0di32', 'f32'), ('f32', 'f64'),
           ('b', 'f32'), ('i32', '0di32')]
PROMOTING = ['add', 'sub', 'mul', 'div', 'floor_divide', 'remainder', 'fmod', 'pow',
             'float_power', 'maximum', 'minimum', 'fmax', 'fmin', 'atan2', 'hypot', 'copysign',
             'xlogy', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_left_shift',
             'bitwise_right_shift', 'clamp_min', 'clamp_max']


@pytest.mark.parametrize('name', PROMOTING)
@pytest.mark.parametrize('combo', _COMBOS, ids='-'.join)
def test_dtype_promotion(name, combo):
    """Result dtype and values like torch, or torch's exception type for unsupported combinations."""
    x, y = (_OPERANDS[c]() for c in combo)
    tl_args = [torchlet.tensor(v) if isinstance(v, np.ndarray) else v for v in (x, y)]
    th_args = [torch.tensor(v) if isinstance(v, np.ndarray) else v for v in (x, y)]
    try:
        expected = getattr(torch, name)(*th_args)
    except Exception as e:
        with pytest.raises(type(e)):
            getattr(torchlet, name)(*tl_args)
        return
    assert_same(getattr(torchlet, name)(*tl_args), expected, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize('sym', ['+', '-', '*', '/', '//', '%', '**', '&', '|', '^', '<<', '>>'])
@pytest.mark.parametrize('scalar', [2, 2.5, True, -3])
@pytest.mark.parametrize('dtype', ['float32', 'int32', 'int64', 'bool', 'uint8'])
def test_operators_with_python_scalars(sym, scalar, dtype):
    """tensor <op> number and number <op> tensor (reflected): values, dtypes, or torch's error."""
    x = np.array([[1, 2, 3], [4, 5, 7]]).astype(dtype)
    for fn in (lambda a: eval(f'a {sym} scalar'), lambda a: eval(f'scalar {sym} a')):
        a, b = pair(x)
        try:
            expected = fn(b)
        except Exception as e:
            with pytest.raises(type(e)):
                fn(a)
            continue
        assert_same(fn(a), expected, rtol=1e-5, atol=1e-5)


def test_int_overflowing_scalar_wraps_like_torch():
    for dtype in ('int8', 'uint8', 'int32'):
        check_op(lambda a: a + 1000, lambda a: a + 1000, np.array([100, 3]).astype(dtype))
        check_op(lambda a: a - (-1), lambda a: a - (-1), np.array([100, 3]).astype(dtype))


def test_operands_of_other_types():
    a = torchlet.tensor([1.0, 2.0])
    assert_same(a + np.array([1.0, 2.0]), torch.tensor([2.0, 4.0], dtype=torch.float64))
    for bad in ([1, 2], None, 'a'):
        with pytest.raises(TypeError):
            a + bad
        with pytest.raises(TypeError):
            bad * a
    with pytest.raises(TypeError, match=r"add\(\): argument 'other' \(position 2\) must be Tensor, "
                                        r"not str"):
        torchlet.add(a, 'a')
    with pytest.raises(TypeError, match=r"maximum\(\): argument 'other' \(position 2\) must be Tensor, "
                                        r"not float"):
        torchlet.maximum(a, 1.0)


# -- add / sub / mul / div details -------------------------------------------------------------------
@pytest.mark.parametrize('alpha', [2, -0.5, 1])
def test_add_sub_alpha(alpha):
    a, b = _randn((3, 4), 1), _randn((4,), 2)
    for name in ('add', 'sub', 'rsub'):
        check_op(lambda x, y: getattr(torchlet, name)(x, y, alpha=alpha),
                 lambda x, y: getattr(torch, name)(x, y, alpha=alpha), a, b)
        check_op(lambda x: getattr(torchlet, name)(x, 3.0, alpha=alpha),
                 lambda x: getattr(torch, name)(x, 3.0, alpha=alpha), a)
    numeric_gradcheck(lambda x, y: torchlet.sub(x, y, alpha=alpha), a, b)
    numeric_gradcheck(lambda x, y: torchlet.add(x, y, alpha=alpha), a, b)
    if isinstance(alpha, int):
        check_op(lambda x, y: x.add(y, alpha=alpha), lambda x, y: x.add(y, alpha=alpha),
                 np.array([1, 2]), np.array([3, 4]))


def test_alpha_errors_and_bool_subtraction():
    i = (np.array([1, 2]), np.array([1, 2]))
    _raises_like(lambda: torchlet.add(*map(torchlet.tensor, i), alpha=1.5),
                 lambda: torch.add(*map(torch.tensor, i), alpha=1.5))
    _raises_like(lambda: torchlet.add(torchlet.ones(3), 1, alpha=True),
                 lambda: torch.add(torch.ones(3), 1, alpha=True))
    assert_same(torchlet.add(torchlet.tensor([True, False]), torchlet.tensor([True, True]), alpha=2),
                torch.add(torch.tensor([True, False]), torch.tensor([True, True]), alpha=2))
    bt, it = np.array([True, False]), np.array([1, 2])
    for x, y in ((bt, bt), (bt, it), (it, bt)):
        _raises_like(lambda: torchlet.tensor(x) - torchlet.tensor(y),
                     lambda: torch.tensor(x) - torch.tensor(y))
    _raises_like(lambda: torchlet.tensor([1.0]) - True, lambda: torch.tensor([1.0]) - True)
    _raises_like(lambda: True - torchlet.tensor([1.0]), lambda: True - torch.tensor([1.0]))
    _raises_like(lambda: -torchlet.tensor([True]), lambda: -torch.tensor([True]))


def test_grad_fn_names():
    pairs = ['x + 1', '1 + x', 'x - 1', '1 - x', 'x * 2', 'x / 2', 'x ** 2', '2 ** x', 'x ** y',
             'x % 2', 'x % y', '-x', 'x.add(y, alpha=2)', 'x.sub(y, alpha=2)',
             'x.div(2, rounding_mode="floor")', 'x.clamp(0, 1)', 'x.clamp(min=0)', 'x.clamp(y)',
             'x.clamp_min(0)', 'x.clamp_max(y)', 'x.maximum(y)', 'x.lerp(y, 0.5)', 'x.lerp(y, y)',
             'torch.addcmul(x, x, y)', 'torch.addcdiv(x, x, y)', 'x.float_power(2)',
             'torch.copysign(x, y)', 'torch.copysign(x, 1.)', 'torch.xlogy(x, y)',
             'torch.xlogy(x, 2.)', 'torch.xlogy(2., x)', 'torch.fmod(x, y)', 'torch.fmod(x, 2)',
             'torch.atan2(x, y)', 'torch.hypot(x, y)', 'torch.fmax(x, y)', 'x // y', '2 % x',
             'torch.rsub(x, 1)', 'torch.pow(2, x)']
    for expr in pairs:
        names = []
        for lib in (torchlet, torch):
            x = lib.tensor([1.5, -2.5], requires_grad=True)
            y = lib.tensor([2.0, 3.0], requires_grad=True)
            names.append(eval(expr, {'torch': lib, 'x': x, 'y': y}).grad_fn.name())
        assert names[0] == names[1], expr


def test_rtruediv_uses_reciprocal():
    check_op(lambda x: 3 / x, lambda x: 3 / x, _away((3,), 1, np.float32))
    check_op(lambda x: 3 / x, lambda x: 3 / x, np.array([1, 2, 4]))


# -- in-place and operators with assignment ----------------------------------------------------------
INPLACE = {'add_': (_randn, _randn), 'sub_': (_randn, _randn), 'mul_': (_randn, _randn),
           'div_': (_randn, _away), 'pow_': (_pos, _randn), 'remainder_': (_randn, _away),
           'fmod_': (_randn, _away), 'atan2_': (_randn, _away), 'hypot_': (_randn, _randn),
           'copysign_': (_away, _away), 'xlogy_': (_randn, _pos), 'clamp_min_': (_randn, _randn),
           'clamp_max_': (_randn, _randn), 'floor_divide_': (_randn, _away),
           'true_divide_': (_randn, _away), 'subtract_': (_randn, _randn),
           'multiply_': (_randn, _randn), 'arctan2_': (_randn, _away)}


@pytest.mark.parametrize('name', sorted(INPLACE))
def test_inplace_methods(name):
    mk_a, mk_b = INPLACE[name]
    x, y = mk_a((3, 4), 1, np.float32), mk_b((4,), 2, np.float32)
    a, b = pair(x)
    ya, yb = pair(y)
    view_a, view_b = a[1:], b[1:]
    ra = getattr(view_a, name)(ya)
    getattr(view_b, name)(yb)
    assert ra is view_a
    assert_same(a, b, rtol=1e-5, atol=1e-5)
    assert a._version == 1
    if name not in ('atan2_', 'arctan2_', 'hypot_'):      # these take only tensors
        a, b = pair(x)
        assert_same(getattr(a, name)(1.5), getattr(b, name)(1.5), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('sym', ['+=', '-=', '*=', '/=', '//=', '%=', '**='])
def test_augmented_assignment(sym):
    x = _pos((2, 3), 3, np.float32)
    for other in (_pos((3,), 4, np.float32), 2.0, 3):
        a, b = pair(x)
        oa = torchlet.tensor(other) if isinstance(other, np.ndarray) else other
        ob = torch.tensor(other) if isinstance(other, np.ndarray) else other
        ida = id(a)
        env_a, env_b = {'a': a, 'o': oa}, {'a': b, 'o': ob}
        exec(f'a {sym} o', env_a)
        exec(f'a {sym} o', env_b)
        assert id(env_a['a']) == ida
        assert_same(env_a['a'], env_b['a'])


def test_inplace_errors():
    ints = np.array([1, 2, 3])
    for op in ('add_', 'mul_', 'div_', 'pow_', 'sub_'):
        _raises_like(lambda: getattr(torchlet.tensor(ints), op)(1.5),
                     lambda: getattr(torch.tensor(ints), op)(1.5))
    _raises_like(lambda: torchlet.ones(3).add_(torchlet.ones(2, 3)),
                 lambda: torch.ones(3).add_(torch.ones(2, 3)))
    _raises_like(lambda: torchlet.ones(3).clamp_(torchlet.ones(2, 3)),
                 lambda: torch.ones(3).clamp_(torch.ones(2, 3)))
    _raises_like(lambda: torchlet.ones(3).addcmul_(torchlet.ones(2, 1), torchlet.ones(3)),
                 lambda: torch.ones(3).addcmul_(torch.ones(2, 1), torch.ones(3)))
    leaf = torchlet.ones(3, requires_grad=True)
    for op in ('add_', 'mul_', 'pow_', 'clamp_min_'):
        with pytest.raises(RuntimeError, match='a leaf Variable that requires grad is being used in '
                                               'an in-place operation.'):
            getattr(leaf, op)(2.0)
    with pytest.raises(RuntimeError, match='a leaf Variable that requires grad'):
        leaf += 1
    with pytest.raises(RuntimeError, match='unsupported operation'):
        torchlet.ones(3).expand(2, 3).add_(1)


def test_inplace_in_graph_and_version_check():
    x = _randn((3,), 1)
    a, b = pair(x, requires_grad=True)
    outs = []
    for t in (a, b):
        y = t * 2
        y.mul_(t)
        y.add_(t, alpha=3)
        y.pow_(2)
        y.clamp_(min=1.0)
        outs.append(y)
    assert outs[0].grad_fn.name() == outs[1].grad_fn.name()
    outs[0].sum().backward()
    outs[1].sum().backward()
    assert_same(a.grad, b.grad)
    t = torchlet.tensor(x, requires_grad=True)
    y = t.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.sum().backward()
    t = torchlet.tensor(x, requires_grad=True)
    y = t * 1
    z = y * y
    y += 1
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        z.sum().backward()


def test_inplace_no_grad_on_parameters():
    x = _randn((4,), 1, np.float32)
    a = torchlet.tensor(x, requires_grad=True)
    with torchlet.no_grad():
        a.add_(torchlet.ones(4), alpha=-0.5)
        a.mul_(2)
        a -= 1
        a.addcdiv_(torchlet.ones(4), torchlet.full((4,), 2.0), value=-1)
    b = torch.tensor(x, requires_grad=True)
    with torch.no_grad():
        b.add_(torch.ones(4), alpha=-0.5)
        b.mul_(2)
        b -= 1
        b.addcdiv_(torch.ones(4), torch.full((4,), 2.0), value=-1)
    assert_same(a.detach(), b.detach())
    assert a.is_leaf and a.requires_grad


# -- out= --------------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'atan2', 'remainder',
                                  'floor_divide', 'fmod', 'hypot', 'xlogy', 'copysign'])
def test_out(name):
    a, b = _pos((2, 3), 1, np.float32), _pos((3,), 2, np.float32)
    oa, ob = torchlet.empty(2, 3), torch.empty(2, 3)
    ra = getattr(torchlet, name)(torchlet.tensor(a), torchlet.tensor(b), out=oa)
    getattr(torch, name)(torch.tensor(a), torch.tensor(b), out=ob)
    assert ra is oa
    assert_same(oa, ob)
    oa, ob = torchlet.empty(2, 3, dtype=torchlet.float64), torch.empty(2, 3, dtype=torch.float64)
    getattr(torchlet, name)(torchlet.tensor(a), torchlet.tensor(b), out=oa)
    getattr(torch, name)(torch.tensor(a), torch.tensor(b), out=ob)
    assert_same(oa, ob)
    _raises_like(lambda: getattr(torchlet, name)(torchlet.tensor(a), torchlet.tensor(b),
                                                 out=torchlet.empty(2, 3, dtype=torchlet.int64)),
                 lambda: getattr(torch, name)(torch.tensor(a), torch.tensor(b),
                                              out=torch.empty(2, 3, dtype=torch.int64)))
    g = torchlet.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"{name}\(\): functions with out=\.\.\. arguments don't "
                                           "support automatic differentiation"):
        getattr(torchlet, name)(g, torchlet.tensor(b), out=torchlet.empty(2, 3))


def test_out_resizes_with_warning():
    with pytest.warns(UserWarning, match='An output with one or more elements was resized'):
        out = torchlet.add(torchlet.ones(3), 1, out=torchlet.empty(2))
    assert_same(out, torch.full((3,), 2.0))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        out = torchlet.mul(torchlet.ones(2, 2), 3, out=torchlet.empty(0))
    assert tuple(out.shape) == (2, 2)


# -- pow ---------------------------------------------------------------------------------------------
def test_pow_forms():
    x = _pos((3, 4), 1)
    for e in (2, 3, 0.5, -0.5, -1, -2, -2.5, 0, 1, 2.0):
        check_op(lambda t: t ** e, lambda t: t ** e, x)
        check_op(lambda t: torchlet.pow(t, e), lambda t: torch.pow(t, e), x)
    for base in (2, 2.5, 0.5):
        check_op(lambda t: base ** t, lambda t: base ** t, _randn((3,), 2))
        check_op(lambda t: torchlet.pow(base, t), lambda t: torch.pow(base, t), _randn((3,), 2))
    numeric_gradcheck(lambda t: 2.5 ** t, _randn((4,), 3))
    numeric_gradcheck(lambda t: t ** 3, _randn((4,), 3))
    numeric_gradcheck(lambda t, e: t ** e, _pos((2, 3), 4), _randn((3,), 5))


def test_pow_gradients_at_zero():
    """torch's conventions: d/dx x**0 = 0 (even at x = 0), d/de 0**e = 0 for e >= 0, -inf for e < 0."""
    x = np.array([0.0, 0.0, 0.0, 2.0, 0.0, -1.0])
    e = np.array([0.0, 1.0, -1.0, 0.0, 0.5, 2.0])
    check_op(torchlet.pow, torch.pow, x, e)
    for s in (0, 0.0, 2, 0.5, -1.0):
        check_op(lambda t: t ** s, lambda t: t ** s, x)
    for base in (0.0, 0, 2.0, -2.0):
        check_op(lambda t: base ** t, lambda t: base ** t, e)


def test_pow_integers():
    i = np.array([[2, -3, 1], [0, -1, 5]])
    for e in (0, 1, 2, 3):
        check_op(lambda t: t ** e, lambda t: t ** e, i)
    check_op(torchlet.pow, torch.pow, i, np.array([[-1, 2, -2], [3, -3, 0]]))
    check_op(lambda t: 2 ** t, lambda t: 2 ** t, np.array([-1, 0, 3]))
    _raises_like(lambda: torchlet.tensor([2, 3]) ** -1, lambda: torch.tensor([2, 3]) ** -1)
    check_op(lambda t: t ** True, lambda t: t ** True, np.array([True, False]))
    check_op(lambda t: t ** 2, lambda t: t ** 2, np.array([True, False]))
    _raises_like(lambda: torchlet.tensor([True]) ** torchlet.tensor([True]),
                 lambda: torch.tensor([True]) ** torch.tensor([True]))


def test_float_power():
    x = _pos((3,), 1, np.float32)
    check_op(torchlet.float_power, torch.float_power, x, _randn((3,), 2, np.float32))
    check_op(lambda t: torchlet.float_power(t, 2), lambda t: torch.float_power(t, 2), x)
    check_op(lambda t: torchlet.float_power(2, t), lambda t: torch.float_power(2, t), x)
    check_op(lambda t: torchlet.float_power(t, 2), lambda t: torch.float_power(t, 2),
             np.array([2, 3]))
    _raises_like(lambda: torchlet.tensor([2.0]).float_power_(2),
                 lambda: torch.tensor([2.0]).float_power_(2))
    a, b = pair(np.array([2.0, 3.0]))
    assert_same(a.float_power_(2), b.float_power_(2))


# -- floor division, remainders, rounding division ---------------------------------------------------
_SIGNS = (np.array([5, -5, 5, -5, 0, 7]), np.array([3, 3, -3, -3, 2, -7]))


@pytest.mark.parametrize('dtype', ['int64', 'int32', 'float32', 'float64'])
def test_division_family_sign_conventions(dtype):
    a, b = (v.astype(dtype) for v in _SIGNS)
    for fl, fh in ((torchlet.floor_divide, torch.floor_divide), (torchlet.remainder, torch.remainder),
                   (torchlet.fmod, torch.fmod), (operator.floordiv, operator.floordiv),
                   (operator.mod, operator.mod)):
        check_op(fl, fh, a, b, grad=False)
    for mode in ('trunc', 'floor'):
        check_op(lambda x, y: torchlet.div(x, y, rounding_mode=mode),
                 lambda x, y: torch.div(x, y, rounding_mode=mode), a, b, grad=False)
        check_op(lambda x: x.div(2, rounding_mode=mode), lambda x: x.div(2, rounding_mode=mode), a,
                 grad=False)


def test_division_by_zero():
    f = np.array([5.0, -5.0, 0.0, -0.0], dtype=np.float32)
    z = np.zeros(4, np.float32)
    for fl, fh in ((torchlet.floor_divide, torch.floor_divide), (torchlet.remainder, torch.remainder),
                   (torchlet.fmod, torch.fmod), (torchlet.div, torch.div)):
        check_op(fl, fh, f, z, grad=False)
    for mode in ('trunc', 'floor'):
        check_op(lambda x: torchlet.div(x, 0.0, rounding_mode=mode),
                 lambda x: torch.div(x, 0.0, rounding_mode=mode), f, grad=False)
    i = np.array([1, 0, -1])
    check_op(lambda x: x / 0, lambda x: x / 0, i, grad=False)
    for fn in (lambda lib, t: t // 0, lambda lib, t: t % 0, lambda lib, t: lib.fmod(t, 0),
               lambda lib, t: lib.div(t, 0, rounding_mode='trunc')):
        _raises_like(lambda: fn(torchlet, torchlet.tensor(i)), lambda: fn(torch, torch.tensor(i)))
    _raises_like(lambda: torchlet.div(torchlet.tensor(i), 2, rounding_mode='xx'),
                 lambda: torch.div(torch.tensor(i), 2, rounding_mode='xx'))


def test_division_gradients():
    a, b = _randn((3, 4), 1), _away((4,), 2)
    for mode in ('trunc', 'floor'):
        check_op(lambda x, y: torchlet.div(x, y, rounding_mode=mode),
                 lambda x, y: torch.div(x, y, rounding_mode=mode), a, b)
    check_op(lambda x: x % 1.5, lambda x: x % 1.5, a)
    check_op(lambda x: torchlet.fmod(x, 1.5), lambda x: torch.fmod(x, 1.5), a)
    for expr in ('x // y', '2 % x', '2 // x'):
        x = torchlet.tensor(b, requires_grad=True)
        y = torchlet.tensor(b)
        r = eval(expr)
        assert r.requires_grad
        with pytest.raises(RuntimeError, match=r'derivative for aten::(floor_divide|remainder) is not '
                                               r'implemented'):
            r.sum().backward()


# -- maximum / minimum / fmax / fmin -----------------------------------------------------------------
def test_extrema_ties_and_nan():
    x = np.array([1.0, 2.0, np.nan, 3.0, np.nan, -1.0])
    y = np.array([1.0, 1.0, 1.0, np.nan, np.nan, 4.0])
    for name in ('maximum', 'minimum', 'fmax', 'fmin'):
        check_op(getattr(torchlet, name), getattr(torch, name), x, y)
    check_op(torchlet.maximum, torch.maximum, np.array([True, False]), np.array([False, False]),
             grad=False)


# -- atan2 / hypot / copysign / xlogy ---------------------------------------------------------------
def test_copysign_and_xlogy_edge_cases():
    x = np.array([0.0, -0.0, 1.5, -2.0, 0.0])
    s = np.array([-1.0, 1.0, -0.0, 0.0, 0.0])
    check_op(torchlet.copysign, torch.copysign, x, s)
    check_op(lambda t: torchlet.copysign(t, -1), lambda t: torch.copysign(t, -1), x)
    check_op(lambda t: torchlet.copysign(t, -1), lambda t: torch.copysign(t, -1), np.array([1, -2]))
    xa = np.array([0.0, 0.0, 1.0, 0.0, 2.0, 0.0])
    ya = np.array([0.0, np.nan, 0.0, -1.0, 3.0, 2.0])
    check_op(torchlet.xlogy, torch.xlogy, xa, ya)
    for other in (0.0, 2.0, -1.0):
        check_op(lambda t: torchlet.xlogy(t, other), lambda t: torch.xlogy(t, other), xa)
    check_op(lambda t: torchlet.xlogy(2.0, t), lambda t: torch.xlogy(2.0, t), _pos((3,), 1))
    check_op(lambda t: torchlet.xlogy(2, t), lambda t: torch.xlogy(2, t), np.array([3, 4]))
    numeric_gradcheck(lambda t: torchlet.xlogy(3.0, t), _pos((3,), 2))
    numeric_gradcheck(lambda t: torchlet.xlogy(t, 2.5), _randn((3,), 2))


def test_atan2_hypot_dtypes_and_errors():
    check_op(torchlet.atan2, torch.atan2, np.array([1, -2]), np.array([1, 3]), grad=False)
    _raises_like(lambda: torchlet.hypot(torchlet.tensor([3]), torchlet.tensor([4])),
                 lambda: torch.hypot(torch.tensor([3]), torch.tensor([4])))
    _raises_like(lambda: torchlet.atan2(torchlet.tensor([3.0]), 1.0),
                 lambda: torch.atan2(torch.tensor([3.0]), 1.0))
    check_op(torchlet.hypot, torch.hypot, np.array([3.0, 0.0]), np.array([4.0, 0.0]))


# -- lerp / addcmul / addcdiv ------------------------------------------------------------------------
def test_lerp():
    a, b = _randn((3, 4), 1), _randn((4,), 2)
    w = rng(3).uniform(-0.5, 1.5, (3, 1))
    for dtype in (np.float32, np.float64):
        for weight in (0.3, 0.7, -0.5, 1.0):
            check_op(lambda x, y: torchlet.lerp(x, y, weight), lambda x, y: torch.lerp(x, y, weight),
                     a.astype(dtype), b.astype(dtype))
        check_op(torchlet.lerp, torch.lerp, a.astype(dtype), b.astype(dtype), w.astype(dtype))
    numeric_gradcheck(torchlet.lerp, a, b, w)
    numeric_gradcheck(lambda x, y: torchlet.lerp(x, y, 0.25), a, b)
    xa, xb = pair(a.astype(np.float32))
    assert_same(xa.lerp_(torchlet.tensor(b.astype(np.float32)), 0.3),
                xb.lerp_(torch.tensor(b.astype(np.float32)), 0.3))
    _raises_like(lambda: torchlet.lerp(torchlet.tensor([1, 2]), torchlet.tensor([3, 4]), 0.5),
                 lambda: torch.lerp(torch.tensor([1, 2]), torch.tensor([3, 4]), 0.5))
    _raises_like(lambda: torchlet.lerp(torchlet.tensor([1.0]), torchlet.tensor([1.0]).double(), 0.5),
                 lambda: torch.lerp(torch.tensor([1.0]), torch.tensor([1.0]).double(), 0.5))


@pytest.mark.parametrize('name', ['addcmul', 'addcdiv'])
def test_addcmul_addcdiv(name):
    a, t1, t2 = _randn((3, 4), 1), _randn((4,), 2), _away((3, 1), 3)
    for value in (1, 0.5, -2):
        for dtype in (np.float32, np.float64):
            check_op(lambda x, y, z: getattr(torchlet, name)(x, y, z, value=value),
                     lambda x, y, z: getattr(torch, name)(x, y, z, value=value),
                     a.astype(dtype), t1.astype(dtype), t2.astype(dtype))
    numeric_gradcheck(lambda x, y, z: getattr(torchlet, name)(x, y, z, value=0.7), a, t1, t2)
    xa, xb = pair(a)
    assert_same(getattr(xa, name + '_')(torchlet.tensor(t1), torchlet.tensor(t2), value=2),
                getattr(xb, name + '_')(torch.tensor(t1), torch.tensor(t2), value=2))
    i = np.array([1, 2])
    ta, tb = [torchlet.tensor(i)] * 3, [torch.tensor(i)] * 3
    if name == 'addcmul':
        assert_same(torchlet.addcmul(*ta, value=2), torch.addcmul(*tb, value=2))
        check_op(torchlet.addcmul, torch.addcmul, np.array([1.0, 2.0], np.float32), i, i)
    else:
        _raises_like(lambda: torchlet.addcdiv(*ta), lambda: torch.addcdiv(*tb))


# -- clamp -------------------------------------------------------------------------------------------
def test_clamp_numbers():
    x = np.array([[-2.0, -1.0, 0.0], [0.5, 1.0, 3.0]])
    for lo, hi in ((-1.0, 1.0), (None, 0.5), (0.0, None), (1.0, -1.0), (0, 1)):
        for fl, fh in ((torchlet.clamp, torch.clamp), (torchlet.clip, torch.clip)):
            check_op(lambda t: fl(t, lo, hi), lambda t: fh(t, lo, hi), x)
            check_op(lambda t: fl(t, lo, hi), lambda t: fh(t, lo, hi), x.astype(np.float32))
        check_op(lambda t: t.clamp(min=lo, max=hi), lambda t: t.clamp(min=lo, max=hi), x)
    numeric_gradcheck(lambda t: t.clamp(-0.7, 0.9), np.array([-2.0, -0.3, 0.4, 2.0]))
    check_op(lambda t: t.clamp(1.5, 3), lambda t: t.clamp(1.5, 3), np.array([1, 5]))
    check_op(lambda t: t.clamp(2, 3), lambda t: t.clamp(2, 3), np.array([1, 5]))
    check_op(lambda t: t.clamp(0, 1), lambda t: t.clamp(0, 1), np.array([True, False]))
    check_op(lambda t: t.clamp(2, 3), lambda t: t.clamp(2, 3), np.array([1.0, np.nan, 5.0]))
    check_op(lambda t: t.clamp_min(0.5), lambda t: t.clamp_min(0.5), x)
    check_op(lambda t: t.clamp_max(0.5), lambda t: t.clamp_max(0.5), x)


def test_clamp_tensors():
    r = rng(4)
    x = r.standard_normal((3, 4))
    lo = r.standard_normal((4,)) - 0.5
    hi = r.standard_normal((3, 1)) + 0.5
    x[0, 0], lo[0] = 0.25, 0.25      # a tie with min
    check_op(torchlet.clamp, torch.clamp, x, lo, hi)
    check_op(lambda a, b: torchlet.clamp(a, b), lambda a, b: torch.clamp(a, b), x, lo)
    check_op(lambda a, b: torchlet.clamp(a, max=b), lambda a, b: torch.clamp(a, max=b), x, hi)
    check_op(torchlet.clamp_min, torch.clamp_min, x, lo)
    check_op(torchlet.clamp_max, torch.clamp_max, x, hi)
    numeric_gradcheck(torchlet.clamp, np.array([-2.0, 0.1, 2.0, 0.5]),
                      np.array([-1.0, -1.0, -1.0, 1.0]), np.array([1.0, 1.0, 1.0, 0.0]))
    check_op(lambda a, b: torchlet.clamp(a, b, None), lambda a, b: torch.clamp(a, b, None),
             x, np.array([np.nan, 0.0, 0.0, 0.0]))
    check_op(lambda a: torchlet.clamp(a, torchlet.tensor(0.0), 1.0),
             lambda a: torch.clamp(a, torch.tensor(0.0), 1.0), x)


def test_clamp_errors():
    _raises_like(lambda: torchlet.clamp(torchlet.ones(2)), lambda: torch.clamp(torch.ones(2)))
    with pytest.raises(TypeError):
        torchlet.clamp(torchlet.ones(2), 1, torchlet.ones(2))
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        torchlet.tensor([1, 5]).clamp_(1.5, 3)
    a, b = pair(np.array([1.0, 5.0, -3.0]))
    assert_same(a.clamp_(0, 2), b.clamp_(0, 2))
    assert_same(a.clip_(max=1), b.clip_(max=1))


# -- bitwise -----------------------------------------------------------------------------------------
BITWISE = ['bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_left_shift', 'bitwise_right_shift']


@pytest.mark.parametrize('name', BITWISE)
@pytest.mark.parametrize('dtype', ['int64', 'int32', 'uint8', 'int8', 'bool'])
def test_bitwise(name, dtype):
    x = np.array([[5, -6, 0], [127, 3, -1]]).astype(dtype)
    y = np.array([1, 2, 9]).astype(dtype)
    for fl, fh in ((getattr(torchlet, name), getattr(torch, name)),
                   (lambda a, b: getattr(a, name)(b), lambda a, b: getattr(a, name)(b))):
        try:
            expected = fh(torch.tensor(x), torch.tensor(y))
        except Exception as e:
            with pytest.raises(type(e)):
                fl(torchlet.tensor(x), torchlet.tensor(y))
            continue
        assert_same(fl(torchlet.tensor(x), torchlet.tensor(y)), expected)
        a, b = pair(x)
        assert_same(getattr(a, name + '_')(torchlet.tensor(y)),
                    getattr(b, name + '_')(torch.tensor(y)))


def test_shift_amounts_out_of_range():
    x = np.array([5, -5, 1, -1])
    for s in (-1, 63, 64, 70, 2):
        check_op(lambda t: t << s, lambda t: t << s, x, grad=False)
        check_op(lambda t: t >> s, lambda t: t >> s, x, grad=False)
    check_op(lambda t: t >> 9, lambda t: t >> 9, np.array([-1, 4], np.int8), grad=False)
    check_op(lambda t: t << 9, lambda t: t << 9, np.array([5], np.uint8), grad=False)
    check_op(lambda a, b: a >> b, lambda a, b: a >> b, np.array([5, -5]), np.array([1, 70]),
             grad=False)


def test_bitwise_operators_and_errors():
    i = np.array([12, 10, 7])
    for sym in ('&', '|', '^', '<<', '>>'):
        check_op(lambda a: eval(f'a {sym} 3'), lambda a: eval(f'a {sym} 3'), i, grad=False)
        check_op(lambda a: eval(f'3 {sym} a'), lambda a: eval(f'3 {sym} a'), i % 4, grad=False)
    for x in (i, np.array([True, False]), np.array([5], np.uint8)):
        check_op(lambda a: ~a, lambda a: ~a, x, grad=False)
        check_op(torchlet.bitwise_not, torch.bitwise_not, x, grad=False)
        a, b = pair(x)
        assert_same(a.bitwise_not_(), b.bitwise_not_())
    f = np.array([1.0])
    _raises_like(lambda: ~torchlet.tensor(f), lambda: ~torch.tensor(f))
    _raises_like(lambda: torchlet.bitwise_not(torchlet.tensor(f)),
                 lambda: torch.bitwise_not(torch.tensor(f)))
    for sym in ('&', '|', '^', '<<', '>>'):
        _raises_like(lambda: eval(f'torchlet.tensor(f) {sym} 1'),
                     lambda: eval(f'torch.tensor(f) {sym} 1'))
        _raises_like(lambda: eval(f'torchlet.tensor(i) {sym} 1.5'),
                     lambda: eval(f'torch.tensor(i) {sym} 1.5'))
    for sym in ('&=', '|=', '^=', '<<=', '>>='):
        ea, eb = {'a': torchlet.tensor(i)}, {'a': torch.tensor(i)}
        ida = id(ea['a'])
        exec(f'a {sym} 3', ea)
        exec(f'a {sym} 3', eb)
        assert id(ea['a']) == ida
        assert_same(ea['a'], eb['a'])
    _raises_like(lambda: torchlet.tensor(i).__iand__(3.5), lambda: torch.tensor(i).__iand__(3.5))


@pytest.mark.parametrize('name', ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'atan2', 'xlogy',
                                  'copysign', 'remainder', 'fmod', 'clamp_min', 'hypot'])
def test_mixed_dtype_gradients(name):
    """A float64 0-dim operand next to a float32 tensor: float32 result, float64 gradient."""
    mk_a, mk_b = BINARY[name]
    a = mk_a((2, 3), 1, np.float32)
    b = np.asarray(mk_b((), 2))
    check_op(getattr(torchlet, name), getattr(torch, name), a, b, rtol=1e-4, atol=1e-5)
    check_op(getattr(torchlet, name), getattr(torch, name), np.asarray(mk_a((), 3)),
             mk_b((3,), 4, np.float32), rtol=1e-4, atol=1e-5)


def test_int_tensor_with_float_tensor_gradient():
    check_op(torchlet.mul, torch.mul, np.array([1, 2, 3]), _randn((3,), 1, np.float32))
    check_op(torchlet.div, torch.div, _randn((3,), 1, np.float32), np.array([1, 2, 3]))
    check_op(lambda a, b: torchlet.where(a > 1, a, b), lambda a, b: torch.where(a > 1, a, b),
             np.array([1, 2, 3]), _randn((3,), 2))


@pytest.mark.parametrize('name', ['add', 'mul', 'div', 'pow', 'maximum', 'atan2', 'remainder'])
def test_float16(name):
    a, b = _pos((3, 4), 1, np.float16), _pos((4,), 2, np.float16)
    check_op(getattr(torchlet, name), getattr(torch, name), a, b, grad=False, rtol=2e-3, atol=2e-3)
    if name not in ('maximum', 'atan2'):     # these take only tensors
        check_op(lambda x: getattr(torchlet, name)(x, 1.5), lambda x: getattr(torch, name)(x, 1.5),
                 a, grad=False, rtol=2e-3, atol=2e-3)
