"""Helpers shared by all ops: argument conversion, promotion, unbroadcasting, method registration."""
import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Op
from ..autograd.grad_mode import _State

__all__ = ['Tensor', 'Op', 'wrap_dim', 'dims_tuple', 'as_tensor', 'promote', 'sum_to', 'expand_to',
           'register', 'inplace', 'write_inplace', 'check_inplace', 'float_array', 'is_scalar']

wrap_dim = _wrap_dim
_wrap = Tensor._wrap


def is_scalar(x):
    return isinstance(x, (numbers.Number, np.bool_, np.number))


def dims_tuple(dim, ndim):
    """Normalise dim (int, sequence or None) to a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(int(dim), ndim),)
    dims = tuple(wrap_dim(int(d), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def as_tensor(x, dtype=None):
    """x as a Tensor (numbers, lists and arrays are wrapped; tensors are returned as they are)."""
    if isinstance(x, Tensor):
        return x
    if dtype is None:
        if isinstance(x, (bool, np.bool_)):
            dtype = _dtype.bool
        elif isinstance(x, (int, np.integer)):
            dtype = _dtype.int64
        elif isinstance(x, (float, np.floating)):
            dtype = _dtype.get_default_dtype()
    if dtype is not None:
        return _wrap(np.asarray(x, dtype=dtype.np))
    from .factories import tensor
    return tensor(x)


def promote(*xs):
    """torch.result_type of the operands, as a NumPy dtype."""
    return _dtype.result_type(*xs).np


def float_array(t):
    """t's array, cast to the default float dtype when t is integral or bool (torch's rule for
    exp, sqrt, true division, ...)."""
    a = t._data
    if a.dtype.kind in 'fc':
        return a
    return a.astype(_dtype.get_default_dtype().np)


class SumToSize(Op):
    """Sum a gradient back to the shape of a broadcast input."""
    _bname = 'SumToSizeBackward0'

    @staticmethod
    def forward(ctx, x, shape):
        a = x._data
        ctx.in_shape = a.shape
        lead = a.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and a.shape[i + lead] != 1)
        if axes:
            a = a.sum(axis=axes, keepdims=True)
            if lead:
                a = a.reshape(shape)
        return a

    @staticmethod
    def backward(ctx, g):
        return expand_to(g, ctx.in_shape), None


class ExpandTo(Op):
    """Broadcast to a larger shape (a read-only view)."""
    _bname = 'ExpandBackward0'
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x._data.shape
        return np.broadcast_to(x._data, shape)

    @staticmethod
    def backward(ctx, g):
        return sum_to(g, ctx.in_shape), None


def sum_to(g, shape):
    """Reduce a gradient to ``shape`` by summing broadcast dimensions (no-op when equal)."""
    if g._data.shape == tuple(shape):
        return g
    return SumToSize.apply(g, tuple(shape))


def expand_to(g, shape):
    if g._data.shape == tuple(shape):
        return g
    return ExpandTo.apply(g, tuple(shape))


def register(**methods):
    """Attach functions to Tensor as methods (``register(add=add, __add__=add)``)."""
    for name, fn in methods.items():
        setattr(Tensor, name, fn)


def check_inplace(t):
    """Refuse in-place ops on leaves that require grad (while grad mode is on)."""
    if t._rg and t.grad_fn is None and _State.grad_enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if t._view_base is not None:
        from .views import check_view_inplace
        check_view_inplace(t)


def write_inplace(t, data):
    """Copy ``data`` into t's storage with torch's checks on shape and dtype, and bump its version."""
    dst = t._data
    if data.shape != dst.shape:
        try:
            bshape = np.broadcast_shapes(data.shape, dst.shape)
        except ValueError:
            bshape = None
        if bshape != dst.shape:
            raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                               f"{list(bshape if bshape is not None else data.shape)}")
    if data.dtype != dst.dtype:
        src_dt, dst_dt = _dtype.from_numpy_dtype(data.dtype), _dtype.from_numpy_dtype(dst.dtype)
        if not _dtype.can_cast(src_dt, dst_dt):
            raise RuntimeError(f"result type {_short(src_dt)} can't be cast to the desired output type "
                               f"{_short(dst_dt)}")
    if not dst.flags.writeable:
        raise RuntimeError("unsupported operation: the tensor is an expanded view (more than one element "
                           "of the written-to tensor refers to a single memory location). Please clone() "
                           "the tensor before performing the operation.")
    np.copyto(dst, data, casting='unsafe')
    t._vc[0] += 1


def _short(d):
    return {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long', 'int32': 'Int',
            'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool', 'complex64': 'ComplexFloat',
            'complex128': 'ComplexDouble'}[d.name]


def inplace(t, fn, *args, **kwargs):
    """torch's ``t.op_(...)``: compute ``fn(t, *args)`` and write it into t; when autograd tracks
    the op, t's history is rebased onto the new node (its old value is kept for backward)."""
    check_inplace(t)
    tracked = _State.grad_enabled and (t._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if not tracked:
        out = fn(t, *args, **kwargs)
        write_inplace(t, out._data)
        return t
    old = _wrap(t._data.copy(), t._rg, t.grad_fn, t._output_nr)
    out = fn(old, *args, **kwargs)
    write_inplace(t, out._data)
    if out._rg:
        t.grad_fn, t._output_nr, t._rg = out.grad_fn, out._output_nr, True
        if out.grad_fn is not None and out.grad_fn._out is not None:
            out.grad_fn._out = (t._data, t._vc, t._vc[0])
        if t._view_base is not None:
            from .views import rebase_view
            rebase_view(t)
    return t


def broadcast_error(sa, sb):
    """RuntimeError for shapes that do not broadcast, worded as torch words it."""
    n = max(len(sa), len(sb))
    for i in range(n - 1, -1, -1):
        off = n - 1 - i
        x = sa[len(sa) - 1 - off] if off < len(sa) else 1
        y = sb[len(sb) - 1 - off] if off < len(sb) else 1
        if x != y and x != 1 and y != 1:
            return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                f"non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together")


def operands(a, b):
    """The arrays of a and b (a Tensor or a Python number) cast to torch's result dtype."""
    ad = a._data
    if isinstance(b, Tensor):
        bd = b._data
        if ad.dtype != bd.dtype:
            dt = promote(a, b)
            return ad.astype(dt, copy=False), bd.astype(dt, copy=False)
        return ad, bd
    k = ad.dtype.kind
    if k in 'biu':
        if isinstance(b, (float, np.floating)):
            ad = ad.astype(_dtype.get_default_dtype().np)
        elif k == 'b' and isinstance(b, (int, np.integer)) and not isinstance(b, (bool, np.bool_)):
            ad = ad.astype(np.int64)
        elif isinstance(b, (complex, np.complexfloating)):
            ad = ad.astype(np.complex64)
    elif k == 'f' and isinstance(b, (complex, np.complexfloating)):
        ad = ad.astype(_dtype.from_numpy_dtype(ad.dtype).to_complex().np)
    if isinstance(b, np.generic):
        b = b.item()
    return ad, b


def shape_of(x):
    return x._data.shape if isinstance(x, Tensor) else ()
