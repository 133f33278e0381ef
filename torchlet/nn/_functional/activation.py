"""Activation functions of torch.nn.functional: ReLU family, ELU family, GELU/SiLU/Mish, the hard and
soft shrinks, softplus, log-sigmoid, GLU and PReLU/RReLU (softmax and friends: softmax.py).

An elementwise activation is a :class:`Pointwise` op: ``compute`` is the forward on arrays and
``derivative(xp, g, x, y, *params)`` its gradient, written once against a small math namespace
``xp``. Backward runs it on ndarrays (:data:`ARRAYS`, the fast path) or, when the gradient itself is
recorded (``create_graph=True``), on Tensors (:data:`TENSORS`), so that higher derivatives work.
"""
import math

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.grad_mode import _State
from ...ops import _special
from ...ops._util import Op, inplace as _inplace, register, wrap_dim, _short
from ...ops._pointwise import kernel_error, blockwise, BLOCK
from ...ops import unary as _unary
from ...ops.comparison import where as _where
from ...ops.join_split import cat as _cat

__all__ = ['relu', 'relu_', 'relu6', 'threshold', 'threshold_', 'hardtanh', 'hardtanh_', 'leaky_relu',
           'leaky_relu_', 'elu', 'elu_', 'selu', 'selu_', 'celu', 'celu_', 'gelu', 'silu', 'mish',
           'hardsigmoid', 'hardswish', 'softplus', 'softsign', 'softshrink', 'hardshrink',
           'tanhshrink', 'logsigmoid', 'sigmoid', 'tanh', 'prelu', 'rrelu', 'rrelu_', 'glu']

_wrap = Tensor._wrap
_ndarray = np.ndarray
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_ONE_SIXTH_F32 = float(np.float32(1 / 6))   # torch's hardsigmoid derivative uses 1.0f / 6.0f


def _as_array(r):
    return r if r.__class__ is _ndarray else np.asarray(r)


def _np_sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _array_erf(a):
    """erf of an array: for float32 the Abramowitz-Stegun 7.1.26 formula that torch's vectorised
    float kernels (gelu) use (absolute error < 1.5e-7, within an ulp or two of torch's values, and
    several times faster than the accurate erf); otherwise the accurate erf of torchlet.erf."""
    if a.dtype != np.float32:
        return _special.erf(a)
    t = 1 / (np.abs(a) * 0.3275911 + 1)
    r = (((t * 1.061405429 - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592
    r *= t
    r *= np.exp(-(a * a))
    return np.copysign(1 - r, a)


def _channel_first_reduce(reduce, a, dims):
    """reduce(a, dims) with keepdims, fast for the batch-norm pattern dims = (0, 2, 3, ...): the
    contiguous trailing dims are reduced first (pairwise, in one pass), then the batch dim."""
    if a.ndim > 2 and dims == (0,) + tuple(range(2, a.ndim)):
        r = reduce(a.reshape(a.shape[0], a.shape[1], -1), axis=2)
        return reduce(r, axis=0).reshape((1, a.shape[1]) + (1,) * (a.ndim - 2))
    return reduce(a, axis=dims, keepdims=True)


class ARRAYS:
    """The math that derivative formulas use, on ndarrays (backward's fast path)."""
    exp = staticmethod(np.exp)
    tanh = staticmethod(np.tanh)
    erf = staticmethod(_array_erf)
    sigmoid = staticmethod(_np_sigmoid)
    where = staticmethod(np.where)

    @staticmethod
    def softplus(a):
        return np.logaddexp(a, 0)

    @staticmethod
    def sum(a, dims):
        return _channel_first_reduce(np.sum, a, dims)

    @staticmethod
    def mean(a, dims):
        return _channel_first_reduce(np.mean, a, dims)

    @staticmethod
    def halves(a, dim):
        return np.split(a, 2, axis=dim)

    @staticmethod
    def cat(parts, dim):
        return np.concatenate(parts, axis=dim)

    @staticmethod
    def const(arr):
        return arr


class TENSORS:
    """The same math on Tensors (recorded by autograd: used under create_graph)."""
    exp = staticmethod(_unary.exp)
    tanh = staticmethod(_unary.tanh)
    erf = staticmethod(_unary.erf)
    sigmoid = staticmethod(_unary.sigmoid)
    where = staticmethod(_where)

    @staticmethod
    def softplus(t):
        return Softplus.call(t, 1.0, 20.0)

    @staticmethod
    def sum(t, dims):
        return t.sum(dims, keepdim=True)

    @staticmethod
    def mean(t, dims):
        return t.mean(dims, keepdim=True)

    @staticmethod
    def halves(t, dim):
        return t.chunk(2, dim)

    @staticmethod
    def cat(parts, dim):
        return _cat(parts, dim)

    @staticmethod
    def const(arr):
        return _wrap(arr)


def check_tensor(input, name):
    """torch's TypeError when the input of ``name`` is not a Tensor."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


class Pointwise(Op):
    """An elementwise activation with Python-number parameters. ``compute(a, *params)`` is the
    forward on arrays; ``derivative(xp, g, x, y, *params)`` the input gradient (x: the input when
    ``saves_input``, y: the output when ``saves_output``). ``kernel`` names torch's kernel in the
    error for integer input (None: integers are allowed and keep their dtype)."""
    kernel = None
    saves_input = True

    @staticmethod
    def compute(a, *params):
        raise NotImplementedError

    @staticmethod
    def derivative(xp, g, x, y, *params):
        raise NotImplementedError

    @classmethod
    def call(cls, input, *params):
        """The activation of a Tensor, recorded only when autograd needs it."""
        a = input._data
        if cls.kernel is not None and a.dtype.kind not in 'fc':
            raise kernel_error(cls.kernel, a.dtype)
        if input._rg and _State.grad_enabled:
            return cls.apply(input, *params)
        return _wrap(_as_array(cls.compute(a, *params)))

    @staticmethod
    def forward(ctx, x, *params):
        ctx.params = params
        if ctx.saves_input:
            ctx.save_for_backward(x)
        return ctx.compute(x._data, *params)

    @staticmethod
    def backward(ctx, g):
        x = ctx.saved_tensors[0] if ctx.saves_input else None
        y = ctx.output if ctx.saves_output else None
        params = ctx.params
        if _State.grad_enabled:
            gx = ctx.derivative(TENSORS, g, x, y, *params)
        else:
            gx = _wrap(_as_array(ctx.derivative(ARRAYS, g._data, None if x is None else x._data,
                                                None if y is None else y._data, *params)))
        return (gx,) + (None,) * len(params)


def _same_dtype(r, a):
    return r if r.dtype == a.dtype else r.astype(a.dtype)


class Hardtanh(Pointwise):
    """clamp(x, min_val, max_val); relu6 is hardtanh(x, 0, 6)."""

    @staticmethod
    def compute(a, lo, hi):
        return _same_dtype(_as_array(np.clip(a, lo, hi)), a)

    @staticmethod
    def derivative(xp, g, x, y, lo, hi):
        return xp.where((x <= lo) | (x >= hi), 0.0, g)


class Threshold(Pointwise):
    """x if x > threshold else value."""

    @staticmethod
    def compute(a, th, value):
        return _same_dtype(np.where(a <= th, value, a), a)

    @staticmethod
    def derivative(xp, g, x, y, th, value):
        return xp.where(x <= th, 0.0, g)


class LeakyRelu(Pointwise):
    """x if x > 0 else negative_slope * x."""
    kernel = 'leaky_relu_cpu'

    @staticmethod
    def compute(a, slope):
        if not 0 < slope <= 1:          # (slope 0: inf * 0 is nan, which max would keep)
            return np.where(a > 0, a, a * slope)
        # max(x, slope * x): the same values, several times faster than np.where (blockwise in cache)
        if a.size < 2 * BLOCK:
            return np.maximum(a, a * slope)

        def kernel(o, ab):
            np.multiply(ab, slope, out=o)
            np.maximum(ab, o, out=o)
        return blockwise(kernel, np.empty(a.shape, a.dtype), np.ascontiguousarray(a))

    @staticmethod
    def derivative(xp, g, x, y, slope):
        if xp is ARRAYS:
            if g.dtype == np.float16:             # torch multiplies in float32
                return np.where(x > 0, g, (g.astype(np.float32) * np.float32(slope)).astype(g.dtype))
            s = np.asarray(slope, g.dtype)
            rest = np.asarray(1, g.dtype) - s
            if rest + s == 1:         # k = mask * (1 - slope) + slope is exactly 1 or slope
                def kernel(k, gb, xb):
                    np.greater(xb, 0, out=k)
                    k *= rest
                    k += s
                    k *= gb
                return blockwise(kernel, np.empty(g.shape, g.dtype), np.ascontiguousarray(g),
                                 np.ascontiguousarray(x))
            return np.array([slope, 1], g.dtype).take((x > 0).view(np.uint8)) * g
        return xp.where(x > 0, g, g * slope)


class Elu(Pointwise):
    """scale * x if x > 0 else alpha * scale * (exp(x * input_scale) - 1) (elu, selu, celu)."""
    kernel = 'elu_cpu'

    @staticmethod
    def compute(a, alpha, scale, input_scale):
        return np.where(a <= 0, np.expm1(a * input_scale) * (alpha * scale), a * scale)

    @staticmethod
    def derivative(xp, g, x, y, alpha, scale, input_scale):
        return xp.where(x <= 0, g * xp.exp(x * input_scale) * (alpha * scale * input_scale),
                        g * scale)


class Celu(Elu):
    """celu's node: torch's derivative rounds alpha to float32 in 1 / alpha."""

    @staticmethod
    def derivative(xp, g, x, y, alpha, scale, input_scale):
        return Elu.derivative(xp, g, x, y, alpha, scale, 1.0 / float(np.float32(alpha)))


class Gelu(Pointwise):
    """x * Phi(x) (approximate='none') or its tanh approximation (approximate='tanh')."""
    kernel = 'GeluKernelImpl'
    _BETA = math.sqrt(2 / math.pi)
    _KAPPA = 0.044715
    _PDF = 0.5 * 2 / math.sqrt(math.pi) * math.sqrt(0.5)

    @staticmethod
    def compute(a, approximate):
        if approximate == 'tanh':
            inner = np.tanh((a + a * a * a * Gelu._KAPPA) * Gelu._BETA)
            return a * 0.5 * (inner + 1)
        return a * 0.5 * (_array_erf(a * math.sqrt(0.5)) + 1)

    @staticmethod
    def derivative(xp, g, x, y, approximate):
        if approximate == 'tanh':
            beta, kappa = Gelu._BETA, Gelu._KAPPA
            x_sq = x * x
            t = xp.tanh((x + x_sq * x * kappa) * beta)
            right = x * 0.5 * (1 - t * t) * beta * (x_sq * (3 * kappa) + 1)
            return g * ((t + 1) * 0.5 + right)
        cdf = (xp.erf(x * math.sqrt(0.5)) + 1) * 0.5
        pdf = xp.exp(x * x * -0.5) * Gelu._PDF
        return g * (cdf + x * pdf)


class Silu(Pointwise):
    """x * sigmoid(x)."""
    kernel = 'silu_cpu'

    @staticmethod
    def compute(a):
        return a / (1 + np.exp(-a))

    @staticmethod
    def derivative(xp, g, x, y):
        s = xp.sigmoid(x)
        return g * s * (x * (1 - s) + 1)


class Mish(Pointwise):
    """x * tanh(softplus(x))."""
    kernel = 'mish_cpu'

    @staticmethod
    def compute(a):
        return a * np.tanh(np.logaddexp(a, 0))

    @staticmethod
    def derivative(xp, g, x, y):
        t = xp.tanh(xp.softplus(x))
        return g * (t + x * xp.sigmoid(x) * (1 - t * t))


class Hardsigmoid(Pointwise):
    """clamp(x + 3, 0, 6) / 6."""
    kernel = 'hardsigmoid_cpu'

    @staticmethod
    def compute(a):
        return np.clip(a + 3, 0, 6) / 6

    @staticmethod
    def derivative(xp, g, x, y):
        return xp.where((x > -3) & (x < 3), g * _ONE_SIXTH_F32, 0.0)


class Hardswish(Pointwise):
    """x * clamp(x + 3, 0, 6) / 6."""
    kernel = 'hardswish_cpu'

    @staticmethod
    def compute(a):
        return a * np.clip(a + 3, 0, 6) / 6

    @staticmethod
    def derivative(xp, g, x, y):
        return xp.where(x <= -3, 0.0, xp.where(x < 3, g * (x / 3 + 0.5), g))


class Softplus(Pointwise):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold."""
    kernel = 'softplus_cpu'

    @staticmethod
    def compute(a, beta, threshold):
        z = a * beta
        return np.where(z > threshold, a, np.log1p(np.exp(z)) / beta)

    @staticmethod
    def derivative(xp, g, x, y, beta, threshold):
        z = xp.exp(x * beta)
        return xp.where(x * beta > threshold, g, g * z / (z + 1))


def _shrink_derivative(xp, g, x, y, lambd):
    """The gradient of soft- and hardshrink: 0 on [-lambd, lambd], g outside."""
    return xp.where((x >= -lambd) & (x <= lambd), 0.0, g)


class Softshrink(Pointwise):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    kernel = 'softshrink_check'

    @staticmethod
    def compute(a, lambd):
        return np.where(a > lambd, a - lambd, np.where(a < -lambd, a + lambd, a * 0))

    derivative = staticmethod(_shrink_derivative)


class Hardshrink(Pointwise):
    """x outside [-lambd, lambd], 0 inside."""
    kernel = 'hardshrink_cpu'

    @staticmethod
    def compute(a, lambd):
        return np.where((a >= -lambd) & (a <= lambd), a * 0, a)

    derivative = staticmethod(_shrink_derivative)


class LogSigmoid(Pointwise):
    """log(sigmoid(x)), computed stably as min(x, 0) - log1p(exp(-|x|))."""
    kernel = 'log_sigmoid_cpu'

    @staticmethod
    def compute(a):
        return np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))

    @staticmethod
    def derivative(xp, g, x, y):
        return g * xp.sigmoid(-x)


class RreluWithNoise(Pointwise):
    """Randomized leaky ReLU: x * noise in training (noise drawn per non-positive element), the
    leaky ReLU with slope (lower + upper) / 2 in evaluation (``noise`` None)."""
    kernel = 'leaky_relu_cpu'

    @staticmethod
    def compute(a, noise, slope):
        if noise is None:
            return np.where(a > 0, a, a * slope)
        return a * noise

    @staticmethod
    def derivative(xp, g, x, y, noise, slope):
        if noise is None:
            return xp.where(x > 0, g, g * slope)
        return g * xp.const(noise)


# -- public functions --------------------------------------------------------------------------------
def _activation(op, name, input, params, in_place=False):
    """op applied to input (in place when asked), with torch's checks on the input."""
    check_tensor(input, name)
    if in_place:
        if op.kernel is not None and input._data.dtype.kind not in 'fc':
            raise kernel_error(op.kernel, input._data.dtype)
        return _inplace(input, op.call, *params)
    return op.call(input, *params)


def relu(input, inplace=False):
    """max(input, 0)."""
    return _unary.relu_(input) if inplace else _unary.relu(input)


def relu_(input):
    return _unary.relu_(input)


def threshold(input, threshold, value, inplace=False):
    """input where input > threshold, else value."""
    return _activation(Threshold, 'threshold', input, (threshold, value), inplace)


def threshold_(input, threshold, value):
    return _activation(Threshold, 'threshold_', input, (threshold, value), True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(input, min_val, max_val)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _activation(Hardtanh, 'hardtanh', input, (min_val, max_val), inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """min(max(input, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """input if input > 0 else negative_slope * input."""
    return _activation(LeakyRelu, 'leaky_relu', input, (float(negative_slope),), inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    """input if input > 0 else alpha * (exp(input) - 1)."""
    return _activation(Elu, 'elu', input, (float(alpha), 1.0, 1.0), inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input, inplace=False):
    """scale * elu(input, alpha) with SELU's fixed alpha and scale."""
    return _activation(Elu, 'selu', input, (_SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, input) + min(0, alpha * (exp(input / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _activation(Celu, 'celu', input, (float(alpha), 1.0, 1.0 / alpha), inplace)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def gelu(input, approximate='none'):
    """input * Phi(input), exact (approximate='none') or with the tanh approximation."""
    if approximate not in ('none', 'tanh'):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _activation(Gelu, 'gelu', input, (approximate,))


def silu(input, inplace=False):
    """input * sigmoid(input)."""
    return _activation(Silu, 'silu', input, (), inplace)


def mish(input, inplace=False):
    """input * tanh(softplus(input))."""
    return _activation(Mish, 'mish', input, (), inplace)


def hardsigmoid(input, inplace=False):
    """relu6(input + 3) / 6."""
    return _activation(Hardsigmoid, 'hardsigmoid', input, (), inplace)


def hardswish(input, inplace=False):
    """input * relu6(input + 3) / 6."""
    return _activation(Hardswish, 'hardswish', input, (), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * input)) / beta (linear above threshold)."""
    return _activation(Softplus, 'softplus', input, (float(beta), float(threshold)))


def softsign(input):
    """input / (1 + |input|)."""
    check_tensor(input, 'softsign')
    return input / (input.abs() + 1)


def _check_lambda(input, lambd):
    if lambd < 0 and input._data.dtype.kind == 'f':
        dt = input._data.dtype
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(dt).max:g}] for input dtype "
                           f"{_short(_dtype.from_numpy_dtype(dt))}, but found {lambd:g}")


def softshrink(input, lambd=0.5):
    """input -+ lambd outside [-lambd, lambd], 0 inside."""
    check_tensor(input, 'softshrink')
    _check_lambda(input, lambd)
    return _activation(Softshrink, 'softshrink', input, (float(lambd),))


def hardshrink(input, lambd=0.5):
    """input outside [-lambd, lambd], 0 inside."""
    return _activation(Hardshrink, 'hardshrink', input, (float(lambd),))


def tanhshrink(input):
    """input - tanh(input)."""
    check_tensor(input, 'tanhshrink')
    return input - _unary.tanh(input)


def logsigmoid(input):
    """log(sigmoid(input))."""
    return _activation(LogSigmoid, 'log_sigmoid', input, ())


def sigmoid(input):
    return _unary.sigmoid(input)


def tanh(input):
    return _unary.tanh(input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: negative inputs scaled by a slope drawn uniformly from
    [lower, upper] per element in training, by (lower + upper) / 2 in evaluation."""
    check_tensor(input, 'rrelu')
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    a = input._data
    if a.dtype.kind not in 'fc':
        raise kernel_error('leaky_relu_cpu', a.dtype)
    noise = None
    if training:
        from ...random import default_generator, _uniform_values
        negative = a <= 0
        noise = np.ones(a.shape, a.dtype)
        noise[negative] = _uniform_values(default_generator, int(negative.sum()), np.dtype(np.float64),
                                          lower, upper)
    params = (noise, (lower + upper) / 2)
    return _inplace(input, RreluWithNoise.call, *params) if inplace else \
        RreluWithNoise.call(input, *params)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


class PreluKernel(Op):
    """x if x > 0 else weight * x, weight broadcast along the channel dimension (dim 1)."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        a = x._data
        wa = _channel_view(w._data, a.ndim)
        return np.where(a > 0, a, wa * a)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        if _State.grad_enabled:
            return _prelu_grads(TENSORS, g, x, w, w.reshape(_channel_shape(w._data, x._data.ndim)))
        gx, gw = _prelu_grads(ARRAYS, g._data, x._data, w._data, _channel_view(w._data, x._data.ndim))
        return _wrap(_as_array(gx)), _wrap(_as_array(gw))


def _channel_shape(w, ndim):
    """The shape that broadcasts a PReLU weight along dim 1 of an ndim-dimensional input."""
    if ndim >= 2 and w.size > 1:
        return (1, w.size) + (1,) * (ndim - 2)
    return w.shape if w.ndim <= ndim else ()


def _channel_view(w, ndim):
    return w.reshape(_channel_shape(w, ndim))


def _prelu_grads(xp, g, x, w, wb):
    """Gradients of prelu for input x and weight w (wb: w broadcastable against x)."""
    positive = x > 0
    gx = xp.where(positive, g, g * wb)
    gw_full = xp.where(positive, 0.0, x * g)
    shape = x.shape
    if w.ndim == 0 or w.shape[0] == 1 or len(shape) < 2:
        gw = xp.sum(gw_full, tuple(range(len(shape)))).reshape(tuple(w.shape))
    else:
        gw = xp.sum(gw_full, (0,) + tuple(range(2, len(shape)))).reshape(tuple(w.shape))
    return gx, gw


def prelu(input, weight):
    """input if input > 0 else weight * input, one weight per channel (dim 1) or a single one."""
    check_tensor(input, 'prelu')
    a, w = input._data, weight._data
    if a.dtype != w.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{_short(_dtype.from_numpy_dtype(a.dtype))} and "
                           f"{_short(_dtype.from_numpy_dtype(w.dtype))}")
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{w.ndim}")
    channels = a.shape[1] if a.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {w.size} and channel size = {channels}.")
    if _State.grad_enabled and (input._rg or weight._rg):
        return PreluKernel.apply(input, weight)
    return _wrap(np.where(a > 0, a, _channel_view(w, a.ndim) * a))


class Glu(Op):
    """a * sigmoid(b), where a and b are the two halves of the input along dim."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.save_for_backward(x)
        a, b = np.split(x._data, 2, axis=dim)
        return a * _np_sigmoid(b)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if _State.grad_enabled:
            return _glu_grad(TENSORS, g, x, ctx.dim), None
        return _wrap(_glu_grad(ARRAYS, g._data, x._data, ctx.dim)), None


def _glu_grad(xp, g, x, dim):
    a, b = xp.halves(x, dim)
    s = xp.sigmoid(b)
    ga = g * s
    return xp.cat([ga, ga * a * (1 - s)], dim)


def glu(input, dim=-1):
    """The gated linear unit: first half of input (along dim) times sigmoid of the second half."""
    check_tensor(input, 'glu')
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {a.shape[d]}")
    if a.dtype.kind not in 'fc':
        raise kernel_error('glu_cpu', a.dtype)
    if _State.grad_enabled and input._rg:
        return Glu.apply(input, d)
    x, y = np.split(a, 2, axis=d)
    return _wrap(x * _np_sigmoid(y))


# the Tensor methods torch has for these functions
register(hardshrink=lambda self, lambd=0.5: hardshrink(self, lambd))
