"""Graph nodes: ``Function`` (custom autograd functions) and ``Op`` (built-in ops).

A node is created by ``apply`` when some input requires grad. It records one *edge* per forward
argument telling where that argument's gradient must flow:

* ``(node, output_nr)``  the argument was output ``output_nr`` of another node,
* ``(leaf, None)``       the argument is a leaf tensor that requires grad (its .grad accumulates),
* ``None``               the argument needs no gradient (a number, or a tensor outside the graph).

The node object is also the ``ctx`` that ``forward`` and ``backward`` receive. Nodes never hold
their outputs (outputs hold the node), so graphs are freed by reference counting alone.
"""
import functools
import os
import re
import traceback

import numpy as np

from .grad_mode import _State, no_grad

__all__ = ['Function', 'Op', 'FunctionCtx', 'once_differentiable', 'InplaceFunction',
           'NestedIOFunction']

_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved tensors "
              "after they have already been freed). Saved intermediate values of the graph are freed "
              "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
              "backward through the graph a second time or if you need to access saved tensors after "
              "calling backward.")

_new = object.__new__


def _edges_of(args):
    """The edges of a node with these forward arguments, or None when no argument requires grad."""
    edges = []
    tracked = False
    for a in args:
        if isinstance(a, Tensor) and a._rg:
            fn = a.grad_fn
            edges.append((a, None) if fn is None else (fn, a._output_nr))
            tracked = True
        else:
            edges.append(None)
    return edges if tracked else None


class Function:
    """A node of the autograd graph, and the base class of custom autograd functions.

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` and call
    ``MyFunction.apply(*args)``; ``backward`` returns one gradient (or None) per forward argument.
    In forward, ``ctx.save_for_backward(*tensors)`` keeps tensors for backward (read them back with
    ``ctx.saved_tensors``), any other attribute may be stashed on ctx, ``ctx.needs_input_grad``
    tells which arguments need a gradient, ``ctx.mark_non_differentiable(*outputs)`` and
    ``ctx.set_materialize_grads(False)`` work as in PyTorch.
    """
    # Set on every node: _edges; _saved (tuple of saved tensors, None when nothing is saved or
    # after release) and _saved_versions (their versions when saved); _out ((array, version
    # counter, version) of the output, for saves_output ops); _freed (released by a backward
    # without retain_graph).
    __slots__ = ('_edges', '_saved', '_saved_versions', '_out', '_freed', '__dict__', '__weakref__')
    _bname = 'Backward'
    # Defaults for the rarer per-node state; an instance sets its own value only when it differs.
    _saved_outputs = None    # {index in _saved: output_nr} for outputs saved by a custom Function
    _n_out = 1               # number of forward outputs
    _hooks = None            # a NodeHooks once any hook is registered
    _trace = None            # forward stack, recorded in anomaly mode
    _materialize = True      # pass zeros (not None) to backward for outputs without gradient
    _in_meta = None          # custom Functions: (shape, dtype) of each tensor argument, else None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if '_bname' not in cls.__dict__:
            op = globals().get('Op')
            builtin = op is not None and issubclass(cls, op)
            cls._bname = cls.__name__ + ('Backward0' if builtin else 'Backward')
        if cls.__dict__.get('vjp') is not None and 'backward' not in cls.__dict__:
            cls.backward = cls.__dict__['vjp']

    # -- ctx API --------------------------------------------------------------------------------
    def save_for_backward(self, *tensors):
        """Keep tensors for backward; an in-place change to one of them makes backward fail."""
        self._saved = tensors
        self._saved_versions = [t._vc[0] if isinstance(t, Tensor) else None for t in tensors]

    @property
    def saved_tensors(self):
        """The tensors given to save_for_backward, checked against in-place modification."""
        saved = self._saved
        if saved is None:
            if self._freed:
                raise RuntimeError(_FREED_MSG)
            return ()
        for t, version in zip(saved, self._saved_versions):
            if version is not None and t._vc[0] != version:
                self._raise_modified(t, version)
        if self._saved_outputs is not None:
            saved = tuple(Tensor._wrap(t._data, True, self, self._saved_outputs[i], t._vc)
                          if i in self._saved_outputs else t for i, t in enumerate(saved))
        return saved

    saved_variables = saved_tensors

    def _raise_modified(self, t, expected):
        """torch's error for a saved tensor changed in place after it was saved."""
        if self._saved_outputs is not None and any(t is self._saved[i] for i in self._saved_outputs):
            i = next(i for i in self._saved_outputs if self._saved[i] is t)
            producer = (self, self._saved_outputs[i])
        else:
            producer = (t.grad_fn, t._output_nr) if t.grad_fn is not None else None
        raise RuntimeError(modified_message(t, producer, expected))

    def mark_non_differentiable(self, *tensors):
        """Declare outputs that have no gradient (they will not require grad)."""
        self.__dict__['_non_differentiable'] = tensors

    def mark_dirty(self, *tensors):
        """Declare inputs that forward modified in place (they are returned as outputs)."""
        self.__dict__['_dirty'] = tensors

    def set_materialize_grads(self, value):
        """Whether backward receives zeros (True, the default) or None for unused outputs."""
        self._materialize = bool(value)

    def save_for_forward(self, *tensors):
        raise NotImplementedError("torchlet has no forward-mode AD: ctx.save_for_forward is not "
                                  "supported")

    # -- node API -------------------------------------------------------------------------------
    def name(self):
        return self._bname

    def __repr__(self):
        return f'<torch.autograd.function.{self._bname} object at {hex(id(self))}>'

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. "
                           "Please use new-style autograd function with static forward method. "
                           "(Example: https://pytorch.org/docs/stable/autograd.html"
                           "#torch.autograd.Function)")

    @property
    def next_functions(self):
        """((node, output_nr), ...) per forward argument; leaves appear as AccumulateGrad nodes."""
        return tuple((None, 0) if e is None else (AccumulateGrad(e[0]), 0) if e[1] is None else e
                     for e in self._edges)

    @property
    def metadata(self):
        return self.__dict__.setdefault('_metadata', {})

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node's backward; it may return new
        grad_inputs."""
        return _add_hook(self._node_hooks().post, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node's backward; it may return new grad_outputs."""
        return _add_hook(self._node_hooks().pre, fn)

    def _add_tensor_hook(self, output_nr, fn, retain=False):
        """A hook on output ``output_nr`` (Tensor.register_hook / retain_grad of a non-leaf)."""
        hooks = self._node_hooks()
        per_output = hooks.retain if retain else hooks.tensor
        return _add_hook(per_output.setdefault(output_nr, []), fn)

    def _node_hooks(self):
        if self._hooks is None:
            self._hooks = NodeHooks()
        return self._hooks

    def _release(self):
        """Drop what was saved for backward (called after a backward without retain_graph)."""
        self._saved = None
        self._out = None
        self._freed = True

    # -- custom functions -----------------------------------------------------------------------
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    vjp = None

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward (without recording it) and link its outputs to a new node of class cls."""
        ctx = _new(cls)
        ctx._saved, ctx._out, ctx._freed = None, None, False
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        non_diff = ctx.__dict__.pop('_non_differentiable', ())
        dirty = ctx.__dict__.pop('_dirty', ())
        edges = _edges_of(args) if _State.grad_enabled else None
        for t in dirty:
            if edges is not None and t._rg and t.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                                   "operation.")
            t._vc[0] += 1
        if edges is None:
            if any(o is a for o in outs for a in args if isinstance(a, Tensor)):
                outs = [Tensor._wrap(o._data, vc=o._vc) if any(o is a for a in args) and
                        not any(o is t for t in dirty) else o for o in outs]
                return outs[0] if single else tuple(outs)
            return outputs
        ctx._edges = edges
        ctx._n_out = len(outs)
        ctx._in_meta = [(a._data.shape, a._data.dtype) if isinstance(a, Tensor) else None
                        for a in args]
        if _State.anomaly:
            ctx._trace = forward_trace()
        linked = [ctx._link_output(o, i, args, non_diff, dirty) for i, o in enumerate(outs)]
        ctx._relink_saved(outs, linked)
        if ctx._n_out > 1:
            ctx.__dict__['_out_meta'] = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor)
                                         else None for o in outs]
        return linked[0] if single else tuple(linked)

    def _link_output(self, o, i, args, non_diff, dirty):
        """Output i as a tensor of the graph: requires grad, grad_fn = this node."""
        if not isinstance(o, Tensor):
            return o
        if any(o is t for t in dirty):
            pass                                        # an in-place result keeps its identity
        elif o.grad_fn is not None or o._rg or any(o is a for a in args):
            o = Tensor._wrap(o._data, vc=o._vc)         # an alias of an input: a new tensor
        if any(o is t for t in non_diff) or o._data.dtype.kind not in 'fc':
            return o
        o._rg, o.grad_fn, o._output_nr = True, self, i
        return o

    def _relink_saved(self, outs, linked):
        """Saved outputs are stored unlinked (no node -> tensor -> node cycle) and relinked on
        access, as torch does."""
        saved = self._saved
        if not saved:
            return
        found = {}
        for j, t in enumerate(saved):
            for i, o in enumerate(outs):
                if t is o and isinstance(o, Tensor) and linked[i].grad_fn is self:
                    found[j] = i
        if found:
            self._saved = tuple(Tensor._wrap(t._data, False, None, 0, t._vc) if j in found else t
                                for j, t in enumerate(saved))
            self._saved_versions = [saved[j]._vc[0] if j in found else v       # after mark_dirty
                                    for j, v in enumerate(self._saved_versions)]
            self._saved_outputs = found

    def _call_backward(self, grads):
        """Run the user's backward with torch's checks on what it returns."""
        if self._n_out > 1 and self._materialize:
            _materialize(self, grads)
        result = type(self).backward(self, *grads)
        if type(result) is not tuple:
            result = tuple(result) if isinstance(result, list) else (result,)
        n = len(self._edges)
        if len(result) != n:
            if len(result) < n or any(g is not None for g in result[n:]):
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                                   f"(expected {n}, got {len(result)})")
            result = result[:n]
        return tuple(self._check_grad(i, g) for i, g in enumerate(result))

    def _check_grad(self, i, g):
        if g is None:
            return None
        meta = self._in_meta[i]
        if meta is None:
            raise RuntimeError(f"function {self.name()} returned a gradient different than None at "
                               f"position {i + 1}, but the corresponding forward input was not a "
                               "Variable")
        if not isinstance(g, Tensor):
            raise TypeError(f"expected Tensor or None as the gradient of input {i} of "
                            f"{self.name()} (got {type(g).__name__})")
        shape, dtype = meta
        if g._data.shape != shape:
            try:
                ok = np.broadcast_shapes(shape, g._data.shape) == g._data.shape
            except ValueError:
                ok = False
            if not ok:
                raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index {i} - "
                                   f"got {list(g._data.shape)} but expected shape compatible with "
                                   f"{list(shape)}")
            from ..ops._util import sum_to
            g = sum_to(g, shape)
        if g._data.dtype != dtype and dtype.kind in 'fc':
            g = g.to(_dtype.from_numpy_dtype(dtype))
        return g


class Op(Function):
    """A built-in op. ``forward(ctx, *args)`` computes on arrays and returns an ndarray (or a tuple
    of them); ``backward(ctx, *grads)`` returns one gradient per argument, written with tensor ops
    so that higher-order gradients come for free. Class flags: ``is_view`` (the output shares memory
    and version counter with the first argument), ``saves_output`` (backward reads ``ctx.output``),
    ``differentiable = False`` (outputs never require grad).

    After a backward without retain_graph the node drops its saved tensors, its output and every
    ndarray stashed on ctx, so big arrays may be stashed on ctx directly (``ctx.mask = ...``).
    """
    __slots__ = ()
    is_view = False
    saves_output = False
    differentiable = True

    @property
    def needs_input_grad(self):
        return tuple(e is not None for e in self._edges)

    def needs_grad(self, i):
        """Whether forward argument i needs a gradient (use it in backward to skip work)."""
        return self._edges[i] is not None

    @property
    def output(self):
        """The saved output as a tensor linked to this node (for backward formulas)."""
        out = self._out
        if out is None:
            raise RuntimeError(_FREED_MSG)
        data, vc, version = out
        if vc[0] != version:
            raise RuntimeError(modified_message(Tensor._wrap(data, vc=vc), (self, 0), version))
        return Tensor._wrap(data, True, self, 0, vc)

    @classmethod
    def apply(cls, *args):
        ctx = _new(cls)
        ctx._saved = None
        out = cls.forward(ctx, *args)
        if type(out) is tuple:
            return cls._wrap_many(ctx, args, out)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        vc = args[0]._vc if cls.is_view else [0]
        if _State.grad_enabled and cls.differentiable and out.dtype.kind in 'fc':
            edges = _edges_of(args)
            if edges is not None:
                ctx._edges = edges
                ctx._freed = False
                ctx._out = (out, vc, vc[0]) if cls.saves_output else None
                if _State.anomaly:
                    ctx._trace = forward_trace()
                return Tensor._wrap(out, True, ctx, 0, vc)
        return Tensor._wrap(out, False, None, 0, vc)

    @classmethod
    def _wrap_many(cls, ctx, args, outs):
        outs = [o if type(o) is np.ndarray else np.asarray(o) for o in outs]
        vc = args[0]._vc if cls.is_view else None
        edges = _edges_of(args) if _State.grad_enabled and cls.differentiable else None
        if edges is None:
            return tuple(Tensor._wrap(o, False, None, 0, vc) for o in outs)
        ctx._edges = edges
        ctx._freed = False
        ctx._out = None
        ctx._n_out = len(outs)
        ctx._out_meta = [(o.shape, o.dtype) for o in outs]
        if _State.anomaly:
            ctx._trace = forward_trace()
        return tuple(Tensor._wrap(o, True, ctx, i, vc) if o.dtype.kind in 'fc' else
                     Tensor._wrap(o, False, None, 0, vc) for i, o in enumerate(outs))

    def __repr__(self):
        return f'<{self._bname} object at {hex(id(self))}>'

    def _call_backward(self, grads):
        if self._n_out > 1:
            _materialize(self, grads)
        try:
            return type(self).backward(self, *grads)
        except AttributeError:
            if self._freed:        # a stashed array was released by an earlier backward
                raise RuntimeError(_FREED_MSG) from None
            raise

    def _release(self):
        self._saved = None
        self._out = None
        self._freed = True
        d = self.__dict__
        for v in d.values():
            if type(v) is np.ndarray:
                for k in [k for k, v in d.items() if type(v) is np.ndarray]:
                    del d[k]
                break


def _materialize(node, grads):
    """Replace missing gradients of float outputs by zeros (backward formulas expect tensors)."""
    meta = node.__dict__.get('_out_meta')
    if meta is None:
        return
    for i, g in enumerate(grads):
        if g is None and meta[i] is not None:
            shape, dt = meta[i]
            if dt.kind in 'fc':
                grads[i] = Tensor._wrap(np.zeros(shape, dt))


class FunctionCtx:
    """Type of the ctx argument, for annotations."""


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    pass


def once_differentiable(fn):
    """Decorator for a backward that is not itself differentiable: it runs without recording, and
    under create_graph its results carry a node that raises if they are differentiated again."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not (_State.grad_enabled and any(isinstance(a, Tensor) and a._rg for a in args)):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = list((outputs,) if single else outputs)
        present = [i for i, o in enumerate(outs) if o is not None]
        linked = DelayedError.apply("trying to differentiate twice a function that was marked with "
                                    "@once_differentiable",
                                    *[outs[i].detach().requires_grad_() for i in present])
        for i, t in zip(present, linked):
            outs[i] = t
        return outs[0] if single else tuple(outs)
    return wrapper


class DelayedError(Op):
    """Identity on its tensor arguments whose backward raises the given message."""
    _bname = 'torch::autograd::Error'

    @staticmethod
    def forward(ctx, message, *tensors):
        ctx.message = message
        return tuple(t._data for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(ctx.message)


class AccumulateGrad:
    """The node that accumulates a leaf's gradient into its .grad (seen in next_functions)."""
    __slots__ = ('variable',)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return 'torch::autograd::AccumulateGrad'

    next_functions = ()

    def __repr__(self):
        return f'<AccumulateGrad object at {hex(id(self))}>'

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)


class NodeHooks:
    """The hooks of one node, in the order the engine runs them: ``tensor`` hooks of its outputs
    ({output_nr: [fn(grad)]}), then ``retain`` (retain_grad) hooks, then ``pre`` hooks
    (fn(grad_outputs)), the backward itself, and ``post`` hooks (fn(grad_inputs, grad_outputs))."""
    __slots__ = ('tensor', 'retain', 'pre', 'post')

    def __init__(self):
        self.tensor, self.retain, self.pre, self.post = {}, {}, [], []

    def run_tensor_hooks(self, grads):
        """Apply the output hooks to the list ``grads`` in place."""
        for per_output in (self.tensor, self.retain):
            for nr, hooks in per_output.items():
                for hook in list(hooks):
                    if grads[nr] is not None:
                        r = hook(grads[nr])
                        if r is not None:
                            grads[nr] = r

    def run_pre_hooks(self, grads):
        for hook in list(self.pre):
            r = hook(tuple(grads))
            if r is not None:
                grads = list(r)
        return grads

    def run_post_hooks(self, grad_inputs, grads):
        for hook in list(self.post):
            r = hook(grad_inputs, tuple(grads))
            if r is not None:
                grad_inputs = tuple(r)
        return grad_inputs


def _add_hook(hooks, fn):
    hooks.append(fn)
    return _RemovableHandle(hooks, fn)


class _RemovableHandle:
    """Returned by register_hook: ``handle.remove()`` unregisters the hook."""
    __slots__ = ('_hooks', '_fn')

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        for i, h in enumerate(self._hooks):
            if h is self._fn:
                del self._hooks[i]
                break

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def modified_message(t, producer, expected):
    """torch's message for a tensor needed by backward that was modified in place; ``producer``
    is (node, output_nr) of the tensor, or None for a leaf."""
    shape = ', '.join(str(s) for s in t._data.shape)
    made_by = f", which is output {producer[1]} of {_short_name(producer[0])}," if producer else ''
    if _State.anomaly:
        hint = ("Hint: the backtrace further above shows the operation that failed to compute its "
                "gradient. The variable in question was changed in there or anywhere later. Good luck!")
    else:
        hint = ("Hint: enable anomaly detection to find the operation that failed to compute its "
                "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
    return ("one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [{t.type()} [{shape}]]{made_by} is at version {t._vc[0]}; expected version "
            f"{expected} instead. {hint}")


def _short_name(node):
    """'Exp' for ExpBackward0: the name torch uses in in-place modification errors."""
    return re.sub(r'Backward\d*$', '', node.name())


_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_INTERNAL = tuple(os.path.join(_PKG_DIR, d) for d in ('autograd', 'ops', '_tensor.py'))


def forward_trace():
    """The current Python stack as formatted lines, without torchlet's own op machinery."""
    frames = traceback.extract_stack()[:-1]
    while frames and frames[-1].filename.startswith(_INTERNAL):
        frames.pop()
    return traceback.format_list(frames)


from .._tensor import Tensor  # noqa: E402  (circular: Tensor needs nothing from here at import)
from .. import _dtype  # noqa: E402
