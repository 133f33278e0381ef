"""Comparisons and logic: == != < <= > >= (eq ... le), equal/allclose/isclose, the isnan family,
logical_and/or/xor/not, signbit, heaviside and the three-argument ``where``.

Comparisons promote their operands by torch's rules and return bool tensors (their in-place forms
write 0/1 in the tensor's own dtype); only ``where`` is differentiable.
"""
import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _State
from ._util import Op, Tensor, register, inplace, write_inplace, broadcast_error, _short
from ._pointwise import (arr, pair, apply_ufunc, write_out, grad_for, meta, Unsupported,
                         as_input, NotDifferentiable)

__all__ = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'greater', 'greater_equal', 'less', 'less_equal',
           'not_equal', 'equal', 'allclose', 'isclose', 'isnan', 'isinf', 'isposinf', 'isneginf',
           'isfinite', 'isreal', 'logical_and', 'logical_or', 'logical_xor', 'logical_not', 'where',
           'signbit', 'heaviside']

_wrap = Tensor._wrap
_ndarray = np.ndarray
_NUMBERS = (int, float)


# -- == != < <= > >= --------------------------------------------------------------------------------
def _comparison(ufunc, name):
    """(function, operator, in-place method) comparing a tensor with a tensor or a number."""
    def compare(a, b):
        ad, bd = pair(a, b)
        return apply_ufunc(ufunc, ad, bd)

    def fn(input, other, *, out=None):
        input = as_input(input, name)
        try:
            r = _wrap(compare(input, other))
        except Unsupported:
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"(Tensor, {type(other).__name__}), but expected one of:\n"
                            f" * (Tensor input, Tensor other, *, Tensor out = None)\n"
                            f" * (Tensor input, Number other, *, Tensor out = None)") from None
        return r if out is None else write_out(r, out, name)

    def operator(self, other):
        if other.__class__ in _NUMBERS and self._data.dtype.kind == 'f':    # x > 0: the usual case
            r = ufunc(self._data, other)
            return _wrap(r if r.__class__ is _ndarray else np.asarray(r))
        try:
            return _wrap(compare(self, other))
        except Unsupported:
            return NotImplemented

    def fn_(self, other):
        write_inplace(self, compare(self, other))
        return self

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``input {name} other`` as a bool tensor."
    return fn, operator, fn_


eq, _eq_op, eq_ = _comparison(np.equal, 'eq')
ne, _ne_op, ne_ = _comparison(np.not_equal, 'ne')
gt, _gt_op, gt_ = _comparison(np.greater, 'gt')
ge, _ge_op, ge_ = _comparison(np.greater_equal, 'ge')
lt, _lt_op, lt_ = _comparison(np.less, 'lt')
le, _le_op, le_ = _comparison(np.less_equal, 'le')
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input, other):
    """True when both tensors have the same shape and the same values."""
    a, b = input._data, other._data
    return a.shape == b.shape and bool(np.array_equal(*pair(input, other)))


def _check_tolerances(rtol, atol):
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")


def _isclose_array(input, other, rtol, atol, equal_nan):
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_short(input.dtype)} did not match {_short(other.dtype)}")
    _check_tolerances(rtol, atol)
    try:
        exact = a == b
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if a.dtype.kind in 'biu':
        f = _dtype.get_default_dtype().np
        a, b = a.astype(f), b.astype(f)
    close = exact | (np.abs(a - b) <= atol + rtol * np.abs(b))
    if a.dtype.kind in 'fc':
        close &= np.isfinite(a) & np.isfinite(b) | exact
        if equal_nan:
            close |= np.isnan(a) & np.isnan(b)
    return arr(close)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| elementwise (infinities must match exactly)."""
    return _wrap(_isclose_array(input, other, rtol, atol, equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether isclose holds everywhere (a Python bool)."""
    return bool(_isclose_array(input, other, rtol, atol, equal_nan).all())


# -- predicates on one tensor -----------------------------------------------------------------------
def _predicate(name, float_fn, int_fn, doc):
    """A bool-valued test on one tensor; ``int_fn`` answers for integer and bool tensors."""
    def fn(input):
        a = input._data
        return _wrap(arr(float_fn(a) if a.dtype.kind in 'fc' else int_fn(a)))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _false(a):
    return np.zeros(a.shape, np.bool_)


def _true(a):
    return np.ones(a.shape, np.bool_)


isnan = _predicate('isnan', np.isnan, _false, "Whether each element is NaN.")
isinf = _predicate('isinf', np.isinf, _false, "Whether each element is +inf or -inf.")
isposinf = _predicate('isposinf', np.isposinf, _false, "Whether each element is +inf.")
isneginf = _predicate('isneginf', np.isneginf, _false, "Whether each element is -inf.")
isfinite = _predicate('isfinite', np.isfinite, _true, "Whether each element is finite.")
isreal = _predicate('isreal', lambda a: np.imag(a) == 0 if a.dtype.kind == 'c' else _true(a), _true,
                    "Whether each element has no imaginary part.")
signbit = _predicate('signbit', np.signbit, lambda a: a < 0 if a.dtype.kind == 'i' else _false(a),
                     "Whether each element's sign bit is set (True for -0.0).")


# -- logical ops ------------------------------------------------------------------------------------
def _logical(ufunc, name):
    """(function, in-place method) of a logical op: operands are truth values, the result bool."""
    def compute(a, b):
        if not isinstance(b, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(b).__name__}")
        return apply_ufunc(ufunc, a._data, b._data)

    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        r = _wrap(compute(input, other))
        return r if out is None else write_out(r, out, name)

    def fn_(self, other):
        write_inplace(self, compute(self, other))
        return self
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name[8:]} of the truth values of input and other."
    return fn, fn_


logical_and, logical_and_ = _logical(np.logical_and, 'logical_and')
logical_or, logical_or_ = _logical(np.logical_or, 'logical_or')
logical_xor, logical_xor_ = _logical(np.logical_xor, 'logical_xor')


def logical_not(input, *, out=None):
    """Elementwise not of the truth values of input."""
    r = _wrap(arr(np.logical_not(input._data)))
    return r if out is None else write_out(r, out, 'logical_not')


def logical_not_(self):
    write_inplace(self, arr(np.logical_not(self._data)))
    return self


# -- heaviside ---------------------------------------------------------------------------------------
class Heaviside(NotDifferentiable):
    op_name = 'heaviside'


def _heaviside_array(input, values):
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    a, v = input._data, values._data
    if a.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    try:
        return arr(np.where(a == 0, v, a > 0).astype(a.dtype))
    except ValueError:
        raise broadcast_error(a.shape, v.shape) from None


def heaviside(input, values, *, out=None):
    """0 where input < 0, values where input == 0, 1 where input > 0."""
    r = Heaviside.wrap(_heaviside_array(input, values), input, values)
    return r if out is None else write_out(r, out, 'heaviside')


def heaviside_(self, values):
    if _State.grad_enabled and (self._rg or values._rg):
        return inplace(self, heaviside, values)
    write_inplace(self, _heaviside_array(self, values))
    return self


# -- where -------------------------------------------------------------------------------------------
def _where_arrays(cond, x, y):
    """The condition array and the two branches as arrays (or numbers) of torch's result dtype."""
    c = cond._data
    if c.dtype.kind != 'b':
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {_short(cond.dtype)}")
    if isinstance(x, Tensor):      # fast cases: same dtypes, or a float tensor and a number
        xd = x._data
        if isinstance(y, Tensor):
            if y._data.dtype == xd.dtype:
                return c, xd, y._data
        elif y.__class__ in _NUMBERS and xd.dtype.kind == 'f':
            return c, xd, xd.dtype.type(y)
    elif x.__class__ in _NUMBERS and isinstance(y, Tensor) and y._data.dtype.kind == 'f':
        return c, y._data.dtype.type(x), y._data
    dt = _dtype.result_type(x, y).np
    xd = x._data.astype(dt, copy=False) if isinstance(x, Tensor) else np.asarray(x, dt)
    yd = y._data.astype(dt, copy=False) if isinstance(y, Tensor) else np.asarray(y, dt)
    return c, xd, yd


def _where_compute(cond, x, y):
    c, xd, yd = _where_arrays(cond, x, y)
    try:
        return arr(np.where(c, xd, yd))
    except ValueError:
        shapes = [c.shape, xd.shape, yd.shape]
        for i in range(3):
            for j in range(i + 1, 3):
                try:
                    np.broadcast_shapes(shapes[i], shapes[j])
                except ValueError:
                    raise broadcast_error(shapes[i], shapes[j]) from None
        raise broadcast_error(np.broadcast_shapes(c.shape, xd.shape), yd.shape) from None


class Where(Op):
    """where(condition, input, other): the gradient flows to input where condition holds, to other
    elsewhere."""

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.cond = cond._data
        ctx.x, ctx.y = meta(x), meta(y)
        return _where_compute(cond, x, y)

    @staticmethod
    def backward(ctx, g):
        c = _wrap(ctx.cond)
        gx = grad_for(where(c, g, 0.0), ctx.x) if ctx.needs_grad(1) else None
        gy = grad_for(where(c, 0.0, g), ctx.y) if ctx.needs_grad(2) else None
        return None, gx, gy


def where(condition, input=None, other=None, *, out=None):
    """Elementwise ``input if condition else other`` (numbers allowed for input/other); with only
    a condition, the indices of its nonzero elements as a tuple of tensors."""
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    if input is None and other is None:
        from .indexing import nonzero_tuple
        return nonzero_tuple(condition)
    if _State.grad_enabled and ((isinstance(input, Tensor) and input._rg) or
                                (isinstance(other, Tensor) and other._rg)):
        r = Where.apply(condition, input, other)
    else:
        r = _wrap(_where_compute(condition, input, other))
    return r if out is None else write_out(r, out, 'where')


def _where_method(self, condition, y):
    return where(condition, self, y)


register(eq=eq, ne=ne, gt=gt, ge=ge, lt=lt, le=le, greater=gt, greater_equal=ge, less=lt,
         less_equal=le, not_equal=ne, eq_=eq_, ne_=ne_, gt_=gt_, ge_=ge_, lt_=lt_, le_=le_,
         greater_=gt_, greater_equal_=ge_, less_=lt_, less_equal_=le_, not_equal_=ne_,
         __eq__=_eq_op, __ne__=_ne_op, __gt__=_gt_op, __ge__=_ge_op, __lt__=_lt_op, __le__=_le_op,
         equal=equal, allclose=allclose, isclose=isclose, isnan=isnan, isinf=isinf,
         isposinf=isposinf, isneginf=isneginf, isfinite=isfinite, isreal=isreal, signbit=signbit,
         logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor,
         logical_not=logical_not, logical_and_=logical_and_, logical_or_=logical_or_,
         logical_xor_=logical_xor_, logical_not_=logical_not_, heaviside=heaviside,
         heaviside_=heaviside_, where=_where_method)
