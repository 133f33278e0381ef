"""Miscellaneous top-level torch functions: threads, determinism, matmul precision, dtype predicates,
and the compiler entry points (``torch.compile``, ``torch.autocast``), which are no-ops here."""
import ctypes
import functools
import os
import warnings

from ._device import CPU, as_device
from ._tensor import Tensor
from .cuda.amp import DeviceAutocast as autocast

__all__ = ['set_num_threads', 'get_num_threads', 'set_num_interop_threads', 'get_num_interop_threads',
           'use_deterministic_algorithms', 'are_deterministic_algorithms_enabled',
           'is_deterministic_algorithms_warn_only_enabled', 'set_deterministic_debug_mode',
           'get_deterministic_debug_mode', 'is_floating_point', 'is_complex', 'is_nonzero', 'numel',
           'set_float32_matmul_precision', 'get_float32_matmul_precision', 'compile', 'autocast',
           'is_autocast_enabled', 'get_default_device', 'set_default_device']

_state = {'threads': None, 'interop_threads': None, 'deterministic': False, 'warn_only': False,
          'matmul_precision': 'highest'}


# -- threads --------------------------------------------------------------------------------------
@functools.cache
def _openblas():
    """(set, get) thread-count functions of the OpenBLAS that NumPy uses, or None when not found."""
    import glob
    import numpy as np
    paths = []
    try:
        with open('/proc/self/maps') as f:
            paths = sorted({line.split()[-1] for line in f if 'openblas' in line.rsplit('/', 1)[-1]})
    except OSError:
        pass
    np_dir = os.path.dirname(np.__file__)
    for pattern in ('../numpy.libs/*openblas*', '.dylibs/*openblas*'):
        paths += glob.glob(os.path.join(np_dir, pattern))
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (('scipy_openblas', '64_'), ('scipy_openblas', ''), ('openblas', '64_'),
                               ('openblas', '')):
            setter = getattr(lib, f'{prefix}_set_num_threads{suffix}', None)
            getter = getattr(lib, f'{prefix}_get_num_threads{suffix}', None)
            if setter is not None and getter is not None:
                getter.restype = ctypes.c_int
                return setter, getter
    return None


def _check_positive_int(fn, n):
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"{fn} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{fn} expects a positive integer")


def set_num_threads(num_threads):
    """Number of threads for intra-op parallelism: here, NumPy's BLAS threads (OpenBLAS)."""
    _check_positive_int('set_num_threads', num_threads)
    blas = _openblas()
    if blas is not None:
        blas[0](num_threads)
    _state['threads'] = num_threads


def get_num_threads():
    if _state['threads'] is None:
        blas = _openblas()
        return blas[1]() if blas is not None else (os.cpu_count() or 1)
    return _state['threads']


def set_num_interop_threads(num_threads):
    """Number of inter-op threads (recorded only: torchlet runs ops one after another)."""
    _check_positive_int('set_num_interop_threads', num_threads)
    _state['interop_threads'] = num_threads


def get_num_interop_threads():
    return _state['interop_threads'] or os.cpu_count() or 1


# -- determinism ----------------------------------------------------------------------------------
def _check_bool(name, value, position=''):
    if not isinstance(value, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument '{name}'{position} must be bool, "
                        f"not {type(value).__name__}")


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the deterministic-algorithms flags (torchlet's NumPy ops are deterministic anyway)."""
    _check_bool('mode', mode, ' (position 1)')
    _check_bool('warn_only', warn_only)
    _state['deterministic'], _state['warn_only'] = mode, warn_only


def are_deterministic_algorithms_enabled():
    return _state['deterministic']


def is_deterministic_algorithms_warn_only_enabled():
    return _state['warn_only']


_DEBUG_MODES = {'default': 0, 'warn': 1, 'error': 2}


def set_deterministic_debug_mode(debug_mode):
    """0/'default': off, 1/'warn': warn only, 2/'error': deterministic algorithms on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, "
                               f"but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif isinstance(debug_mode, int):
        if debug_mode not in (0, 1, 2):
            raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    else:
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _state['deterministic']:
        return 0
    return 1 if _state['warn_only'] else 2


# -- tensor predicates ----------------------------------------------------------------------------
def _check_tensor(fn, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def is_floating_point(input):
    _check_tensor('is_floating_point', input)
    return input._data.dtype.kind == 'f'


def is_complex(input):
    _check_tensor('is_complex', input)
    return input._data.dtype.kind == 'c'


def is_nonzero(input):
    """The truth value of a one-element tensor (torch's errors for empty or larger tensors)."""
    _check_tensor('is_nonzero', input)
    n = input._data.size
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if n == 0 else
                           "Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


def numel(input):
    _check_tensor('numel', input)
    return input._data.size


# -- float32 matmul precision ---------------------------------------------------------------------
def set_float32_matmul_precision(precision):
    """'highest', 'high' or 'medium' (recorded; NumPy's float32 matmul is always full precision)."""
    if precision not in ('highest', 'high', 'medium'):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)  # sic
        return
    _state['matmul_precision'] = precision


def get_float32_matmul_precision():
    return _state['matmul_precision']


# -- compiler entry points ------------------------------------------------------------------------
def compile(model=None, *, fullgraph=False, dynamic=None, backend='inductor', mode=None, options=None,
            disable=False):
    """torch.compile: returns the function or module unchanged (torchlet runs eagerly). Also usable
    as ``@torch.compile`` and ``@torch.compile(mode=...)``."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the "
                           "same time.")
    if model is None:
        def fn(model):
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model)
        return fn
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model


def is_autocast_enabled(device_type=None):
    """False: autocast is never active in torchlet."""
    return False


# -- default device -------------------------------------------------------------------------------
def get_default_device():
    """The device factories use by default: always the CPU."""
    return CPU


def set_default_device(device):
    """Only the CPU (or None) can be the default device; any other raises torch's error for an
    unavailable device now (torch raises it at the first factory call)."""
    if device is not None:
        as_device(device)
