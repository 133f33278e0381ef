"""Tensor factories: tensor, as_tensor, zeros, ones, ... and the legacy Tensor(...) constructor."""
import numbers

import numpy as np

from .. import _dtype
from .._device import as_device
from .._tensor import Tensor

__all__ = ['tensor', 'as_tensor', 'from_numpy', 'zeros', 'ones', 'empty']

_wrap = Tensor._wrap


def _infer_np_dtype(data):
    """The dtype torch infers for nested Python data: bool, int64, default float or complex."""
    kinds = set()

    def walk(x):
        if isinstance(x, Tensor):
            kinds.add(x._data.dtype.kind if x._data.dtype.kind != 'u' else 'i')
            return
        if isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
            return
        if isinstance(x, np.ndarray):
            kinds.add(x.dtype.kind)
            return
        if isinstance(x, (bool, np.bool_)):
            kinds.add('b')
        elif isinstance(x, (int, np.integer)):
            kinds.add('i')
        elif isinstance(x, (complex, np.complexfloating)):
            kinds.add('c')
        elif isinstance(x, numbers.Number):
            kinds.add('f')
        else:
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    walk(data)
    if 'c' in kinds:
        return _dtype._default_for(_dtype._COMPLEX).np
    if 'f' in kinds:
        return _dtype.get_default_dtype().np
    if 'i' in kinds or 'u' in kinds:
        return np.dtype(np.int64)
    if 'b' in kinds:
        return np.dtype(np.bool_)
    return _dtype.get_default_dtype().np


def _to_array(data, dtype):
    """data (numbers, nested sequences, arrays, tensors) as a new ndarray of the torch dtype."""
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=dtype.np if dtype else None, copy=True)
    if isinstance(data, np.ndarray):
        if dtype is None:
            _dtype.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=dtype.np if dtype else None, copy=True)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat_head(data)):
        data = _tensors_to_lists(data)
    np_dt = dtype.np if dtype is not None else _infer_np_dtype(data)
    try:
        arr = np.array(data, dtype=np_dt)
    except ValueError as e:
        raise ValueError(f"expected sequence of equal-length lists (ragged nested sequence): {e}") from None
    return arr


def _flat_head(data):
    while isinstance(data, (list, tuple)) and data:
        yield from (x for x in data if isinstance(x, Tensor))
        data = data[0]


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data._data.tolist()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of data, with the dtype inferred as torch infers it."""
    as_device(device)
    t = _wrap(_to_array(data, dtype))
    if requires_grad:
        t.requires_grad = True
    return t


def as_tensor(data, dtype=None, device=None):
    """data as a tensor, sharing memory with a NumPy array or tensor when no cast is needed."""
    as_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype):
        _dtype.from_numpy_dtype(data.dtype)
        return _wrap(data)
    return _wrap(_to_array(data, dtype))


def from_numpy(ndarray):
    """A tensor sharing memory with the NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work around "
                         "this by making a copy of your array  with array.copy().) ")
    return _wrap(ndarray)


def _size_args(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"expected a sequence of integers or a single integer, got "
                            f"'{type(s).__name__}'")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _filled(fill, size, dtype, device, requires_grad):
    as_device(device)
    dt = (dtype or _dtype.get_default_dtype()).np
    t = _wrap(fill(_size_args(size), dt))
    if requires_grad:
        t.requires_grad = True
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(np.zeros, size, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(np.ones, size, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _filled(np.empty, size, dtype, device, requires_grad)


def legacy_new(dtype, args, device):
    """torch.Tensor(*args) / torch.FloatTensor(*args): sizes give an uninitialised tensor, a single
    sequence, array or tensor gives a copy of its data."""
    as_device(device)
    if not args:
        return _wrap(np.empty((0,), dtype.np))
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        a = args[0]
        if type(a).__name__ == 'Size':
            return _wrap(np.empty(tuple(a), dtype.np))
        if isinstance(a, Tensor):
            if a.dtype is not dtype:
                raise TypeError(f"expected {dtype} (got {a.dtype})")
            return a.detach()
        return _wrap(_to_array(a, dtype))
    return _wrap(np.empty(_size_args(args), dtype.np))
