"""The tensor side of transforms.functional (torchvision's ``_functional_tensor``).

Images are tensors of shape (..., C, H, W). Everything is written with tensor ops, or with the
linear-map op below, so gradients flow through the geometric and colour transforms as in
torchvision. Resampling follows torch's own formulas: ``resize`` matches
``torch.nn.functional.interpolate`` (nearest, nearest-exact, bilinear, bicubic, with or without
antialias), ``affine``/``rotate`` match ``grid_sample`` (nearest, bilinear; zeros padding,
align_corners=False), ``gaussian_blur`` matches a reflect-padded ``conv2d``.
"""
import numpy as np

import torchlet as torch
from ... import _dtype
from ..._tensor import Tensor
from ...autograd.function import Op

_INT_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


# -- checks and small helpers ---------------------------------------------------------------------------
def _is_tensor_a_torch_image(x):
    return x.ndim >= 2


def _assert_image_tensor(img):
    if not _is_tensor_a_torch_image(img):
        raise TypeError("Tensor is not a torch image.")


def get_dimensions(img):
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    height, width = img.shape[-2:]
    return [channels, height, width]


def get_image_size(img):
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img):
    _assert_image_tensor(img)
    return 1 if img.ndim == 2 else img.shape[-3]


def _max_value(dtype):
    return {torch.uint8: 255, torch.int8: 127, torch.int16: 32767, torch.int32: 2147483647,
            torch.int64: 9223372036854775807}.get(dtype, 1)


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")


def _cast_squeeze_in(img, req_dtypes):
    """(img as N x C x H x W of a dtype in req_dtypes, need_cast, need_squeeze, original dtype)."""
    need_squeeze = img.ndim < 4
    if need_squeeze:
        img = img.unsqueeze(dim=0)
    out_dtype = img.dtype
    need_cast = out_dtype not in req_dtypes
    if need_cast:
        img = img.to(req_dtypes[0])
    return img, need_cast, need_squeeze, out_dtype


def _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype):
    if need_squeeze:
        img = img.squeeze(dim=0)
    if need_cast:
        if out_dtype in _INT_DTYPES:
            img = torch.round(img)
        img = img.to(out_dtype)
    return img


def _float_dtype(img):
    return img.dtype if img.is_floating_point() else torch.float32


# -- dtype conversion -------------------------------------------------------------------------------------
def convert_image_dtype(image, dtype=torch.float):
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == torch.float32 and dtype in (torch.int32, torch.int64)) or (
                image.dtype == torch.float64 and dtype == torch.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(dtype))
        return image.mul(max_val + 1.0 - eps).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return torch.div(image, factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


# -- flips, crops, pads ------------------------------------------------------------------------------------
def vflip(img):
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img):
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img, top, left, height, width):
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right = left + width
    bottom = top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _parse_pad_padding(padding):
    """[left, right, top, bottom] from an int or a 1-, 2- or 4-element sequence."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


class _PadConstant(Op):
    """Constant padding of the last two dims by non-negative amounts."""
    _bname = 'ConstantPadNdBackward0'

    @staticmethod
    def forward(ctx, x, left, right, top, bottom, value):
        a = x._data
        ctx.box = (top, top + a.shape[-2], left, left + a.shape[-1])
        width = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
        return np.pad(a, width, constant_values=np.array(value).astype(a.dtype))

    @staticmethod
    def backward(ctx, g):
        t, b, l, r = ctx.box
        return g[..., t:b, l:r], None, None, None, None, None


def _pad_index(n, before, after, mode):
    """Source indices along one axis of length n for a non-constant padding mode."""
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= n, 2 * (n - 1) - i, i)
    # symmetric: the edge value is repeated
    i = np.where(i < 0, -i - 1, i)
    return np.where(i >= n, 2 * n - 1 - i, i)


def _reflect_pad_message(before, after, dim, shape):
    return (f"Argument #4: Padding size should be less than the corresponding input dimension, but got: "
            f"padding ({before}, {after}) at dimension {dim} of input {list(shape)}")


def _pad_gather(img, p, mode):
    """Non-constant padding by indexing (differentiable); p = [left, right, top, bottom] >= 0."""
    h, w = img.shape[-2], img.shape[-1]
    if mode == "reflect":
        for before, after, size, dim in ((p[0], p[1], w, img.ndim - 1), (p[2], p[3], h, img.ndim - 2)):
            if before >= size or after >= size:
                raise RuntimeError(_reflect_pad_message(before, after, dim, img.shape))
    rows = _pad_index(h, p[2], p[3], mode)
    cols = _pad_index(w, p[0], p[1], mode)
    return img[..., torch.from_numpy(rows[:, None]), torch.from_numpy(cols[None, :])]


def pad(img, padding, fill=0, padding_mode="constant"):
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in [1, 2, 4]:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, "
                         f"not a {len(padding)} element tuple")
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    p = _parse_pad_padding(padding)
    if min(p) < 0:          # negative padding crops
        l, r, t, b = (-min(x, 0) for x in p)
        img = img[..., t:img.shape[-2] - b, l:img.shape[-1] - r]
        p = [max(x, 0) for x in p]
    if padding_mode == "constant":
        return _PadConstant.apply(img, p[0], p[1], p[2], p[3], float(fill))
    return _pad_gather(img, p, {"edge": "replicate"}.get(padding_mode, padding_mode))


# -- linear resampling along one axis (resize, blur) -------------------------------------------------------
class _AxisMap(Op):
    """``out[..., i, :] = sum_k w[i, k] * x[..., idx[i, k], :]`` along dim ``axis`` (-1 or -2): a banded
    linear map stored as taps. Its gradient is the transposed map, applied with matmul."""

    @staticmethod
    def forward(ctx, x, axis, idx, w, n_in):
        ctx.axis, ctx.idx, ctx.w, ctx.n_in = axis, idx, w, n_in
        a = x._data
        wk = w if axis == -1 else w[:, :, None]
        out = np.take(a, idx[:, 0], axis=axis) * wk[:, 0]
        for k in range(1, idx.shape[1]):
            out += np.take(a, idx[:, k], axis=axis) * wk[:, k]
        return out

    @staticmethod
    def backward(ctx, g):
        idx, w = ctx.idx, ctx.w
        dense = np.zeros((idx.shape[0], ctx.n_in), w.dtype)
        np.add.at(dense, (np.repeat(np.arange(idx.shape[0]), idx.shape[1]), idx.ravel()), w.ravel())
        m = Tensor._wrap(dense)
        grad = torch.matmul(g, m) if ctx.axis == -1 else torch.matmul(m.t(), g)
        return grad, None, None, None, None


def _apply_separable(img, taps_w, taps_h):
    """Apply (idx, w) taps along W then H (N x C x H x W float image)."""
    n_h, n_w = img.shape[-2], img.shape[-1]
    img = _AxisMap.apply(img, -1, taps_w[0], taps_w[1], n_w)
    return _AxisMap.apply(img, -2, taps_h[0], taps_h[1], n_h)


def _nearest_taps(n_in, n_out, exact, dtype):
    scale = np.float32(n_in) / np.float32(n_out)
    dst = np.arange(n_out, dtype=np.float32)
    if exact:
        src = np.floor((dst + np.float32(0.5)) * scale)
    elif n_out == n_in:
        src = dst
    elif n_out == 2 * n_in:
        src = np.floor(dst / 2)
    else:
        src = np.floor(dst * scale)
    idx = np.minimum(src.astype(np.int64), n_in - 1)
    return idx[:, None], np.ones((n_out, 1), dtype)


def _cubic_coefficients(t, a):
    """torch's 4 cubic-convolution weights for fractional offsets t (array)."""
    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=1)


def _interp_taps(n_in, n_out, cubic, dtype):
    """Taps of torch's bilinear / bicubic upsampling without antialias (align_corners=False)."""
    np_dtype = np.dtype(dtype)
    scale = np_dtype.type(n_in) / np_dtype.type(n_out)
    src = scale * (np.arange(n_out, dtype=np_dtype) + np_dtype.type(0.5)) - np_dtype.type(0.5)
    if not cubic:
        src = np.maximum(src, 0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.clip(src - i0.astype(np_dtype), 0, 1).astype(np_dtype)
    if not cubic:
        idx = np.stack([i0, i0 + (i0 < n_in - 1)], axis=1)
        return idx, np.stack([1 - lam, lam], axis=1).astype(np_dtype)
    idx = np.clip(i0[:, None] + np.arange(-1, 3), 0, n_in - 1)
    return idx, _cubic_coefficients(lam, np_dtype.type(-0.75)).astype(np_dtype)


def _aa_taps(n_in, n_out, cubic, dtype):
    """Taps of torch's antialiased bilinear / bicubic resampling (PIL's convolution scheme)."""
    scale = n_in / n_out
    support = (2.0 if cubic else 1.0) * (scale if scale >= 1.0 else 1.0)
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    center = scale * (np.arange(n_out) + 0.5)
    xmin = np.maximum((center - support + 0.5).astype(np.int64), 0)
    xmax = np.minimum((center + support + 0.5).astype(np.int64), n_in)
    k = int((xmax - xmin).max())
    j = np.arange(k)
    x = np.abs((j[None, :] + xmin[:, None] - center[:, None] + 0.5) * invscale)
    if cubic:
        a = -0.5
        w = np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                     np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))
    else:
        w = np.maximum(1.0 - x, 0.0)
    w = np.where(j[None, :] < (xmax - xmin)[:, None], w, 0.0)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w)
    idx = np.minimum(xmin[:, None] + j[None, :], n_in - 1)
    return idx, w.astype(np.dtype(dtype))


def _resize_taps(n_in, n_out, mode, antialias, dtype):
    if mode in ("nearest", "nearest-exact"):
        return _nearest_taps(n_in, n_out, mode == "nearest-exact", np.dtype(dtype))
    if antialias:
        return _aa_taps(n_in, n_out, mode == "bicubic", dtype)
    return _interp_taps(n_in, n_out, mode == "bicubic", dtype)


def resize(img, size, interpolation="bilinear", antialias=True):
    _assert_image_tensor(img)
    if isinstance(size, tuple):
        size = list(size)
    if antialias is None:
        antialias = False
    if antialias and interpolation not in ["bilinear", "bicubic"]:
        antialias = False
    if interpolation not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")
    img, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [torch.float32, torch.float64])
    np_dtype = img._data.dtype
    taps_h = _resize_taps(img.shape[-2], size[0], interpolation, antialias, np_dtype)
    taps_w = _resize_taps(img.shape[-1], size[1], interpolation, antialias, np_dtype)
    img = _apply_separable(img, taps_w, taps_h)
    if interpolation == "bicubic" and out_dtype == torch.uint8:
        img = img.clamp(min=0, max=255)
    return _cast_squeeze_out(img, need_cast=need_cast, need_squeeze=need_squeeze, out_dtype=out_dtype)


# -- gaussian blur -----------------------------------------------------------------------------------------
def _get_gaussian_kernel1d(kernel_size, sigma, np_dtype):
    ksize_half = (kernel_size - 1) * 0.5
    x = np.linspace(-ksize_half, ksize_half, kernel_size).astype(np_dtype)
    pdf = np.exp(np_dtype.type(-0.5) * (x / np_dtype.type(sigma)) ** 2)
    return pdf / pdf.sum()


def _blur_taps(n, kernel, dim, shape):
    r = len(kernel) // 2
    if r >= n:
        raise RuntimeError(_reflect_pad_message(r, r, dim, shape))
    idx = np.abs(np.arange(n)[:, None] + np.arange(len(kernel))[None, :] - r)
    idx = np.where(idx >= n, 2 * (n - 1) - idx, idx)
    return idx, np.broadcast_to(kernel, idx.shape).copy()


def gaussian_blur(img, kernel_size, sigma):
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    _assert_image_tensor(img)
    dtype = _float_dtype(img)
    img, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [dtype])
    np_dtype = img._data.dtype
    kx = _get_gaussian_kernel1d(kernel_size[0], sigma[0], np_dtype)
    ky = _get_gaussian_kernel1d(kernel_size[1], sigma[1], np_dtype)
    taps_w = _blur_taps(img.shape[-1], kx, 3, img.shape)
    taps_h = _blur_taps(img.shape[-2], ky, 2, img.shape)
    img = _apply_separable(img, taps_w, taps_h)
    return _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype)


# -- colour ------------------------------------------------------------------------------------------------
def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        l_img = img.clone()
    if num_output_channels == 3:
        return l_img.expand(img.shape)
    return l_img


def _blend(img1, img2, ratio):
    ratio = float(ratio)
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, torch.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    dtype = _float_dtype(img)
    gray = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    mean = torch.mean(gray.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:  # Match PIL behaviour
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = torch.max(img, dim=-3).values
    minc = torch.min(img, dim=-3).values
    eqc = maxc == minc
    cr = maxc - minc
    ones = torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    cr_divisor = torch.where(eqc, ones, cr)
    rc = (maxc - r) / cr_divisor
    gc = (maxc - g) / cr_divisor
    bc = (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = torch.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return torch.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = torch.floor(h * 6.0)
    f = (h * 6.0) - i
    i = i.to(dtype=torch.int32)
    p = torch.clamp((v * (1.0 - s)), 0.0, 1.0)
    q = torch.clamp((v * (1.0 - s * f)), 0.0, 1.0)
    t = torch.clamp((v * (1.0 - s * (1.0 - f))), 0.0, 1.0)
    i = i % 6
    mask = (i.unsqueeze(dim=-3) == torch.arange(6).view(-1, 1, 1)).to(dtype=img.dtype)
    a1 = torch.stack((v, q, p, p, t, v), dim=-3)
    a2 = torch.stack((t, v, v, q, p, p), dim=-3)
    a3 = torch.stack((p, p, t, v, v, q), dim=-3)
    a4 = torch.stack((a1, a2, a3), dim=-4)
    return (mask.unsqueeze(-4) * a4).sum(dim=-3)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor image")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:  # Match PIL behaviour
        return img
    orig_dtype = img.dtype
    img = convert_image_dtype(img, torch.float32)
    h, s, v = _rgb2hsv(img).unbind(dim=-3)
    h = (h + hue_factor) % 1.0
    img_hue_adj = _hsv2rgb(torch.stack((h, s, v), dim=-3))
    return convert_image_dtype(img_hue_adj, orig_dtype)


def adjust_gamma(img, gamma, gain=1):
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be a Tensor.")
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    dtype = img.dtype
    result = img if img.is_floating_point() else convert_image_dtype(img, torch.float32)
    result = (gain * result ** gamma).clamp(0, 1)
    return convert_image_dtype(result, dtype)


def invert(img):
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    return _max_value(img.dtype) - img


# -- affine warps (grid_sample) ----------------------------------------------------------------------------
def _assert_grid_transform_inputs(img, matrix, interpolation, fill, supported_interpolation_modes):
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor")
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError("Argument matrix should be a list")
    if matrix is not None and len(matrix) != 6:
        raise ValueError("Argument matrix should have 6 float values")
    num_channels = get_dimensions(img)[0]
    if fill is not None and isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != num_channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of "
                         f"channels of the image ({len(fill)} != {num_channels})")
    if interpolation not in supported_interpolation_modes:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _gen_affine_grid(theta, w, h, ow, oh):
    """Source pixel coordinates (x, y), each (oh, ow), of torchvision's affine grid: output pixel
    centres mapped by theta (2 x 3), normalised by the input size, then unnormalised as grid_sample
    does with align_corners=False. Computed in theta's dtype."""
    dt = theta.dtype
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow).astype(dt)
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh).astype(dt)
    base = np.empty((oh, ow, 3), dt)
    base[..., 0], base[..., 1], base[..., 2] = xs[None, :], ys[:, None], 1
    rescaled = theta.T / np.array([0.5 * w, 0.5 * h], dt)
    grid = base.reshape(oh * ow, 3) @ rescaled
    gx = (grid[:, 0] + dt.type(1)) * dt.type(w / 2) - dt.type(0.5)
    gy = (grid[:, 1] + dt.type(1)) * dt.type(h / 2) - dt.type(0.5)
    return gx.reshape(oh, ow), gy.reshape(oh, ow)


def _grid_dtype(img):
    """The dtype of the sampling grid: the image's float dtype, else float32."""
    return img._data.dtype if img.is_floating_point() else np.dtype(np.float32)


def _gather(img, iy, ix):
    return img[..., torch.from_numpy(iy), torch.from_numpy(ix)]


def _grid_sample(img, gx, gy, mode):
    """grid_sample(img, grid, mode, padding_mode='zeros', align_corners=False) at source coordinates
    (gx, gy), plus the sampled all-ones mask (as an ndarray)."""
    h, w = img.shape[-2], img.shape[-1]
    dt = img._data.dtype
    if mode == "nearest":
        ix, iy = np.rint(gx).astype(np.int64), np.rint(gy).astype(np.int64)
        valid = ((ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)).astype(dt)
        out = _gather(img, np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)) * torch.from_numpy(valid)
        return out, valid
    x0, y0 = np.floor(gx), np.floor(gy)
    corners = (
        (y0, x0, (x0 + 1 - gx) * (y0 + 1 - gy)),
        (y0, x0 + 1, (gx - x0) * (y0 + 1 - gy)),
        (y0 + 1, x0, (x0 + 1 - gx) * (gy - y0)),
        (y0 + 1, x0 + 1, (gx - x0) * (gy - y0)),
    )
    out, mask = None, np.zeros(gx.shape, dt)
    for cy, cx, weight in corners:
        iy, ix = cy.astype(np.int64), cx.astype(np.int64)
        valid = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        weight = np.where(valid, weight, 0).astype(dt)
        mask += weight
        term = _gather(img, np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)) * torch.from_numpy(weight)
        out = term if out is None else out + term
    return out, mask


def _apply_grid_transform(img, gx, gy, mode, fill):
    img, need_cast, need_squeeze, out_dtype = _cast_squeeze_in(img, [_dtype.from_numpy_dtype(gx.dtype)])
    img, mask = _grid_sample(img, gx, gy, mode)
    if fill is not None:
        fill_list = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = torch.tensor(fill_list, dtype=img.dtype).view(1, len(fill_list), 1, 1).expand_as(img)
        mask_t = torch.from_numpy(mask).expand_as(img)
        if mode == "nearest":
            img = torch.where(mask_t < 0.5, fill_img, img)
        else:
            img = img * mask_t + (1.0 - mask_t) * fill_img
    return _cast_squeeze_out(img, need_cast, need_squeeze, out_dtype)


def affine(img, matrix, interpolation="nearest", fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    theta = np.array(matrix, _grid_dtype(img)).reshape(2, 3)
    h, w = img.shape[-2], img.shape[-1]
    gx, gy = _gen_affine_grid(theta, w=w, h=h, ow=w, oh=h)
    return _apply_grid_transform(img, gx, gy, interpolation, fill=fill)


def _compute_affine_output_size(matrix, w, h):
    """(w, h) of the expanded output of a rotation, as torchvision computes it (float32)."""
    f32 = np.float32
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, -0.5 * h, 1.0]], f32)
    theta = np.array(matrix, f32).reshape(2, 3)
    new_pts = pts @ theta.T
    half = np.array((w * 0.5, h * 0.5), f32)
    min_vals, max_vals = new_pts.min(axis=0) + half, new_pts.max(axis=0) + half
    tol = f32(1e-4)
    cmax = np.ceil(np.trunc(max_vals / tol) * tol)
    cmin = np.floor(np.trunc(min_vals / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    gx, gy = _gen_affine_grid(np.array(matrix, _grid_dtype(img)).reshape(2, 3), w=w, h=h, ow=ow, oh=oh)
    return _apply_grid_transform(img, gx, gy, interpolation, fill=fill)


# -- erase / normalize -------------------------------------------------------------------------------------
def erase(img, i, j, h, w, v, inplace=False):
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def normalize(tensor, mean, std, inplace=False):
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tensor.size()}")
    tracked = torch.is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad
                                              for t in (tensor, mean, std))
    if not tracked:           # the common data-pipeline case: plain NumPy, same float rounding
        return _normalize_arrays(tensor, mean, std, inplace)
    if not inplace:
        tensor = tensor.clone()
    dtype = tensor.dtype
    mean = torch.as_tensor(mean, dtype=dtype)
    std = torch.as_tensor(std, dtype=dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def _normalize_arrays(tensor, mean, std, inplace):
    """normalize without autograd: (x - mean) / std in the tensor's dtype."""
    a = tensor._data
    mean, std = (np.asarray(v._data if isinstance(v, Tensor) else v, dtype=a.dtype) for v in (mean, std))
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.reshape(-1, 1, 1)
    if std.ndim == 1:
        std = std.reshape(-1, 1, 1)
    if not inplace:
        return Tensor._wrap((a - mean) / std)
    np.subtract(a, mean, out=a)
    np.divide(a, std, out=a)
    tensor._vc[0] += 1
    return tensor
