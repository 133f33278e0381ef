"""Linear layers: Identity, Linear, Bilinear."""
import math

from ... import _dtype
from ...ops.factories import empty
from ..parameter import Parameter
from .. import init
from .._functional import linear as F
from .module import Module

__all__ = ['Identity', 'Linear', 'Bilinear']


def _register_weight_and_bias(module, weight_shape, out_features, bias, dtype, device=None):
    """Give ``module`` an uninitialised ``weight`` of ``weight_shape`` and, if ``bias``, a ``bias``
    of ``out_features`` (else a None bias)."""
    dt = dtype or _dtype.get_default_dtype()
    module.weight = Parameter(empty(weight_shape, dtype=dt, device=device))
    if bias:
        module.bias = Parameter(empty(out_features, dtype=dt, device=device))
    else:
        module.register_parameter('bias', None)


def _kaiming_uniform_reset(weight, bias):
    """torch's default init of Linear/Conv: kaiming_uniform_(a=sqrt(5)) for the weight, which is
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and that same bound for the bias (if any)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Identity(Module):
    """Returns its input; accepts and ignores any constructor arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x A^T + b. Input (*, in_features) -> output (*, out_features).

    weight (out_features, in_features) and bias (out_features) start as U(-1/sqrt(in), 1/sqrt(in)).
    """
    __constants__ = ['in_features', 'out_features']

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        _register_weight_and_bias(self, (out_features, in_features), out_features, bias, dtype,
                                  device)
        self.reset_parameters()

    def reset_parameters(self):
        _kaiming_uniform_reset(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, " \
               f"bias={self.bias is not None}"


class Bilinear(Module):
    """y = x1^T A x2 + b. Inputs (*, in1_features) and (*, in2_features) -> (*, out_features).

    weight (out_features, in1_features, in2_features) and bias start as U(-1/sqrt(in1), 1/sqrt(in1)).
    """
    __constants__ = ['in1_features', 'in2_features', 'out_features']

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        _register_weight_and_bias(self, (out_features, in1_features, in2_features), out_features,
                                  bias, dtype, device)
        self.reset_parameters()

    def reset_parameters(self):
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
