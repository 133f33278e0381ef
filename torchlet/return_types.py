"""torch.return_types: the named tuples returned by max(dim), sort, topk, svd, ...

Each type is a tuple subclass with read-only named fields; it unpacks like a tuple and prints like
torch's structseq (``torch.return_types.max(\\nvalues=tensor(...),\\nindices=tensor(...))``). Ops that
were given ``out=`` return the ``<name>_out`` variant, as torch does.
"""

__all__ = []


class _StructSeq(tuple):
    """Base of the return types: a fixed-length tuple with named, read-only fields."""
    __slots__ = ()
    _fields = ()
    n_fields = n_sequence_fields = 0
    n_unnamed_fields = 0

    def __new__(cls, sequence):
        seq = tuple(sequence)
        if len(seq) != cls.n_fields:
            raise TypeError(f"torch.return_types.{cls.__name__}() takes a {cls.n_fields}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ',\n'.join(f'{name}={value!r}' for name, value in zip(self._fields, self))
        return f'torch.return_types.{type(self).__name__}(\n{body})'

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _field(i):
    return property(lambda self: tuple.__getitem__(self, i))


def _make(name, fields):
    """Create the return type ``name`` with the given field names (registered in this module)."""
    ns = {'__slots__': (), '_fields': tuple(fields), 'n_fields': len(fields),
          'n_sequence_fields': len(fields), '__module__': __name__, '__qualname__': name}
    ns.update({f: _field(i) for i, f in enumerate(fields)})
    cls = type(name, (_StructSeq,), ns)
    globals()[name] = cls
    __all__.append(name)
    return cls


_VALUES_INDICES = ('values', 'indices')
_SPECS = {
    'max': _VALUES_INDICES, 'min': _VALUES_INDICES, 'sort': _VALUES_INDICES, 'topk': _VALUES_INDICES,
    'kthvalue': _VALUES_INDICES, 'median': _VALUES_INDICES, 'nanmedian': _VALUES_INDICES,
    'mode': _VALUES_INDICES, 'cummax': _VALUES_INDICES, 'cummin': _VALUES_INDICES,
    'aminmax': ('min', 'max'), 'frexp': ('mantissa', 'exponent'), 'geqrf': ('a', 'tau'),
    'histogram': ('hist', 'bin_edges'), 'histogramdd': ('hist', 'bin_edges'),
    'slogdet': ('sign', 'logabsdet'), 'qr': ('Q', 'R'), 'svd': ('U', 'S', 'V'),
    'lu_unpack': ('P', 'L', 'U'), 'triangular_solve': ('solution', 'cloned_coefficient'),
    'linalg_cholesky_ex': ('L', 'info'), 'linalg_eig': ('eigenvalues', 'eigenvectors'),
    'linalg_eigh': ('eigenvalues', 'eigenvectors'), 'linalg_inv_ex': ('inverse', 'info'),
    'linalg_ldl_factor': ('LD', 'pivots'), 'linalg_ldl_factor_ex': ('LD', 'pivots', 'info'),
    'linalg_lstsq': ('solution', 'residuals', 'rank', 'singular_values'),
    'linalg_lu': ('P', 'L', 'U'), 'linalg_lu_factor': ('LU', 'pivots'),
    'linalg_lu_factor_ex': ('LU', 'pivots', 'info'), 'linalg_qr': ('Q', 'R'),
    'linalg_slogdet': ('sign', 'logabsdet'), 'linalg_solve_ex': ('result', 'info'),
    'linalg_svd': ('U', 'S', 'Vh'),
}

for _name, _fields in _SPECS.items():
    _make(_name, _fields)
    if _name != 'histogramdd':
        _make(_name + '_out', _fields)
del _name, _fields


def _build(name, values, out=None):
    """The return type ``name`` (or ``name_out`` when the op was given ``out=``) around values."""
    return globals()[name if out is None else name + '_out'](values)
