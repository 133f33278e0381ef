"""Dtype casts, clone, contiguous and the basic in-place writers (copy_, fill_, zero_)."""
import numpy as np

from .. import _dtype
from ._util import Op, Tensor, register, check_inplace, write_inplace, is_scalar, as_tensor, sum_to
from ..autograd.grad_mode import _State

__all__ = ['clone']


class ToCopy(Op):
    _bname = 'ToCopyBackward0'

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.in_dtype = x._data.dtype
        return x._data.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.in_dtype.kind not in 'fc':
            return None, None
        return to_dtype(g, _dtype.from_numpy_dtype(ctx.in_dtype)), None


def to_dtype(x, dtype, copy=False):
    if dtype.np == x._data.dtype and not copy:
        return x
    if (x._rg and _State.grad_enabled) and dtype.np.kind not in 'fc':
        return Tensor._wrap(x._data.astype(dtype.np))
    return ToCopy.apply(x, dtype.np)


class Clone(Op):
    _bname = 'CloneBackward0'

    @staticmethod
    def forward(ctx, x):
        return x._data.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input, *, memory_format=None):
    """A copy of input that stays in the graph."""
    return Clone.apply(input)


def contiguous(self, memory_format=None):
    return self if self._data.flags.c_contiguous else Clone.apply(self)


class CopyFrom(Op):
    """``dst.copy_(src)``: the result takes src's values (broadcast), dst's dtype."""
    _bname = 'CopyBackwards'

    @staticmethod
    def forward(ctx, dst, src):
        ctx.src_shape, ctx.src_dtype = src._data.shape, src._data.dtype
        return np.broadcast_to(src._data, dst._data.shape).astype(dst._data.dtype)

    @staticmethod
    def backward(ctx, g):
        gs = sum_to(g, ctx.src_shape)
        if gs._data.dtype != ctx.src_dtype:
            gs = to_dtype(gs, _dtype.from_numpy_dtype(ctx.src_dtype))
        return None, gs


def copy_(self, src, non_blocking=False):
    """Copy src's values into self in place (broadcasting src, casting to self's dtype)."""
    check_inplace(self)
    src = as_tensor(src)
    try:
        np.broadcast_to(src._data, self._data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) "
                           f"must match the size of tensor b ({src._data.shape[-1]}) at non-singleton "
                           f"dimension {self._data.ndim - 1}") from None
    if _State.grad_enabled and (self._rg or src._rg):
        out = CopyFrom.apply(self, src)
        write_inplace(self, out._data)
        self.grad_fn, self._output_nr, self._rg = out.grad_fn, 0, True
        if self._view_base is not None:
            from .views import rebase_view
            rebase_view(self)
        return self
    np.copyto(self._data, src._data, casting='unsafe')
    self._vc[0] += 1
    return self


def fill_(self, value):
    """Fill self with a number (or a 0-dim tensor) in place."""
    check_inplace(self)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return copy_(self, value)
    if _State.grad_enabled and self._rg:
        return copy_(self, Tensor._wrap(np.asarray(value, self._data.dtype)))
    self._data[...] = value
    self._vc[0] += 1
    return self


def zero_(self):
    return fill_(self, 0)


def _caster(dt):
    def cast(self, memory_format=None):
        return to_dtype(self, dt)
    cast.__name__ = dt.name
    return cast


register(clone=clone, contiguous=contiguous, copy_=copy_, fill_=fill_, zero_=zero_,
         float=_caster(_dtype.float32), double=_caster(_dtype.float64), half=_caster(_dtype.float16),
         bfloat16=_caster(_dtype.bfloat16), int=_caster(_dtype.int32), long=_caster(_dtype.int64),
         short=_caster(_dtype.int16), char=_caster(_dtype.int8), byte=_caster(_dtype.uint8),
         bool=_caster(_dtype.bool), cfloat=_caster(_dtype.complex64), cdouble=_caster(_dtype.complex128))
