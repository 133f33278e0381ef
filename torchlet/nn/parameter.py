"""nn.Parameter: a Tensor that a Module registers as a learnable parameter."""
import numpy as np

from .._tensor import Tensor

__all__ = ['Parameter', 'Buffer']


class Parameter(Tensor):
    """A leaf tensor (requires_grad=True by default) that Modules pick up as a parameter."""
    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            arr = np.empty((0,), np.float32)
            vc = None
        elif isinstance(data, Tensor):
            arr, vc = data._data, data._vc
        else:
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        p = Tensor._wrap(arr, vc=vc).as_subclass(cls)
        p._vc = vc if vc is not None else [0]
        if requires_grad:
            p.requires_grad = True
        return p

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._rg))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(Tensor._wrap(self._data.copy()), self._rg)
        if self._grad is not None:
            p._grad = Tensor._wrap(self._grad._data.copy())
        memo[id(self)] = p
        return p


def _rebuild_parameter(data, requires_grad):
    return Parameter(Tensor._wrap(data), requires_grad)


class Buffer(Tensor):
    """nn.Buffer(tensor, persistent=True): marks a tensor to be registered as a buffer."""
    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        t = (data if data is not None else Tensor._wrap(np.empty((0,), np.float32))).detach()
        b = t.as_subclass(cls)
        b.__dict__['persistent'] = persistent
        return b
