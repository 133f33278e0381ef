"""torchvision.utils: ``make_grid`` (a batch of images tiled into one image) and ``save_image``."""
import math

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops.join_split import cat, stack
from ._pil import pil_image

__all__ = ['make_grid', 'save_image']


def _as_batch(tensor):
    """The input as a 4-D (N, C, H, W) tensor, grayscale images repeated to 3 channels."""
    if not isinstance(tensor, Tensor):
        if not isinstance(tensor, list):
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
        for t in tensor:
            if not isinstance(t, Tensor):
                raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")
        tensor = stack(tensor, dim=0)
    if tensor.dim() == 2:           # a single H x W image
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:           # a single C x H x W image
        if tensor.size(0) == 1:
            tensor = cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = cat((tensor, tensor, tensor), 1)
    return tensor


def _norm_range(t, value_range):
    """Clamp t (in place) to value_range (default: its own min and max) and map it to [0, 1]."""
    low, high = value_range if value_range is not None else (float(t.min()), float(t.max()))
    t.clamp_(min=low, max=high)
    t.sub_(low).div_(max(high - low, 1e-5))


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile a batch of images into one image, ``nrow`` per row, separated by ``padding`` pixels of
    ``pad_value``, as torchvision does.

    Args:
        tensor (Tensor or list of Tensor): 4-D (B, C, H, W) batch, or a list of same-size images.
        nrow (int): images per row; the grid is ``(B / nrow, nrow)``.
        padding (int): padding between and around the images.
        normalize (bool): shift each batch (or image, when scale_each) to [0, 1] using value_range
            (default: its min and max).
        value_range (tuple, optional): (min, max) for normalize.
        scale_each (bool): normalize each image separately.
        pad_value (float): value of the padding pixels.

    Returns: a (C, ymaps * (H + padding) + padding, xmaps * (W + padding) + padding) tensor (the
    image itself when B == 1).
    """
    with no_grad():
        tensor = _as_batch(tensor)
        if normalize is True:
            tensor = tensor.clone()
            if value_range is not None and not isinstance(value_range, tuple):
                raise TypeError("value_range has to be a tuple (min, max) if specified. "
                                "min and max are numbers")
            if scale_each is True:
                for t in tensor:
                    _norm_range(t, value_range)
            else:
                _norm_range(tensor, value_range)
        if tensor.size(0) == 1:
            return tensor.squeeze(0)
        images = tensor._data
        nmaps, num_channels = images.shape[0], images.shape[1]
        xmaps = min(nrow, nmaps)
        ymaps = int(math.ceil(float(nmaps) / xmaps))
        height, width = int(images.shape[2] + padding), int(images.shape[3] + padding)
        grid = np.full((num_channels, height * ymaps + padding, width * xmaps + padding), pad_value,
                       dtype=images.dtype)
        cells = np.full((ymaps * xmaps, num_channels, height, width), pad_value, dtype=images.dtype)
        cells[:nmaps, :, padding:, padding:] = images
        cells = cells.reshape(ymaps, xmaps, num_channels, height, width).transpose(2, 0, 3, 1, 4)
        grid[:, :ymaps * height, :xmaps * width] = cells.reshape(num_channels, ymaps * height, xmaps * width)
        return Tensor._wrap(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or a batch, through make_grid with ``**kwargs``) as an image file with Pillow;
    values in [0, 1] become 0..255 (rounded to nearest)."""
    grid = make_grid(tensor, **kwargs)._data
    if grid.dtype.kind == 'f':
        scaled = grid * grid.dtype.type(255) + grid.dtype.type(0.5)
    else:
        scaled = grid * 255 + 0.5
    ndarr = np.clip(scaled, 0, 255).transpose(1, 2, 0).astype(np.uint8)
    im = pil_image().fromarray(np.ascontiguousarray(ndarr))
    im.save(fp, format=format)
