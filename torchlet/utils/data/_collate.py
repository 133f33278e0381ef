"""default_collate / default_convert: how DataLoader turns a list of samples into a batch.

Same structure rules as torch: tensors and NumPy arrays are stacked along a new first dimension,
Python floats become a float64 tensor, ints an int64 tensor, NumPy scalars a tensor of their dtype,
strings/bytes stay a list, and dicts, namedtuples, tuples and lists are collated field by field
(tuples come back as lists, as in torch)."""
import collections.abc
import copy
import re

import numpy as np

from ... import _dtype
from ..._tensor import Tensor

__all__ = ['default_collate', 'default_convert', 'collate', 'default_collate_fn_map',
           'default_collate_err_msg_format']

np_str_obj_array_pattern = re.compile(r'[SaUO]')
default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, "
                                  "dicts or lists; found {}")
_wrap = Tensor._wrap


def default_convert(data):
    """NumPy arrays and scalars (at any depth of dicts/sequences) to tensors; the rest unchanged."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == 'numpy' and elem_type.__name__ not in ('str_', 'string_'):
        if elem_type.__name__ == 'ndarray' and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        from ... import as_tensor
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, '_fields'):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(like, values):
    """A mapping of like's type holding values (a plain dict if that type can't be rebuilt)."""
    try:
        if isinstance(like, collections.abc.MutableMapping):
            clone = copy.copy(like)
            clone.update(values)
            return clone
        return type(like)(values)
    except TypeError:
        return values


def _rebuild_sequence(like, values):
    try:
        if isinstance(like, collections.abc.MutableSequence):
            clone = copy.copy(like)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(like)(values)
    except TypeError:
        return values


def collate(batch, *, collate_fn_map=None):
    """Collate by the type of batch[0]: collate_fn_map handlers first, then containers recursively."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(elem_type)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                                       for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, '_fields'):
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        return columns if isinstance(elem, tuple) else _rebuild_sequence(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _stack_arrays(arrays):
    """np.stack with torch.stack's error for unequal shapes and torch's dtype promotion."""
    first = arrays[0]
    shape, dt = first.shape, first.dtype
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at "
                               f"entry 0 and {list(a.shape)} at entry {i}")
        if a.dtype != dt:
            dt = None
    if dt is None:
        out_dtype = first.dtype
        for a in arrays:
            out_dtype = np.dtype(_dtype.promote_types(_dtype.from_numpy_dtype(out_dtype),
                                                      _dtype.from_numpy_dtype(a.dtype)).np)
        return np.stack([a.astype(out_dtype, copy=False) for a in arrays])
    return np.stack(arrays)


def collate_tensor_fn(batch, *, collate_fn_map=None):
    if any(t._rg for t in batch):                       # keep the graph: a differentiable stack
        from ... import stack
        return stack(batch, 0)
    return _wrap(_stack_arrays([t._data for t in batch]))


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    from ... import as_tensor
    return as_tensor(_stack_arrays(batch))                # (dtypes torchlet lacks are widened)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    from ... import as_tensor
    return as_tensor(np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    return _wrap(np.array(batch, dtype=np.float64))


def collate_int_fn(batch, *, collate_fn_map=None):
    from ... import tensor
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into dicts, namedtuples and sequences."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
