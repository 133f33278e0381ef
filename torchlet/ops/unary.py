"""Elementwise unary math: exp/log family, roots and powers, trigonometric and hyperbolic functions,
sigmoid/relu, the erf and gamma families, abs/sign and rounding, each as ``torch.f(x, out=)``,
``x.f()`` and ``x.f_()``.

An op is a :class:`Unary` subclass: ``run(array) -> array`` does the math (integer and bool inputs
are first cast to the default float unless the op keeps integers, like abs or floor) and
``backward`` gives torch's derivative. Most are one line of :func:`_float_op`: the NumPy function
and the derivative, from the input ``x`` or from the output ``y``.
"""
import builtins
import math

import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _State
from ._util import Op, Tensor, register, inplace, write_inplace
from ._pointwise import arr, write_out, kernel_error, masked
from . import _special
from .comparison import where

__all__ = ['abs', 'absolute', 'sign', 'sgn', 'exp', 'exp2', 'log', 'log2', 'log10', 'log1p', 'expm1',
           'sqrt', 'rsqrt', 'square', 'sin', 'cos', 'tan', 'asin', 'arcsin', 'acos', 'arccos', 'atan',
           'arctan', 'sinh', 'cosh', 'tanh', 'asinh', 'arcsinh', 'acosh', 'arccosh', 'atanh',
           'arctanh', 'sigmoid', 'relu', 'erf', 'erfc', 'erfinv', 'floor', 'ceil', 'trunc', 'fix',
           'frac', 'round', 'reciprocal', 'positive', 'logit', 'nan_to_num', 'deg2rad', 'rad2deg',
           'lgamma', 'digamma',
           # torch's function forms of the in-place variants
           'abs_', 'exp_', 'exp2_', 'log_', 'log2_', 'log10_', 'log1p_', 'expm1_', 'sqrt_', 'rsqrt_',
           'square_', 'sin_', 'cos_', 'tan_', 'asin_', 'arcsin_', 'acos_', 'arccos_', 'atan_',
           'arctan_', 'sinh_', 'cosh_', 'tanh_', 'asinh_', 'arcsinh_', 'acosh_', 'arccosh_', 'atanh_',
           'arctanh_', 'sigmoid_', 'relu_', 'erf_', 'erfc_', 'floor_', 'ceil_', 'trunc_', 'fix_',
           'frac_', 'round_', 'reciprocal_', 'logit_', 'nan_to_num_', 'deg2rad_', 'rad2deg_']

_wrap = Tensor._wrap
_ndarray = np.ndarray
_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_ZEROS = {}     # dtype -> its zero scalar (relu)


def _float(a):
    """Integer and bool arrays as the default float dtype (torch's rule for exp, sin, ...)."""
    return a if a.dtype.kind in 'fc' else a.astype(_dtype.get_default_dtype().np)


class Unary(Op):
    """An elementwise op computing ``fn`` on floats. Flags: ``saves_input`` (backward reads
    ``ctx.saved_tensors``), ``saves_output`` (backward reads ``ctx.output``)."""
    fn = None
    saves_input = False

    @classmethod
    def run(cls, a):
        return arr(cls.fn(_float(a)))

    @staticmethod
    def forward(ctx, x):
        if ctx.saves_input:
            ctx.save_for_backward(x)
        return ctx.run(x._data)


class IntUnary(Unary):
    """An op that keeps integer dtypes; ``kernel`` names torch's kernel in the error for bool input
    (and for integers too when ``floats_only``)."""
    kernel = None
    floats_only = False

    @classmethod
    def run(cls, a):
        k = a.dtype.kind
        if k == 'b' or (cls.floats_only and k in 'iu'):
            raise kernel_error(cls.kernel, a.dtype)
        return arr(cls.fn(a))


def _define(op, name):
    """torch.<name>(input, *, out=None) and the in-place method <name>_ of a Unary op, registered
    as Tensor methods. Float inputs without autograd go straight to ``op.fn``."""
    run, apply = op.run, op.apply
    direct = op.fn if op.run.__func__ is Unary.run.__func__ else None

    def fn(input, *, out=None):
        try:
            a = input._data
        except AttributeError:
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}") from None
        if input._rg and _State.grad_enabled:
            r = apply(input)
        elif direct is not None and a.dtype.kind == 'f':
            r = direct(a)
            r = _wrap(r if r.__class__ is _ndarray else np.asarray(r))
        else:
            r = _wrap(run(a))
        return r if out is None else write_out(r, out, name)

    ufunc = direct if isinstance(direct, np.ufunc) else None

    def fn_(self):
        if self._rg and _State.grad_enabled:
            return inplace(self, fn)
        a = self._data
        if ufunc is not None and a.dtype.kind == 'f' and a.flags.writeable:
            ufunc(a, out=a)         # x.sqrt_() in an optimizer step: no temporary
            self._vc[0] += 1
        else:
            write_inplace(self, run(a))
        return self

    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + '_'
    fn.__doc__ = op.__doc__
    register(**{name: fn, name + '_': fn_})
    return fn, fn_


def _float_op(name, fn, doc, x_grad=None, y_grad=None, cls_name=None):
    """A float op and its derivative: ``x_grad(g, x)`` from the saved input, or ``y_grad(g, y)``
    from the saved output. The grad_fn is named after ``cls_name`` (default: Name)."""
    if x_grad is not None:
        def backward(ctx, g):
            return x_grad(g, ctx.saved_tensors[0])
    else:
        def backward(ctx, g):
            return y_grad(g, ctx.output)
    cls = type(cls_name or name.capitalize(), (Unary,), {
        '__doc__': doc, 'fn': staticmethod(fn), 'saves_input': x_grad is not None,
        'saves_output': y_grad is not None, 'backward': staticmethod(backward)})
    return _define(cls, name)


def _rsqrt(a):
    r = np.sqrt(a)
    return np.divide(1, r, out=r) if r.__class__ is _ndarray else 1 / r


def _sigmoid(a):
    r = np.exp(-a)
    if r.__class__ is _ndarray:
        r += 1
        return np.reciprocal(r, out=r)
    return 1 / (1 + r)


# -- exponentials, logarithms, roots -----------------------------------------------------------------
exp, exp_ = _float_op('exp', np.exp, "e ** input.", y_grad=lambda g, y: g * y)
exp2, exp2_ = _float_op('exp2', np.exp2, "2 ** input.", y_grad=lambda g, y: g * y * _LN2)
expm1, expm1_ = _float_op('expm1', np.expm1, "exp(input) - 1, accurate near 0.",
                          y_grad=lambda g, y: g * (y + 1))
log, log_ = _float_op('log', np.log, "Natural logarithm.", x_grad=lambda g, x: g / x)
log2, log2_ = _float_op('log2', np.log2, "Base-2 logarithm.", x_grad=lambda g, x: g / (x * _LN2))
log10, log10_ = _float_op('log10', np.log10, "Base-10 logarithm.",
                          x_grad=lambda g, x: g / (x * _LN10))
log1p, log1p_ = _float_op('log1p', np.log1p, "log(1 + input), accurate near 0.",
                          x_grad=lambda g, x: g / (x + 1))
sqrt, sqrt_ = _float_op('sqrt', np.sqrt, "Square root (gradient inf at 0, like torch).",
                        y_grad=lambda g, y: g / (y * 2))
rsqrt, rsqrt_ = _float_op('rsqrt', _rsqrt, "1 / sqrt(input).",
                          y_grad=lambda g, y: g * (y * y * y) * -0.5)
reciprocal, reciprocal_ = _float_op('reciprocal', np.reciprocal, "1 / input.",
                                    y_grad=lambda g, y: -g * (y * y))

# -- trigonometric and hyperbolic --------------------------------------------------------------------
sin, sin_ = _float_op('sin', np.sin, "Sine.", x_grad=lambda g, x: g * cos(x))
cos, cos_ = _float_op('cos', np.cos, "Cosine.", x_grad=lambda g, x: g * -sin(x))
tan, tan_ = _float_op('tan', np.tan, "Tangent.", y_grad=lambda g, y: g * (y * y + 1))
asin, asin_ = _float_op('asin', np.arcsin, "Arcsine.", x_grad=lambda g, x: g * rsqrt(1 - x * x))
acos, acos_ = _float_op('acos', np.arccos, "Arccosine.",
                        x_grad=lambda g, x: g * -rsqrt(1 - x * x))
atan, atan_ = _float_op('atan', np.arctan, "Arctangent.", x_grad=lambda g, x: g / (x * x + 1))
sinh, sinh_ = _float_op('sinh', np.sinh, "Hyperbolic sine.", x_grad=lambda g, x: g * cosh(x))
cosh, cosh_ = _float_op('cosh', np.cosh, "Hyperbolic cosine.", x_grad=lambda g, x: g * sinh(x))
tanh, tanh_ = _float_op('tanh', np.tanh, "Hyperbolic tangent.", y_grad=lambda g, y: g * (1 - y * y))
asinh, asinh_ = _float_op('asinh', np.arcsinh, "Inverse hyperbolic sine.",
                          x_grad=lambda g, x: g * rsqrt(x * x + 1))
acosh, acosh_ = _float_op('acosh', np.arccosh, "Inverse hyperbolic cosine.",
                          x_grad=lambda g, x: g * rsqrt(x * x - 1))
atanh, atanh_ = _float_op('atanh', np.arctanh, "Inverse hyperbolic tangent.",
                          x_grad=lambda g, x: g / (1 - x * x))
deg2rad, deg2rad_ = _float_op('deg2rad', lambda a: a * (math.pi / 180), "Degrees to radians.",
                              x_grad=lambda g, x: g * (math.pi / 180), cls_name='Deg2Rad')
rad2deg, rad2deg_ = _float_op('rad2deg', lambda a: a * (180 / math.pi), "Radians to degrees.",
                              x_grad=lambda g, x: g * (180 / math.pi), cls_name='Rad2Deg')

# -- sigmoid, error and gamma functions --------------------------------------------------------------
sigmoid, sigmoid_ = _float_op('sigmoid', _sigmoid, "1 / (1 + exp(-input)).",
                              y_grad=lambda g, y: g * (y * (1 - y)))
erf, erf_ = _float_op('erf', _special.erf, "The error function.",
                      x_grad=lambda g, x: g * (exp(-(x * x)) * _TWO_OVER_SQRT_PI))
erfc, erfc_ = _float_op('erfc', _special.erfc, "1 - erf(input), accurate in the right tail.",
                        x_grad=lambda g, x: g * (exp(-(x * x)) * -_TWO_OVER_SQRT_PI))
erfinv, erfinv_ = _float_op('erfinv', _special.erfinv, "The inverse error function (on [-1, 1]).",
                            y_grad=lambda g, y: g * (exp(y * y) * (math.sqrt(math.pi) / 2)))
lgamma, lgamma_ = _float_op('lgamma', _special.lgamma, "log |Gamma(input)|.",
                            x_grad=lambda g, x: g * digamma(x))
digamma, digamma_ = _float_op('digamma', _special.digamma, "d/dx log Gamma(x).",
                              x_grad=lambda g, x: g * _Trigamma.apply(x))


class _Trigamma(Unary):
    """polygamma(1, x), the derivative of digamma (not differentiable itself here)."""
    _bname = 'PolygammaBackward0'
    fn = staticmethod(_special.trigamma)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::polygamma (order 2) is not implemented in torchlet")


# -- ops that keep integer dtypes --------------------------------------------------------------------
class Square(IntUnary):
    """input ** 2 (bool becomes int64, like torch)."""
    _bname = 'PowBackward0'
    fn = np.square
    saves_input = True

    @classmethod
    def run(cls, a):
        return arr(np.square(a.astype(np.int64) if a.dtype.kind == 'b' else a))

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.saved_tensors[0] * 2)


def _kept(a):
    """Where relu passed its input through: not (y <= 0), so nan outputs pass their gradient, as in
    torch's threshold_backward."""
    return ~(a <= 0)


class Relu(IntUnary):
    """max(input, 0) (gradient 0 at 0, like torch)."""
    saves_output = True

    @classmethod
    def run(cls, a):
        if a.dtype.kind == 'b':
            raise RuntimeError("Boolean inputs not supported for relu")
        zero = _ZEROS.get(a.dtype)
        if zero is None:
            zero = _ZEROS[a.dtype] = a.dtype.type(0)
        return arr(np.maximum(zero, a))        # (this order keeps -0.0, as torch does)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output._data
        if not _State.grad_enabled:     # first-order backward: array ops
            return _wrap(masked(g._data, _kept, np.ascontiguousarray(y)))
        return where(_wrap(_kept(y)), g, 0.0)


def _sign(a):
    if a.dtype.kind == 'f':    # sign(nan) is 0 in torch, and sign(-0.) is 0.
        return np.subtract(a > 0, a < 0, dtype=a.dtype)
    return a.copy() if a.dtype.kind == 'b' else np.sign(a)


class Abs(IntUnary):
    """|input| (gradient 0 at 0, like torch)."""
    fn = np.abs
    kernel = 'abs_cpu'
    saves_input = True

    @staticmethod
    def backward(ctx, g):
        return g * sign(ctx.saved_tensors[0])


class Sign(IntUnary):
    """-1, 0 or 1 by the sign of input (0 for nan)."""

    @classmethod
    def run(cls, a):
        return arr(_sign(a))

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Sgn(Sign):
    """sign(input) for real tensors (input / |input| for complex ones)."""

    @classmethod
    def run(cls, a):
        if a.dtype.kind == 'c':
            m = np.abs(a)
            return np.where(m == 0, 0, a / np.where(m == 0, 1, m)).astype(a.dtype)
        return arr(_sign(a))


class _Rounding(IntUnary):
    """floor/ceil/trunc/round: integers pass through (as a copy); zero gradient."""

    @classmethod
    def run(cls, a):
        k = a.dtype.kind
        if k == 'b':
            raise kernel_error(cls.kernel, a.dtype)
        return a.copy() if k in 'iu' else arr(cls.fn(a))

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Floor(_Rounding):
    """Largest integer <= input."""
    fn = np.floor
    kernel = 'floor_vml_cpu'


class Ceil(_Rounding):
    """Smallest integer >= input."""
    fn = np.ceil
    kernel = 'ceil_vml_cpu'


class Trunc(_Rounding):
    """input rounded toward zero."""
    fn = np.trunc
    kernel = 'trunc_vml_cpu'


class Round(_Rounding):
    """input rounded to the nearest integer, halves to even."""
    fn = np.rint
    kernel = 'round_vml_cpu'


class Frac(IntUnary):
    """input - trunc(input)."""
    kernel = 'frac_cpu'
    floats_only = True

    @staticmethod
    def fn(a):
        return a - np.trunc(a)

    @staticmethod
    def backward(ctx, g):
        return g


square, square_ = _define(Square, 'square')
relu, relu_ = _define(Relu, 'relu')
abs, abs_ = _define(Abs, 'abs')
sign, sign_ = _define(Sign, 'sign')
sgn, sgn_ = _define(Sgn, 'sgn')
floor, floor_ = _define(Floor, 'floor')
ceil, ceil_ = _define(Ceil, 'ceil')
trunc, trunc_ = _define(Trunc, 'trunc')
frac, frac_ = _define(Frac, 'frac')
_round0, _round0_ = _define(Round, 'round')


# -- ops with arguments: round(decimals), logit(eps), nan_to_num(nan, posinf, neginf) ---------------
class RoundDecimals(Op):
    """round(input, decimals=d): halves to even at the d-th decimal (d may be negative)."""
    _bname = 'RoundBackward1'

    @staticmethod
    def run(a, decimals):
        if a.dtype.kind != 'f':
            raise kernel_error('round_cpu', a.dtype)
        scale = a.dtype.type(10.0 ** builtins.abs(decimals))
        if decimals > 0:
            return arr(np.rint(a * scale) / scale)
        return arr(np.rint(a / scale) * scale)

    @staticmethod
    def forward(ctx, x, decimals):
        return RoundDecimals.run(x._data, decimals)

    @staticmethod
    def backward(ctx, g):
        return g * 0, None


class Logit(Op):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""

    @staticmethod
    def run(a, eps):
        a = _float(a)
        if eps is not None:
            a = np.clip(a, a.dtype.type(eps), a.dtype.type(1 - eps))
        return arr(np.log(a / (1 - a)))

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        return Logit.run(x._data, eps)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        eps = ctx.eps
        lo, hi = (0.0, 1.0) if eps is None else (eps, 1.0 - eps)
        xd = x._data
        gx = g / (x * (1 - x))
        if eps is None:     # torch's kernel: dy * inf at exactly 0 and 1
            gx = where(_wrap((xd == 0) | (xd == 1)), g * float('inf'), gx)
        return where(_wrap((xd >= lo) & (xd <= hi)), gx, float('nan') if eps is None else 0.0), None


class NanToNum(Op):
    """nan, +inf and -inf replaced by numbers (default 0 and the dtype's largest finite values)."""

    @staticmethod
    def run(a, nan, posinf, neginf):
        if a.dtype.kind not in 'fc':
            return a.copy()
        return arr(np.nan_to_num(a, nan=0.0 if nan is None else nan, posinf=posinf,
                                       neginf=neginf))

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.finite = np.isfinite(x._data)
        return NanToNum.run(x._data, nan, posinf, neginf)

    @staticmethod
    def backward(ctx, g):
        return where(_wrap(ctx.finite), g, 0.0), None, None, None


def _with_args(op, name, input, args, out):
    if input._rg and _State.grad_enabled:
        r = op.apply(input, *args)
    else:
        r = _wrap(op.run(input._data, *args))
    return r if out is None else write_out(r, out, name)


def _with_args_(op, name, self, args):
    if self._rg and _State.grad_enabled:
        return inplace(self, lambda t, *a: _with_args(op, name, t, a, None), *args)
    write_inplace(self, op.run(self._data, *args))
    return self


def round(input, *, decimals=0, out=None):
    """Round to the nearest integer (halves to even), or to ``decimals`` decimal places."""
    if decimals == 0:
        return _round0(input, out=out)
    return _with_args(RoundDecimals, 'round', input, (decimals,), out)


def round_(self, *, decimals=0):
    return _round0_(self) if decimals == 0 else _with_args_(RoundDecimals, 'round', self, (decimals,))


def logit(input, eps=None, *, out=None):
    """log(input / (1 - input)); with eps, input is first clamped to [eps, 1 - eps]."""
    return _with_args(Logit, 'logit', input, (eps,), out)


def logit_(self, eps=None):
    return _with_args_(Logit, 'logit', self, (eps,))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace nan/+inf/-inf by nan (default 0) and posinf/neginf (default: the dtype's extremes)."""
    return _with_args(NanToNum, 'nan_to_num', input, (nan, posinf, neginf), out)


def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return _with_args_(NanToNum, 'nan_to_num', self, (nan, posinf, neginf))


def positive(input):
    """input itself (an error for bool tensors, like torch)."""
    if input._data.dtype.kind == 'b':
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _rtruediv(self, other):
    """other / self, computed as reciprocal(self) * other like torch."""
    return reciprocal(self) * other


absolute, absolute_ = abs, abs_
arcsin, arcsin_, arccos, arccos_, arctan, arctan_ = asin, asin_, acos, acos_, atan, atan_
arcsinh, arcsinh_, arccosh, arccosh_ = asinh, asinh_, acosh, acosh_
arctanh, arctanh_ = atanh, atanh_
fix, fix_ = trunc, trunc_

register(__abs__=abs, __pos__=positive, __rtruediv__=_rtruediv, __rdiv__=_rtruediv,
         round=round, round_=round_, logit=logit, logit_=logit_, nan_to_num=nan_to_num,
         nan_to_num_=nan_to_num_, positive=positive,
         absolute=abs, absolute_=abs_, arcsin=asin, arcsin_=asin_, arccos=acos, arccos_=acos_,
         arctan=atan, arctan_=atan_, arcsinh=asinh, arcsinh_=asinh_, arccosh=acosh, arccosh_=acosh_,
         arctanh=atanh, arctanh_=atanh_, fix=trunc, fix_=trunc_)
