"""Elementwise arithmetic (+ - * / neg) and the machinery every elementwise op shares: operand
promotion by torch's rules, gradient reduction to an operand's shape, ``out=`` and fast paths that skip
the autograd node when no gradient is needed.

The pattern of an op: a ``compute(...)`` function on tensors/numbers that returns an ndarray, an
``Op`` whose ``forward`` saves what ``backward`` needs and calls the same ``compute``, and public
functions that call ``compute`` directly when autograd is off (see :func:`fast_binary`).
"""
import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _State
from ._util import (Op, Tensor, register, inplace, operands, broadcast_error, sum_to, write_inplace,
                    _short)
from .conversion import to_dtype

__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'neg',
           'negative', 'rsub']

# torch never warns about overflow, division by zero or invalid values (log(-1), 0/0): silence
# NumPy's floating-point warnings once here, since a per-op np.errstate costs more than the op.
np.seterr(all='ignore')

_wrap = Tensor._wrap
_ndarray = np.ndarray
_NUMBER_TYPES = (int, float, bool, complex, np.number, np.bool_)


class Unsupported(TypeError):
    """An operand that is neither a Tensor nor a number (operators answer NotImplemented)."""


def arr(r):
    """r as an ndarray (NumPy ufuncs return scalars for 0-dim inputs)."""
    return r if r.__class__ is _ndarray else np.asarray(r)


def needs_graph(a, b):
    """Whether autograd must record an op on tensor a and operand b."""
    return _State.grad_enabled and (a._rg or (isinstance(b, Tensor) and b._rg))


def pair(a, b):
    """The arrays of tensor a and operand b (a Tensor or a Python number), promoted by torch's rules;
    b stays a Python number where NumPy's weak scalar rules already give torch's result."""
    ad = a._data
    if isinstance(b, Tensor):
        bd = b._data
        if ad.dtype == bd.dtype:
            return ad, bd
        return operands(a, b)
    cls = b.__class__
    if cls is float or cls is int:
        k = ad.dtype.kind
        if k == 'f' or (k == 'i' and cls is int and ad.dtype.itemsize == 8 and
                        -0x8000000000000000 <= b <= 0x7fffffffffffffff):
            return ad, b
    elif not isinstance(b, _NUMBER_TYPES):
        if isinstance(b, np.ndarray):
            from .factories import tensor
            return pair(a, tensor(b))
        raise Unsupported(f"argument 'other' must be Tensor or a number, not {cls.__name__}")
    ad, b = operands(a, b)
    if isinstance(b, int) and ad.dtype.kind in 'iu' and not isinstance(b, bool):
        info = np.iinfo(ad.dtype)
        if not info.min <= b <= info.max:   # torch casts the number to the tensor's type (wrapping)
            b = np.array(b & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64).astype(ad.dtype)
    return ad, b


def apply_ufunc(fn, ad, bd):
    """fn(ad, bd) as an ndarray, with torch's message when the shapes do not broadcast."""
    try:
        return arr(fn(ad, bd))
    except ValueError:
        raise broadcast_error(ad.shape, np.shape(bd)) from None


def meta(x):
    """What backward needs to know of an operand: its array's (shape, dtype), None for numbers."""
    return (x._data.shape, x._data.dtype) if isinstance(x, Tensor) else None


def grad_for(g, m):
    """g summed to the operand's shape and cast to its dtype (None when it was a number). ``m`` is
    a tensor, its :func:`meta`, or None."""
    if m is None:
        return None
    if isinstance(m, Tensor):
        m = (m._data.shape, m._data.dtype)
    if g._data.shape != m[0]:
        g = sum_to(g, m[0])
    if g._data.dtype != m[1] and m[1].kind in 'fc':
        g = to_dtype(g, _dtype.from_numpy_dtype(m[1]))
    return g


def as_input(x, name='input'):
    """The first argument of a function form: a Tensor (numbers become 0-dim tensors)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, _NUMBER_TYPES):
        from ._util import as_tensor
        return as_tensor(x)
    raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def fast_binary(op, compute):
    """``run(a, b)``: compute(a, b) wrapped as a Tensor, through ``op.apply`` only when autograd
    must record it; an unsupported operand gives NotImplemented (for Python operators)."""
    apply = op.apply

    def run(a, b):
        try:
            if _State.grad_enabled and (a._rg or (isinstance(b, Tensor) and b._rg)):
                return apply(a, b)
            return _wrap(compute(a, b))
        except Unsupported:
            return NotImplemented
    return run


class NotDifferentiable(Op):
    """An op torch has no derivative for (floor_divide, heaviside, ...): a float result of inputs
    that require grad still requires grad, but backward raises torch's error."""
    op_name = ''

    def name(self):
        return 'torch::autograd::NotImplemented'

    @staticmethod
    def forward(ctx, data, *inputs):
        return data

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"derivative for aten::{ctx.op_name} is not implemented")

    @classmethod
    def wrap(cls, data, *inputs):
        """data (the op's result array) as a Tensor, linked to inputs when they require grad."""
        if _State.grad_enabled and data.dtype.kind in 'fc' and any(
                isinstance(t, Tensor) and t._rg for t in inputs):
            return cls.apply(data, *inputs)
        return _wrap(data)


def write_out(result, out, name):
    """Write result into ``out=`` (resizing it like torch) and return out."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if result._rg:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    shape = result._data.shape
    if out._data.shape != shape:
        if out._data.size:
            import warnings
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output shape "
                          f"{list(shape)}. This behavior is deprecated, and in a future PyTorch "
                          "release outputs will not be resized unless they have zero elements. You "
                          "can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          "elements with t.resize_(0).", UserWarning, stacklevel=3)
        out._data = np.empty(shape, out._data.dtype)
    write_inplace(out, result._data)
    return out


_out = write_out


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


# -- binary ops of a tensor and a tensor or number -----------------------------------------------
def float_pair(ad, bd):
    """Integral operands in the default float dtype (ops whose integral results are floats)."""
    if ad.dtype.kind in 'biu':
        f = _dtype.get_default_dtype().np
        ad = ad.astype(f)
        if isinstance(bd, np.ndarray):
            bd = bd.astype(f)
    return ad, bd


def kernel_error(kernel, dtype):
    """torch's NotImplementedError for a kernel that lacks a dtype (bool abs, float bitwise_and)."""
    return NotImplementedError(f'"{kernel}" not implemented for '
                               f"'{_short(_dtype.from_numpy_dtype(dtype))}'")


class Binary(Op):
    """An elementwise op of a tensor and a tensor or number. ``fn`` is the ufunc on promoted
    arrays; ``floats`` computes integral inputs in the default float dtype; ``kernel`` names torch's
    kernel in the error for bool inputs (``no_bool``) or integral ones (``floats_only``)."""
    fn = None
    floats = False
    kernel = None
    no_bool = False
    floats_only = False
    _scalar_bname = None      # the grad_fn name when b is a number

    @classmethod
    def compute(cls, a, b):
        ad, bd = pair(a, b)
        k = ad.dtype.kind
        if (cls.no_bool and k == 'b') or (cls.floats_only and k in 'biu'):
            raise kernel_error(cls.kernel, ad.dtype)
        if cls.floats:
            ad, bd = float_pair(ad, bd)
        return apply_ufunc(cls.fn, ad, bd)

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if ctx._scalar_bname is not None and not isinstance(b, Tensor):
            ctx._bname = ctx._scalar_bname
        return ctx.compute(a, b)


def define_binary(op, name, tensor_other=False, tensor_input=True, has_inplace=True):
    """(function, in-place method) of a Binary op, registered as Tensor methods. ``tensor_other``:
    torch accepts only a tensor as other (maximum, atan2, ...)."""
    run = fast_binary(op, op.compute)

    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            if tensor_input:
                raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                                f"{type(input).__name__}")
            input = as_input(input, name)
        if tensor_other and not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        r = run(input, other)
        if r is NotImplemented:
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        return r if out is None else write_out(r, out, name)

    def fn_(self, other):
        if needs_graph(self, other):
            return inplace(self, fn, other)
        write_inplace(self, op.compute(self, other))
        return self
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + '_'
    fn.__doc__ = op.__doc__
    register(**({name: fn, name + '_': fn_} if has_inplace else {name: fn}))
    return fn, fn_



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


def add_arrays(a, b, alpha=1):
    ad, bd = pair(a, b)
    if not _unit(alpha):
        bd = _scale(ad, bd, alpha)
    return apply_ufunc(np.add, ad, bd)


def _unit(alpha):
    return alpha == 1 and alpha is not True


def _is_bool(x):
    return x._data.dtype.kind == 'b' if isinstance(x, Tensor) else isinstance(x, (bool, np.bool_))


def _check_sub(a, b):
    """torch refuses subtraction with bool operands."""
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")


def sub_arrays(a, b, alpha=1):
    """a - alpha * b."""
    if a._data.dtype.kind == 'b' or b.__class__ is bool or isinstance(b, Tensor) and b._data.dtype.kind == 'b':
        _check_sub(a, b)
    ad, bd = pair(a, b)
    if not _unit(alpha):
        bd = _scale(ad, bd, alpha)
    return apply_ufunc(np.subtract, ad, bd)


def rsub_arrays(a, b, alpha=1):
    """b - alpha * a (b a tensor or a number)."""
    if a._data.dtype.kind == 'b' or b.__class__ is bool or isinstance(b, Tensor) and b._data.dtype.kind == 'b':
        _check_sub(a, b)
    ad, bd = pair(a, b)
    if not _unit(alpha):
        ad = _scale(ad, ad, alpha)
    return apply_ufunc(np.subtract, bd, ad)


class Add(Op):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.a, ctx.b, ctx.alpha = meta(a), meta(b), alpha
        return add_arrays(a, b, alpha)

    @staticmethod
    def backward(ctx, g):
        gb = grad_for(g, ctx.b)
        if gb is not None and ctx.alpha != 1:
            gb = gb * ctx.alpha
        return grad_for(g, ctx.a), gb, None


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.a, ctx.b, ctx.alpha = meta(a), meta(b), alpha
        return sub_arrays(a, b, alpha)

    @staticmethod
    def backward(ctx, g):
        gb = grad_for(g, ctx.b)
        if gb is not None:
            gb = -gb if ctx.alpha == 1 else gb * -ctx.alpha
        return grad_for(g, ctx.a), gb, None


class Rsub(Op):
    """other - alpha * input (``1 - x``)."""
    _bname = 'RsubBackward1'

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.a, ctx.b, ctx.alpha = meta(a), meta(b), alpha
        if isinstance(b, Tensor):
            ctx._bname = 'RsubBackward0'
        return rsub_arrays(a, b, alpha)

    @staticmethod
    def backward(ctx, g):
        ga = grad_for(g, ctx.a)
        if ga is not None:
            ga = -ga if ctx.alpha == 1 else ga * -ctx.alpha
        return ga, grad_for(g, ctx.b), None


# -- mul / div / neg ---------------------------------------------------------------------------
def mul_arrays(a, b):
    ad, bd = pair(a, b)
    return apply_ufunc(np.multiply, ad, bd)


def div_arrays(a, b):
    """True division: integral operands are divided in the default float dtype."""
    ad, bd = pair(a, b)
    if ad.dtype.kind in 'biu':
        f = _dtype.get_default_dtype().np
        ad = ad.astype(f)
        if isinstance(bd, _ndarray):
            bd = bd.astype(f)
    return apply_ufunc(np.true_divide, ad, bd)


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
    if _unit(alpha):
        return _binary_fn('add', Add, add_arrays, input, other, out)
    return _binary_fn('add', Add, add_arrays, input, other, out, alpha)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if _unit(alpha):
        return _binary_fn('sub', Sub, sub_arrays, input, other, out)
    return _binary_fn('sub', Sub, sub_arrays, input, other, out, alpha)


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    if _unit(alpha):
        return _binary_fn('rsub', Rsub, rsub_arrays, input, other, None)
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


subtract, multiply, divide, negative = sub, mul, div, neg


def _neg_op(self):
    if self._rg and _State.grad_enabled:
        return Neg.apply(self)
    return _wrap(neg_array(self))


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
         __mul__=_mul_op, __rmul__=_mul_op, __truediv__=_div_op, __neg__=_neg_op,
         add_=_add_, sub_=_sub_, subtract_=_sub_, mul_=_mul_, multiply_=_mul_, div_=_div_, divide_=_div_,
         true_divide_=_true_divide_, neg_=lambda s: inplace(s, neg), negative_=lambda s: inplace(s, neg),
         __iadd__=_inplace_method(np.add, add), __isub__=_inplace_method(np.subtract, sub),
         __imul__=_mul_, __itruediv__=_true_divide_)
