"""torch.backends.mkldnn: torchlet does not use oneDNN (MKL-DNN), so it is not available; the
flags are settable and change nothing."""
import sys

from . import _flags

enabled = True
deterministic = False


def is_available():
    return False


def flags(enabled=False, deterministic=False):
    """Context manager setting the oneDNN flags for a with-block."""
    return _flags(sys.modules[__name__], enabled=enabled, deterministic=deterministic)
