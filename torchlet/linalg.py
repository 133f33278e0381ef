"""torch.linalg: norms, decompositions, solvers and products, with torch's names and conventions.

Most functions are thin wrappers over the tensor-level ops in torchlet/ops/linalg*.py; this module
adds the norms (vector_norm, matrix_norm, norm, cond) and the eigen-decompositions.
"""
import numbers

import numpy as np

from . import return_types
from .autograd.grad_mode import _State
from ._tensor import Tensor
from .autograd.function import Op
from .ops._util import wrap_dim
from .ops.shape import movedim
from .ops.norms import vector_norm as _vector_norm
from .ops.linalg import matmul, _mm, mT, mH, _CTYPE, _result
from .ops.linalg_matrix import diagonal as _diagonal, _linalg_cross, DiagEmbed
from .ops.linalg_decomp import (LinAlgError, check_matrix, check_float, inverse, det,
                                LinalgSlogdet, linalg_svd, svdvals, pinv, linalg_cholesky, linalg_qr,
                                solve, solve_triangular, matrix_power, matrix_exp, lu_factor,
                                lu_factor_ex, lu_unpack, lu_solve as _lu_solve, lu_factor_arrays,
                                _unsq, _eye_like, keep_outputs, _outputs, real_only, _defined,
                                _cholesky_array, _tolerances)

__all__ = ['LinAlgError', 'norm', 'vector_norm', 'matrix_norm', 'cond', 'inv', 'inv_ex', 'det', 'slogdet',
           'svd', 'svdvals', 'eig', 'eigvals', 'eigh', 'eigvalsh', 'solve', 'solve_ex', 'solve_triangular',
           'lstsq', 'qr', 'cholesky', 'cholesky_ex', 'matrix_rank', 'pinv', 'cross', 'multi_dot',
           'matrix_power', 'matrix_exp', 'matmul', 'vecdot', 'diagonal', 'lu', 'lu_factor', 'lu_factor_ex',
           'lu_solve', 'tensorinv', 'tensorsolve']


# -- norms ----------------------------------------------------------------------------------------
def _keepdim_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ord-norm of x over dim (all elements when None)."""
    if isinstance(ord, str) or not isinstance(ord, numbers.Number):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    return _vector_norm(x, ord, dim, keepdim, dtype=dtype, out=out)


def _extreme(x, dim, keepdim, largest):
    """amax/amin along dim as a weighted sum (ties share the gradient, as torch's amax)."""
    a = x._data
    best = a.max(dim, keepdims=True) if largest else a.min(dim, keepdims=True)
    hit = a == best
    w = Tensor._wrap((hit / hit.sum(dim, keepdims=True)).astype(a.dtype))
    return (x * w).sum(dim, keepdim=keepdim)


def _abs(x):
    """|x| as x * sign(x): its gradient is sign(x), as torch's abs."""
    return x * Tensor._wrap(np.sign(x._data))


_MATRIX_ORDS = ('fro', 'nuc', 2, -2, 1, -1, float('inf'), float('-inf'))


def matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norms over the two dims in dim: 'fro', 'nuc', 2/-2 (largest/smallest singular value),
    1/-1 (max/min column sum of |A|), inf/-inf (max/min row sum)."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    check_float(A, 'linalg.matrix_norm')
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    n = A._data.ndim
    d0, d1 = wrap_dim(dim[0], n), wrap_dim(dim[1], n)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord == 'fro':
        r = vector_norm(A, 2, (d0, d1), keepdim)
    elif ord in ('nuc', 2, -2):
        S = svdvals(movedim(A, (d0, d1), (-2, -1)))
        if ord == 'nuc':
            r = S.sum(-1)
        else:
            r = _extreme(S, -1, False, ord == 2)
        if keepdim:
            r = r.reshape(_keepdim_shape(A._data.shape, (d0, d1)))
    else:
        first, second = (d0, d1) if abs(ord) == 1 else (d1, d0)
        sums = _abs(A).sum(first, keepdim=True)
        r = _extreme(sums, second, True, ord > 0)
        if not keepdim:
            r = r.reshape(tuple(s for i, s in enumerate(r._data.shape) if i not in (d0, d1)))
    return _result(r, out, 'matrix_norm')


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector norm (1-D input or int dim) or matrix norm (2-D input or 2-tuple dim); with neither
    ord nor dim, the 2-norm of all elements."""
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if dim is not None:
        if len(dim) == 1:
            r = vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        else:
            r = matrix_norm(A, 'fro' if ord is None else ord, dim, keepdim, dtype=dtype)
    elif ord is None:
        r = vector_norm(A, 2, None, keepdim, dtype=dtype)
    else:
        n = A._data.ndim
        if n not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                               f"2D. Got {n}D.")
        if n == 1 and not isinstance(ord, str):
            r = vector_norm(A, ord, None, keepdim, dtype=dtype)
        else:
            r = matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return _result(r, out, 'norm')


def cond(A, p=None, *, out=None):
    """Condition number: ratio of extreme singular values (p None/2/-2), else ||A||_p ||A^-1||_p."""
    check_matrix(A, 'linalg.cond', square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        S = svdvals(A)
        big, small = _extreme(S, -1, False, True), _extreme(S, -1, False, False)
        r = big / small if p != -2 else small / big
    else:
        r = matrix_norm(A, p) * matrix_norm(inverse(A), p)
    return _result(r, out, 'cond')


# -- eigen-decompositions -------------------------------------------------------------------------
class LinalgEigh(Op):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix (one triangle is
    read); torch's backward: gA = V (skew(V^T gV) / E + diag(gL)) V^T."""

    @staticmethod
    def forward(ctx, A, uplo):
        return keep_outputs(ctx, *np.linalg.eigh(A._data, UPLO=uplo))

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = _outputs(ctx)
        real_only(ctx, V)
        if not _defined(gV):
            return _mm(V * _unsq(gL, -2), mT(V)), None
        VhgV = _mm(mT(V), gV)
        E = _unsq(L, -2) - _unsq(L, -1) + _eye_like(L, L._data.shape[-1])
        inner = (VhgV - mT(VhgV)) * 0.5 / E
        if _defined(gL):
            n = gL._data.shape[-1]
            inner = inner + DiagEmbed.apply(gL, gL._data.shape + (n,), 0, gL._data.ndim - 1, gL._data.ndim)
        return _mm(V, _mm(inner, mT(V))), None


def _check_uplo(UPLO):
    if UPLO not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO='L', *, out=None):
    check_matrix(A, 'linalg.eigh')
    _check_uplo(UPLO)
    return return_types._build('linalg_eigh', _result(LinalgEigh.apply(A, UPLO), out, 'eigh'), out)


def eigvalsh(A, UPLO='L', *, out=None):
    check_matrix(A, 'linalg.eigvalsh')
    _check_uplo(UPLO)
    if A._rg and _State.grad_enabled:
        r = LinalgEigh.apply(A, UPLO)[0]
    else:
        r = Tensor._wrap(np.linalg.eigvalsh(A._data, UPLO=UPLO))
    return _result(r, out, 'eigvalsh')


class LinalgEig(Op):
    """Complex eigenvalues and eigenvectors of a general matrix (no gradient in torchlet)."""
    differentiable = False

    @staticmethod
    def forward(ctx, A):
        a = A._data
        w, v = np.linalg.eig(a)
        ct = np.result_type(a.dtype, np.complex64)
        return w.astype(ct, copy=False), v.astype(ct, copy=False)


def eig(A, *, out=None):
    check_matrix(A, 'linalg.eig')
    return return_types._build('linalg_eig', _result(LinalgEig.apply(A), out, 'eig'), out)


def eigvals(A, *, out=None):
    check_matrix(A, 'linalg.eigvals')
    a = A._data
    r = Tensor._wrap(np.linalg.eigvals(a).astype(np.result_type(a.dtype, np.complex64), copy=False))
    return _result(r, out, 'eigvals')


# -- wrappers with torch.linalg's names and return types ------------------------------------------
def inv(A, *, out=None):
    return inverse(A, out=out)


def _info(a, failed):
    """The int32 info tensor of an *_ex function: one entry per matrix of a."""
    return Tensor._wrap(np.broadcast_to(np.asarray(failed, dtype=np.int32), a.shape[:-2]).copy())


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info > 0 marks singular matrices (their inverse is nan)."""
    check_matrix(A, 'linalg.inv_ex')
    a = A._data
    try:
        res = (inverse(A), _info(a, 0))
    except LinAlgError:
        if check_errors:
            raise
        info = lu_factor_arrays(a)[2]
        good = info == 0
        inv_a = np.full(a.shape, np.nan, a.dtype)
        if good.any():
            inv_a[good] = np.linalg.inv(a[good])
        res = (Tensor._wrap(inv_a), _info(a, info))
    return return_types._build('linalg_inv_ex', _result(res, out, 'inv_ex'), out)


def slogdet(A, *, out=None):
    check_matrix(A, 'linalg.slogdet')
    return return_types._build('linalg_slogdet', _result(LinalgSlogdet.apply(A), out, 'slogdet'), out)


def svd(A, full_matrices=True, *, driver=None, out=None):
    return return_types._build('linalg_svd', _result(linalg_svd(A, full_matrices), out, 'svd'), out)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info): info > 0 marks singular matrices (their result is nan)."""
    check_matrix(A, 'linalg.solve_ex')
    a = A._data
    try:
        res = (solve(A, B, left=left), _info(a, 0))
    except LinAlgError:
        if check_errors:
            raise
        info = lu_factor_arrays(a)[2]
        bad = info > 0
        fixed = np.where(bad[..., None, None], np.eye(a.shape[-1], dtype=a.dtype), a)
        X = solve(Tensor._wrap(fixed), B, left=left)._data.copy()
        vector = X.ndim == a.ndim - 1 or X.ndim == 1
        X[np.broadcast_to(bad[..., None] if vector else bad[..., None, None], X.shape)] = np.nan
        res = (Tensor._wrap(X), _info(a, info))
    return return_types._build('linalg_solve_ex', _result(res, out, 'solve_ex'), out)


def qr(A, mode='reduced', *, out=None):
    return linalg_qr(A, mode, out=out)


def cholesky(A, *, upper=False, out=None):
    return linalg_cholesky(A, upper, out=out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): info is the order of the first non-positive-definite leading minor, else 0."""
    check_matrix(A, 'linalg.cholesky_ex')
    a = A._data
    try:
        res = (linalg_cholesky(A, upper), _info(a, 0))
    except LinAlgError:
        if check_errors:
            raise
        res = _cholesky_with_info(a, upper)
    return return_types._build('linalg_cholesky_ex', _result(res, out, 'cholesky_ex'), out)


def _cholesky_with_info(a, upper):
    flat = a.reshape((-1,) + a.shape[-2:])
    L = np.zeros_like(flat)
    info = np.zeros(flat.shape[0], np.int32)
    for b, m in enumerate(flat):
        try:
            L[b] = _cholesky_array(m, upper)
        except LinAlgError as e:
            info[b] = int(str(e).split('order ')[1].split(' ')[0])
    return Tensor._wrap(L.reshape(a.shape)), _info(a, info)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B (torch's default 'gelsy' driver: residuals and singular
    values come back empty)."""
    check_matrix(A, 'linalg.lstsq', square=False)
    X = matmul(pinv(A, rtol=rcond) if rcond is not None else pinv(A), B)
    rank = matrix_rank(A, rtol=rcond) if rcond is not None else matrix_rank(A)
    residuals, singular_values = (Tensor._wrap(np.zeros((0,), A._data.dtype)) for _ in range(2))
    return return_types._build('linalg_lstsq', (X, residuals, rank, singular_values))


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Number of singular values above max(atol, rtol * largest)."""
    check_matrix(A, 'linalg.matrix_rank', square=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    atol, rtol = _tolerances(A, atol, rtol)
    a = A._data
    S = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    smax = S.max(-1, keepdims=True) if S.shape[-1] else np.zeros(S.shape[:-1] + (1,), S.dtype)
    r = Tensor._wrap(np.asarray((S > np.maximum(atol, rtol * smax)).sum(-1), dtype=np.int64))
    return _result(r, out, 'matrix_rank')


def cross(input, other, *, dim=-1, out=None):
    return _linalg_cross(input, other, dim, out)


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product of vectors along dim (x conjugated), broadcasting the rest."""
    if x._data.dtype.kind == 'c':
        x = x.conj()
    r = (x * y).sum(dim)
    return _result(r, out, 'vecdot')


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _diagonal(A, offset, dim1, dim2)


def _chain_order(dims):
    """Optimal parenthesisation of a matrix chain (dims p0 x p1, p1 x p2, ...): split table."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices in the cheapest order; the first and last may be vectors."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0]._data.ndim, tensors[-1]._data.ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i in range(1, n - 1):
        if tensors[i]._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {tensors[i]._data.ndim}D")
    dt = tensors[0]._data.dtype
    for i, t in enumerate(tensors):
        if t._data.dtype != dt:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{_CTYPE[dt.name]} and tensor {i} {_CTYPE[t._data.dtype.name]}")
    mats = list(tensors)
    if first == 1:
        mats[0] = mats[0].reshape(1, -1)
    if last == 1:
        mats[-1] = mats[-1].reshape(-1, 1)
    for i in range(n - 1):
        s0, s1 = mats[i]._data.shape, mats[i + 1]._data.shape
        if s0[1] != s1[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(s0)} and {list(s1)} "
                               "cannot be multiplied")
    split = _chain_order([mats[0]._data.shape[0]] + [m._data.shape[1] for m in mats])

    def chain(i, j):
        if i == j:
            return mats[i]
        k = split[i][j]
        return _mm(chain(i, k), chain(k + 1, j))

    r = chain(0, n - 1)
    keep = tuple(s for s, drop in zip(r._data.shape, (first == 1, last == 1)) if not drop)
    if keep != r._data.shape:
        r = r.reshape(keep)
    return _result(r, out, 'multi_dot')


def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U (no gradient in torchlet)."""
    LU, piv, _info_ = lu_factor_ex(A, pivot)
    return return_types._build('linalg_lu', _result(lu_unpack(LU, piv), out, 'lu'), out)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (X A = B when left=False; A^T when adjoint) from lu_factor's output."""
    if adjoint or not left:
        P, L, U = lu_unpack(LU, pivots)
        A = _mm(P, _mm(L, U))
        A = mH(A) if adjoint else A
        return solve(A, B, left=left, out=out)
    return _lu_solve(B, LU, pivots, out=out)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def tensorinv(A, ind=2, *, out=None):
    """The inverse of A seen as a matrix of shape (prod(A.shape[:ind]), prod(A.shape[ind:]))."""
    s = A._data.shape
    r = inverse(A.reshape(_prod(s[:ind]), _prod(s[ind:]))).reshape(s[ind:] + s[:ind])
    return _result(r, out, 'tensorinv')


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B."""
    if dims is not None:
        nd = A._data.ndim
        dims = [wrap_dim(d, nd) for d in dims]
        A = movedim(A, dims, list(range(nd - len(dims), nd)))
    xs = A._data.shape[B._data.ndim:]
    r = solve(A.reshape(_prod(B._data.shape), _prod(xs)), B.reshape(-1)).reshape(xs)
    return _result(r, out, 'tensorsolve')

