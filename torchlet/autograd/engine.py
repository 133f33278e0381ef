"""The backward engine: reverse-mode automatic differentiation over the graph of nodes.

Every node holds ``_edges``, one per forward argument: ``(node, output_nr)``, ``(leaf, None)`` or
None (see function.py). Backward from some roots takes two passes over the graph, without
recursion (a chain of 100 000 ops is fine):

1. count, for each node reachable from the roots, how many edges lead into it;
2. run the nodes whose count is zero: a node's backward turns the gradients of its outputs into
   gradients of its arguments, which are summed into the buffers of the nodes they lead to, whose
   counts drop by one. Gradients reaching leaves are summed per leaf and accumulated into
   ``leaf.grad`` at the end.

``torchlet.autograd.grad`` (and ``backward(inputs=...)``) runs the same loop in *capture* mode: the
gradients of the requested tensors are collected instead of accumulated, and only the nodes that
lead to them run (found by one more pass).
"""
import warnings

import numpy as np

from .grad_mode import _State

__all__ = ['backward', 'grad']

_warned_create_graph = False


def _dependencies(roots):
    """{node: number of edges into it} for the nodes reachable from ``roots``."""
    deps = {}
    stack = list(roots)
    while stack:
        for e in stack.pop()._edges:
            if e is not None and e[1] is not None:
                fn = e[0]
                n = deps.get(fn)
                if n is None:
                    deps[fn] = 1
                    if fn not in roots:
                        stack.append(fn)
                else:
                    deps[fn] = n + 1
    return deps


def _needed(roots, deps, targets):
    """The nodes whose backward must run because a path leads from them to a target (a captured
    leaf or node): walk the nodes in topological order, then mark them from the leaves up."""
    counts = dict(deps)
    ready = [fn for fn in roots if fn not in counts]
    order = []
    while ready:
        fn = ready.pop()
        order.append(fn)
        for e in fn._edges:
            if e is not None and e[1] is not None:
                n = counts[e[0]] - 1
                counts[e[0]] = n
                if n == 0:
                    ready.append(e[0])
    needed = set()
    for fn in reversed(order):
        for e in fn._edges:
            if e is not None and (e[0] in targets or e[0] in needed):
                needed.add(fn)
                break
    return needed


def _run(roots, keep_graph, create, capture=None):
    """Propagate the gradients ``roots`` = [((vertex, output_nr), grad)] back through the graph.

    Without ``capture``, leaf gradients are accumulated into ``.grad``. With ``capture`` (a dict
    whose keys are leaf tensors and (node, output_nr) pairs), their gradients are stored there
    instead and nothing else is touched.
    """
    buffers = {}         # node -> [summed gradient of each output]
    leaf_grads = {}      # leaf tensor -> summed gradient
    for (v, nr), g in roots:
        if nr is None:
            leaf_grads[v] = _sum(leaf_grads.get(v), g, create)
        else:
            slot = buffers.setdefault(v, [None] * v._n_out)
            slot[nr] = _sum(slot[nr], g, create)
    nodes = set(buffers)
    deps = _dependencies(nodes)
    needed = None
    if capture is not None:
        targets = {k[0] if type(k) is tuple else k for k in capture}
        needed = _needed(nodes, deps, targets)
    ready = [fn for fn in nodes if fn not in deps]
    prev_mode = _State.grad_enabled
    _State.grad_enabled = create
    try:
        while ready:
            fn = ready.pop()
            grads = buffers.pop(fn, None)
            in_grads = None
            if grads is not None and (needed is None or fn in needed or fn in targets):
                in_grads = _call_node(fn, grads, keep_graph, capture, needed)
            edges = fn._edges
            if in_grads is None:
                in_grads = (None,) * len(edges)
            for e, g in zip(edges, in_grads):
                if e is None:
                    continue
                t, nr = e
                if nr is None:                          # a leaf
                    if g is not None and (capture is None or t in capture):
                        old = leaf_grads.get(t)
                        leaf_grads[t] = g if old is None else _sum(old, g, create)
                    continue
                if g is not None:
                    slot = buffers.get(t)
                    if slot is None:
                        slot = buffers[t] = [None] * t._n_out
                    old = slot[nr]
                    slot[nr] = g if old is None else _sum(old, g, create)
                n = deps[t] - 1
                deps[t] = n
                if n == 0:
                    ready.append(t)
        for leaf, g in leaf_grads.items():
            g = _leaf_hooks(leaf, g)
            if capture is None:
                _accumulate(leaf, g, create)
            else:
                capture[leaf] = g
    finally:
        _State.grad_enabled = prev_mode


def _call_node(fn, grads, keep_graph, capture, needed):
    """Run node fn's hooks and backward on the gradients of its outputs; return the gradients of
    its arguments (None when, in capture mode, nothing beyond fn is needed)."""
    hooks = fn._hooks
    if hooks is not None:
        hooks.run_tensor_hooks(grads)
    if capture is not None:
        for nr in range(fn._n_out):
            if (fn, nr) in capture:
                capture[(fn, nr)] = grads[nr]
        if fn not in needed:
            return None
    if hooks is not None:
        grads = hooks.run_pre_hooks(grads)
    if _State.anomaly:
        from .anomaly_mode import run_backward_checked
        in_grads = run_backward_checked(fn, grads)
    else:
        in_grads = fn._call_backward(grads)
    if type(in_grads) is not tuple:
        in_grads = tuple(in_grads) if isinstance(in_grads, list) else (in_grads,)
    n = len(fn._edges)
    if len(in_grads) != n and (len(in_grads) < n or any(g is not None for g in in_grads[n:])):
        raise RuntimeError(f"function {fn.name()} returned an incorrect number of gradients "
                           f"(expected {n}, got {len(in_grads)})")
    if hooks is not None:
        in_grads = hooks.run_post_hooks(in_grads, grads)
    if not keep_graph:
        fn._release()
    return in_grads


def _sum(a, b, create):
    """a + b for two gradients (recorded in the graph when create_graph)."""
    if a is None:
        return b
    if create:
        return a + b
    return Tensor._wrap(a._data + b._data)


def _leaf_hooks(leaf, g):
    if leaf._hooks:
        for hook in list(leaf._hooks):
            r = hook(g)
            if r is not None:
                g = r
    return g


def _accumulate(leaf, g, create):
    """AccumulateGrad: add g into leaf.grad (a fresh array the first time, in place afterwards,
    or out of place, recorded, under create_graph)."""
    data = g._data
    target = leaf._data
    if data.shape != target.shape or data.dtype != target.dtype:
        g = _conform(g, target)
        data = g._data
    if leaf._grad is None:
        leaf._grad = g if create else Tensor._wrap(np.array(data, copy=True, order='C'))
    elif create or leaf._grad._rg:
        leaf._grad = leaf._grad + g
    else:
        np.add(leaf._grad._data, data, out=leaf._grad._data)
        leaf._grad._vc[0] += 1


def _conform(g, like):
    """g summed to the shape and cast to the dtype of the array ``like`` (torch's validate_outputs)."""
    if g._data.shape != like.shape:
        try:
            ok = np.broadcast_shapes(like.shape, g._data.shape) == g._data.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"invalid gradient - got {list(g._data.shape)} but expected shape "
                               f"compatible with {list(like.shape)}")
        from ..ops._util import sum_to
        g = sum_to(g, like.shape)
    if g._data.dtype != like.dtype:
        g = Tensor._wrap(g._data.astype(like.dtype)) if not g._rg else g.to(_dtype_of(like))
    return g


def _dtype_of(array):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(array.dtype)


# -- public API ------------------------------------------------------------------------------------

def _tensors(x, what):
    """x (a Tensor or a sequence of them) as a tuple."""
    if isinstance(x, Tensor):
        return (x,)
    x = tuple(x)
    for t in x:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all {what} have to be Tensors or GradientEdges, but got "
                               f"{type(t).__name__}")
    return x


def _root_grads(outputs, grads, is_grads_batched=False):
    """[((vertex, output_nr), gradient)] for each output; the gradient defaults to 1 for scalars.
    The checks come in torch's order: each gradient's type and shape, their number, then whether
    each output requires grad."""
    if grads is None:
        grads = (None,) * len(outputs)
    elif isinstance(grads, Tensor):
        grads = (grads,)
    else:
        grads = tuple(grads)
    grads = [_root_grad(i, out, g, is_grads_batched) for i, (out, g) in enumerate(zip(outputs, grads))]
    if len(grads) != len(outputs):        # extra gradients are ignored, as in torch
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not out._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
        fn = out.grad_fn
        roots.append(((out, None) if fn is None else (fn, out._output_nr), g))
    return roots


def _root_grad(i, out, g, is_grads_batched):
    if g is None:
        if not out._rg:
            return None
        if out._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if out._data.dtype.kind != 'f':
            raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                               f"{out.dtype}")
        return Tensor._wrap(np.ones(out._data.shape, out._data.dtype))
    if not isinstance(g, Tensor):
        raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    if g._data.shape != out._data.shape and not is_grads_batched:
        raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                           f"output[{i}] has a shape of {out.shape}.")
    if g._data.dtype != out._data.dtype and out._data.dtype.kind in 'fc':
        g = g.to(out.dtype)
    return g


def _key(t):
    """The capture key of tensor t: the leaf itself or (grad_fn, output_nr)."""
    return t if t.grad_fn is None else (t.grad_fn, t._output_nr)


def _capture_dict(inputs):
    capture = {}
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        capture[_key(t)] = None
    return capture


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """torch.autograd.backward: accumulate the gradient of ``tensors`` (weighted by
    ``grad_tensors``) into the ``.grad`` of the leaves they depend on, or only of ``inputs``."""
    tensors = _tensors(tensors, 'outputs')
    if grad_tensors is None:
        grad_tensors = grad_variables
    keep = create_graph if retain_graph is None else retain_graph
    roots = _root_grads(tensors, grad_tensors)
    if create_graph and not _warned_create_graph:
        globals()['_warned_create_graph'] = True      # torch warns once per process
        warnings.warn("Using backward() with create_graph=True will create a reference cycle between "
                      "the parameter and its gradient which can cause a memory leak. We recommend "
                      "using autograd.grad when creating the graph to avoid this. If you have to use "
                      "this function, make sure to reset the .grad fields of your parameters to None "
                      "after use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    if inputs is None:
        _run(roots, keep, create_graph)
        return
    inputs = _tensors(inputs, 'inputs')
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    capture = _capture_dict(inputs)
    _run(roots, keep, create_graph, capture)
    for t in inputs:
        g = capture[_key(t)]
        if g is None:
            continue
        if t.grad_fn is None:
            _accumulate(t, g, create_graph)
        else:
            t._grad = g if t._grad is None else t._grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: the gradients of ``outputs`` with respect to ``inputs`` (a tuple, one
    per input), without touching any ``.grad``."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _tensors(outputs, 'outputs')
    inputs = _tensors(inputs, 'inputs')
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    keep = create_graph if retain_graph is None else retain_graph
    roots = _root_grads(outputs, grad_outputs)
    capture = _capture_dict(inputs)
    _run(roots, keep, create_graph, capture)
    result = []
    for i, t in enumerate(inputs):
        g = capture[_key(t)]
        if g is None:
            if materialize_grads:
                g = Tensor._wrap(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the desired "
                                   "behavior.")
        elif g._data.dtype != t._data.dtype or g._data.shape != t._data.shape:
            g = _conform(g, t._data)
        result.append(g)
    return tuple(result)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                  materialize_grads):
    """is_grads_batched=True: one grad() per row of the grad_outputs, stacked."""
    if create_graph:
        raise NotImplementedError("torchlet: autograd.grad(is_grads_batched=True, create_graph=True) "
                                  "is not supported")
    grad_outputs = _tensors(grad_outputs, 'grad_outputs')
    n = grad_outputs[0]._data.shape[0]
    rows = [grad(outputs, inputs, [Tensor._wrap(g._data[b]) for g in grad_outputs], True, False,
                 allow_unused=allow_unused, materialize_grads=materialize_grads) for b in range(n)]
    if not retain_graph:
        _release_graph(outputs)
    return tuple(None if rows[0][i] is None else Tensor._wrap(np.stack([r[i]._data for r in rows]))
                 for i in range(len(inputs)))


def _release_graph(outputs):
    roots = {t.grad_fn for t in outputs if t.grad_fn is not None}
    for fn in list(_dependencies(roots)) + list(roots):
        fn._release()


from .._tensor import Tensor  # noqa: E402
