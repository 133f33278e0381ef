"""torch.optim.NAdam: Adam with Nesterov momentum (and momentum decay)."""
from .adam import _check_adam_args, _moments_
from .optimizer import (_ElementwiseOptimizer, _addcdiv_, _check_flags, _scalar_tensor, _sqrt_,
                        _view_as_real, _zeros_like)

__all__ = ['NAdam']


class NAdam(_ElementwiseOptimizer):
    """Implements the NAdam algorithm, like torch.optim.NAdam.

    State per parameter: 'step', 'mu_product' (0-dim tensors), 'exp_avg', 'exp_avg_sq'.
    """
    _group_defaults = (('maximize', False), ('foreach', None), ('capturable', False),
                       ('differentiable', False), ('decoupled_weight_decay', False))
    _scalar_state = ('step', 'mu_product')
    _capturable_names = 'params, mu_products and state_steps'

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_adam_args(lr, betas, eps, weight_decay,
                         (0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}"))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable)
        _check_flags(defaults)
        super().__init__(params, defaults)

    def _init_state(self, p):
        state = self.state[p]
        state['step'] = _scalar_tensor(0.0)
        state['mu_product'] = _scalar_tensor(1.0)
        state['exp_avg'] = _zeros_like(p)
        state['exp_avg_sq'] = _zeros_like(p)
        return state

    def _update(self, p, grad, group, lr):
        state = self.state[p] or self._init_state(p)
        beta1, beta2 = group['betas']
        momentum_decay = group['momentum_decay']
        step_t, mu_product = state['step'], state['mu_product']
        step_t._data += 1
        step = float(step_t._data)
        bias_correction2 = 1 - beta2 ** step
        # momentum cache mu_t and mu_{t+1}; mu_product (a float32 0-dim tensor in torch) *= mu_t
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product._data *= mu
        param, grad, exp_avg, exp_avg_sq = _view_as_real(
            p._data, grad, state['exp_avg']._data, state['exp_avg_sq']._data)
        _moments_(exp_avg, exp_avg_sq, grad, beta1, beta2)
        denom = _sqrt_(exp_avg_sq / bias_correction2)
        denom += group['eps']
        mu_product_value = float(mu_product._data)
        mu_product_next = mu_product_value * mu_next
        _addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product_value))
        _addcdiv_(param, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
