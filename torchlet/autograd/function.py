"""Graph nodes: Function (user-defined and built-in ops) and the ctx they carry into backward."""
import traceback

import numpy as np

from .grad_mode import _State

__all__ = ['Function', 'Op', 'FunctionCtx', 'once_differentiable']

_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved tensors "
              "after they have already been freed). Saved intermediate values of the graph are freed "
              "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
              "backward through the graph a second time or if you need to access saved tensors after "
              "calling backward.")


def _edge(t):
    """Where the gradient of tensor t flows: (grad_fn, output index), (t, 0) for a leaf, or None."""
    if not t.requires_grad:
        return None
    fn = t.grad_fn
    return (t, 0) if fn is None else (fn, t._output_nr)


class Function:
    """A node of the autograd graph, and the base class for custom autograd functions.

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` and call
    ``MyFunction.apply(*args)``. The object passed as ``ctx`` is the graph node itself.
    """
    __slots__ = ('_edges', '_saved', '_saved_versions', '_freed', 'needs_input_grad', '_n_out',
                 '_out_meta', '_hooks', '_post_hooks', '_pre_hooks', '_trace', '_out',
                 '_non_differentiable', '_materialize', '__dict__', '__weakref__')
    _bname = 'Backward'

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if '_bname' not in cls.__dict__:
            op = globals().get('Op')
            cls._bname = cls.__name__ + ('Backward0' if op is not None and issubclass(cls, op) else 'Backward')

    # -- ctx API -----------------------------------------------------------------------------
    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_versions = tuple(t._vc[0] if hasattr(t, '_vc') else None for t in tensors)

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            if self._freed:
                raise RuntimeError(_FREED_MSG)
            return ()
        for t, v in zip(saved, self._saved_versions):
            if v is not None and t._vc[0] != v:
                _raise_modified(self, t, v)
        return saved

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tuple(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        self._materialize = bool(value)

    # -- node API ----------------------------------------------------------------------------
    def name(self):
        return self._bname

    def __repr__(self):
        return f'<{self._bname} object at {hex(id(self))}>'

    @property
    def next_functions(self):
        out = []
        for e in self._edges:
            if e is None:
                out.append((None, 0))
            elif isinstance(e[0], Function):
                out.append(e)
            else:
                out.append((AccumulateGrad(e[0]), 0))
        return tuple(out)

    @property
    def metadata(self):
        d = self.__dict__.get('_metadata')
        if d is None:
            d = self.__dict__['_metadata'] = {}
        return d

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node's backward."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node's backward and may return replacements."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _RemovableHandle(self._pre_hooks, fn)

    def _add_tensor_hook(self, output_nr, fn):
        if self._hooks is None:
            self._hooks = {}
        lst = self._hooks.setdefault(output_nr, [])
        lst.append(fn)
        return _RemovableHandle(lst, fn)

    def _release(self):
        self._saved = None
        self._out = None
        self._freed = True

    def _init_node(self, args, n_out=1):
        self._edges = tuple(_edge(a) if isinstance(a, Tensor) else None for a in args)
        self._freed = False
        self._n_out = n_out
        self._hooks = self._post_hooks = self._pre_hooks = None
        self._out = None
        self._trace = traceback.format_stack()[:-3] if _State.anomaly else None

    @property
    def output(self):
        """The op's saved output as a tensor linked to this node (for backward formulas)."""
        out = self._out
        if out is None:
            raise RuntimeError(_FREED_MSG)
        data, vc, version = out
        if vc[0] != version:
            _raise_modified(self, Tensor._wrap(data), version, vc[0])
        return Tensor._wrap(data, True, self, 0, vc)

    # -- user-defined functions ----------------------------------------------------------------
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = object.__new__(cls)
        ctx._non_differentiable = ()
        ctx._materialize = True
        ctx._saved = None
        ctx._freed = False
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        prev = _State.grad_enabled
        _State.grad_enabled = False
        try:
            outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            _State.grad_enabled = prev
        if not (prev and any(ctx.needs_input_grad)):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        ctx._init_node(args, len(outs))
        ctx._out_meta = tuple((o.shape, o.dtype) if isinstance(o, Tensor) else None for o in outs)
        linked = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and id(o) not in ctx._non_differentiable and \
                    (o.dtype.is_floating_point or o.dtype.is_complex):
                if o.grad_fn is not None or any(o is a for a in args):
                    o = Tensor._wrap(o._data, vc=o._vc)
                o.requires_grad = True
                o.grad_fn = ctx
                o._output_nr = i
            linked.append(o)
        return linked[0] if single else tuple(linked)

    def _call_backward(self, grads):
        return type(self).backward(self, *grads)


class Op(Function):
    """A built-in op: ``forward(ctx, *args)`` computes on arrays and returns an ndarray (or a tuple
    of them); ``backward(ctx, *grads)`` expresses input gradients with tensor ops, so higher-order
    gradients come for free. Class flags: ``is_view`` (output shares memory and version counter with
    the first input), ``saves_output`` (backward reads ``ctx.output``)."""
    __slots__ = ()
    is_view = False
    saves_output = False
    differentiable = True
    needs_input_grad = property(lambda self: tuple(e is not None for e in self._edges))

    def needs_grad(self, i):
        """Whether forward input i needs a gradient."""
        return self._edges[i] is not None

    @classmethod
    def apply(cls, *args):
        ctx = object.__new__(cls)
        ctx._saved = None
        out = cls.forward(ctx, *args)
        requires = False
        if _State.grad_enabled and cls.differentiable:
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    requires = True
                    break
        if type(out) is tuple:
            return cls._wrap_many(ctx, args, out, requires)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        vc = args[0]._vc if cls.is_view else [0]
        if not requires:
            return Tensor._wrap(out, False, None, 0, vc)
        ctx._init_node(args)
        if cls.saves_output:
            ctx._out = (out, vc, vc[0])
        return Tensor._wrap(out, True, ctx, 0, vc)

    @classmethod
    def _wrap_many(cls, ctx, args, outs, requires):
        outs = tuple(o if type(o) is np.ndarray else np.asarray(o) for o in outs)
        if not requires:
            return tuple(Tensor._wrap(o) for o in outs)
        ctx._init_node(args, len(outs))
        ctx._out_meta = tuple((o.shape, o.dtype) for o in outs)
        return tuple(Tensor._wrap(o, o.dtype.kind in 'fc', ctx if o.dtype.kind in 'fc' else None, i)
                     for i, o in enumerate(outs))


class FunctionCtx:
    """Type of the ctx argument, for annotations."""


def once_differentiable(fn):
    return fn


class AccumulateGrad:
    """The node that accumulates a leaf's gradient into its .grad (shown in next_functions)."""
    __slots__ = ('variable',)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return 'torch::autograd::AccumulateGrad'

    @property
    def next_functions(self):
        return ()

    def __repr__(self):
        return f'<AccumulateGrad object at {hex(id(self))}>'

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)


class _RemovableHandle:
    def __init__(self, lst, fn):
        self._lst, self._fn = lst, fn

    def remove(self):
        try:
            self._lst.remove(self._fn)
        except ValueError:
            pass


def _raise_modified(node, t, expected, actual=None):
    actual = t._vc[0] if actual is None else actual
    shape = ', '.join(str(s) for s in t.shape)
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.type()} [{shape}]] is at version {actual}; expected version {expected} "
        f"instead (saved by {node.name()}). Hint: enable anomaly detection to find the operation "
        "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).")


from .._tensor import Tensor  # noqa: E402  (circular: Tensor needs nothing from here at import)
