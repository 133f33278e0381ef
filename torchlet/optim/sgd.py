"""torch.optim.SGD: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
import numpy as np

from .optimizer import (Optimizer, _add_weight_decay, _check_flags, _check_fused_param, _eval_closure,
                        _get_value, _grad_array, _use_grad_for_differentiable, _validate,
                        _view_as_real)
from .._tensor import Tensor

__all__ = ['SGD']


class SGD(Optimizer):
    """Implements stochastic gradient descent (optionally with momentum), like torch.optim.SGD.

    The state of a parameter is ``{'momentum_buffer': Tensor}`` when momentum != 0, else empty.
    """

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

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('nesterov', False)
            group.setdefault('maximize', False)
            group.setdefault('foreach', None)
            group.setdefault('differentiable', False)
            group.setdefault('fused', False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; returns closure()'s loss if a closure is given."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            lr = _get_value(group['lr'])
            weight_decay, momentum = group['weight_decay'], group['momentum']
            dampening, nesterov, maximize = group['dampening'], group['nesterov'], group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                grad = _grad_array(p, maximize)
                param, grad = _view_as_real(p._data, grad)
                if weight_decay != 0:
                    grad = _add_weight_decay(grad, param, weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get('momentum_buffer')
                    if buf is None:
                        buf = state['momentum_buffer'] = Tensor._wrap(np.empty_like(p._data))
                        (buf_arr,) = _view_as_real(buf._data)
                        buf_arr[...] = grad
                    else:
                        (buf_arr,) = _view_as_real(buf._data)
                        buf_arr *= momentum
                        if dampening == 0:
                            buf_arr += grad
                        else:
                            buf_arr += grad * (1 - dampening)
                        buf._vc[0] += 1
                    grad = grad + buf_arr * momentum if nesterov else buf_arr
                param -= grad * lr
                p._vc[0] += 1
        return loss
