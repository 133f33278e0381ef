"""torch.autograd: the engine, grad modes, custom Functions, gradcheck and anomaly detection."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode,
                        is_inference_mode_enabled)
from .function import Function, FunctionCtx, once_differentiable
from .engine import backward, grad
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled
from .gradcheck import gradcheck, gradgradcheck
from . import graph  # noqa: F401

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'is_grad_enabled', 'inference_mode',
           'Function', 'backward', 'grad', 'detect_anomaly', 'set_detect_anomaly', 'gradcheck',
           'gradgradcheck']
