"""torch.cuda, answering as a CPU-only PyTorch build does: CUDA is never available.

Queries (``is_available``, ``device_count``, memory statistics) answer False/0; seeding and
``empty_cache`` are silently ignored; anything that needs a GPU (``current_device``,
``get_device_name``, ``synchronize``, ...) raises torch's ``AssertionError: Torch not compiled with
CUDA enabled``. Names torch.cuda has and torchlet lacks fail with an AttributeError saying so.
"""
import collections
import contextlib
import warnings

from .._device import device as _device

__all__ = ['is_available', 'device_count', 'is_initialized', 'init', 'current_device', 'set_device',
           'get_device_name', 'get_device_properties', 'get_device_capability', 'synchronize',
           'manual_seed', 'manual_seed_all', 'seed', 'seed_all', 'initial_seed', 'get_rng_state',
           'set_rng_state', 'get_rng_state_all', 'set_rng_state_all', 'empty_cache', 'ipc_collect',
           'mem_get_info', 'memory_allocated', 'max_memory_allocated', 'memory_reserved',
           'max_memory_reserved', 'memory_cached', 'max_memory_cached', 'memory_stats',
           'reset_peak_memory_stats', 'reset_max_memory_allocated', 'is_bf16_supported',
           'is_tf32_supported', 'get_arch_list', 'get_gencode_flags', 'device', 'device_of', 'stream',
           'current_stream', 'default_stream', 'Stream', 'Event', 'default_generators', 'amp']

_NOT_COMPILED = "Torch not compiled with CUDA enabled"
default_generators = ()


def _lazy_init():
    """What torch does before touching the GPU; on a CPU-only build it fails."""
    raise AssertionError(_NOT_COMPILED)


def _device_index(dev, optional=False):
    """The CUDA index named by dev (int, str or device), -1 for None/negative when optional."""
    idx = _device(dev) if isinstance(dev, str) else dev
    if isinstance(idx, _device):
        if idx.type != 'cuda':
            raise ValueError(f"Expected a cuda device, but got: {idx}")
        idx = idx.index
    if idx is None:
        if optional:
            return -1
        raise ValueError(f"Expected a torch.device with a specified index or an integer, but got:{dev}")
    return int(idx)


def _is_compiled():
    return False


def is_available():
    """False: torchlet has no CUDA backend."""
    return False


def device_count():
    return 0


def is_initialized():
    return False


def init():
    _lazy_init()


def current_device():
    _lazy_init()


def set_device(device):
    """A no-op for a negative index; otherwise torch's CPU-build error."""
    if _device_index(device) >= 0:
        _lazy_init()


def get_device_properties(device=None):
    _lazy_init()


get_device_name = get_device_capability = get_device_properties


def synchronize(device=None):
    _lazy_init()


def ipc_collect():
    _lazy_init()


def mem_get_info(device=None):
    _lazy_init()


def initial_seed():
    _lazy_init()


def get_rng_state(device='cuda'):
    _lazy_init()


def current_stream(device=None):
    _lazy_init()


default_stream = current_stream


def manual_seed(seed):
    """Silently ignored without CUDA, as in torch (the seed must still convert to int)."""
    int(seed)


manual_seed_all = manual_seed


def seed():
    """Silently ignored without CUDA."""


seed_all = seed


def set_rng_state(new_state, device='cuda'):
    """Silently ignored without CUDA (torch queues it for a lazy init that never comes)."""


def get_rng_state_all():
    return []


def set_rng_state_all(new_states):
    for i, state in enumerate(new_states):
        set_rng_state(state, i)


def empty_cache():
    """Nothing is cached: a no-op, as in torch when CUDA was never initialised."""


def memory_stats(device=None):
    return collections.OrderedDict()


def memory_allocated(device=None):
    return 0


max_memory_allocated = memory_reserved = max_memory_reserved = memory_allocated


def memory_cached(device=None):
    warnings.warn("`torch.cuda.memory_cached` has been renamed to `torch.cuda.memory_reserved`",
                  FutureWarning, stacklevel=2)
    return 0


def max_memory_cached(device=None):
    warnings.warn("`torch.cuda.max_memory_cached` has been renamed to `torch.cuda.max_memory_reserved`",
                  FutureWarning, stacklevel=2)
    return 0


def reset_peak_memory_stats(device=None):
    _lazy_init()


reset_max_memory_allocated = reset_peak_memory_stats


def is_bf16_supported(including_emulation=True):
    return False


def is_tf32_supported():
    return False


def get_arch_list():
    return []


def get_gencode_flags():
    return ''


class device:
    """Context manager that selects a CUDA device; a no-op for None or a negative index."""

    def __init__(self, device):
        self.idx = _device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx >= 0:
            raise RuntimeError("PyTorch was compiled without CUDA support")

    def __exit__(self, *exc):
        return False


class device_of(device):
    """Context manager that selects the device of a tensor: a no-op for CPU tensors."""

    def __init__(self, obj):
        super().__init__(-1 if not getattr(obj, 'is_cuda', False) else obj.get_device())


class Stream:
    """A CUDA stream (cannot be created without CUDA)."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("torch.cuda.Stream requires CUDA support")


class Event:
    """A CUDA event (cannot be created without CUDA)."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("torch.cuda.Event requires CUDA support")


def stream(stream):
    """Context manager selecting a stream: a no-op for None, as in torch."""
    if stream is None:
        return contextlib.nullcontext()
    _lazy_init()


class _CudaTypeMeta(type):
    def __instancecheck__(cls, obj):
        return False


def _legacy_type(name):
    """torch.cuda.FloatTensor and friends: they exist, but constructing one fails."""
    def __new__(cls, *args, **kwargs):
        raise TypeError(f"type torch.cuda.{name} not available. Torch not compiled with CUDA enabled.")
    return _CudaTypeMeta(name, (), {'__new__': __new__, '__module__': 'torch.cuda',
                                    '__doc__': f'torch.cuda.{name} (unavailable without CUDA).'})


for _name in ('FloatTensor', 'DoubleTensor', 'HalfTensor', 'BFloat16Tensor', 'ByteTensor', 'CharTensor',
              'ShortTensor', 'IntTensor', 'LongTensor', 'BoolTensor'):
    globals()[_name] = _legacy_type(_name)
    __all__.append(_name)
del _name

from . import amp  # noqa: E402


def __getattr__(name):
    from ..compat import module_getattr
    return module_getattr(__name__, 'torch.cuda', name)
