"""Norms: torch.norm (vector p-norms, 'fro', 'nuc') and torch.dist. ``vector_norm`` and
``matrix_norm`` here are the engines that torch.linalg's functions of the same name can call."""
import math

import numpy as np

from ._util import Op, Tensor, register
from ._reduce import reduce_dims, np_axes, spread, const, cast_grad, write_out, short_name

__all__ = ['norm', 'dist']

_INF = math.inf


class LinalgVectorNorm(Op):
    """(sum |x|^p)^(1/p) over dims, with the limits p = 0 (count of non-zeros), +-inf (max/min |x|);
    gradients follow torch (0 where the norm is 0 for p = 2, shared among ties for +-inf)."""
    saves_output = True

    @staticmethod
    def forward(ctx, x, p, dims, keepdim, np_dtype):
        a = x._data
        if np_dtype is not None and a.dtype != np_dtype:
            a = a.astype(np_dtype)
        ctx.p, ctx.dims, ctx.keepdim, ctx.in_dtype = p, dims, keepdim, x._data.dtype
        ctx.save_for_backward(x)
        absa = np.abs(a)
        axes = np_axes(dims, a.ndim)
        if p == _INF or p == -_INF:
            if a.size == 0:
                _empty_inf_norm(a, dims)
            return (np.amax if p > 0 else np.amin)(absa, axis=axes, keepdims=keepdim)
        if p == 0:
            return (absa != 0).sum(axis=axes, keepdims=keepdim, dtype=absa.dtype)
        if p == 1:
            return absa.sum(axis=axes, keepdims=keepdim)
        if p == 2:
            return np.sqrt((absa * absa).sum(axis=axes, keepdims=keepdim))
        with np.errstate(divide='ignore'):
            return (absa ** p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        p, dims, keepdim = ctx.p, ctx.dims, ctx.keepdim
        if p == 0:
            return None, None, None, None, None
        a = x._data
        shape = a.shape
        sign = const(np.where(np.isnan(a), 0, np.sign(a)).astype(a.dtype, copy=False))  # sgn(nan)=0
        g = spread(g, shape, dims, keepdim)
        if p == 1:
            return cast_grad(sign * g, ctx.in_dtype), None, None, None, None
        norm = spread(ctx.output, shape, dims, keepdim)
        if p == _INF or p == -_INF:
            absa = np.abs(a)
            mask = (absa == norm._data) | np.isnan(absa)
            share = mask / mask.sum(axis=dims, keepdims=True)
            gx = sign * g * const(share.astype(a.dtype))
            return cast_grad(gx, ctx.in_dtype), None, None, None, None
        is_zero = norm._data == 0   # where the norm is 0 the gradient is 0 (not nan)
        norm_safe = norm + const(is_zero.astype(norm._data.dtype))
        nonzero = const((~is_zero).astype(norm._data.dtype))
        if p == 2:
            gx = x * (g / norm_safe * nonzero)
        else:
            from .. import pow
            absx = x * sign
            if p < 1:
                at_zero = a == 0
                absx_safe = absx + const(at_zero.astype(a.dtype))
                gx = sign * pow(absx_safe, p - 1) * const((~at_zero).astype(a.dtype)) * g * \
                    pow(norm, 1 - p)
            else:
                scaled = sign * pow(absx, p - 1) if p < 2 else x * pow(absx, p - 2)
                gx = scaled * (g / pow(norm_safe, p - 1) * nonzero)
        return cast_grad(gx, ctx.in_dtype), None, None, None, None


def _empty_inf_norm(a, dims):
    if len(dims) == a.ndim:
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because "
                           "the operation does not have an identity")
    for d in dims:
        if a.shape[d] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the inf norm on the dimension {d}"
                               "because this dimension is empty and the operation does not have an "
                               "identity")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.linalg.vector_norm: the ord-norm of x over dim (all elements by default)."""
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Expected a number as ord, got {ord}")
    check = dtype if dtype is not None else x.dtype
    if not (check.is_floating_point or check.is_complex):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {short_name(check)}")
    dims = reduce_dims(dim, x._data.ndim)
    r = LinalgVectorNorm.apply(x, float(ord), dims, keepdim, None if dtype is None else dtype.np)
    return write_out(r, out, 'linalg_vector_norm')


class NuclearNorm(Op):
    """Sum of the singular values over two dims (gradient U @ Vh, first order)."""
    _bname = 'LinalgMatrixNormBackward0'

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = np.moveaxis(x._data, dims, (-2, -1))
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.in_dtype, ctx.dims, ctx.keepdim = x._data.dtype, dims, keepdim
        ctx.uv = np.moveaxis(u @ vh, (-2, -1), dims)
        r = s.sum(axis=-1).astype(x._data.dtype, copy=False)
        if keepdim:
            r = np.expand_dims(r, tuple(sorted(dims)))
        return r

    @staticmethod
    def backward(ctx, g):
        dims = tuple(sorted(ctx.dims))
        return spread(g, ctx.uv.shape, dims, ctx.keepdim) * const(ctx.uv), None, None


def matrix_norm(x, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """torch.linalg.matrix_norm for ord 'fro' and 'nuc'."""
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        got = ' '.join(str(d) for d in (dim if isinstance(dim, (tuple, list)) else (dim,)))
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
    if ord not in ('fro', 'nuc'):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        x = x.to(dtype)
    if ord == 'fro':
        return vector_norm(x, 2, dim, keepdim, out=out)
    dims = reduce_dims(dim, x._data.ndim)
    if x._data.dtype.kind not in 'fc':
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {short_name(x)}")
    return write_out(NuclearNorm.apply(x, (dims[0], dims[1]), keepdim), out, 'linalg_matrix_norm')


def norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm: a vector p-norm (p a number, or 'fro' over at most two dims), or the nuclear
    norm ('nuc')."""
    if isinstance(p, str):
        if p == 'fro' and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype, out=out)
        if dim is None:
            dim = tuple(range(input._data.ndim))
        return matrix_norm(input, p, dim, keepdim, dtype=dtype, out=out)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype, out=out)


class Dist(LinalgVectorNorm):
    """The p-norm of a difference (the graph runs through the subtraction)."""


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"dist(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    diff = input - other
    if not diff.dtype.is_floating_point and not diff.dtype.is_complex:
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{short_name(diff)} instead.")
    return Dist.apply(diff, float(p), reduce_dims(None, diff._data.ndim), False, None)


register(norm=norm, dist=dist)
