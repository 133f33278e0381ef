"""Tensor factories: tensor, as_tensor, zeros, ones, full, eye, arange, linspace, meshgrid, ... and the
legacy ``Tensor(...)`` constructor, with PyTorch's dtype inference, value formulas and errors."""
import math
import numbers
import os
import warnings

import numpy as np

from .. import _dtype
from .._device import as_device
from .._tensor import Tensor, Size

__all__ = ['tensor', 'as_tensor', 'asarray', 'from_numpy', 'zeros', 'ones', 'empty', 'full', 'eye',
           'arange', 'range', 'linspace', 'logspace', 'zeros_like', 'ones_like', 'empty_like',
           'full_like', 'empty_strided', 'scalar_tensor', 'complex', 'polar', 'meshgrid',
           'cartesian_prod', 'tril_indices', 'triu_indices']

_wrap = Tensor._wrap
_range = range
_complex = complex
_f32, _f64 = np.float32, np.float64


# -- shared helpers -------------------------------------------------------------------------------
def size_args(size, name=None):
    """``*size`` as PyTorch takes it (ints, or one tuple/list/Size) -> a tuple of ints."""
    what = (name or 'new') + '()'
    if len(size) == 1 and not isinstance(size[0], (tuple, list)) and not _is_int(size[0]):
        raise TypeError(f"{what}: argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size[0]).__name__}")
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for i, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"{what}: argument 'size' failed to unpack the object at pos {i + 1} with "
                            f"error \"type must be tuple of ints,but got {type(s).__name__}\"")
        out.append(int(s))
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return tuple(out)


def _is_int(s):
    if isinstance(s, Tensor):
        return s._data.size == 1 and s._data.dtype.kind in 'iu'
    return isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_))


def write_out(out, arr):
    """Implement ``out=``: resize out when its shape differs, then copy arr into it (PyTorch's
    casting rules apply)."""
    from ._util import write_inplace
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._data.shape != arr.shape:
        out._data = np.empty(arr.shape, out._data.dtype)
    write_inplace(out, arr)
    return out


def _finish(arr, requires_grad=False, out=None):
    if out is not None:
        return write_out(out, arr)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _scalar_value(x):
    """A Python number from a number, NumPy scalar or one-element tensor."""
    if isinstance(x, Tensor):
        return x.item()
    if isinstance(x, np.generic):
        return x.item()
    return x


def fma64(a, b, c):
    """float64 a*b + c with a single rounding, as C++'s fused multiply-add (error-free product by
    Veltkamp splitting, error-free sum)."""
    p = a * b
    sa = 134217729.0 * a
    ah = sa - (sa - a)
    al = a - ah
    sb = 134217729.0 * b
    bh = sb - (sb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


_MID29 = np.uint64(1 << 28)
_LOW29 = np.uint64((1 << 29) - 1)


def _as64(x):
    """x in float64 (same-dtype ufunc loops are several times faster than mixed ones)."""
    return x.astype(_f64) if isinstance(x, np.ndarray) else np.float64(x)


def fma32(a, b, c):
    """float32 a*b + c with a single rounding. The product is exact in float64; where the float64
    sum lands exactly on a float32 tie, its rounding error decides the direction (no double
    rounding)."""
    s = np.multiply(_as64(a), _as64(b))
    s += _as64(c)
    r = s.astype(_f32)
    tie = np.bitwise_and(s.view(np.uint64), _LOW29) == _MID29
    if tie.any():
        idx = np.nonzero(tie)
        p = (np.broadcast_to(a, s.shape)[idx].astype(_f64) * np.broadcast_to(b, s.shape)[idx])
        cc = np.broadcast_to(np.asarray(c, _f64), s.shape)[idx]
        st = s[idx]
        bb = st - p
        err = (p - (st - bb)) + (cc - bb)
        toward0 = (st.view(np.uint64) & ~_LOW29).view(_f64).astype(_f32)
        away = np.nextafter(toward0, np.copysign(np.float32(np.inf), toward0))
        r[idx] = np.where(err == 0, r[idx], np.where((err > 0) == (st > 0), away, toward0))
    return r


def _short(d):
    from ._util import _short as short
    return short(d)


# -- dtype inference for data ---------------------------------------------------------------------
_PY_KINDS = {bool: _dtype.bool, int: _dtype.int64}


def _scalar_dtype(x):
    """The dtype PyTorch infers for one scalar leaf (Python number, NumPy scalar, tensor, array)."""
    if isinstance(x, (np.ndarray, np.generic)):
        return _dtype.from_numpy_dtype(x.dtype)
    if isinstance(x, bool):
        return _dtype.bool
    if isinstance(x, int):
        return _dtype.int64
    if isinstance(x, float):
        return _dtype.get_default_dtype()
    if isinstance(x, _complex):
        return _dtype._default_for(_dtype._COMPLEX)
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, numbers.Integral):
        return _dtype.int64
    if isinstance(x, numbers.Real):
        return _dtype.get_default_dtype()
    if isinstance(x, numbers.Complex):
        return _dtype._default_for(_dtype._COMPLEX)
    if x is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def _infer_dtype(data):
    """PyTorch's inference over nested data: promote the dtypes of all leaves."""
    if not isinstance(data, (list, tuple, _range)):
        return _scalar_dtype(data)
    result = None
    kinds = set(map(type, data))
    if kinds and kinds <= {int, float, bool, _complex}:      # fast path: flat Python numbers
        for k in (_complex, float, int, bool):
            if k in kinds:
                return _scalar_dtype(k())
    for x in data:
        d = _infer_dtype(x)
        result = d if result is None else _dtype.promote_types(result, d)
    return result if result is not None else _dtype.get_default_dtype()


def _leaves_to_python(data):
    """Nested data with tensors/arrays replaced by Python values, as PyTorch reads them."""
    if isinstance(data, Tensor):
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data.item()
    if isinstance(data, np.ndarray):
        return data.tolist()
    if isinstance(data, (list, tuple, _range)):
        return [_leaves_to_python(x) for x in data]
    return data


def _needs_conversion(data):
    if isinstance(data, (Tensor, np.ndarray)):
        return True
    if isinstance(data, (list, tuple)):
        return any(_needs_conversion(x) for x in data if not isinstance(x, (int, float, bool)))
    return False


def _check_ragged(data, dt, dim=0):
    """PyTorch's errors for nested sequences of unequal lengths or depths."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    if isinstance(data[0], (list, tuple)):
        n = len(data[0])
        for x in data:
            if not isinstance(x, (list, tuple)):
                raise TypeError("not a sequence")
            if len(x) != n:
                raise ValueError(f"expected sequence of length {n} at dim {dim + 1} (got {len(x)})")
            _check_ragged(x, dt, dim + 1)
        return
    for x in data:
        if isinstance(x, (list, tuple)):
            if dt.is_floating_point:
                raise TypeError(f"must be real number, not {type(x).__name__}")
            raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")


def _to_array(data, dtype=None):
    """data (numbers, nested sequences, arrays, tensors) as a new ndarray with PyTorch's dtype."""
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=dtype.np if dtype else None, copy=True)
    if isinstance(data, np.ndarray):
        dt = dtype or _dtype.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=dt.np, copy=True)
    if isinstance(data, str) or isinstance(data, bytes):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, _range):
        data = list(data)
    dt = dtype or _infer_dtype(data)
    if _needs_conversion(data):
        data = _leaves_to_python(data)
    elif isinstance(data, np.generic):
        data = data.item()
    try:
        if dtype is not None and dt.np.kind in 'iu':
            return _checked_int_array(data, dt)
        return np.array(data, dtype=dt.np)
    except OverflowError:
        if dtype is None:
            raise ValueError("Overflow when unpacking long long") from None
        raise RuntimeError(f"value cannot be converted to type {dt.np} without overflow") from None
    except (ValueError, TypeError):
        _check_ragged(data, dt)
        for leaf in _iter_leaves(data):
            _scalar_dtype(leaf)
        raise


def _checked_int_array(data, dt):
    """Python data cast to an integer dtype with PyTorch's overflow check (uint8 also takes
    int8 values, wrapping them)."""
    raw = np.array(data)
    info = np.iinfo(dt.np)
    lo = -128 if dt.np == np.uint8 else info.min
    if raw.dtype.kind == 'O':
        raise OverflowError
    if raw.size and raw.dtype.kind in 'iuf' and not (np.all(raw >= lo) and np.all(raw <= info.max)):
        raise OverflowError      # (NaN fails both comparisons)
    return raw.astype(dt.np)


def _iter_leaves(data):
    if isinstance(data, (list, tuple)):
        for x in data:
            yield from _iter_leaves(x)
    else:
        yield data


# -- tensors from data ----------------------------------------------------------------------------
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of data, with the dtype inferred as PyTorch infers it."""
    as_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).", UserWarning,
                      stacklevel=2)
    return _finish(_to_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """data as a tensor, sharing memory with a NumPy array or tensor when no cast is needed."""
    as_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype.np == data._data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        src = _dtype.from_numpy_dtype(data.dtype)
        if (dtype is None or dtype.np == data.dtype) and src.np == data.dtype:
            return _wrap(data)
    return _wrap(_to_array(data, dtype))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: share memory when possible (copy=None), always copy (True), or fail when a
    copy would be needed (False)."""
    as_device(device)
    if isinstance(obj, Tensor):
        t = obj if dtype is None or dtype.np == obj._data.dtype else None
        if t is None and copy is False:
            raise ValueError("can't alias tensor from variable of type torch.Tensor with dtype "
                             f"{obj.dtype} to dtype {dtype}: copy is required")
        if t is None or copy:
            t = _wrap(np.array(obj._data, dtype=(dtype or obj.dtype).np, copy=True))
        elif requires_grad:
            t = obj.detach()
    elif isinstance(obj, np.ndarray) or hasattr(obj, '__array_interface__'):
        arr = np.asarray(obj)
        src = _dtype.from_numpy_dtype(arr.dtype)
        shareable = src.np == arr.dtype and (dtype is None or dtype.np == arr.dtype)
        if not shareable and copy is False:
            raise ValueError("can't alias NumPy array with dtype "
                             f"{arr.dtype} to dtype {dtype}: copy is required")
        t = _wrap(arr) if shareable and not copy else _wrap(_to_array(arr, dtype))
    else:
        if copy is False:
            raise ValueError("can't alias Python sequence to a tensor: copy is required")
        t = _wrap(_to_array(obj, dtype))
    if requires_grad:
        t.requires_grad = True
    return t


def from_numpy(ndarray):
    """A tensor sharing memory with the NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dt = _dtype.from_numpy_dtype(ndarray.dtype)
    if dt.np != ndarray.dtype:
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype}. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, int32, "
                        "int16, int8, uint8, and bool.")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work around "
                         "this by making a copy of your array  with array.copy().) ")
    if not ndarray.flags.writeable:
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support non-writable "
                      "tensors. This means writing to this tensor will result in undefined behavior. "
                      "You may want to copy the array to protect its data or make it writable before "
                      "converting it to a tensor. This type of warning will be suppressed for the rest "
                      "of this program.", UserWarning, stacklevel=2)
    return _wrap(ndarray)


def legacy_new(dtype, args, device, strict=False):
    """``torch.Tensor(*args)`` / ``torch.FloatTensor(*args)``: sizes give an uninitialised tensor; one
    sequence, array or tensor gives its data. ``strict`` (the typed classes) refuses a tensor of
    another dtype, as PyTorch does."""
    as_device(device)
    if not args:
        return _wrap(np.empty((0,), dtype.np))
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        a = args[0]
        if isinstance(a, Size):
            return _wrap(np.empty(tuple(a), dtype.np))
        if isinstance(a, Tensor):
            if strict and a._data.dtype != dtype.np:
                raise TypeError(f"expected {dtype} (got {a.dtype})")
            return a.detach()
        if isinstance(a, numbers.Number) and not isinstance(a, np.ndarray):
            raise TypeError(f"new(): data must be a sequence (got {type(a).__name__})")
        return _wrap(_to_array(a, dtype))
    for i, s in enumerate(args):
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"new(): argument 'size' failed to unpack the object at pos {i + 1} with "
                            f"error \"type must be tuple of ints,but got {type(s).__name__}\"")
    return _wrap(np.empty(size_args(args), dtype.np))


# -- filled tensors -------------------------------------------------------------------------------
def _filled(fill, size, dtype, device, requires_grad, out, kw_size=None, name=None):
    as_device(device)
    try:
        shape = size_args(size if kw_size is None else (kw_size,), name)
    except RuntimeError:
        if name == 'zeros':     # PyTorch words this one differently
            raise RuntimeError("zeros: Dimension size must be non-negative.") from None
        raise
    if dtype is None:
        dtype = out.dtype if out is not None else _dtype.get_default_dtype()
    return _finish(fill(shape, dtype.np), requires_grad, out)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          names=None, **kw):
    """A tensor of zeros."""
    return _filled(np.zeros, size, dtype, device, requires_grad, out, kw.get('size'), 'zeros')


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
         names=None, **kw):
    """A tensor of ones."""
    return _filled(np.ones, size, dtype, device, requires_grad, out, kw.get('size'), 'ones')


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None, names=None, **kw):
    """An uninitialised tensor."""
    return _filled(np.empty, size, dtype, device, requires_grad, out, kw.get('size'), 'empty')


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given strides (in elements)."""
    shape = size_args((size,), 'empty_strided')
    dt = (dtype or _dtype.get_default_dtype()).np
    span = 1 + sum((s - 1) * st for s, st in zip(shape, stride)) if all(shape) else 0
    buf = np.empty(max(span, 0), dt)
    arr = np.lib.stride_tricks.as_strided(buf, shape, tuple(st * dt.itemsize for st in stride))
    return _finish(arr, requires_grad)


def _fill_dtype(fill_value):
    """The dtype full() infers: bool, int64, default float or default complex."""
    v = _scalar_value(fill_value)
    return _dtype._default_for(_dtype._scalar_category(v))


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, names=None):
    """A tensor filled with fill_value; the dtype follows the value (int64, float, bool, complex)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    as_device(device)
    shape = size_args((size,), 'full')
    dtype = dtype or (out.dtype if out is not None else _fill_dtype(fill_value))
    return _finish(np.full(shape, _scalar_value(fill_value), dtype.np), requires_grad, out)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    dtype = dtype or _dtype.get_default_dtype()
    return _finish(np.array(_scalar_value(s), dtype.np), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """The identity matrix, n x m."""
    for name, v in (('n', n), ('m', m)):
        if v is not None and (not isinstance(v, (int, np.integer)) or isinstance(v, bool)):
            raise TypeError(f"eye(): argument '{name}' (position {1 if name == 'n' else 2}) must be int, "
                            f"not {type(v).__name__}")
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    as_device(device)
    dtype = dtype or (out.dtype if out is not None else _dtype.get_default_dtype())
    return _finish(np.eye(int(n), None if m is None else int(m), dtype=dtype.np), requires_grad, out)


# -- like / new_ ----------------------------------------------------------------------------------
def _like_dtype(input, dtype):
    return dtype or input.dtype


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.zeros(input._data.shape, _like_dtype(input, dtype).np), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.ones(input._data.shape, _like_dtype(input, dtype).np), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.empty(input._data.shape, _like_dtype(input, dtype).np), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dt = _like_dtype(input, dtype).np
    return _finish(np.full(input._data.shape, _scalar_value(fill_value), dt), requires_grad)


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).", UserWarning,
                      stacklevel=2)
    return _finish(_to_array(data, dtype or self.dtype), requires_grad)


def _new_method(fill, name):
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False, **kw):
        as_device(device)
        shape = size_args(size if 'size' not in kw else (kw['size'],), name)
        return _finish(fill(shape, (dtype or self.dtype).np), requires_grad)
    method.__name__ = name
    method.__doc__ = f"A new tensor of the given size with this tensor's dtype ({name})."
    return method


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    shape = size_args((size,), 'new_full')
    return _finish(np.full(shape, _scalar_value(fill_value), (dtype or self.dtype).np), requires_grad)


Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new_method(np.zeros, 'new_zeros')
Tensor.new_ones = _new_method(np.ones, 'new_ones')
Tensor.new_empty = _new_method(np.empty, 'new_empty')
Tensor.new_full = _new_full


def _tensor_new(self, *args, **kwargs):
    """Legacy ``x.new(...)``: like Tensor(...) with x's dtype."""
    return legacy_new(kwargs.get('dtype') or self.dtype, args, kwargs.get('device'))


Tensor.new = _tensor_new


# -- ranges ---------------------------------------------------------------------------------------
def _is_float_like(x):
    if isinstance(x, Tensor):
        return x._data.dtype.kind in 'fc'
    return isinstance(x, (float, np.floating)) or (isinstance(x, numbers.Real) and
                                                   not isinstance(x, numbers.Integral))


def _fmt(v):
    """A number the way C++ streams print a double (as PyTorch's messages show it)."""
    return f'{v:g}'


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Values from start to end (exclusive) by step; int64 unless an argument is a float."""
    if end is None:
        start, end = 0, start
    args = [start, end, step]
    as_device(device)
    if dtype is None:
        dtype = _dtype.get_default_dtype() if any(_is_float_like(a) for a in args) else _dtype.int64
    s, e, st = (_scalar_value(a) for a in args)
    if dtype.is_floating_point or dtype.is_complex:
        xs, xe, xst = float(s), float(e), float(st)
    else:
        xs, xe, xst = int(s), int(e), int(st)
    if xst == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(xs) and math.isfinite(xe)):
        raise RuntimeError(f"unsupported range: {_fmt(xs)} -> {_fmt(xe)}")
    if not ((xst > 0 and xe >= xs) or (xst < 0 and xe <= xs)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is _dtype.int64:
        sgn = (xst > 0) - (xst < 0)
        n = _trunc_div(xe - xs + xst - sgn, xst)
    else:
        n = math.ceil((float(e) - float(s)) / float(st))
    return _finish(_arange_values(xs, xst, n, dtype), requires_grad, out)


def _trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _arange_values(start, step, n, dtype):
    """start + step * i as PyTorch's CPU kernel computes it: exact for integers; for float32, each
    thread's chunk is filled in blocks of 8 built in float64 from a float32 base (AVX2
    ``Vectorized::arange``, two blocks per iteration), its tail element by element."""
    if not (dtype.is_floating_point or dtype.is_complex):
        return (np.int64(start) + np.int64(step) * np.arange(n, dtype=np.int64)).astype(dtype.np)
    i = np.arange(n, dtype=_f64)
    vals = start + step * i
    if dtype is _dtype.float32:
        for lo, hi in _thread_chunks(n):
            nv = (hi - lo) // 16 * 16
            k = np.arange(nv) % 8
            base = (start + step * (i[lo:lo + nv] - k)).astype(_f32).astype(_f64)
            vals[lo:lo + nv] = base + k * step
    return vals.astype(dtype.np)


_GRAIN = 32768


def _thread_chunks(n):
    """How at::parallel_for splits [0, n) among PyTorch's intra-op threads."""
    import torchlet
    get = getattr(torchlet, 'get_num_threads', None)
    threads = get() if get is not None else (os.cpu_count() or 1)
    if n <= _GRAIN or threads <= 1:
        return [(0, n)]
    tasks = min(threads, -(-n // _GRAIN))
    size = -(-n // tasks)
    return [(lo, min(n, lo + size)) for lo in _range(0, n, size)]


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Deprecated inclusive range: start, start + step, ..., up to end."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
                  "which produces values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    dtype = dtype or _dtype.get_default_dtype()
    s, e, st = float(_scalar_value(start)), float(_scalar_value(end)), float(_scalar_value(step))
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(s) and math.isfinite(e)):
        raise RuntimeError(f"unsupported range: {_fmt(s)} -> {_fmt(e)}")
    if not ((st > 0 and e >= s) or (st < 0 and e <= s)):
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = int(math.floor((e - s) / st)) + 1
    if dtype.is_floating_point:
        vals = s + st * np.arange(n, dtype=_f64)
    else:
        vals = int(s) + int(st) * np.arange(n, dtype=np.int64)
    return _finish(vals.astype(dtype.np), requires_grad, out)


def _lin_exponents(start, end, steps, dtype):
    """PyTorch's linspace kernel: step = (end - start) / (steps - 1) in the dtype (float64 for
    integers); the first half counts up from start, the second half down from end, with fused
    multiply-adds."""
    i = np.arange(steps)
    half = steps // 2
    if steps == 1:
        return np.array([start], dtype=np.complex128 if dtype.is_complex else _f64)
    if dtype.is_floating_point and dtype.np != _f64:
        s, e = _f32(dtype.np.type(start)), _f32(dtype.np.type(end))
        step = (e - s) / _f32(max(steps - 1, 1))
        up = fma32(i[:half].astype(_f32), step, s)
        down = fma32((steps - i[half:] - 1).astype(_f32), -step, e)
        return np.concatenate([up, down])
    if dtype.is_complex:
        s, e = _complex(start), _complex(end)
    elif dtype.is_floating_point:
        s, e = float(start), float(end)
    else:
        s, e = float(int(start)), float(int(end))
    step = (e - s) / max(steps - 1, 1)
    if dtype.is_complex:
        return np.concatenate([s + step * i[:half], e - step * (steps - i[half:] - 1)])
    up = fma64(np.full(half, step), i[:half].astype(_f64), np.full(half, s))
    down = fma64(np.full(steps - half, -step), (steps - i[half:] - 1).astype(_f64), np.full(steps - half, e))
    return np.concatenate([up, down])


def _steps_check(steps):
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")


def _range_dtype(dtype, out, start, end):
    if dtype is not None:
        return dtype
    if out is not None:
        return out.dtype
    if any(isinstance(_scalar_value(v), _complex) for v in (start, end)):
        return _dtype._default_for(_dtype._COMPLEX)
    return _dtype.get_default_dtype()


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """steps evenly spaced values from start to end (inclusive)."""
    _steps_check(steps)
    as_device(device)
    dtype = _range_dtype(dtype, out, start, end)
    s, e = _scalar_value(start), _scalar_value(end)
    vals = _lin_exponents(s, e, int(steps), dtype)
    return _finish(vals.astype(dtype.np), requires_grad, out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """base ** linspace(start, end, steps)."""
    _steps_check(steps)
    as_device(device)
    dtype = _range_dtype(dtype, out, start, end)
    s, e = _scalar_value(start), _scalar_value(end)
    expo = _lin_exponents(s, e, int(steps), dtype if dtype.is_floating_point or dtype.is_complex
                          else _dtype.float64)
    vals = np.power(float(base), expo.astype(_f64) if expo.dtype != np.complex128 else expo)
    return _finish(vals.astype(dtype.np), requires_grad, out)


# -- grids and index helpers ----------------------------------------------------------------------
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 0-d/1-d tensors ('ij': matrix indexing, 'xy': Cartesian)."""
    from ._util import expand_to
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = 'ij'
    if indexing not in ('ij', 'xy'):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: "
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("torch.meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                               f"{t}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    ts = list(tensors)
    swap = indexing == 'xy' and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t._data.size for t in ts)
    outs = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = shape[i]
        outs.append(expand_to(t.reshape(view), shape))
    if swap:
        outs[0], outs[1] = outs[1], outs[0]
    return tuple(outs)


def cartesian_prod(*tensors):
    """All combinations of the 1-d tensors' elements, one per row."""
    if len(tensors) == 1:
        return tensors[0]
    grids = np.meshgrid(*[t._data for t in tensors], indexing='ij')
    return _wrap(np.stack([g.reshape(-1) for g in grids], axis=1))


def _tri_indices(fn, name, row, col, offset, dtype):
    for what, v in (('row', row), ('col', col)):
        if v < 0:
            raise RuntimeError(f"{what} must be non-negative, got{v}")
    dtype = dtype or _dtype.int64
    if row == 0 or col == 0:
        return _wrap(np.empty((2, 0), dtype.np))
    r, c = fn(row, offset, col)
    return _wrap(np.stack([r, c]).astype(dtype.np))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Indices (2 x N) of the lower triangle of a row x col matrix."""
    return _tri_indices(np.tril_indices, 'tril', row, col, offset, dtype)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Indices (2 x N) of the upper triangle of a row x col matrix."""
    return _tri_indices(np.triu_indices, 'triu', row, col, offset, dtype)


# -- complex construction -------------------------------------------------------------------------
def _complex_check(a, b, name):
    if a._data.dtype != b._data.dtype or a._data.dtype.kind != 'f':
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_short(a.dtype)} and {_short(b.dtype)}")


def complex(real, imag, *, out=None):
    """A complex tensor from real and imaginary parts (same float dtype)."""
    _complex_check(real, imag, 'complex')
    dt = real.dtype.to_complex().np
    res = real._data.astype(dt) + 1j * imag._data.astype(dt)
    return _finish(res.astype(dt, copy=False), False, out)


def polar(abs, angle, *, out=None):
    """A complex tensor abs * (cos(angle) + i sin(angle))."""
    _complex_check(abs, angle, 'polar')
    dt = abs.dtype.to_complex().np
    res = abs._data * np.cos(angle._data) + 1j * (abs._data * np.sin(angle._data))
    return _finish(res.astype(dt, copy=False), False, out)
