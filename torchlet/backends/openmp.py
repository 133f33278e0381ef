"""torch.backends.openmp: torchlet runs no OpenMP code of its own (NumPy's BLAS has its own threads)."""


def is_available():
    return False
