"""Distances and similarities of torch.nn.functional: cosine_similarity, pairwise_distance, pdist,
normalize. Compositions of tensor ops (so every order of gradient works)."""
import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops._util import broadcast_error, _short

__all__ = ['cosine_similarity', 'pairwise_distance', 'pdist', 'normalize']

_wrap = Tensor._wrap


def _vector_norm(x, p, dim, keepdim):
    from ...ops.norms import vector_norm
    return vector_norm(x, p, dim, keepdim)


def _clamped_min(t, eps):
    """t with its value clamped at eps but the gradient of t itself (torch clamps such norms in
    place under no_grad)."""
    low = t._data < eps
    if not low.any():
        return t
    return t + _wrap(np.where(low, np.asarray(eps, t._data.dtype) - t._data, 0).astype(t._data.dtype))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) over dim, the inputs broadcast together."""
    common = _dtype.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{_short(common)}")
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise broadcast_error(x1.shape, x2.shape) from None
    x1, x2 = (x if x.dtype == common else x.to(common) for x in (x1, x2))
    x1, x2 = (x if x.shape == shape else x.expand(shape) for x in (x1, x2))
    n1 = _clamped_min(_vector_norm(x1, 2, dim, True), eps)
    n2 = _clamped_min(_vector_norm(x2, 2, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps over the last dimension (the inputs broadcast together)."""
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise broadcast_error(x1.shape, x2.shape) from None
    d = x1 - x2 + eps
    return _vector_norm(d, p, max(x1.ndim, x2.ndim) - 1 if d.ndim else None, keepdim)


def pdist(input, p=2):
    """The p-norm distances between all pairs of rows of an (N, M) input, as the N (N - 1) / 2
    entries above the diagonal, row by row."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    i, j = np.triu_indices(input.shape[0], 1)
    return _vector_norm(input[_wrap(i)] - input[_wrap(j)], p, 1, False)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along dim."""
    denom = _vector_norm(input, p, dim, True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    from ...ops.elementwise import div
    return div(input, denom, out=out)
