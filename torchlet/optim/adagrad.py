"""torch.optim.Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
import numpy as np

from .optimizer import (_ElementwiseOptimizer, _addcdiv_, _check_flags, _check_fused_param,
                        _scalar_tensor, _validate, _view_as_real)
from .._tensor import Tensor

__all__ = ['Adagrad']


class Adagrad(_ElementwiseOptimizer):
    """Implements the Adagrad algorithm, like torch.optim.Adagrad.

    State per parameter (created in the constructor, as torch does): 'step' and 'sum'.
    """
    _group_defaults = (('foreach', None), ('maximize', False), ('differentiable', False),
                       ('fused', None))

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate([(0.0 <= lr, f"Invalid learning rate: {lr}"),
                   (0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}"),
                   (0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"),
                   (0.0 <= initial_accumulator_value,
                    f"Invalid initial_accumulator_value value: {initial_accumulator_value}"),
                   (0.0 <= eps, f"Invalid epsilon value: {eps}")])
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        _check_flags(defaults)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group['params']:
                self._init_state(p, group)

    def _init_state(self, p, group):
        if group['fused']:
            _check_fused_param(p)
        init = self.defaults['initial_accumulator_value']
        if p._data.dtype.kind == 'c':
            init = complex(init, init)
        state = self.state[p]
        state['step'] = _scalar_tensor(0.0, group['fused'])
        state['sum'] = Tensor._wrap(np.full_like(p._data, init))
        return state

    def share_memory(self):
        """A no-op: NumPy state arrays live in ordinary process memory."""

    def _update(self, p, grad, group, lr):
        state = self.state[p] or self._init_state(p, group)
        step_t = state['step']
        step_t._data += 1
        clr = lr / (1 + (float(step_t._data) - 1) * group['lr_decay'])
        param, grad, state_sum = _view_as_real(p._data, grad, state['sum']._data)
        state_sum += grad * grad
        std = np.sqrt(state_sum)
        std += group['eps']
        _addcdiv_(param, grad, std, -clr)
