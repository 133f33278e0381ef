"""torch.backends.mkl: available when NumPy's BLAS is Intel MKL."""
import functools

VERBOSE_OFF = 0
VERBOSE_ON = 1


@functools.cache
def is_available():
    import numpy as np
    try:
        blas = np.show_config(mode='dicts')['Build Dependencies']['blas']['name']
    except Exception:  # an unusual NumPy build without the config dict
        return False
    return 'mkl' in str(blas).lower()
