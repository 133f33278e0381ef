"""Transposed convolutions (conv_transpose1d, conv_transpose2d): the gradient of a convolution with
respect to its input, run forwards.

The transposed convolution of x (N, C_in, H, W) with weight (C_in, C_out/groups, kh, kw) is the
adjoint of the convolution ``conv2d(y, weight)`` that maps a (N, C_out, H_out, W_out) image y back to
(N, C_in, H, W). So forward is that convolution's input-gradient path (one batched GEMM, then col2im:
one strided add per kernel offset), and backward runs the convolution itself (im2col + GEMM) for the
input's gradient and reuses the columns for the weight's. The window geometry and buffers are
conv.py's (``Window``); H_out = (H - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1.
"""
import numpy as np

from ...ops._util import Op
from ._columns import Window, summed_columns, columns_matmul, columns_matmul_t
from .conv import (WholeWindow, wrap_grads, sizes_str, _conv_param, _check_conv_types, _check_conv_tensors,
                   _check_groups_type, _batched_input)

__all__ = ['conv_transpose1d', 'conv_transpose2d']


class ConvTranspose(Op):
    """x (N, C_in, H, W), weight (C_in, C_out/G, kh, kw), bias, the Window of the adjoint
    convolution (whose output grid is H x W, possibly with extra rows/columns: then x is padded with
    zeros to it), groups."""
    _bname = 'ConvolutionBackward0'

    @staticmethod
    def forward(ctx, x, w, b, win, groups):
        xa, wa = x._data, w._data
        one_d = xa.ndim == 3                    # (N, C, L): a 1 x L image
        if one_d:
            xa, wa = xa[:, :, None, :], wa[:, :, None, :]
        N, C, H, W = xa.shape
        G = groups
        xl = win.columns_of(_extended(xa, win)).reshape(G, C // G, -1)
        wt = wa.reshape(G, C // G, -1).swapaxes(-1, -2)
        out = summed_columns(wt, xl, win, wa.shape[1] * G)
        if b is not None:
            out += b._data.reshape(-1, 1, 1)
        ctx.win, ctx.groups, ctx.hw, ctx.one_d = win, G, (H, W), one_d
        # strided, with large GEMMs: backward on plain columns (no GEMM work on the dropped row
        # tails), its input columns remade from x; else the forward's columns serve again
        ctx.plain = win.phased and wt.shape[1] >= _PLAIN_BACKWARD_MIN_K
        if w._rg and not ctx.plain:
            ctx.xl = xl
        ctx.save_for_backward(x, w)
        return out[:, :, 0, :] if one_d else out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        win, G, (H, W) = ctx.win, ctx.groups, ctx.hw
        ga, wa = g._data, w._data
        if ctx.one_d:
            ga, wa = ga[:, :, None, :], wa[:, :, None, :]
        C = wa.shape[0]
        gx = gw = gb = None
        if ctx.needs_grad(2):
            gb = ga.sum((0, 2, 3))
        if ctx.needs_grad(0) or ctx.needs_grad(1):
            if ctx.plain:
                win = win.as_flat(False)
            cols = win.columns(win.grid(ga))
            cols = cols.reshape(G, cols.shape[0] // G, cols.shape[1])
            if ctx.needs_grad(1):
                xa = x._data[:, :, None, :] if ctx.one_d else x._data
                xl = ctx.xl if win.flat else win.columns_of(_extended(xa, win))
                gw = columns_matmul_t(xl.reshape(G, C // G, -1), cols, win.L).reshape(w._data.shape)
            if ctx.needs_grad(0):
                gl = columns_matmul(wa.reshape(G, C // G, -1), cols, win.L)
                gx = win.image_of(gl.reshape(C, -1))
                if (win.Ho, win.Wo) != (H, W):
                    gx = np.ascontiguousarray(gx[:, :, :H, :W])
                if ctx.one_d:
                    gx = gx[:, :, 0, :]
        return wrap_grads('ConvolutionTranspose', (gx, gw, gb), g, x, w) + (None, None)


_PLAIN_BACKWARD_MIN_K = 256


def _extended(xa, win):
    """xa (N, C, H, W) zero-padded at the bottom/right to the adjoint convolution's output grid."""
    N, C, H, W = xa.shape
    if (win.Ho, win.Wo) == (H, W):
        return xa
    ext = np.zeros((N, C, win.Ho, win.Wo), xa.dtype)
    ext[:, :, :H, :W] = xa
    return ext


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, n, fn):
    """Checks and argument normalisation shared by conv_transpose1d/2d, then the op."""
    _check_conv_tensors(input, weight, bias, n, fn)
    k = weight.ndim - 2
    stride = _conv_param(stride, n, k, 'stride', fn)
    padding = _conv_param(padding, n, k, 'padding', fn)
    output_padding = _conv_param(output_padding, n, k, 'output_padding', fn)
    dilation = _conv_param(dilation, n, k, 'dilation', fn)
    _check_groups_type(groups, fn)
    names = ('height', 'width') if k == 2 else ('width',)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero, but got " +
                           ', '.join(f"dilation_{nm}: {d}" for nm, d in zip(names, dilation)))
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        parts = [f"output_padding_{nm}: {v}" for nm, v in zip(names, output_padding)]
        parts += [f"stride_{nm}: {v}" for nm, v in zip(names, stride)]
        parts += [f"dilation_{nm}: {v}" for nm, v in zip(names, dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " +
                           ' '.join(parts))
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    batched, x = _batched_input(input, weight, groups, n)
    ws = weight.shape
    if x.shape[1] != ws[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {sizes_str(ws)}, expected "
                           f"input{sizes_str(x.shape)} to have {ws[0]} channels, but got "
                           f"{x.shape[1]} channels instead")
    out_channels = ws[1] * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given transposed=1, weight of size {sizes_str(ws)}, expected bias to be "
                           f"1-dimensional with {out_channels} elements, but got bias of size "
                           f"{sizes_str(bias.shape)} instead")
    spatial = tuple(x.shape[2:])
    kernel = tuple(ws[2:])
    touched = [(i - 1) * s + d * (kk - 1) + 1 for i, s, d, kk in zip(spatial, stride, dilation, kernel)]
    out_size = [t - 2 * p + op for t, p, op in zip(touched, padding, output_padding)]
    if any(o <= 0 for o in out_size):
        ins = ' x '.join(str(s) for s in spatial)
        outs = ' x '.join(str(o) for o in out_size)
        raise RuntimeError(f"Given input size per channel: ({ins}). Calculated output size per channel: "
                           f"({outs}). Output size is too small")
    _check_conv_types(x, weight, bias)
    # the adjoint convolution runs on the output padded by `padding` before and enough after to
    # cover every position the kernel touched
    pads = [(p, max(t - o - p, 0)) for t, o, p in zip(touched, out_size, padding)]
    if n == 1:
        win = Window((1, out_size[0]), (1, kernel[0]), (1, stride[0]), (1, dilation[0]), (0, 0) + pads[0],
                     flat=True)
    else:
        win = Window(tuple(out_size), kernel, stride, dilation, pads[0] + pads[1], flat=True)
    if groups == 1 and all(i == 1 for i in spatial) and not any(padding) and not any(output_padding) \
            and all(d == 1 for d in dilation):
        out = WholeWindow.apply(x, weight, bias, True)
    else:
        out = ConvTranspose.apply(x, weight, bias, win, int(groups))
    return out if batched else out.squeeze(0)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution ("deconvolution"). input (N, C_in, H, W) or (C_in, H, W); weight
    (C_in, C_out/groups, kH, kW); output (N, C_out, H_out, W_out)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           'conv_transpose2d')


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution. input (N, C_in, L) or (C_in, L); weight (C_in, C_out/groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           'conv_transpose1d')

