"""torch.backends.cpu: the SIMD level of this CPU, as torch names it."""


def get_cpu_capability():
    """'AVX512', 'AVX2' or 'DEFAULT' (what NumPy's dispatcher detected)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:
        try:  # NumPy 1.x
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except ImportError:
            return 'DEFAULT'
    if all(feats.get(f) for f in ('AVX512F', 'AVX512BW', 'AVX512VL', 'AVX512DQ', 'FMA3')):
        return 'AVX512'
    if feats.get('AVX2') and feats.get('FMA3'):
        return 'AVX2'
    return 'DEFAULT'
