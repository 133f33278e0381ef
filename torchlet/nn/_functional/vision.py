"""Padding, resizing and pixel shuffling: pad, interpolate (and the deprecated upsample*),
pixel_shuffle and pixel_unshuffle.

All of these are linear maps of the input, built from three ops whose backward is the op's adjoint
(so every order of derivative works): :class:`ConstantPadNd` (its adjoint is the opposite padding),
:class:`GatherAxes` (positions picked along the last axes, see :class:`Pick`: reflect/replicate/
circular padding, nearest resizing; its adjoint :class:`ScatterAxes` sums them back) and
:class:`AxisLinear` (a matrix applied along each of the last axes: linear/bilinear/bicubic/trilinear
and area resizing, with weights computed as torch's kernels compute them).
"""
import numbers
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import _State
from ...ops._util import Op, _short
from ... import _dtype
from ...autograd.function import DelayedError
from .activation import check_tensor, kernel_error

__all__ = ['pad', 'interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear', 'pixel_shuffle',
           'pixel_unshuffle', 'affine_grid', 'grid_sample']

_wrap = Tensor._wrap


def _record(op, x, *args):
    """op applied to tensor x, through autograd only when x requires grad."""
    if _State.grad_enabled and x._rg:
        return op.apply(x, *args)
    return _wrap(op.compute(x._data, *args))


def _adjoint_name(name):
    """The node name of an op's backward op: XBackward0 -> XBackwardBackward0, as torch names them."""
    return name[:-1] + 'Backward0' if name.endswith('Backward0') else name + 'Backward'


def _fresh(out, a):
    """out as a new C-contiguous array that does not share memory with the input a."""
    out = np.ascontiguousarray(out)
    return out.copy() if np.may_share_memory(out, a) else out


class _LinearOp(Op):
    """A linear op: ``compute(a, *args)`` is the forward on arrays (args kept on ctx for backward).
    When ``named``, the node name is the last argument, as torch names the node of each padding
    or resizing mode."""
    named = False

    @classmethod
    def forward(cls, ctx, x, *args):
        if cls.named:
            ctx._bname = args[-1]
        ctx.args = args
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


class ConstantPadNd(_LinearOp):
    """Constant padding of the last dims; the gradient is the opposite padding (a crop)."""
    compute = staticmethod(_constant_pad)

    @staticmethod
    def backward(ctx, g):
        return _record(ConstantPadNd, g, tuple(-p for p in ctx.args[0]), 0), None, None


class Pick:
    """Which input positions (of ``size``) each output position along one axis reads: ``idx``,
    with a plan to do it fast. ``repeat`` = k when idx is arange(size) repeated k times in place
    (nearest upsampling by an integer factor); ``runs`` = [(first input position, step, count)] when
    idx is a few runs of step -1, 0 or 1 (padding); otherwise a general gather / scatter-add."""
    __slots__ = ('idx', 'size', 'repeat', 'runs')
    MAX_RUNS = 8

    def __init__(self, idx, size):
        self.idx, self.size = idx, size
        k = len(idx) // size if size else 0
        self.repeat = k if k and len(idx) == k * size and np.array_equal(idx, np.arange(len(idx)) // k) \
            else None
        self.runs = None if self.repeat else self._runs(idx.tolist())

    @classmethod
    def _runs(cls, idx):
        runs, i = [], 0
        while i < len(idx):
            j, step = i + 1, 1
            if j < len(idx) and idx[j] - idx[i] in (-1, 0, 1):
                step = idx[j] - idx[i]
                while j < len(idx) and idx[j] - idx[j - 1] == step:
                    j += 1
            runs.append((idx[i], step, j - i))
            if len(runs) > cls.MAX_RUNS:
                return None
            i = j
        return runs

    def gather(self, a, axis):
        """a's entries along axis at positions idx."""
        if self.repeat:
            return a if self.repeat == 1 else np.repeat(a, self.repeat, axis=axis)
        if self.runs is None:
            return np.take(a, self.idx, axis=axis)
        lead = (slice(None),) * axis
        pieces = []
        for first, step, count in self.runs:
            if step == 0:
                piece = a[lead + (slice(first, first + 1),)]
                shape = piece.shape[:axis] + (count,) + piece.shape[axis + 1:]
                pieces.append(np.broadcast_to(piece, shape))
            else:
                stop = first + step * count
                pieces.append(a[lead + (slice(first, stop if stop >= 0 else None, step),)])
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces, axis=axis)

    def scatter(self, g, axis):
        """The adjoint of gather: g's entries along axis summed into the positions they came from."""
        shape = g.shape[:axis] + (self.size,) + g.shape[axis + 1:]
        if self.repeat:
            if self.repeat == 1:
                return g
            return g.reshape(g.shape[:axis] + (self.size, self.repeat) + g.shape[axis + 1:]).sum(axis + 1)
        if self.runs is None:
            return _index_add(g, axis, self.idx, self.size)
        lead = (slice(None),) * axis
        out = np.zeros(shape, g.dtype)
        o = 0
        for first, step, count in self.runs:
            piece = g[lead + (slice(o, o + count),)]
            if step == 0:
                out[lead + (slice(first, first + 1),)] += piece.sum(axis=axis, keepdims=True)
            elif step == 1:
                out[lead + (slice(first, first + count),)] += piece
            else:
                out[lead + (slice(first - count + 1, first + 1),)] += np.flip(piece, axis)
            o += count
        return out


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


class GatherAxes(_LinearOp):
    """out[..., i, j] = x[..., picks[0].idx[i], picks[1].idx[j]] (one :class:`Pick` per last axis,
    None: unchanged): reflect/replicate/circular padding and nearest resizing.
    Arguments: (x, picks, name)."""
    named = True

    @staticmethod
    def compute(a, picks, name):
        k, out = len(picks), a
        for i in range(k - 1, -1, -1):
            if picks[i] is not None:
                out = picks[i].gather(out, a.ndim - k + i)
        return _fresh(out, a)

    @staticmethod
    def backward(ctx, g):
        picks, name = ctx.args
        return _record(ScatterAxes, g, picks, _adjoint_name(name)), None, None


class ScatterAxes(_LinearOp):
    """The adjoint of GatherAxes: entries summed back into the positions they were picked from.
    Arguments: (g, picks, name)."""
    named = True

    @staticmethod
    def compute(a, picks, name):
        k, out = len(picks), a
        for i in range(k):
            if picks[i] is not None:
                out = picks[i].scatter(out, a.ndim - k + i)
        return _fresh(out, a)

    @staticmethod
    def backward(ctx, g):
        picks, name = ctx.args
        return _record(GatherAxes, g, picks, _adjoint_name(name)), None, None


def _apply_matrix(a, m, axis):
    """a with the matrix m (out, in) applied along ``axis``."""
    if axis == a.ndim - 1:
        return a @ m.T
    if axis == a.ndim - 2:
        return m @ a
    return np.moveaxis(np.tensordot(m, a, axes=([1], [axis])), 0, axis)


class AxisLinear(_LinearOp):
    """A matrix (out_size, in_size) applied along each of the last axes, the last axis first (None:
    the axis is unchanged). Arguments: (x, mats, name)."""
    named = True

    @staticmethod
    def compute(a, mats, name):
        k, out = len(mats), a
        for i in range(k - 1, -1, -1):
            if mats[i] is not None:
                out = _apply_matrix(out, mats[i], a.ndim - k + i)
        return _fresh(out, a)

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
    picks = []
    for j in range(k):
        n, before, after = a.shape[a.ndim - k + j], pads[2 * (k - 1 - j)], pads[2 * (k - 1 - j) + 1]
        picks.append(Pick(_source_index(mode, n, before, after), n) if before or after else None)
    name = 'torch::autograd::CopySlices' if mode == 'circular' else \
        f"{'ReflectionPad' if mode == 'reflect' else 'ReplicationPad'}{k}DBackward0"
    return _record(GatherAxes, input, tuple(picks), name)


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
        picks = tuple(Pick(_nearest_map(n, o, s, exact), n) for n, o, s in
                      zip(in_sizes, output_size, scales))
        return _record(GatherAxes, input, picks, f"UpsampleNearest{'Exact' if exact else ''}{k}DBackward0")
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
    return _fresh(b.reshape(lead + (c // (r * r), h * r, w * r)), a)


def _unshuffle(a, r):
    """(*, C, H * r, W * r) -> (*, C * r * r, H, W)."""
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    n = len(lead)
    b = a.reshape(lead + (c, h // r, r, w // r, r))
    b = b.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return _fresh(b.reshape(lead + (c * r * r, h // r, w // r)), a)


class PixelShuffle(_LinearOp):
    """(*, C r^2, H, W) -> (*, C, H r, W r); the gradient is the unshuffle."""
    compute = staticmethod(_shuffle)

    @staticmethod
    def backward(ctx, g):
        return _record(PixelUnshuffle, g, *ctx.args), None


class PixelUnshuffle(_LinearOp):
    """(*, C, H r, W r) -> (*, C r^2, H, W); the gradient is the shuffle."""
    compute = staticmethod(_unshuffle)

    @staticmethod
    def backward(ctx, g):
        return _record(PixelShuffle, g, *ctx.args), None


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


# -- affine_grid / grid_sample --------------------------------------------------------------------
_GRID_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since "
                 "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
                 "documentation of grid_sample for details.")


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps theta (N, 2, 3) (or
    (N, 3, 4)) for an output of ``size``, in grid_sample's normalised coordinates."""
    if align_corners is None:
        warnings.warn(_GRID_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    k = len(size) - 2
    if k not in (2, 3):
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {size}.")
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (k, k + 1):
        raise ValueError(f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for size "
                         f"{size}. Got {theta.shape}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the "
                      "documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dt = theta._data.dtype

    def steps(n):
        a = 1.0 if align_corners else (n - 1) / n
        return np.linspace(-a, a, n) if n > 1 else np.zeros(1)
    coords = np.meshgrid(*[steps(n) for n in spatial], indexing='ij')    # (D,) H, W
    base = np.stack(coords[::-1], -1)                                      # x (width) first
    base = np.concatenate([base, np.ones(base.shape[:-1] + (1,))], -1).astype(dt)
    grid = _wrap(base.reshape(1, -1, k + 1)) @ theta.transpose(1, 2)
    return grid.view([size[0]] + spatial + [k])


def _unnormalize(g, n, align_corners, padding_mode):
    """Pixel coordinates of normalised grid coordinates g along a dim of size n, and their
    derivative with respect to g (torch's grid_sampler_compute_source_index_set_grad)."""
    if align_corners:
        x, d = (g + 1) * ((n - 1) / 2), (n - 1) / 2
    else:
        x, d = ((g + 1) * n - 1) / 2, n / 2
    d = np.full(x.shape, d, x.dtype)
    if padding_mode == 'reflection':
        low, high = (0.0, n - 1.0) if align_corners else (-0.5, n - 0.5)
        span = high - low
        if span <= 0:
            x, d = np.zeros_like(x), np.zeros_like(d)
        else:
            rel = x - low
            d = np.where(rel < 0, -d, d)
            rel = np.abs(rel)
            flips = np.floor(rel / span)
            extra = np.fmod(rel, span)
            odd = flips % 2 == 1
            x = np.where(odd, span - extra, extra) + low
            d = np.where(odd, -d, d)
    if padding_mode != 'zeros':
        clipped = (x <= 0) | (x >= n - 1)
        x, d = np.clip(x, 0, n - 1), np.where(clipped, 0, d)
    return x, d


def _grid_taps(x, y, h, w, mode):
    """[(flat index (N, P), weight (N, P), dweight/dx, dweight/dy)] of the input pixels each output
    point reads; taps outside the input get weight 0."""
    if mode == 'nearest':
        xs, ys = np.rint(x), np.rint(y)
        corners = [(xs, ys, np.ones_like(x), 0, 0)]
    else:
        x0, y0 = np.floor(x), np.floor(y)
        wx, wy = x - x0, y - y0
        ex, ey = 1 - wx, 1 - wy
        corners = [(x0, y0, ex * ey, -ey, -ex), (x0 + 1, y0, wx * ey, ey, -wx),
                   (x0, y0 + 1, ex * wy, -wy, ex), (x0 + 1, y0 + 1, wx * wy, wy, wx)]
    taps = []
    for cx, cy, weight, dx, dy in corners:
        inside = (cx >= 0) & (cx <= w - 1) & (cy >= 0) & (cy <= h - 1)
        idx = (np.clip(cy, 0, h - 1) * w + np.clip(cx, 0, w - 1)).astype(np.int64)
        taps.append((idx, np.where(inside, weight, 0), np.where(inside, dx, 0), np.where(inside, dy, 0)))
    return taps


def _gather_taps(a, idx):
    """a (N, C, H * W) read at idx (N, P): (N, C, P)."""
    return np.take_along_axis(a, np.broadcast_to(idx[:, None, :], a.shape[:2] + idx.shape[1:]), 2)


class GridSampler2D(Op):
    """grid_sample of a 4-D input: bilinear or nearest sampling at grid's points (N, H, W, 2).
    Arguments: (input, grid, mode, padding_mode, align_corners)."""

    @staticmethod
    def forward(ctx, x, grid, mode, padding_mode, align_corners):
        a, gr = x._data, grid._data
        n, c, h, w = a.shape
        out_hw = gr.shape[1:3]
        px, dx = _unnormalize(gr[..., 0].reshape(n, -1), w, align_corners, padding_mode)
        py, dy = _unnormalize(gr[..., 1].reshape(n, -1), h, align_corners, padding_mode)
        taps = _grid_taps(px, py, h, w, mode)
        flat = a.reshape(n, c, h * w)
        out = sum(_gather_taps(flat, idx) * weight[:, None, :] for idx, weight, _, _ in taps)
        ctx.save_for_backward(x, grid)
        ctx.taps, ctx.dxy, ctx.mode = taps, (dx, dy), mode
        return out.reshape(n, c, *out_hw).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, grid = ctx.saved_tensors
        grads = [_wrap(a) if a is not None else None for a in _grid_sample_grads(ctx, g, x, grid)]
        if _State.grad_enabled and (g._rg or x._rg or grid._rg):     # create_graph: not supported
            present = [i for i, t in enumerate(grads) if t is not None]
            linked = DelayedError.apply("grid_sample's gradient is not differentiable in torchlet "
                                        "(double backward of grid_sample is not supported)",
                                        *[grads[i].requires_grad_() for i in present])
            for i, t in zip(present, linked if isinstance(linked, tuple) else (linked,)):
                grads[i] = t
        return grads[0], grads[1], None, None, None


def _grid_sample_grads(ctx, g, x, grid):
    """(input gradient, grid gradient) arrays of grid_sample (None where not needed)."""
    a = x._data
    n, c, h, w = a.shape
    ga = g._data.reshape(n, c, -1)
    gx = ggrid = None
    if ctx.needs_grad(0):
        base = (np.arange(n * c) * (h * w)).reshape(n, c, 1)
        acc = np.zeros(n * c * h * w)
        for idx, weight, _, _ in ctx.taps:
            acc += np.bincount((base + idx[:, None, :]).ravel(), (ga * weight[:, None, :]).ravel(),
                               minlength=acc.size)
        gx = acc.reshape(a.shape).astype(a.dtype)
    if ctx.needs_grad(1):
        flat = a.reshape(n, c, h * w)
        gpx = np.zeros(ga.shape[::2], a.dtype)
        gpy = np.zeros_like(gpx)
        if ctx.mode == 'bilinear':
            for idx, _, dwx, dwy in ctx.taps:
                v = (_gather_taps(flat, idx) * ga).sum(1)
                gpx += v * dwx
                gpy += v * dwy
        dx, dy = ctx.dxy
        ggrid = np.stack([gpx * dx, gpy * dy], -1).reshape(grid._data.shape)
        ggrid = ggrid.astype(grid._data.dtype, copy=False)
    return gx, ggrid


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    """Sample input (N, C, H, W) at the normalised points of grid (N, H_out, W_out, 2) ((-1, -1)
    is the top-left corner): modes 'bilinear' and 'nearest', padding 'zeros', 'border' or
    'reflection'."""
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: '{mode}'")
    if padding_mode not in ('zeros', 'border', 'reflection'):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', "
                         f"or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_GRID_WARNING, stacklevel=2)
        align_corners = False
    check_tensor(input, 'grid_sampler')
    sa, sg = list(input.shape), list(grid.shape)
    if sa[:1] != sg[:1]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got "
                           f"input with sizes {sa} and grid with sizes {sg}")
    if sg[-1] != len(sa) - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {len(sa) - 2} in last "
                           f"dimension, but got grid with sizes {sg}")
    if len(sa) != 4 or len(sg) != 4:
        raise NotImplementedError("grid_sample is implemented in torchlet for 4-D inputs only")
    if mode == 'bicubic':
        raise NotImplementedError("grid_sample(mode='bicubic') is not yet implemented in torchlet")
    if grid._data.dtype != input._data.dtype:
        name = [_short(_dtype.from_numpy_dtype(t._data.dtype)) for t in (input, grid)]
        raise RuntimeError(f"expected scalar type {name[0]} but found {name[1]}")
    return GridSampler2D.apply(input, grid, mode, padding_mode, align_corners)
