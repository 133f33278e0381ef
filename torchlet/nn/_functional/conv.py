"""Convolutions (conv1d, conv2d) and the public im2col/col2im pair (unfold, fold).

A convolution is im2col + one GEMM over the whole batch (the column machinery is in _columns.py);
its backward is two GEMMs and col2im. A convolution whose one window is the whole input is a dense
layer (``WholeWindow``).
"""
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.function import Op
from ...autograd.grad_mode import _State
from ...ops._util import _short
from ._columns import (Window, pool, columns_matmul, columns_matmul_t, summed_columns, grid_matmul,
                       grid_matmul_t, _CHUNK_BYTES, _SMALL_GEMM)

__all__ = ['conv1d', 'conv2d', 'unfold', 'fold']

_wrap = Tensor._wrap


# -- shared helpers (also used by pooling and linear) ----------------------------------------------
class _FusedGrad(Op):
    """The gradients of a fused op computed on arrays, when backward runs with create_graph=True:
    their values are exact, but differentiating them again raises."""

    @staticmethod
    def forward(ctx, name, arrays, *deps):
        ctx._bname = name + 'Backward'
        ctx.op_name = name
        return tuple(arrays)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"torchlet does not support double backward through {ctx.op_name} (the "
                           "gradient of its gradient); only first-order gradients are available")


def wrap_grads(name, arrays, *deps):
    """Array gradients of a fused op as tensors (None stays None). Under create_graph they hang from
    a node that depends on ``deps`` and refuses to be differentiated again."""
    if not _State.grad_enabled:
        return tuple(None if a is None else _wrap(a) for a in arrays)
    present = [a for a in arrays if a is not None]
    if not present:
        return (None,) * len(arrays)
    outs = iter(_FusedGrad.apply(name, present, *deps))
    return tuple(None if a is None else next(outs) for a in arrays)


def check_tensor(fn, arg, pos, value):
    """torch's TypeError for a non-Tensor argument of a functional."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(value).__name__}")


def int_tuple(value, n, fn, arg):
    """An int or a sequence of ints as a tuple (an int is repeated n times)."""
    if isinstance(value, Tensor):
        value = value.tolist()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, np.integer)) and
                                                not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    raise TypeError(f"{fn}(): argument '{arg}' must be tuple of ints, not {type(value).__name__}")


def sizes_str(shape):
    return '[' + ', '.join(str(s) for s in shape) + ']'


# -- convolution -----------------------------------------------------------------------------------
class Convolution(Op):
    """conv1d/conv2d as im2col + one GEMM over the whole batch per group; backward: two GEMMs and
    col2im."""
    _bname = 'ConvolutionBackward0'

    @staticmethod
    def forward(ctx, x, w, b, win, groups):
        xa, wa = x._data, w._data
        one_d = xa.ndim == 3
        if one_d:
            xa, wa = xa[:, :, None, :], wa[:, :, None, :]
        O = wa.shape[0]
        G = groups
        grid = win.grid(xa)
        w3 = wa.reshape(G, O // G, -1)
        N, K = xa.shape[0], w3.shape[2]
        cols = cols_n = grid_kept = None
        if not win.flat and not (x._rg and _State.grad_enabled) and O // G * K * win.L * 2 <= _SMALL_GEMM:
            # small GEMMs and no col2im (a first layer): image-major columns, one small GEMM per
            # image whose results already lie in the output's layout
            cols_n = win.im2col(grid).reshape(N, G, K, win.L)
            out = np.matmul(w3, cols_n, out=pool.empty((N, G, O // G, win.L), xa.dtype))
            out = out.reshape(N, O, win.Ho, win.Wo)
            if b is not None:
                out += b._data.reshape(O, 1, 1)
        else:
            if O // G < _STORED_COLUMNS_MIN_ROWS and K * G * win.L * N * xa.itemsize > 2 * _CHUNK_BYTES:
                # few output channels: the GEMMs are bound by reading the columns, which are made
                # a chunk at a time in cache (and again for the weight gradient)
                out, grid_kept = grid_matmul(w3, grid, win), grid
            else:
                cols = win.columns(grid).reshape(G, K, -1)
                out = columns_matmul(w3, cols, win.L)
            out = win.image_of(out.reshape(O, -1), None if b is None else b._data)
        keep = w._rg and _State.grad_enabled
        ctx.win, ctx.groups, ctx.one_d = win, G, one_d
        ctx.cols, ctx.cols_n, ctx.grid = (cols, cols_n, grid_kept) if keep else (None, None, None)
        ctx.save_for_backward(x, w)
        return out[:, :, 0, :] if one_d else out
        if O // G < _STORED_COLUMNS_MIN_ROWS and K * G * win.L * N * xa.itemsize > 2 * _CHUNK_BYTES:
            # few output channels: the GEMMs are bound by reading the columns, which are made a
            # chunk at a time in cache (and again for the weight gradient)
            out, cols = grid_matmul(w3, grid, win), None
        else:
            cols = win.columns(grid).reshape(G, K, -1)
            out = columns_matmul(w3, cols, win.L)
        out = win.image_of(out.reshape(O, -1), None if b is None else b._data)
        if w._rg and _State.grad_enabled:
            ctx.cols = cols
            ctx.grid = grid if cols is None else None
        ctx.save_for_backward(x, w)
        return out[:, :, 0, :] if one_d else out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        win, G = ctx.win, ctx.groups
        ga, wa = g._data, w._data
        if ctx.one_d:
            ga, wa = ga[:, :, None, :], wa[:, :, None, :]
        O = ga.shape[1]
        C = x._data.shape[1]
        gx = gw = gb = None
        if ctx.needs_grad(2):
            gb = ga.sum((0, 2, 3))
        gl = None
        if ctx.needs_grad(1):
            if ctx.cols_n is not None:      # image-major columns (the input needs no gradient)
                gn = np.ascontiguousarray(ga).reshape(ga.shape[0], G, O // G, -1)
                gw = np.matmul(gn, ctx.cols_n.swapaxes(-1, -2)).sum(0)
            else:
                gl = win.columns_of(ga).reshape(G, O // G, -1)
                gw = columns_matmul_t(gl, ctx.cols, win.L) if ctx.cols is not None else \
                    grid_matmul_t(gl, ctx.grid, win)
            gw = gw.reshape(w._data.shape)
        if ctx.needs_grad(0):
            if gl is None or not win.flat:      # col2im needs the flat layout's contiguous runs
                win = win.as_flat()
                gl = win.columns_of(ga).reshape(G, O // G, -1)
            gx = summed_columns(wa.reshape(G, O // G, -1).swapaxes(-1, -2), gl, win, C)
            if ctx.one_d:
                gx = gx[:, :, 0, :]
        return wrap_grads('Convolution', (gx, gw, gb), g, x, w) + (None, None)


_SHORT_ROWS = 16
_STORED_COLUMNS_MIN_ROWS = 64


class WholeWindow(Op):
    """A convolution whose one window is the whole unpadded input (a dense layer on the flattened
    input: x (N, C*k) @ W (O, C*k)^T), or, ``transposed``, a transposed convolution of a single-pixel
    input (x (N, C) @ W (C, O*k)); one GEMM each way, no im2col or col2im."""
    _bname = 'ConvolutionBackward0'

    @staticmethod
    def forward(ctx, x, w, b, transposed):
        xa, wa = x._data, w._data
        N = xa.shape[0]
        x2, w2 = xa.reshape(N, -1), wa.reshape(wa.shape[0], -1)
        if transposed:
            out = x2 @ w2
            shape = (N, wa.shape[1]) + wa.shape[2:]
        else:
            out = x2 @ w2.T
            shape = (N, wa.shape[0]) + (1,) * (wa.ndim - 2)
        if b is not None:
            out.reshape(N, b._data.shape[0], -1)[...] += b._data[:, None]
        ctx.transposed = transposed
        ctx.save_for_backward(x, w)
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        xa, wa, ga = x._data, w._data, g._data
        N = xa.shape[0]
        x2, w2, g2 = xa.reshape(N, -1), wa.reshape(wa.shape[0], -1), ga.reshape(N, -1)
        gx = gw = gb = None
        if ctx.needs_grad(2):
            gb = ga.reshape(N, ga.shape[1], -1).sum((0, 2))
        if ctx.transposed:
            if ctx.needs_grad(0):
                gx = (g2 @ w2.T).reshape(xa.shape)
            if ctx.needs_grad(1):
                gw = (x2.T @ g2).reshape(wa.shape)
        else:
            if ctx.needs_grad(0):
                gx = (g2 @ w2).reshape(xa.shape)
            if ctx.needs_grad(1):
                gw = (g2.T @ x2).reshape(wa.shape)
        return wrap_grads('Convolution', (gx, gw, gb), g, x, w) + (None,)


_CTYPE = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int',
          'int32': 'int', 'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char',
          'bool': 'bool', 'complex64': 'c10::complex<float>', 'complex128': 'c10::complex<double>'}


def _conv_param(value, n, k, name, fn):
    """stride/padding/dilation as a k-tuple, with torch's checks (n = the functional's dims)."""
    vals = int_tuple(value, n, fn, name)
    if len(vals) == 1:
        vals = vals * k
    if len(vals) != k:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {k} values to "
                           f"match the convolution dimensions, but got {name}={list(vals)}")
    return vals


def _check_conv_types(x, w, b):
    """torch's dtype errors: float32 inputs go to its mkldnn path, others to the generic one."""
    xd, wd = x._data.dtype, w._data.dtype
    if xd != wd:
        if xd == np.float32:
            raise RuntimeError(f"Input type ({x.type()}) and weight type ({w.type()}) should be the "
                               "same or input should be a MKLDNN tensor and weight is a dense tensor")
        raise RuntimeError(f"expected scalar type {_short(x.dtype)} but found {_short(w.dtype)}")
    if b is not None and b._data.dtype != xd:
        raise RuntimeError(f"Input type ({_CTYPE.get(xd.name, xd.name)}) and bias type "
                           f"({_CTYPE.get(b._data.dtype.name, b._data.dtype.name)}) should be the same")


def _check_conv_tensors(input, weight, bias, n, fn):
    """Type-check input/weight/bias of an n-d (transposed) convolution and the input's rank."""
    check_tensor(fn, 'input', 1, input)
    check_tensor(fn, 'weight', 2, weight)
    if bias is not None:
        check_tensor(fn, 'bias', 3, bias)
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {fn}, but got "
                           f"input of size: {sizes_str(input.shape)}")


def _check_groups_type(groups, fn):
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'groups' must be int, not {type(groups).__name__}")


def _batched_input(input, weight, groups, n):
    """(batched, input with a batch dim) after checking the weight's rank and that groups divides
    its first dim."""
    batched = input.ndim == n + 2
    x = input if batched else input.unsqueeze(0)
    ws = weight.shape
    if weight.ndim != x.ndim:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional "
                           f"weight {sizes_str(ws)}, but got {x.ndim}-dimensional input of size "
                           f"{sizes_str(x.shape)} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{sizes_str(ws)}] instead")
    return batched, x


def _conv(input, weight, bias, stride, padding, dilation, groups, n, fn):
    """Checks and argument normalisation shared by conv1d and conv2d, then the Convolution op."""
    _check_conv_tensors(input, weight, bias, n, fn)
    k = weight.ndim - 2
    stride = _conv_param(stride, n, k, 'stride', fn)
    dilation = _conv_param(dilation, n, k, 'dilation', fn)
    if isinstance(padding, str):
        if padding not in ('same', 'valid'):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        pad_str, padding = padding, (0,) * k
    else:
        pad_str, padding = None, _conv_param(padding, n, k, 'padding', fn)
    _check_groups_type(groups, fn)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    batched, x = _batched_input(input, weight, groups, n)
    ws = weight.shape
    if x.shape[1] != ws[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {sizes_str(ws)}, expected "
                           f"input{sizes_str(x.shape)} to have {ws[1] * groups} channels, but got "
                           f"{x.shape[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != ws[0]):
        raise RuntimeError(f"Given weight of size {sizes_str(ws)}, expected bias to be 1-dimensional "
                           f"with {ws[0]} elements, but got bias of size {sizes_str(bias.shape)} "
                           "instead")
    kernel = tuple(ws[2:])
    spatial = tuple(x.shape[2:])
    if pad_str == 'same':
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (kk - 1) for d, kk in zip(dilation, kernel)]
        if any(t % 2 for t in totals):
            warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                          "zero-padded copy of the input be created", UserWarning, stacklevel=3)
        pairs = [(t // 2, t - t // 2) for t in totals]
    else:
        pairs = [(p, p) for p in padding]
    eff = [d * (kk - 1) + 1 for d, kk in zip(dilation, kernel)]
    padded = [s + lo + hi for s, (lo, hi) in zip(spatial, pairs)]
    if any(p < e for p, e in zip(padded, eff)):
        ps = ' x '.join(str(p) for p in padded)
        ks = ' x '.join(str(e) for e in eff)
        raise RuntimeError(f"Calculated padded input size per channel: ({ps}). Kernel size: ({ks}). "
                           "Kernel size can't be greater than actual input size")
    _check_conv_types(x, weight, bias)
    if n == 1:
        win = Window((1, spatial[0]), (1, kernel[0]), (1, stride[0]), (1, dilation[0]),
                     (0, 0) + pairs[0], flat=True)
    else:
        win = Window(spatial, kernel, stride, dilation, pairs[0] + pairs[1], flat=True)
    if win.phased or (win.Wo >= _SHORT_ROWS and not (x._rg and _State.grad_enabled)):
        # the flat layout costs Wq/Wo more GEMM work; it pays off through col2im (the input's
        # gradient, which then gets its own flat twin) and through copying short rows
        win.flat = False
    if groups == 1 and win.L == 1 and win.H == win.kh and win.W == win.kw and win.dh == win.dw == 1 \
            and not win.padded_any:
        out = WholeWindow.apply(x, weight, bias, False)
    else:
        out = Convolution.apply(x, weight, bias, win, int(groups))
    return out if batched else out.squeeze(0)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution. input (N, C_in, H, W) or (C_in, H, W); weight (C_out, C_in/groups, kH, kW);
    padding: int, pair, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, 'conv2d')


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution. input (N, C_in, L) or (C_in, L); weight (C_out, C_in/groups, k)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, 'conv1d')


# -- unfold / fold ---------------------------------------------------------------------------------
class Im2Col(Op):
    """unfold: (N, C, H, W) -> (N, C*kh*kw, L) sliding blocks; its backward is fold."""
    _bname = 'Im2ColBackward0'

    @staticmethod
    def forward(ctx, x, win):
        ctx.win = win
        xa = x._data
        N, C = xa.shape[:2]
        return win.im2col(win.pad(xa) if win.padded_any else xa).reshape(N, C * win.kh * win.kw, -1)

    @staticmethod
    def backward(ctx, g):
        return Col2Im.apply(g, ctx.win), None


class Col2Im(Op):
    """fold: (N, C*kh*kw, L) -> (N, C, H, W), summing overlapping blocks; its backward is unfold."""
    _bname = 'Col2ImBackward0'

    @staticmethod
    def forward(ctx, cols, win):
        ctx.win = win
        ca = cols._data
        N = ca.shape[0]
        C = ca.shape[1] // (win.kh * win.kw)
        return win.crop(win.col2im(ca.reshape(N, C, win.kh, win.kw, win.Ho, win.Wo)))

    @staticmethod
    def backward(ctx, g):
        return Im2Col.apply(g, ctx.win), None


def _block_params(kernel_size, dilation, padding, stride, fn):
    """kernel_size, dilation, padding, stride of unfold/fold as pairs, checked in torch's order."""
    vals = {}
    for name, v in (('kernel_size', kernel_size), ('dilation', dilation), ('padding', padding),
                    ('stride', stride)):
        t = int_tuple(v, 2, fn, name)
        if len(t) == 1:
            t = t * 2
        if len(t) != 2:
            raise RuntimeError(f"{fn}(): argument '{name}' must be tuple of ints of length 2 "
                               f"(got {len(t)})")
        vals[name] = t
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = vals.values()
    checks = {
        'kernel_size': (kh > 0 and kw > 0, f"kernel size should be greater than zero, but got "
                                           f"kernel_height: {kh} kernel_width: {kw}"),
        'dilation': (dh > 0 and dw > 0, f"dilation should be greater than zero, but got "
                                        f"dilation_height: {dh} dilation_width: {dw}"),
        'padding': (ph >= 0 and pw >= 0, f"padding should be non-negative, but got pad_height: {ph} "
                                         f"pad_width: {pw}"),
        'stride': (sh > 0 and sw > 0, f"stride should be greater than zero, but got stride_height: "
                                      f"{sh} stride_width: {sw}"),
    }
    order = ('kernel_size', 'stride', 'dilation', 'padding') if fn == 'fold' else \
        ('kernel_size', 'dilation', 'padding', 'stride')
    for name in order:
        ok, message = checks[name]
        if not ok:
            raise RuntimeError(message)
    return tuple(vals.values())


def _check_dims(x, dims):
    """torch's IndexError when x lacks one of the dims its kernel reads."""
    for d in dims:
        if d >= x.ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{max(x.ndim, 1)}, "
                             f"{max(x.ndim, 1) - 1}], but got {d})")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C * prod(kernel_size), L)."""
    check_tensor('unfold', 'input', 1, input)
    k, d, p, s = _block_params(kernel_size, dilation, padding, stride, 'unfold')
    _check_dims(input, (1, 2))
    shape = input.shape
    nd = input.ndim
    if not ((nd == 3 and shape[0] and shape[1] and shape[2]) or
            (nd == 4 and shape[1] and shape[2] and shape[3])):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {sizes_str(shape)}")
    x = input if nd == 4 else input.unsqueeze(0)
    H, W = x.shape[2:]
    win = Window((H, W), k, s, d, (p[0], p[0], p[1], p[1]), flat=False)
    if win.Ho < 1 or win.Wo < 1:
        raise RuntimeError(f"Given input with spatial size ({H}, {W}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of "
                           f"the array of sliding blocks as ({win.Ho}, {win.Wo}), but its components "
                           "must be at least one.")
    out = Im2Col.apply(x, win)
    return out if nd == 4 else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks into an image: (N, C * prod(kernel_size), L) -> (N, C, *output_size),
    summing overlapping values (the adjoint of unfold)."""
    check_tensor('fold', 'input', 1, input)
    out_hw = int_tuple(output_size, 2, 'fold', 'output_size')
    if len(out_hw) == 1:
        out_hw = out_hw * 2
    k, d, p, s = _block_params(kernel_size, dilation, padding, stride, 'fold')
    shape = input.shape
    nd = input.ndim
    if not ((nd == 2 and shape[0] and shape[1]) or (nd == 3 and shape[1] and shape[2])):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size "
                           f"and non-zero dimensions for input, but got: {sizes_str(shape)}")
    x = input if nd == 3 else input.unsqueeze(0)
    planes, length = x.shape[1], x.shape[2]
    if planes % (k[0] * k[1]):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={planes} and kernel_size=({k[0]}, "
                           f"{k[1]}).")
    win = Window(out_hw, k, s, d, (p[0], p[0], p[1], p[1]), flat=False)
    desc = (f"Given output_size=({out_hw[0]}, {out_hw[1]}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), ")
    if length != win.Ho * win.Wo:
        raise RuntimeError(desc + "expected size of input's dimension 2 to match the calculated number "
                           f"of sliding blocks {win.Ho} * {win.Wo} = {win.Ho * win.Wo}, but got "
                           f"input.size(2)={length}.")
    if win.Ho < 1 or win.Wo < 1:
        raise RuntimeError(desc + f"calculated shape of the array of sliding blocks as ({win.Ho}, "
                           f"{win.Wo}), which is too small (non-positive)")
    out = Col2Im.apply(x, win)
    return out if nd == 3 else out.squeeze(0)
