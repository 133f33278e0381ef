"""torch.optim.Adam (and, with decoupled_weight_decay=True, AdamW's update)."""
import numpy as np

from .optimizer import (_ElementwiseOptimizer, _addcdiv_, _addcmul_, _check_flags,
                        _check_fused_param, _get_value, _lerp_, _scalar_tensor, _to_scalar,
                        _validate, _view_as_real, _zeros_like)
from .._tensor import Tensor

__all__ = ['Adam']


def _check_betas(betas):
    _validate([(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}"),
               (0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")])


def _check_adam_args(lr, betas, eps, weight_decay, *more_checks):
    """torch's ValueErrors for the arguments of the Adam variants without Tensor betas (Adamax,
    NAdam, RAdam); ``more_checks`` are (ok, message) pairs checked after weight_decay."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    _validate([(0.0 <= lr, f"Invalid learning rate: {lr}"),
               (0.0 <= eps, f"Invalid epsilon value: {eps}")])
    _check_betas(betas)
    _validate([(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"), *more_checks])


def _moments_(exp_avg, exp_avg_sq, grad, beta1, beta2, buf=None):
    """Adam's moment updates: exp_avg.lerp_(grad, 1 - beta1);
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)."""
    _lerp_(exp_avg, grad, 1 - beta1, buf)
    exp_avg_sq *= beta2
    _addcmul_(exp_avg_sq, grad, grad, 1 - beta2, buf)


class Adam(_ElementwiseOptimizer):
    """Implements the Adam algorithm, like torch.optim.Adam.

    State per parameter: 'step' (0-dim float tensor), 'exp_avg', 'exp_avg_sq' and, with amsgrad,
    'max_exp_avg_sq'.
    """
    _group_defaults = (('amsgrad', False), ('maximize', False), ('foreach', None),
                       ('capturable', False), ('differentiable', False),
                       ('decoupled_weight_decay', False), ('fused', None))

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
        _validate([(0.0 <= lr, f"Invalid learning rate: {lr}"),
                   (0.0 <= eps, f"Invalid epsilon value: {eps}")])
        _check_betas(betas)
        _validate([(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"),
                   ((isinstance(betas[0], float) and isinstance(betas[1], float))
                    or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)),
                    "betas must be either both floats or both Tensors")])
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False "
                                     f"and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(map(_to_scalar, betas))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        _check_flags(defaults)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        if group['fused']:
            _check_fused_param(p)
        state = self.state[p]
        state['step'] = _scalar_tensor(0.0, group['fused'])
        state['exp_avg'] = _zeros_like(p)
        state['exp_avg_sq'] = _zeros_like(p)
        if group['amsgrad']:
            state['max_exp_avg_sq'] = _zeros_like(p)
        return state

    def _update(self, p, grad, group, lr):
        state = self.state[p] or self._init_state(p, group)
        beta1, beta2 = (_get_value(b) for b in group['betas'])
        step_t = state['step']
        step_t._data += 1
        param, grad, exp_avg, exp_avg_sq = _view_as_real(
            p._data, grad, state['exp_avg']._data, state['exp_avg_sq']._data)
        buf = np.empty_like(param)   # scratch shared by the elementwise steps
        _moments_(exp_avg, exp_avg_sq, grad, beta1, beta2, buf)

        step = float(step_t._data)
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if group['amsgrad']:
            (max_sq,) = _view_as_real(state['max_exp_avg_sq']._data)
            np.maximum(max_sq, exp_avg_sq, out=max_sq)
            denom = np.sqrt(max_sq)
        else:
            denom = np.sqrt(exp_avg_sq)
        denom /= bias_correction2_sqrt
        denom += group['eps']
        _addcdiv_(param, exp_avg, denom, -step_size, buf)
