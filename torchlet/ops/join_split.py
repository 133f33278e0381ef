"""Joining and splitting along a dim: cat/stack (and the h/v/d/column stacks), split, tensor_split,
chunk and unbind. Split pieces are views sharing the input's version counter."""
import operator

import numpy as np

from ._util import Op, Tensor, wrap_dim, register, _short
from .shape import _reshape, _promoted, _cast_grad, IndexGrad
from .views import record_views

__all__ = ['cat', 'concat', 'concatenate', 'stack', 'hstack', 'vstack', 'row_stack', 'dstack',
           'column_stack', 'atleast_1d', 'atleast_2d', 'atleast_3d', 'split', 'tensor_split', 'chunk',
           'unbind']


class Cat(Op):
    """Concatenate; args are the tensors followed by (dim, numpy dtype)."""

    @staticmethod
    def forward(ctx, *args):
        dim, dt = args[-1]
        ctx.dim = dim
        ctx.metas = metas = tuple((t._data.shape, t._data.dtype) for t in args[:-1])
        arrays = [t._data for t, (shape, _) in zip(args, metas) if not _skipped_shape(shape)]
        if not arrays:
            return np.empty((0,), dt)
        if all(a.dtype == dt for a in arrays):
            return np.concatenate(arrays, axis=dim)
        return np.concatenate(arrays, axis=dim, dtype=dt, casting='unsafe')

    @staticmethod
    def backward(ctx, g):
        dim, metas = ctx.dim, ctx.metas
        kept = [shape[dim] for shape, _ in metas if not _skipped_shape(shape)]
        pieces = iter(SplitWithSizes.apply(g, dim, tuple(kept)) if kept else ())
        grads = []
        for i, (shape, dt) in enumerate(metas):
            if _skipped_shape(shape):
                grads.append(Tensor._wrap(np.zeros(shape, dt)) if ctx.needs_grad(i) else None)
                continue
            p = next(pieces)
            grads.append(_cast_grad(p, dt) if ctx.needs_grad(i) else None)
        return tuple(grads) + (None,)


def _skipped_shape(shape):
    """torch.cat's legacy rule: 1-D empty tensors are ignored whatever the other shapes are."""
    return len(shape) == 1 and shape[0] == 0


def _tensor_list(tensors, fn):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


def cat(tensors, dim=0, *, axis=None, out=None):
    """Concatenate tensors along an existing dim (dtypes promoted; 1-D empty tensors skipped)."""
    if axis is not None:
        dim = axis
    tensors = _tensor_list(tensors, 'cat')
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    ref = None
    for i, t in enumerate(tensors):
        shape = t._data.shape
        if len(shape) == 1 and shape[0] == 0:
            continue
        if ref is None:
            if not shape:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
            ref = shape
            d = wrap_dim(dim, len(ref))
        elif shape != ref:
            _check_cat_shape(i, shape, ref, d)
    if ref is None:
        for i, t in enumerate(tensors):
            if not t._data.ndim:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        d = wrap_dim(dim, 1)
    result = Cat.apply(*tensors, (d, _promoted(tensors).np))
    return result if out is None else _write_out(result, out, 'cat')


def _check_cat_shape(i, shape, ref, d):
    if not shape:
        raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    if len(shape) != len(ref):
        raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and {len(shape)}")
    for k in range(len(shape)):
        if k != d and shape[k] != ref[k]:
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                               f"{ref[k]} but got size {shape[k]} for tensor number {i} in the list.")


def _write_out(result, out, name):
    from .elementwise import write_out
    return write_out(result, out, name)


concat = concatenate = cat


class Stack(Op):
    """Stack equal-shaped tensors along a new dim; args are the tensors then (dim, numpy dtype)."""

    @staticmethod
    def forward(ctx, *args):
        dim, dt = args[-1]
        ctx.dim = dim
        ctx.dtypes = tuple(t._data.dtype for t in args[:-1])
        return np.stack([t._data for t in args[:-1]], axis=dim, dtype=dt, casting='unsafe')

    @staticmethod
    def backward(ctx, g):
        pieces = Unbind.apply(g, ctx.dim)
        return tuple(_cast_grad(p, dt) if ctx.needs_grad(i) else None
                     for i, (p, dt) in enumerate(zip(pieces, ctx.dtypes))) + (None,)


def stack(tensors, dim=0, *, out=None):
    """Join equal-shaped tensors along a new dim."""
    tensors = _tensor_list(tensors, 'stack')
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry "
                               f"0 and {list(t._data.shape)} at entry {i}")
    result = Stack.apply(*tensors, (wrap_dim(dim, len(shape) + 1), _promoted(tensors).np))
    return result if out is None else _write_out(result, out, 'stack')


def _atleast(n, tensors):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    outs = []
    for t in tensors:
        shape = t._data.shape
        if len(shape) < n:
            if n == 3 and len(shape) == 2:
                shape = shape + (1,)
            elif n == 3 and len(shape) == 1:
                shape = (1,) + shape + (1,)
            else:
                shape = (1,) * (n - len(shape)) + shape
            t = _reshape(t, shape)
        outs.append(t)
    return outs[0] if single else tuple(outs)


def atleast_1d(*tensors):
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    return _atleast(3, tensors)


def hstack(tensors, *, out=None):
    """Concatenate column-wise (along dim 1; along dim 0 for 1-D tensors)."""
    ts = _atleast(1, (_tensor_list(tensors, 'hstack'),))
    return cat(ts, 0 if ts and ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate row-wise, after making every tensor at least 2-D."""
    return cat(_atleast(2, (_tensor_list(tensors, 'vstack'),)), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate depth-wise (dim 2), after making every tensor at least 3-D."""
    return cat(_atleast(3, (_tensor_list(tensors, 'dstack'),)), 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack 0-D/1-D tensors as columns (others as they are) along dim 1."""
    ts = [_reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t
          for t in _tensor_list(tensors, 'column_stack')]
    return cat(ts, 1, out=out)


# -- splitting ---------------------------------------------------------------------------------
class SplitWithSizes(Op):
    """Consecutive pieces of the given sizes along dim (views)."""

    @staticmethod
    def forward(ctx, x, dim, sizes):
        a = x._data
        ctx.dim, ctx.dtype = dim, a.dtype
        lead = (slice(None),) * dim
        out, start = [], 0
        for s in sizes:
            out.append(a[lead + (slice(start, start + s),)])
            start += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        return Cat.apply(*grads, (ctx.dim, ctx.dtype)), None, None


class Split(SplitWithSizes):
    _bname = 'SplitBackward0'


class SplitSlices(Op):
    """Pieces x[start:stop] along dim for arbitrary (possibly overlapping) bounds (views)."""
    _bname = 'TensorSplitBackward0'

    @staticmethod
    def forward(ctx, x, dim, bounds):
        a = x._data
        ctx.shape = a.shape
        ctx.index = tuple((slice(None),) * dim + (slice(s, e), Ellipsis) for s, e in bounds)
        return tuple(a[i] for i in ctx.index)

    @staticmethod
    def backward(ctx, *grads):
        total = None
        for g, idx in zip(grads, ctx.index):
            part = IndexGrad.apply(g, ctx.shape, idx, False)
            total = part if total is None else total + part
        return total, None, None


class Unbind(Op):
    """All slices along dim, as views."""

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        ctx.dim, ctx.dtype = dim, a.dtype
        lead = (slice(None),) * dim
        return tuple(a[lead + (i, Ellipsis)] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(*grads, (ctx.dim, ctx.dtype)), None


def _share_version(x, outs):
    """Make the pieces views of x: one version counter, x's root as their base."""
    vc = x._vc
    for o in outs:
        o._vc = vc
    return record_views(x, outs)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of split_size (the last may be smaller) or of the listed sizes along dim."""
    shape = tensor._data.shape
    d = wrap_dim(dim, len(shape))
    n = shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = tuple(operator.index(s) for s in split_size_or_sections)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={list(sizes)}")
        return _share_version(tensor, SplitWithSizes.apply(tensor, d, sizes))
    size = operator.index(split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    if n == 0:
        sizes = (0,)
    else:
        sizes = (size,) * (n // size) + ((n % size,) if n % size else ())
    return _share_version(tensor, Split.apply(tensor, d, sizes))


def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size (the last may be smaller) along dim."""
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    n = shape[d]
    size = -(-n // chunks)
    if size == 0:
        return _share_version(input, Split.apply(input, d, (0,) * chunks))
    return split(input, size, d)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into a number of nearly equal sections, or at the given indices, along dim."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    n = shape[d]
    arg = indices_or_sections
    if isinstance(arg, Tensor):
        if arg._data.dtype.kind not in 'iu':
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                               f"got {_short(arg.dtype)}")
        if arg._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {arg._data.ndim} dims")
        arg = int(arg._data) if arg._data.ndim == 0 else arg._data.tolist()
    if isinstance(arg, (list, tuple)):
        cuts = [operator.index(i) for i in arg]
        starts = [0] + cuts
        stops = cuts + [n]
        bounds = tuple(slice(s, e).indices(n)[:2] for s, e in zip(starts, stops))
    else:
        k = operator.index(arg)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        sizes = (q + 1,) * r + (q,) * (k - r)
        return _share_version(input, SplitWithSizes.apply(input, d, sizes))
    return _share_version(input, SplitSlices.apply(input, d, bounds))


def unbind(input, dim=0):
    """The slices along dim, as a tuple of views."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    return _share_version(input, Unbind.apply(input, d))


register(split=split, tensor_split=tensor_split, chunk=chunk, unbind=unbind)
