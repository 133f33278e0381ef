"""The Tensor: a NumPy array plus autograd metadata. Ops attach their methods from torchlet/ops."""
import numpy as np

from . import _dtype
from ._device import CPU, as_device, device as _device_cls

__all__ = ['Tensor']

_new = object.__new__
_ndarray = np.ndarray


class Size(tuple):
    """torch.Size: a tuple of ints that prints as ``torch.Size([2, 3])``."""
    __slots__ = ()

    def __repr__(self):
        return f'torch.Size({list(self)})'

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))


class Tensor:
    """A multi-dimensional array with autograd, mirroring torch.Tensor."""
    __slots__ = ('_data', '_rg', '_grad', 'grad_fn', '_output_nr', '_vc', '_hooks', '_retains_grad',
                 '_view_base', '__dict__', '__weakref__')
    __hash__ = object.__hash__
    __array_priority__ = 1000   # make ndarray <op> Tensor defer to Tensor's reflected op
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mkldnn = False
    is_nested = False
    layout = 'torch.strided'

    def __new__(cls, *args, device=None, dtype=None):
        """Legacy constructor: ``Tensor(2, 3)`` (uninitialised) or ``Tensor([1, 2])`` (data)."""
        from .ops.factories import legacy_new
        t = legacy_new(dtype or _dtype.get_default_dtype(), args, device)
        if cls is not Tensor:
            t = t.as_subclass(cls)
        return t

    @staticmethod
    def _wrap(data, requires_grad=False, grad_fn=None, output_nr=0, vc=None):
        """Fast internal constructor around an ndarray (no checks, no copy)."""
        t = _new(Tensor)
        t._data = data
        t._rg = requires_grad
        t._grad = None
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = [0] if vc is None else vc
        t._hooks = None
        t._retains_grad = False
        t._view_base = None
        return t

    def as_subclass(self, cls):
        t = _new(cls)
        t._data, t._rg, t._grad, t.grad_fn = self._data, self._rg, self._grad, self.grad_fn
        t._output_nr, t._vc, t._hooks, t._retains_grad = self._output_nr, self._vc, None, False
        t._view_base = self._view_base
        return t

    # -- metadata ------------------------------------------------------------------------------
    @property
    def dtype(self):
        return _dtype._BY_NP[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def device(self):
        return CPU

    is_cuda = False
    is_cpu = True

    def get_device(self):
        return -1

    def stride(self, dim=None):
        item = self._data.itemsize
        st = tuple(s // item for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        return 0

    def data_ptr(self):
        return self._data.__array_interface__['data'][0]

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def is_floating_point(self):
        return self._data.dtype.kind == 'f'

    def is_complex(self):
        return self._data.dtype.kind == 'c'

    def is_signed(self):
        return self._data.dtype.kind in 'ifc'

    @property
    def _version(self):
        return self._vc[0]

    def _bump(self):
        self._vc[0] += 1

    # -- autograd state -----------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in 'fc':
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._rg = value

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self._data.dtype.kind not in 'fc':
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                          "Its .grad attribute won't be populated during autograd.backward(). If you "
                          "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                          ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                          "mistake, make sure you access the leaf Tensor instead. See "
                          "github.com/pytorch/pytorch/pull/30531 for more information.", UserWarning,
                          stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: expected "
                                   f"{list(self._data.shape)}, got {list(value._data.shape)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: expected "
                                   f"{self.type()}, got {value.type()}")
        self._grad = value

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        """Keep .grad for this non-leaf tensor after backward."""
        if self.grad_fn is None:
            if not self._rg:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def _retain(grad):
            t = ref()
            if t is not None:
                if t._grad is None:
                    t._grad = Tensor._wrap(grad._data.copy())
                else:
                    t._grad = Tensor._wrap(t._grad._data + grad._data)
        self.grad_fn._add_tensor_hook(self._output_nr, _retain, retain=True)
        self._retains_grad = True

    def register_hook(self, hook):
        """hook(grad) runs when this tensor's gradient is computed and may return a replacement."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        from .autograd.function import _RemovableHandle
        return _RemovableHandle(self._hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the .grad of the leaves it depends on."""
        from .autograd.engine import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor sharing storage (and version counter) with this one, outside the graph."""
        return Tensor._wrap(self._data, False, None, 0, self._vc)

    def detach_(self):
        self.grad_fn = None
        self._rg = False
        return self

    @property
    def data(self):
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    # -- conversion ---------------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """Without arguments, the legacy type name ('torch.FloatTensor'); else a cast."""
        if dtype is None:
            return 'torch.' + self.dtype._legacy
        if isinstance(dtype, str):
            dtype = _dtype_from_type_name(dtype)
        elif isinstance(dtype, type) and hasattr(dtype, '_torch_dtype'):
            dtype = dtype._torch_dtype
        return self.to(dtype)

    def to(self, *args, **kwargs):
        """Cast and/or move: to(dtype), to(device[, dtype]), to(tensor), with copy=/non_blocking=."""
        dtype = kwargs.pop('dtype', None)
        dev = kwargs.pop('device', None)
        copy = kwargs.pop('copy', False)
        kwargs.pop('non_blocking', None)
        kwargs.pop('memory_format', None)
        if kwargs:
            raise TypeError(f"to() received an invalid combination of arguments - got unexpected "
                            f"keyword argument(s) {sorted(kwargs)}")
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif isinstance(a, bool):
                continue
            elif isinstance(a, (str, _device_cls, int)):
                dev = a
            else:
                raise TypeError(f"to() received an invalid combination of arguments - got "
                                f"({type(a).__name__})")
        if dev is not None:
            as_device(dev)
        if (dtype is None or dtype.np == self._data.dtype) and not copy:
            return self
        from .ops.conversion import to_dtype
        return to_dtype(self, dtype or self.dtype, copy=True)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        as_device('cuda' if device is None else device)

    # -- python protocol ----------------------------------------------------------------------
    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0 and spec:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self._rg))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy "
                               "a module, this may be because of a torch.nn.utils.weight_norm usage, "
                               "see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        t = self.__class__.__new__(self.__class__) if type(self) is not Tensor else _new(Tensor)
        t._data = self._data.copy()
        t._rg, t.grad_fn, t._output_nr, t._vc = self._rg, None, 0, [0]
        t._grad = None if self._grad is None else Tensor._wrap(self._grad._data.copy())
        t._hooks, t._retains_grad, t._view_base = None, False, None
        if self.__dict__:
            import copy
            t.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = t
        return t

    def __setstate__(self, state):
        pass


def _rebuild(data, requires_grad):
    return Tensor._wrap(data, requires_grad)


def _wrap_dim(dim, ndim):
    """Normalise a possibly negative dim, with torch's IndexError for out-of-range dims."""
    n = ndim if ndim else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but "
                         f"got {dim})")
    return dim + n if dim < 0 else dim


def _dtype_from_type_name(name):
    short = name[6:] if name.startswith('torch.') else name
    for d in _dtype.ALL:
        if d._legacy == short or d.name == short:
            return d
    raise ValueError(f"invalid type: '{name}'")
