"""torch.autograd.Variable: the pre-0.4 wrapper, today just a Tensor."""

__all__ = ['Variable']


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)`` returns a tensor sharing tensor's data, outside
    the graph, with the given requires_grad (as torch does); every Tensor is a Variable."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        t = data.detach()
        if requires_grad:
            t.requires_grad_(True)
        return t


from .._tensor import Tensor  # noqa: E402
