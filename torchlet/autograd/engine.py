"""The backward engine: walk the graph in topological order (no recursion), summing gradients.

Nodes are Function objects; each holds ``_edges``, one per forward input: ``(node, output_nr)``,
``(leaf_tensor, 0)`` or None. Leaves are graph vertices too, so a leaf's hooks see its total gradient.
"""
import numpy as np

from .grad_mode import _State
from .function import Function

__all__ = ['backward', 'grad']


def _as_tuple(x):
    if x is None:
        return (None,)
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _root_grads(outputs, grads, create):
    """Pair each output with its starting gradient (ones for scalars)."""
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not out._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = Tensor._wrap(np.ones(out._data.shape, out._data.dtype))
        elif not isinstance(g, Tensor):
            g = Tensor._wrap(np.asarray(g, dtype=out._data.dtype))
        elif g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{g.shape} and output[{i}] has a shape of {out.shape}.")
        result.append(((out.grad_fn, out._output_nr) if out.grad_fn is not None else (out, 0), g))
    return result


def _topological_order(starts):
    """Vertices reachable from ``starts`` (nodes and leaf tensors), parents before children."""
    indeg = {}
    seen = set(starts)
    stack = list(starts)
    while stack:
        v = stack.pop()
        if isinstance(v, Tensor):
            continue
        for e in v._edges:
            if e is not None:
                t = e[0]
                indeg[t] = indeg.get(t, 0) + 1
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
    ready = [v for v in seen if v not in indeg]
    order = []
    while ready:
        v = ready.pop()
        order.append(v)
        if isinstance(v, Tensor):
            continue
        for e in v._edges:
            if e is not None:
                t = e[0]
                indeg[t] -= 1
                if indeg[t] == 0:
                    ready.append(t)
    return order


def _add(a, b, create):
    if a is None:
        return b
    if create:
        return a + b
    return Tensor._wrap(a._data + b._data)


def _run(roots, keep_graph, create, capture=None):
    """Propagate gradients from ``roots`` [(edge, grad)]. With ``capture`` (a dict of leaf tensors or
    (node, nr) keys), gradients are collected there instead of being accumulated into .grad."""
    order = _topological_order([e[0] for e, _ in roots])
    needed = None
    if capture is not None:
        needed = set()
        for v in reversed(order):
            if v in capture or (not isinstance(v, Tensor) and (
                    any(e is not None and e[0] in needed for e in v._edges) or
                    any((v, i) in capture for i in range(v._n_out)))):
                needed.add(v)
    buffers = {}
    for (v, nr), g in roots:
        if isinstance(v, Tensor):
            buffers[v] = _add(buffers.get(v), g, create)
        else:
            slot = buffers.setdefault(v, [None] * v._n_out)
            slot[nr] = _add(slot[nr], g, create)
    prev_mode = _State.grad_enabled
    _State.grad_enabled = create
    try:
        for v in order:
            grads = buffers.pop(v, None)
            if grads is None or (needed is not None and v not in needed):
                continue
            if isinstance(v, Tensor):
                if capture is not None:
                    capture[v] = _add(capture.get(v), _run_leaf_hooks(v, grads), create)
                else:
                    _accumulate(v, grads, create)
                continue
            if v._hooks:
                for nr, hooks in v._hooks.items():
                    if grads[nr] is not None:
                        for h in list(hooks):
                            r = h(grads[nr])
                            if r is not None:
                                grads[nr] = r
            if capture is not None:
                for nr in range(v._n_out):
                    if (v, nr) in capture:
                        capture[(v, nr)] = grads[nr]
            if v._pre_hooks:
                for h in v._pre_hooks:
                    r = h(tuple(grads))
                    if r is not None:
                        grads = list(r)
            if v._n_out > 1:
                _materialize(v, grads)
            in_grads = v._call_backward(grads)
            if type(in_grads) is not tuple:
                in_grads = tuple(in_grads) if isinstance(in_grads, list) else (in_grads,)
            edges = v._edges
            if len(in_grads) < len(edges) or any(g is not None for g in in_grads[len(edges):]):
                raise RuntimeError(f"function {v.name()} returned an incorrect number of gradients "
                                   f"(expected {len(edges)}, got {len(in_grads)})")
            if _State.anomaly:
                from .anomaly_mode import check_grads
                check_grads(v, in_grads)
            if v._post_hooks:
                for h in v._post_hooks:
                    h(in_grads, tuple(grads))
            if not keep_graph:
                v._release()
            for e, g in zip(edges, in_grads):
                if e is None or g is None:
                    continue
                t, nr = e
                if not isinstance(g, Tensor):
                    g = Tensor._wrap(np.asarray(g))
                if isinstance(t, Tensor):
                    buffers[t] = _add(buffers.get(t), g, create)
                else:
                    slot = buffers.get(t)
                    if slot is None:
                        slot = buffers[t] = [None] * t._n_out
                    slot[nr] = _add(slot[nr], g, create)
    finally:
        _State.grad_enabled = prev_mode


def _materialize(node, grads):
    meta = getattr(node, '_out_meta', None)
    for i, g in enumerate(grads):
        if g is None and meta is not None and meta[i] is not None:
            shape, dt = meta[i]
            np_dt = dt.np if hasattr(dt, 'np') else dt
            if np.dtype(np_dt).kind in 'fc':
                grads[i] = Tensor._wrap(np.zeros(shape, np_dt))


def _run_leaf_hooks(leaf, g):
    if leaf._hooks:
        for h in list(leaf._hooks):
            r = h(g)
            if r is not None:
                g = r
    return g


def _accumulate(leaf, g, create):
    """AccumulateGrad: add g into leaf.grad (a fresh array the first time, in place afterwards)."""
    g = _run_leaf_hooks(leaf, g)
    data = g._data
    if data.dtype != leaf._data.dtype:
        data = data.astype(leaf._data.dtype)
        g = Tensor._wrap(data)
    if data.shape != leaf._data.shape:
        data = np.broadcast_to(data, leaf._data.shape)
        g = Tensor._wrap(data)
    if leaf._grad is None:
        leaf._grad = g if create else Tensor._wrap(np.array(data, copy=True, order='C'))
    elif create or leaf._grad._rg:
        leaf._grad = leaf._grad + g
    else:
        np.add(leaf._grad._data, data, out=leaf._grad._data)
        leaf._grad._vc[0] += 1


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """torch.autograd.backward: accumulate d(tensors)/d(leaves) into the leaves' .grad."""
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if len(grads) == 1 and len(tensors) > 1 and grads[0] is None:
        grads = (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs")
    keep = create_graph if retain_graph is None else retain_graph
    roots = _root_grads(tensors, grads, create_graph)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        capture = _capture_keys(inputs)
        _run(roots, keep, create_graph, capture)
        for t in inputs:
            g = capture[_key(t)]
            if g is not None:
                _accumulate(t, g, create_graph) if t.grad_fn is None else _store_nonleaf(t, g)
        return
    _run(roots, keep, create_graph)


def _store_nonleaf(t, g):
    t._grad = g if t._grad is None else Tensor._wrap(t._grad._data + g._data)


def _key(t):
    return t if t.grad_fn is None else (t.grad_fn, t._output_nr)


def _capture_keys(inputs):
    capture = {}
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"inputs to autograd.grad must be Tensors, got {type(t).__name__}")
        if not t._rg:
            raise RuntimeError(f"One of the differentiated Tensors does not require grad")
        capture[_key(t)] = None
    return capture


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: the gradients of outputs with respect to inputs, returned as a tuple."""
    outputs = _as_tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    grads = _as_tuple(grad_outputs)
    if len(grads) == 1 and len(outputs) > 1 and grads[0] is None:
        grads = (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad_outputs must be of the same length as outputs (got {len(grads)} "
                           f"and {len(outputs)})")
    if allow_unused is None:
        allow_unused = materialize_grads
    keep = create_graph if retain_graph is None else retain_graph
    roots = _root_grads(outputs, grads, create_graph)
    capture = _capture_keys(inputs)
    _run(roots, keep, create_graph, capture)
    result = []
    for i, t in enumerate(inputs):
        g = capture[_key(t)]
        if g is None:
            if materialize_grads:
                g = Tensor._wrap(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in "
                                   "the graph. Set allow_unused=True if this is the desired behavior.")
        elif g._data.dtype != t._data.dtype:
            g = g.to(t.dtype)
        result.append(g)
    return tuple(result)


from .._tensor import Tensor  # noqa: E402
