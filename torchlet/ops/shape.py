"""Shape ops: views (view, reshape, squeeze, transpose, permute, expand, slicing), joining (cat,
stack), splitting (split, chunk, unbind) and reordering copies (flip, roll, rot90, repeat).

Views are NumPy views of the input's array and share its version counter (``Op.is_view``)."""
import math
import operator
import warnings

import numpy as np

from .. import _dtype
from ._util import Op, Tensor, register, wrap_dim, dims_tuple, check_inplace, ExpandTo, _short
from .views import ViewOp
from ..autograd.grad_mode import _State

__all__ = ['reshape', 'flatten', 'unflatten', 'ravel', 'squeeze', 'unsqueeze', 'broadcast_to',
           'broadcast_tensors', 'broadcast_shapes', 'tile', 'repeat_interleave', 't', 'transpose',
           'swapaxes', 'swapdims', 'permute', 'movedim', 'moveaxis', 'adjoint', 'narrow', 'select',
           'flip', 'fliplr', 'flipud', 'roll', 'rot90']

_VIEW_ERR = ("view size is not compatible with input tensor's size and stride (at least one dimension "
             "spans across two contiguous subspaces). Use .reshape(...) instead.")


# -- argument helpers ---------------------------------------------------------------------------
def _ints(args, fn='view', arg='size'):
    """Varargs or a single sequence of ints (0-dim integer tensors allowed) as a tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    for a in args:
        if type(a) is not int:
            break
    else:
        return tuple(args)
    try:
        return tuple(operator.index(a) for a in args)
    except TypeError:
        kinds = ', '.join(type(a).__name__ for a in args)
        raise TypeError(f"{fn}() received an invalid combination of arguments - got ({kinds}), but "
                        f"expected ({arg}: tuple of ints)") from None


def _infer_shape(shape, numel):
    """shape with a -1 entry resolved, checked against numel as torch checks it."""
    neg = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if neg >= 0:
                raise RuntimeError("only one dimension can be inferred")
            neg = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if neg >= 0:
        if known == 0:
            if numel == 0:
                raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because "
                                   "the unspecified dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg] + (numel // known,) + shape[neg + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _promoted(tensors):
    """The dtype torch.cat/stack give a list of tensors."""
    dt = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype is not dt:
            dt = _dtype.promote_types(dt, t.dtype)
    return dt


def _cast_grad(g, np_dtype):
    """g cast back to an input's float dtype (after dtype promotion)."""
    if g._data.dtype == np_dtype or np_dtype.kind not in 'fc':
        return g
    from .conversion import to_dtype
    return to_dtype(g, _dtype.from_numpy_dtype(np_dtype))


# -- reshaping views ----------------------------------------------------------------------------
class View(ViewOp):
    """A reshape that shares memory with its input (the caller checked that no copy is needed)."""
    _bname = 'ViewBackward0'

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x._data.shape
        return x._data.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class UnsafeView(View):
    """reshape of a layout that cannot be viewed: a copy."""
    _bname = 'UnsafeViewBackward0'
    is_view = False


class Squeeze0(View):
    _bname = 'SqueezeBackward0'


class Squeeze1(View):
    _bname = 'SqueezeBackward1'


class Squeeze2(View):
    _bname = 'SqueezeBackward2'


class Unsqueeze(View):
    _bname = 'UnsqueezeBackward0'


class Alias(View):
    _bname = 'AliasBackward0'


def _reshape(x, shape):
    """x reshaped to a resolved shape: a view when the layout allows, else a copy."""
    a = x._data
    if not a.flags.c_contiguous:
        try:
            a.reshape(shape, copy=False)
        except ValueError:
            return UnsafeView.apply(x, shape)
    return View.apply(x, shape)


def reshape(input, *shape):
    """input with a new shape (one entry may be -1): a view when possible, else a copy."""
    return _reshape(input, _infer_shape(_ints(shape, 'reshape', 'shape'), input._data.size))


def view(self, *shape, dtype=None):
    """A view with a new shape, or (given a dtype) the same memory reinterpreted as that dtype."""
    if dtype is None and len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        dtype = shape[0]
    if dtype is not None:
        return _view_dtype(self, dtype)
    a = self._data
    shape = _infer_shape(_ints(shape), a.size)
    if not a.flags.c_contiguous:
        try:
            a.reshape(shape, copy=False)
        except ValueError:
            raise RuntimeError(_VIEW_ERR) from None
    return View.apply(self, shape)


def _view_dtype(self, dt):
    a = self._data
    new = dt.np
    if new.itemsize != a.itemsize:
        names = f"{_short(self.dtype)} as {_short(dt)} (different element sizes)"
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
        stride_ok = a.strides[-1] == a.itemsize
        if new.itemsize > a.itemsize:
            ratio = new.itemsize // a.itemsize
            if a.shape[-1] % ratio:
                raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to view {names}, but got "
                                   f"{a.shape[-1]}")
        if not stride_ok:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got {self.stride(-1)}")
    return Tensor._wrap(a.view(new), False, None, 0, self._vc)


def view_as(self, other):
    return view(self, other._data.shape)


def reshape_as(self, other):
    return _reshape(self, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    a = input._data
    if a.ndim == 0:
        return _reshape(input, (1,))
    s, e = wrap_dim(start_dim, a.ndim), wrap_dim(end_dim, a.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return _reshape(input, a.shape[:s] + (math.prod(a.shape[s:e + 1]),) + a.shape[e + 1:])


def unflatten(input, dim, sizes):
    """Split dim into the given sizes (one may be -1)."""
    a = input._data
    d = wrap_dim(dim, a.ndim)
    sizes = _ints((sizes,), 'unflatten', 'sizes')
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer_shape(sizes, a.shape[d])
    except RuntimeError as e:
        if 'only one' in str(e):
            raise
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({a.shape[d]}) in the input tensor") from None
    return _reshape(input, a.shape[:d] + sizes + a.shape[d + 1:])


def ravel(input):
    return _reshape(input, (input._data.size,))


def squeeze(input, dim=None):
    """Drop size-1 dims (all of them, or those in dim)."""
    shape = input._data.shape
    if dim is None:
        return Squeeze0.apply(input, tuple(s for s in shape if s != 1))
    cls = Squeeze1 if isinstance(dim, (int, np.integer)) else Squeeze2
    dims = dims_tuple(dim, input._data.ndim)
    return cls.apply(input, tuple(s for i, s in enumerate(shape) if s != 1 or i not in dims))


def unsqueeze(input, dim):
    """Insert a size-1 dim at position dim."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1)
    return Unsqueeze.apply(input, shape[:d] + (1,) + shape[d:])


# -- broadcasting ------------------------------------------------------------------------------
def expand(self, *sizes):
    """A broadcast view with the given sizes (-1 keeps a size; new dims go in front)."""
    sizes = _ints(sizes, 'expand')
    shape = self._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand({self.type()}{{{list(shape)}}}, size={list(sizes)}): the number of "
                           f"sizes provided ({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    target = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            continue
        cur = shape[i - lead]
        if s == -1:
            target[i] = cur
        elif s != cur and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(shape)}")
    return ExpandTo.apply(self, tuple(target))


def expand_as(self, other):
    return expand(self, other._data.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes (ints or sequences) broadcast to."""
    shapes = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    out = []
    for i, s in enumerate(shapes):
        for k in range(1, len(s) + 1):
            if k > len(out):
                out.insert(0, s[-k])
            elif out[-k] == 1:
                out[-k] = s[-k]
            elif s[-k] != 1 and s[-k] != out[-k]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[-k]} at {-k}! "
                                   f"Mismatching argument at index {i} had {tuple(s)}; but expected shape "
                                   f"should be broadcastable to {out}")
    from .._tensor import Size
    return Size(out)


def broadcast_tensors(*tensors):
    """Views of the tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    try:
        shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    except ValueError:
        from ._util import broadcast_error
        ref = tensors[0]._data.shape
        for t in tensors[1:]:
            try:
                ref = np.broadcast_shapes(ref, t._data.shape)
            except ValueError:
                raise broadcast_error(ref, t._data.shape) from None
    return tuple(t if t._data.shape == shape else ExpandTo.apply(t, shape) for t in tensors)


# -- repeating ---------------------------------------------------------------------------------
class Repeat(Op):
    @staticmethod
    def forward(ctx, x, reps):
        ctx.in_shape, ctx.reps = x._data.shape, reps
        return np.tile(x._data, reps)

    @staticmethod
    def backward(ctx, g):
        reps, in_shape = ctx.reps, ctx.in_shape
        padded = (1,) * (len(reps) - len(in_shape)) + in_shape
        pairs = tuple(n for rs in zip(reps, padded) for n in rs)
        g = g.reshape(pairs).sum(dim=tuple(range(0, len(pairs), 2)))
        return g.reshape(in_shape), None


def repeat(self, *sizes):
    """Tile the tensor sizes[i] times along each dim (extra sizes add leading dims)."""
    sizes = _ints(sizes, 'repeat', 'repeats')
    if len(sizes) < self._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    if any(s < 0 for s in sizes):
        shape = (1,) * (len(sizes) - self._data.ndim) + self._data.shape
        out = [a * b for a, b in zip(sizes, shape)]
        bad = next(n for n in out if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {out}")
    return Repeat.apply(self, sizes)


def tile(input, dims):
    """repeat, with missing leading dims of ``dims`` taken as 1."""
    dims = _ints((dims,), 'tile', 'dims')
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or each slice along dim) repeats times; repeats may be a tensor of
    per-element counts. With only a tensor of counts: the indices repeated by those counts."""
    if repeats is None:
        counts = input._data
        return Tensor._wrap(np.repeat(np.arange(counts.size, dtype=counts.dtype), counts))
    if dim is None:
        input, d = reshape(input, -1), 0
    else:
        d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d] if input._data.ndim else 1
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.dtype.kind not in 'iu':
            raise RuntimeError(f"repeat_interleave_cpu\" not implemented for '{_short(repeats.dtype)}'")
        if r.size == 1:
            repeats = int(r.reshape(()))
        elif r.shape[0] != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {r.shape[0]} and input.size({d}) = {n}")
        else:
            if (r < 0).any():
                raise RuntimeError("Repeats must be non-negative")
            from .indexing import index_select
            return index_select(input, d, Tensor._wrap(np.repeat(np.arange(n), r)))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = input._data.shape
    x = unsqueeze(input, d + 1)
    x = expand(x, shape[:d + 1] + (repeats,) + shape[d + 1:])
    from .conversion import clone
    return View.apply(clone(x), shape[:d] + (n * repeats,) + shape[d + 1:])


# -- transposes --------------------------------------------------------------------------------
class Transpose(ViewOp):

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.d0, ctx.d1 = d0, d1
        return x._data.swapaxes(d0, d1)

    @staticmethod
    def backward(ctx, g):
        return Transpose.apply(g, ctx.d0, ctx.d1), None, None


class T(Transpose):
    _bname = 'TBackward0'


class Permute(ViewOp):

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x._data.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        return Permute.apply(g, tuple(np.argsort(ctx.dims))), None


def transpose(input, dim0, dim1):
    """A view with dims dim0 and dim1 swapped."""
    n = input._data.ndim
    return Transpose.apply(input, wrap_dim(dim0, n), wrap_dim(dim1, n))


swapaxes = swapdims = transpose


def t(input):
    """Transpose of a matrix (0-D and 1-D tensors are returned as they are)."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return T.apply(input, 0, n - 1) if n == 2 else Alias.apply(input, input._data.shape)


def permute(input, *dims):
    """A view with the dims reordered."""
    dims = _ints(dims, 'permute', 'dims')
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {n} is "
                           f"not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def movedim(input, source, destination):
    """Move the dims in source to the positions in destination (others keep their order)."""
    n = input._data.ndim
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    src = tuple(wrap_dim(d, n) for d in src)
    dst = tuple(wrap_dim(d, n) for d in dst)
    for name, ds in (('source', src), ('destination', dst)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(ds)})")
    rest = iter(d for d in range(n) if d not in src)
    where = dict(zip(dst, src))
    return Permute.apply(input, tuple(where[i] if i in where else next(rest) for i in range(n)))


moveaxis = movedim


def _matrix_T(self):
    n = self._data.ndim
    if n != 2:
        if n == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                          "cases.", UserWarning, stacklevel=2)
        else:
            warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                          "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                          "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                          "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
    return Permute.apply(self, tuple(range(n - 1, -1, -1)))


def _matrix_mT(self):
    return _batch_transpose(self, 'mT', conj=False)


def _matrix_mH(self):
    return _batch_transpose(self, 'mH', conj=True)


def _batch_transpose(self, name, conj):
    n = self._data.ndim
    if n == 0:
        warnings.warn(f"Tensor.{name} is deprecated on 0-D tensors. This function is the identity in these "
                      "cases.", UserWarning, stacklevel=3)
        return _conj(self) if conj else self
    if n < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices. Got "
                           f"{n}-D tensor.")
    out = Transpose.apply(self, n - 2, n - 1)
    return _conj(out) if conj else out


def _matrix_H(self):
    n = self._data.ndim
    if n == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning,
                      stacklevel=2)
        return _conj(self)
    if n != 2:
        extra = ' For batches of matrices, consider using tensor.mH' if n > 2 else ''
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor.{extra}")
    return _conj(Transpose.apply(self, 0, 1))


def _conj(x):
    return x.conj() if x._data.dtype.kind == 'c' else x


def adjoint(input):
    return _batch_transpose(input, 'mH', conj=True)


# -- slicing views (also used by __getitem__) --------------------------------------------------
class Slice(ViewOp):
    """A basic-indexing view ``x[index]`` (ints, slices, None, Ellipsis); backward scatters the
    gradient into zeros."""
    _bname = 'SliceBackward0'

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x._data.shape, index
        return x._data[index]

    @staticmethod
    def backward(ctx, g):
        return IndexGrad.apply(g, ctx.in_shape, ctx.index, False), None


class Select(Slice):
    _bname = 'SelectBackward0'


class IndexGrad(Op):
    """Zeros of the indexed tensor's shape with g written (or, for advanced indices that may
    repeat, accumulated) at the index: the backward of x[index]."""
    _bname = 'IndexBackwardBackward0'

    @staticmethod
    def forward(ctx, g, shape, index, accumulate):
        ctx.index, ctx.accumulate = index, accumulate
        out = np.zeros(shape, g._data.dtype)
        if accumulate:
            np.add.at(out, index, g._data)
        else:
            out[index] = g._data
        return out

    @staticmethod
    def backward(ctx, gg):
        from .indexing import Index
        cls = Index if ctx.accumulate else Slice
        return cls.apply(gg, ctx.index), None, None, None


def narrow(input, dim, start, length):
    """The view input[..., start:start + length, ...] along dim."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    start, length = operator.index(start), operator.index(length)
    size = shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got "
                         f"{start})")
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return Slice.apply(input, (slice(None),) * d + (slice(start, start + length), Ellipsis))


def select(input, dim, index):
    """The view input[..., index, ...] along dim (that dim removed)."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    index = operator.index(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(shape)} at "
                         f"dimension {d}")
    return Select.apply(input, (slice(None),) * d + (index, Ellipsis))


class Unfold(ViewOp):
    """Sliding windows of ``size`` every ``step`` along dim, as a new last dim (a view)."""

    @staticmethod
    def forward(ctx, x, dim, size, step):
        a = x._data
        ctx.in_shape, ctx.dim, ctx.size, ctx.step = a.shape, dim, size, step
        w = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim, writeable=step >= size)
        return w[(slice(None),) * dim + (slice(None, None, step),)]

    @staticmethod
    def backward(ctx, g):
        return UnfoldGrad.apply(g, ctx.in_shape, ctx.dim, ctx.size, ctx.step), None, None, None


class UnfoldGrad(Op):
    """Sum the gradients of overlapping windows back into the input's shape."""
    _bname = 'UnfoldBackwardBackward0'

    @staticmethod
    def forward(ctx, g, shape, dim, size, step):
        ctx.args = (dim, size, step)
        out = np.zeros(shape, g._data.dtype)
        gd = np.moveaxis(g._data, -1, dim + 1)   # (..., n_windows, size, ...)
        n = gd.shape[dim]
        lead = (slice(None),) * dim
        if size <= n:
            for k in range(size):
                out[lead + (slice(k, k + step * (n - 1) + 1, step),)] += gd[lead + (slice(None), k)]
        else:
            for w in range(n):
                out[lead + (slice(w * step, w * step + size),)] += gd[lead + (w,)]
        return out

    @staticmethod
    def backward(ctx, gg):
        return Unfold.apply(gg, *ctx.args), None, None, None, None


def unfold(self, dimension, size, step):
    """Tensor.unfold: windows of ``size`` elements every ``step`` along ``dimension``."""
    shape = self._data.shape
    d = wrap_dim(dimension, len(shape))
    if not shape:
        if size > 1:
            raise RuntimeError(f"maximum size for tensor at dimension 0 is 1 but size is {size}")
        return Unsqueeze.apply(self, (1,))
    if size > shape[d]:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {shape[d]} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return Unfold.apply(self, d, size, step)


# -- reordering copies ------------------------------------------------------------------------
class Flip(Op):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x._data, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dims), None


def flip(input, *dims):
    """A copy with the order of elements reversed along dims."""
    dims = _ints(dims, 'flip', 'dims')
    return Flip.apply(input, dims_tuple(dims, input._data.ndim))


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


class Roll(Op):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x._data, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return Roll.apply(g, neg, ctx.dims), None, None


def roll(input, shifts, dims=None):
    """Rotate elements by shifts along dims (along the flattened tensor when dims is None)."""
    shifts = _ints((shifts,), 'roll', 'shifts') if isinstance(shifts, (tuple, list)) else \
        (operator.index(shifts),)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts[0], None)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    n = input._data.ndim
    return Roll.apply(input, shifts, tuple(wrap_dim(d, n) for d in dims))


class Rot90(Op):
    @staticmethod
    def forward(ctx, x, k, dims):
        ctx.k, ctx.dims = k, dims
        return np.rot90(x._data, k, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return Rot90.apply(g, -ctx.k, ctx.dims), None, None


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times in the plane of dims (from the first towards the second)."""
    dims = tuple(dims)
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = wrap_dim(dims[0], n), wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    return Rot90.apply(input, operator.index(k) % 4, (d0, d1))


# -- in-place view ops -------------------------------------------------------------------------
def _inplace_view(fn):
    """``x.op_(...)`` for a view op: x takes the view's shape and (when tracked) its history."""
    def method(self, *args, **kwargs):
        check_inplace(self)
        alias = Tensor._wrap(self._data, self._rg, self.grad_fn, self._output_nr, self._vc)
        out = fn(alias, *args, **kwargs)
        self._data = out._data
        if _State.grad_enabled and out._rg:
            self.grad_fn, self._output_nr, self._rg = out.grad_fn, out._output_nr, True
        return self
    method.__name__ = fn.__name__ + '_'
    return method


register(reshape=reshape, view=view, view_as=view_as, reshape_as=reshape_as, flatten=flatten,
         unflatten=unflatten, ravel=ravel, squeeze=squeeze, unsqueeze=unsqueeze, expand=expand,
         expand_as=expand_as, broadcast_to=broadcast_to, repeat=repeat, tile=tile,
         repeat_interleave=repeat_interleave, t=t, transpose=transpose, swapaxes=transpose,
         swapdims=transpose, permute=permute, movedim=movedim, moveaxis=movedim, adjoint=adjoint,
         narrow=narrow, select=select, unfold=unfold,
         squeeze_=_inplace_view(squeeze), unsqueeze_=_inplace_view(unsqueeze), t_=_inplace_view(t),
         transpose_=_inplace_view(transpose), swapaxes_=_inplace_view(transpose),
         swapdims_=_inplace_view(transpose),
         flip=flip, fliplr=fliplr, flipud=flipud, roll=roll, rot90=rot90,
         T=property(_matrix_T), mT=property(_matrix_mT), H=property(_matrix_H), mH=property(_matrix_mH))

from .join_split import *  # noqa: E402,F401,F403  (cat, stack, split, chunk, unbind, ...)
from . import join_split as _join_split  # noqa: E402
__all__ += _join_split.__all__
