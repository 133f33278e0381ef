"""torch.optim.RAdam: Adam with a rectified (variance-corrected) adaptive learning rate."""
import numpy as np

from .adam import _check_adam_args, _moments_
from .optimizer import _ElementwiseOptimizer, _check_flags, _view_as_real

__all__ = ['RAdam']


class RAdam(_ElementwiseOptimizer):
    """Implements the RAdam algorithm, like torch.optim.RAdam.

    State per parameter: 'step', 'exp_avg', 'exp_avg_sq'.
    """
    _group_defaults = (('foreach', None), ('maximize', False), ('differentiable', False),
                       ('decoupled_weight_decay', False), ('capturable', False))
    _zero_state = ('exp_avg', 'exp_avg_sq')

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable)
        _check_flags(defaults)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, lr):
        state = self.state[p] or self._init_state(p)
        beta1, beta2 = group['betas']
        step_t = state['step']
        step_t._data += 1
        step = float(step_t._data)
        param, grad, exp_avg, exp_avg_sq = _view_as_real(
            p._data, grad, state['exp_avg']._data, state['exp_avg_sq']._data)
        _moments_(exp_avg, exp_avg_sq, grad, beta1, beta2)

        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = exp_avg / bias_correction1
        # length of the approximated simple moving average, and its maximum
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        update *= lr
        if rho_t > 5.0:   # variance is tractable: rectified adaptive step
            adaptive_lr = np.sqrt(exp_avg_sq)
            adaptive_lr += group['eps']
            update *= bias_correction2 ** 0.5 / adaptive_lr
            update *= ((rho_t - 4) * (rho_t - 2) * rho_inf
                       / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        param -= update
