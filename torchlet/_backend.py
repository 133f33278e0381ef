"""Process-level settings for the array backend (NumPy on the CPU)."""
import ctypes
import os
import sys

__all__ = []


def tune_malloc():
    """Keep freed large arrays in glibc's heap instead of returning them to the OS at once.

    Training loops allocate arrays of the same sizes every step; with glibc's defaults each one is a
    fresh mmap whose pages fault in again (softmax/batch-norm sized ops ran 1.3-3x slower). PyTorch
    avoids this with its caching allocator. Set TORCHLET_NO_MALLOPT=1 to keep glibc's defaults.
    """
    if os.environ.get('TORCHLET_NO_MALLOPT') or not sys.platform.startswith('linux'):
        return False
    try:
        libc = ctypes.CDLL('libc.so.6')
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(libc.mallopt(m_mmap_threshold, 1 << 30) and libc.mallopt(m_trim_threshold, 1 << 30))


tune_malloc()
