"""clamp/clip, clamp_min and clamp_max with number or tensor bounds; the gradient passes where
min <= input <= max, and to a tensor bound where it is the one that binds (torch's rules)."""
import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _State
from ._util import Op, Tensor, register, inplace, write_inplace, broadcast_error
from ._pointwise import arr, grad_for, write_out, kernel_error
from .comparison import where

__all__ = ['clamp', 'clip', 'clamp_min', 'clamp_max', 'clamp_', 'clip_', 'clamp_min_', 'clamp_max_']

_wrap = Tensor._wrap

try:
    _clip = np._core.umath.clip       # the ufunc behind np.clip, without its Python wrapper
except AttributeError:                # NumPy < 2
    def _clip(a, lo, hi):
        return np.minimum(np.maximum(a, lo), hi)
_NUMBER_OR_NONE = (int, float, type(None))


def _clamp_compute(x, lo, hi):
    """min(max(x, lo), hi) in the promoted dtype of x and the bounds (None: unbounded)."""
    a = x._data
    if a.dtype.kind == 'f' and lo.__class__ in _NUMBER_OR_NONE and hi.__class__ in _NUMBER_OR_NONE:
        t = a.dtype.type           # float tensor, number bounds: the common, fast case
        if lo is None:
            return arr(np.minimum(a, t(hi)))
        if hi is None:
            return arr(np.maximum(a, t(lo)))
        return arr(_clip(a, t(lo), t(hi)))
    dt = _dtype.result_type(*(v for v in (x, lo, hi) if v is not None)).np
    if dt.kind == 'b' and not isinstance(lo, Tensor) and not isinstance(hi, Tensor):
        kernel = 'clamp_scalar_cpu' if lo is not None and hi is not None else \
            'clamp_min_scalar_cpu' if lo is not None else 'clamp_max_scalar_cpu'
        raise kernel_error(kernel, dt)
    a = x._data.astype(dt, copy=False)
    bounds = [None if v is None else v._data.astype(dt, copy=False) if isinstance(v, Tensor)
              else dt.type(v) for v in (lo, hi)]
    try:
        if bounds[0] is not None:
            a = np.maximum(a, bounds[0])
        if bounds[1] is not None:
            a = np.minimum(a, bounds[1])
    except ValueError:
        other = bounds[0] if bounds[0] is not None and np.ndim(bounds[0]) else bounds[1]
        raise broadcast_error(x._data.shape, np.shape(other)) from None
    return arr(a if a is not x._data else a.copy())


class ClampScalar(Op):
    """clamp with number bounds: the gradient passes where min <= x <= max."""
    _bname = 'ClampBackward1'

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return _clamp_compute(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        xd = x._data
        mask = np.ones(xd.shape, np.bool_)
        if ctx.lo is not None:
            mask &= xd >= ctx.lo
        if ctx.hi is not None:
            mask &= xd <= ctx.hi
        return where(_wrap(mask), g, 0.0), None, None


class ClampTensor(Op):
    """clamp with tensor bounds (torch's clamp_backward_min_max)."""
    _bname = 'ClampBackward0'

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        return _clamp_compute(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        xd = x._data
        ld = None if lo is None else lo._data
        hd = None if hi is None else hi._data
        if ld is not None and hd is not None:
            keep = (xd >= ld) & (xd <= hd)
            to_lo = (xd < ld) & (ld < hd)
            to_hi = (xd > hd) | (hd < ld)
        elif ld is not None:
            keep, to_lo, to_hi = xd >= ld, xd < ld, None
        else:
            keep, to_lo, to_hi = xd <= hd, None, xd > hd
        gx = grad_for(where(_wrap(keep), g, 0.0), x) if ctx.needs_grad(0) else None
        gl = grad_for(where(_wrap(to_lo), g, 0.0), lo) if ctx.needs_grad(1) else None
        gh = grad_for(where(_wrap(to_hi), g, 0.0), hi) if ctx.needs_grad(2) else None
        return gx, gl, gh


def _clamp_bounds(min, max):
    """Both bounds as numbers or both as tensors (0-dim tensors next to a number count as numbers);
    the op that handles them."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    t_min, t_max = isinstance(min, Tensor), isinstance(max, Tensor)
    if t_min != t_max and min is not None and max is not None:
        t = min if t_min else max
        if t._data.ndim:
            raise TypeError(f"clamp() received an invalid combination of arguments - got (Tensor, "
                            f"{type(min).__name__}, {type(max).__name__})")
        if t_min:
            min = min.item()
        else:
            max = max.item()
        t_min = t_max = False
    return min, max, (ClampTensor if t_min or t_max else ClampScalar)


def _tracked(x, lo, hi):
    return _State.grad_enabled and (x._rg or (isinstance(lo, Tensor) and lo._rg) or
                                    (isinstance(hi, Tensor) and hi._rg))


def _clamp_run(op, x, lo, hi):
    """op.apply when autograd must record the clamp, else just the values."""
    if _tracked(x, lo, hi):
        return op.apply(x, lo, hi)
    return _wrap(_clamp_compute(x, lo, hi))


def clamp(input, min=None, max=None, *, out=None):
    """Limit input to [min, max] (numbers or tensors; one may be None)."""
    if min.__class__ in _NUMBER_OR_NONE and max.__class__ in _NUMBER_OR_NONE and \
            (min is not None or max is not None):
        op = ClampScalar
    else:
        min, max, op = _clamp_bounds(min, max)
    r = _clamp_run(op, input, min, max)
    return r if out is None else write_out(r, out, 'clamp')


def clamp_(self, min=None, max=None):
    min, max, op = _clamp_bounds(min, max)
    if _tracked(self, min, max):
        return inplace(self, clamp, min, max)
    write_inplace(self, _clamp_compute(self, min, max))
    return self


class ClampMin(ClampTensor):
    _bname = 'ClampMinBackward1'


class ClampMax(ClampTensor):
    _bname = 'ClampMaxBackward1'


class ClampMinScalar(ClampScalar):
    _bname = 'ClampMinBackward0'


class ClampMaxScalar(ClampScalar):
    _bname = 'ClampMaxBackward0'


def clamp_min(input, min, *, out=None):
    """max(input, min)."""
    r = _clamp_run(ClampMin if isinstance(min, Tensor) else ClampMinScalar, input, min, None)
    return r if out is None else write_out(r, out, 'clamp_min')


def clamp_max(input, max, *, out=None):
    """min(input, max)."""
    r = _clamp_run(ClampMax if isinstance(max, Tensor) else ClampMaxScalar, input, None, max)
    return r if out is None else write_out(r, out, 'clamp_max')


def clamp_min_(self, min):
    return clamp_(self, min, None)


def clamp_max_(self, max):
    return clamp_(self, None, max)


clip, clip_ = clamp, clamp_


register(clamp=clamp, clamp_=clamp_, clip=clamp, clip_=clamp_, clamp_min=clamp_min,
         clamp_min_=clamp_min_, clamp_max=clamp_max, clamp_max_=clamp_max_)
