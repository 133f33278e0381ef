"""softmax, log_softmax and softmin along a dim (fused ops computed after subtracting the maximum)."""
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import _State
from ...ops._util import Op, register, wrap_dim
from ...ops._pointwise import kernel_error
from ...ops import unary as _unary
from ...ops.conversion import to_dtype as _to_dtype
from .activation import check_tensor

__all__ = ['softmax', 'log_softmax', 'softmin']

_wrap = Tensor._wrap


class Softmax(Op):
    """exp(x) / sum(exp(x)) along dim, computed after subtracting the maximum."""
    saves_output = True
    kernel = 'softmax'

    @staticmethod
    def compute(a, dim):
        if a.size == 0:
            return a.copy()
        e = a - a.max(axis=dim, keepdims=True)
        np.exp(e, out=e)
        e /= e.sum(axis=dim, keepdims=True)
        return e

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return ctx.compute(x._data, dim)

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        if _State.grad_enabled:
            return y * (g - (g * y).sum(ctx.dim, keepdim=True)), None
        ya, ga = y._data, g._data
        gy = ga * ya
        return _wrap(gy - ya * gy.sum(axis=ctx.dim, keepdims=True)), None


class LogSoftmax(Softmax):
    """x - log(sum(exp(x))) along dim, computed after subtracting the maximum."""
    kernel = 'log_softmax'

    @staticmethod
    def compute(a, dim):
        if a.size == 0:
            return a.copy()
        z = a - a.max(axis=dim, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=dim, keepdims=True))
        return z

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        if _State.grad_enabled:
            return g - _unary.exp(y) * g.sum(ctx.dim, keepdim=True), None
        ga = g._data
        return _wrap(ga - np.exp(y._data) * ga.sum(axis=ctx.dim, keepdims=True)), None


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel + 1)
    return 0 if ndim in (0, 1, 3) else 1


def softmax_along(op, input, dim, dtype=None):
    """op (Softmax or LogSoftmax) of input along dim, after casting to dtype when given."""
    if dtype is not None:
        input = _to_dtype(input, dtype)
    a = input._data
    d = wrap_dim(dim, max(a.ndim, 1))
    if a.dtype.kind not in 'fc':
        last = d == a.ndim - 1 or a.ndim == 0
        raise kernel_error(f"{op.kernel}_{'lastdim_' if last else ''}kernel_impl", a.dtype)
    if a.ndim == 0:
        input, d = input.reshape((1,)), 0
        return softmax_along(op, input, d).reshape(())
    if _State.grad_enabled and input._rg:
        return op.apply(input, d)
    return _wrap(op.compute(input._data, d))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(input) normalised to sum to 1 along dim."""
    check_tensor(input, 'softmax')
    if dim is None:
        dim = _implicit_dim('softmax', input.ndim, _stacklevel)
    return softmax_along(Softmax, input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(input, dim)), computed stably."""
    check_tensor(input, 'log_softmax')
    if dim is None:
        dim = _implicit_dim('log_softmax', input.ndim, _stacklevel)
    return softmax_along(LogSoftmax, input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input, dim)."""
    check_tensor(input, 'softmin')
    if dim is None:
        dim = _implicit_dim('softmin', input.ndim, _stacklevel)
    if dtype is not None:
        input = _to_dtype(input, dtype)
    return softmax_along(Softmax, -input, dim)


# the Tensor methods torch has for these functions
register(softmax=lambda self, dim, dtype=None: softmax_along(Softmax, self, dim, dtype),
         log_softmax=lambda self, dim, dtype=None: softmax_along(LogSoftmax, self, dim, dtype))
