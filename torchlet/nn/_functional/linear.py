"""linear (one GEMM with the bias fused) and bilinear."""
import numpy as np

from ..._tensor import Tensor
from ...autograd.function import Op
from ...autograd.grad_mode import _State
from ...ops._util import _short, broadcast_error, sum_to
from .conv import check_tensor, sizes_str

__all__ = ['linear', 'bilinear']

_wrap = Tensor._wrap


class Linear(Op):
    """y = x @ W.T + b over the last dim of x, as one GEMM on the flattened leading dims.

    Backward works on arrays (two GEMMs and a column sum); when the graph of the gradient is
    being recorded (create_graph=True) it is written with tensor ops instead, so that higher-order
    gradients work too.
    """
    _bname = 'AddmmBackward0'

    @staticmethod
    def forward(ctx, x, w, b):
        xa, wa = x._data, w._data
        lead = xa.shape[:-1]
        x2 = xa.reshape(-1, xa.shape[-1])
        w2 = wa if wa.ndim == 2 else wa[None]
        out = x2 @ w2.T
        if b is not None:
            out += b._data
            ctx.bias_shape = b._data.shape
            ctx.bias_1d = b._data.shape == wa.shape[:-1]
        ctx.save_for_backward(x, w)
        return out.reshape(lead + wa.shape[:-1])

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        if _State.grad_enabled:
            return _linear_backward_graph(ctx, g, x, w)
        xa, wa, ga = x._data, w._data, g._data
        w2 = wa if wa.ndim == 2 else wa[None]
        g2 = ga.reshape(-1, w2.shape[0])
        gx = gw = gb = None
        if ctx.needs_grad(0):
            gx = _wrap((g2 @ w2).reshape(xa.shape))
        if ctx.needs_grad(1):
            gw = _wrap((g2.T @ xa.reshape(-1, xa.shape[-1])).reshape(wa.shape))
        if ctx.needs_grad(2):
            gb = _wrap(g2.sum(0).reshape(ctx.bias_shape)) if ctx.bias_1d else \
                sum_to(_wrap(g2), ctx.bias_shape)
        return gx, gw, gb


class Mm(Linear):
    _bname = 'MmBackward0'


class Mv(Linear):
    _bname = 'MvBackward0'


class View(Linear):
    _bname = 'ViewBackward0'


class UnsafeView(Linear):
    _bname = 'UnsafeViewBackward0'


def _linear_backward_graph(ctx, g, x, w):
    """The Linear backward with tensor ops (differentiable, for create_graph=True)."""
    w2 = w if w.ndim == 2 else w.unsqueeze(0)
    g2 = g.reshape(-1, w2.shape[0])
    gx = gw = gb = None
    if ctx.needs_grad(0):
        gx = g2.matmul(w2).reshape(x.shape)
    if ctx.needs_grad(1):
        gw = g2.t().matmul(x.reshape(-1, x.shape[-1])).reshape(w.shape)
    if ctx.needs_grad(2):
        gb = sum_to(g2, ctx.bias_shape)
    return gx, gw, gb


def _check_linear(x, w, b):
    """torch's errors for linear(x, w, b): ranks, shapes, dtypes (cheap when all is well)."""
    xs, ws = x._data.shape, w._data.shape
    if not xs or not ws:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {len(xs)}D "
                           f"and {len(ws)}D")
    if len(ws) > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {len(ws)}D")
    if len(ws) == 1 and b is not None:
        raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
    xd, wd = x._data.dtype, w._data.dtype
    if b is not None and b._data.dtype != wd:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_short(b.dtype)} and "
                           f"{_short(w.dtype)}")
    if xd != wd:
        if b is None:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_ctype(xd)} != "
                               f"{_ctype(wd)}")
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_short(x.dtype)} and "
                           f"{_short(w.dtype)}")
    n_in = xs[-1]
    if ws[-1] != n_in:
        rows = int(np.prod(xs[:-1]))
        if len(ws) == 1:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{n_in}), vec "
                               f"({ws[0]})")
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{n_in} and "
                           f"{ws[1]}x{ws[0]})")
    if b is not None and b._data.shape != ws[:1]:
        # the bias is added to the (rows, out_features) product of the flattened input
        bs = b._data.shape
        target = (int(np.prod(xs[:-1])), ws[0]) if len(xs) > 1 else (ws[0],)
        try:
            ok = np.broadcast_shapes(bs, target) == target
        except ValueError:
            ok = False
        if not ok:
            if len(xs) == 1:
                raise broadcast_error(target, bs)
            raise RuntimeError(_expand_message(bs, target))


def _expand_message(src, target):
    for i in range(1, len(src) + 1):
        if src[-i] != target[-i] and src[-i] != 1:
            dim = len(target) - i
            return (f"The expanded size of the tensor ({target[-i]}) must match the existing size "
                    f"({src[-i]}) at non-singleton dimension {dim}.  Target sizes: "
                    f"{sizes_str(target)}.  Tensor sizes: {sizes_str(src)}")
    return f"expand: the requested shape {sizes_str(target)} is invalid for a tensor of {sizes_str(src)}"


def _ctype(dt):
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int',
            'int32': 'int'}.get(dt.name, dt.name)


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias. input (*, in_features), weight (out_features, in_features)."""
    check_tensor('linear', 'input', 1, input)
    check_tensor('linear', 'weight', 2, weight)
    if bias is not None:
        check_tensor('linear', 'bias', 3, bias)
    _check_linear(input, weight, bias)
    if input.ndim == 2 and weight.ndim == 2:
        op = Linear if bias is not None else Mm
    elif input.ndim == 2 and weight.ndim == 1:
        op = Mv
    else:
        op = View if bias is not None or input.ndim == 1 or weight.ndim == 1 else UnsafeView
    return op.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b: input1 (*, in1), input2 (*, in2), weight (out, in1, in2) -> (*, out)."""
    check_tensor('bilinear', 'input1', 1, input1)
    check_tensor('bilinear', 'input2', 2, input2)
    check_tensor('bilinear', 'weight', 3, weight)
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and "
                           f"{input2.ndim}")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got "
                               f"{input1.shape[i]} and {input2.shape[i]}")
    if weight.ndim < 3:
        n = max(weight.ndim, 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [-{n}, {n - 1}], but got 2)")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != weight.shape[0]):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[-1] if bias.ndim else 1} but expected {weight.shape[0]}")
    from ...ops.linalg import einsum
    out = einsum('...i,oij,...j->...o', input1, weight, input2)
    return out if bias is None else out + bias
