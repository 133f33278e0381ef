"""Loss functions of torch.nn.functional.

The hot losses (cross_entropy, nll_loss, binary_cross_entropy[_with_logits], mse/l1/smooth_l1/
huber) are single fused autograd nodes from ``_fused_loss``; the rest are compositions of tensor
ops. Every function takes ``reduction`` ('none' | 'mean' | 'sum'); the deprecated ``size_average``
and ``reduce`` arguments are still accepted and mapped with torch's warning.
"""
import math
import warnings

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.grad_mode import _State
from ...ops._util import broadcast_error, _short
from . import _fused_loss as fused
from ._fused_loss import log_sigmoid, reduce_tensor
from .distance import pairwise_distance

__all__ = ['mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'binary_cross_entropy',
           'binary_cross_entropy_with_logits', 'cross_entropy', 'nll_loss', 'kl_div',
           'poisson_nll_loss', 'gaussian_nll_loss', 'cosine_embedding_loss', 'margin_ranking_loss',
           'soft_margin_loss', 'hinge_embedding_loss', 'multilabel_soft_margin_loss',
           'multilabel_margin_loss', 'multi_margin_loss', 'triplet_margin_loss',
           'triplet_margin_with_distance_loss']

_wrap = Tensor._wrap


# -- argument handling shared by the losses ----------------------------------------------------
def legacy_reduction(size_average, reduce):
    """torch's mapping of the deprecated size_average/reduce flags to a reduction, with its
    warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ('mean' if size_average else 'sum') if reduce else 'none'
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def get_reduction(size_average, reduce, reduction):
    """The reduction to apply, validated as torch validates it."""
    if size_average is not None or reduce is not None:
        return legacy_reduction(size_average, reduce)
    if reduction in ('mean', 'sum', 'none'):
        return reduction
    if reduction == 'elementwise_mean':
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return 'mean'
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=4)


def _promoted(*tensors):
    """The tensors cast (differentiably) to their torch result dtype, where they differ."""
    dts = [t._data.dtype for t in tensors]
    if all(d == dts[0] for d in dts):
        return tensors
    dt = _dtype.result_type(*tensors)
    return tuple(t if t._data.dtype == dt.np else t.to(dt) for t in tensors)


def _check_broadcast(*shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise broadcast_error(*shapes[:2]) from None


def _not_implemented(kernel, t):
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_short(t.dtype)}\'')


def _no_weight_grad(fn_name, weight, name='weight'):
    if weight is not None and weight._rg and _State.grad_enabled:
        raise RuntimeError(f"The function '{fn_name}' is not differentiable with respect to argument "
                           f"'{name}'. This input cannot have requires_grad True.")


def _weighted(loss, weight, reduction, mean_by_weight):
    """torch's composite for the ``weight=`` argument of mse/l1/huber: the per-element loss times
    the weight, then the reduction (the mean divides by the weights' sum for mse and l1)."""
    loss = loss * weight
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    if reduction == 'mean':
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


# -- regression: mse, l1, smooth_l1, huber -----------------------------------------------------
def _pointwise(op, kernel, input, target, reduction, param=None, weight=None, mean_by_weight=True):
    _size_warning(input, target)
    _check_broadcast(input.shape, target.shape)
    input, target = _promoted(input, target)
    if not input.dtype.is_floating_point and kernel is not None:
        _not_implemented(kernel, input)
    if weight is None:
        return op.apply(input, target, get_reduction(None, None, reduction), param)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    return _weighted(op.apply(input, target, 'none', param), weight, reduction, mean_by_weight)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Mean squared error: (input - target)^2 per element, then the reduction."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    return _pointwise(fused.MseLoss, 'mse_cpu', input, target, reduction, weight=weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Mean absolute error: |input - target| per element, then the reduction."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if not (input.dtype.is_floating_point or target.dtype.is_floating_point) and reduction == 'mean':
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_short(input.dtype)}")
    return _pointwise(fused.L1Loss, None, input, target, reduction, weight=weight)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target); l1 at beta 0."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return _pointwise(fused.L1Loss, None, input, target, reduction)
    return _pointwise(fused.SmoothL1Loss, 'smooth_l1_cpu', input, target, reduction, beta)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (d = input - target)."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise(fused.HuberLoss, 'huber_cpu', input, target, reduction, delta, weight,
                      mean_by_weight=False)


# -- binary classification ---------------------------------------------------------------------
def _expand_weight(weight, shape):
    """binary_cross_entropy's weight broadcast to the target's shape, with torch's message."""
    ws = tuple(weight.shape)
    for i in range(1, len(ws) + 1):
        size = ws[-i]
        other = shape[-i] if i <= len(shape) else 1
        if size != 1 and size != other and i <= len(shape):
            raise RuntimeError(f"Attempting to broadcast a dimension of length {size} at -{i}! "
                               f"Mismatching argument at index 1 had {weight.size()}; but expected "
                               f"shape should be broadcastable to {list(shape)}")
    return weight


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction='mean'):
    """-w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1] (logs clamped at -100)."""
    reduction = get_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if not input.dtype.is_floating_point:
        _not_implemented('binary_cross_entropy', input)
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_short(target.dtype)} but expected {_short(input.dtype)}")
    if weight is not None:
        _expand_weight(weight, target.shape)
        _check_output_shape(input.shape, weight.shape)
        _no_weight_grad('binary_cross_entropy', weight)
        if weight.dtype != input.dtype:
            weight = weight.to(input.dtype)
    x, y = input._data, target._data
    if x.size and not (x.min() >= 0 and x.max() <= 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if y.size and not (y.min() >= 0 and y.max() <= 1):
        raise RuntimeError("all elements of target should be between 0 and 1")
    return fused.BinaryCrossEntropy.apply(input, target, weight, reduction)


def _check_output_shape(shape, other):
    """torch writes a weighted loss into an input-shaped output: the weight may not enlarge it."""
    full = _check_broadcast(shape, other)
    if full != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(full)}")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits; pos_weight
    (broadcast over the last dimension) scales the positive term."""
    reduction = get_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    rt = _dtype.result_type(input, target)
    if not target.dtype.is_floating_point or not rt.is_floating_point:
        raise RuntimeError(f"result type {_short(rt if rt.is_floating_point else _dtype.float32)} "
                           f"can't be cast to the desired output type {_short(target.dtype)}")
    _no_weight_grad('binary_cross_entropy_with_logits', weight)
    _no_weight_grad('binary_cross_entropy_with_logits', pos_weight, 'pos_weight')
    if pos_weight is not None:
        _check_broadcast(pos_weight.shape, target.shape)
        if pos_weight.dtype != rt:
            pos_weight = pos_weight.to(rt)
    if weight is not None:
        _check_broadcast(input.shape, weight.shape)
        _check_output_shape(input.shape, weight.shape)
        if weight.dtype != rt:
            weight = weight.to(rt)
    input, target = _promoted(input, target)
    return fused.BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


# -- multi-class classification: cross_entropy, nll_loss ---------------------------------------
def _check_class_weight(weight, input, C, prefix=''):
    if weight is None:
        return None
    if input.ndim > 2 and not prefix:
        if weight.ndim != 1 or weight.shape[0] != C:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
    elif weight.ndim != 1 or weight.shape[0] != C:
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {C} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    return weight


def _check_nll_args(input, target, weight, kernel):
    """torch's checks of nll_loss_nd (shapes, target and weight dtypes); returns the weight."""
    xs, ts = input._data.shape, target._data.shape
    nd, tnd = len(xs), len(ts)
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and (tnd == 0 or xs[0] != ts[0]):
        raise ValueError(f"Expected input batch_size ({xs[0]}) to match target batch_size "
                         f"({ts[0] if tnd else 1}).")
    if nd <= 2:
        if tnd > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd == 1 and target._data.size != 1:
            raise RuntimeError(f"size mismatch (got input: {list(xs)}, target: {list(ts)})")
    elif nd == 4 and tnd != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {tnd}")
    elif ts[1:] != xs[2:]:
        if nd == 4:
            raise RuntimeError(f"size mismatch (got input: {list(xs)} , target: {list(ts)}")
        raise RuntimeError(f"Expected target size {[xs[0]] + list(xs[2:])}, got {list(ts)}")
    tk = target._data.dtype
    if tk != np.int64 and tk != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_short(target.dtype)}")
    if input._data.dtype.kind != 'f':
        _not_implemented(kernel, input)
    if weight is None:
        return None
    weight = _check_class_weight(weight, input, xs[1] if nd > 1 else xs[0])
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_short(input.dtype)} but found "
                           f"{_short(weight.dtype)}")
    _no_weight_grad('nll_loss_forward', weight)
    return weight


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction='mean'):
    """Negative log-likelihood of class indices: input (N, C, d1, ...) holds log-probabilities,
    target (N, d1, ...) class indices; targets equal to ignore_index do not count."""
    reduction = get_reduction(size_average, reduce, reduction)
    weight = _check_nll_args(input, target, weight, 'nll_loss_out_frame')
    return fused.NllLoss.apply(input, target, weight, reduction, ignore_index, 0.0)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    """log_softmax over the class dimension (dim 1, or 0 for an unbatched input) followed by the
    negative log-likelihood: of class indices (target (N, d1, ...)), or of class probabilities
    (target shaped like the input). label_smoothing mixes the target with the uniform
    distribution."""
    reduction = get_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target._data.shape == input._data.shape:
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing)
    weight = _check_nll_args(input, target, weight, 'log_softmax_lastdim_kernel_impl')
    return fused.CrossEntropyLoss.apply(input, target, weight, reduction, ignore_index,
                                        float(label_smoothing))


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing):
    if not target.dtype.is_floating_point:
        raise RuntimeError("Expected floating point type for target with class probabilities, got "
                           f"{_short(target.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if not input.dtype.is_floating_point:
        _not_implemented('log_softmax_lastdim_kernel_impl', input)
    C = input.shape[1] if input.ndim > 1 else input.shape[0]
    _check_class_weight(weight, input, C, prefix='cross_entropy: ')
    input, target = _promoted(input, target)
    if weight is not None and weight.dtype != input.dtype:
        if _dtype.result_type(input, weight) != input.dtype:
            input, target = input.to(weight.dtype), target.to(weight.dtype)
        else:
            weight = weight.to(input.dtype)
    return fused.CrossEntropyProbs.apply(input, target, weight, reduction, float(label_smoothing))


# -- divergences and likelihoods (compositions of tensor ops) ----------------------------------
def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    """KL(target || exp(input)) per element: target (log target - input); 'batchmean' divides the
    sum by the batch size (the mathematically right KL divergence)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    else:
        if reduction == 'mean':
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                          "support size.'batchmean' divides only by the batch size, and aligns with "
                          "the KL div math definition.'mean' will be changed to behave the same as "
                          "'batchmean' in the next major release.", stacklevel=2)
        if reduction != 'batchmean':
            reduction = get_reduction(None, None, reduction)
    _check_broadcast(input.shape, target.shape)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        from ...ops.binary import xlogy
        loss = xlogy(target, target) - target * input
    if reduction == 'batchmean':
        total = loss.sum()
        return total / input.shape[0] if input.ndim != 0 else total
    return reduce_tensor(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction='mean'):
    """Negative log-likelihood of target under Poisson(input) (or Poisson(exp(input)) when
    log_input); ``full`` adds Stirling's approximation of log(target!)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not a valid value for reduction")
    _check_broadcast(target.shape, input.shape)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + stirling.masked_fill(t <= 1, 0)
    return reduce_tensor(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    """Negative log-likelihood of target under N(input, var): 0.5 (log var + (input - target)^2 /
    var) (+ 0.5 log 2 pi when full); var is clamped at eps without affecting its gradient."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _wrap(np.full(input.shape, var, dtype=input._data.dtype))
    elif (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and
                  sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    var = var + (var.detach().clamp_min(eps) - var.detach())    # clamp the value, keep the grad
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_tensor(loss, reduction)


# -- margin and embedding losses (compositions) ------------------------------------------------
def _zeros_where(mask, values):
    """values with the elements where ``mask`` holds set to zero (differentiably)."""
    return values.masked_fill(mask, 0)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction='mean'):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1."""
    reduction = get_reduction(size_average, reduce, reduction)
    tdim = target.ndim
    if tdim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if tdim == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if tdim == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    prod = (input1 * input2).sum(tdim)
    mag1 = (input1 * input1).sum(tdim) + 1e-12
    mag2 = (input2 * input2).sum(tdim) + 1e-12
    cos = prod / (mag1 * mag2).sqrt()
    _check_broadcast(target.shape, cos.shape)
    t = target._data
    loss = _zeros_where(_wrap(t != 1), 1 - cos) + _zeros_where(_wrap(t != -1),
                                                               (cos - margin).clamp_min(0))
    return reduce_tensor(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction='mean'):
    """max(0, -target (input1 - input2) + margin)."""
    reduction = get_reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension but "
                           f"got sizes: input1: {input1.size()}, input2: {input2.size()}, target: "
                           f"{target.size()} ")
    _check_broadcast(input1.shape, input2.shape)
    return reduce_tensor((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction='mean'):
    """input where target is 1, max(0, margin - input) where target is -1."""
    reduction = get_reduction(size_average, reduce, reduction)
    _check_broadcast(target.shape, input.shape)
    t = target._data
    loss = (_zeros_where(_wrap(t == 1), (margin - input).clamp_min(0)) +
            _zeros_where(_wrap(t == -1), input))
    return reduce_tensor(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """log(1 + exp(-target input)) (two-class logistic loss)."""
    reduction = get_reduction(size_average, reduce, reduction)
    _check_broadcast(input.shape, target.shape)
    _no_weight_grad('soft_margin_loss', target, 'target')
    return reduce_tensor(-log_sigmoid(target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction='mean'):
    """Mean over the classes (last dim) of the logistic loss of each label."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    loss = -(target * log_sigmoid(input) + (1 - target) * log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    return reduce_tensor(loss, reduction)


def _check_index_target(target):
    if target.dtype != _dtype.int64:
        raise RuntimeError(f"expected scalar type Long but found {_short(target.dtype)}")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction='mean'):
    """Multi-class hinge loss: sum over j != y of w[y] max(0, margin - x[y] + x[j])^p / C."""
    reduction = get_reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x = input if input.ndim > 1 else input.reshape(1, -1)
    N, C = x.shape
    if target.ndim > 1 or target.numel() != N:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the "
                           "number of input samples (batch size). Expected target size "
                           f"[{N}], but got {list(target.shape)}. Input has shape "
                           f"{list(input.shape)}.")
    _check_index_target(target)
    if weight is not None and weight.numel() != C:
        raise RuntimeError(f"inconsistent weight size, expected {C} but got {list(weight.shape)}")
    t = target._data.reshape(-1)
    if t.size and (t.min() < 0 or t.max() >= C):
        raise RuntimeError("target out of range")
    idx = _wrap(t.reshape(-1, 1))
    z = (margin - x.gather(1, idx) + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight.gather(0, _wrap(t)).reshape(-1, 1)
    z = z.masked_fill(_wrap(np.arange(C) == t[:, None]), 0)
    loss = z.sum(1) / C
    if input.ndim <= 1:
        loss = loss.reshape(target.shape)
    return reduce_tensor(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """Multi-label hinge loss: target rows list class indices (ended by the first -1); each
    target class j and non-target class i add max(0, 1 - (x[j] - x[i])) / C."""
    reduction = get_reduction(size_average, reduce, reduction)
    x = input if input.ndim > 1 else input.reshape(1, -1)
    if target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    _check_index_target(target)
    N, C = x.shape
    t = target._data.reshape(N, C)
    listed = np.cumprod(t != -1, axis=1).astype(bool)            # entries before the first -1
    if ((t < -1) | (t >= C))[listed].any():
        raise RuntimeError("argument #2 'target' is out of range")
    listed_t = np.where(listed, t, -1)
    count = (listed_t[:, :, None] == np.arange(C)).sum(1).astype(x._data.dtype)   # times listed
    pairs = count[:, :, None] * (count == 0)[:, None, :]        # (n, j listed, i not listed)
    z = (1 - (x.unsqueeze(2) - x.unsqueeze(1))).clamp_min(0)
    loss = (z * _wrap(pairs)).sum((1, 2)) / C
    if input.ndim <= 1:
        loss = loss.reshape(())
    return reduce_tensor(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction='mean'):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with the p-norm distance."""
    reduction = get_reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet(anchor, positive, negative,
                    lambda a, b: pairwise_distance(a, b, p, eps), margin, swap, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction='mean'):
    """triplet_margin_loss with any distance function (pairwise_distance by default)."""
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin,
                    swap, reduction)


def _triplet(anchor, positive, negative, dist, margin, swap, reduction):
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not a == p == n:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a}D, positive {p}D, and "
                           f"negative {n}D inputs")
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        from ...ops.binary import minimum
        d_neg = minimum(d_neg, dist(positive, negative))
    return reduce_tensor((margin + d_pos - d_neg).clamp_min(0), reduction)
