"""Dropout: dropout, dropout1d/2d/3d (whole channels), alpha_dropout and feature_alpha_dropout.

As in torch on the CPU, the mask is ``bernoulli_(1 - p)`` drawn from the default generator in the
input's dtype (so ``torchlet.manual_seed`` reproduces torch's masks), scaled by 1 / (1 - p), and the
output is ``input * mask`` (a MulBackward0 node); alpha dropout adds the SELU-preserving shift.
In evaluation, with p == 0 or on an empty input, the input itself is returned.
"""
import math
import warnings

import numpy as np

from ..._tensor import Tensor
from ...ops._util import _short
from ... import _dtype
from .activation import check_tensor

__all__ = ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout']

_ALPHA = 1.7580993408473766     # -SELU's negative saturation value (scale * alpha)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(input, p, feature, alpha):
    """(scale, shift): the multiplicative mask and, for alpha dropout, the additive term (arrays in
    input's dtype, broadcastable to input: one value per channel when ``feature``)."""
    a = input._data
    if a.dtype.kind not in 'fc':
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_short(_dtype.from_numpy_dtype(a.dtype))}")
    if feature:
        if a.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = a.shape[:2] + (1,) * (a.ndim - 2)
    else:
        shape = a.shape
    mask = Tensor._wrap(np.empty(shape, a.dtype)).bernoulli_(1 - p)._data
    kind = a.dtype.type
    if not alpha:
        mask /= kind(1 - p)
        return mask, None
    scale = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = (mask - 1) * kind(_ALPHA * scale) + kind(_ALPHA * scale * p)
    mask *= kind(scale)
    return mask, shift


def _dropout(input, p, training, inplace, feature=False, alpha=False):
    """The shared body of the dropout family (p already checked)."""
    check_tensor(input, 'dropout')
    if p == 0 or not training or input._data.size == 0:
        return input
    if p == 1:
        zero = Tensor._wrap(np.zeros((), input._data.dtype))
        return input.mul_(zero) if inplace else input * zero
    mask, shift = _noise(input, p, feature, alpha)
    mask = Tensor._wrap(mask)
    if shift is None:
        return input.mul_(mask) if inplace else input * mask
    shift = Tensor._wrap(shift)
    return input.mul_(mask).add_(shift) if inplace else input * mask + shift


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (in training)."""
    _check_p(p)
    return _dropout(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean and unit variance (dropped values become -alpha')."""
    _check_p(p)
    return _dropout(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels (dim 1)."""
    _check_p(p)
    return _dropout(input, p, training, inplace, feature=True, alpha=True)


def _batched_channels(input, p, training, inplace, batched):
    """Channel dropout, adding and removing the batch dimension of an unbatched input."""
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout(input, p, training, inplace, feature=True)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (C, L) or (N, C, L) input with probability p."""
    _check_p(p)
    check_tensor(input, 'dropout1d')
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note "
                           "that dropout1d exists to provide channel-wise dropout on inputs with 1 "
                           "spatial dimension, a channel dimension, and an optional batch dimension "
                           "(i.e. 2D or 3D inputs).")
    return _batched_channels(input, p, training, inplace, ndim == 3)


def _warn_deprecated_ndim(n, ndim):
    """torch's warning for an input to dropout{n}d that is not (n+1)-D or (n+2)-D."""
    warnings.warn(f"dropout{n}d: Received a {ndim}-D input to dropout{n}d, which is deprecated and "
                  "will result in an error in a future release. To retain the behavior and "
                  f"silence this warning, please use dropout instead. Note that dropout{n}d exists "
                  f"to provide channel-wise dropout on inputs with {n} spatial dimensions, a channel "
                  f"dimension, and an optional batch dimension (i.e. {n + 1}D or {n + 2}D inputs).",
                  stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, H, W) input with probability p (a 3-D input is taken as
    (N, C, L), as torch does)."""
    _check_p(p)
    check_tensor(input, 'dropout2d')
    ndim = input.dim()
    if ndim not in (3, 4):
        _warn_deprecated_ndim(2, ndim)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
                      "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
                      "is the channel dim. This behavior will change in a future release to interpret "
                      "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
                      "the 1D channel-wise dropout behavior, please switch to using dropout1d "
                      "instead.", stacklevel=2)
    return _dropout(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (C, D, H, W) or (N, C, D, H, W) input with probability p."""
    _check_p(p)
    check_tensor(input, 'dropout3d')
    ndim = input.dim()
    if ndim not in (4, 5):
        _warn_deprecated_ndim(3, ndim)
    return _batched_channels(input, p, training, inplace, ndim == 5)
