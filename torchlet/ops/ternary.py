"""Ops of three tensors: lerp (linear interpolation), addcmul and addcdiv (the optimizers' fused
updates), each with in-place and out= forms. Their in-place forms update the tensor's storage
directly when autograd is not involved (optimizer steps run under no_grad)."""
import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _State
from ._util import Op, Tensor, register, inplace, write_inplace, broadcast_error
from ._pointwise import arr, grad_for, write_out, kernel_error

__all__ = ['lerp', 'addcmul', 'addcdiv']

_wrap = Tensor._wrap


def _tracked(a, b, c):
    return _State.grad_enabled and (a._rg or b._rg or (isinstance(c, Tensor) and c._rg))


def _add_into(self, delta):
    """self += delta in place (False when the shapes or the storage do not allow it)."""
    a = self._data
    if delta.dtype != a.dtype or not a.flags.writeable:
        return False
    try:
        np.add(a, delta, out=a)
    except ValueError:
        return False
    self._vc[0] += 1
    return True


# -- lerp ------------------------------------------------------------------------------------------
def _lerp_arrays(a, b, w):
    """torch's two-sided formula, exact at both ends."""
    if np.ndim(w) == 0:
        return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)
    d = b - a
    return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))


def _lerp_compute(input, end, weight):
    a, b = input._data, end._data
    if a.dtype.kind != 'f' and a.dtype.kind != 'c':
        raise kernel_error('lerp_kernel_scalar' if not isinstance(weight, Tensor) else
                           'lerp_kernel_tensor', a.dtype)
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected dtype {_cname(a)} for `end` but got dtype {_cname(b)}")
    w = weight._data.astype(a.dtype, copy=False) if isinstance(weight, Tensor) else \
        a.dtype.type(weight)
    try:
        return arr(_lerp_arrays(a, b, w).astype(a.dtype, copy=False))
    except ValueError:
        raise broadcast_error(a.shape, b.shape if np.shape(w) == () else np.shape(w)) from None


def _cname(a):
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half'}.get(a.dtype.name,
                                                                               a.dtype.name)


class Lerp(Op):
    """input + weight * (end - input)."""

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        ctx._bname = 'LerpBackward1' if isinstance(w, Tensor) else 'LerpBackward0'
        return _lerp_compute(a, b, w)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        ga = grad_for(g * (1 - w), a) if ctx.needs_grad(0) else None
        gb = grad_for(g * w, b) if ctx.needs_grad(1) else None
        gw = grad_for(g * (b - a), w) if ctx.needs_grad(2) else None
        return ga, gb, gw


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input); weight is a number or a tensor."""
    if _tracked(input, end, weight):
        r = Lerp.apply(input, end, weight)
    else:
        r = _wrap(_lerp_compute(input, end, weight))
    return r if out is None else write_out(r, out, 'lerp')


def lerp_(self, end, weight):
    if _tracked(self, end, weight):
        return inplace(self, lerp, end, weight)
    a, b = self._data, end._data
    if not isinstance(weight, Tensor) and a.dtype == b.dtype and a.dtype.kind == 'f' and \
            abs(weight) < 0.5 and _add_into(self, arr(a.dtype.type(weight) * (b - a))):
        return self
    write_inplace(self, _lerp_compute(self, end, weight))
    return self


# -- addcmul / addcdiv -----------------------------------------------------------------------------
_ADDCDIV_INT_MSG = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
    "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
    "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior "
    "is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")


def _addc_arrays(input, t1, t2, value, divide):
    """(input's array, value * t1 * t2 or value * t1 / t2), in the promoted dtype (computed in
    torch's order: the value multiplies t1 first)."""
    a, x, y = input._data, t1._data, t2._data
    if not (a.dtype == x.dtype == y.dtype and a.dtype.kind == 'f'):
        if divide and x.dtype.kind in 'biu' and y.dtype.kind in 'biu':
            raise RuntimeError(_ADDCDIV_INT_MSG)
        dt = _dtype.result_type(input, t1, t2).np
        a, x, y = a.astype(dt, copy=False), x.astype(dt, copy=False), y.astype(dt, copy=False)
        if dt.kind in 'iu':
            value = int(value)
    try:
        return a, arr((value * x) / y if divide else (value * x) * y)
    except ValueError:
        raise broadcast_error(x.shape, y.shape) from None


def _addc_compute(input, t1, t2, value, divide):
    a, delta = _addc_arrays(input, t1, t2, value, divide)
    try:
        return arr(a + delta)
    except ValueError:
        raise broadcast_error(a.shape, delta.shape) from None


class _AddcOp(Op):
    """input + value * tensor1 (* or / when ``_divide``) tensor2."""
    _divide = False

    @staticmethod
    def forward(ctx, a, t1, t2, value):
        ctx.save_for_backward(a, t1, t2)
        ctx.value = value
        return _addc_compute(a, t1, t2, value, ctx._divide)


class Addcmul(_AddcOp):
    """input + value * tensor1 * tensor2."""

    @staticmethod
    def backward(ctx, g):
        a, t1, t2 = ctx.saved_tensors
        v = ctx.value
        g1 = grad_for(g * t2 * v, t1) if ctx.needs_grad(1) else None
        g2 = grad_for(g * t1 * v, t2) if ctx.needs_grad(2) else None
        return grad_for(g, a), g1, g2, None


class Addcdiv(_AddcOp):
    """input + value * tensor1 / tensor2."""
    _divide = True

    @staticmethod
    def backward(ctx, g):
        a, t1, t2 = ctx.saved_tensors
        v = ctx.value
        g1 = grad_for(g * v / t2, t1) if ctx.needs_grad(1) else None
        g2 = grad_for(-g * v * t1 / (t2 * t2), t2) if ctx.needs_grad(2) else None
        return grad_for(g, a), g1, g2, None


def _addc(op, name, divide, input, t1, t2, value, out):
    if _tracked(input, t1, t2):
        r = op.apply(input, t1, t2, value)
    else:
        r = _wrap(_addc_compute(input, t1, t2, value, divide))
    return r if out is None else write_out(r, out, name)


def _addc_(op, fn, divide, self, t1, t2, value):
    if _tracked(self, t1, t2):
        return inplace(self, fn, t1, t2, value=value)
    a, delta = _addc_arrays(self, t1, t2, value, divide)
    if a is self._data and _add_into(self, delta):
        return self
    write_inplace(self, _addc_compute(self, t1, t2, value, divide))
    return self


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    return _addc(Addcmul, 'addcmul', False, input, tensor1, tensor2, value, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    return _addc(Addcdiv, 'addcdiv', True, input, tensor1, tensor2, value, out)


def addcmul_(self, tensor1, tensor2, *, value=1):
    return _addc_(Addcmul, addcmul, False, self, tensor1, tensor2, value)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    return _addc_(Addcdiv, addcdiv, True, self, tensor1, tensor2, value)


register(lerp=lerp, lerp_=lerp_, addcmul=addcmul, addcmul_=addcmul_, addcdiv=addcdiv,
         addcdiv_=addcdiv_)
