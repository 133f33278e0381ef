"""Padding, resizing and pixel shuffling: pad, interpolate (and the deprecated upsample*),
pixel_shuffle and pixel_unshuffle.

All of these are linear maps of the input, built from three ops whose backward is the op's adjoint
(so every order of derivative works): :class:`ConstantPadNd` (its adjoint is the opposite padding),
:class:`GatherAxes` (positions picked along the last axes by index maps: reflect/replicate/circular
padding, nearest resizing; its adjoint :class:`ScatterAxes` sums them back) and :class:`AxisLinear`
(a matrix applied along each of the last axes: linear/bilinear/bicubic/trilinear and area resizing,
with weights computed as torch's kernels compute them).
"""
import math
import numbers
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import _State
from ...ops._util import Op
from .activation import check_tensor, kernel_error

__all__ = ['pad', 'interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear', 'pixel_shuffle',
           'pixel_unshuffle']

_wrap = Tensor._wrap


def _record(op, x, *args):
    """op applied to tensor x, through autograd only when x requires grad."""
    if _State.grad_enabled and x._rg:
        return op.apply(x, *args)
    return _wrap(op.compute(x._data, *args))


def _adjoint_name(name):
    """The node name of an op's backward op: XBackward0 -> XBackwardBackward0, as torch names them."""
    return name[:-1] + 'Backward0' if name.endswith('Backward0') else name + 'Backward'


class _NamedOp(Op):
    """A linear op whose node name (its last argument) is given per call, as torch names the node
    of each padding or resizing mode; ``compute(a, *args)`` is the forward on arrays."""

    @classmethod
    def forward(cls, ctx, x, *args):
        ctx._bname = args[-1]
        ctx.args = args
        ctx.in_shape = x._data.shape
        return cls.compute(x._data, *args)


# -- the three linear ops -----------------------------------------------------------------------------
def _constant_pad(a, pads, value):
    """a padded by ``pads`` (torch order: last dim first, (before, after) pairs; negative pads crop)
    with ``value``."""
    ndim = a.ndim
    out_shape = list(a.shape)
    src, dst = [slice(None)] * ndim, [slice(None)] * ndim
    for i in range(len(pads) // 2):
        d = ndim - 1 - i
        before, after = pads[2 * i], pads[2 * i + 1]
        n = a.shape[d]
        out_n = n + before + after
        if out_n < 0:
            raise RuntimeError(f"The input size {n}, plus negative padding {before} and {after} "
                               f"resulted in a negative output size, which is invalid. Check "
                               f"dimension {d} of your input.")
        out_shape[d] = out_n
        src[d] = slice(max(-before, 0), n - max(-after, 0))
        dst[d] = slice(max(before, 0), out_n - max(after, 0))
    out = np.full(out_shape, value, a.dtype)
    region = a[tuple(src)]
    if region.size:
        out[tuple(dst)] = region
    return out


class ConstantPadNd(Op):
    """Constant padding of the last dims; the gradient is the opposite padding (a crop)."""

    @staticmethod
    def compute(a, pads, value):
        return _constant_pad(a, pads, value)

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.pads = pads
        return _constant_pad(x._data, pads, value)

    @staticmethod
    def backward(ctx, g):
        return _record(ConstantPadNd, g, tuple(-p for p in ctx.pads), 0), None, None


def _gather(a, maps):
    """a[..., maps[0][i], maps[1][j], ...] over the last len(maps) axes."""
    return a[(Ellipsis,) + np.ix_(*maps)] if len(maps) > 1 else a[..., maps[0]]


def _index_add(g, axis, idx, n):
    """Sum the entries of g along ``axis`` into n positions: position idx[i] receives g[..., i]."""
    out_shape = g.shape[:axis] + (n,) + g.shape[axis + 1:]
    if idx.size == 0:
        return np.zeros(out_shape, g.dtype)
    order = np.argsort(idx, kind='stable')
    s = idx[order]
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    sums = np.add.reduceat(np.take(g, order, axis=axis), starts, axis=axis)
    if len(starts) == n:
        return sums
    out = np.zeros(out_shape, g.dtype)
    out[(slice(None),) * axis + (s[starts],)] = sums
    return out


class GatherAxes(_NamedOp):
    """out[..., i, j] = x[..., maps[0][i], maps[1][j]]: reflect/replicate/circular padding and
    nearest resizing. Arguments: (x, maps, name)."""

    @staticmethod
    def compute(a, maps, name):
        return _gather(a, maps)

    @staticmethod
    def backward(ctx, g):
        maps, name = ctx.args
        sizes = ctx.in_shape[len(ctx.in_shape) - len(maps):]
        return _record(ScatterAxes, g, maps, sizes, _adjoint_name(name)), None, None


class ScatterAxes(_NamedOp):
    """The adjoint of GatherAxes: entries summed back into the positions they were picked from.
    Arguments: (g, maps, sizes, name)."""

    @staticmethod
    def compute(a, maps, sizes, name):
        k = len(maps)
        for i in range(k):
            a = _index_add(a, a.ndim - k + i, maps[i], sizes[i])
        return a

    @staticmethod
    def backward(ctx, g):
        maps, sizes, name = ctx.args
        return _record(GatherAxes, g, maps, _adjoint_name(name)), None, None, None


def _apply_matrix(a, m, axis):
    """a with the matrix m (out, in) applied along ``axis``."""
    if axis == a.ndim - 1:
        return a @ m.T
    if axis == a.ndim - 2:
        return m @ a
    return np.moveaxis(np.tensordot(m, a, axes=([1], [axis])), 0, axis)


class AxisLinear(_NamedOp):
    """A matrix (out_size, in_size) applied along each of the last axes, the last axis first (None:
    the axis is unchanged). Arguments: (x, mats, name)."""

    @staticmethod
    def compute(a, mats, name):
        k = len(mats)
        for i in range(k - 1, -1, -1):
            if mats[i] is not None:
                a = _apply_matrix(a, mats[i], a.ndim - k + i)
        return np.ascontiguousarray(a)

    @staticmethod
    def backward(ctx, g):
        mats, name = ctx.args
        transposed = tuple(None if m is None else np.ascontiguousarray(m.T) for m in mats)
        return _record(AxisLinear, g, transposed, _adjoint_name(name)), None, None


# -- pad ----------------------------------------------------------------------------------------------
_NOT_SUPPORTED = ("Supported combinations for non-constant padding:\n"
                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _source_index(mode, n, before, after):
    """The input position of each output position along a dim padded by (before, after); circular
    padding wraps around what is left after the negative pads have cropped, as torch does."""
    if mode == 'circular':
        start = max(-before, 0)
        kept = n - start - max(-after, 0)
        return start + np.arange(-max(before, 0), kept + max(after, 0)) % max(kept, 1)
    s = np.arange(-before, n + after)
    if mode == 'reflect':
        s = np.abs(s)
        return np.where(s >= n, 2 * (n - 1) - s, s)
    return np.clip(s, 0, n - 1)


def _check_pad_mode(a, pads, mode):
    """torch's checks for reflect/replicate/circular padding."""
    k = len(pads) // 2
    if len(pads) not in (2, 4, 6) or a.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pads)} is not supported for {a.ndim}D input "
                                  f"tensor.\n{_NOT_SUPPORTED}")
    spatial = a.shape[a.ndim - k:]
    if mode != 'circular' and (0 in spatial or (a.ndim == k + 2 and a.shape[1] == 0)):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch "
                           "size and other non-zero dimensions for input, but got: "
                           f"{list(a.shape)}")
    for i in range(k):
        before, after = pads[2 * i], pads[2 * i + 1]
        n = a.shape[a.ndim - 1 - i]
        if mode == 'reflect' and (before >= n or after >= n):
            raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({before}, {after}) "
                               f"at dimension {a.ndim - 1 - i} of input {list(a.shape)}")
        if mode == 'circular' and (before > n or after > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")


def pad(input, pad, mode='constant', value=None):
    """Pad the last len(pad) // 2 dims: ``pad`` = (left, right, top, bottom, front, back) from the
    last dim backwards (negative values crop). Modes: 'constant' (with ``value``, default 0),
    'reflect', 'replicate' and 'circular'."""
    check_tensor(input, 'pad')
    pads = tuple(int(p) for p in pad)
    a = input._data
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > a.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pads)} and input of dimension "
                           f"{a.ndim}")
    if mode == 'constant':
        return _record(ConstantPadNd, input, pads, 0 if value is None else value)
    if mode not in ('reflect', 'replicate', 'circular'):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    _check_pad_mode(a, pads, mode)
    k = len(pads) // 2
    maps = tuple(_source_index(mode, a.shape[a.ndim - k + j], pads[2 * (k - 1 - j)],
                               pads[2 * (k - 1 - j) + 1]) for j in range(k))
    name = 'torch::autograd::CopySlices' if mode == 'circular' else \
        f"{'ReflectionPad' if mode == 'reflect' else 'ReplicationPad'}{k}DBackward0"
    return _record(GatherAxes, input, maps, name)


# -- interpolate ----------------------------------------------------------------------------------
def _scale_value(n_in, n_out, scale, dt):
    """torch's compute_scales_value: 1 / scale_factor when one was given, else in / out."""
    if scale is not None and scale > 0:
        return dt.type(1.0 / scale)
    return dt.type(n_in) / dt.type(n_out)


def _linear_scale(n_in, n_out, align_corners, scale, dt):
    """torch's area_pixel_compute_scale."""
    if align_corners:
        return dt.type(n_in - 1) / dt.type(n_out - 1) if n_out > 1 else dt.type(0)
    return _scale_value(n_in, n_out, scale, dt)


def _source_coords(n_in, n_out, align_corners, scale, dt, cubic=False):
    """The real-valued input coordinate of each output position (torch's
    area_pixel_compute_source_index), in dtype dt."""
    ratio = _linear_scale(n_in, n_out, align_corners, scale, dt)
    o = np.arange(n_out, dtype=dt)
    if align_corners:
        return ratio * o
    real = ratio * (o + dt.type(0.5)) - dt.type(0.5)
    return real if cubic else np.maximum(real, dt.type(0))


def _nearest_map(n_in, n_out, scale, exact):
    """The input position of each output position for nearest / nearest-exact resizing."""
    o = np.arange(n_out)
    if not exact:
        if n_out == n_in:
            return o
        if n_out == 2 * n_in:
            return o >> 1
    s = _scale_value(n_in, n_out, scale, np.dtype(np.float32))
    if exact:
        src = np.floor(((o + 0.5) * np.float64(s)).astype(np.float32))
    else:
        src = np.floor(o.astype(np.float32) * s)
    return np.minimum(src.astype(np.int64), n_in - 1)


def _linear_matrix(n_in, n_out, align_corners, scale, dt):
    """The (out, in) matrix of linear interpolation (two taps per output, torch's lambdas)."""
    if n_in == n_out:
        return None
    real = _source_coords(n_in, n_out, align_corners, scale, dt)
    i0 = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
    lam1 = np.clip(real - i0.astype(dt), 0, 1).astype(dt)
    i1 = i0 + (i0 < n_in - 1)
    m = np.zeros((n_out, n_in), dt)
    rows = np.arange(n_out)
    m[rows, i0] = 1 - lam1
    m[rows, i1] += lam1
    return m


def _cubic_matrix(n_in, n_out, align_corners, scale, dt):
    """The (out, in) matrix of bicubic interpolation (four taps, A = -0.75, borders clamped)."""
    if n_in == n_out:
        return None
    real = _source_coords(n_in, n_out, align_corners, scale, dt, cubic=True)
    i = np.floor(real)
    t = (real - i).astype(dt)
    a = dt.type(-0.75)

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    coeffs = (far(t + 1), near(t), near(1 - t), far(2 - t))
    m = np.zeros((n_out, n_in), dt)
    rows = np.arange(n_out)
    for j, c in enumerate(coeffs):
        np.add.at(m, (rows, np.clip(i.astype(np.int64) - 1 + j, 0, n_in - 1)), c)
    return m


def _area_matrix(n_in, n_out, dt):
    """The (out, in) matrix of adaptive average pooling (mode='area')."""
    if n_in == n_out:
        return None
    m = np.zeros((n_out, n_in), dt)
    for o in range(n_out):
        start = (o * n_in) // n_out
        end = -((-(o + 1) * n_in) // n_out)
        m[o, start:end] = dt.type(1) / dt.type(end - start)
    return m


_LINEAR_MODES = {'linear': (1, 'UpsampleLinear1D'), 'bilinear': (2, 'UpsampleBilinear2D'),
                 'bicubic': (2, 'UpsampleBicubic2D'), 'trilinear': (3, 'UpsampleTrilinear3D')}
_ALL_MODES = 'nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact'


def _is_integer(x):
    return isinstance(x, numbers.Integral) or (isinstance(x, Tensor) and not x.is_floating_point())


def _output_size(input, size, scale_factor, mode, recompute_scale_factor):
    """(output_size, scale_factors) as torch's interpolate derives them."""
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, "
                                 f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                                 f"output size of {size}. Please provide input tensor in (N, C, d1, d2, "
                                 "...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(x) for x in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types "
                                f"{[type(x) for x in size]}")
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size)] * dim
        scale_factors = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError("Input and scale_factor must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(input.shape[2:])} and scale_factor of shape {scale_factor}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 "scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
        output_size = [int(input.shape[i + 2] * scale_factors[i]) for i in range(dim)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == 'area' or recompute_scale_factor:
        scale_factors = None
    return output_size, scale_factors


def _check_sizes(in_sizes, out_sizes):
    if min(in_sizes) > 0 and min(out_sizes) > 0:
        return
    names = ('D', 'H', 'W')[3 - len(in_sizes):]

    def fmt(sizes):
        return ', '.join(f'{n}: {s}' for n, s in zip(names, sizes))
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({fmt(in_sizes)}) "
                       f"output ({fmt(out_sizes)})")


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of an (N, C, *spatial) input to ``size`` or by ``scale_factor``.
    Modes: 'nearest', 'nearest-exact', 'linear' (3-D), 'bilinear' and 'bicubic' (4-D), 'trilinear'
    (5-D) with align_corners, and 'area' (adaptive average pooling)."""
    check_tensor(input, 'interpolate')
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    ndim = input.dim()
    output_size, scale_factors = _output_size(input, size, scale_factor, mode, recompute_scale_factor)
    if antialias and not (mode in ('bilinear', 'bicubic', 'lanczos') and ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                         "requires a 4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not yet implemented in torchlet")
    if ndim not in (3, 4, 5) or (mode not in _LINEAR_MODES and
                                 mode not in ('nearest', 'nearest-exact', 'area')):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{ndim}D) for the modes: {_ALL_MODES} (got {mode})")
    k = ndim - 2
    if mode in _LINEAR_MODES:
        need, base = _LINEAR_MODES[mode]
        if need != k:
            raise NotImplementedError(f"Got {ndim}D input, but {mode} mode needs {need + 2}D input")
    a = input._data
    in_sizes = a.shape[2:]
    _check_sizes(in_sizes, output_size)
    scales = scale_factors or [None] * k
    if mode in ('nearest', 'nearest-exact'):
        exact = mode == 'nearest-exact'
        maps = tuple(_nearest_map(n, o, s, exact) for n, o, s in zip(in_sizes, output_size, scales))
        return _record(GatherAxes, input, maps, f"UpsampleNearest{'Exact' if exact else ''}{k}DBackward0")
    if a.dtype.kind != 'f':
        raise kernel_error(f"upsample_{mode}{k}d" if mode != 'area' else 'adaptive_avg_pool2d',
                           a.dtype)
    dt = a.dtype
    if mode == 'area':
        mats = tuple(_area_matrix(n, o, dt) for n, o in zip(in_sizes, output_size))
        return _record(AxisLinear, input, mats, f'AdaptiveAvgPool{k}DBackward0')
    build = _cubic_matrix if mode == 'bicubic' else _linear_matrix
    mats = tuple(build(n, o, align_corners, s, dt) for n, o, s in zip(in_sizes, output_size, scales))
    return _record(AxisLinear, input, mats, base + 'Backward0')


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    """Deprecated alias of interpolate."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='nearest')."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)


# -- pixel shuffle ------------------------------------------------------------------------------------
def _shuffle(a, r):
    """(*, C * r * r, H, W) -> (*, C, H * r, W * r)."""
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    n = len(lead)
    b = a.reshape(lead + (c // (r * r), r, r, h, w))
    b = b.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return b.reshape(lead + (c // (r * r), h * r, w * r))


def _unshuffle(a, r):
    """(*, C, H * r, W * r) -> (*, C * r * r, H, W)."""
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    n = len(lead)
    b = a.reshape(lead + (c, h // r, r, w // r, r))
    b = b.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return b.reshape(lead + (c * r * r, h // r, w // r))


class PixelShuffle(Op):
    """(*, C r^2, H, W) -> (*, C, H r, W r); the gradient is the unshuffle."""

    @staticmethod
    def compute(a, r):
        return _shuffle(a, r)

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _shuffle(x._data, r)

    @staticmethod
    def backward(ctx, g):
        return _record(PixelUnshuffle, g, ctx.r), None


class PixelUnshuffle(Op):
    """(*, C, H r, W r) -> (*, C r^2, H, W); the gradient is the shuffle."""

    @staticmethod
    def compute(a, r):
        return _unshuffle(a, r)

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _unshuffle(x._data, r)

    @staticmethod
    def backward(ctx, g):
        return _record(PixelShuffle, g, ctx.r), None


def _check_shuffle(name, input, factor, what):
    if input.dim() < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


def pixel_shuffle(input, upscale_factor):
    """Rearrange (*, C * r^2, H, W) into (*, C, H * r, W * r), r = upscale_factor."""
    check_tensor(input, 'pixel_shuffle')
    r = int(upscale_factor)
    _check_shuffle('pixel_shuffle', input, r, 'upscale_factor')
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by "
                           f"the square of upscale_factor, but input.size(-3)={c} is not divisible by "
                           f"{r * r}")
    return _record(PixelShuffle, input, r)


def pixel_unshuffle(input, downscale_factor):
    """Rearrange (*, C, H * r, W * r) into (*, C * r^2, H, W), r = downscale_factor."""
    check_tensor(input, 'pixel_unshuffle')
    r = int(downscale_factor)
    _check_shuffle('pixel_unshuffle', input, r, 'downscale_factor')
    for axis, name in ((-2, 'height'), (-1, 'width')):
        if input.shape[axis] % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, "
                               f"but input.size({axis})={input.shape[axis]} is not divisible by {r}")
    return _record(PixelUnshuffle, input, r)
