"""torch.optim.SGD: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
import numpy as np

from .optimizer import (_ElementwiseOptimizer, _check_flags, _check_fused_param, _validate,
                        _view_as_real)
from .._tensor import Tensor

__all__ = ['SGD']


class SGD(_ElementwiseOptimizer):
    """Implements stochastic gradient descent (optionally with momentum), like torch.optim.SGD.

    The state of a parameter is ``{'momentum_buffer': Tensor}`` when momentum != 0, else empty.
    """
    _group_defaults = (('nesterov', False), ('maximize', False), ('foreach', None),
                       ('differentiable', False), ('fused', False))
    _scalar_state = ()

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate([(lr >= 0.0, f"Invalid learning rate: {lr}"),
                   (momentum >= 0.0, f"Invalid momentum value: {momentum}"),
                   (weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")])
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_flags(defaults)
        super().__init__(params, defaults)
        if fused:
            for group in self.param_groups:
                for p in group['params']:
                    _check_fused_param(p)

    def _update(self, p, grad, group, lr):
        param, grad = _view_as_real(p._data, grad)
        momentum = group['momentum']
        if momentum != 0:
            state = self.state[p]
            buf = state.get('momentum_buffer')
            if buf is None:   # the first buffer is a copy of the gradient
                buf = state['momentum_buffer'] = Tensor._wrap(np.empty_like(p._data))
                (buf_arr,) = _view_as_real(buf._data)
                buf_arr[...] = grad
            else:
                (buf_arr,) = _view_as_real(buf._data)
                buf_arr *= momentum
                dampening = group['dampening']
                buf_arr += grad if dampening == 0 else grad * (1 - dampening)
                buf._vc[0] += 1
            grad = grad + buf_arr * momentum if group['nesterov'] else buf_arr
        param -= grad * lr
