"""Reductions: sum, mean, prod, max/min and friends, logsumexp, any/all, count_nonzero.

The statistics (std, var, median, quantile, ...), norms and cumulative ops live in sibling modules and
are re-exported from here, so ``torchlet.ops.reduction`` is the one entry point of the family.
"""
import functools

import numpy as np

from ._util import Op, Tensor, register, float_array
from ..autograd.grad_mode import _State
from ._reduce import (reduce_dims, np_axes, one_dim, keep_shape, spread, const, cast_grad,
                      np_dtype_arg, write_out, named_result, check_nonempty, short_name,
                      spread_evenly, SelectAlong, shift, flip_dim)

__all__ = ['sum', 'nansum', 'mean', 'nanmean', 'prod', 'max', 'min', 'amax', 'amin', 'argmax',
           'argmin', 'aminmax', 'logsumexp', 'any', 'all', 'count_nonzero']

_NONES = (None,) * 6


def numpy_names(fn):
    """Accept torch's NumPy-style aliases ``axis=`` (for dim) and ``keepdims=`` (for keepdim)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if 'axis' in kwargs:
            kwargs['dim'] = kwargs.pop('axis')
        if 'keepdims' in kwargs:
            kwargs['keepdim'] = kwargs.pop('keepdims')
        return fn(*args, **kwargs)
    return wrapper


def _accumulate(reducer, a, dims, keepdim, np_dtype):
    """reducer (np.add.reduce, np.multiply.reduce, np.nansum) with torch's result dtype: integers and
    bool accumulate in int64, float16 in float32."""
    dims = np_axes(dims, a.ndim)
    if np_dtype is None:
        if a.dtype.kind in 'biu':
            np_dtype = np.int64
        elif a.dtype == np.float16:
            return reducer(a, axis=dims, keepdims=keepdim, dtype=np.float32).astype(np.float16)
    return reducer(a, axis=dims, keepdims=keepdim, dtype=np_dtype)


# -- sum / nansum / mean ---------------------------------------------------------------------
class Sum(Op):
    _bname = 'SumBackward0'
    reducer = staticmethod(np.add.reduce)

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        a = x._data
        ctx.in_shape, ctx.in_dtype, ctx.dims, ctx.keepdim = a.shape, a.dtype, dims, keepdim
        return _accumulate(ctx.reducer, a, dims, keepdim, np_dtype)

    @staticmethod
    def backward(ctx, g):
        return (cast_grad(spread(g, ctx.in_shape, ctx.dims, ctx.keepdim), ctx.in_dtype),) + _NONES


class SumDim(Sum):
    _bname = 'SumBackward1'


class Nansum(Sum):
    """sum with NaN counted as 0 (and getting no gradient)."""
    _bname = 'NansumBackward0'
    reducer = staticmethod(np.nansum)

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        ctx.save_for_backward(x)
        return Sum.forward(ctx, x, dims, keepdim, np_dtype)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        gx = Sum.backward(ctx, g)[0]
        return (gx * const(~np.isnan(x._data)),) + _NONES


@numpy_names
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of all elements, or over dim (int or tuple); bool/int inputs sum to int64."""
    a = input._data
    if dim is None and dtype is None and out is None and a.dtype.kind == 'f' and a.dtype.itemsize >= 4 \
            and not (input._rg and _State.grad_enabled):
        return Tensor._wrap(np.asarray(np.add.reduce(a, axis=None)))     # untracked full sum
    dims = reduce_dims(dim, a.ndim)
    op = Sum if dim is None else SumDim
    return write_out(op.apply(input, dims, keepdim, np_dtype_arg(dtype)), out, 'sum')


@numpy_names
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """sum treating NaN as zero."""
    dims = reduce_dims(dim, input._data.ndim)
    return write_out(Nansum.apply(input, dims, keepdim, np_dtype_arg(dtype)), out, 'nansum')


def _numel(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


class Mean(Op):
    _bname = 'MeanBackward0'

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        a = x._data
        ctx.in_shape, ctx.in_dtype, ctx.dims, ctx.keepdim = a.shape, a.dtype, dims, keepdim
        if np_dtype is not None and a.dtype != np_dtype:
            a = a.astype(np_dtype)
        ctx.n = n = _numel(a.shape, dims)
        s = _accumulate(np.add.reduce, a, dims, keepdim, None)
        if n == 0:
            return np.full(np.shape(s), np.nan, a.dtype)
        return (s / n).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        gx = spread(g, ctx.in_shape, ctx.dims, ctx.keepdim) / ctx.n
        return (cast_grad(gx, ctx.in_dtype),) + _NONES


class MeanDim(Mean):
    _bname = 'MeanBackward1'


def _float_result_dtype(name, input, dtype):
    if dtype is not None:
        if not (dtype.is_floating_point or dtype.is_complex):
            raise RuntimeError(f"{name}(): could not infer output dtype. Optional dtype must be either "
                               f"a floating point or complex dtype. Got: {short_name(dtype)}")
        return dtype.np
    if input._data.dtype.kind not in 'fc':
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {short_name(input)}")
    return None


@numpy_names
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over all elements or over dim; float/complex inputs only (or dtype=)."""
    np_dtype = _float_result_dtype('mean', input, dtype)
    dims = reduce_dims(dim, input._data.ndim)
    op = Mean if dim is None else MeanDim
    return write_out(op.apply(input, dims, keepdim, np_dtype), out, 'mean')


@numpy_names
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """mean over the non-NaN elements (nansum / count of non-NaN)."""
    if input._data.dtype.kind not in 'fc':
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but "
                           f"got {short_name(input)}")
    dims = reduce_dims(dim, input._data.ndim)
    total = Nansum.apply(input, dims, keepdim, np_dtype_arg(dtype))
    count = (~np.isnan(input._data)).sum(axis=dims, keepdims=keepdim).astype(total._data.dtype)
    return write_out(total / const(count), out, 'nanmean')


# -- prod ------------------------------------------------------------------------------------
class Prod(Op):
    _bname = 'ProdBackward0'
    saves_output = True

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        a = x._data
        ctx.in_shape, ctx.in_dtype, ctx.dims, ctx.keepdim = a.shape, a.dtype, dims, keepdim
        ctx.save_for_backward(x)
        return _accumulate(np.multiply.reduce, a, dims, keepdim, np_dtype)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        shape, dims, keepdim = ctx.in_shape, ctx.dims, ctx.keepdim
        gx = spread(g, shape, dims, keepdim)
        if x._data.size <= 1:
            return (cast_grad(gx, ctx.in_dtype),) + _NONES
        if not (x._data == 0).any():
            gx = gx * spread(ctx.output, shape, dims, keepdim) / x
        elif len(dims) == 1:
            gx = gx * prod_of_others(x, dims[0])
        else:
            gx = gx * prod_of_others(x.reshape(-1), 0).reshape(shape)
        return (cast_grad(gx, ctx.in_dtype),) + _NONES


class ProdDim(Prod):
    _bname = 'ProdBackward1'


def prod_of_others(x, dim):
    """For each element, the product of the other elements along dim (exact when x has zeros):
    exclusive cumulative products from both ends, multiplied."""
    from .cumulative import cumprod
    left = cumprod(shift(x, dim, 1, 1), dim)
    right = flip_dim(cumprod(shift(flip_dim(x, dim), dim, 1, 1), dim), dim)
    return left * right


@numpy_names
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of all elements, or over one dim; bool/int inputs multiply in int64."""
    if dim is None:
        return write_out(Prod.apply(input, reduce_dims(None, input._data.ndim), False,
                                    np_dtype_arg(dtype)), out, 'prod')
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod() received an invalid combination of arguments - got "
                        f"({type(dim).__name__}), but expected one of:\n * (*, torch.dtype dtype = None)"
                        f"\n * (int dim, bool keepdim = False, *, torch.dtype dtype = None)")
    dims = reduce_dims(dim, input._data.ndim)
    return write_out(ProdDim.apply(input, dims, keepdim, np_dtype_arg(dtype)), out, 'prod')


# -- max / min / amax / amin -------------------------------------------------------------------
class Amax(Op):
    """Maximum over dims; the gradient is split evenly among tied maxima."""
    _bname = 'AmaxBackward0'
    reducer = staticmethod(np.maximum.reduce)
    nan_matches = False   # max()/min() give a NaN result's gradient to the NaN elements

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x)
        ctx.value = r = ctx.reducer(x._data, axis=dims, keepdims=keepdim)
        return r

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return (spread_evenly(g, x, ctx.value, ctx.dims, ctx.keepdim, ctx.nan_matches),) + _NONES


class Amin(Amax):
    _bname = 'AminBackward0'
    reducer = staticmethod(np.minimum.reduce)


class MaxAll(Amax):
    _bname = 'MaxBackward1'
    nan_matches = True


class MinAll(Amin):
    _bname = 'MinBackward1'
    nan_matches = True


def _empty_full_reduction(name, input):
    if input._data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           f"Specify the reduction dim with the 'dim' argument.")


def _extreme_dims(name, input, dim):
    a = input._data
    dims = reduce_dims(dim, a.ndim)
    if dim is None or (not isinstance(dim, (int, np.integer)) and len(dim) == 0):
        _empty_full_reduction(name, input)
    check_nonempty(name, a, dims)
    return dims


@numpy_names
def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over dim (int or tuple; all dims by default), gradient shared evenly among ties."""
    return write_out(Amax.apply(input, _extreme_dims('amax', input, dim), keepdim), out, 'amax')


@numpy_names
def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over dim (int or tuple; all dims by default), gradient shared evenly among ties."""
    return write_out(Amin.apply(input, _extreme_dims('amin', input, dim), keepdim), out, 'amin')


class MaxDim(SelectAlong):
    """max(dim): values and the index of their first occurrence."""
    _bname = 'MaxBackward0'
    pick = staticmethod(lambda a, dim: np.argmax(a, axis=dim, keepdims=True))


class MinDim(SelectAlong):
    _bname = 'MinBackward0'
    pick = staticmethod(lambda a, dim: np.argmin(a, axis=dim, keepdims=True))


def _extreme(name, all_op, dim_op, binary, input, dim, keepdim, other, out):
    a = input._data
    if dim is None and other is None and out is None and a.size and not (input._rg and _State.grad_enabled):
        return Tensor._wrap(np.asarray(all_op.reducer(a, axis=None)))    # untracked full reduction
    if isinstance(dim, Tensor) or other is not None:
        import torchlet
        return getattr(torchlet, binary)(input, other if other is not None else dim, out=out)
    if dim is None:
        _empty_full_reduction(name, input)
        r = all_op.apply(input, reduce_dims(None, input._data.ndim), False)
        return write_out(r, out, name)
    d = one_dim(dim, input._data.ndim)
    check_nonempty(name, input._data, (d,))
    return named_result(name, dim_op.apply(input, d, keepdim), out)


@numpy_names
def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """max(input) -> the largest value; max(input, dim, keepdim) -> (values, indices) with the first
    occurrence of each maximum; max(input, other) -> elementwise maximum."""
    return _extreme('max', MaxAll, MaxDim, 'maximum', input, dim, keepdim, other, out)


@numpy_names
def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """min(input), min(input, dim, keepdim) -> (values, indices), or min(input, other)."""
    return _extreme('min', MinAll, MinDim, 'minimum', input, dim, keepdim, other, out)


def _arg_extreme(name, np_fn, input, dim, keepdim, out):
    a = input._data
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        r = np.asarray(np_fn(a), dtype=np.int64)
        if keepdim:
            r = r.reshape((1,) * a.ndim)
    else:
        d = one_dim(dim, a.ndim)
        if a.ndim == 0:
            r = np.zeros((), np.int64)
        else:
            check_nonempty(name, a, (d,))
            r = np_fn(a, axis=d, keepdims=keepdim).astype(np.int64, copy=False)
    return write_out(Tensor._wrap(r), out, name)


@numpy_names
def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the (first) maximum, over the flattened input or along dim."""
    return _arg_extreme('argmax', np.argmax, input, dim, keepdim, out)


@numpy_names
def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the (first) minimum, over the flattened input or along dim."""
    return _arg_extreme('argmin', np.argmin, input, dim, keepdim, out)


class Aminmax(Op):
    _bname = 'AminmaxBackward0'

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x._data
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x)
        ctx.lo = np.amin(a, axis=dims, keepdims=keepdim)
        ctx.hi = np.amax(a, axis=dims, keepdims=keepdim)
        return ctx.lo, ctx.hi

    @staticmethod
    def backward(ctx, g_lo, g_hi):
        x, = ctx.saved_tensors
        return (spread_evenly(g_lo, x, ctx.lo, ctx.dims, ctx.keepdim, False) +
                spread_evenly(g_hi, x, ctx.hi, ctx.dims, ctx.keepdim, False), None, None)


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """(min, max) over all elements or along one dim, as torch.return_types.aminmax."""
    a = input._data
    if dim is None:
        if a.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        dims = reduce_dims(None, a.ndim)
    else:
        dims = (one_dim(dim, a.ndim),) if a.ndim else ()
        for d in dims:
            if a.shape[d] == 0:
                raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    return named_result('aminmax', Aminmax.apply(input, dims, keepdim), out)


# -- logsumexp ---------------------------------------------------------------------------------
class Logsumexp(Op):
    saves_output = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = float_array(x)
        ctx.in_shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        ctx.save_for_backward(x)
        if a.size:
            m = np.amax(a, axis=dims, keepdims=True)
            m = np.where(np.isfinite(m), m, 0).astype(a.dtype, copy=False)
        else:
            m = np.zeros(keep_shape(a.shape, dims), a.dtype)
        with np.errstate(divide='ignore'):
            r = np.log(np.add.reduce(np.exp(a - m), axis=np_axes(dims, a.ndim), keepdims=True)) + m
        return r if keepdim else r.reshape(tuple(s for i, s in enumerate(a.shape) if i not in dims))

    @staticmethod
    def backward(ctx, g):
        from .. import exp
        x, = ctx.saved_tensors
        shape, dims, keepdim = ctx.in_shape, ctx.dims, ctx.keepdim
        return (spread(g, shape, dims, keepdim) * exp(x - spread(ctx.output, shape, dims, keepdim)),
                None, None)


@numpy_names
def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over dim, computed stably (the max is subtracted first)."""
    r = Logsumexp.apply(input, reduce_dims(dim, input._data.ndim), keepdim)
    return write_out(r, out, 'logsumexp')


# -- any / all / count_nonzero -------------------------------------------------------------------
def _logical(np_fn, input, dim, keepdim, out):
    a, name = input._data, np_fn.__name__
    if dim is None:
        dims = None
    elif isinstance(dim, (int, np.integer)):
        dims = reduce_dims(dim, a.ndim)
    else:   # a sequence; an empty one reduces nothing (torch's rule for any/all)
        dims = reduce_dims(dim, a.ndim) if len(dim) else ()
    r = np.asarray(np_fn(a, axis=dims, keepdims=keepdim))
    if a.dtype == np.uint8:
        r = r.astype(np.uint8)
    return write_out(Tensor._wrap(r), out, name)


@numpy_names
def any(input, dim=None, keepdim=False, *, out=None):
    """Whether any element (over dim) is non-zero; bool result (uint8 for uint8 input)."""
    return _logical(np.any, input, dim, keepdim, out)


@numpy_names
def all(input, dim=None, keepdim=False, *, out=None):
    """Whether all elements (over dim) are non-zero; bool result (uint8 for uint8 input)."""
    return _logical(np.all, input, dim, keepdim, out)


@numpy_names
def count_nonzero(input, dim=None):
    """Number of non-zero elements, in total or over dim (int or tuple), as int64."""
    a = input._data
    axes = np_axes(reduce_dims(dim, a.ndim), a.ndim)
    return Tensor._wrap(np.asarray((a != 0).sum(axis=axes, dtype=np.int64)))


register(sum=sum, nansum=nansum, mean=mean, nanmean=nanmean, prod=prod, max=max, min=min, amax=amax,
         amin=amin, argmax=argmax, argmin=argmin, aminmax=aminmax, logsumexp=logsumexp, any=any,
         all=all, count_nonzero=count_nonzero)

from .cumulative import *  # noqa: E402,F401,F403
from .statistics import *  # noqa: E402,F401,F403
from .norms import *  # noqa: E402,F401,F403
from . import cumulative as _cumulative, statistics as _statistics, norms as _norms  # noqa: E402

__all__ += _cumulative.__all__ + _statistics.__all__ + _norms.__all__
