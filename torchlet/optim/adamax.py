"""torch.optim.Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from .adam import _check_adam_args
from .optimizer import _ElementwiseOptimizer, _addcdiv_, _check_flags, _lerp_, _view_as_real

__all__ = ['Adamax']


class Adamax(_ElementwiseOptimizer):
    """Implements the Adamax algorithm, like torch.optim.Adamax.

    State per parameter: 'step', 'exp_avg', 'exp_inf'.
    """
    _group_defaults = (('foreach', None), ('maximize', False), ('differentiable', False),
                       ('capturable', False))
    _zero_state = ('exp_avg', 'exp_inf')

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None,
                 *, maximize=False, differentiable=False, capturable=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        _check_flags(defaults)
        super().__init__(params, defaults)

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
