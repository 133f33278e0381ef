"""Legacy typed tensor classes (torch.FloatTensor, torch.LongTensor, ...), set_default_tensor_type,
is_tensor, is_storage, typename, and the print options."""
import warnings

from . import _dtype
from ._tensor import Tensor
from ._tensor_str import set_printoptions, get_printoptions, printoptions  # noqa: F401

__all__ = ['FloatTensor', 'DoubleTensor', 'HalfTensor', 'BFloat16Tensor', 'ByteTensor', 'CharTensor',
           'ShortTensor', 'IntTensor', 'LongTensor', 'BoolTensor', 'set_default_tensor_type',
           'is_tensor', 'is_storage', 'typename', 'set_printoptions', 'get_printoptions',
           'printoptions']


class _LegacyTensorMeta(type):
    """``isinstance(x, FloatTensor)`` is true exactly for tensors of that dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls._torch_dtype.np and (
            cls._torch_dtype is not _dtype.bfloat16)

    def __subclasscheck__(cls, sub):
        return sub is cls

    def __call__(cls, *args, device=None):
        """Construct like ``Tensor(*args)`` with this class's dtype (sizes or data)."""
        from .ops.factories import legacy_new
        return legacy_new(cls._torch_dtype, args, device, strict=True)

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"

    @property
    def dtype(cls):
        return cls._torch_dtype

    @property
    def is_cuda(cls):
        return False

    @property
    def is_sparse(cls):
        return False


def _legacy_class(name, dt):
    return _LegacyTensorMeta(name, (), {'_torch_dtype': dt, '__module__': 'torch',
                                        '__doc__': f'Legacy constructor for {dt} tensors.'})


FloatTensor = _legacy_class('FloatTensor', _dtype.float32)
DoubleTensor = _legacy_class('DoubleTensor', _dtype.float64)
HalfTensor = _legacy_class('HalfTensor', _dtype.float16)
BFloat16Tensor = _legacy_class('BFloat16Tensor', _dtype.bfloat16)
ByteTensor = _legacy_class('ByteTensor', _dtype.uint8)
CharTensor = _legacy_class('CharTensor', _dtype.int8)
ShortTensor = _legacy_class('ShortTensor', _dtype.int16)
IntTensor = _legacy_class('IntTensor', _dtype.int32)
LongTensor = _legacy_class('LongTensor', _dtype.int64)
BoolTensor = _legacy_class('BoolTensor', _dtype.bool)

_BY_NAME = {c.__name__: c for c in (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, ByteTensor,
                                     CharTensor, ShortTensor, IntTensor, LongTensor, BoolTensor)}


def set_default_tensor_type(t):
    """Deprecated: set the default float dtype from a legacy type (class or 'torch.DoubleTensor')."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    if isinstance(t, str):
        name = t[6:] if t.startswith('torch.') else t
        if name not in _BY_NAME:
            raise TypeError(f"invalid type: '{t}'")
        t = _BY_NAME[name]
    dt = getattr(t, '_torch_dtype', None)
    if dt is None:
        raise TypeError(f"invalid type: '{t}'")
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(dt)


def is_tensor(obj):
    """True for torchlet tensors (and their subclasses, such as Parameter)."""
    return isinstance(obj, Tensor)


def is_storage(obj):
    """torchlet has no separate storage objects; always False for tensors and other values."""
    return False


def typename(obj):
    """'torch.FloatTensor' for tensors, the qualified class name for other objects."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, '__module__', '') or ''
    qualname = ''
    if hasattr(obj, '__qualname__'):
        qualname = obj.__qualname__
    elif hasattr(obj, '__name__'):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ''
        qualname = obj.__class__.__qualname__
    if module in ('', 'builtins'):
        return qualname
    if module.startswith('torchlet'):
        module = 'torch' + module[len('torchlet'):]
    return f'{module}.{qualname}'
