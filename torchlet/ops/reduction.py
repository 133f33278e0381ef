"""Reductions: sum, mean, prod, std, var, max/min, norms, cumulative ops, any/all."""
import numpy as np

from .. import _dtype
from ._util import Op, Tensor, register, dims_tuple, expand_to

__all__ = ['sum']


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        a = x._data
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        if np_dtype is None and a.dtype.kind in 'biu':
            np_dtype = np.int64
        return a.sum(axis=dims, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdim:
            g = g.reshape(_keep_shape(ctx.in_shape, ctx.dims))
        return expand_to(g, ctx.in_shape), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over dim (int or tuple) keeping dims when keepdim."""
    dims = dims_tuple(dim, input._data.ndim)
    return Sum.apply(input, dims, keepdim, dtype.np if dtype is not None else None)


register(sum=sum)
