"""Pooling: max/avg (1-D, 2-D), adaptive max/avg, lp pooling and max unpooling.

Like convolution (conv.py), everything runs on a 2-D grid (1-D input = a 1 x L image) and a
``Window`` places the windows on the padded input. Max and average pooling visit the kh*kw kernel
offsets, each a strided view of the input, with whole-array NumPy ops: max pooling keeps a running
maximum and the offset where it was found (the first maximum, NaN winning as in torch); backward
adds the gradient back per offset. Output sizes follow torch's rules, ceil_mode included: the last
window must start inside the input or its left padding.
"""
import numpy as np

from ..._tensor import Tensor
from ...autograd.function import Op
from ...ops._util import _short
from ._columns import Window, pool
from .conv import wrap_grads, check_tensor, sizes_str

__all__ = ['max_pool1d', 'max_pool2d', 'max_pool1d_with_indices', 'max_pool2d_with_indices',
           'avg_pool1d', 'avg_pool2d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d',
           'adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool1d_with_indices',
           'adaptive_max_pool2d_with_indices', 'lp_pool1d', 'lp_pool2d', 'max_unpool1d',
           'max_unpool2d']

_wrap = Tensor._wrap


# -- output sizes and argument checks ----------------------------------------------------------------
def pool_out_size(size, k, pad, stride, dilation, ceil_mode):
    """torch's pooling_output_shape (with its checks on stride and padding)."""
    if stride == 0:
        raise RuntimeError("stride should not be zero")
    if pad < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {pad}")
    if pad > ((k - 1) * dilation + 1) // 2:
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pad}, "
                           f"kernel_size={k} and dilation={dilation}")
    out = (size + 2 * pad - dilation * (k - 1) - 1 + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _pool_window(hw, k, s, p, d, out_hw):
    """The Window for pooling outputs out_hw: extra bottom/right padding makes ceil-mode windows
    that hang over the edge fit."""
    extra = [max(0, (o - 1) * st + dd * (kk - 1) + 1 - (n + 2 * pp))
             for n, kk, st, pp, dd, o in zip(hw, k, s, p, d, out_hw)]
    return Window(hw, k, s, d, (p[0], p[0] + extra[0], p[1], p[1] + extra[1]))


def _params(value, fn, arg, allow_empty=False):
    """A pooling argument (int or sequence) as a tuple with 1 or 2 entries (torch's messages)."""
    if value is None or (allow_empty and isinstance(value, (tuple, list)) and len(value) == 0):
        return ()
    if isinstance(value, Tensor):
        value = value.tolist()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),)
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, np.integer)) and
                                                not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    raise TypeError(f"{fn}(): argument '{arg}' must be tuple of ints, not {type(value).__name__}")


def _pair_args(fn, kernel_size, stride, padding, dilation=1):
    """max_pool2d/avg_pool2d argument checks: each a single int or a pair."""
    k = _params(kernel_size, fn, 'kernel_size')
    s = _params(stride, fn, 'stride', allow_empty=True)
    p = _params(padding, fn, 'padding')
    d = _params(dilation, fn, 'dilation')
    if len(k) not in (1, 2):
        raise RuntimeError(f"{fn}: kernel_size must either be a single int, or a tuple of two ints")
    if len(s) not in (0, 1, 2):
        raise RuntimeError(f"{fn}: stride must either be omitted, a single int, or a tuple of two ints")
    if len(p) not in (1, 2):
        raise RuntimeError(f"{fn}: padding must either be a single int, or a tuple of two ints")
    if len(d) not in (1, 2):
        raise RuntimeError(f"{fn}: dilation must be either a single int, or a tuple of two ints")
    two = lambda t: t * 2 if len(t) == 1 else t  # noqa: E731
    k = two(k)
    return k, (two(s) if s else k), two(p), two(d)


def _check_pool2d(x, k, s, p, d, ceil_mode, fn):
    """Output size of a 2-D max/avg pool of x (3-D or 4-D), with torch's checks, in torch's order."""
    shape = x.shape
    H, W = shape[-2], shape[-1]
    oh = pool_out_size(H, k[0], p[0], s[0], d[0], ceil_mode)
    ow = pool_out_size(W, k[1], p[1], s[1], d[1], ceil_mode)
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}")
    if s[0] <= 0 or s[1] <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if d[0] <= 0 or d[1] <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} "
                           f"dilationW: {d[1]}")
    nd = len(shape)
    valid = shape[-3] != 0 and shape[-2] != 0
    if not ((nd == 3 and shape[0] != 0 and valid) or (nd == 4 and valid and shape[3] != 0)):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{sizes_str(shape)}")
    if oh < 1 or ow < 1:
        c = shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{H}x{W}). Calculated output size: ({c}x{oh}x{ow}). "
                           "Output size is too small")
    return oh, ow


def _check_pool1d_input(x, fn):
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for "
                           f"argument #1 'self' (while checking arguments for {fn})")


def _one(value, fn, arg):
    t = _params(value, fn, arg)
    if len(t) != 1:
        raise RuntimeError(f"{fn}() argument '{arg}' should contain one int (got {len(t)})")
    return t[0]


def _batched(a):
    """(a as a 4-D array (N, C, H, W), whether it had a batch dimension)."""
    return (a, True) if a.ndim == 4 else (a[None], False)


def _unbatch(a, batched):
    return a if batched else a[0]


def _as_2d(fn, input, *args):
    """A 1-D pooling through its 2-D form: (N, C, L) -> (N, C, 1, L) and back (as torch does)."""
    out = fn(input.unsqueeze(-2), *args)
    if isinstance(out, tuple):
        return tuple(o.squeeze(-2) for o in out)
    return out.squeeze(-2)


# -- max pooling -------------------------------------------------------------------------------------
def _running_max(views, nan_aware):
    """(max, index of the view holding it) over same-shaped views: the first maximum wins, a NaN
    wins over any number and the last NaN wins over earlier ones (torch's CPU kernels)."""
    best = pool.empty(views[0].shape, views[0].dtype)
    np.copyto(best, views[0])
    n = len(views)
    arg = np.zeros(best.shape, np.uint8 if n < 256 else np.int32)
    for k in range(1, n):
        v = views[k]
        upd = np.greater(v, best)
        if nan_aware:
            upd |= np.isnan(v)
            np.copyto(best, v, where=upd)
        else:
            np.maximum(best, v, out=best)
        # offsets come in increasing order, so "k where updated, else the old index" is a max
        np.maximum(arg, upd * arg.dtype.type(k), out=arg)
    if not nan_aware and best.dtype.kind == 'f' and np.isnan(best).any():
        return _running_max(views, True)
    return best, arg


class MaxPool2DWithIndices(Op):
    """Max pooling over a Window; forward returns (values, kernel offset of each maximum)."""
    _bname = 'MaxPool2DWithIndicesBackward0'

    @staticmethod
    def forward(ctx, x, win):
        a, batched = _batched(x._data)
        fill = -np.inf if a.dtype.kind == 'f' else np.iinfo(a.dtype).min if a.dtype.kind in 'iu' else 0
        xp = win.pad(a, fill) if win.padded_any else a
        views = [win.offset(xp, i, j) for i in range(win.kh) for j in range(win.kw)]
        out, arg = _running_max(views, False)
        ctx.win, ctx.arg, ctx.batched, ctx.in_shape = win, arg, batched, a.shape
        return _unbatch(out, batched), _unbatch(arg, batched)

    @staticmethod
    def backward(ctx, g, _g_arg=None):
        win, arg = ctx.win, ctx.arg
        ga = _batched(g._data)[0]
        N, C = ctx.in_shape[:2]
        # windows that tile the input without overlap or gaps: each offset view is written once
        tiled = (win.sh == win.dh * (win.kh - 1) + 1 and win.sw == win.dw * (win.kw - 1) + 1 and
                 win.dh == win.dw == 1 and win.Hp == win.Ho * win.sh and win.Wp == win.Wo * win.sw)
        buf = pool.empty((N, C, win.Hp, win.Wp), ga.dtype) if tiled else \
            pool.zeros((N, C, win.Hp, win.Wp), ga.dtype)
        k = 0
        for i in range(win.kh):
            for j in range(win.kw):
                view = win.offset(buf, i, j)
                if tiled:
                    np.multiply(ga, arg == k, out=view)
                else:
                    view += ga * (arg == k)
                k += 1
        gx = _unbatch(win.crop(buf), ctx.batched)
        return wrap_grads('MaxPool2DWithIndices', (gx,), g) + (None,)


def _flat_indices(arg, win):
    """Kernel-offset indices -> torch's indices (flat positions in each input plane)."""
    i, j = np.divmod(arg.astype(np.int64), win.kw)
    rows = np.arange(win.Ho).reshape(-1, 1) * win.sh - win.pt + i * win.dh
    cols = np.arange(win.Wo) * win.sw - win.pl + j * win.dw
    return rows * win.W + cols


def _max_pool(input, win, return_indices):
    out, arg = MaxPool2DWithIndices.apply(input, win)
    if not return_indices:
        return out
    return out, _wrap(_flat_indices(arg._data, win))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling of (N, C, H, W) or (C, H, W); stride defaults to kernel_size."""
    check_tensor('max_pool2d', 'input', 1, input)
    k, s, p, d = _pair_args('max_pool2d', kernel_size, stride, padding, dilation)
    if input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    out_hw = _check_pool2d(input, k, s, p, d, ceil_mode, 'max_pool2d')
    win = _pool_window(tuple(input.shape[-2:]), k, s, p, d, out_hw)
    return _max_pool(input, win, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling of (N, C, L) or (C, L); stride defaults to kernel_size."""
    check_tensor('max_pool1d', 'input', 1, input)
    fn = 'max_pool1d()'
    k = _params(kernel_size, 'max_pool1d', 'kernel_size')
    s = _params(stride, 'max_pool1d', 'stride', allow_empty=True)
    p = _params(padding, 'max_pool1d', 'padding')
    d = _params(dilation, 'max_pool1d', 'dilation')
    shape = input.shape
    if not ((input.ndim == 2 and shape[1] != 0) or (input.ndim == 3 and shape[1] != 0 and shape[2] != 0)):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{sizes_str(shape)}")
    if len(k) != 1:
        raise RuntimeError(f"{fn} kernel_size must be an int, list of ints or tuple of ints of size 1 "
                           f"but got size {len(k)}")
    if len(s) not in (0, 1):
        raise RuntimeError(f"{fn} stride must be None, an int, list of ints, or tuple of ints of size 1 "
                           f"but got size {len(s)}")
    if len(p) != 1:
        raise RuntimeError(f"{fn} padding must be an int, list of ints, or tuple of ints of size 1 but "
                           f"got size {len(p)}")
    if len(d) != 1:
        raise RuntimeError(f"{fn} dilation must be an int, list of ints or tuple of ints of size 1 but "
                           f"got size {len(d)}")
    (k,), (p,), (d,) = k, p, d
    s = s[0] if s else k
    if k <= 0:
        raise RuntimeError(f"{fn} kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"{fn} stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"{fn} padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"{fn} padding should be at most half of kernel size, but got padding={p} "
                           f"and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"{fn} dilation must be greater than zero, but got {d}")
    ow = pool_out_size(shape[-1], k, p, s, d, ceil_mode)
    if ow <= 0:
        raise RuntimeError(f"{fn} Invalid computed output size: {ow}")
    win = _pool_window((1, shape[-1]), (1, k), (1, s), (0, p), (1, d), (1, ow))
    return _as_2d(_max_pool, input, win, return_indices)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# -- average pooling ---------------------------------------------------------------------------------
def _avg_divisor(win, k, s, p, count_include_pad, divisor_override):
    """torch's divisor per output position: a number, or an (Ho, Wo) array."""
    if divisor_override:
        return divisor_override
    sizes = []
    for n, kk, st, pp, o in ((win.H, k[0], s[0], p[0], win.Ho), (win.W, k[1], s[1], p[1], win.Wo)):
        start = np.arange(o) * st - pp
        end = np.minimum(start + kk, n + pp)
        if count_include_pad:
            sizes.append(end - start)
        else:
            sizes.append(np.minimum(end, n) - np.maximum(start, 0))
    div = sizes[0][:, None] * sizes[1][None, :]
    first = div.flat[0] if div.size else 1
    return int(first) if (div == first).all() else div


def _divide(total, div):
    if total.dtype.kind == 'f':
        return total / np.asarray(div, total.dtype) if isinstance(div, np.ndarray) else \
            total / total.dtype.type(div)
    return np.trunc(total / div).astype(total.dtype)


class AvgPool2D(Op):
    """Average pooling: the sum over kernel offsets divided by torch's divisor."""
    _bname = 'AvgPool2DBackward0'

    @staticmethod
    def forward(ctx, x, win, div):
        a, batched = _batched(x._data)
        xp = win.pad(a) if win.padded_any else a
        total = None
        for i in range(win.kh):
            for j in range(win.kw):
                v = win.offset(xp, i, j)
                total = np.array(v, a.dtype if a.dtype.kind == 'f' else np.int64) if total is None \
                    else np.add(total, v, out=total)
        ctx.win, ctx.div, ctx.batched, ctx.in_shape = win, div, batched, a.shape
        return _unbatch(_divide(total, div).astype(a.dtype, copy=False), batched)

    @staticmethod
    def backward(ctx, g):
        win = ctx.win
        ga = _batched(g._data)[0]
        gd = _divide(ga, ctx.div)
        N, C = ctx.in_shape[:2]
        buf = pool.zeros((N, C, win.Hp, win.Wp), ga.dtype)
        for i in range(win.kh):
            for j in range(win.kw):
                win.offset(buf, i, j)[...] += gd
        gx = _unbatch(win.crop(buf), ctx.batched)
        return wrap_grads('AvgPool2D', (gx,), g) + (None, None)


def _avg_pool(input, k, s, p, ceil_mode, count_include_pad, divisor_override, nd, fn):
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if nd == 2 and input.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{input.ndim}, "
                         f"{input.ndim - 1}], but got -3)")
    x4 = input if nd == 2 else input.unsqueeze(-2)
    out_hw = _check_pool2d(x4, k, s, p, (1, 1), ceil_mode, fn)
    win = _pool_window(tuple(x4.shape[-2:]), k, s, p, (1, 1), out_hw)
    div = _avg_divisor(win, k, s, p, count_include_pad, divisor_override)
    return AvgPool2D.apply(x4, win, div) if nd == 2 else AvgPool2D.apply(x4, win, div).squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling of (N, C, H, W) or (C, H, W)."""
    check_tensor('avg_pool2d', 'input', 1, input)
    k, s, p, _ = _pair_args('avg_pool2d', kernel_size, stride, padding)
    return _avg_pool(input, k, s, p, ceil_mode, count_include_pad, divisor_override, 2, 'avg_pool2d')


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling of (N, C, L) or (C, L)."""
    check_tensor('avg_pool1d', 'input', 1, input)
    _check_pool1d_input(input, 'avg_pool1d')
    k = _one(kernel_size, 'avg_pool1d', 'kernel_size')
    s = _one(stride, 'avg_pool1d', 'stride') if stride is not None and stride != () else k
    p = _one(padding, 'avg_pool1d', 'padding')
    return _avg_pool(input, (1, k), (1, s), (0, p), ceil_mode, count_include_pad, None, 1, 'avg_pool2d')


# -- adaptive pooling --------------------------------------------------------------------------------
def _adaptive_bounds(n, out):
    """Start and end (exclusive) of each of the out adaptive windows over n elements."""
    o = np.arange(out)
    return (o * n) // out, -((-(o + 1) * n) // out)


def _averaging_matrix(n, out, dtype):
    """(out, n) matrix whose rows average the adaptive windows."""
    start, end = _adaptive_bounds(n, out)
    pos = np.arange(n)
    inside = (pos >= start[:, None]) & (pos < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class Separable(Op):
    """x (..., H, W) -> Mh @ x @ Mw.T: a linear map of each plane, separable in H and W (adaptive
    average pooling); its backward is the same map with the transposed matrices."""
    _bname = 'AdaptiveAvgPool2DBackward0'

    @staticmethod
    def forward(ctx, x, mh, mw):
        ctx.mh, ctx.mw = mh, mw
        a = x._data
        lead, (H, W) = a.shape[:-2], a.shape[-2:]
        planes = int(np.prod(lead))
        t = np.ascontiguousarray(a).reshape(planes * H, W) @ mw.T
        t = np.matmul(mh, t.reshape(planes, H, mw.shape[0]))
        return t.reshape(lead + t.shape[-2:])

    @staticmethod
    def backward(ctx, g):
        return Separable.apply(g, ctx.mh.T, ctx.mw.T), None, None


def _output_size(output_size, nd, fn, hw):
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        sizes = (output_size,) * nd
    else:
        sizes = tuple(output_size)
    if nd == 1 and len(sizes) != 1:
        raise RuntimeError(f"{fn}() argument 'output_size' should contain one int (got {len(sizes)})")
    if len(sizes) != nd:
        if fn == 'adaptive_max_pool2d':
            raise RuntimeError(f"{fn}(): internal error: output_size.size() must be 2")
        raise RuntimeError(f"{fn}: output_size must be 2")
    return tuple(int(n) if o is None else int(o) for o, n in zip(sizes, hw))


def _check_adaptive(x, out, fn, nd):
    if nd == 1:
        _check_pool1d_input(x, fn)
    elif x.ndim not in (3, 4):
        sep = ': ' if fn == 'adaptive_max_pool2d' else ' '
        raise RuntimeError(f"{fn}(): Expected 3D or 4D tensor, but got{sep}{sizes_str(x.shape)}")
    name2d = fn.replace('1d', '2d')
    if any(o < 0 for o in out):
        if name2d == 'adaptive_avg_pool2d':
            raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or "
                               f"equal to 0 but received {{{out[0]}, {out[-1]}}}")
        sizes = list(x.shape[:-nd]) + ([1] if nd == 1 else []) + list(out)
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{next(o for o in out if o < 0)}: {sizes_str(sizes)}")
    shape = x.shape if nd == 2 else x.shape[:-1] + (1, x.shape[-1])
    avg4 = name2d == 'adaptive_avg_pool2d' and len(shape) == 4    # torch's avg kernel skips C
    for i in range(1, len(shape)):
        if shape[i] != 0 or (avg4 and i == 1):
            continue
        raise RuntimeError(f"{name2d}(): Expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {sizes_str(shape)} with dimension {i} "
                           "being empty")
    if x._data.dtype.kind not in 'fc':
        raise NotImplementedError(f"\"{name2d}\" not implemented for '{_short(x.dtype)}'")


def _adaptive_avg(input, output_size, nd, fn):
    check_tensor(fn, 'input', 1, input)
    hw = tuple(input.shape[-nd:]) if input.ndim >= nd else ()
    out = _output_size(output_size, nd, fn, hw)
    _check_adaptive(input, out, fn, nd)
    if nd == 2 and out == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    dt = input._data.dtype
    mw = _averaging_matrix(hw[-1], out[-1], dt)
    if nd == 1:
        return Separable.apply(input.unsqueeze(-2), np.ones((1, 1), dt), mw).squeeze(-2)
    return Separable.apply(input, _averaging_matrix(hw[0], out[0], dt), mw)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (H_out, W_out); None keeps the input size."""
    return _adaptive_avg(input, output_size, 2, 'adaptive_avg_pool2d')


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of (N, C, L) or (C, L) to a fixed length."""
    return _adaptive_avg(input, output_size, 1, 'adaptive_avg_pool1d')


class AdaptiveMaxPool2D(Op):
    """Adaptive max pooling: windows of varying size, visited per offset through index arrays (a
    window shorter than the longest repeats its last element, which never wins a tie)."""
    _bname = 'AdaptiveMaxPool2DBackward0'

    @staticmethod
    def forward(ctx, x, out_hw):
        a, batched = _batched(x._data)
        N, C, H, W = a.shape
        rows = _adaptive_offsets(H, out_hw[0])
        cols = _adaptive_offsets(W, out_hw[1])
        views = [a[:, :, r][:, :, :, c] for r in rows for c in cols]
        out, arg = _running_max(views, False)
        i, j = np.divmod(arg.astype(np.int64), len(cols))
        rows, cols = np.stack(rows), np.stack(cols)        # (offsets, outputs)
        flat = rows[i, np.arange(out_hw[0])[:, None]] * W + cols[j, np.arange(out_hw[1])]
        ctx.flat, ctx.in_shape, ctx.batched = flat, a.shape, batched
        return _unbatch(out, batched), _unbatch(flat, batched)

    @staticmethod
    def backward(ctx, g, _g_idx=None):
        N, C, H, W = ctx.in_shape
        ga = _batched(g._data)[0]
        flat = ctx.flat.reshape(N * C, -1) + (np.arange(N * C) * (H * W))[:, None]
        gx = np.bincount(flat.ravel(), weights=ga.reshape(-1), minlength=N * C * H * W)
        gx = _unbatch(gx.astype(ga.dtype, copy=False).reshape(N, C, H, W), ctx.batched)
        return wrap_grads('AdaptiveMaxPool2D', (gx,), g) + (None,)


def _adaptive_offsets(n, out):
    """Index arrays, one per window offset: element start + t of each window (clipped to its end)."""
    start, end = _adaptive_bounds(n, out)
    longest = int((end - start).max()) if out else 0
    return [np.minimum(start + t, end - 1) for t in range(longest)]


def _adaptive_max(input, output_size, return_indices, nd, fn):
    check_tensor(fn, 'input', 1, input)
    hw = tuple(input.shape[-nd:]) if input.ndim >= nd else ()
    out = _output_size(output_size, nd, fn, hw)
    _check_adaptive(input, out, fn, nd)
    out_hw = out if nd == 2 else (1,) + out
    if 0 in out_hw:
        shape = tuple(input.shape[:-nd]) + out
        vals = _wrap(np.zeros(shape, input._data.dtype))
        res = vals * input.sum() if input._rg else vals
        return (res, _wrap(np.zeros(shape, np.int64))) if return_indices else res
    if nd == 1:
        values, idx = _as_2d(AdaptiveMaxPool2D.apply, input, out_hw)
    else:
        values, idx = AdaptiveMaxPool2D.apply(input, out_hw)
    return (values, idx) if return_indices else values


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (H_out, W_out); None keeps the input size."""
    return _adaptive_max(input, output_size, return_indices, 2, 'adaptive_max_pool2d')


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of (N, C, L) or (C, L) to a fixed length."""
    return _adaptive_max(input, output_size, return_indices, 1, 'adaptive_max_pool1d')


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


# -- power-average pooling ---------------------------------------------------------------------------
def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nd):
    """torch's formula: (sign(avg(x^p)) * relu(|avg(x^p)|) * kernel_numel) ^ (1/p)."""
    if nd == 2:
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
        numel = kh * kw
    else:
        out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
        numel = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return (out.sign() * out.abs().clamp(min=0)).mul(numel).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over the window of x^p)^(1/p)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling: (sum over the window of x^p)^(1/p)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


# -- max unpooling -----------------------------------------------------------------------------------
class MaxUnpool2D(Op):
    """Place each value at its index in a zero plane of the output size (inverse of max pooling)."""
    _bname = 'MaxUnpool2DBackward0'

    @staticmethod
    def forward(ctx, x, indices, out_shape):
        a = x._data
        idx = indices._data
        planes = int(np.prod(a.shape[:-2])) if a.ndim > 2 else 1
        size = out_shape[-2] * out_shape[-1]
        flat_idx = idx.reshape(planes, -1)
        if flat_idx.size and (flat_idx.min() < 0 or flat_idx.max() >= size):
            bad = flat_idx[(flat_idx < 0) | (flat_idx >= size)][-1]     # torch reports the last
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{out_shape[-2]}x{out_shape[-1]})")
        out = np.zeros((planes, size), a.dtype)
        np.put_along_axis(out, flat_idx, a.reshape(planes, -1), axis=1)
        ctx.idx, ctx.in_shape = flat_idx, a.shape
        return out.reshape(tuple(a.shape[:-2]) + tuple(out_shape[-2:]))

    @staticmethod
    def backward(ctx, g):
        idx = _wrap(ctx.idx)
        flat = g.reshape(idx.shape[0], -1).gather(1, idx)
        return flat.reshape(ctx.in_shape), None, None


def _unpool_size(input, kernel_size, stride, padding, output_size, nd):
    shape = input.shape
    default = [(shape[-nd + d] - 1) * stride[d] - 2 * padding[d] + kernel_size[d] for d in range(nd)]
    if output_size is None:
        return default
    out = list(output_size)
    if len(out) == nd + 2:
        out = out[2:]
    elif len(out) == nd + 1:
        out = out[1:]
    if len(out) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but "
                         f"it has a length of '{len(output_size)}'")
    for d in range(nd):
        lo = default[d] - stride[d]
        hi = default[d] + stride[d]
        if not lo < out[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and '
                             f'{hi})')
    return out


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd):
    fn = f'max_unpool{nd}d'
    check_tensor(fn, 'input', 1, input)
    k = _params(kernel_size, fn, 'kernel_size')
    k = k * nd if len(k) == 1 else k
    s = _params(stride, fn, 'stride', allow_empty=True) or k
    s = s * nd if len(s) == 1 else s
    p = _params(padding, fn, 'padding')
    p = p * nd if len(p) == 1 else p
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({sizes_str(input.shape)}) but got indices tensor with shape: "
                           f"{sizes_str(indices.shape)}")
    size = _unpool_size(input, k, s, p, output_size, nd)
    if nd == 1:     # as torch: through the 2-D kernel on (L, 1) planes
        out = MaxUnpool2D.apply(input.unsqueeze(-1), indices.unsqueeze(-1), (size[0], 1))
        return out.squeeze(-1)
    return MaxUnpool2D.apply(input, indices, tuple(size))


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: values go back to their indices, the rest is zero."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)

