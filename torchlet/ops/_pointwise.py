"""The machinery every elementwise op shares: operand promotion by torch's rules (:func:`pair`),
gradient reduction to an operand's shape and dtype (:func:`grad_for`), ``out=`` (:func:`write_out`),
torch's errors, and :class:`Binary`/:func:`define_binary`, the skeleton of a binary op whose public
function skips the autograd node when no gradient is needed (:func:`fast_binary`).

The pattern of an op: a ``compute(...)`` function on tensors/numbers that returns an ndarray, an
``Op`` whose ``forward`` saves what ``backward`` needs and calls the same ``compute``, and public
functions that call ``compute`` directly when autograd is off.
"""
import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _State
from ._util import (Op, Tensor, register, inplace, operands, broadcast_error, sum_to, write_inplace,
                    as_tensor, _short)
from .conversion import to_dtype

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


BLOCK = 1 << 15
_MASK_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def blockwise(kernel, out, *arrays):
    """kernel(out_block, *array_blocks) over flat blocks of out (C-contiguous) and same-shape
    arrays: a chain of NumPy passes then runs on cached blocks instead of streaming whole arrays
    through memory once per pass."""
    of = out.reshape(-1)
    flats = [a.reshape(-1) for a in arrays]
    for i in range(0, of.size, BLOCK):
        j = i + BLOCK
        kernel(of[i:j], *[f[i:j] for f in flats])
    return out


def masked(g, mask_of, *arrays):
    """Exactly where(mask_of(*arrays), g, 0) for float g, blockwise: the bits of g and'ed with an
    all-ones or all-zeros integer mask (torch's threshold backward; faster than np.where)."""
    it = _MASK_INT.get(g.dtype.itemsize)
    if it is None or g.dtype.kind != 'f':
        return np.where(mask_of(*arrays), g, g.dtype.type(0))
    out = np.empty(g.shape, g.dtype)

    def kernel(o, gb, *blocks):
        m = mask_of(*blocks).view(np.uint8).astype(it)
        np.negative(m, out=m)
        np.bitwise_and(gb.view(it), m, out=o.view(it))
    return blockwise(kernel, out, np.ascontiguousarray(g), *arrays)


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
