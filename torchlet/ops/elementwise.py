"""Elementwise arithmetic: add, sub, rsub, mul, div, neg, the operators + - * / and unary -, their
reflected and in-place forms (``x += y`` writes into x's storage when autograd is not involved)."""
import numpy as np

from ..autograd.grad_mode import _State
from ._util import Op, Tensor, register, inplace, broadcast_error
from ._pointwise import (Unsupported, arr, needs_graph, pair, apply_ufunc, meta, grad_for,
                         as_input, fast_binary, write_out, float_pair)

__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'neg',
           'negative', 'rsub', 'neg_', 'negative_']

_wrap = Tensor._wrap
_ndarray = np.ndarray
_out = write_out        # the name other modules used before _pointwise existed


def inplace_ufunc(self, other, ufunc, fn, alpha=1):
    """``self.op_(other[, alpha=])`` for + - * /: NumPy writes straight into self's storage when
    autograd is not involved and the result keeps self's dtype; otherwise ``fn`` computes it and
    torch's checks (leaf, dtype, shape) apply while copying it in."""
    unit = alpha == 1 and alpha is not True
    if not needs_graph(self, other):
        ad, bd = pair(self, other)
        k = ad.dtype.kind
        if ad is self._data and k != 'b' and (k in 'fc' or ufunc is not np.true_divide):
            if not unit:
                _check_alpha(ad, alpha)
                bd = bd * alpha
            try:
                ufunc(ad, bd, out=ad)
            except ValueError:
                pass      # broadcast to a bigger shape or a read-only view: worded below
            else:
                self._vc[0] += 1
                return self
    return inplace(self, fn, other) if unit else inplace(self, fn, other, alpha=alpha)


# -- add / sub ---------------------------------------------------------------------------------
def _check_alpha(ad, alpha):
    """torch's rules for alpha: no float alpha for integral results, bool alpha only for bool."""
    k = ad.dtype.kind
    if isinstance(alpha, bool):
        if k != 'b':
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, float) and k in 'biu':
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point "
                           "number.")


def _scale(ad, bd, alpha):
    _check_alpha(ad, alpha)
    if ad.dtype.kind == 'b':
        return bd if alpha else np.zeros_like(bd)
    return bd * alpha


def _unit(alpha):
    return alpha == 1 and alpha is not True


def _is_bool(x):
    return x._data.dtype.kind == 'b' if isinstance(x, Tensor) else isinstance(x, (bool, np.bool_))


def _sub_operands(a, b):
    """pair(a, b) for a subtraction, which torch refuses with bool operands."""
    if a._data.dtype.kind == 'b' or _is_bool(b):
        if _is_bool(a) and _is_bool(b):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return pair(a, b)


def add_arrays(a, b, alpha=1):
    """a + alpha * b."""
    ad, bd = pair(a, b)
    if not _unit(alpha):
        bd = _scale(ad, bd, alpha)
    return apply_ufunc(np.add, ad, bd)


def sub_arrays(a, b, alpha=1):
    """a - alpha * b."""
    ad, bd = _sub_operands(a, b)
    if not _unit(alpha):
        bd = _scale(ad, bd, alpha)
    return apply_ufunc(np.subtract, ad, bd)


def rsub_arrays(a, b, alpha=1):
    """b - alpha * a (b a tensor or a number)."""
    ad, bd = _sub_operands(a, b)
    if not _unit(alpha):
        ad = _scale(ad, ad, alpha)
    return apply_ufunc(np.subtract, bd, ad)


class Add(Op):
    """input + alpha * other. Sub and Rsub differ only in which operand is scaled (``scaled``) and
    by which sign (``sign``)."""
    scaled, sign = 1, 1
    compute = staticmethod(add_arrays)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.a, ctx.b, ctx.alpha = meta(a), meta(b), alpha
        return ctx.compute(a, b, alpha)

    @staticmethod
    def backward(ctx, g):
        grads = [grad_for(g, ctx.a), grad_for(g, ctx.b), None]
        i, k = ctx.scaled, ctx.sign * ctx.alpha
        if grads[i] is not None and k != 1:
            grads[i] = -grads[i] if k == -1 else grads[i] * k
        return tuple(grads)


class Sub(Add):
    """input - alpha * other."""
    sign = -1
    compute = staticmethod(sub_arrays)


class Rsub(Add):
    """other - alpha * input (``1 - x``)."""
    _bname = 'RsubBackward1'
    scaled, sign = 0, -1
    compute = staticmethod(rsub_arrays)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if isinstance(b, Tensor):
            ctx._bname = 'RsubBackward0'
        return Add.forward(ctx, a, b, alpha)


# -- mul / div / neg ---------------------------------------------------------------------------
def mul_arrays(a, b):
    ad, bd = pair(a, b)
    return apply_ufunc(np.multiply, ad, bd)


def div_arrays(a, b):
    """True division: integral operands are divided in the default float dtype."""
    return apply_ufunc(np.true_divide, *float_pair(*pair(a, b)))


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return mul_arrays(a, b)

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
        return div_arrays(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = grad_for(g / b, a) if ctx.needs_grad(0) else None
        gb = grad_for(-g * a / (b * b), b) if ctx.needs_grad(1) else None
        return ga, gb


def neg_array(x):
    a = x._data
    if a.dtype.kind == 'b':
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return arr(np.negative(a))


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        return neg_array(x)

    @staticmethod
    def backward(ctx, g):
        return -g


# -- public functions --------------------------------------------------------------------------
def _operator(op, ufunc, compute, swap=False):
    """The Python operator of an arithmetic op (``swap``: the reflected ``b - a``). Float tensors
    with a tensor of the same dtype or a Python number, most of a model's arithmetic, are computed
    inline; everything else goes through :func:`fast_binary`."""
    apply = op.apply
    general = fast_binary(op, compute)

    def run(a, b):
        ad = a._data
        if ad.dtype.kind == 'f':
            if isinstance(b, Tensor):
                bd = b._data
                if bd.dtype == ad.dtype:
                    if _State.grad_enabled and (a._rg or b._rg):
                        return apply(a, b)
                    try:
                        r = ufunc(bd, ad) if swap else ufunc(ad, bd)
                    except ValueError:
                        raise broadcast_error(ad.shape, bd.shape) from None
                    return _wrap(r if r.__class__ is _ndarray else np.asarray(r))
            elif b.__class__ is float or b.__class__ is int:
                if _State.grad_enabled and a._rg:
                    return apply(a, b)
                r = ufunc(b, ad) if swap else ufunc(ad, b)
                return _wrap(r if r.__class__ is _ndarray else np.asarray(r))
        return general(a, b)
    return run


_add_op = _operator(Add, np.add, add_arrays)
_sub_op = _operator(Sub, np.subtract, sub_arrays)
_rsub_op = _operator(Rsub, np.subtract, rsub_arrays, swap=True)
_mul_op = _operator(Mul, np.multiply, mul_arrays)
_div_op = _operator(Div, np.true_divide, div_arrays)


def _binary_fn(name, op, compute, input, other, out, *extra):
    """Shared body of the function forms: input may be a number, other must be a tensor or number."""
    if not isinstance(input, Tensor):
        input = as_input(input, name)
    try:
        if needs_graph(input, other):
            r = op.apply(input, other, *extra)
        else:
            r = _wrap(compute(input, other, *extra))
    except Unsupported:
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}") from None
    return r if out is None else write_out(r, out, name)


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcasting, with torch's type promotion."""
    return _binary_fn('add', Add, add_arrays, input, other, out, alpha)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    return _binary_fn('sub', Sub, sub_arrays, input, other, out, alpha)


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    return _binary_fn('rsub', Rsub, rsub_arrays, input, other, None, alpha)


def mul(input, other, *, out=None):
    """input * other."""
    return _binary_fn('mul', Mul, mul_arrays, input, other, out)


def div(input, other, *, rounding_mode=None, out=None):
    """input / other: true division, or rounded with rounding_mode='trunc' or 'floor'."""
    if rounding_mode is None:
        return _binary_fn('div', Div, div_arrays, input, other, out)
    from .division import rounding_div
    r = rounding_div(as_input(input, 'div'), other, rounding_mode)
    return r if out is None else write_out(r, out, 'div')


def true_divide(input, other, *, out=None):
    return _binary_fn('true_divide', Div, div_arrays, input, other, out)


def neg(input, *, out=None):
    """-input."""
    if input._rg and _State.grad_enabled:
        r = Neg.apply(input)
    else:
        r = _wrap(neg_array(input))
    return r if out is None else write_out(r, out, 'neg')


def neg_(input):
    """-input, in place."""
    return inplace(input, neg)


subtract, multiply, divide, negative, negative_ = sub, mul, div, neg, neg_


def _inplace_method(ufunc, fn):
    """``x.op_(other)`` (and ``x op= other``) for an arithmetic ufunc."""
    def method(self, other):
        return inplace_ufunc(self, other, ufunc, fn)
    method.__name__ = fn.__name__ + '_'
    return method


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return inplace_ufunc(self, other, np.true_divide, div)
    return inplace(self, div, other, rounding_mode=rounding_mode)


def _add_(self, other, *, alpha=1):
    return inplace_ufunc(self, other, np.add, add, alpha)


def _sub_(self, other, *, alpha=1):
    return inplace_ufunc(self, other, np.subtract, sub, alpha)


_mul_ = _inplace_method(np.multiply, mul)
_true_divide_ = _inplace_method(np.true_divide, div)

register(add=add, sub=sub, subtract=sub, mul=mul, multiply=mul, div=div, divide=div,
         true_divide=true_divide, neg=neg, negative=neg,
         __add__=_add_op, __radd__=_add_op, __sub__=_sub_op, __rsub__=_rsub_op,
         __mul__=_mul_op, __rmul__=_mul_op, __truediv__=_div_op, __neg__=neg,
         add_=_add_, sub_=_sub_, subtract_=_sub_, mul_=_mul_, multiply_=_mul_, div_=_div_,
         divide_=_div_, true_divide_=_true_divide_, neg_=neg_, negative_=neg_,
         __iadd__=_inplace_method(np.add, add), __isub__=_inplace_method(np.subtract, sub),
         __imul__=_mul_, __itruediv__=_true_divide_)
