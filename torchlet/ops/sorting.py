"""Sorting and searching: sort, argsort, msort, topk, kthvalue, unique, unique_consecutive,
searchsorted, bucketize, bincount, histc."""
import numpy as np

from ._util import Tensor, register, wrap_dim
from ._reduce import one_dim, write_out, named_result, SelectAlong, short_name, gather

__all__ = ['sort', 'argsort', 'msort', 'topk', 'kthvalue', 'unique', 'unique_consecutive',
           'searchsorted', 'bucketize', 'bincount', 'histc']

_wrap = Tensor._wrap


def stable_argsort(a, dim, descending=False):
    """Stable argsort along dim; descending keeps equal elements in their original order and puts
    NaN first (ascending puts it last), as torch does."""
    if not descending:
        return _stable_ascending(a, dim)
    n = a.shape[dim]
    idx = _stable_ascending(np.flip(a, dim), dim)
    return (n - 1) - np.flip(idx, dim)


def _stable_ascending(a, dim):
    """NumPy's fast (unstable) float argsort when the result has no ties and no NaN, which make
    stability irrelevant; the stable merge/radix sort otherwise."""
    n = a.shape[dim]
    if a.dtype.kind == 'f' and n > 1:
        idx = np.argsort(a, axis=dim)
        s = gather(a, idx, dim)
        head, tail = [slice(None)] * a.ndim, [slice(None)] * a.ndim
        head[dim], tail[dim] = slice(0, n - 1), slice(1, n)
        if not (s[tuple(head)] == s[tuple(tail)]).any() and not np.isnan(s[tuple(tail)]).any():
            return idx
    return np.argsort(a, axis=dim, kind='stable')


# -- sort ------------------------------------------------------------------------------------------
class Sort(SelectAlong):
    pick = staticmethod(stable_argsort)


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """(values, indices) sorted along dim; always stable (ties keep their order)."""
    return named_result('sort', Sort.apply(input, one_dim(dim, input._data.ndim), True, descending),
                        out)


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort input along dim."""
    a = input._data
    if a.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    return _wrap(stable_argsort(a, one_dim(dim, a.ndim), descending).astype(np.int64, copy=False))


def msort(input, *, out=None):
    """input sorted along its first dim."""
    return write_out(sort(input, 0).values, out, 'msort')


# -- topk / kthvalue -----------------------------------------------------------------------------
def _topk_pick(a, dim, k, largest):
    n = a.shape[dim]
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if k == 0:
        return np.zeros(tuple(0 if i == dim else s for i, s in enumerate(a.shape)), np.int64)
    if k < n:   # O(n) selection of the k candidates, then sort only those
        kth = n - k if largest else k - 1
        part = np.argpartition(a, kth, axis=dim)
        cand = np.take(part, np.arange(n - k, n) if largest else np.arange(k), axis=dim)
        cand = np.sort(cand, axis=dim)   # ties: lower index first
    else:
        cand = np.broadcast_to(np.arange(n).reshape([-1 if i == dim else 1 for i in range(a.ndim)]),
                               a.shape)
    order = stable_argsort(gather(a, cand, dim), dim, descending=largest)
    return gather(cand, order, dim)


class Topk(SelectAlong):
    pick = staticmethod(_topk_pick)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """(values, indices) of the k largest (or smallest) elements along dim, in sorted order."""
    return named_result('topk', Topk.apply(input, one_dim(dim, input._data.ndim), True, int(k), largest),
                        out)


def _kth_pick(a, dim, k):
    if not 1 <= k <= a.shape[dim]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    return np.take(np.argpartition(a, k - 1, axis=dim), [k - 1], axis=dim)


class Kthvalue(SelectAlong):
    pick = staticmethod(_kth_pick)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """(values, indices) of the k-th smallest element (1-based) along dim."""
    return named_result('kthvalue', Kthvalue.apply(input, one_dim(dim, input._data.ndim), keepdim,
                                                    int(k)), out)


# -- unique ----------------------------------------------------------------------------------------
def _pack(values, inverse, counts, return_inverse, return_counts):
    out = [_wrap(values)]
    if return_inverse:
        out.append(_wrap(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(_wrap(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along dim), sorted, with optional inverse indices and
    counts. NaN values are all distinct, as in torch."""
    a = input._data
    if dim is None:
        values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True, return_counts=True,
                                            equal_nan=False)
        inverse = inverse.reshape(a.shape)
    else:
        d = wrap_dim(dim, a.ndim)
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d,
                                            equal_nan=False)
        inverse = inverse.reshape(-1)
    return _pack(values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along dim)."""
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        rows, d = flat.reshape(-1, 1), 0
    else:
        d = wrap_dim(dim, a.ndim)
        rows = np.moveaxis(a, d, 0).reshape(a.shape[d] if a.ndim else 1, -1)
    n = rows.shape[0]
    starts = np.ones(n, bool)
    starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    first = np.flatnonzero(starts)
    values = flat[first] if dim is None else np.take(a, first, axis=d)
    inverse = np.cumsum(starts) - 1
    if dim is None:
        inverse = inverse.reshape(a.shape)
    counts = np.diff(np.append(first, n))
    return _pack(values, inverse, counts, return_inverse, return_counts)


# -- searching / counting ----------------------------------------------------------------------------
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    """Insertion positions of input's values in sorted_sequence (1-D, or matching leading dims)."""
    if side is not None:
        if side not in ('left', 'right'):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got "
                               f"{side}")
        if right and side == 'left':
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got "
                               "side of left while right was True")
        right = side == 'right'
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    how = 'right' if right else 'left'
    if seq.ndim <= 1:
        r = np.searchsorted(seq, values, how)
    else:
        if values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                               "first N-1 dimensions of boundaries tensor and input value tensor must "
                               f"match, but we got boundaries tensor {list(seq.shape)} and input value "
                               f"tensor {list(values.shape)}")
        rows_s = seq.reshape(-1, seq.shape[-1])
        rows_v = values.reshape(-1, values.shape[-1])
        r = np.stack([np.searchsorted(s, v, how) for s, v in zip(rows_s, rows_v)]).reshape(values.shape)
    return write_out(_wrap(np.asarray(r, np.int32 if out_int32 else np.int64)), out, 'searchsorted')


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Index of the bucket of each value: boundaries[i-1] < x <= boundaries[i] (right=False) or
    boundaries[i-1] <= x < boundaries[i] (right=True)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def bincount(input, weights=None, minlength=0):
    """Count of each non-negative integer value (summing weights instead when given)."""
    a = input._data
    if a.dtype.kind not in 'iu':
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{short_name(input)}\'')
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _wrap(np.bincount(a, minlength=minlength).astype(np.int64, copy=False))
    w = weights._data
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    return _wrap(np.bincount(a, weights=w, minlength=minlength).astype(out_dtype, copy=False))


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with equal-width bins over [min, max] (the data's range when min == max);
    values outside are ignored, the last bin includes max."""
    a = input._data
    if a.dtype.kind != 'f':
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{short_name(input)}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(np.min(a)), float(np.max(a))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    t = a.dtype.type
    lo_t, hi_t = t(lo), t(hi)
    flat = a.reshape(-1)
    inside = flat[(flat >= lo_t) & (flat <= hi_t)]
    pos = ((inside - lo_t) * t(bins) / (hi_t - lo_t)).astype(np.int64)
    pos[pos == bins] = bins - 1
    return write_out(_wrap(np.bincount(pos, minlength=bins).astype(a.dtype)), out, 'histc')


register(sort=sort, argsort=argsort, msort=msort, topk=topk, kthvalue=kthvalue, unique=unique,
         unique_consecutive=unique_consecutive, bincount=bincount, histc=histc)
