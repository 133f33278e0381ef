"""torch.backends.cudnn: cuDNN is never available; its flags are settable and change nothing."""
import sys

from . import _flags

enabled = True
benchmark = False
benchmark_limit = None
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None


def is_acceptable(tensor):
    """Whether cuDNN would handle this tensor: never."""
    return False


def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Context manager setting the cuDNN flags for a with-block."""
    return _flags(sys.modules[__name__], enabled=enabled, benchmark=benchmark,
                  benchmark_limit=benchmark_limit, deterministic=deterministic, allow_tf32=allow_tf32)
