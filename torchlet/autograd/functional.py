"""torch.autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp built on reverse mode.

jvp uses the double-vjp trick: for u a dummy cotangent, ``g(u) = J^T u`` is linear in u, so
``d<g(u), v>/du = J v``.
"""
import numpy as np

from .engine import grad as _grad
from .grad_mode import enable_grad

__all__ = ['vjp', 'jvp', 'jacobian', 'hessian', 'vhp', 'hvp']


def _as_tuple(x, arg_name, fn_name):
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            what = f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors"
            if is_tuple:
                raise TypeError(f"{what} but the value at index {i} has type {type(t)}.")
            raise TypeError(f"{what} but the given {arg_name} has type {type(t)}.")
    return is_tuple, xs


def _prepare(inputs, create_graph):
    """Inputs as fresh graph leaves (or, under create_graph, graph-connected aliases)."""
    if create_graph:
        return tuple(t if t.requires_grad else t.detach().requires_grad_(True) for t in inputs)
    return tuple(t.detach().requires_grad_(True) for t in inputs)


def _finish(xs, create_graph, is_tuple):
    xs = tuple(x if x is None or create_graph else x.detach() for x in xs)
    return xs if is_tuple else xs[0]


def _grads(outputs, inputs, grad_outputs, create_graph, strict, fn_name):
    """grad() with unused inputs replaced by zeros (or an error when strict)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        grads = (None,) * len(inputs)
    else:
        grads = _grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=True,
                      create_graph=create_graph, allow_unused=True)
    result = []
    for i, (g, x) in enumerate(zip(grads, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of input "
                                   f"{i}. This is not allowed in strict mode.")
            g = Tensor._wrap(np.zeros_like(x._data))
        result.append(g)
    return tuple(result)


def _call(func, inputs, fn_name):
    with enable_grad():
        out = func(*inputs)
    return _as_tuple(out, 'outputs of the user-provided function', fn_name)


_INPUT_IS = "the input to the user-provided function is"


def _vector_or_ones(v, tensors, fn_name, holder):
    """``v`` as a tuple of tensors; None stands for ones, allowed only when ``tensors`` is a single
    one-element tensor (``holder`` names them in torch's error)."""
    if v is None:
        if any(t._data.size != 1 for t in tensors):
            raise RuntimeError(f"The vector v can only be None if {holder} a single Tensor with a "
                               "single element.")
        return tuple(Tensor._wrap(np.ones_like(t._data)) for t in tensors)
    return _as_tuple(v, 'v', fn_name)[1]


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T J): the vector-Jacobian product."""
    in_tuple, inputs = _as_tuple(inputs, 'inputs', 'vjp')
    inputs = _prepare(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs, 'vjp')
    v = _vector_or_ones(v, outputs, 'vjp', "the user-provided function returns")
    with enable_grad():
        g = _grads(outputs, inputs, v, create_graph, strict, 'vjp')
    return _finish(outputs, create_graph, out_tuple), _finish(g, create_graph, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), J v): the Jacobian-vector product."""
    in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jvp')
    inputs = _prepare(inputs, create_graph)
    v = _vector_or_ones(v, inputs, 'jvp', _INPUT_IS)
    out_tuple, outputs = _call(func, inputs, 'jvp')
    with enable_grad():
        dummies = tuple(Tensor._wrap(np.zeros_like(o._data), requires_grad=True) for o in outputs)
        g = _grads(outputs, inputs, dummies, True, strict, 'jvp')
        jv = _grads(g, dummies, v, create_graph, False, 'jvp')
    return _finish(outputs, create_graph, out_tuple), _finish(jv, create_graph, out_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy='reverse-mode'):
    """The Jacobian of func at inputs: for output o and input x a tensor of shape
    o.shape + x.shape (nested in tuples as torch nests them)."""
    if strategy != 'reverse-mode':
        raise NotImplementedError("torchlet: jacobian supports only strategy='reverse-mode'")
    in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jacobian')
    inputs = _prepare(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs, 'jacobian')
    blocks = []                                     # blocks[i][j]: d output i / d input j
    with enable_grad():
        for out in outputs:
            rows = []
            for k in range(out._data.size):
                basis = np.zeros(out._data.size, out._data.dtype)
                basis[k] = 1
                basis = Tensor._wrap(basis.reshape(out._data.shape))
                rows.append(_grads([out], inputs, [basis], create_graph, strict, 'jacobian'))
            blocks.append(tuple(_stack([r[j] for r in rows], out._data.shape, x._data.shape,
                                       x._data.dtype, create_graph)
                                for j, x in enumerate(inputs)))
    if not create_graph:
        blocks = [tuple(b.detach() for b in row) for row in blocks]
    if out_tuple:
        return tuple(row if in_tuple else row[0] for row in blocks)
    return blocks[0] if in_tuple else blocks[0][0]


def _stack(rows, out_shape, in_shape, dtype, create_graph):
    if not rows:
        return Tensor._wrap(np.zeros(out_shape + in_shape, dtype))
    if create_graph:
        from .. import stack
        return stack(rows).reshape(out_shape + in_shape)
    return Tensor._wrap(np.stack([r._data for r in rows]).reshape(out_shape + in_shape))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy='reverse-mode'):
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    in_tuple, inputs = _as_tuple(inputs, 'inputs', 'hessian')

    def gradient(*xs):
        out = func(*xs)
        _, outs = _as_tuple(out, 'outputs of the user-provided function', 'hessian')
        if len(outs) != 1 or outs[0]._data.size != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with a "
                               "single element.")
        g = _grads(outs, xs, [None], True, strict, 'hessian')
        return g if in_tuple else g[0]

    return jacobian(gradient, inputs if in_tuple else inputs[0], create_graph, strict)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T H) for a scalar function."""
    return _hessian_product(func, inputs, v, create_graph, strict, 'vhp')


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), H v) for a scalar function (equal to vhp: H is symmetric)."""
    return _hessian_product(func, inputs, v, create_graph, strict, 'hvp')


def _hessian_product(func, inputs, v, create_graph, strict, name):
    in_tuple, inputs = _as_tuple(inputs, 'inputs', name)
    inputs = _prepare(inputs, create_graph)
    v = _vector_or_ones(v, inputs, name, _INPUT_IS)
    _, outputs = _call(func, inputs, name)
    if len(outputs) != 1 or outputs[0]._data.size != 1:
        raise RuntimeError(f"The function given to {name} should return a single Tensor with a single "
                           "element.")
    with enable_grad():
        g = _grads(outputs, inputs, [None], True, strict, name)
        hv = _grads([gi for gi in g if gi.requires_grad], inputs,
                    [vi for gi, vi in zip(g, v) if gi.requires_grad], create_graph, strict, name)
    return _finish(outputs, create_graph, False), _finish(hv, create_graph, in_tuple)


from .._tensor import Tensor  # noqa: E402
