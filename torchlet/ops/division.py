"""Floor division and remainders: floor_divide and ``//`` (rounding down like Python), remainder and
``%`` (the sign of the divisor, like Python), fmod (the sign of the dividend) and div's
rounding_mode='trunc'/'floor'. Integer division by zero raises torch's ZeroDivisionError."""
import numpy as np

from ._util import Op, Tensor, register, inplace, write_inplace, broadcast_error
from ._pointwise import (arr, pair, grad_for, write_out, fast_binary, as_input, meta,
                         needs_graph, NotDifferentiable, Unsupported, Binary, define_binary,
                         kernel_error)

__all__ = ['floor_divide', 'remainder', 'fmod']

_wrap = Tensor._wrap


def _check_int_divisor(ad, bd):
    if ad.dtype.kind in 'iu' and np.any(np.asarray(bd) == 0):
        raise RuntimeError("ZeroDivisionError")


def _div_rounded(ad, bd, mode):
    if ad.dtype.kind == 'b':
        raise kernel_error('div_floor_cpu' if mode == 'floor' else 'div_trunc_cpu', ad.dtype)
    _check_int_divisor(ad, bd)
    if mode == 'floor':
        return np.floor_divide(ad, bd)
    if ad.dtype.kind in 'iu':
        q = np.floor_divide(ad, bd)
        fix = (np.remainder(ad, bd) != 0) & ((ad < 0) != (np.asarray(bd) < 0))
        return q + fix.astype(q.dtype)
    return np.trunc(ad / bd)


def rounding_compute(a, b, mode):
    """a / b rounded toward zero ('trunc') or down ('floor'), in a and b's promoted dtype."""
    if mode not in ('trunc', 'floor'):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{mode}'")
    ad, bd = pair(a, b)
    try:
        return arr(_div_rounded(ad, bd, mode))
    except ValueError:
        raise broadcast_error(ad.shape, np.shape(bd)) from None


class DivRounded(Op):
    """div(..., rounding_mode=...): its gradient is zero (torch's grad * 0)."""
    _bname = 'DivBackward2'

    @staticmethod
    def forward(ctx, a, b, mode):
        ctx.a, ctx.b = meta(a), meta(b)
        return rounding_compute(a, b, mode)

    @staticmethod
    def backward(ctx, g):
        z = g * 0
        return grad_for(z, ctx.a), grad_for(z, ctx.b), None


def rounding_div(a, b, mode):
    """div(a, b, rounding_mode=mode) (called by elementwise.div)."""
    if needs_graph(a, b):
        return DivRounded.apply(a, b, mode)
    return _wrap(rounding_compute(a, b, mode))


class FloorDivide(NotDifferentiable):
    op_name = 'floor_divide'


def floor_divide(input, other, *, out=None):
    """input / other rounded down (like Python's //)."""
    input = as_input(input, 'floor_divide')
    r = FloorDivide.wrap(rounding_compute(input, other, 'floor'), input, other)
    return r if out is None else write_out(r, out, 'floor_divide')


def floor_divide_(self, other):
    if needs_graph(self, other):
        return inplace(self, floor_divide, other)
    write_inplace(self, rounding_compute(self, other, 'floor'))
    return self


def _floordiv_op(self, other):
    try:
        return floor_divide(self, other)
    except Unsupported:
        return NotImplemented


def _rfloordiv(self, other):
    try:
        return floor_divide(as_input(other, 'floor_divide'), self)
    except TypeError:
        return NotImplemented


def _remainder_arrays(ad, bd):
    _check_int_divisor(ad, bd)
    return np.remainder(ad, bd)


def _fmod_arrays(ad, bd):
    _check_int_divisor(ad, bd)
    return np.fmod(ad, bd)


class _RemainderBase(Binary):
    """a - b * round(a / b) with ``_rounding`` 'floor' or 'trunc': grads g and -g * round(a / b)."""
    no_bool = True
    _rounding = None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_grad(1):
            gb = grad_for(-g * rounding_div(a, b, ctx._rounding), b)
        return grad_for(g, a), gb


class Remainder(_RemainderBase):
    """Python-style remainder: the result has the sign of the divisor."""
    _bname = 'RemainderBackward1'
    _scalar_bname = 'RemainderBackward0'
    fn = staticmethod(_remainder_arrays)
    kernel = 'remainder_cpu'
    _rounding = 'floor'


class Fmod(_RemainderBase):
    """C-style remainder: the result has the sign of the dividend."""
    _bname = 'FmodBackward1'
    _scalar_bname = 'FmodBackward0'
    fn = staticmethod(_fmod_arrays)
    kernel = 'fmod_cpu'
    _rounding = 'trunc'


_remainder, remainder_ = define_binary(Remainder, 'remainder')
fmod, fmod_ = define_binary(Fmod, 'fmod')


class RemainderScalarSelf(NotDifferentiable):
    op_name = 'remainder'


def remainder(input, other, *, out=None):
    """input % other with the sign of other (Python's convention); input may be a number."""
    if isinstance(input, Tensor):
        return _remainder(input, other, out=out)
    if not isinstance(other, Tensor):
        raise TypeError(f"remainder() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__})")
    od, idata = pair(other, input)
    if od.dtype.kind == 'b':
        raise kernel_error('remainder_cpu', od.dtype)
    r = RemainderScalarSelf.wrap(arr(_remainder_arrays(np.asarray(idata, od.dtype), od)), other)
    return r if out is None else write_out(r, out, 'remainder')


def _rmod(self, other):
    try:
        return remainder(other, self)
    except TypeError:
        return NotImplemented


register(floor_divide=floor_divide, floor_divide_=floor_divide_, __floordiv__=_floordiv_op,
         __rfloordiv__=_rfloordiv, __ifloordiv__=floor_divide_, remainder=remainder,
         __mod__=fast_binary(Remainder, Remainder.compute), __rmod__=_rmod, __imod__=remainder_)
