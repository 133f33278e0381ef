"""Cumulative ops along a dim: cumsum, cumprod, cummax, cummin."""
import numpy as np

from ..autograd.grad_mode import _State
from ._util import Op, register, inplace
from ._reduce import one_dim, const, cast_grad, np_dtype_arg, write_out, named_result, flip_dim, \
    scatter_along

__all__ = ['cumsum', 'cumprod', 'cummax', 'cummin']


def _int_to_long(a, np_dtype):
    """torch's result dtype of cumsum/cumprod: dtype= if given, int64 for bool/int inputs."""
    if np_dtype is None and a.dtype.kind in 'biu':
        return np.dtype(np.int64)
    return np_dtype


def _accumulate(ctx, x, dim, np_dtype, np_cumulative):
    """Forward of cumsum/cumprod: ``np_cumulative`` along dim in torch's result dtype (a 0-d input
    is just cast); keeps dim and the input dtype on ctx for backward."""
    a = x._data
    ctx.dim, ctx.in_dtype = dim, a.dtype
    np_dtype = _int_to_long(a, np_dtype)
    if a.ndim == 0:
        return a.astype(np_dtype or a.dtype)
    return np_cumulative(a, axis=dim, dtype=np_dtype)


class Cumsum(Op):
    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        return _accumulate(ctx, x, dim, np_dtype, np.cumsum)

    @staticmethod
    def backward(ctx, g):
        gx = g if g._data.ndim == 0 else reverse_cumsum(g, ctx.dim)
        return cast_grad(gx, ctx.in_dtype), None, None


def reverse_cumsum(g, dim):
    """out[i] = sum of g[j] for j >= i along dim."""
    return flip_dim(cumsum(flip_dim(g, dim), dim), dim)


def cumsum(input, dim, *, dtype=None, out=None):
    """Cumulative sum along dim; bool/int inputs accumulate in int64."""
    r = Cumsum.apply(input, one_dim(dim, input._data.ndim), np_dtype_arg(dtype))
    return write_out(r, out, 'cumsum')


class Cumprod(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        ctx.save_for_backward(x)
        return _accumulate(ctx, x, dim, np_dtype, np.cumprod)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return cast_grad(cumprod_backward(g, x, ctx.output, ctx.dim), ctx.in_dtype), None, None


def cumprod_backward(g, x, out, dim):
    """Gradient of out = cumprod(x, dim): grad[i] = sum_{j>=i} g[j] * prod_{k<=j, k!=i} x[k].

    Without zeros this is reverse_cumsum(g * out) / x. With zeros, per slice with first zero at z:
    positions before z use the same formula, position z gets sum_{j>=z} g[j] * cumprod(x')[j] where
    x' is x with x[z] set to 1, and later positions get 0 — whose derivative with respect to x[z] is
    only needed for higher-order gradients, where it is added exactly (x[z] * grad at x')."""
    a = x._data
    if a.ndim == 0 or a.shape[dim] <= 1:
        return g
    zero = a == 0
    if not zero.any():
        return reverse_cumsum(g * out, dim) / x
    dt = a.dtype
    zeros_so_far = np.cumsum(zero, axis=dim)
    before = zeros_so_far == 0
    first = zero & (zeros_so_far == 1)
    from_first = zeros_so_far >= 1
    before_f, first_f = before.astype(dt), first.astype(dt)
    x_safe = x * const(before_f) + const(1 - before_f)
    gx = reverse_cumsum(g * out, dim) / x_safe * const(before_f)
    x1 = x * const(1 - first_f) + const(first_f)
    out1 = cumprod(x1, dim)
    gx = gx + (g * out1 * const(from_first.astype(dt))).sum(dim, keepdim=True) * const(first_f)
    if _State.grad_enabled:
        x_first = (x * const(first_f)).sum(dim, keepdim=True)
        after = const((from_first & ~first).astype(dt))
        gx = gx + x_first * cumprod_backward(g, x1, out1, dim) * after
    return gx


def cumprod(input, dim, *, dtype=None, out=None):
    """Cumulative product along dim (gradient exact also when the input has zeros)."""
    r = Cumprod.apply(input, one_dim(dim, input._data.ndim), np_dtype_arg(dtype))
    return write_out(r, out, 'cumprod')


class Cummax(Op):
    """Running maximum along dim with the index of its last occurrence (NaN propagates)."""
    accumulate = staticmethod(np.maximum.accumulate)

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        ctx.shape, ctx.dim = a.shape, dim
        if a.ndim == 0:
            ctx.idx = None
            return a.copy(), np.zeros((), np.int64)
        values = ctx.accumulate(a, axis=dim)
        hit = a == values
        if a.dtype.kind in 'fc':
            hit |= np.isnan(a)
        pos = np.arange(a.shape[dim], dtype=np.int64).reshape([-1 if i == dim else 1
                                                               for i in range(a.ndim)])
        ctx.idx = idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=dim)
        return values, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        if ctx.idx is None:
            return g, None
        return scatter_along(g, ctx.dim, ctx.idx, ctx.shape, unique=False), None


class Cummin(Cummax):
    accumulate = staticmethod(np.minimum.accumulate)


def cummax(input, dim, *, out=None):
    """(values, indices) of the running maximum along dim."""
    return named_result('cummax', Cummax.apply(input, one_dim(dim, input._data.ndim)), out)


def cummin(input, dim, *, out=None):
    """(values, indices) of the running minimum along dim."""
    return named_result('cummin', Cummin.apply(input, one_dim(dim, input._data.ndim)), out)


register(cumsum=cumsum, cumprod=cumprod, cummax=cummax, cummin=cummin,
         cumsum_=lambda self, dim, *, dtype=None: inplace(self, cumsum, dim, dtype=dtype),
         cumprod_=lambda self, dim, *, dtype=None: inplace(self, cumprod, dim, dtype=dtype))
