"""Embedding lookups: F.embedding (one row of a table per index) and F.embedding_bag (sums, means
or maxima over bags of rows), each one node with a hand-written backward.

The weight gradient accumulates repeated indices: ``np.add.at`` for a handful of indices, else a
sort of the indices and one ``np.add.reduceat`` per run of equal ones (much faster than ufunc.at
when indices repeat). ``padding_idx`` rows get no gradient; ``scale_grad_by_freq`` divides each
row's gradient by its index's count in the batch; ``max_norm`` renormalises the looked-up rows of
the weight in place first (without autograd), as torch does.
"""
import warnings

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops._util import Op
from .conv import wrap_grads

__all__ = ['embedding', 'embedding_bag']

_wrap = Tensor._wrap


def scatter_rows(idx, rows, num_rows):
    """A (num_rows, D) array with rows[j] added into row idx[j] (repeats accumulate)."""
    out = np.zeros((num_rows,) + rows.shape[1:], rows.dtype)
    n = idx.shape[0]
    if n < 32:
        np.add.at(out, idx, rows)
        return out
    order = np.argsort(idx, kind='stable')
    s = idx[order]
    first = np.empty(n, bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    out[s[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def _index_array(input, fn):
    """The indices as an int64 array, with torch's dtype check."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'indices' must be Tensor, not {type(input).__name__}")
    a = input._data
    if a.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got {input.type()} instead (while checking "
                           f"arguments for {fn})")
    return a


def _grad_factors(idx, num_weights, padding_idx, scale_grad_by_freq, dtype):
    """Per-index multipliers of the weight gradient (None when all are 1)."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    f = np.ones(idx.shape, dtype)
    if scale_grad_by_freq:
        counts = np.bincount(idx, minlength=num_weights)
        f /= counts[idx].astype(dtype)
    if padding_idx is not None:
        f[idx == padding_idx] = 0
    return f


class Embedding(Op):
    """weight[indices]: args (weight, flat indices, output shape, padding_idx or None,
    scale_grad_by_freq)."""

    @staticmethod
    def forward(ctx, weight, idx, shape, padding_idx, scale_grad_by_freq):
        w = weight._data
        ctx.meta = (idx, w.shape[0], padding_idx, scale_grad_by_freq)
        return np.take(w, idx, axis=0).reshape(shape + w.shape[1:])

    @staticmethod
    def backward(ctx, g):
        idx, num_weights, padding_idx, scale = ctx.meta
        return (EmbeddingDenseBackward.apply(g, idx, num_weights, padding_idx, scale),
                None, None, None, None)


class EmbeddingDenseBackward(Op):
    """The weight gradient of Embedding: g's rows added at their indices (none at padding_idx,
    divided by the index's count with scale_grad_by_freq). Its own gradient is a lookup with the
    padding rows zeroed and, as in torch, no count scaling."""

    @staticmethod
    def forward(ctx, g, idx, num_weights, padding_idx, scale):
        ga = g._data
        rows = ga.reshape(idx.shape[0], -1)
        factors = _grad_factors(idx, num_weights, padding_idx, scale, ga.dtype)
        if factors is not None:
            rows = rows * factors[:, None]
        ctx.meta = (idx, ga.shape, padding_idx)
        return scatter_rows(idx, rows, num_weights)

    @staticmethod
    def backward(ctx, gg):
        idx, shape, padding_idx = ctx.meta
        out = Embedding.apply(gg, idx, shape[:-1], None, False)
        if padding_idx is not None:
            keep = (idx != padding_idx).astype(gg._data.dtype).reshape(shape[:-1] + (1,))
            out = out * _wrap(keep)
        return out, None, None, None, None


def _check_padding_idx(padding_idx, num_weights, what='Padding_idx'):
    """padding_idx made non-negative, with torch's range assertion."""
    if padding_idx is None:
        return None
    if padding_idx > 0:
        if padding_idx >= num_weights:
            raise AssertionError(f"{what} must be within num_embeddings")
    elif padding_idx < 0:
        if padding_idx < -num_weights:
            raise AssertionError(f"{what} must be within num_embeddings")
        padding_idx = num_weights + padding_idx
    return padding_idx


def embedding_renorm_(weight, idx, max_norm, norm_type):
    """Scale the rows of weight used by idx whose norm exceeds max_norm down to max_norm (in place,
    not recorded by autograd)."""
    w = weight._data
    rows = np.unique(idx)
    sel = w[rows]
    p = float(norm_type)
    if p == float('inf'):
        norms = np.abs(sel).max(axis=1)
    elif p == 0:
        norms = (sel != 0).sum(axis=1).astype(w.dtype)
    else:
        norms = (np.abs(sel) ** w.dtype.type(p)).sum(axis=1) ** w.dtype.type(1.0 / p)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] = sel[big] * scale[:, None]
    weight._vc[0] += 1
    return weight


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """The rows of weight (num_embeddings, D) at the integer indices of input: (*input.shape, D)."""
    idx = _index_array(input, 'embedding')
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if sparse:
        raise NotImplementedError("torchlet: sparse gradients (Embedding(sparse=True)) are not supported")
    V = weight.shape[0]
    padding_idx = _check_padding_idx(padding_idx, V)
    flat = idx.reshape(-1)
    if flat.size and (flat.min() < 0 or flat.max() >= V):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        embedding_renorm_(weight, flat, max_norm, norm_type)
    return Embedding.apply(weight, flat, idx.shape, padding_idx, bool(scale_grad_by_freq))


# -- embedding_bag ------------------------------------------------------------------------------------
class EmbeddingBag(Op):
    """Reduce rows of weight over bags: args (weight, per_sample_weights or None, spec) with spec =
    (flat indices, bag of each index (non-decreasing), number of bags, mode, padding_idx, gradient
    factors or None)."""
    _bname = 'EmbeddingBagBackward0'

    @staticmethod
    def forward(ctx, weight, psw, spec):
        idx, bag, nbags, mode, padding_idx, _ = spec
        w = weight._data
        rows = np.take(w, idx, axis=0)
        if psw is not None:
            rows *= psw._data[:, None]
        pad = None if padding_idx is None else idx == padding_idx
        out = np.zeros((nbags, w.shape[1]), w.dtype)
        ctx.spec = spec
        ctx.save_for_backward(weight, psw)
        starts = np.flatnonzero(np.r_[True, bag[1:] != bag[:-1]]) if idx.size else None
        if mode == 'max':
            ctx.arg = arg = np.full(out.shape, -1, np.int64)   # position in idx of each maximum
            if starts is None:
                return out
            if pad is not None:
                rows[pad] = -np.inf
            present = bag[starts]
            best = np.maximum.reduceat(rows, starts, axis=0)
            hit = rows == np.repeat(best, np.diff(np.r_[starts, idx.size]), axis=0)
            first = np.minimum.reduceat(np.where(hit, np.arange(idx.size)[:, None], idx.size), starts,
                                        axis=0)
            ok = np.isfinite(best)
            out[present] = np.where(ok, best, 0)
            arg[present] = np.where(ok, first, -1)
            return out
        if pad is not None:
            rows[pad] = 0
        if starts is not None:
            out[bag[starts]] = np.add.reduceat(rows, starts, axis=0)
        if mode == 'mean':
            counts = np.bincount(bag if pad is None else bag[~pad], minlength=nbags)
            ctx.inv = inv = (1 / np.maximum(counts, 1)).astype(w.dtype)
            out *= inv[:, None]
        return out

    @staticmethod
    def backward(ctx, g):
        weight, psw = ctx.saved_tensors
        grads = EmbeddingBag._grads(ctx, g._data, weight._data, None if psw is None else psw._data)
        return wrap_grads('EmbeddingBag', grads, g, weight, psw) + (None,)

    @staticmethod
    def _grads(ctx, ga, w, psw):
        """(weight gradient, per_sample_weights gradient) as arrays."""
        idx, bag, nbags, mode, padding_idx, factors = ctx.spec
        if mode == 'max':
            b, d = np.nonzero(ctx.arg >= 0)
            gw = np.zeros(w.shape, ga.dtype)
            np.add.at(gw, (idx[ctx.arg[b, d]], d), ga[b, d])
            return gw, None
        rows = ga[bag]
        if mode == 'mean':
            rows *= ctx.inv[bag][:, None]
        gpsw = gw = None
        if ctx.needs_grad(1):
            gpsw = (rows * np.take(w, idx, axis=0)).sum(1)
            if padding_idx is not None:
                gpsw[idx == padding_idx] = 0
        if ctx.needs_grad(0):
            if psw is not None:
                rows *= psw[:, None]
            if factors is not None:
                rows *= factors[:, None]
            if padding_idx is not None:
                rows[idx == padding_idx] = 0
            gw = scatter_rows(idx, rows, w.shape[0])
        return gw, gpsw


def _bags(off, n, include_last_offset, type_name):
    """(bag of each index, number of bags, number of indices used) from offsets, with torch's
    checks."""
    if off.size and off[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                           f"start from position 0. However, got {int(off[0])}\n[ {type_name}{{}} ]")
    if off.size and off[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                           f"offsets[-1] of {int(off[-1])}")
    if np.any(off[1:] < off[:-1]):
        raise RuntimeError(f"embedding_bag: offsets have to be non-decreasing, but got {off.tolist()}")
    if include_last_offset:
        starts, ends = off[:-1], off[1:]
    else:
        starts, ends = off, np.r_[off[1:], n].astype(off.dtype)
    nbags = starts.size
    return np.repeat(np.arange(nbags), ends - starts), nbags, int(ends[-1]) if nbags else 0


_TENSOR_TYPE = "<class 'torch.Tensor'>"


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embedding rows: input (B, N) (fixed-size bags) or 1-D input
    with bag starts in offsets; returns (number of bags, D)."""
    if weight.dtype == _dtype.int64 and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                         f"then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    idx = _index_array(input, 'embedding_bag')
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a "
                             "mini-batch of fixed length sequences. However, found offsets of type "
                             f"{_TENSOR_TYPE if isinstance(offsets, Tensor) else type(offsets)}")
        off = np.arange(0, idx.size, idx.shape[1]) if idx.shape[1] else np.zeros(idx.shape[0], np.int64)
        include_last_offset = False
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = _index_array(offsets, 'embedding_bag')
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == 'max':
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if sparse:
        raise NotImplementedError("torchlet: sparse gradients (EmbeddingBag(sparse=True)) are not "
                                  "supported")
    V = weight.shape[0]
    idx = idx.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= V):
        j = int(np.flatnonzero((idx < 0) | (idx >= V))[0])
        raise RuntimeError(f"Index {j} of input takes value {int(idx[j])} which is not in the valid range "
                           f"[0, {V})")
    if max_norm is not None:
        embedding_renorm_(weight, idx, max_norm, norm_type)
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is "
                                  "only supported for mode='sum' (got mode='" + mode + "'). Please open a "
                                  "feature request on GitHub.")
    padding_idx = _check_padding_idx(padding_idx, V, 'padding_idx')
    type_name = 'torch.IntTensor' if off.dtype == np.int32 else 'torch.LongTensor'
    bag, nbags, used = _bags(off.astype(np.int64), idx.size, include_last_offset, type_name)
    if used < idx.size:
        idx = idx[:used]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights[:used]
    factors = None
    if scale_grad_by_freq:
        factors = _grad_factors(idx, V, None, True, weight._data.dtype)
    spec = (idx, bag, nbags, mode, padding_idx, factors)
    return EmbeddingBag.apply(weight, per_sample_weights, spec)
