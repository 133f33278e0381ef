"""torch.optim.RMSprop: gradients scaled by a running root-mean-square, optionally centered and with
momentum."""
import numpy as np

from .optimizer import (_ElementwiseOptimizer, _addcdiv_, _addcmul_, _check_flags, _lerp_,
                        _scalar_tensor, _sqrt_, _validate, _view_as_real, _zeros_like)
from .._tensor import Tensor

__all__ = ['RMSprop']


class RMSprop(_ElementwiseOptimizer):
    """Implements the RMSprop algorithm, like torch.optim.RMSprop.

    State per parameter: 'step', 'square_avg', plus 'momentum_buffer' (momentum > 0) and 'grad_avg'
    (centered).
    """
    _group_defaults = (('momentum', 0), ('centered', False), ('foreach', None), ('maximize', False),
                       ('differentiable', False), ('capturable', False))

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate([(0.0 <= lr, f"Invalid learning rate: {lr}"),
                   (0.0 <= eps, f"Invalid epsilon value: {eps}"),
                   (0.0 <= momentum, f"Invalid momentum value: {momentum}"),
                   (0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}"),
                   (0.0 <= alpha, f"Invalid alpha value: {alpha}")])
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        _check_flags(defaults)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        state = self.state[p]
        state['step'] = _scalar_tensor(0.0)
        state['square_avg'] = _zeros_like(p)
        if group['momentum'] > 0:
            state['momentum_buffer'] = _zeros_like(p)
        if group['centered']:
            state['grad_avg'] = _zeros_like(p)
        return state

    def _update(self, p, grad, group, lr):
        state = self.state[p] or self._init_state(p, group)
        state['step']._data += 1
        alpha, momentum = group['alpha'], group['momentum']
        param, grad, square_avg = _view_as_real(p._data, grad, state['square_avg']._data)
        square_avg *= alpha
        _addcmul_(square_avg, grad, grad, 1 - alpha)
        if group['centered']:   # avg = sqrt(square_avg - grad_avg ** 2)
            (grad_avg,) = _view_as_real(state['grad_avg']._data)
            _lerp_(grad_avg, grad, 1 - alpha)
            avg = grad_avg * -1
            avg *= grad_avg
            avg += square_avg
            avg = _sqrt_(avg)
        else:
            avg = np.sqrt(square_avg)
        avg += group['eps']
        if momentum > 0:
            (buf,) = _view_as_real(state['momentum_buffer']._data)
            buf *= momentum
            buf += grad / avg
            param -= buf * lr
        else:
            _addcdiv_(param, grad, avg, -lr)
