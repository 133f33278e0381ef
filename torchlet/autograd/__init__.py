"""torch.autograd: the engine, grad modes, custom Functions, gradcheck and anomaly detection."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode,
                        is_inference_mode_enabled)
from .function import Function, FunctionCtx, NestedIOFunction, once_differentiable
from .engine import backward, grad
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .gradcheck import gradcheck, gradgradcheck
from .variable import Variable
from . import function, graph, grad_mode, anomaly_mode, functional, variable  # noqa: F401

__all__ = ['Variable', 'Function', 'backward', 'grad_mode', 'NestedIOFunction', 'detect_anomaly',
           'enable_grad', 'grad', 'gradcheck', 'gradgradcheck', 'inference_mode', 'no_grad',
           'set_detect_anomaly', 'set_grad_enabled', 'set_multithreading_enabled',
           'is_multithreading_enabled']

_multithreading = [True]


def set_multithreading_enabled(mode):
    """Accepted for compatibility: torchlet's backward always runs on the calling thread."""
    _multithreading[0] = bool(mode)


def is_multithreading_enabled():
    return _multithreading[0]
