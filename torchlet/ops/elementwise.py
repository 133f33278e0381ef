"""Elementwise arithmetic: + - * / and friends, with broadcasting and torch's type promotion."""
import numpy as np

from ._util import (Op, Tensor, register, inplace, operands, broadcast_error, sum_to, shape_of,
                    as_tensor, float_array)
from .conversion import to_dtype
from .. import _dtype

__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'neg',
           'negative']


def meta(x):
    """What backward needs to know of an operand: its array's (shape, dtype), None for numbers."""
    return (x._data.shape, x._data.dtype) if isinstance(x, Tensor) else None


def grad_for(g, m):
    """g summed to the operand's shape and cast to its dtype (None when it was a number)."""
    if m is None:
        return None
    if isinstance(m, Tensor):
        m = (m._data.shape, m._data.dtype)
    g = sum_to(g, m[0])
    if g._data.dtype != m[1] and m[1].kind in 'fc':
        g = to_dtype(g, _dtype.from_numpy_dtype(m[1]))
    return g


def binary(fn, a, b):
    """fn(a, b) on arrays promoted by torch's rules, with torch's broadcasting error."""
    ad, bd = operands(a, b)
    try:
        return fn(ad, bd)
    except ValueError:
        raise broadcast_error(ad.shape, np.shape(bd)) from None


class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = meta(a), meta(b)
        return binary(np.add, a, b)

    @staticmethod
    def backward(ctx, g):
        return grad_for(g, ctx.a), grad_for(g, ctx.b)


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = meta(a), meta(b)
        ad, bd = operands(a, b)
        if ad.dtype.kind == 'b' and np.asarray(bd).dtype.kind == 'b':
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        try:
            return ad - bd
        except ValueError:
            raise broadcast_error(ad.shape, np.shape(bd)) from None

    @staticmethod
    def backward(ctx, g):
        gb = grad_for(g, ctx.b)
        return grad_for(g, ctx.a), (None if gb is None else -gb)


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return binary(np.multiply, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = grad_for(g * b, a) if ctx.needs_grad(0) else None
        gb = grad_for(g * a, b) if ctx.needs_grad(1) else None
        return ga, gb


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ad = a._data
        bd = b._data if isinstance(b, Tensor) else b
        if not (ad.dtype.kind == 'f' and getattr(bd, 'dtype', ad.dtype) == ad.dtype):
            dt = _dtype.result_type(a, b)
            if not (dt.is_floating_point or dt.is_complex):
                dt = _dtype.get_default_dtype()
            ad = ad.astype(dt.np, copy=False)
            if isinstance(b, Tensor):
                bd = bd.astype(dt.np, copy=False)
        try:
            return ad / bd
        except ValueError:
            raise broadcast_error(ad.shape, np.shape(bd)) from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = grad_for(g / b, a) if ctx.needs_grad(0) else None
        gb = grad_for(-g * a / (b * b), b) if ctx.needs_grad(1) else None
        return ga, gb


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == 'b':
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return -x._data

    @staticmethod
    def backward(ctx, g):
        return -g


def _scaled(other, alpha):
    return other if alpha == 1 else other * alpha


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other."""
    if not isinstance(input, Tensor):
        input = as_tensor(input)
    r = Add.apply(input, _scaled(other, alpha))
    return _out(r, out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if not isinstance(input, Tensor):
        input = as_tensor(input)
    return _out(Sub.apply(input, _scaled(other, alpha)), out)


def mul(input, other, *, out=None):
    if not isinstance(input, Tensor):
        input = as_tensor(input)
    return _out(Mul.apply(input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    """True division (or 'trunc'/'floor' rounding, see floor_divide)."""
    if not isinstance(input, Tensor):
        input = as_tensor(input)
    if rounding_mode is None:
        return _out(Div.apply(input, other), out)
    from . import elementwise_more as em
    return _out(em.rounding_div(input, other, rounding_mode), out)


def neg(input, *, out=None):
    return _out(Neg.apply(input), out)


def _out(result, out):
    """Write result into ``out=`` (resizing it like torch) and return it."""
    if out is None:
        return result
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    from ._util import write_inplace
    write_inplace(out, result._data)
    return out


subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg


def _rsub(self, other):
    return Sub.apply(other if isinstance(other, Tensor) else _scalar_tensor(other, self), self)


def _scalar_tensor(x, like):
    """A Python number as a 0-dim tensor of the dtype it takes in an op with ``like``."""
    return Tensor._wrap(np.asarray(x, dtype=_dtype.result_type(like, x).np))


def _rdiv(self, other):
    return Div.apply(other if isinstance(other, Tensor) else _scalar_tensor(other, self), self)


register(add=add, sub=sub, subtract=sub, mul=mul, multiply=mul, div=div, divide=div, true_divide=div,
         neg=neg, negative=neg,
         __add__=lambda s, o: Add.apply(s, o), __radd__=lambda s, o: Add.apply(s, o),
         __sub__=lambda s, o: Sub.apply(s, o), __rsub__=_rsub,
         __mul__=lambda s, o: Mul.apply(s, o), __rmul__=lambda s, o: Mul.apply(s, o),
         __truediv__=lambda s, o: Div.apply(s, o), __rtruediv__=_rdiv,
         __neg__=lambda s: Neg.apply(s), __pos__=lambda s: s,
         add_=lambda s, o, *, alpha=1: inplace(s, add, o, alpha=alpha),
         sub_=lambda s, o, *, alpha=1: inplace(s, sub, o, alpha=alpha),
         mul_=lambda s, o: inplace(s, mul, o), div_=lambda s, o, *, rounding_mode=None:
         inplace(s, div, o, rounding_mode=rounding_mode), neg_=lambda s: inplace(s, neg),
         __iadd__=lambda s, o: inplace(s, add, o), __isub__=lambda s, o: inplace(s, sub, o),
         __imul__=lambda s, o: inplace(s, mul, o), __itruediv__=lambda s, o: inplace(s, div, o))
