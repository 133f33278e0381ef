"""torch.accelerator: the device-generic accelerator API. torchlet has no accelerator, so queries
answer False/None/0 and everything that needs a device raises torch's RuntimeError."""
import warnings

__all__ = ['is_available', 'current_accelerator', 'device_count', 'current_device_index',
           'current_device_idx', 'set_device_index', 'set_device_idx', 'device_index',
           'current_stream', 'set_stream', 'synchronize', 'empty_cache', 'memory_stats',
           'memory_allocated', 'max_memory_allocated', 'memory_reserved', 'max_memory_reserved',
           'reset_peak_memory_stats', 'reset_accumulated_memory_stats', 'get_memory_info']

_NONE = "Cannot access accelerator device when none is available."


def is_available():
    return False


def current_accelerator(check_available=False):
    """The accelerator device type, or None (there is none)."""
    return None


def device_count():
    return 0


def _no_accelerator(*args, **kwargs):
    raise RuntimeError(_NONE)


def current_device_index():
    _no_accelerator()


def set_device_index(device):
    _no_accelerator()


def current_stream(device=None):
    _no_accelerator()


def set_stream(stream):
    _no_accelerator()


def synchronize(device=None):
    _no_accelerator()


def empty_cache():
    _no_accelerator()


(memory_stats, memory_allocated, max_memory_allocated, memory_reserved, max_memory_reserved,
 reset_peak_memory_stats, reset_accumulated_memory_stats, get_memory_info) = (_no_accelerator,) * 8


def current_device_idx():
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_idx(device):
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    return set_device_index(device)


class device_index:
    """Context manager selecting an accelerator index: a no-op for None, an error otherwise."""

    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        if self.idx is not None:
            _no_accelerator()

    def __exit__(self, *exc):
        return False


def __getattr__(name):
    from .compat import module_getattr
    return module_getattr(__name__, 'torch.accelerator', name)
