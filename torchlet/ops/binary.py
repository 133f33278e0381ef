"""Elementwise binary math: pow and float_power, maximum/minimum/fmax/fmin, atan2, hypot, copysign
and xlogy. Division and remainders (division.py), clamp (clamp.py), lerp/addcmul/addcdiv
(ternary.py) and bitwise ops (bitwise.py) are re-exported here, so ``torchlet.<op>`` finds them.

Each op is a :class:`~torchlet.ops.elementwise.Binary` subclass whose classmethod ``compute(a, b)``
promotes and computes (a is a tensor, b a tensor or a number); backward follows torch's
derivatives.yaml formulas.
"""
import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _State
from ._util import Op, Tensor, register, inplace, write_inplace, broadcast_error, _short
from ._pointwise import (arr, pair, grad_for, write_out, fast_binary, needs_graph, Binary,
                         define_binary, float_pair, kernel_error)
from .comparison import where
from .unary import log
from .conversion import to_dtype
from .division import *  # noqa: F401,F403
from .division import __all__ as _division_all
from .clamp import *  # noqa: F401,F403
from .clamp import __all__ as _clamp_all
from .ternary import *  # noqa: F401,F403
from .ternary import __all__ as _ternary_all
from .bitwise import *  # noqa: F401,F403
from .bitwise import __all__ as _bitwise_all

__all__ = (['pow', 'float_power', 'maximum', 'minimum', 'fmax', 'fmin', 'atan2', 'arctan2', 'hypot',
            'copysign', 'xlogy', 'xlogy_'] + _division_all + _clamp_all + _ternary_all +
           _bitwise_all)

_wrap = Tensor._wrap


# -- pow -------------------------------------------------------------------------------------------
def _int_pow(base, exp):
    """Integer power with torch's answers for negative exponents (1, ±1 or 0)."""
    neg = exp < 0
    if not neg.any():
        return np.power(base, exp)
    base, exp = np.broadcast_arrays(base, exp)
    r = np.power(base, np.where(neg, 0, exp))
    odd = (exp % 2) != 0
    special = np.where(base == 1, 1, np.where(base == -1, np.where(odd, -1, 1), 0))
    return np.where(neg, special, r).astype(r.dtype)


def _pow_arrays(ad, bd):
    """ad ** bd where one is an array of the result dtype (the other an array or a number)."""
    dt = ad.dtype if isinstance(ad, np.ndarray) else bd.dtype
    if dt.kind == 'b':
        if isinstance(bd, (bool, np.bool_)):       # x ** True is x; x ** False is True
            return ad.copy() if bd else np.ones_like(ad)
        raise kernel_error('pow', dt)
    if dt.kind in 'iu':
        if isinstance(bd, int) and isinstance(ad, np.ndarray) and bd < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return arr(_int_pow(np.asarray(ad, dt), np.asarray(bd, dt)))
    if bd.__class__ in (int, float) and bd in _POW_SPECIAL:
        return arr(_POW_SPECIAL[bd](ad))
    return arr(np.power(ad, bd))


# torch's exact forms for common float exponents (x * x for 2, sqrt for 0.5, ...)
_POW_SPECIAL = {2: np.square, 3: lambda a: a * a * a, 0.5: np.sqrt, -1: np.reciprocal,
                -0.5: lambda a: np.reciprocal(np.sqrt(a)), -2: lambda a: np.reciprocal(a * a)}


class Pow(Binary):
    """input ** exponent (a tensor or a number)."""
    _scalar_bname = 'PowBackward0'
    _bname = 'PowBackward1'

    @classmethod
    def compute(cls, a, b):
        ad, bd = pair(a, b)
        try:
            return _pow_arrays(ad, bd)
        except ValueError:
            raise broadcast_error(ad.shape, np.shape(bd)) from None

    @staticmethod
    def backward(ctx, g):
        x, e = ctx.saved_tensors
        gx = ge = None
        if ctx.needs_grad(0):
            if isinstance(e, Tensor):
                gx = where(e == 0, 0.0, g * (e * pow(x, e - 1)))
                gx = grad_for(gx, x)
            elif e == 0:
                gx = g * 0
            else:
                gx = g * (pow(x, e - 1) * e)
        if ctx.needs_grad(1):
            ge = grad_for(_pow_exponent_grad(g, x, e, pow(x, e)), e)
        return gx, ge


def _pow_exponent_grad(g, base, exponent, result):
    """d(base ** exponent)/d exponent = result * log(base), defined as 0 where base == 0 and
    exponent >= 0 (torch's convention)."""
    if isinstance(base, Tensor):
        cond = (base == 0) & (exponent >= 0)
        logb = log(base.to(result.dtype))
        return g * where(cond, 0.0, result * logb)
    if base == 0:
        return g * where(exponent >= 0, 0.0, result * float('-inf'))
    return g * (result * float(np.log(np.float64(base))))


class _NumberFirstOp(Op):
    """A binary op whose first operand is a Python number: forward keeps it as ``ctx.number``,
    saves the tensor and returns ``compute(number, tensor)``."""

    @staticmethod
    def forward(ctx, number, t):
        ctx.number = number
        ctx.save_for_backward(t)
        return ctx.compute(number, t)


class PowScalarBase(_NumberFirstOp):
    """number ** exponent (``2 ** x``)."""
    _bname = 'PowBackward2'

    @staticmethod
    def compute(base, e):
        ed, bd = pair(e, base)
        return _pow_arrays(bd, ed)

    @staticmethod
    def backward(ctx, g):
        e, = ctx.saved_tensors
        return None, _pow_exponent_grad(g, ctx.number, e, pow(ctx.number, e))


_pow_run = fast_binary(Pow, Pow.compute)


def pow(input, exponent, *, out=None):
    """input ** exponent; either may be a number (not both)."""
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError(f"pow() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(exponent).__name__})")
        if _State.grad_enabled and exponent._rg:
            r = PowScalarBase.apply(input, exponent)
        else:
            r = _wrap(PowScalarBase.compute(input, exponent))
    else:
        r = _pow_run(input, exponent)
        if r is NotImplemented:
            raise TypeError(f"pow(): argument 'exponent' must be Tensor or Number, not "
                            f"{type(exponent).__name__}")
    return r if out is None else write_out(r, out, 'pow')


def pow_(self, exponent):
    if needs_graph(self, exponent):
        return inplace(self, pow, exponent)
    write_inplace(self, Pow.compute(self, exponent))
    return self


def _rpow(self, base):
    try:
        return pow(base, self)
    except TypeError:
        return NotImplemented


def float_power(input, exponent, *, out=None):
    """input ** exponent computed in double precision (float64, or complex128)."""
    def widen(x):
        if isinstance(x, Tensor):
            return to_dtype(x, _dtype.complex128 if x._data.dtype.kind == 'c' else _dtype.float64)
        return x if isinstance(x, complex) else float(x)
    return pow(widen(input), widen(exponent), out=out)


def float_power_(self, exponent):
    want = _dtype.complex128 if self._data.dtype.kind == 'c' or isinstance(exponent, complex) else \
        _dtype.float64
    if self.dtype is not want:
        raise RuntimeError(f"the base given to float_power_ has dtype {_short(self.dtype)} but the "
                           f"operation's result requires dtype {_short(want)}")
    return pow_(self, exponent.to(want) if isinstance(exponent, Tensor) else exponent)


# -- maximum, minimum, fmax, fmin ------------------------------------------------------------------
class Maximum(Binary):
    """Elementwise maximum (NaN propagates)."""
    fn = np.maximum

    @staticmethod
    def backward(ctx, g):
        return _extremum_grads(ctx, g, lambda a, b: a < b, lambda a, b: a > b)


class Minimum(Binary):
    """Elementwise minimum (NaN propagates)."""
    fn = np.minimum

    @staticmethod
    def backward(ctx, g):
        return _extremum_grads(ctx, g, lambda a, b: a > b, lambda a, b: a < b)


def _extremum_grads(ctx, g, a_loses, b_loses):
    """Ties split the gradient in half (torch's maximum/minimum rule)."""
    a, b = ctx.saved_tensors
    shared = where(a == b, g / 2, g)
    ga = grad_for(where(a_loses(a, b), 0.0, shared), a) if ctx.needs_grad(0) else None
    gb = grad_for(where(b_loses(a, b), 0.0, shared), b) if ctx.needs_grad(1) else None
    return ga, gb


class Fmax(Binary):
    """Elementwise maximum ignoring NaN (NaN only where both are NaN)."""
    fn = np.fmax

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_wins = Tensor._wrap((a._data >= b._data) | np.isnan(b._data))
        return _fminmax_grads(ctx, g, a_wins)


class Fmin(Binary):
    """Elementwise minimum ignoring NaN."""
    fn = np.fmin

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_wins = Tensor._wrap((a._data <= b._data) | np.isnan(b._data))
        return _fminmax_grads(ctx, g, a_wins)


def _fminmax_grads(ctx, g, a_wins):
    a, b = ctx.saved_tensors
    ga = grad_for(where(a_wins, g, 0.0), a) if ctx.needs_grad(0) else None
    gb = grad_for(where(a_wins, 0.0, g), b) if ctx.needs_grad(1) else None
    return ga, gb


maximum, _ = define_binary(Maximum, 'maximum', tensor_other=True, has_inplace=False)
minimum, _ = define_binary(Minimum, 'minimum', tensor_other=True, has_inplace=False)
fmax, _ = define_binary(Fmax, 'fmax', tensor_other=True, has_inplace=False)
fmin, _ = define_binary(Fmin, 'fmin', tensor_other=True, has_inplace=False)


# -- atan2, hypot, copysign, xlogy -----------------------------------------------------------------
class Atan2(Binary):
    """The angle of the point (other, input): atan(input / other) in the right quadrant."""
    fn = np.arctan2
    floats = True

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        recip = 1 / (a * a + b * b)
        ga = grad_for(g * (b * recip), a) if ctx.needs_grad(0) else None
        gb = grad_for(g * (-a * recip), b) if ctx.needs_grad(1) else None
        return ga, gb


class Hypot(Binary):
    """sqrt(input ** 2 + other ** 2) without overflow."""
    fn = np.hypot
    kernel = 'hypot_cpu'
    floats_only = True

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        out = hypot(a, b)
        ga = grad_for(g * (a / out), a) if ctx.needs_grad(0) else None
        gb = grad_for(g * (b / out), b) if ctx.needs_grad(1) else None
        return ga, gb


class Copysign(Binary):
    """|input| with the sign of other (a tensor or a number)."""
    _bname = 'CopysignBackward0'
    _scalar_bname = 'CopysignBackward1'
    fn = np.copysign
    floats = True

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_grad(0):
            out = copysign(a, b)
            ratio = where(a == 0, 0.0, out / a)
            ga = grad_for(g * ratio, a)
        if ctx.needs_grad(1):
            gb = grad_for(g * 0, b)
        return ga, gb


def _xlogy_arrays(x, y):
    r = np.where(x == 0, 0, x * np.log(y))
    return np.where(np.isnan(y), y, r).astype(np.result_type(x, y))


class Xlogy(Binary):
    """input * log(other), 0 where input == 0 (unless other is NaN)."""
    _scalar_bname = 'XlogyBackward2'
    fn = staticmethod(_xlogy_arrays)
    floats = True

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_grad(0):
            gx = xlogy(g, y)
            if isinstance(y, Tensor):
                gx = where((x == 0) & (y <= 0), 0.0, gx)
            elif y <= 0:
                gx = where(x == 0, 0.0, gx)
            gx = grad_for(gx, x)
        if ctx.needs_grad(1):
            gy = grad_for(g * x / y, y)
        return gx, gy


class XlogyScalarSelf(_NumberFirstOp):
    """number * log(other)."""
    _bname = 'XlogyBackward1'

    @staticmethod
    def compute(x, y):
        yd, xd = float_pair(*pair(y, x))
        return arr(_xlogy_arrays(np.asarray(xd, yd.dtype), yd))

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return None, g * ctx.number / y


atan2, atan2_ = define_binary(Atan2, 'atan2', tensor_other=True)
hypot, hypot_ = define_binary(Hypot, 'hypot', tensor_other=True)
copysign, copysign_ = define_binary(Copysign, 'copysign')
_xlogy, xlogy_ = define_binary(Xlogy, 'xlogy')
arctan2, arctan2_ = atan2, atan2_


def xlogy(input, other, *, out=None):
    """input * log(other), with 0 where input == 0; either may be a number."""
    if isinstance(input, Tensor):
        return _xlogy(input, other, out=out)
    if _State.grad_enabled and other._rg:
        r = XlogyScalarSelf.apply(input, other)
    else:
        r = _wrap(XlogyScalarSelf.compute(input, other))
    return r if out is None else write_out(r, out, 'xlogy')


register(pow=pow, pow_=pow_, __pow__=_pow_run, __rpow__=_rpow, __ipow__=pow_,
         float_power=float_power, float_power_=float_power_, arctan2=atan2, arctan2_=atan2_,
         xlogy=xlogy)
