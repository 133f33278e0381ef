"""torch.optim.Adadelta: steps scaled by the ratio of running RMS of updates and of gradients."""
from .optimizer import (_ElementwiseOptimizer, _addcmul_, _check_flags, _sqrt_, _validate,
                        _view_as_real)
from .._tensor import Tensor

__all__ = ['Adadelta']


class Adadelta(_ElementwiseOptimizer):
    """Implements the Adadelta algorithm, like torch.optim.Adadelta.

    State per parameter: 'step', 'square_avg', 'acc_delta'.
    """
    _group_defaults = (('foreach', None), ('maximize', False), ('differentiable', False),
                       ('capturable', False))
    _zero_state = ('square_avg', 'acc_delta')

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _validate([(0.0 <= lr, f"Invalid learning rate: {lr}"),
                   (0.0 <= rho <= 1.0, f"Invalid rho value: {rho}"),
                   (0.0 <= eps, f"Invalid epsilon value: {eps}"),
                   (0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")])
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        _check_flags(defaults)
        super().__init__(params, defaults)

    def _update(self, p, grad, group, lr):
        state = self.state[p] or self._init_state(p)
        state['step']._data += 1
        rho, eps = group['rho'], group['eps']
        param, grad, square_avg, acc_delta = _view_as_real(
            p._data, grad, state['square_avg']._data, state['acc_delta']._data)
        square_avg *= rho
        _addcmul_(square_avg, grad, grad, 1 - rho)
        std = _sqrt_(square_avg + eps)
        delta = _sqrt_(acc_delta + eps)
        delta /= std
        delta *= grad
        acc_delta *= rho
        _addcmul_(acc_delta, delta, delta, 1 - rho)
        param -= delta * lr
