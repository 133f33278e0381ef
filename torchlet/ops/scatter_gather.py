"""Index ops along a dim or over flat positions: take/put, gather/take_along_dim, scatter
(+ add/reduce), index_add/index_copy/index_fill and index_put. Reads are `Index` nodes, writes are
`Put` nodes (see indexing.py)."""
import numpy as np

from ._util import Op, Tensor, register, wrap_dim, _short
from .shape import Slice, expand, reshape
from .indexing import (Index, ZeroAt, put_at, put_at_, parse_index, _index_array, _check_range, _along,
                       _fill_name, _fill_value)

__all__ = ['take', 'take_along_dim', 'gather', 'scatter', 'scatter_add', 'scatter_reduce', 'index_add',
           'index_copy', 'index_fill', 'index_put', 'index_put_', 'put']


def _vector_index(index, fn, exc=IndexError):
    a = _index_array(index, fn)
    if a.ndim > 1:
        raise exc(f"{fn}(): Index is supposed to be a vector, but got dim: {a.ndim} with type: "
                  f"{_short(index.dtype)} and size: {list(a.shape)}")
    return a.reshape(-1)


def _flat_coords(x, index, fn):
    """The multi-index of flat (possibly negative) indices into x, torch's range check first."""
    idx = _index_array(index, fn)
    n = x._data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.min() if idx.min() < -n else idx.max()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    if not x._data.ndim:
        return (np.zeros(idx.shape, np.int64),) if idx.ndim else (0, Ellipsis)
    return np.unravel_index(np.where(idx < 0, idx + n, idx), x._data.shape)


class Take(Index):
    pass


def take(input, index):
    """input treated as 1-D, read at index (the result has index's shape)."""
    return Take.apply(input, _flat_coords(input, index, 'take'))


def put(input, index, source, accumulate=False):
    """A copy of input (treated as 1-D) with source written (or added) at index."""
    coords = _flat_coords(input, index, 'put')
    return put_at(input, coords, _put_source(index, source, input), accumulate, 'PutBackward0')


def put_(self, index, source, accumulate=False):
    coords = _flat_coords(self, index, 'put_')
    return put_at_(self, coords, _put_source(index, source, self), accumulate, 'PutBackward0')


def _put_source(index, source, x):
    if source._data.size != index._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source._data.size}, index.numel() = {index._data.size}")
    if source._data.dtype != x._data.dtype:
        raise RuntimeError(f"put_(): self ({_short(x.dtype)}) and source ({_short(source.dtype)}) must have "
                           "the same scalar type")
    return reshape(source, index._data.shape)


# -- gather / scatter --------------------------------------------------------------------------
def _coords(idx, dim):
    """The NumPy index that makes x[coords][i, j, ...] = x[..., idx[i, j, ...], ...] along dim."""
    n = idx.ndim
    grids = [np.arange(s).reshape((1,) * d + (s,) + (1,) * (n - d - 1)) for d, s in enumerate(idx.shape)]
    grids[dim] = idx
    return tuple(grids)


def _check_gather(a, dim, idx, fn, src=None):
    if idx.ndim != max(a.ndim, 1) and not (a.ndim == 0 and idx.ndim <= 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if fn == 'gather' else 'self'} tensor")
    if src is not None and src.ndim != idx.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    shape = a.shape if a.ndim else (1,)
    for d, s in enumerate(idx.shape):
        if (d != dim and s > shape[d]) or (src is not None and s > src.shape[d]):
            if src is not None:
                raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                                   f"{list(a.shape)} apart from dimension {dim} and to be no larger size "
                                   f"than src {list(src.shape)}")
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(idx.shape)} to "
                               f"be no larger than self {list(a.shape)} apart from dimension {dim}")
    _check_range(idx, shape[dim], dim)


class Gather(Index):
    pass


def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j] = input[index[i][j]][j] for dim 0 (and likewise for other dims)."""
    a = input._data
    d = wrap_dim(dim, a.ndim)
    idx = _index_array(index, 'gather')
    _check_gather(a, d, idx, 'gather')
    if a.ndim == 0:
        return Gather.apply(reshape(input, 1), _coords(idx.reshape(-1), 0)).reshape(idx.shape)
    return Gather.apply(input, _coords(idx, d))


def take_along_dim(input, indices, dim=None):
    """gather after broadcasting input and indices in every dim but dim (flattened when None)."""
    if dim is None:
        return gather(reshape(input, -1), 0, reshape(indices, -1))
    a, idx = input._data, _index_array(indices, 'take_along_dim')
    if a.ndim != idx.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {a.ndim} dimensions for input, and {idx.ndim} dimensions "
                           f"for indices")
    d = wrap_dim(dim, a.ndim)
    sa = a.shape[:d] + (1,) + a.shape[d + 1:]
    si = idx.shape[:d] + (1,) + idx.shape[d + 1:]
    b = broadcast_index_shape(sa, si)
    x = input if a.shape[:d] + a.shape[d + 1:] == b[:d] + b[d + 1:] else \
        expand(input, b[:d] + (a.shape[d],) + b[d + 1:])
    idx = np.broadcast_to(idx, b[:d] + (idx.shape[d],) + b[d + 1:])
    _check_range(idx, a.shape[d], d, IndexError)
    return Gather.apply(x, _coords(idx, d))


def broadcast_index_shape(sa, sb):
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(sa, sb) from None


def _scatter_args(self, dim, index, src, fn, accumulate):
    a = self._data
    d = wrap_dim(dim, a.ndim)
    idx = _index_array(index, fn)
    if isinstance(src, Tensor):
        if src._data.dtype != a.dtype:
            raise RuntimeError(f"{fn}(): Expected self.dtype to be equal to src.dtype")
        _check_gather(a, d, idx, fn, src._data)
        if src._data.shape != idx.shape:
            src = Slice.apply(src, tuple(slice(0, s) for s in idx.shape) + (Ellipsis,))
    elif accumulate:
        raise TypeError(f"{fn}(): argument 'src' must be Tensor, not {type(src).__name__}")
    else:
        _check_gather(a, d, idx, fn)
    if a.ndim == 0:
        return (Ellipsis,) if idx.size else (np.zeros(0, np.int64),), src
    return _coords(idx, d), src


def _scatter_name(src, accumulate):
    if accumulate:
        return 'ScatterAddBackward0'
    return 'ScatterBackward0' if isinstance(src, Tensor) else 'ScatterBackward1'


_LEGACY_REDUCE = {'add': 'sum', 'multiply': 'prod'}


def _legacy_reduce(self, coords, src, reduce, in_place):
    """scatter(..., reduce='add'|'multiply'): scatter_reduce with sum/prod including self."""
    if reduce not in _LEGACY_REDUCE:
        raise RuntimeError("reduce argument must be either add or multiply.")
    if not isinstance(src, Tensor):
        src = Tensor._wrap(np.asarray(src, self._data.dtype))
    if in_place:
        from ._util import inplace
        return inplace(self, lambda x: ScatterReduce.apply(x, coords, src, _LEGACY_REDUCE[reduce], True))
    return ScatterReduce.apply(self, coords, src, _LEGACY_REDUCE[reduce], True)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with src (a tensor, or a number given as src or value) written at index
    along dim; reduce='add' / 'multiply' combines instead."""
    return _scatter(input, dim, index, src if src is not None else value, reduce, False)


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    return _scatter(self, dim, index, src if src is not None else value, reduce, True)


def _scatter(t, dim, index, src, reduce, in_place):
    """scatter / scatter_ once src is known (a tensor or a number)."""
    coords, src = _scatter_args(t, dim, index, src, 'scatter', False)
    if reduce is not None:
        return _legacy_reduce(t, coords, src, reduce, in_place)
    return (put_at_ if in_place else put_at)(t, coords, src, False, _scatter_name(src, False))


def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along dim (repeated indices accumulate)."""
    coords, src = _scatter_args(input, dim, index, src, 'scatter', True)
    return put_at(input, coords, src, True, 'ScatterAddBackward0')


def scatter_add_(self, dim, index, src):
    coords, src = _scatter_args(self, dim, index, src, 'scatter', True)
    return put_at_(self, coords, src, True, 'ScatterAddBackward0')


class ScatterReduce(Op):
    """scatter_reduce: reduce src into a copy of x at coords with sum/prod/mean/amax/amin."""
    _UFUNC = {'sum': np.add, 'mean': np.add, 'prod': np.multiply, 'amax': np.maximum, 'amin': np.minimum}

    @staticmethod
    def forward(ctx, x, coords, src, reduce, include_self):
        a, s = x._data, src._data
        ctx.coords, ctx.reduce, ctx.include_self = coords, reduce, include_self
        out = a.copy()
        if not include_self:
            out[coords] = _reduce_identity(reduce, a.dtype)
        ScatterReduce._UFUNC[reduce].at(out, coords, s)
        count = None
        if reduce in ('mean', 'amax', 'amin'):
            if reduce == 'mean':
                hit_self = np.ones(a.shape, np.int64)
                hit_src = 1
            else:
                hit_self = (a == out).astype(np.int64)
                hit_src = (s == out[coords])
                ctx.masks = (hit_self.astype(a.dtype), hit_src.astype(a.dtype))
            if not include_self:
                hit_self[coords] = 0
            count = hit_self
            np.add.at(count, coords, hit_src)
            count = np.maximum(count, 1)
            ctx.count = count.astype(a.dtype)
        if reduce == 'mean':
            out = out // count if a.dtype.kind in 'iub' else (out / count).astype(a.dtype)
        if reduce == 'prod':
            ctx.save_for_backward(x, src)
            ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        coords, reduce = ctx.coords, ctx.reduce
        wrap = Tensor._wrap
        if reduce == 'prod':
            x, src = ctx.saved_tensors
            go = g * wrap(ctx.out)
            gx, gs = go / x, Index.apply(go, coords) / src
        elif reduce == 'sum':
            gx, gs = g, Index.apply(g, coords)
        else:
            gc = g / wrap(ctx.count)
            gx, gs = gc, Index.apply(gc, coords)
            if reduce != 'mean':
                gx, gs = gx * wrap(ctx.masks[0]), gs * wrap(ctx.masks[1])
        if not ctx.include_self:
            gx = ZeroAt.apply(gx, coords)
        return gx, None, gs, None, None


def _reduce_identity(reduce, dt):
    """The value scattered positions start from when include_self=False."""
    if reduce in ('sum', 'mean'):
        return 0
    if reduce == 'prod':
        return 1
    if dt.kind in 'fc':
        return -np.inf if reduce == 'amax' else np.inf
    info = np.iinfo(dt)
    return info.min if reduce == 'amax' else info.max


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of input with src reduced in at index along dim ('sum', 'prod', 'mean', 'amax',
    'amin'); include_self=False leaves input's values at the scattered positions out."""
    if reduce not in ScatterReduce._UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    coords, src = _scatter_args(input, dim, index, src, 'scatter_reduce', True)
    return ScatterReduce.apply(input, coords, src, reduce, include_self)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    from ._util import inplace
    return inplace(self, scatter_reduce, dim, index, src, reduce, include_self=include_self)


# -- index_add / index_copy / index_fill / index_put ---------------------------------------------
def _along_dim_args(self, dim, index, source, fn):
    """The NumPy index of ``index`` along dim for index_add_/index_copy_/index_fill_, after
    torch's checks of the index and the source."""
    a = self._data
    d = wrap_dim(dim, a.ndim)
    idx = _vector_index(index, fn)
    if source is not None:
        (_check_add_source if fn == 'index_add_' else _check_copy_source)(self, source, d, idx.size)
    exc = IndexError if fn in ('index_copy_', 'index_fill_') else RuntimeError
    _check_range(idx, a.shape[d] if a.ndim else 1, d, exc, 'index_copy_(): ' if fn == 'index_copy_' else '')
    return _along(d, idx) if a.ndim else (Ellipsis,)


def _check_add_source(self, source, d, n_idx):
    a, s = self._data, source._data
    if s.dtype != a.dtype:
        raise RuntimeError(f"index_add_(): self ({_short(self.dtype)}) and source ({_short(source.dtype)}) "
                           "must have the same scalar type")
    if s.ndim != a.ndim or any(s.shape[k] != a.shape[k] for k in range(a.ndim) if k != d):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(a.shape)} source.shape = {list(s.shape)}")
    n_src = s.shape[d] if s.ndim else 1
    if n_src != n_idx:
        raise RuntimeError(f"index_add_(): Number of indices ({n_idx}) should be equal to source.size(dim): "
                           f"({n_src}), for dim: {d}")


def _check_copy_source(self, source, d, n_idx):
    a, s = self._data, source._data
    if s.dtype != a.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{_short(self.dtype)} and (source) {_short(source.dtype)}")
    n_src = s.shape[d] if s.ndim else 1
    if n_src != n_idx:
        raise IndexError(f"index_copy_(): Number of indices ({n_idx}) should be equal to source.size(dim) "
                         f"({n_src})")
    if s.ndim and s.ndim != a.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality "
                         f"must match. Source dimensionality ({s.ndim}), destination dimensionality "
                         f"({a.ndim})")
    dst_slice, src_slice = a.shape[:d] + a.shape[d + 1:], s.shape[:d] + s.shape[d + 1:]
    if src_slice != dst_slice:
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                           f"slice shape: {' '.join(map(str, dst_slice))} at dimension {d} and source slice "
                           f"shape: {' '.join(map(str, src_slice))} at dimension 0.")


def _scaled(source, alpha):
    return source if alpha == 1 else source * alpha


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source's slices added at index along dim."""
    at = _along_dim_args(input, dim, index, source, 'index_add_')
    return put_at(input, at, _scaled(source, alpha), True, 'IndexAddBackward0')


def index_add_(self, dim, index, source, *, alpha=1):
    at = _along_dim_args(self, dim, index, source, 'index_add_')
    return put_at_(self, at, _scaled(source, alpha), True, 'IndexAddBackward0')


def index_copy(input, dim, index, source):
    """A copy of input with source's slices written at index along dim."""
    at = _along_dim_args(input, dim, index, source, 'index_copy_')
    return put_at(input, at, source, False, 'IndexCopyBackward0')


def index_copy_(self, dim, index, source):
    at = _along_dim_args(self, dim, index, source, 'index_copy_')
    return put_at_(self, at, source, False, 'IndexCopyBackward0')


def index_fill(input, dim, index, value):
    """A copy of input with value (a number or 0-dim tensor) at index along dim."""
    at = _along_dim_args(input, dim, index, None, 'index_fill_')
    return put_at(input, at, _fill_value(value, 'index_fill_'), False, _fill_name('IndexFill', value))


def index_fill_(self, dim, index, value):
    at = _along_dim_args(self, dim, index, None, 'index_fill_')
    return put_at_(self, at, _fill_value(value, 'index_fill_'), False, _fill_name('IndexFill', value))


def _put_indices(indices):
    if isinstance(indices, Tensor):
        indices = (indices,)
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(t).__name__}")
    return parse_index(tuple(indices))[0]


def _put_values(input, values):
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_short(input.dtype)} for the destination and {_short(values.dtype)} for the "
                           "source.")
    return values


def index_put(input, indices, values, accumulate=False):
    """A copy of input with values written (or added) at input[indices] (a tuple of tensors)."""
    return put_at(input, _put_indices(indices), _put_values(input, values), accumulate, 'IndexPutBackward0')


def index_put_(input, indices, values, accumulate=False):
    return put_at_(input, _put_indices(indices), _put_values(input, values), accumulate,
                   'IndexPutBackward0')


register(take=take, put=put, put_=put_, take_along_dim=take_along_dim, gather=gather, scatter=scatter,
         scatter_=scatter_, scatter_add=scatter_add, scatter_add_=scatter_add_, scatter_reduce=scatter_reduce,
         scatter_reduce_=scatter_reduce_, index_add=index_add, index_add_=index_add_, index_copy=index_copy,
         index_copy_=index_copy_, index_fill=index_fill, index_fill_=index_fill_, index_put=index_put,
         index_put_=index_put_)
