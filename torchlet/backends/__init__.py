"""torch.backends: which native libraries torchlet uses (none of CUDA, cuDNN, MPS, oneDNN, OpenMP),
with the settable flags scripts write (``torch.backends.cudnn.benchmark = True``) kept as plain
module attributes that change nothing."""
import contextlib

__all__ = ['cpu', 'cuda', 'cudnn', 'mkl', 'mkldnn', 'mps', 'openmp']


@contextlib.contextmanager
def _flags(module, **values):
    """Set module attributes for the duration of a with-block (the backends' ``flags(...)``)."""
    saved = {k: getattr(module, k) for k in values}
    for k, v in values.items():
        setattr(module, k, v)
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(module, k, v)


from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: E402


def __getattr__(name):
    from ..compat import module_getattr
    return module_getattr(__name__, 'torch.backends', name)
