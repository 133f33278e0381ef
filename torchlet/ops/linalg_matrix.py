"""Matrix structure ops: triu, tril, diagonal (a view), diag, diag_embed, diagflat, trace, cross."""
import warnings

import numpy as np

from .. import _dtype
from ._util import Op, register, inplace, sum_to, expand_to, wrap_dim, _short
from .elementwise import write_out
from .shape import Transpose

__all__ = ['triu', 'tril', 'diag', 'diag_embed', 'diagonal', 'diagflat', 'trace', 'cross']

# C++ names of scalar types, as torch's dtype-mismatch messages print them.
_CTYPE = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int',
          'int32': 'int', 'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char',
          'bool': 'bool', 'complex64': 'c10::complex<float>', 'complex128': 'c10::complex<double>'}


def _sname(np_dtype):
    """torch's ScalarType name of a NumPy dtype ('Float', 'Double', 'Long', ...)."""
    return _short(_dtype.from_numpy_dtype(np_dtype))


def _x(shape):
    return 'x'.join(str(s) for s in shape)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def mT(x):
    """The batch-matrix transpose x.mT (a view)."""
    n = x._data.ndim
    return Transpose.apply(x, n - 2, n - 1)


def conj(x):
    """x.conj() for complex tensors; real tensors are returned as they are."""
    return x.conj() if x._data.dtype.kind == 'c' else x


def mH(x):
    """The batch-matrix conjugate transpose x.mH."""
    return conj(mT(x))


def _result(r, out, name):
    """r itself, or (given out=) r written into out, or each of a tuple into each of out."""
    if out is None:
        return r
    if isinstance(r, tuple):
        return tuple(write_out(x, o, name) for x, o in zip(r, out))
    return write_out(r, out, name)


class Triu(Op):
    """The upper triangle (on and above ``diagonal``) of the last two dims; zeros elsewhere."""
    mask = staticmethod(np.triu)

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return type(ctx).mask(x._data, diagonal)

    @staticmethod
    def backward(ctx, g):
        return type(ctx).apply(g, ctx.diagonal), None


class Tril(Triu):
    mask = staticmethod(np.tril)


def _triangle(node, name, input, diagonal, out):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    r = node.apply(input, int(diagonal))
    return _result(r, out, name)


def triu(input, diagonal=0, *, out=None):
    return _triangle(Triu, 'triu', input, diagonal, out)


def tril(input, diagonal=0, *, out=None):
    return _triangle(Tril, 'tril', input, diagonal, out)


def _diag_view(a, offset, dim1, dim2):
    """np.diagonal as a view that is writable whenever ``a`` is."""
    v = np.diagonal(a, offset, dim1, dim2)
    if a.flags.writeable:
        v.flags.writeable = True
    return v


class Diagonal(Op):
    """The diagonal of dims (dim1, dim2) as the last dim, a view sharing memory with the input."""
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.args = (x._data.shape, offset, dim1, dim2)
        return _diag_view(x._data, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, g):
        return DiagEmbed.apply(g, *ctx.args), None, None, None


class DiagonalCopy(Diagonal):
    """diag() of a matrix: the diagonal as a new tensor."""
    _bname = 'DiagonalBackward0_copy'
    is_view = False

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.args = (x._data.shape, offset, dim1, dim2)
        return np.diagonal(x._data, offset, dim1, dim2).copy()


class DiagEmbed(Op):
    """Zeros of ``shape`` with x written on the diagonal of (dim1, dim2); x's last dim runs along the
    diagonal (the inverse of Diagonal, and its backward)."""

    @staticmethod
    def forward(ctx, x, shape, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        out = np.zeros(shape, x._data.dtype)
        _diag_view(out, offset, dim1, dim2)[...] = x._data
        return out

    @staticmethod
    def backward(ctx, g):
        return Diagonal.apply(g, *ctx.args), None, None, None, None


def _diag_dims(dim1, dim2, ndim):
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal (offset above the main one when positive) of dims dim1 and dim2,
    appended as the last dim."""
    d1, d2 = _diag_dims(dim1, dim2, input._data.ndim)
    return Diagonal.apply(input, int(offset), d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose (dim1, dim2) diagonals are input's last dim (zeros elsewhere)."""
    shape = list(input._data.shape)
    n = (shape.pop() if shape or input._data.ndim else 1) + abs(int(offset))
    d1, d2 = _diag_dims(dim1, dim2, len(shape) + 2)
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    x = input if input._data.ndim else input.reshape(1)
    return DiagEmbed.apply(x, tuple(shape), int(offset), d1, d2)


def diag(input, diagonal=0, *, out=None):
    """1-D input: a square matrix with input on the given diagonal. 2-D input: that diagonal."""
    nd = input._data.ndim
    if nd == 1:
        n = input._data.shape[0] + abs(int(diagonal))
        r = DiagEmbed.apply(input, (n, n), int(diagonal), 0, 1)
    elif nd == 2:
        r = DiagonalCopy.apply(input, int(diagonal), 0, 1)
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
    return _result(r, out, 'diag')


def diagflat(input, offset=0):
    """The flattened input on the offset diagonal of a square matrix."""
    x = input.reshape(-1)
    n = x._data.shape[0] + abs(int(offset))
    return DiagEmbed.apply(x, (n, n), int(offset), 0, 1)


class Trace(Op):
    @staticmethod
    def forward(ctx, x):
        a = x._data
        ctx.shape = a.shape
        return np.asarray(np.trace(a, dtype=np.int64 if a.dtype.kind in 'iu' else None))

    @staticmethod
    def backward(ctx, g):
        k = min(ctx.shape)
        return DiagEmbed.apply(expand_to(g.reshape(1), (k,)), ctx.shape, 0, 0, 1)


def trace(input):
    """Sum of the main diagonal of a matrix."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


class LinalgCross(Op):
    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return np.cross(a._data, b._data, axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        d = ctx.dim
        ga = sum_to(LinalgCross.apply(b, g, d), a._data.shape) if ctx.needs_grad(0) else None
        gb = sum_to(LinalgCross.apply(g, a, d), b._data.shape) if ctx.needs_grad(1) else None
        return ga, gb, None


def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along dim (torch.cross: the first dim of size 3 when dim is None)."""
    sa, sb = input._data.shape, other._data.shape
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
                      "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
                      "change to agree with that of linalg.cross in a future release.", UserWarning,
                      stacklevel=2)
        dim = next((i for i, s in enumerate(sa) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _linalg_cross(input, other, dim, out)


def _linalg_cross(input, other, dim, out):
    sa, sb = input._data.shape, other._data.shape
    if len(sa) != len(sb):
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, len(sa))
    if sa[d] != 3 or sb[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa[d]} and "
                           f"{sb[d]}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"expected scalar type {_sname(input._data.dtype)} but found "
                           f"{_sname(other._data.dtype)}")
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(sa, sb) from None
    r = LinalgCross.apply(input, other, d)
    return _result(r, out, 'linalg_cross')


register(triu=triu, tril=tril, triu_=lambda self, diagonal=0: inplace(self, triu, diagonal),
         tril_=lambda self, diagonal=0: inplace(self, tril, diagonal), diag=diag, diag_embed=diag_embed,
         diagonal=diagonal, diagflat=diagflat, trace=trace, cross=cross)
