"""Decompositions and solvers: inverse, det, slogdet/logdet, svd, qr, cholesky, eigh/eig, solve,
pinverse, matrix_power, matrix_exp, lu.

Forward passes call numpy.linalg (LAPACK, batched over leading dims); backward passes are torch's
formulas written with tensor ops, so higher-order gradients work. The torch.linalg namespace
(torchlet/linalg.py) builds on the ops defined here.
"""
import warnings

import numpy as np

from .. import return_types
from ..autograd.grad_mode import _State
from ._util import Op, Tensor, register, sum_to, as_tensor
from .linalg import _mm, mT, mH, conj, _sname, _x, _result
from .linalg_matrix import DiagEmbed, Tril, Triu

__all__ = ['inverse', 'det', 'logdet', 'slogdet', 'svd', 'pinverse', 'cholesky', 'cholesky_solve',
           'cholesky_inverse', 'qr', 'matrix_power', 'matrix_exp', 'lu', 'lu_unpack', 'lu_solve',
           'triangular_solve']


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a linear-algebra routine failed on its input (singular matrix,
    matrix not positive-definite, ...)."""


LinAlgError = _LinAlgError


# -- argument checks -----------------------------------------------------------------------------
def check_float(A, fn):
    dt = A._data.dtype
    if dt.kind not in 'fc':
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {_sname(dt)}")
    if dt == np.float16:
        raise RuntimeError(f"{fn}: Low precision dtypes not supported. Got Half")


def check_matrix(A, fn, square=True):
    """torch's checks for an input that must be a (batch of) float matrix (square unless told)."""
    a = A._data
    if a.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{fn}: A must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")
    check_float(A, fn)


def _batch_prefix(a, index):
    """'(Batch element k): ' for batched inputs, as torch prefixes per-matrix errors."""
    if a.ndim <= 2:
        return ''
    return f"(Batch element {int(np.ravel_multi_index(index, a.shape[:-2]))}): "


def _unsq(x, dim):
    """x with a new size-1 dim at -1 or -2 (unsqueeze for the backward formulas)."""
    s = x._data.shape
    return x.reshape(s + (1,) if dim == -1 else s[:-1] + (1,) + s[-1:])


def _eye_like(x, n):
    return Tensor._wrap(np.eye(n, dtype=x._data.dtype))


def keep_outputs(ctx, *arrays):
    """Stash a multi-output op's output arrays for backward (freed with the graph like any array
    stashed on ctx)."""
    for i, a in enumerate(arrays):
        setattr(ctx, f'out{i}', a)
    ctx.n_outs = len(arrays)
    return arrays


def _outputs(ctx):
    """The stashed outputs as tensors of this node, so backward formulas that use them stay
    differentiable."""
    track = _State.grad_enabled
    node = ctx if track else None
    return tuple(Tensor._wrap(getattr(ctx, f'out{i}'), track, node, i) for i in range(ctx.n_outs))


def real_only(ctx, x):
    """Refuse complex gradients for the decompositions whose backward here is real-only."""
    if x._data.dtype.kind == 'c':
        raise NotImplementedError(f"torchlet: the derivative of {ctx.name()} for complex inputs is not "
                                  "implemented")


def _defined(g):
    """False for an unused output's gradient (materialised as zeros by the engine)."""
    return g is not None and bool(g._data.any())


# -- LU (NumPy has none; also used to word the singular-matrix errors) -----------------------------
def lu_factor_arrays(a):
    """Batched LU with partial pivoting as LAPACK's getrf does it: (LU packed, 1-based int32
    pivots, int32 info = first zero pivot, 1-based, or 0)."""
    a = np.array(a, dtype=np.result_type(a.dtype, np.float32), copy=True)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    A = a.reshape((-1, m, n))
    k = min(m, n)
    piv = np.zeros((A.shape[0], k), np.int32)
    info = np.zeros(A.shape[0], np.int32)
    rows = np.arange(A.shape[0])
    for j in range(k):
        p = j + np.argmax(np.abs(A[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        top = A[rows, j].copy()
        A[rows, j] = A[rows, p]
        A[rows, p] = top
        pivot = A[:, j, j]
        zero = pivot == 0
        info[(info == 0) & zero] = j + 1
        A[:, j + 1:, j] /= np.where(zero, 1, pivot)[:, None]
        A[:, j + 1:, j + 1:] -= A[:, j + 1:, j:j + 1] * A[:, j:j + 1, j + 1:]
    return A.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def first_failure(info):
    """The batch index of the first matrix with info > 0 (() when unbatched), or None."""
    idx = np.argwhere(np.asarray(info) > 0)
    return tuple(int(i) for i in idx[0]) if len(idx) else None


def _singular_inverse_error(a, fn='linalg.inv'):
    _, _, info = lu_factor_arrays(a)
    where = first_failure(info) or ()
    return _LinAlgError(f"{fn}: {_batch_prefix(a, where)}The diagonal element {int(info[where])} is zero, "
                        "the inversion could not be completed because the input matrix is singular.")


def _inv_array(a, fn='linalg.inv'):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise _singular_inverse_error(a, fn) from None


# -- inverse, det, slogdet -------------------------------------------------------------------------
class LinalgInvEx(Op):
    """inv(A); gA = -inv(A)^T g inv(A)^T."""
    saves_output = True

    @staticmethod
    def forward(ctx, A):
        return _inv_array(A._data)

    @staticmethod
    def backward(ctx, g):
        Ainv_H = mH(ctx.output)
        return -_mm(_mm(Ainv_H, g), Ainv_H)


def inverse(input, *, out=None):
    """The inverse of a (batch of) square matrix; LinAlgError when singular."""
    check_matrix(input, 'linalg.inv')
    r = LinalgInvEx.apply(input)
    return _result(r, out, 'linalg_inv')


class LinalgDet(Op):
    """det(A); gA = g det(A) inv(A)^T (zero where A is singular, as in torch)."""
    saves_output = True

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return np.linalg.det(A._data)

    @staticmethod
    def backward(ctx, g):
        A, = ctx.saved_tensors
        d = ctx.output
        singular = d._data == 0
        if singular.any():   # torch's gradient there is 0: invert identities instead
            eye = np.eye(A._data.shape[-1], dtype=A._data.dtype)
            A = A * Tensor._wrap(~singular[..., None, None]) + Tensor._wrap(singular[..., None, None] * eye)
        return _unsq(_unsq(g * conj(d), -1), -1) * mH(LinalgInvEx.apply(A))


def det(input):
    """Determinant of a (batch of) square matrix."""
    check_matrix(input, 'linalg.det')
    return LinalgDet.apply(input)


class LinalgSlogdet(Op):
    """(sign, log|det|); the gradient flows through log|det| only: g inv(A)^T."""

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        sign, logabs = np.linalg.slogdet(A._data)
        return np.asarray(sign), np.asarray(logabs)

    @staticmethod
    def backward(ctx, gsign, glogabs):
        A, = ctx.saved_tensors
        real_only(ctx, A)
        return _unsq(_unsq(glogabs, -1), -1) * mT(LinalgInvEx.apply(A))


def slogdet(input, *, out=None):
    """Sign and natural log of the absolute determinant."""
    check_matrix(input, 'linalg.slogdet')
    return return_types._build('slogdet', _result(LinalgSlogdet.apply(input), out, 'slogdet'), out)


def logdet(input):
    """log(det(A)): nan for a negative determinant, -inf for a singular matrix."""
    check_matrix(input, 'logdet')
    sign, logabs = LinalgSlogdet.apply(input)
    neg = sign._data < 0
    if np.any(neg):
        logabs = logabs + Tensor._wrap(np.where(neg, np.nan, 0).astype(logabs._data.dtype))
    return logabs


# -- SVD ------------------------------------------------------------------------------------------
class LinalgSvd(Op):
    """U, S, Vh = svd(A) (reduced unless full_matrices); torch's backward for distinct singular
    values."""

    @staticmethod
    def forward(ctx, A, full_matrices):
        ctx.full = full_matrices
        return keep_outputs(ctx, *np.linalg.svd(A._data, full_matrices=full_matrices))

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = _outputs(ctx)
        real_only(ctx, U)
        if ctx.full and U._data.shape[-1] != Vh._data.shape[-2]:
            from .shape import narrow
            k = S._data.shape[-1]
            U, gU = narrow(U, -1, 0, k), narrow(gU, -1, 0, k)
            Vh, gVh = narrow(Vh, -2, 0, k), narrow(gVh, -2, 0, k)
        return svd_backward(gU if _defined(gU) else None, gS if _defined(gS) else None,
                            gVh if _defined(gVh) else None, U, S, Vh), None


def svd_backward(gU, gS, gVh, U, S, Vh):
    """Gradient of A = U diag(S) Vh (reduced SVD, real, distinct singular values)."""
    m, n = U._data.shape[-2], Vh._data.shape[-1]
    if gU is None and gVh is None:
        if gS is None:
            return Tensor._wrap(np.zeros(U._data.shape[:-1] + Vh._data.shape[-1:], U._data.dtype))
        return _mm(U, _unsq(gS, -1) * Vh) if m >= n else _mm(U * _unsq(gS, -2), Vh)
    k = S._data.shape[-1]
    S2 = S * S
    E = _unsq(S2, -2) - _unsq(S2, -1) + _eye_like(S, k)
    gA = None
    if gU is not None:
        UhgU = _mm(mT(U), gU)
        gA = (UhgU - mT(UhgU)) * _unsq(S, -2)
    if gVh is not None:
        VhgV = _mm(Vh, mT(gVh))
        term = _unsq(S, -1) * (VhgV - mT(VhgV))
        gA = term if gA is None else gA + term
    gA = gA / E
    if gS is not None:
        gA = gA + _diag_embed(gS)
    if m > n and gU is not None:
        gA = _mm(U, gA)
        gUSinv = gU / _unsq(S, -2)
        gA = _mm(gA + gUSinv - _mm(U, _mm(mT(U), gUSinv)), Vh)
    elif m < n and gVh is not None:
        gA = _mm(gA, Vh)
        SinvgVh = gVh / _unsq(S, -1)
        gA = _mm(U, gA + SinvgVh - _mm(_mm(SinvgVh, mT(Vh)), Vh))
    else:
        gA = _mm(U, _mm(gA, Vh)) if m >= n else _mm(_mm(U, gA), Vh)
    return gA


def _diag_embed(x):
    n = x._data.shape[-1]
    return DiagEmbed.apply(x, x._data.shape + (n,), 0, x._data.ndim - 1, x._data.ndim)


def linalg_svd(A, full_matrices=True):
    check_matrix(A, 'linalg.svd', square=False)
    return LinalgSvd.apply(A, full_matrices)


def svdvals(A):
    """Singular values; differentiable through the full SVD when a gradient is needed."""
    check_matrix(A, 'linalg.svd', square=False)
    if A._rg and _State.grad_enabled:
        return LinalgSvd.apply(A, False)[1]
    return Tensor._wrap(np.linalg.svd(A._data, compute_uv=False))


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: U, S, V with V not transposed (reduced when some=True)."""
    if not compute_uv:
        S = svdvals(input)
        m, n = input._data.shape[-2:]
        batch = input._data.shape[:-2]
        z = input._data.dtype
        U, V = Tensor._wrap(np.zeros(batch + (m, m), z)), Tensor._wrap(np.zeros(batch + (n, n), z))
    else:
        U, S, Vh = linalg_svd(input, full_matrices=not some)
        V = mT(Vh)
    return return_types._build('svd', _result((U, S, V), out, 'svd'), out)


# -- pinv -----------------------------------------------------------------------------------------
def _pinv_array(a, atol, rtol, hermitian):
    if hermitian:
        L, Q = np.linalg.eigh(a)
        S, left, right = np.abs(L), Q, np.swapaxes(Q, -1, -2)
        smax = S.max(-1, keepdims=True) if S.shape[-1] else S[..., :1]
    else:
        left, S, right = np.linalg.svd(a, full_matrices=False)
        smax = S[..., :1]
    tol = np.maximum(atol, rtol * smax)
    keep = S > tol
    vals = L if hermitian else S
    inv = np.where(keep, 1 / np.where(keep, vals, 1), 0).astype(a.dtype)
    return (np.swapaxes(right, -1, -2) * inv[..., None, :]) @ np.swapaxes(left, -1, -2)


class LinalgPinv(Op):
    """Moore-Penrose pseudo-inverse; backward by torch's pinv_backward (valid for any rank)."""
    saves_output = True

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        ctx.save_for_backward(A)
        return _pinv_array(A._data, atol, rtol, hermitian)

    @staticmethod
    def backward(ctx, g):
        A, = ctx.saved_tensors
        pinvA = ctx.output
        m, n = A._data.shape[-2:]
        pinvAh, gh = mH(pinvA), mH(g)
        if m <= n:
            K = _mm(gh, pinvA)
            KpinvAh = _mm(K, pinvAh)
            gA = (-mH(_mm(pinvA, K)) + KpinvAh - _mm(_mm(A, pinvA), KpinvAh)
                  + _mm(_mm(pinvAh, pinvA), gh - _mm(K, A)))
        else:
            K = _mm(pinvA, gh)
            pinvAhK = _mm(pinvAh, K)
            gA = (-mH(_mm(K, pinvA)) + _mm(_mm(gh - _mm(A, K), pinvA), pinvAh) + pinvAhK
                  - _mm(_mm(pinvAhK, pinvA), A))
        return gA, None, None, None


def _tolerances(A, atol, rtol):
    """torch's defaults: rtol = eps * max(m, n) when neither tolerance is given, else 0."""
    if isinstance(atol, Tensor):
        atol = atol._data[..., None]
    if isinstance(rtol, Tensor):
        rtol = rtol._data[..., None]
    if rtol is None:
        m, n = A._data.shape[-2:]
        rtol = np.finfo(A._data.dtype).eps * max(m, n) if atol is None or np.all(atol <= 0) else 0.0
    return (0.0 if atol is None else atol), rtol


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """torch.linalg.pinv: singular values at or below max(atol, rtol * largest) are treated as 0."""
    check_matrix(A, 'linalg.pinv', square=False)
    if rcond is not None:
        rtol = rcond
    atol, rtol = _tolerances(A, atol, rtol)
    r = LinalgPinv.apply(A, atol, rtol, hermitian)
    return _result(r, out, 'pinv')


def pinverse(input, rcond=1e-15):
    return pinv(input, rcond=rcond)


# -- cholesky -------------------------------------------------------------------------------------
def _not_pd_order(a):
    """(batch index, order of the first leading minor that is not positive-definite)."""
    A = a.reshape((-1,) + a.shape[-2:]).astype(np.float64)
    n = A.shape[-1]
    L = np.zeros_like(A)
    for j in range(n):
        d = A[:, j, j] - (L[:, j, :j] ** 2).sum(-1)
        bad = ~(d > 0)
        if bad.any():
            b = int(np.argmax(bad))
            return np.unravel_index(b, a.shape[:-2]) if a.ndim > 2 else (), j + 1
        L[:, j, j] = np.sqrt(d)
        L[:, j + 1:, j] = (A[:, j + 1:, j] - np.einsum('bik,bk->bi', L[:, j + 1:, :j], L[:, j, :j])) \
            / L[:, j, j, None]
    return (), n


def _cholesky_array(a, upper, fn='linalg.cholesky'):
    try:
        return np.linalg.cholesky(a, upper=upper)
    except np.linalg.LinAlgError:
        where, order = _not_pd_order(a)
        raise _LinAlgError(f"{fn}: {_batch_prefix(a, where)}The factorization could not be completed because "
                           f"the input is not positive-definite (the leading minor of order {order} is not "
                           "positive-definite).") from None


class LinalgCholeskyEx(Op):
    """L with A = L L^T (or U = L^T when upper); torch's cholesky_backward."""
    saves_output = True

    @staticmethod
    def forward(ctx, A, upper):
        ctx.upper = upper
        return _cholesky_array(A._data, upper)

    @staticmethod
    def backward(ctx, g):
        L = ctx.output
        real_only(ctx, L)
        if ctx.upper:
            L, g = mT(L), mT(g)
        gA = Tril.apply(_mm(mT(L), g), 0)
        gA = (gA + mT(Tril.apply(gA, -1))) * 0.5
        Linv = LinalgInvEx.apply(L)
        return _mm(_mm(mT(Linv), gA), Linv), None


class Cholesky(LinalgCholeskyEx):
    pass


def linalg_cholesky(A, upper=False, *, out=None):
    check_matrix(A, 'linalg.cholesky')
    r = LinalgCholeskyEx.apply(A, bool(upper))
    return _result(r, out, 'linalg_cholesky')


def cholesky(input, upper=False, *, out=None):
    """Deprecated torch.cholesky (use torch.linalg.cholesky)."""
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
                  "future PyTorch release.", UserWarning, stacklevel=2)
    check_matrix(input, 'cholesky')
    r = Cholesky.apply(input, bool(upper))
    return _result(r, out, 'cholesky')


def cholesky_solve(B, L, upper=False, *, out=None):
    """X with (L L^T) X = B given the Cholesky factor L (or U = L^T when upper)."""
    if upper:
        L = mH(L)
    r = solve(mH(L), solve(L, B))
    return _result(r, out, 'cholesky_solve')


def cholesky_inverse(L, upper=False, *, out=None):
    """inv(L L^T) (or inv(U^T U) when upper)."""
    A = _mm(mH(L), L) if upper else _mm(L, mH(L))
    return inverse(A, out=out)


# -- QR -------------------------------------------------------------------------------------------
_QR_MODES = ('reduced', 'complete', 'r')


class LinalgQr(Op):
    """Q, R = qr(A); backward for mode='reduced' (m >= n or any m < n) and square 'complete'."""

    @staticmethod
    def forward(ctx, A, mode):
        a = A._data
        ctx.mode = mode
        if mode == 'r':
            R = np.linalg.qr(a, mode='r')
            Q = np.zeros((0,), a.dtype)
        else:
            Q, R = np.linalg.qr(a, mode=mode)
        return keep_outputs(ctx, Q, R)

    @staticmethod
    def backward(ctx, gQ, gR):
        if ctx.mode == 'r':
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                               "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                               "differentiate through linalg.qr.")
        Q, R = _outputs(ctx)
        real_only(ctx, Q)
        m, n = Q._data.shape[-2], R._data.shape[-1]
        if ctx.mode == 'complete' and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols.")
        if m >= n:
            return _qr_square_grad(Q, R, gQ, gR), None
        from .shape import narrow
        from .join_split import cat
        U, V = narrow(R, -1, 0, m), narrow(R, -1, m, n - m)
        gU, gV = narrow(gR, -1, 0, m), narrow(gR, -1, m, n - m)
        gY = _mm(Q, gV)
        gX = _qr_square_grad(Q, U, gQ + _mm(_mm(Q, V), mT(gV)), gU)
        return cat([gX, gY], -1), None


def _qr_square_grad(Q, R, gQ, gR):
    """gA = (gQ + Q copyltu(M)) R^{-T} with M = R gR^T - gQ^T Q (R square, invertible)."""
    M = _mm(R, mT(gR)) - _mm(mT(gQ), Q)
    sym = Tril.apply(M, 0) + mT(Tril.apply(M, -1))
    return _mm(gQ + _mm(Q, sym), mT(LinalgInvEx.apply(R)))


def linalg_qr(A, mode='reduced', *, out=None):
    check_matrix(A, 'linalg.qr', square=False)
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    return return_types._build('linalg_qr', _result(LinalgQr.apply(A, mode), out, 'linalg_qr'), out)


def qr(input, some=True, *, out=None):
    """Deprecated torch.qr: reduced when some=True, complete otherwise."""
    check_matrix(input, 'linalg.qr', square=False)
    res = _result(LinalgQr.apply(input, 'reduced' if some else 'complete'), out, 'qr')
    return return_types._build('qr', res, out)


# -- solve ----------------------------------------------------------------------------------------
def _solve_array(a, b, fn='torch.linalg.solve'):
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise _LinAlgError(f"{fn}: The solver failed because the input matrix is singular.") from None


class LinalgSolveEx(Op):
    """X with A X = B (B a batch of matrices); gB = solve(A^T, g), gA = -gB X^T."""
    saves_output = True

    @staticmethod
    def forward(ctx, A, B):
        ctx.save_for_backward(A)
        ctx.shapes = (A._data.shape, B._data.shape)
        return _solve_array(A._data, B._data)

    @staticmethod
    def backward(ctx, g):
        A, = ctx.saved_tensors
        gB = LinalgSolveEx.apply(mH(A), g)
        gA = sum_to(-_mm(gB, mH(ctx.output)), ctx.shapes[0]) if ctx.needs_grad(0) else None
        return gA, sum_to(gB, ctx.shapes[1])


def solve(A, B, *, left=True, out=None):
    """torch.linalg.solve: X with A X = B (X A = B when left=False); B may be a (batch of) vector."""
    check_matrix(A, 'linalg.solve')
    if not isinstance(B, Tensor):
        B = as_tensor(B)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_sname(A._data.dtype)} and B of type {_sname(B._data.dtype)} instead")
    sa, sb = A._data.shape, B._data.shape
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and sb == sa[:-1])
    if not left:
        if vector:
            raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not supported for "
                               "left=False. In this case linalg.solve is equivalent to B / A.squeeze(-1)")
        return _result(mT(solve(mT(A), mT(B))), out, 'linalg_solve')
    Bm = _unsq(B, -1) if vector else B
    rows = Bm._data.shape[-2]
    if rows != sa[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({_x(sa[-2:])} and {_x(Bm._data.shape[-2:])})")
    try:
        np.broadcast_shapes(sa[:-2], Bm._data.shape[:-2])
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(Bm._data.shape[:-2], sa[:-2]) from None
    X = LinalgSolveEx.apply(A, Bm)
    if vector:
        X = X.reshape(X._data.shape[:-1])
    return _result(X, out, 'linalg_solve')


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B for triangular A (only the triangle named by ``upper`` is read)."""
    check_matrix(A, 'linalg.solve_triangular')
    T = Triu.apply(A, 1 if unitriangular else 0) if upper else Tril.apply(A, -1 if unitriangular else 0)
    if unitriangular:
        T = T + _eye_like(A, A._data.shape[-1])
    if not left:
        return _result(mT(LinalgSolveEx.apply(mT(T), mT(B))), out, 'linalg_solve_triangular')
    return _result(LinalgSolveEx.apply(T, B), out, 'linalg_solve_triangular')


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Deprecated torch.triangular_solve: (solution, cloned_coefficient)."""
    T = mT(A) if transpose else A
    X = solve_triangular(T, b, upper=upper != transpose, unitriangular=unitriangular)
    return return_types._build('triangular_solve', _result((X, A.clone()), out, 'triangular_solve'), out)


# -- matrix functions -----------------------------------------------------------------------------
class _Identity(Op):
    """The identity matrices matching A's shape (matrix_power(A, 0)); zero gradient."""
    _bname = 'CopyBackwards'

    @staticmethod
    def forward(ctx, A):
        ctx.shape = A._data.shape
        return np.broadcast_to(np.eye(A._data.shape[-1], dtype=A._data.dtype), A._data.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return g * 0


def matrix_power(input, n, *, out=None):
    """A^n by repeated squaring (inverse first when n < 0)."""
    a = input._data
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        if a.ndim < 2:
            raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    n = int(n)
    if n == 0:
        return _result(_Identity.apply(input), out, 'matrix_power')
    if n < 0:
        input = inverse(input)
        n = -n
    result, base = None, input
    while True:
        if n & 1:
            result = base if result is None else _mm(result, base)
        n >>= 1
        if not n:
            break
        base = _mm(base, base)
    if result is input:
        result = result.clone()
    return _result(result, out, 'matrix_power')


_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920., 40840800.,
           960960., 16380., 182., 1.)


def _expm_array(a):
    """Matrix exponential by Pade-13 scaling and squaring (Higham 2005), computed in float64."""
    A = a.astype(np.float64 if a.dtype.kind == 'f' else np.complex128)
    n = A.shape[-1]
    norm = np.abs(A).sum(-2).max(-1) if n else np.zeros(A.shape[:-2])
    s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / 5.371920351148152))).astype(int)
    A = A / (2.0 ** s)[..., None, None]
    b = _PADE13
    I = np.eye(n)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * I)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * I
    R = np.linalg.solve(V - U, V + U)
    for k in range(int(s.max()) if s.size else 0):
        R = np.where((s > k)[..., None, None], R @ R, R)
    return R.astype(a.dtype)


class LinalgMatrixExp(Op):
    """exp(A); gA = exp([[A^T, g], [0, A^T]]) upper-right block."""

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return _expm_array(A._data)

    @staticmethod
    def backward(ctx, g):
        from .join_split import cat
        from .shape import narrow
        A, = ctx.saved_tensors
        n = A._data.shape[-1]
        At = mH(A)
        zeros = Tensor._wrap(np.zeros(A._data.shape, A._data.dtype))
        big = cat([cat([At, g], -1), cat([zeros, At], -1)], -2)
        return narrow(narrow(LinalgMatrixExp.apply(big), -2, 0, n), -1, n, n)


def matrix_exp(input):
    """The matrix exponential of a (batch of) square matrix."""
    check_matrix(input, 'linalg.matrix_exp')
    return LinalgMatrixExp.apply(input)


# -- LU -------------------------------------------------------------------------------------------
class LuFactor(Op):
    """(LU, pivots, info) of A; no gradient (torchlet does not implement LU's derivative)."""
    differentiable = False

    @staticmethod
    def forward(ctx, A):
        return lu_factor_arrays(A._data)


def lu_factor_ex(A, pivot=True, check_errors=False):
    check_matrix(A, 'torch.linalg.lu_factor_ex', square=False)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, piv, info = LuFactor.apply(A)
    LU._data = LU._data.astype(A._data.dtype, copy=False)
    return LU, piv, info


def lu_factor(A, pivot=True):
    LU, piv, info = lu_factor_ex(A, pivot)
    where = first_failure(info._data)
    if where is not None:
        k = int(info._data[where])
        raise RuntimeError(f"torch.linalg.lu_factor: {_batch_prefix(A._data, where)}U[{k},{k}] is "
                           "zero and using it on lu_solve would result in a division by zero. If you still "
                           "want to perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")
    return LU, piv


def lu(A, pivot=True, get_infos=False, out=None):
    """Deprecated torch.lu: (LU, pivots[, infos])."""
    LU, piv, info = lu_factor_ex(A, pivot)
    return (LU, piv, info) if get_infos else (LU, piv)


def _permutation(piv, m, dtype):
    """The permutation matrix P (A = P L U) from LAPACK's 1-based row swaps."""
    batch = piv.shape[:-1]
    perm = np.broadcast_to(np.arange(m), batch + (m,)).copy()
    flat = perm.reshape(-1, m)
    pv = piv.reshape(-1, piv.shape[-1]) - 1
    rows = np.arange(flat.shape[0])
    for j in range(pv.shape[1]):
        p = pv[:, j]
        a, b = flat[rows, j].copy(), flat[rows, p].copy()
        flat[rows, j], flat[rows, p] = b, a
    P = np.zeros(batch + (m, m), dtype)
    np.put_along_axis(P, perm[..., :, None], 1, axis=-1)
    return np.swapaxes(P, -1, -2)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) from a packed LU factorisation."""
    lu_ = LU_data._data
    m, n = lu_.shape[-2:]
    k = min(m, n)
    L = np.tril(lu_, -1)[..., :, :k] + np.eye(m, k, dtype=lu_.dtype)
    U = np.triu(lu_)[..., :k, :]
    P = _permutation(np.asarray(LU_pivots._data), m, lu_.dtype)
    return return_types._build('lu_unpack', tuple(Tensor._wrap(x) for x in (P, L, U)))


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """X with A X = b for A given by its LU factorisation."""
    P, L, U = lu_unpack(LU_data, LU_pivots)
    y = solve_triangular(L, _mm(mT(P), b), upper=False, unitriangular=True)
    return _result(solve_triangular(U, y, upper=True), out, 'lu_solve')


register(inverse=inverse, det=det, logdet=logdet, slogdet=slogdet, svd=svd, pinverse=pinverse,
         cholesky=cholesky, cholesky_solve=cholesky_solve, cholesky_inverse=cholesky_inverse, qr=qr,
         matrix_power=matrix_power, matrix_exp=matrix_exp, lu=lu, lu_solve=lu_solve,
         triangular_solve=triangular_solve)
