"""torchvision.transforms.functional: the stateless image operations behind the transforms.

Each function accepts a PIL image (handled by Pillow, ``_functional_pil``) or a tensor of shape
(..., C, H, W) (handled by tensor ops, ``_functional_tensor``), with torchvision's argument checks
and messages.
"""
import math
import numbers
import sys
import warnings
from enum import Enum

import numpy as np

import torchlet as torch
from ..._tensor import Tensor
from .._pil import is_pil_image, pil_image
from . import _functional_pil as F_pil, _functional_tensor as F_t

__all__ = ['InterpolationMode', 'get_dimensions', 'get_image_size', 'get_image_num_channels', 'to_tensor',
           'pil_to_tensor', 'convert_image_dtype', 'to_pil_image', 'normalize', 'resize', 'pad', 'crop',
           'center_crop', 'resized_crop', 'hflip', 'vflip', 'five_crop', 'ten_crop', 'adjust_brightness',
           'adjust_contrast', 'adjust_saturation', 'adjust_hue', 'adjust_gamma', 'adjust_sharpness', 'rotate',
           'affine', 'to_grayscale', 'rgb_to_grayscale', 'erase', 'gaussian_blur', 'invert', 'posterize',
           'solarize', 'autocontrast', 'equalize']


class InterpolationMode(Enum):
    """Interpolation modes: ``nearest``, ``nearest-exact``, ``bilinear``, ``bicubic``, ``box``,
    ``hamming`` and ``lanczos``."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    # For PIL compatibility
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _interpolation_modes_from_int(i):
    return {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
            4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}[i]


pil_modes_mapping = {
    InterpolationMode.NEAREST: 0,
    InterpolationMode.BILINEAR: 2,
    InterpolationMode.BICUBIC: 3,
    InterpolationMode.NEAREST_EXACT: 0,
    InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}

_is_pil_image = is_pil_image
_I16 = "I;16" if sys.byteorder == "little" else "I;16B"


def _interpolation(interpolation):
    """An InterpolationMode from a mode or a Pillow integer constant."""
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow "
                        "integer constant")
    return interpolation


def get_dimensions(img):
    """[channels, height, width] of an image."""
    return F_t.get_dimensions(img) if isinstance(img, Tensor) else F_pil.get_dimensions(img)


def get_image_size(img):
    """[width, height] of an image."""
    return F_t.get_image_size(img) if isinstance(img, Tensor) else F_pil.get_image_size(img)


def get_image_num_channels(img):
    """The number of channels of an image."""
    return F_t.get_image_num_channels(img) if isinstance(img, Tensor) else F_pil.get_image_num_channels(img)


# -- conversions -------------------------------------------------------------------------------------------
def _as_default_float(arr):
    """uint8 array -> default-float tensor in [0, 1] (torch's ``img.to(float).div(255)``)."""
    np_dtype = torch.get_default_dtype().np
    out = np.empty(arr.shape, np_dtype)
    np.divide(arr, np_dtype.type(255), out=out, casting='unsafe')
    return Tensor._wrap(out)


def to_tensor(pic):
    """PIL image or ndarray (H x W x C) -> tensor (C x H x W); uint8 data becomes default-float
    values in [0, 1], other data keeps its values and dtype."""
    if not (is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray) and pic.ndim not in {2, 3}:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if isinstance(pic, np.ndarray):
        arr = (pic[:, :, None] if pic.ndim == 2 else pic).transpose((2, 0, 1))
    else:
        mode_to_nptype = {"I": np.int32, _I16: np.int16, "F": np.float32}
        arr = np.array(pic, mode_to_nptype.get(pic.mode, np.uint8), copy=True)
        if pic.mode == "1":
            arr = 255 * arr
        arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose((2, 0, 1))
    if arr.dtype == np.uint8:
        return _as_default_float(arr)
    return Tensor._wrap(np.ascontiguousarray(arr))


def pil_to_tensor(pic):
    """PIL image -> tensor (C x H x W) of the image's own dtype (a copy of the pixels)."""
    if not is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    return Tensor._wrap(arr.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose((2, 0, 1)))


def convert_image_dtype(image, dtype=torch.float):
    """Convert a tensor image to dtype, rescaling the values (integers span [0, max], floats [0, 1])."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    return F_t.convert_image_dtype(image, dtype)


_CHANNEL_MODES = {2: ["LA"], 4: ["RGBA", "CMYK", "RGBX"], 3: ["RGB", "YCbCr", "HSV"]}
_DEFAULT_MODES = {2: "LA", 4: "RGBA", 3: "RGB"}
_CHANNEL_WORDS = {2: "2D", 4: "4D", 3: "3D"}


def to_pil_image(pic, mode=None):
    """Tensor (C x H x W) or ndarray (H x W x C) -> PIL image. Float data is scaled by 255 to uint8
    (unless mode is 'F'); without mode, the mode follows from the channel count and dtype."""
    if isinstance(pic, Tensor):
        pic = pic._data.transpose((1, 2, 0)) if pic.ndim == 3 else pic._data
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = np.expand_dims(pic, 2)
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    npimg = pic
    if np.issubdtype(npimg.dtype, np.floating) and mode != "F":
        npimg = (npimg * 255).astype(np.uint8)
    channels = npimg.shape[2]
    if channels == 1:
        npimg = npimg[:, :, 0]
        expected_mode = {np.dtype(np.uint8): "L", np.dtype(np.int16): _I16, np.dtype(np.int32): "I",
                         np.dtype(np.float32): "F"}.get(npimg.dtype)
        if mode is not None and mode != expected_mode:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {npimg.dtype}. "
                             f"Should be {expected_mode}")
        mode = expected_mode
    else:
        permitted = _CHANNEL_MODES[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {_CHANNEL_WORDS[channels]} inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = _DEFAULT_MODES[channels]
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return pil_image().fromarray(np.ascontiguousarray(npimg), mode=mode)


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean) / std per channel of a float tensor image (..., C, H, W)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    return F_t.normalize(tensor, mean=mean, std=std, inplace=inplace)


# -- geometry ----------------------------------------------------------------------------------------------
def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if len(size) == 1:  # specified size only for the smallest edge
        requested_new_short = size if isinstance(size, int) else size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                                 f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to size (h, w), or make the smaller edge ``size`` when it is an int (keeping the aspect
    ratio, the longer edge capped by max_size)."""
    interpolation = _interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in [1, 2]:
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, "
                             f"not a {len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller "
                             "edge, i.e. size should be an int or a sequence of length 1 in torchscript "
                             "mode.")
    _, image_height, image_width = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size((image_height, image_width), size, max_size)
    if [image_height, image_width] == output_size:
        return img
    if not isinstance(img, Tensor):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. "
                          "Argument antialias is ignored.")
        return F_pil.resize(img, size=output_size, interpolation=pil_modes_mapping[interpolation])
    return F_t.resize(img, size=output_size, interpolation=interpolation.value, antialias=antialias)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: padding is an int, (left/right, top/bottom) or (left, top, right, bottom);
    padding_mode is constant (with fill), edge, reflect or symmetric."""
    if not isinstance(img, Tensor):
        return F_pil.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)
    return F_t.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)


def crop(img, top, left, height, width):
    """The height x width box at (top, left); parts outside the image are zero-padded."""
    if not isinstance(img, Tensor):
        return F_pil.crop(img, top, left, height, width)
    return F_t.crop(img, top, left, height, width)


def _square(size):
    if isinstance(size, numbers.Number):
        return (int(size), int(size))
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return (size[0], size[0])
    return size


def center_crop(img, output_size):
    """The central (h, w) crop (an int gives a square); a smaller image is zero-padded first."""
    output_size = _square(output_size)
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
    """crop, then resize to size."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Flip left-right."""
    return F_pil.hflip(img) if not isinstance(img, Tensor) else F_t.hflip(img)


def vflip(img):
    """Flip top-bottom."""
    return F_pil.vflip(img) if not isinstance(img, Tensor) else F_t.vflip(img)


def five_crop(img, size):
    """(top-left, top-right, bottom-left, bottom-right, center) crops of size."""
    size = _square(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > image_width or crop_height > image_height:
        raise ValueError(f"Requested crop size {size} is bigger than input size "
                         f"{(image_height, image_width)}")
    tl = crop(img, 0, 0, crop_height, crop_width)
    tr = crop(img, 0, image_width - crop_width, crop_height, crop_width)
    bl = crop(img, image_height - crop_height, 0, crop_height, crop_width)
    br = crop(img, image_height - crop_height, image_width - crop_width, crop_height, crop_width)
    return tl, tr, bl, br, center_crop(img, [crop_height, crop_width])


def ten_crop(img, size, vertical_flip=False):
    """five_crop of the image and of its (horizontal, or vertical) flip."""
    size = _square(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first_five = five_crop(img, size)
    return first_five + five_crop(vflip(img) if vertical_flip else hflip(img), size)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The 2 x 3 matrix (as 6 floats) of the inverse of T * C * RotateScaleShear * C^-1 (Pillow's
    convention), or of the forward map when inverted is False."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
        matrix[2] += cx
        matrix[5] += cy
    else:
        matrix = [x * scale for x in [a, b, 0.0, c, d, 0.0]]
        matrix[2] += matrix[0] * (-cx) + matrix[1] * (-cy)
        matrix[5] += matrix[3] * (-cx) + matrix[4] * (-cy)
        matrix[2] += cx + tx
        matrix[5] += cy + ty
    return matrix


def _tensor_center(img, center):
    """center in pixel coordinates -> coordinates relative to the image centre."""
    if center is None:
        return [0.0, 0.0]
    _, height, width = get_dimensions(img)
    return [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate counter-clockwise by angle degrees about center (default: the image centre)."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not isinstance(img, Tensor):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation], expand=expand,
                            center=center, fill=fill)
    # the tensor convention turns the other way round, hence -angle
    matrix = _get_inverse_affine_matrix(_tensor_center(img, center), -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_t.rotate(img, matrix=matrix, interpolation=interpolation.value, expand=expand, fill=fill)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None,
           center=None):
    """Rotate by angle, translate by (tx, ty) pixels, scale, and shear by (sx, sy) degrees, keeping
    the image centre (or center) invariant."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, (list, tuple))):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    angle = float(angle)
    translate = list(translate)
    shear = [shear, 0.0] if isinstance(shear, numbers.Number) else list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, height, width = get_dimensions(img)
    if not isinstance(img, Tensor):
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        return F_pil.affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation], fill=fill)
    translate_f = [1.0 * t for t in translate]
    matrix = _get_inverse_affine_matrix(_tensor_center(img, center), angle, translate_f, scale, shear)
    return F_t.affine(img, matrix=matrix, interpolation=interpolation.value, fill=fill)


# -- colour ------------------------------------------------------------------------------------------------
def _pil_only(name):
    return (f"transforms.functional.{name} on tensors is not yet implemented in torchlet "
            f"(use a PIL image)")


def _dispatch(name, img, *args):
    return getattr(F_t if isinstance(img, Tensor) else F_pil, name)(img, *args)


def adjust_brightness(img, brightness_factor):
    """Blend with black: 0 gives black, 1 the original, 2 twice as bright."""
    return _dispatch("adjust_brightness", img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey level: 0 gives a solid grey image, 1 the original."""
    return _dispatch("adjust_contrast", img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    """Blend with the grayscale image: 0 gives black and white, 1 the original."""
    return _dispatch("adjust_saturation", img, saturation_factor)


def adjust_hue(img, hue_factor):
    """Shift the hue channel (in HSV) by hue_factor in [-0.5, 0.5]."""
    return _dispatch("adjust_hue", img, hue_factor)


def adjust_gamma(img, gamma, gain=1):
    """Gamma correction: out = max * gain * (in / max) ** gamma."""
    return _dispatch("adjust_gamma", img, gamma, gain)


def adjust_sharpness(img, sharpness_factor):
    """Sharpen (factor > 1) or blur (< 1); PIL images only in torchlet."""
    if isinstance(img, Tensor):
        raise NotImplementedError(_pil_only("adjust_sharpness"))
    return F_pil.adjust_sharpness(img, sharpness_factor)


def to_grayscale(img, num_output_channels=1):
    """PIL image -> grayscale PIL image with 1 or 3 channels."""
    if is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def rgb_to_grayscale(img, num_output_channels=1):
    """RGB -> grayscale (L = 0.2989 R + 0.587 G + 0.114 B for tensors, Pillow's convert('L') for
    PIL images), with 1 or 3 output channels."""
    if not isinstance(img, Tensor):
        return F_pil.to_grayscale(img, num_output_channels)
    return F_t.rgb_to_grayscale(img, num_output_channels)


def invert(img):
    """Invert the colours (max - value)."""
    return _dispatch("invert", img)


def posterize(img, bits):
    """Keep the `bits` most significant bits of each channel (uint8 images)."""
    if not (0 <= bits <= 8):
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    if not isinstance(img, Tensor):
        return F_pil.posterize(img, bits)
    if img.dtype != torch.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    return img & -int(2 ** (8 - bits))


def solarize(img, threshold):
    """Invert the pixels at or above threshold."""
    if not isinstance(img, Tensor):
        return F_pil.solarize(img, threshold)
    if threshold > F_t._max_value(img.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return torch.where(img >= threshold, F_t.invert(img), img)


def autocontrast(img):
    """Stretch each channel to the full range (PIL images only in torchlet)."""
    if isinstance(img, Tensor):
        raise NotImplementedError(_pil_only("autocontrast"))
    return F_pil.autocontrast(img)


def equalize(img):
    """Equalize the histogram (PIL images only in torchlet)."""
    if isinstance(img, Tensor):
        raise NotImplementedError(_pil_only("equalize"))
    return F_pil.equalize(img)


# -- tensors only / both -----------------------------------------------------------------------------------
def erase(img, i, j, h, w, v, inplace=False):
    """Set the h x w box at (i, j) of a tensor image to v."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    return F_t.erase(img, i, j, h, w, v, inplace=inplace)


def gaussian_blur(img, kernel_size, sigma=None):
    """Gaussian blur with an odd kernel_size (int or (kx, ky)) and sigma (default
    ``0.3 * ((k - 1) * 0.5 - 1) + 0.8``), reflect-padded."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}")
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got {kernel_size}")
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    t_img = img
    if not isinstance(img, Tensor):
        if not is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        t_img = pil_to_tensor(img)
    output = F_t.gaussian_blur(t_img, kernel_size, sigma)
    if not isinstance(img, Tensor):
        output = to_pil_image(output, mode=img.mode)
    return output
