"""torch.optim.Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from .adam import _check_betas
from .optimizer import (_ElementwiseOptimizer, _addcdiv_, _check_flags, _lerp_, _scalar_tensor,
                        _validate, _view_as_real, _zeros_like)
from .._tensor import Tensor

__all__ = ['Adamax']


class Adamax(_ElementwiseOptimizer):
    """Implements the Adamax algorithm, like torch.optim.Adamax.

    State per parameter: 'step', 'exp_avg', 'exp_inf'.
    """
    _group_defaults = (('foreach', None), ('maximize', False), ('differentiable', False),
                       ('capturable', False))

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None,
                 *, maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate([(0.0 <= lr, f"Invalid learning rate: {lr}"),
                   (0.0 <= eps, f"Invalid epsilon value: {eps}")])
        _check_betas(betas)
        _validate([(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")])
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        _check_flags(defaults)
        super().__init__(params, defaults)

    def _init_state(self, p):
        state = self.state[p]
        state['step'] = _scalar_tensor(0.0)
        state['exp_avg'] = _zeros_like(p)
        state['exp_inf'] = _zeros_like(p)
        return state

    def _update(self, p, grad, group, lr):
        state = self.state[p] or self._init_state(p)
        beta1, beta2 = group['betas']
        step_t = state['step']
        step_t._data += 1
        param, grad, exp_avg, exp_inf = _view_as_real(
            p._data, grad, state['exp_avg']._data, state['exp_inf']._data)
        _lerp_(exp_avg, grad, 1 - beta1)
        exp_inf *= beta2   # exp_inf = max(beta2 * exp_inf, |grad| + eps)
        norm = np.abs(grad)
        norm += group['eps']
        np.maximum(exp_inf, norm, out=exp_inf)
        clr = lr / (1 - beta1 ** float(step_t._data))
        _addcdiv_(param, exp_avg, exp_inf, -clr)
