"""torch.autograd.graph: the Node type of grad_fn objects and gradient edges."""
import abc
from collections import namedtuple

from .function import Function, AccumulateGrad

__all__ = ['Node', 'GradientEdge', 'get_gradient_edge']


class Node(abc.ABC):
    """Abstract type of every grad_fn (``isinstance(t.grad_fn, Node)``) and of AccumulateGrad."""

    @abc.abstractmethod
    def name(self):
        ...


Node.register(Function)
Node.register(AccumulateGrad)

GradientEdge = namedtuple('GradientEdge', ('node', 'output_nr'))
GradientEdge.__doc__ = "Where the gradient of a tensor flows: (node, output_nr)."


def get_gradient_edge(tensor):
    """The GradientEdge of a tensor: its grad_fn and output index, or its AccumulateGrad node."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not "
                           "require gradients")
    if tensor.grad_fn is None:
        return GradientEdge(AccumulateGrad(tensor), 0)
    return GradientEdge(tensor.grad_fn, tensor._output_nr)
