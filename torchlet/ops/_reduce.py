"""Shared machinery of the reductions, cumulative ops and sorting: dim handling, keepdim
restoration, out= writing, and the differentiable gather/scatter/flip/shift primitives their
backward formulas are built from (so higher-order gradients work)."""
import numpy as np

from .. import _dtype
from .. import return_types
from ._util import Op, Tensor, dims_tuple, wrap_dim, expand_to

_wrap = Tensor._wrap

_SHORT = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long', 'int32': 'Int',
          'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool',
          'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble', 'bfloat16': 'BFloat16'}


def short_name(t):
    """torch's short dtype name (Long, Float, ...) of a tensor or dtype, for error messages."""
    d = t if isinstance(t, _dtype.dtype) else _dtype.from_numpy_dtype(t._data.dtype)
    return _SHORT[d.name]


def reduce_dims(dim, ndim):
    """Sorted non-negative axes to reduce: None or an empty list means all dims (torch's rule);
    a 0-dim tensor accepts dim 0 / -1 and reduces nothing."""
    if dim is None or (not isinstance(dim, (int, np.integer)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = dims_tuple(dim, ndim)
    return dims if ndim else ()


def np_axes(dims, ndim):
    """dims as NumPy's axis argument: None for a full reduction (NumPy's fast flat path)."""
    return None if len(dims) == ndim else dims


def gather(a, idx, dim):
    """np.take_along_axis, with a faster flat-index path along the last dim of a C-contiguous
    array (the common case of sort/topk/max)."""
    n = a.shape[dim] if a.ndim else 0
    if dim == a.ndim - 1 and n and a.flags.c_contiguous and idx.shape[:-1] == a.shape[:-1]:
        offsets = np.arange(0, a.size, n).reshape(a.shape[:-1] + (1,))
        return np.take(a.reshape(-1), idx + offsets)
    return np.take_along_axis(a, idx, dim)


def one_dim(dim, ndim):
    """A single reduction dim, wrapped (0 for a 0-dim tensor)."""
    return wrap_dim(int(dim), ndim) if ndim else 0


def keep_shape(shape, dims):
    """``shape`` with the reduced ``dims`` set to 1 (the keepdim=True result shape)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def restore(g, in_shape, dims, keepdim):
    """A reduced gradient reshaped back to keepdim form (differentiably)."""
    if keepdim or not in_shape:
        return g
    return g.reshape(keep_shape(in_shape, dims))


def spread(g, in_shape, dims, keepdim):
    """A reduced gradient broadcast back to the input's shape."""
    return expand_to(restore(g, in_shape, dims, keepdim), in_shape)


def const(a):
    """An ndarray as a constant tensor (no gradient) for use in backward formulas."""
    return _wrap(a)


def cast_grad(g, np_dtype):
    """Cast a gradient to the input's dtype when an op's dtype= changed it."""
    if g._data.dtype == np_dtype or np_dtype.kind not in 'fc':
        return g
    from .conversion import to_dtype
    return to_dtype(g, _dtype.from_numpy_dtype(np_dtype))


def np_dtype_arg(dtype):
    return None if dtype is None else dtype.np


def write_out(result, out, name):
    """Implement ``out=``: write result into out (resized like torch) and return out."""
    if out is None:
        return result
    from .elementwise import write_out as write
    return write(result, out, name)


def named_result(name, tensors, out=None):
    """A torch.return_types tuple; with ``out=(a, b, ...)`` the values are written into out."""
    if out is not None:
        if not isinstance(out, (tuple, list)) or len(out) != len(tensors):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(tensors)} Tensors")
        tensors = tuple(write_out(t, o, name) for t, o in zip(tensors, out))
    return return_types._build(name, tensors, out)


def check_nonempty(name, a, dims):
    """torch's IndexError for a value-selecting reduction over an empty dim."""
    if a.size == 0:
        for d in dims:
            if a.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def check_float(name, x):
    if x._data.dtype.kind not in 'fc':
        raise RuntimeError(f"{name}(): input dtype should be either floating point or complex "
                           f"dtypes. Got {short_name(x)} instead.")


# -- differentiable primitives used by backward formulas ----------------------------------------
def _along_index(idx, dim):
    """A full fancy index that addresses ``idx`` positions along ``dim``."""
    ix = list(np.ogrid[tuple(slice(0, s) for s in idx.shape)])
    ix[dim] = idx
    return tuple(ix)


class TakeAlong(Op):
    """x gathered along dim at integer positions idx (np.take_along_axis)."""
    _bname = 'GatherBackward0'

    @staticmethod
    def forward(ctx, x, dim, idx):
        ctx.shape, ctx.dim, ctx.idx = x._data.shape, dim, idx
        return np.take_along_axis(x._data, idx, dim)

    @staticmethod
    def backward(ctx, g):
        return scatter_along(g, ctx.dim, ctx.idx, ctx.shape, unique=False), None, None


class ScatterAlong(Op):
    """A zero tensor of ``shape`` with g added at positions idx along dim."""
    _bname = 'ScatterAddBackward0'

    @staticmethod
    def forward(ctx, g, dim, idx, shape, unique):
        ctx.dim, ctx.idx = dim, idx
        out = np.zeros(shape, g._data.dtype)
        if unique:
            np.put_along_axis(out, idx, g._data, dim)
        else:
            np.add.at(out, _along_index(idx, dim), g._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return take_along(gg, ctx.dim, ctx.idx), None, None, None, None


def take_along(x, dim, idx):
    return TakeAlong.apply(x, dim, idx)


def scatter_along(g, dim, idx, shape, unique=True):
    """Differentiable scatter; unique=False accumulates repeated positions."""
    return ScatterAlong.apply(g, dim, idx, tuple(shape), unique)


def select_backward(g, dim, idx, in_shape, keepdim):
    """Gradient of a value-selecting reduction (max(dim), kthvalue, median(dim), ...): g goes to the
    selected positions idx (given in keepdim form) and zero elsewhere."""
    if not in_shape:
        return g
    if not keepdim:
        g = g.reshape(idx.shape)
    return scatter_along(g, dim, idx, in_shape)


def spread_evenly(g, x, value, dims, keepdim, nan_matches=True):
    """Gradient of max()/amax/median(): g split evenly among the elements equal to the result.
    With nan_matches (max(), median()), NaN elements match a NaN result; without (amax, amin,
    aminmax), a NaN result gets a NaN gradient, as in torch."""
    a, v = x._data, value
    if not keepdim and dims:
        v = v.reshape(keep_shape(a.shape, dims))
    mask = a == v
    if nan_matches and a.dtype.kind == 'f':
        mask |= np.isnan(a) & np.isnan(v)
    with np.errstate(invalid='ignore', divide='ignore'):
        share = (mask / mask.sum(axis=dims, keepdims=True)).astype(a.dtype, copy=False)
    return spread(g, a.shape, dims, keepdim) * const(share)


class Flip(Op):
    _bname = 'FlipBackward0'

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.flip(x._data, dim).copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dim), None


def flip_dim(x, dim):
    return Flip.apply(x, dim)


class Shift(Op):
    """Shift along dim by one position (step=1: towards higher indices), filling the vacated
    slot with ``fill``; the gradient shifts back."""

    @staticmethod
    def forward(ctx, x, dim, step, fill):
        a = x._data
        ctx.dim, ctx.step = dim, step
        out = np.empty_like(a)
        n = a.shape[dim]
        src = [slice(None)] * a.ndim
        dst = list(src)
        edge = list(src)
        if step > 0:
            src[dim], dst[dim], edge[dim] = slice(0, n - 1), slice(1, n), slice(0, 1)
        else:
            src[dim], dst[dim], edge[dim] = slice(1, n), slice(0, n - 1), slice(n - 1, n)
        out[tuple(dst)] = a[tuple(src)]
        out[tuple(edge)] = fill
        return out

    @staticmethod
    def backward(ctx, g):
        return Shift.apply(g, ctx.dim, -ctx.step, 0), None, None, None


def shift(x, dim, step, fill):
    return Shift.apply(x, dim, step, fill)


class SelectAlong(Op):
    """Base of the ops that pick one or more elements along a dim (max(dim), kthvalue, median(dim),
    mode, sort, topk): subclasses define ``pick(a, dim, *params)`` returning int64 positions in
    keepdim layout; forward returns (values, indices) and backward scatters the gradient back to
    the picked positions. A 0-dim input is treated as a 1-element vector."""

    @staticmethod
    def pick(a, dim, *params):
        raise NotImplementedError

    @staticmethod
    def forward(ctx, x, dim, keepdim, *params):
        a = x._data
        ctx.in_shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        work = a.reshape(1) if a.ndim == 0 else a
        idx = ctx.pick(work, dim, *params).astype(np.int64, copy=False)
        ctx.idx = idx
        values = gather(work, idx, dim)
        if a.ndim == 0:
            return values.reshape(()), idx.reshape(())
        if not keepdim:
            return values.squeeze(dim), idx.squeeze(dim)
        return values, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        return (select_backward(g, ctx.dim, ctx.idx, ctx.in_shape, ctx.keepdim),) + (None,) * 8
