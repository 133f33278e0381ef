"""torch-named dtypes and PyTorch's type-promotion rules."""
import builtins as _b

import numpy as np

__all__ = ['dtype', 'float16', 'float32', 'float64', 'half', 'float', 'double', 'bfloat16',
           'int8', 'int16', 'int32', 'int64', 'short', 'int', 'long', 'uint8', 'bool',
           'complex64', 'complex128', 'cfloat', 'cdouble',
           'get_default_dtype', 'set_default_dtype', 'promote_types', 'result_type', 'can_cast',
           'finfo', 'iinfo']

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, named as in torch (torch.float32, torch.int64, ...)."""
    __slots__ = ('name', 'np', 'itemsize', 'is_floating_point', 'is_complex', 'is_signed',
                 '_category', '_legacy')

    def __init__(self, name, np_dtype, category, legacy):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self._category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = self.np.kind in 'ifc'
        self._legacy = legacy

    def __repr__(self):
        return 'torch.' + self.name

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float32: complex64, float64: complex128, float16: complex64}.get(self, self)

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


float16 = half = dtype('float16', np.float16, _FLOAT, 'HalfTensor')
float32 = float = dtype('float32', np.float32, _FLOAT, 'FloatTensor')
float64 = double = dtype('float64', np.float64, _FLOAT, 'DoubleTensor')
int8 = dtype('int8', np.int8, _INT, 'CharTensor')
int16 = short = dtype('int16', np.int16, _INT, 'ShortTensor')
int32 = int = dtype('int32', np.int32, _INT, 'IntTensor')
int64 = long = dtype('int64', np.int64, _INT, 'LongTensor')
uint8 = dtype('uint8', np.uint8, _INT, 'ByteTensor')
bool = dtype('bool', np.bool_, _BOOL, 'BoolTensor')
complex64 = cfloat = dtype('complex64', np.complex64, _COMPLEX, 'ComplexFloatTensor')
complex128 = cdouble = dtype('complex128', np.complex128, _COMPLEX, 'ComplexDoubleTensor')
# NumPy has no bfloat16; the name exists so that scripts which mention it import cleanly.
bfloat16 = dtype('bfloat16', np.float32, _FLOAT, 'BFloat16Tensor')

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool, complex64, complex128)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL + (bfloat16,)}


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The torch dtype of a NumPy dtype; TypeError for types torch has no tensor for."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        np_dtype = np.dtype(np_dtype)
        if np_dtype in _BY_NP:
            return _BY_NP[np_dtype]
        if np_dtype.kind == 'u':   # uint16/32/64 have no full torch support: widen
            return int64
        raise TypeError(f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types "
                        "are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
                        "int8, uint8, and bool.") from None


class _Defaults:
    float_dtype = float32


def get_default_dtype():
    return _Defaults.float_dtype


def set_default_dtype(d):
    if not isinstance(d, dtype) or not (d.is_floating_point or d.is_complex):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _Defaults.float_dtype = d


def promote_types(a, b):
    """The smallest dtype both a and b can be cast to, by torch's rules."""
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.is_complex and lo.is_floating_point and lo.itemsize > hi.itemsize // 2:
            return complex128
        return hi
    return _BY_NP[np.promote_types(a.np, b.np)]


def _scalar_category(x):
    if isinstance(x, (_b.bool, np.bool_)):
        return _BOOL
    if isinstance(x, (_b.int, np.integer)):
        return _INT
    if isinstance(x, (_b.complex, np.complexfloating)):
        return _COMPLEX
    return _FLOAT


def _default_for(category):
    if category == _FLOAT:
        return _Defaults.float_dtype
    if category == _INT:
        return int64
    if category == _COMPLEX:
        return complex128 if _Defaults.float_dtype is float64 else complex64
    return bool


def result_type(*operands):
    """torch.result_type: tensors with dimensions outrank zero-dim tensors, which outrank Python
    numbers; a lower-ranked operand only matters when its category (bool < int < float < complex)
    is higher."""
    from ._tensor import Tensor
    dim = zero = None
    scalar_cat = -1
    for x in operands:
        if isinstance(x, Tensor):
            d = x.dtype
            if x._data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        elif isinstance(x, dtype):
            dim = x if dim is None else promote_types(dim, x)
        else:
            c = _scalar_category(x)
            scalar_cat = c if c > scalar_cat else scalar_cat
    out = dim
    if zero is not None:
        if out is None:
            out = zero
        elif zero._category > out._category:
            out = promote_types(out, zero) if zero._category == _COMPLEX else zero
    if scalar_cat >= 0:
        if out is None:
            out = _default_for(scalar_cat)
        elif scalar_cat > out._category:
            if scalar_cat == _COMPLEX and out.is_floating_point:
                out = out.to_complex()
            else:
                out = _default_for(scalar_cat)
    return out


def can_cast(from_, to):
    """torch.can_cast: False only when a cast would lower the category (float -> int, ...)."""
    return from_._category <= to._category


class finfo:
    def __init__(self, type=None):
        type = type or get_default_dtype()
        fi = np.finfo(type.np)
        self.dtype = type.name
        self.bits, self.eps, self.max, self.min = fi.bits, _b.float(fi.eps), \
            _b.float(fi.max), _b.float(fi.min)
        self.tiny = self.smallest_normal = _b.float(fi.tiny)
        self.resolution = _b.float(fi.resolution)


class iinfo:
    def __init__(self, type):
        ii = np.iinfo(type.np)
        self.dtype = type.name
        self.bits, self.max, self.min = ii.bits, _b.int(ii.max), _b.int(ii.min)
