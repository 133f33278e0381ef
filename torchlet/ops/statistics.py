"""Statistics: var, std, var_mean, std_mean, median, nanmedian, mode, quantile, nanquantile."""
import warnings

import numpy as np

from ..autograd.grad_mode import _State
from ._util import Op, Tensor, register
from ._reduce import (reduce_dims, np_axes, one_dim, spread, const, write_out, named_result,
                      spread_evenly, SelectAlong, keep_shape)

__all__ = ['var', 'std', 'var_mean', 'std_mean', 'median', 'nanmedian', 'mode', 'quantile',
           'nanquantile']


# -- var / std -----------------------------------------------------------------------------------
def _correction(name, dim, unbiased, correction):
    """Resolve torch's overloads var(dim, unbiased, keepdim) / var(unbiased) / var(dim, *, correction)
    to (dim, correction)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both 'unbiased' "
                        f"and 'correction'; use only correction=")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


def _moments(name, a, dims, correction, keepdim):
    """(variance with keepdim layout as requested, mean in keepdim layout, degrees of freedom)."""
    if a.dtype.kind not in 'fc':
        raise RuntimeError("std and var only support floating point and complex dtypes")
    n = 1
    for d in dims:
        n *= a.shape[d]
    dof = n - correction
    if dof <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than "
                      "the reduction factor (input numel divided by output numel).", UserWarning,
                      stacklevel=6)
        dof = 0
    axes = np_axes(dims, a.ndim)
    with np.errstate(divide='ignore', invalid='ignore'):
        mean = a.sum(axis=axes, keepdims=True) / n
        dev = a - mean
        sq = (dev * dev.conj()).real if a.dtype.kind == 'c' else dev * dev
        var = sq.sum(axis=axes, keepdims=keepdim) / dof
    return var.astype(sq.dtype, copy=False), mean, dof


def _var_grad(g, x, dims, keepdim, dof):
    """Gradient of the variance: g * 2 (x - mean) / dof (mean recomputed with tensor ops, so that
    higher-order gradients flow through it)."""
    from .reduction import mean
    coef = 2.0 / dof if dof else float('inf')
    return spread(g, x._data.shape, dims, keepdim) * coef * (x - mean(x, dims, True))


class Var(Op):
    _bname = 'VarBackward0'
    take_sqrt = False
    saves_output = True

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x)
        var, _, ctx.dof = _moments(ctx.name_, x._data, dims, correction, keepdim)
        return np.sqrt(var) if ctx.take_sqrt else var

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if ctx.take_sqrt:
            g = g / (ctx.output * 2)
        return _var_grad(g, x, ctx.dims, ctx.keepdim, ctx.dof), None, None, None

    name_ = 'var'


class Std(Var):
    _bname = 'StdBackward0'
    take_sqrt = True
    name_ = 'std'


class VarMean(Op):
    """(var or std, mean) in one pass."""
    _bname = 'VarMeanBackward0'
    take_sqrt = False
    name_ = 'var_mean'

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        a = x._data
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x)
        var, mean, ctx.dof = _moments(ctx.name_, a, dims, correction, keepdim)
        ctx.correction = correction
        if not keepdim:
            mean = mean.reshape(var.shape)
        if ctx.take_sqrt:
            var = np.sqrt(var)
        ctx.result = var
        return var, mean

    @staticmethod
    def backward(ctx, g_var, g_mean):
        x, = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        if ctx.take_sqrt:
            s = const(ctx.result)
            if _State.grad_enabled:   # higher order: the std must carry its own graph
                s = Std.apply(x, dims, ctx.correction, keepdim)
            g_var = g_var / (s * 2)
        n = 1
        for d in dims:
            n *= x._data.shape[d]
        gx = _var_grad(g_var, x, dims, keepdim, ctx.dof) + \
            spread(g_mean, x._data.shape, dims, keepdim) / n
        return gx, None, None, None


class StdMean(VarMean):
    _bname = 'StdMeanBackward0'
    take_sqrt = True
    name_ = 'std_mean'


def _var_family(op, input, dim, unbiased, keepdim, correction):
    dim, correction = _correction(op.name_, dim, unbiased, correction)
    return op.apply(input, reduce_dims(dim, input._data.ndim), correction, keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over dim with Bessel's correction (correction=1, or unbiased=False for 0)."""
    return write_out(_var_family(Var, input, dim, unbiased, keepdim, correction), out, 'var')


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over dim (see var for correction/unbiased)."""
    return write_out(_var_family(Std, input, dim, unbiased, keepdim, correction), out, 'std')


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(var, mean) over dim."""
    return _var_family(VarMean, input, dim, unbiased, keepdim, correction)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """(std, mean) over dim."""
    return _var_family(StdMean, input, dim, unbiased, keepdim, correction)


# -- median / nanmedian / mode ---------------------------------------------------------------------
class MedianAll(Op):
    """The lower median of all elements (NaN if any element is NaN); ties share the gradient."""
    _bname = 'MedianBackward0'
    ignore_nan = False

    @staticmethod
    def forward(ctx, x):
        a = x._data.reshape(-1)
        ctx.save_for_backward(x)
        if ctx.ignore_nan and a.dtype.kind == 'f':
            a = a[~np.isnan(a)]
        if a.size == 0:
            r = np.asarray(np.nan, x._data.dtype)
        elif a.dtype.kind == 'f' and np.isnan(a).any():
            r = np.asarray(np.nan, a.dtype)
        else:
            k = (a.size - 1) // 2
            r = np.partition(a, k)[k]
        ctx.value = r = np.asarray(r)
        return r

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        dims = tuple(range(x._data.ndim))
        return spread_evenly(g, x, ctx.value, dims, False)


class NanmedianAll(MedianAll):
    _bname = 'NanmedianBackward0'
    ignore_nan = True


def _median_pick(a, dim):
    """Position of the lower median along dim; a slice with NaN picks its first NaN."""
    k = (a.shape[dim] - 1) // 2
    idx = np.take(np.argpartition(a, k, axis=dim), [k], axis=dim)
    if a.dtype.kind == 'f':
        nan = np.isnan(a)
        has_nan = nan.any(axis=dim, keepdims=True)
        if has_nan.any():
            idx = np.where(has_nan, np.argmax(nan, axis=dim, keepdims=True), idx)
    return idx


def _nanmedian_pick(a, dim):
    """Position of the lower median of the non-NaN elements along dim."""
    if a.dtype.kind != 'f':
        return _median_pick(a, dim)
    count = (~np.isnan(a)).sum(axis=dim, keepdims=True)
    order = np.argsort(a, axis=dim, kind='stable')
    return np.take_along_axis(order, np.maximum((count - 1) // 2, 0), dim)


class MedianDim(SelectAlong):
    _bname = 'MedianBackward1'
    pick = staticmethod(_median_pick)


class NanmedianDim(SelectAlong):
    _bname = 'NanmedianBackward1'
    pick = staticmethod(_nanmedian_pick)


def _median(name, all_op, dim_op, input, dim, keepdim, out):
    if dim is None:
        return write_out(all_op.apply(input), out, name)
    a = input._data
    d = one_dim(dim, a.ndim)
    if a.ndim and a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return named_result(name, dim_op.apply(input, d, keepdim), out)


def median(input, dim=None, keepdim=False, *, out=None):
    """median(input) -> lower median of all elements; median(input, dim) -> (values, indices)."""
    return _median('median', MedianAll, MedianDim, input, dim, keepdim, out)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """median ignoring NaN values."""
    return _median('nanmedian', NanmedianAll, NanmedianDim, input, dim, keepdim, out)


def _mode_pick(a, dim):
    """Position of the most frequent value along dim (the smallest such value; its last index)."""
    moved = np.moveaxis(a, dim, -1)
    n = moved.shape[-1]
    order = np.argsort(moved, axis=-1, kind='stable')
    s = np.take_along_axis(moved, order, -1)
    pos = np.arange(n)
    starts = np.ones(s.shape, bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    run_start = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
    run_len = pos - run_start + 1
    best = np.argmax(run_len, axis=-1)[..., None]
    return np.moveaxis(np.take_along_axis(order, best, -1), -1, dim)


class ModeDim(SelectAlong):
    _bname = 'ModeBackward0'
    pick = staticmethod(_mode_pick)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """(values, indices): the most frequent value along dim and the index of its last occurrence."""
    a = input._data
    d = one_dim(dim, a.ndim)
    if a.ndim and a.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    return named_result('mode', ModeDim.apply(input, d, keepdim), out)


# -- quantile ----------------------------------------------------------------------------------------
_INTERPOLATIONS = ('linear', 'lower', 'higher', 'midpoint', 'nearest')


class _LerpPlan:
    """A fixed linear map picking, per output element, w-weighted pairs of input elements along a
    dim: out = a[lo] + w * (a[hi] - a[lo]). Positions and weights are in 'work' layout (the dim
    holds one entry per q); ``out_shape`` is the user-visible result shape."""
    __slots__ = ('dim', 'lo', 'hi', 'w', 'q_is_vector', 'work_shape', 'in_shape', 'out_shape')

    def apply(self, a):
        a = a.reshape(self.work_shape)
        lo = np.take_along_axis(a, self.lo, self.dim)
        hi = np.take_along_axis(a, self.hi, self.dim)
        r = lo + self.w * (hi - lo)
        if self.q_is_vector:
            r = np.moveaxis(r, self.dim, 0)
        return r.reshape(self.out_shape)

    def transpose(self, g):
        g = g.reshape(self._result_layout())
        if self.q_is_vector:
            g = np.moveaxis(g, 0, self.dim)
        out = np.zeros(self.work_shape, g.dtype)
        np.add.at(out, _along(self.lo, self.dim), g * (1 - self.w))
        np.add.at(out, _along(self.hi, self.dim), g * self.w)
        return out.reshape(self.in_shape)

    def _result_layout(self):
        shape = list(self.lo.shape)
        if self.q_is_vector:
            shape.insert(0, shape.pop(self.dim))
        return tuple(shape)


def _along(idx, dim):
    ix = list(np.ogrid[tuple(slice(0, s) for s in idx.shape)])
    ix[dim] = idx
    return tuple(ix)


class Quantile(Op):
    _bname = 'QuantileBackward0'

    @staticmethod
    def forward(ctx, x, plan):
        ctx.plan = plan
        return plan.apply(x._data)

    @staticmethod
    def backward(ctx, g):
        return QuantileGrad.apply(g, ctx.plan), None


class QuantileGrad(Op):
    """The transpose of a quantile's linear map (its backward), itself differentiable."""

    @staticmethod
    def forward(ctx, g, plan):
        ctx.plan = plan
        return plan.transpose(g._data)

    @staticmethod
    def backward(ctx, gg):
        return Quantile.apply(gg, ctx.plan), None


def _quantile_plan(name, a, q, dim, keepdim, interpolation, ignore_nan):
    """Sort along dim once and work out which sorted positions (and weights) each q reads."""
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    plan = _LerpPlan()
    plan.in_shape = a.shape
    if dim is None:
        work, d = a.reshape(-1), 0
        reduced = (1,) * a.ndim if keepdim else ()
    else:
        d = one_dim(dim, a.ndim)
        work = a.reshape(1) if a.ndim == 0 else a
        reduced = keep_shape(a.shape, (d,)) if keepdim else tuple(
            s for i, s in enumerate(a.shape) if i != d)
    if work.shape[d] == 0:
        raise IndexError(f"{name}() input tensor cannot be empty")
    qs = np.atleast_1d(q).astype(a.dtype, copy=False)
    plan.q_is_vector = np.ndim(q) == 1
    plan.dim, plan.work_shape = d, work.shape
    plan.out_shape = ((len(qs),) if plan.q_is_vector else ()) + reduced
    order = np.argsort(work, axis=d, kind='stable')   # NaN sorts last
    n = work.shape[d]
    if work.dtype.kind == 'f':
        nan = np.isnan(work)
        valid = (~nan).sum(axis=d, keepdims=True)
        last = (valid if ignore_nan else np.full_like(valid, n)) - 1
        has_nan = nan.any(axis=d, keepdims=True)
    else:
        last, has_nan = np.full(keep_shape(work.shape, (d,)), n - 1), None
    qshape = [1] * work.ndim
    qshape[d] = len(qs)
    ranks = qs.reshape(qshape) * np.maximum(last, 0).astype(a.dtype)
    if has_nan is not None and not ignore_nan:
        ranks = np.where(has_nan, a.dtype.type(n - 1), ranks)   # a slice with NaN reads the (last) NaN
    if ignore_nan:
        ranks = np.where(last < 0, a.dtype.type(n - 1), ranks)  # all-NaN slice: NaN
    if interpolation == 'lower':
        ranks = np.floor(ranks)
    elif interpolation == 'higher':
        ranks = np.ceil(ranks)
    elif interpolation == 'nearest':
        ranks = np.round(ranks)
    lo, hi = np.floor(ranks), np.ceil(ranks)
    w = ranks - lo if interpolation != 'midpoint' else np.where(hi > lo, 0.5, 0).astype(a.dtype)
    lo, hi = lo.astype(np.int64), hi.astype(np.int64)
    plan.lo = np.take_along_axis(order, lo, d)
    plan.hi = np.take_along_axis(order, hi, d)
    plan.w = w
    return plan


def _check_q(name, input, q):
    a = input._data
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != a.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        q = q._data
        if q.size and not ((q >= 0).all() and (q <= 1).all()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    elif not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    return q


def _quantile(name, input, q, dim, keepdim, interpolation, out, ignore_nan):
    q = _check_q(name, input, q)
    plan = _quantile_plan(name, input._data, q, dim, keepdim, interpolation, ignore_nan)
    return write_out(Quantile.apply(input, plan), out, name)


def quantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """The q-th quantiles (q a number or 1-D tensor in [0, 1]) over dim or all elements."""
    return _quantile('quantile', input, q, dim, keepdim, interpolation, out, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """quantile ignoring NaN values."""
    return _quantile('nanquantile', input, q, dim, keepdim, interpolation, out, True)


register(var=var, std=std, median=median, nanmedian=nanmedian, mode=mode, quantile=quantile,
         nanquantile=nanquantile)
