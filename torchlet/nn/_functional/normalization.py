"""Normalization: batch_norm, instance_norm, layer_norm and group_norm as fused ops, rms_norm and
local_response_norm as compositions of tensor ops.

A fused norm computes ``xhat = (x - mean) * rstd`` over some axes (rstd = 1 / sqrt(var + eps)) and
the affine ``xhat * weight + bias``. Forward works on arrays and keeps ``xhat`` and ``rstd`` for
backward. The backward formulas are written once against the math namespace ``xp`` of
activation.py: on arrays with the kept statistics (the fast path), or, under create_graph, on
Tensors with the statistics recomputed from the saved input, so that double backward is exact.
"""
import math

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.grad_mode import _State
from ...ops._util import Op, wrap_dim, _short
from ...ops.unary import rsqrt
from .activation import ARRAYS, TENSORS, check_tensor, kernel_error

__all__ = ['batch_norm', 'instance_norm', 'layer_norm', 'group_norm', 'rms_norm',
           'local_response_norm']

_wrap = Tensor._wrap
_f64 = np.dtype(np.float64)


# -- shared pieces of the backward formulas -----------------------------------------------------------
def _affine_grads(xp, g, xhat, axes, shape, need_w, need_b):
    """Gradients of weight and bias in ``xhat * weight + bias``, summed over ``axes``."""
    gw = gb = None
    if need_w:
        gw = g * xhat
        gw = (xp.sum(gw, axes) if axes else gw).reshape(shape)
    if need_b:
        gb = (xp.sum(g, axes) if axes else g).reshape(shape)
    return gw, gb


def _normalized_grad(xp, dxhat, xhat, rstd, axes):
    """The input gradient through xhat = (x - mean(x)) * rstd(x), statistics taken over axes."""
    return (dxhat - xp.mean(dxhat, axes) - xhat * xp.mean(dxhat * xhat, axes)) * rstd


def _tensor_stats(x, axes, eps):
    """(xhat, rstd) of the Tensor x over axes, recorded by autograd (for double backward)."""
    d = x - x.mean(axes, keepdim=True)
    rstd = rsqrt((d * d).mean(axes, keepdim=True) + eps)
    return d * rstd, rstd


def _row_stats(a2, eps):
    """(xhat, rstd) of each row of the 2-D array a2 (statistics in a2's dtype)."""
    xhat = a2 - a2.mean(axis=1, keepdims=True)
    rstd = np.square(xhat).mean(axis=1, keepdims=True)
    rstd += eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    xhat *= rstd
    return xhat, rstd


def _result(xp, *grads):
    """Gradients as Tensors (arrays from the fast path are wrapped)."""
    if xp is TENSORS:
        return grads
    return tuple(None if g is None else _wrap(np.asarray(g)) for g in grads)


def _affine(xhat, w, b, shape):
    """xhat * w + b with w and b reshaped to ``shape`` (a new array even without affine)."""
    y = xhat * w.reshape(shape) if w is not None else xhat.copy()
    if b is not None:
        y += b.reshape(shape)
    return y


def _arr(t):
    return None if t is None else t._data


class _FusedNorm(Op):
    """A fused norm: ``backward`` picks the math (arrays or Tensors) and the statistics (kept from
    forward, or recomputed from the saved input under create_graph) and calls ``grads``."""

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        needs = (ctx.needs_grad(0), ctx.needs_grad(1), ctx.needs_grad(2))
        if _State.grad_enabled:
            xp = TENSORS
            xhat, rstd = ctx.tensor_stats(x)
        else:
            xp, g, x, w = ARRAYS, g._data, x._data, _arr(w)
            xhat, rstd = ctx.xhat, ctx.rstd
        return _result(xp, *ctx.grads(xp, g, x, w, xhat, rstd, needs)) + (None,) * ctx.n_extra


# -- batch norm ---------------------------------------------------------------------------------------
def _channel_shape(ndim, c):
    return (1, c) + (1,) * (ndim - 2)


def _batch_axes(ndim):
    return (0,) + tuple(range(2, ndim))


def _channel_sums64(a):
    """Per-channel (dim 1) float64 sums of a, shaped (1, C, 1, ...); the batch dim is summed first
    (long contiguous runs)."""
    c = a.shape[1]
    if a.ndim == 2:
        s = a.sum(axis=0, dtype=_f64)
    else:
        s = a.reshape(a.shape[0], c, -1).sum(axis=0, dtype=_f64).sum(axis=1)
    return s.reshape(_channel_shape(a.ndim, c))


def _update_running(t, batch_value, momentum):
    """running = (1 - momentum) * running + momentum * batch (in place, version bumped)."""
    r = t._data
    r[...] = (batch_value.reshape(r.shape) * momentum + r.astype(_f64) * (1 - momentum)).astype(r.dtype)
    t._vc[0] += 1


def _batch_norm_arrays(a, w, b, running_mean, running_var, training, momentum, eps, keep_xhat):
    """(y, xhat or None, mean, rstd) of batch_norm on arrays; in training the running statistics
    are updated (with the unbiased variance) and the statistics accumulate in float64."""
    dt = a.dtype
    shape = _channel_shape(a.ndim, a.shape[1])
    if training:
        n = a.size // a.shape[1]
        mean = _channel_sums64(a) / n
        xhat = a - mean.astype(dt)
        var = _channel_sums64(np.square(xhat)) / n
        if running_mean is not None:
            _update_running(running_mean, mean, momentum)
        if running_var is not None:
            _update_running(running_var, var * (n / max(n - 1, 1)), momentum)
        rstd = (1 / np.sqrt(var + eps)).astype(dt)
        xhat *= rstd
        y = _affine(xhat, w, b, shape)
        return y, (xhat if keep_xhat else None), mean.astype(dt), rstd
    mean = running_mean._data.astype(dt).reshape(shape)       # a copy: the buffer may change
    rstd = (1 / np.sqrt(running_var._data.astype(_f64) + eps)).astype(dt).reshape(shape)
    scale = rstd if w is None else rstd * w.reshape(shape)
    shift = -mean * scale if b is None else b.reshape(shape) - mean * scale
    y = a * scale
    y += shift
    return y, None, mean, rstd


class NativeBatchNorm(_FusedNorm):
    """batch_norm over the channel dim 1: batch statistics in training, the running ones in
    evaluation. Arguments: (x, weight, bias, running_mean, running_var, training, momentum, eps)."""
    n_extra = 5

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, training, momentum, eps):
        y, xhat, mean, rstd = _batch_norm_arrays(x._data, _arr(w), _arr(b), running_mean, running_var,
                                                 training, momentum, eps, True)
        ctx.save_for_backward(x, w)
        ctx.xhat, ctx.mean, ctx.rstd, ctx.training, ctx.eps = xhat, mean, rstd, training, eps
        return y

    def tensor_stats(ctx, x):
        if ctx.training:
            return _tensor_stats(x, _batch_axes(x.ndim), ctx.eps)
        rstd = _wrap(ctx.rstd)
        return (x - _wrap(ctx.mean)) * rstd, rstd

    def grads(ctx, xp, g, x, w, xhat, rstd, needs):
        if xp is ARRAYS and ctx.training and x.ndim > 2:
            return _batch_norm_grads(g, xhat, rstd, w, needs)
        axes = _batch_axes(x.ndim)
        c = x.shape[1]
        if xhat is None and needs[1]:          # evaluation: only the weight gradient needs it
            xhat = (x - ctx.mean) * rstd
        gw, gb = _affine_grads(xp, g, xhat, axes, (c,), needs[1], needs[2])
        gx = None
        if needs[0]:
            dxhat = g if w is None else g * w.reshape(_channel_shape(x.ndim, c))
            gx = _normalized_grad(xp, dxhat, xhat, rstd, axes) if ctx.training else dxhat * rstd
        return gx, gw, gb


def _batch_norm_grads(g, xhat, rstd, w, needs):
    """Training batch_norm's gradients on (N, C, ...) arrays in few passes: gb = sum(g) and
    gw = sum(g * xhat) over the batch axes (the batch dim first: long contiguous runs), and
    gx = w * rstd * (g - (gb + xhat * gw) / n)."""
    N, C = g.shape[:2]
    n = g.size // C
    g3, x3 = g.reshape(N, C, -1), xhat.reshape(N, C, -1)
    gb = g3.sum(0).sum(1)
    gw = (g3 * x3).sum(0).sum(1)
    gx = None
    if needs[0]:
        scale = rstd.reshape(C, 1)
        if w is not None:
            scale = scale * w.reshape(C, 1)
        gx = g3 * scale
        gx -= x3 * ((gw / n).reshape(C, 1) * scale)
        gx -= (gb / n).reshape(C, 1) * scale
        gx = gx.reshape(g.shape)
    return gx, (gw if needs[1] else None), (gb if needs[2] else None)


def _verify_batch_size(size):
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def _check_dtypes(a, *tensors):
    """torch's error when a norm's parameters or statistics have another dtype than the input."""
    for t in tensors:
        if t is not None and t._data.dtype != a.dtype:
            if a.dtype.itemsize <= 4:
                raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of "
                                   f"{_short(_dtype.from_numpy_dtype(a.dtype))}")
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _check_params(a, c, named):
    """torch's checks on the per-channel tensors of batch_norm: element count and dtype."""
    for name, t in named:
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    _check_dtypes(a, *(t for _, t in named))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Normalise each channel (dim 1) of input by the batch statistics (training; the running
    statistics are updated in place with ``momentum``) or by running_mean/running_var."""
    check_tensor(input, 'batch_norm')
    if training:
        _verify_batch_size(input.shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    a = input._data
    c = a.shape[wrap_dim(1, a.ndim)]
    if a.dtype.kind != 'f':
        raise kernel_error('batch_norm', a.dtype)
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be defined in "
                           "evaluation mode")
    _check_params(a, c, (('running_mean', running_mean), ('running_var', running_var),
                         ('weight', weight), ('bias', bias)))
    momentum = 0.0 if momentum is None else momentum
    if _State.grad_enabled and (input._rg or (weight is not None and weight._rg) or
                                (bias is not None and bias._rg)):
        return NativeBatchNorm.apply(input, weight, bias, running_mean, running_var, training,
                                     momentum, eps)
    y = _batch_norm_arrays(a, _arr(weight), _arr(bias), running_mean, running_var, training, momentum,
                           eps, False)[0]
    return _wrap(y)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample over its spatial positions (batch_norm of the input
    seen as one sample with N*C channels; running statistics are averaged over the batch)."""
    check_tensor(input, 'instance_norm')
    shape = input.shape
    if use_input_stats:
        size = 1
        for s in shape[2:]:
            size *= s
        if size == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"{shape}")
    n, c = shape[0], shape[1]
    x = input.reshape((1, n * c) + tuple(shape[2:]))
    tiled = [None if t is None else _wrap(np.tile(t._data, n)) for t in (running_mean, running_var)]
    out = batch_norm(x, tiled[0], tiled[1], None if weight is None else weight.repeat(n),
                     None if bias is None else bias.repeat(n), use_input_stats, momentum, eps)
    for t, rt in zip((running_mean, running_var), tiled):
        if t is not None and use_input_stats:
            t._data[...] = rt._data.reshape(n, c).mean(axis=0)
            t._vc[0] += 1
    return out.view(shape)


# -- layer norm ---------------------------------------------------------------------------------------
class NativeLayerNorm(_FusedNorm):
    """layer_norm over the last ``k`` dims. Arguments: (x, weight, bias, k, eps). Statistics and
    gradients work on the input seen as (rows, normalized size)."""
    n_extra = 2

    @staticmethod
    def forward(ctx, x, w, b, k, eps):
        a = x._data
        y, xhat, rstd = _layer_norm_arrays(a, _arr(w), _arr(b), k, eps)
        ctx.save_for_backward(x, w)
        ctx.xhat, ctx.rstd, ctx.k, ctx.eps = xhat, rstd, k, eps
        return y

    def tensor_stats(ctx, x):
        return _tensor_stats(x.reshape(_rows(x.shape, ctx.k)), (1,), ctx.eps)

    def grads(ctx, xp, g, x, w, xhat, rstd, needs):
        rows = _rows(x.shape, ctx.k)
        g2 = g.reshape(rows)
        w_shape = tuple(x.shape[x.ndim - ctx.k:])
        gw, gb = _affine_grads(xp, g2, xhat, (0,), w_shape, needs[1], needs[2])
        gx = None
        if needs[0]:
            dxhat = g2 if w is None else g2 * w.reshape((rows[1],))
            gx = _normalized_grad(xp, dxhat, xhat, rstd, (1,)).reshape(tuple(x.shape))
        return gx, gw, gb


def _rows(shape, k):
    """(rows, columns) of a shape whose last k dims are normalised together."""
    cols = math.prod(shape[len(shape) - k:])
    return (math.prod(shape[:len(shape) - k]), cols)


def _layer_norm_arrays(a, w, b, k, eps):
    """(y, xhat, rstd) of layer_norm on arrays (xhat and rstd as (rows, columns) arrays)."""
    rows = _rows(a.shape, k)
    xhat, rstd = _row_stats(a.reshape(rows), eps)
    return _affine(xhat, w, b, (rows[1],)).reshape(a.shape), xhat, rstd


def _check_normalized_shape(input, normalized_shape, weight, bias, star='*, '):
    """normalized_shape as a tuple, checked against the input and the affine parameters."""
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing "
                           "at least one element, but got normalized_shape = []")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(normalized_shape)}")
    shape = tuple(input.shape)
    if len(shape) < k or shape[len(shape) - k:] != normalized_shape:
        expected = ', '.join(str(s) for s in normalized_shape)
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[{star}{expected}], but got input of size{list(shape)}")
    return normalized_shape


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last len(normalized_shape) dims, then scale by weight and add bias."""
    check_tensor(input, 'layer_norm')
    normalized_shape = _check_normalized_shape(input, normalized_shape, weight, bias)
    a = input._data
    if a.dtype.kind != 'f':
        raise kernel_error('LayerNormKernelImpl', a.dtype)
    _check_dtypes(a, weight, bias)
    k = len(normalized_shape)
    if _State.grad_enabled and (input._rg or (weight is not None and weight._rg) or
                                (bias is not None and bias._rg)):
        return NativeLayerNorm.apply(input, weight, bias, k, eps)
    return _wrap(_layer_norm_arrays(a, _arr(weight), _arr(bias), k, eps)[0])


# -- group norm ---------------------------------------------------------------------------------------
class NativeGroupNorm(_FusedNorm):
    """group_norm: the channels (dim 1) split into groups, each group of each sample normalised,
    then a per-channel affine. Arguments: (x, weight, bias, groups, eps)."""
    n_extra = 2

    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        y, xhat, rstd = _group_norm_arrays(x._data, _arr(w), _arr(b), groups, eps)
        ctx.save_for_backward(x, w)
        ctx.xhat, ctx.rstd, ctx.groups, ctx.eps = xhat, rstd, groups, eps
        return y

    def tensor_stats(ctx, x):
        return _tensor_stats(x.reshape((x.shape[0] * ctx.groups, -1)), (1,), ctx.eps)

    def grads(ctx, xp, g, x, w, xhat, rstd, needs):
        n, c = x.shape[0], x.shape[1]
        g3 = g.reshape((n, c, -1))
        gw, gb = _affine_grads(xp, g3, xhat.reshape((n, c, -1)), (0, 2), (c,), needs[1], needs[2])
        gx = None
        if needs[0]:
            dxhat = g3 if w is None else g3 * w.reshape((c, 1))
            gx = _normalized_grad(xp, dxhat.reshape(xhat.shape), xhat, rstd, (1,))
            gx = gx.reshape(tuple(x.shape))
        return gx, gw, gb


def _group_norm_arrays(a, w, b, groups, eps):
    """(y, xhat, rstd) of group_norm on arrays (xhat as (N * groups, group size) rows)."""
    n, c = a.shape[0], a.shape[1]
    xhat, rstd = _row_stats(a.reshape(n * groups, -1), eps)
    y = _affine(xhat.reshape(n, c, -1), w, b, (c, 1))
    return y.reshape(a.shape), xhat, rstd


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise groups of channels of each sample, then a per-channel affine."""
    check_tensor(input, 'group_norm')
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    shape = tuple(input.shape)
    _verify_batch_size([shape[0] * shape[1] // num_groups, num_groups] + list(shape[2:]))
    c = shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but "
                           f"got input of shape {list(shape)} and num_groups={num_groups}")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and (t.dim() != 1 or t.shape[0] != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(t.shape)} and "
                               f"input of shape {list(shape)}")
    a = input._data
    if a.dtype.kind != 'f':
        raise kernel_error('GroupNormKernelImpl', a.dtype)
    _check_dtypes(a, weight, bias)
    if _State.grad_enabled and (input._rg or (weight is not None and weight._rg) or
                                (bias is not None and bias._rg)):
        return NativeGroupNorm.apply(input, weight, bias, num_groups, eps)
    return _wrap(_group_norm_arrays(a, _arr(weight), _arr(bias), num_groups, eps)[0])


# -- compositions ------------------------------------------------------------------------------------
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """input / sqrt(mean(input ** 2) + eps) over the last len(normalized_shape) dims, times weight
    (eps None: the dtype's machine epsilon)."""
    check_tensor(input, 'rms_norm')
    normalized_shape = _check_normalized_shape(input, normalized_shape, weight, None, star='*')
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps) if input._data.dtype.kind == 'f' else 0.0
    dims = tuple(range(-len(normalized_shape), 0))
    out = input * rsqrt((input * input).mean(dims, keepdim=True) + eps)
    return out if weight is None else out * weight


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input / (k + alpha * mean of input ** 2 over ``size`` neighbouring channels) ** beta."""
    check_tensor(input, 'local_response_norm')
    ndim = input.dim()
    if ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got "
                         f"{ndim} dimensions)")
    if input.numel() == 0:
        return input
    from .vision import pad
    shape = tuple(input.shape)
    sq = (input * input).reshape((shape[0], shape[1], -1))
    padded = pad(sq, (0, 0, size // 2, (size - 1) // 2))
    window = padded[:, 0:shape[1]]
    for j in range(1, size):
        window = window + padded[:, j:j + shape[1]]
    div = ((window * (alpha / size)).reshape(shape) + k) ** beta
    return input / div
