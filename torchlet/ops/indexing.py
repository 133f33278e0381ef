"""Indexing: ``x[index]`` / ``x[index] = value`` and the index ops (index_select, gather, scatter,
masked_fill, index_add, take, put, nonzero, ...).

Basic indices (ints, slices, None, Ellipsis) give views (`Slice`); integer and boolean arrays give
copies (`Index`) whose backward accumulates repeated indices. Every write-at-index op is a `Put`
node: the written positions get no gradient from the result, the value gets it gathered back."""
import numbers
import operator
import warnings

import numpy as np

from ._util import Op, Tensor, register, wrap_dim, sum_to, _short
from .shape import Slice, Select, IndexGrad, View, expand, reshape, _cast_grad
from .views import check_view_inplace, rebase_view
from ..autograd.grad_mode import _State

__all__ = ['index_select', 'masked_select', 'masked_fill', 'masked_scatter', 'nonzero', 'argwhere']

# -- parsing an index --------------------------------------------------------------------------
class IndexUnsqueeze(Slice):
    _bname = 'UnsqueezeBackward0'


class IndexAlias(Slice):
    _bname = 'AliasBackward0'


def _seq_as_tuple(seq):
    """torch's legacy rule: a short list holding a slice, None, Ellipsis, tensor or sequence is
    read as a tuple of indices."""
    if len(seq) >= 32:
        return False
    for x in seq:
        if x is None or x is Ellipsis or isinstance(x, (slice, Tensor, list, tuple, np.ndarray)):
            return True
    return False


def _array_index(arr):
    """An integer or boolean array used as an index (uint8 masks as in torch)."""
    k = arr.dtype.kind
    if k == 'b' or k == 'i':
        return arr
    if arr.dtype == np.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                      "instead.", UserWarning, stacklevel=4)
        return arr.astype(bool)
    if k == 'u':
        return arr.astype(np.int64)
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _component(x):
    """One entry of an index tuple, converted for NumPy."""
    if x is None or x is Ellipsis:
        return x
    t = type(x)
    if t is int:
        return x
    if t is slice:
        step = x.step
        if step is not None:
            step = operator.index(step)
            if step == 0:
                raise ValueError("slice step cannot be zero")
            if step < 0:
                raise ValueError("step must be greater than zero")
        return x
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, Tensor):
        a = x._data
        if a.ndim == 0 and a.dtype.kind in 'iu' and a.dtype != np.uint8:
            return int(a)
        return _array_index(a)
    if isinstance(x, np.ndarray):
        return _array_index(x)
    if isinstance(x, (list, tuple, range)):
        a = np.asarray(x)
        if a.size == 0:
            return a.astype(np.int64)
        if a.dtype == object:
            a = np.asarray([int(v) for v in np.ravel(x)]).reshape(a.shape)
        return _array_index(a)
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                     f"valid indices (got {type(x).__name__})")


def parse_index(index):
    """(numpy index tuple, view class or None for advanced indexing) for ``x[index]``."""
    if type(index) is not tuple:
        if isinstance(index, list) and _seq_as_tuple(index):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and "
                          "will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq].",
                          UserWarning, stacklevel=3)
            index = tuple(index)
        else:
            index = (index,)
    parts = []
    cls = IndexAlias
    advanced = False
    ellipsis = False
    for x in index:
        c = _component(x)
        parts.append(c)
        if c is Ellipsis:
            ellipsis = True
        elif type(c) is int:
            cls = Select
        elif type(c) is slice:
            if c != _FULL:
                cls = Slice
        elif c is None:
            cls = IndexUnsqueeze
        else:
            advanced = True
    if not ellipsis:
        parts.append(Ellipsis)   # makes NumPy return a 0-dim array (a view), never a scalar
    return tuple(parts), (None if advanced else cls)


_FULL = slice(None)


def _index_error(e, index, shape):
    """NumPy's IndexError reworded as torch words it."""
    msg = str(e)
    if msg.startswith('too many indices'):
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if msg.startswith('boolean index did not match'):
        return _mask_error(index, shape) or IndexError(msg)
    if 'out of bounds' in msg:
        return _bounds_error(index, shape) or IndexError(msg.replace('axis', 'dimension'))
    return IndexError(msg)


def _walk(index, shape):
    """(component, first dim it indexes) for each entry of a NumPy index tuple."""
    used = sum(c.ndim if isinstance(c, np.ndarray) and c.dtype.kind == 'b' else 1
               for c in index if c is not None and c is not Ellipsis and not isinstance(c, bool))
    dim = 0
    for c in index:
        yield c, dim
        if c is Ellipsis:
            dim += len(shape) - used
        elif isinstance(c, np.ndarray) and c.dtype.kind == 'b':
            dim += c.ndim
        elif c is not None and not isinstance(c, bool):
            dim += 1


def _bounds_error(index, shape):
    """torch's out-of-bounds message: ints name their dim, index tensors their position among the
    advanced indices (torch moves those dims to the front first)."""
    for c, dim in _walk(index, shape):
        if type(c) is int and not -shape[dim] <= c < shape[dim]:
            return IndexError(f"index {c} is out of bounds for dimension {dim} with size {shape[dim]}")
    pos = 0
    for c, dim in _walk(index, shape):
        if isinstance(c, np.ndarray):
            if c.dtype.kind == 'b':
                pos += c.ndim
                continue
            bad = c[(c < -shape[dim]) | (c >= shape[dim])]
            if bad.size:
                return IndexError(f"index {bad.flat[0]} is out of bounds for dimension {pos} with size "
                                  f"{shape[dim]}")
            pos += 1
    return None


def _mask_error(index, shape):
    for c, dim in _walk(index, shape):
        if isinstance(c, np.ndarray) and c.dtype.kind == 'b':
            for k, n in enumerate(c.shape):
                if dim + k < len(shape) and shape[dim + k] != n:
                    return IndexError(f"The shape of the mask {list(c.shape)} at index {k} does not match the "
                                      f"shape of the indexed tensor {list(shape)} at index {dim + k}")
    return None


# -- reading -----------------------------------------------------------------------------------
class Index(Op):
    """x[index] with integer or boolean arrays in the index: a copy."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x._data.shape, index
        return x._data[index]

    @staticmethod
    def backward(ctx, g):
        return IndexGrad.apply(g, ctx.in_shape, ctx.index, _may_repeat(ctx.index)), None


def _may_repeat(index):
    return any(isinstance(c, np.ndarray) and c.dtype.kind != 'b' for c in index)


def _gather_at(g, index):
    """g[index] as a graph op (a view for a basic index)."""
    for c in index:
        if isinstance(c, (np.ndarray, bool)):
            return Index.apply(g, index)
    return Slice.apply(g, index)


def getitem(self, index):
    """Tensor.__getitem__: torch (= NumPy) indexing semantics; basic indices return views."""
    a = self._data
    if type(index) is int:
        if a.ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        n = a.shape[0]
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {n}")
        return Select.apply(self, (index, Ellipsis))
    np_index, cls = parse_index(index)
    try:
        return (cls or Index).apply(self, np_index)
    except IndexError as e:
        if a.ndim == 0 and any(type(c) is int for c in np_index):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number") from None
        raise _index_error(e, np_index, a.shape) from None


# -- writing -----------------------------------------------------------------------------------
class Put(Op):
    """``x`` with ``value`` written (or added, when accumulating) at a NumPy index: the node behind
    every write-at-index op. Args: (x, index, value, accumulate, name, in_place); in place, x's own
    array is written and returned."""

    @staticmethod
    def forward(ctx, x, index, value, accumulate, name, in_place):
        ctx._bname = name
        ctx.index, ctx.accumulate = index, accumulate
        ctx.vmeta = (value._data.shape, value._data.dtype) if isinstance(value, Tensor) else None
        out = x._data if in_place else x._data.copy()
        _write(out, index, value, accumulate)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gv = None
        if ctx.needs_grad(0):
            gx = g if ctx.accumulate else ZeroAt.apply(g, ctx.index)
        if ctx.vmeta is not None and ctx.needs_grad(2):
            gv = _reduce_to(_gather_at(g, ctx.index), *ctx.vmeta)
        return gx, None, gv, None, None, None


class ZeroAt(Op):
    """A copy of g with zeros at index (the gradient of overwritten positions)."""

    @staticmethod
    def forward(ctx, g, index):
        ctx.index = index
        out = g._data.copy()
        out[index] = 0
        return out

    @staticmethod
    def backward(ctx, gg):
        return ZeroAt.apply(gg, ctx.index), None


def _reduce_to(g, shape, np_dtype):
    """The gradient of a value that was broadcast into g's shape, in the value's shape and dtype."""
    if g._data.shape != shape:
        core = shape
        while len(core) > g._data.ndim and core[0] == 1:
            core = core[1:]
        g = sum_to(g, core)
        if core != shape:
            g = g.reshape(shape)
    return _cast_grad(g, np_dtype)


def _write(out, index, value, accumulate):
    """out[index] = value (or += when accumulating), with torch's casting and messages."""
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(v, np.ndarray) and v.dtype != out.dtype:
        v = v.astype(out.dtype)
    try:
        if accumulate:
            np.add.at(out, index, v)
        else:
            out[index] = v
    except IndexError as e:
        raise _index_error(e, index, out.shape) from None
    except ValueError as e:
        msg = str(e)
        if 'read-only' in msg:
            raise RuntimeError(_OVERLAP) from None
        if 'broadcast' not in msg:
            raise
        target = out[index].shape
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast "
                           f"to indexing result of shape {list(target)}") from None


def _tracked(self, value):
    return _State.grad_enabled and self._data.dtype.kind in 'fc' and (
        self._rg or (isinstance(value, Tensor) and value._rg))


_OVERLAP = ("unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
            "single memory location. Please clone() the tensor before performing the operation.")


def _check_overlap(dst, value):
    """torch refuses a write whose source partially overlaps the destination."""
    if not isinstance(value, Tensor):
        return
    src = value._data
    if src.ndim and np.may_share_memory(dst, src):
        same = (dst.__array_interface__['data'][0] == src.__array_interface__['data'][0] and
                dst.strides == src.strides and dst.shape == src.shape)
        if not same and np.shares_memory(dst, src):
            raise RuntimeError(_OVERLAP)


def put_at_(self, index, value, accumulate=False, name='IndexPutBackward0', leaf_msg=None, overlap=True):
    """Write value into self at a NumPy index in place; under autograd, self's history is rebased
    onto a Put node (its old gradient is zeroed at the written positions)."""
    if self._rg and self.grad_fn is None and _State.grad_enabled:
        raise RuntimeError(leaf_msg or "a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    check_view_inplace(self)
    if overlap:
        _check_overlap(self._data, value)
    if _tracked(self, value):
        old = Tensor._wrap(self._data, self._rg, self.grad_fn, self._output_nr, self._vc)
        out = Put.apply(old, index, value, accumulate, name, True)
        self.grad_fn, self._output_nr, self._rg = out.grad_fn, 0, True
        rebase_view(self)
    else:
        _write(self._data, index, value, accumulate)
    self._vc[0] += 1
    return self


def put_at(x, index, value, accumulate=False, name='IndexPutBackward0'):
    """A copy of x with value written (or added) at a NumPy index."""
    return Put.apply(x, index, value, accumulate, name, False)


def _value(value, self):
    """A setitem value: a Tensor, or a Python/NumPy number."""
    if isinstance(value, Tensor) or isinstance(value, (numbers.Number, np.generic)):
        return value
    kind = type(value).__name__
    if isinstance(value, np.ndarray):
        kind = 'numpy.ndarray'
    raise TypeError(f"can't assign a {kind} to a {self.type()}")


def setitem(self, index, value):
    """Tensor.__setitem__: write value (a number or a broadcastable tensor) at the index."""
    value = _value(value, self)
    if type(index) is int:
        np_index, cls = (index, Ellipsis), Select
    else:
        np_index, cls = parse_index(index)
    if cls is None:
        return put_at_(self, np_index, value, False, 'IndexPutBackward0')
    if isinstance(value, Tensor):
        try:
            dst = self._data[np_index]
        except IndexError as e:
            raise _index_error(e, np_index, self._data.shape) from None
        _check_copy_shape(dst.shape, value)
        _check_overlap(dst, value)
    if cls is IndexAlias:   # x[...] = v is x.fill_(v) / x.copy_(v) in torch
        name, leaf_msg = ('CopyBackwards' if isinstance(value, Tensor) else 'FillBackward3'), None
    else:
        name, leaf_msg = 'CopySlices', _VIEW_LEAF
    put_at_(self, np_index, value, False, name, leaf_msg, overlap=False)


_VIEW_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."


def _check_copy_shape(target, value):
    """torch's message for a value that does not broadcast into a basic-index view (copy_ rules)."""
    vs = value._data.shape
    while len(vs) > len(target) and vs[0] == 1:
        vs = vs[1:]
    if vs != target:
        try:
            np.broadcast_shapes(vs, target)
            ok = len(vs) <= len(target) and np.broadcast_shapes(vs, target) == target
        except ValueError:
            ok = False
        if not ok:
            expand(Tensor._wrap(np.empty(value._data.shape, value._data.dtype)), target)


# -- index ops ---------------------------------------------------------------------------------
def _index_array(index, fn, msg=None):
    """An index tensor's array, checked for an integer dtype."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{fn}(): argument 'index' must be Tensor, not {type(index).__name__}")
    a = index._data
    if a.dtype.kind != 'i':
        raise RuntimeError(msg or f"{fn}(): Expected dtype int64 for index")
    return a


def _check_range(idx, size, dim, exc=RuntimeError, fn=''):
    """Refuse indices outside [0, size) (these ops do not wrap negative indices)."""
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise exc(f"{fn}index {bad} is out of bounds for dimension {dim} with size {size}")


def _along(dim, idx):
    """The NumPy index that picks idx along dim."""
    return (slice(None),) * dim + (idx, Ellipsis)


class IndexSelect(Index):
    pass


def index_select(input, dim, index):
    """The slices of input at the given indices along dim."""
    a = input._data
    d = wrap_dim(dim, a.ndim)
    idx = _index_array(index, 'index_select', 'index_select(): Expected dtype int32 or int64 for index')
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = idx.reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= (a.shape[d] if a.ndim else 1)):
        raise IndexError("index out of range in self")
    if a.ndim == 0:
        return View.apply(input, ()) if idx.size == 1 else Index.apply(input, (np.zeros(0, np.int64),))
    return IndexSelect.apply(input, _along(d, idx))


def _mask_array(mask, fn):
    a = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if a.dtype != np.bool_:
        if fn == 'masked_select':
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        raise RuntimeError(f"{fn} only supports boolean masks, but got mask with dtype "
                           f"{_TYPE_WORDS.get(a.dtype.name, a.dtype.name)}")
    return a


_TYPE_WORDS = {'uint8': 'unsigned char', 'float32': 'float', 'float64': 'double', 'int64': 'long int',
               'int32': 'int', 'float16': 'c10::Half'}


def _broadcast_with_mask(input, mask):
    shape = np.broadcast_shapes(input._data.shape, mask.shape)
    if input._data.shape != shape:
        input = expand(input, shape)
    return input, np.broadcast_to(mask, shape)


class MaskedSelect(Index):
    pass


def masked_select(input, mask):
    """The elements of input where mask is True (both broadcast), as a 1-D tensor."""
    m = _mask_array(mask, 'masked_select')
    x, m = _broadcast_with_mask(input, m)
    return MaskedSelect.apply(x, (m,))


def _fill_name(op, value):
    return op + ('Backward1' if isinstance(value, Tensor) else 'Backward0')


def _fill_value(value, fn):
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"{fn} only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    return value


def masked_fill(input, mask, value):
    """A copy of input with value (a number or 0-dim tensor) where mask is True."""
    m = _mask_array(mask, 'masked_fill_')
    value = _fill_value(value, 'masked_fill_')
    x, m = _broadcast_with_mask(input, m)
    return put_at(x, (m,), value, False, _fill_name('MaskedFill', value))


def masked_fill_(self, mask, value):
    m = _mask_array(mask, 'masked_fill_')
    value = _fill_value(value, 'masked_fill_')
    return put_at_(self, (_mask_for(self, m),), value, False, _fill_name('MaskedFill', value))


def _mask_for(self, m):
    """The mask broadcast to self's shape, for an in-place masked op."""
    shape = self._data.shape
    try:
        b = np.broadcast_shapes(shape, m.shape)
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(shape, m.shape) from None
    if b != shape:
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(b)}")
    return np.broadcast_to(m, shape)


def _scatter_source(source, m, self, fn):
    count = int(np.count_nonzero(m))
    if source._data.dtype != self._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_short(self.dtype)} and {_short(source.dtype)}")
    if source._data.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    flat = reshape(source, -1)
    return flat if count == flat._data.shape[0] else Slice.apply(flat, (slice(0, count),))


def masked_scatter(input, mask, source):
    """A copy of input with source's leading elements written, in order, where mask is True."""
    m = _mask_array(mask, 'masked_scatter_')
    x, m = _broadcast_with_mask(input, m)
    return put_at(x, (m,), _scatter_source(source, m, input, 'masked_scatter'), False,
                  'MaskedScatterBackward0')


def masked_scatter_(self, mask, source):
    m = _mask_for(self, _mask_array(mask, 'masked_scatter_'))
    return put_at_(self, (m,), _scatter_source(source, m, self, 'masked_scatter_'), False,
                   'MaskedScatterBackward0')


# -- nonzero -----------------------------------------------------------------------------------
def nonzero_tuple(input):
    """The indices of the non-zero elements, one 1-D int64 tensor per dim (torch.where(cond))."""
    a = input._data if isinstance(input, Tensor) else np.asarray(input)
    if a.ndim == 0:
        return (Tensor._wrap(np.zeros(1 if a else 0, np.int64)),)
    return tuple(Tensor._wrap(i.astype(np.int64, copy=False)) for i in np.nonzero(a))


def nonzero(input, *, out=None, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple per dim."""
    if as_tuple:
        return nonzero_tuple(input)
    a = input._data
    if a.ndim == 0:
        return Tensor._wrap(np.zeros((1 if a else 0, 0), np.int64))
    return Tensor._wrap(np.argwhere(a).astype(np.int64, copy=False))


def argwhere(input):
    return nonzero(input)


register(__getitem__=getitem, __setitem__=setitem, index_select=index_select, masked_select=masked_select,
         masked_fill=masked_fill, masked_fill_=masked_fill_, masked_scatter=masked_scatter,
         masked_scatter_=masked_scatter_, nonzero=nonzero, argwhere=argwhere)

from .scatter_gather import *  # noqa: E402,F401,F403  (take, put, gather, scatter, index_add, ...)
from . import scatter_gather as _scatter_gather  # noqa: E402
__all__ += _scatter_gather.__all__
