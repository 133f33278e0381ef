"""Linear algebra against torch: products (matmul, mm, bmm, einsum, ...), the diagonal/triangle family,
decompositions, solvers and torch.linalg norms. Values, dtypes, shapes, gradients, error messages."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlet
from conftest import check_op, numeric_gradcheck, torch, rng, pair, assert_same

F32, F64 = np.float32, np.float64
DTYPES = [F32, F64]


def R(*shape, dt=F64, seed=0):
    return rng(seed).standard_normal(shape).astype(dt)


def well_conditioned(*shape, dt=F64, seed=0):
    """Random matrices plus n * I: far from singular."""
    n = shape[-1]
    return (R(*shape, seed=seed) + n * np.eye(n)).astype(dt)


def spd(*shape, dt=F64, seed=0):
    """Symmetric positive-definite matrices."""
    x = R(*shape, seed=seed)
    return (x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dt)


def raises_like(fn_tl, fn_th, *arrays, exc=RuntimeError, exc_th=None):
    """torchlet raises exc with the same message as torch (which raises exc_th, default exc)."""
    with pytest.raises(exc_th or exc) as e_th:
        fn_th(*[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays])
    with pytest.raises(exc) as e_tl:
        fn_tl(*[torchlet.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays])
    assert str(e_tl.value) == str(e_th.value)


def tol(dt):
    return dict(rtol=1e-4, atol=1e-5) if dt == F32 else dict(rtol=1e-7, atol=1e-9)


# -- matmul and the products ------------------------------------------------------------------------
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                 ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
                 ((1, 2, 3), (4, 3, 2)), ((2, 1, 2, 3), (3, 3, 2)), ((4, 1, 2, 3), (1, 5, 3, 2))]


@pytest.mark.parametrize('sa,sb', MATMUL_SHAPES)
@pytest.mark.parametrize('dt', DTYPES)
def test_matmul_matches_torch(sa, sb, dt):
    a, b = R(*sa, dt=dt), R(*sb, dt=dt, seed=1)
    check_op(torchlet.matmul, torch.matmul, a, b, **tol(dt))
    check_op(lambda x, y: x @ y, lambda x, y: x @ y, a, b, **tol(dt))


@given(st.lists(st.integers(1, 3), max_size=3), st.lists(st.integers(1, 3), max_size=3),
       st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.booleans(), st.booleans())
def test_matmul_broadcasting_property(batch_a, batch_b, m, k, n, vec_a, vec_b):
    """Random batch shapes (made broadcastable) and 1-D operands: values and gradients match torch."""
    batch_b = [1 if i % 2 else s for i, s in enumerate(batch_b)]
    batch_a = [s if i >= len(batch_b) or batch_b[-1 - i] in (1, s) else 1
               for i, s in enumerate(batch_a[::-1])][::-1]
    sa = (k,) if vec_a else tuple(batch_a) + (m, k)
    sb = (k,) if vec_b else tuple(batch_b) + (k, n)
    check_op(torchlet.matmul, torch.matmul, R(*sa), R(*sb, seed=1))


@pytest.mark.parametrize('sa,sb', MATMUL_SHAPES[:7])
def test_matmul_gradcheck(sa, sb):
    numeric_gradcheck(torchlet.matmul, R(*sa), R(*sb, seed=1))


def test_matmul_non_contiguous_and_views():
    check_op(lambda x, y: x.transpose(-1, -2) @ y[:, ::2], lambda x, y: x.transpose(-1, -2) @ y[:, ::2],
             R(4, 3, 2), R(3, 9, seed=1))
    check_op(lambda x, y: torchlet.matmul(x.transpose(0, 1), y.transpose(0, 1)),
             lambda x, y: torch.matmul(x.transpose(0, 1), y.transpose(0, 1)), R(4, 3, 2), R(5, 2, seed=1))
    check_op(lambda x, y: x[::2] @ y.transpose(-1, -2), lambda x, y: x[::2] @ y.transpose(-1, -2),
             R(6, 2, 3), R(3, 4, 3, seed=1))


def test_matmul_stays_float32_and_keeps_operands():
    a, b = torchlet.tensor(R(8, 4, dt=F32)), torchlet.tensor(R(4, 3, dt=F32))
    out = a @ b
    assert out.dtype == torchlet.float32 and out._data.dtype == np.float32
    assert (torchlet.tensor(R(2, 8, 4, dt=F32)) @ b).dtype == torchlet.float32
    x = torchlet.tensor(R(3, 3, dt=F32), requires_grad=True)
    y = x @ x.transpose(0, 1)
    y.sum().backward()
    assert x.grad.dtype == torchlet.float32


def test_matmul_int_and_rmatmul():
    a = np.arange(6).reshape(2, 3)
    check_op(torchlet.matmul, torch.matmul, a, a.T.copy(), grad=False)
    t_tl, t_th = pair(R(3, 2))
    m = R(2, 3, seed=1)
    assert_same(m @ t_tl, torch.tensor(m) @ t_th)


def test_matmul_out_and_methods():
    a, b = R(2, 3), R(3, 4, seed=1)
    out_tl, out_th = torchlet.empty(0, dtype=torchlet.float64), torch.empty(0, dtype=torch.float64)
    torchlet.matmul(torchlet.tensor(a), torchlet.tensor(b), out=out_tl)
    torch.matmul(torch.tensor(a), torch.tensor(b), out=out_th)
    assert_same(out_tl, out_th)
    for m in ('matmul', 'mm'):
        check_op(lambda x, y: getattr(x, m)(y), lambda x, y: getattr(x, m)(y), a, b)


def test_matmul_double_backward():
    a_tl, a_th = pair(R(2, 3), True)
    b_tl, b_th = pair(R(3, 2, seed=1), True)
    g_tl, = torchlet.autograd.grad((a_tl @ b_tl).sum(), a_tl, create_graph=True)
    g_th, = torch.autograd.grad((a_th @ b_th).sum(), a_th, create_graph=True)
    assert_same(g_tl, g_th)
    (g_tl * g_tl).sum().backward()
    (g_th * g_th).sum().backward()
    assert_same(b_tl.grad, b_th.grad)


@pytest.mark.parametrize('dt', DTYPES)
def test_mm_bmm_mv_dot(dt):
    k = tol(dt)
    check_op(torchlet.mm, torch.mm, R(2, 3, dt=dt), R(3, 4, dt=dt, seed=1), **k)
    check_op(lambda x, y: torchlet.mm(x.transpose(0, 1), y), lambda x, y: torch.mm(x.T, y),
             R(3, 2, dt=dt), R(3, 4, dt=dt, seed=1), **k)
    check_op(torchlet.bmm, torch.bmm, R(2, 2, 3, dt=dt), R(2, 3, 4, dt=dt, seed=1), **k)
    check_op(torchlet.mv, torch.mv, R(2, 3, dt=dt), R(3, dt=dt, seed=1), **k)
    check_op(torchlet.dot, torch.dot, R(3, dt=dt), R(3, dt=dt, seed=1), **k)
    check_op(torchlet.vdot, torch.vdot, R(3, dt=dt), R(3, dt=dt, seed=1), **k)
    check_op(torchlet.inner, torch.inner, R(2, 3, dt=dt), R(4, 3, dt=dt, seed=1), **k)
    check_op(torchlet.inner, torch.inner, R(3, dt=dt), R(3, dt=dt, seed=1), **k)
    check_op(torchlet.outer, torch.outer, R(2, dt=dt), R(4, dt=dt, seed=1), **k)
    check_op(torchlet.ger, torch.ger, R(2, dt=dt), R(4, dt=dt, seed=1), **k)


@pytest.mark.parametrize('fn', ['mm', 'bmm', 'mv', 'dot', 'inner', 'outer'])
def test_products_gradcheck(fn):
    shapes = {'mm': ((2, 3), (3, 2)), 'bmm': ((2, 2, 3), (2, 3, 2)), 'mv': ((2, 3), (3,)),
              'dot': ((3,), (3,)), 'inner': ((2, 3), (2, 3)), 'outer': ((2,), (3,))}[fn]
    numeric_gradcheck(getattr(torchlet, fn), R(*shapes[0]), R(*shapes[1], seed=1))


FUSED = [('addmm', (4,), (2, 3), (3, 4)), ('addmm', (2, 4), (2, 3), (3, 4)),
         ('addmv', (2,), (2, 3), (3,)), ('addmv', (), (2, 3), (3,)),
         ('baddbmm', (2, 4), (5, 2, 3), (5, 3, 4)), ('baddbmm', (5, 2, 4), (5, 2, 3), (5, 3, 4)),
         ('addbmm', (2, 4), (5, 2, 3), (5, 3, 4)), ('addr', (2, 4), (2,), (4,)), ('addr', (1, 4), (2,), (4,))]


@pytest.mark.parametrize('name,si,sa,sb', FUSED)
@pytest.mark.parametrize('dt', DTYPES)
@pytest.mark.parametrize('beta,alpha', [(1, 1), (0.5, 2.0), (0, 1)])
def test_fused_add_products(name, si, sa, sb, dt, beta, alpha):
    i, a, b = R(*si, dt=dt), R(*sa, dt=dt, seed=1), R(*sb, dt=dt, seed=2)
    check_op(lambda *x: getattr(torchlet, name)(*x, beta=beta, alpha=alpha),
             lambda *x: getattr(torch, name)(*x, beta=beta, alpha=alpha), i, a, b, **tol(dt))
    check_op(lambda x, *y: getattr(x, name)(*y, beta=beta, alpha=alpha),
             lambda x, *y: getattr(x, name)(*y, beta=beta, alpha=alpha), i, a, b, **tol(dt))


@pytest.mark.parametrize('name,si,sa,sb', FUSED[::2])
def test_fused_gradcheck_and_inplace(name, si, sa, sb):
    numeric_gradcheck(lambda *x: getattr(torchlet, name)(*x, beta=0.5, alpha=2.0),
                      R(*si), R(*sa, seed=1), R(*sb, seed=2))
    full = getattr(torch, name)(torch.tensor(R(*si)), torch.tensor(R(*sa, seed=1)),
                                torch.tensor(R(*sb, seed=2))).shape
    i_tl, i_th = pair(np.broadcast_to(R(*si), full).copy())
    getattr(i_tl, name + '_')(torchlet.tensor(R(*sa, seed=1)), torchlet.tensor(R(*sb, seed=2)), beta=0.5)
    getattr(i_th, name + '_')(torch.tensor(R(*sa, seed=1)), torch.tensor(R(*sb, seed=2)), beta=0.5)
    assert_same(i_tl, i_th)


def test_addr_promotes_and_chain_matmul():
    check_op(torchlet.addr, torch.addr, R(2, 4, dt=F32), R(2, dt=F32), R(4, seed=1), grad=False)
    mats = [R(2, 3), R(3, 4, seed=1), R(4, 2, seed=2)]
    with pytest.warns(UserWarning):
        th = torch.chain_matmul(*[torch.tensor(m) for m in mats])
    assert_same(torchlet.chain_matmul(*[torchlet.tensor(m) for m in mats]), th)


# -- einsum, tensordot, kron ----------------------------------------------------------------------
EINSUM = [('ij,jk->ik', [(2, 3), (3, 4)]), ('bij,bjk->bik', [(2, 2, 3), (2, 3, 4)]), ('ii->i', [(3, 3)]),
          ('ii', [(3, 3)]), ('ij->', [(2, 3)]), ('i,j->ij', [(2,), (3,)]), ('ij->ji', [(2, 3)]),
          ('...ij,...jk->...ik', [(2, 1, 2, 3), (5, 3, 4)]), ('ij,jk,kl->il', [(2, 3), (3, 4), (4, 2)]),
          ('bn,anm,bm->ba', [(2, 3), (4, 3, 5), (2, 5)]), ('ij,jk', [(2, 3), (3, 4)]),
          ('iij->j', [(3, 3, 2)]), ('ij,jk->ik', [(2, 1), (3, 4)]), ('i...->...', [(2, 3, 4)]),
          ('ij,ij->i', [(2, 3), (1, 3)]), ('i j , j k -> i k', [(2, 3), (3, 4)]), ('...', [(2, 3)]),
          ('ba,ab->', [(3, 2), (2, 3)])]


@pytest.mark.parametrize('eq,shapes', EINSUM)
@pytest.mark.parametrize('dt', DTYPES)
def test_einsum_matches_torch(eq, shapes, dt):
    arrays = [R(*s, dt=dt, seed=k) for k, s in enumerate(shapes)]
    check_op(lambda *x: torchlet.einsum(eq, *x), lambda *x: torch.einsum(eq, *x), *arrays, **tol(dt))


@pytest.mark.parametrize('eq,shapes', EINSUM[:14])
def test_einsum_gradcheck(eq, shapes):
    numeric_gradcheck(lambda *x: torchlet.einsum(eq, *x), *[R(*s, seed=k) for k, s in enumerate(shapes)])


def test_einsum_list_and_sublist_forms():
    a, b = R(2, 3), R(3, 4, seed=1)
    check_op(lambda x, y: torchlet.einsum('ij,jk->ik', [x, y]), lambda x, y: torch.einsum('ij,jk->ik', [x, y]),
             a, b)
    check_op(lambda x, y: torchlet.einsum(x, [0, 1], y, [1, 2], [0, 2]),
             lambda x, y: torch.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)
    check_op(lambda x: torchlet.einsum(x, [Ellipsis, 1], [1]), lambda x: torch.einsum(x, [Ellipsis, 1], [1]),
             R(2, 3, 4))


@pytest.mark.parametrize('dims,sb', [(2, (3, 4, 5)), (1, (4, 5)), (0, (2,)), (([1, 2], [0, 1]), (3, 4, 5)),
                                     (([0, 2], [2, 0]), (4, 3, 2)), ([[1], [0]], (3, 4))])
def test_tensordot(dims, sb):
    for dt in DTYPES:
        check_op(lambda x, y: torchlet.tensordot(x, y, dims=dims), lambda x, y: torch.tensordot(x, y, dims=dims),
                 R(2, 3, 4, dt=dt), R(*sb, dt=dt, seed=1), **tol(dt))
    numeric_gradcheck(lambda x, y: torchlet.tensordot(x, y, dims=dims), R(2, 3, 4), R(*sb, seed=1))


@pytest.mark.parametrize('sa,sb', [((2, 3), (3, 2)), ((2, 3), (4,)), ((2,), (2, 2, 2))])
def test_kron(sa, sb):
    for dt in DTYPES:
        check_op(torchlet.kron, torch.kron, R(*sa, dt=dt), R(*sb, dt=dt, seed=1))
    numeric_gradcheck(torchlet.kron, R(*sa), R(*sb, seed=1))


def test_einsum_large_operands_and_broadcast_labels():
    check_op(lambda a, b: torchlet.einsum('bij,bjk->bik', a, b), lambda a, b: torch.einsum('bij,bjk->bik', a, b),
             R(4, 30, 40), R(4, 40, 20, seed=1))
    check_op(lambda a, b: torchlet.einsum('ij,jk->ik', a, b), lambda a, b: torch.einsum('ij,jk->ik', a, b),
             R(100, 1), R(30, 60, seed=1))


def test_complex_products():
    a = R(2, 3) + 1j * R(2, 3, seed=1)
    b = R(3, 2, seed=2) + 1j * R(3, 2, seed=3)
    w = R(2, 2, seed=4) + 1j * R(2, 2, seed=5)
    cases = [(torchlet.matmul, torch.matmul), (torchlet.mm, torch.mm),
             (lambda x, y: torchlet.einsum('ij,jk->ik', x, y), lambda x, y: torch.einsum('ij,jk->ik', x, y))]
    for f_tl, f_th in cases:
        x_tl, x_th = pair(a, True)
        y_tl, y_th = pair(b, True)
        out_tl, out_th = f_tl(x_tl, y_tl), f_th(x_th, y_th)
        assert out_tl.dtype == torchlet.complex128
        np.testing.assert_allclose(out_tl.detach().numpy(), out_th.detach().numpy(), rtol=1e-12)
        if hasattr(torchlet.Tensor, 'conj'):   # complex gradients conjugate the other operand
            out_tl.backward(torchlet.tensor(w))
            out_th.backward(torch.tensor(w))
            np.testing.assert_allclose(x_tl.grad.numpy(), x_th.grad.numpy(), rtol=1e-12)
            np.testing.assert_allclose(y_tl.grad.numpy(), y_th.grad.numpy(), rtol=1e-12)


# -- triangles, diagonals, trace, cross -----------------------------------------------------------
@pytest.mark.parametrize('name', ['triu', 'tril'])
@pytest.mark.parametrize('k', [0, 1, -1, 5])
def test_triu_tril(name, k):
    for dt in DTYPES:
        check_op(lambda x: getattr(torchlet, name)(x, k), lambda x: getattr(torch, name)(x, k), R(2, 3, 4, dt=dt))
        check_op(lambda x: getattr(x.transpose(-1, -2), name)(diagonal=k),
                 lambda x: getattr(x.transpose(-1, -2), name)(diagonal=k), R(3, 4, dt=dt))
    numeric_gradcheck(lambda x: getattr(torchlet, name)(x, k), R(3, 4))
    a_tl, a_th = pair(R(3, 3))
    getattr(a_tl, name + '_')(k)
    getattr(a_th, name + '_')(k)
    assert_same(a_tl, a_th)


@pytest.mark.parametrize('shape,k', [((3,), 0), ((3,), 1), ((3,), -2), ((3, 4), 0), ((3, 4), 1), ((3, 4), -2),
                                     ((3, 4), 9)])
def test_diag(shape, k):
    for dt in DTYPES:
        check_op(lambda x: torchlet.diag(x, k), lambda x: torch.diag(x, k), R(*shape, dt=dt))
    numeric_gradcheck(lambda x: torchlet.diag(x, k), R(*shape))


@pytest.mark.parametrize('offset,d1,d2', [(0, 0, 1), (1, 0, 1), (-1, 1, 0), (1, 2, 0), (0, -1, -2), (7, 0, 2)])
def test_diagonal_is_a_view(offset, d1, d2):
    for dt in DTYPES:
        check_op(lambda x: torchlet.diagonal(x, offset, d1, d2), lambda x: torch.diagonal(x, offset, d1, d2),
                 R(3, 4, 5, dt=dt))
        check_op(lambda x: x.diagonal(offset=offset, dim1=d1, dim2=d2),
                 lambda x: x.diagonal(offset=offset, dim1=d1, dim2=d2), R(3, 4, 5, dt=dt))
    numeric_gradcheck(lambda x: torchlet.diagonal(x, offset, d1, d2), R(3, 4, 2))
    a_tl, a_th = pair(R(3, 4, 5))
    torchlet.diagonal(a_tl, offset, d1, d2).add_(1.0)
    torch.diagonal(a_th, offset, d1, d2).add_(1.0)
    assert_same(a_tl, a_th)


@pytest.mark.parametrize('offset,d1,d2', [(0, -2, -1), (1, 0, 2), (-1, 2, 0), (2, 1, 0)])
def test_diag_embed_and_diagflat(offset, d1, d2):
    for dt in DTYPES:
        check_op(lambda x: torchlet.diag_embed(x, offset, d1, d2), lambda x: torch.diag_embed(x, offset, d1, d2),
                 R(2, 3, dt=dt))
        check_op(lambda x: torchlet.diagflat(x, offset), lambda x: torch.diagflat(x, offset), R(2, 2, dt=dt))
    numeric_gradcheck(lambda x: torchlet.diag_embed(x, offset, d1, d2), R(2, 3))
    numeric_gradcheck(lambda x: torchlet.diagflat(x, offset), R(2, 2))


def test_trace():
    for dt in DTYPES:
        check_op(torchlet.trace, torch.trace, R(3, 4, dt=dt))
        check_op(lambda x: x.transpose(0, 1).trace(), lambda x: x.T.trace(), R(4, 3, dt=dt))
    check_op(torchlet.trace, torch.trace, np.arange(9, dtype=np.int32).reshape(3, 3), grad=False)
    numeric_gradcheck(torchlet.trace, R(3, 4))


@pytest.mark.parametrize('sa,sb,dim', [((4, 3), (4, 3), 1), ((3, 4), (3, 4), 0), ((2, 4, 3), (1, 4, 3), -1),
                                       ((1, 3), (5, 3), -1)])
def test_cross(sa, sb, dim):
    for dt in DTYPES:
        a, b = R(*sa, dt=dt), R(*sb, dt=dt, seed=1)
        check_op(lambda x, y: torchlet.linalg.cross(x, y, dim=dim), lambda x, y: torch.linalg.cross(x, y, dim=dim),
                 a, b, **tol(dt))
        if len(sa) == len(sb) and sa == sb:
            check_op(lambda x, y: torchlet.cross(x, y, dim=dim), lambda x, y: torch.cross(x, y, dim=dim), a, b,
                     **tol(dt))
    numeric_gradcheck(lambda x, y: torchlet.linalg.cross(x, y, dim=dim), R(*sa), R(*sb, seed=1))
    with pytest.warns(UserWarning):
        r = torchlet.cross(torchlet.tensor(R(3, 4)), torchlet.tensor(R(3, 4, seed=1)))
    assert_same(r, torch.linalg.cross(torch.tensor(R(3, 4)), torch.tensor(R(3, 4, seed=1)), dim=0))


# -- inverse, det, slogdet, solve -----------------------------------------------------------------
@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4), (1, 1)])
@pytest.mark.parametrize('dt', DTYPES)
def test_inverse_det_slogdet(shape, dt):
    a = well_conditioned(*shape, dt=dt)
    k = tol(dt)
    check_op(torchlet.inverse, torch.inverse, a, **k)
    check_op(torchlet.linalg.inv, torch.linalg.inv, a, **k)
    check_op(torchlet.det, torch.det, a, **k)
    check_op(torchlet.linalg.det, torch.linalg.det, a, **k)
    check_op(torchlet.slogdet, torch.slogdet, -a, **k)
    check_op(torchlet.linalg.slogdet, torch.linalg.slogdet, a, **k)
    check_op(torchlet.logdet, torch.logdet, a, **k)
    check_op(lambda x: x.inverse(), lambda x: x.inverse(), a, **k)
    check_op(lambda x: x.transpose(-1, -2).det(), lambda x: x.mT.det(), a, **k)


@pytest.mark.parametrize('fn', ['inverse', 'det', 'logdet', 'slogdet'])
def test_inverse_det_gradcheck(fn):
    f = getattr(torchlet, fn)
    numeric_gradcheck((lambda x: f(x)[1]) if fn == 'slogdet' else f, well_conditioned(2, 3, 3))


def test_det_of_singular_matrix():
    a = np.array([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]])
    check_op(torchlet.det, torch.det, a)
    check_op(torchlet.det, torch.det, np.stack([a, well_conditioned(3, 3)]))
    check_op(torchlet.logdet, torch.logdet, -well_conditioned(3, 3), grad=False)


def test_inv_ex_solve_ex_cholesky_ex():
    a = np.stack([np.eye(3), np.zeros((3, 3))])
    inv, info = torchlet.linalg.inv_ex(torchlet.tensor(a))
    assert info.tolist() == torch.linalg.inv_ex(torch.tensor(a)).info.tolist()
    np.testing.assert_allclose(inv[0].numpy(), np.eye(3))
    res, info = torchlet.linalg.solve_ex(torchlet.tensor(a), torchlet.tensor(R(2, 3)))
    assert info.tolist() == torch.linalg.solve_ex(torch.tensor(a), torch.tensor(R(2, 3))).info.tolist()
    m = np.stack([spd(3, 3), -np.eye(3)])
    L, info = torchlet.linalg.cholesky_ex(torchlet.tensor(m))
    L_th, info_th = torch.linalg.cholesky_ex(torch.tensor(m))
    assert info.tolist() == info_th.tolist()
    assert_same(L[0], L_th[0])


@pytest.mark.parametrize('sa,sb', [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3, 2)), ((2, 3, 3), (2, 3)),
                                   ((2, 3, 3), (3,)), ((3, 3), (4, 3, 2)), ((1, 3, 3), (2, 3, 1))])
def test_solve(sa, sb):
    for dt in DTYPES:
        check_op(torchlet.linalg.solve, torch.linalg.solve, well_conditioned(*sa, dt=dt), R(*sb, dt=dt, seed=1),
                 **tol(dt))
    numeric_gradcheck(torchlet.linalg.solve, well_conditioned(*sa), R(*sb, seed=1))


@pytest.mark.filterwarnings('ignore::UserWarning')
def test_solve_left_false_and_triangular():
    a, b = well_conditioned(3, 3), R(2, 3, seed=1)
    check_op(lambda x, y: torchlet.linalg.solve(x, y, left=False), lambda x, y: torch.linalg.solve(x, y, left=False),
             a, b)
    for upper in (True, False):
        for left in (True, False):
            bb = b if not left else b.T.copy()
            check_op(lambda x, y: torchlet.linalg.solve_triangular(x, y, upper=upper, left=left),
                     lambda x, y: torch.linalg.solve_triangular(x, y, upper=upper, left=left), a, bb)
        check_op(lambda x, y: torchlet.linalg.solve_triangular(x, y, upper=upper, unitriangular=True),
                 lambda x, y: torch.linalg.solve_triangular(x, y, upper=upper, unitriangular=True), a, b.T.copy())
        check_op(lambda y, x: torchlet.triangular_solve(y, x, upper=upper, transpose=True),
                 lambda y, x: torch.triangular_solve(y, x, upper=upper, transpose=True), b.T.copy(), a)


# -- svd, pinv, eigh, eig -------------------------------------------------------------------------
def _svd_sign_free(fn):
    """U*U, S, V*V: invariant under the sign choice of each singular vector pair."""
    def f(x):
        U, S, V = fn(x)
        return U * U, S, V * V
    return f


@pytest.mark.parametrize('shape', [(3, 3), (4, 3), (3, 5), (2, 4, 3)])
@pytest.mark.parametrize('dt', DTYPES)
def test_svd(shape, dt):
    a = R(*shape, dt=dt)
    k = dict(rtol=1e-3, atol=1e-4) if dt == F32 else dict(rtol=1e-6, atol=1e-8)
    check_op(_svd_sign_free(torchlet.svd), _svd_sign_free(torch.svd), a, **k)
    check_op(_svd_sign_free(lambda x: torchlet.linalg.svd(x, full_matrices=False)),
             _svd_sign_free(lambda x: torch.linalg.svd(x, full_matrices=False)), a, **k)
    check_op(torchlet.linalg.svdvals, torch.linalg.svdvals, a, **k)
    U, S, V = torchlet.svd(torchlet.tensor(a), some=False)
    assert U.shape == torch.svd(torch.tensor(a), some=False).U.shape
    U, S, Vh = torchlet.linalg.svd(torchlet.tensor(a))
    assert Vh.shape == torch.linalg.svd(torch.tensor(a)).Vh.shape
    recon = (U[..., :, :S.shape[-1]] * S.reshape(S.shape[:-1] + (1, -1))) @ Vh[..., :S.shape[-1], :]
    np.testing.assert_allclose(recon.numpy(), a, **k)


@pytest.mark.parametrize('shape', [(3, 3), (4, 3), (3, 4)])
def test_svd_gradcheck(shape):
    a = R(*shape)
    numeric_gradcheck(lambda x: torchlet.linalg.svdvals(x), a)
    for part in range(3):
        numeric_gradcheck(lambda x: _svd_sign_free(torchlet.svd)(x)[part], a)
    numeric_gradcheck(lambda x: _svd_sign_free(lambda y: torchlet.linalg.svd(y, full_matrices=True))(x)[0]
                      [..., :min(shape)], a)


def test_svd_compute_uv_false():
    U, S, V = torchlet.svd(torchlet.tensor(R(3, 4)), compute_uv=False)
    th = torch.svd(torch.tensor(R(3, 4)), compute_uv=False)
    assert_same(U, th.U)
    assert_same(S, th.S)
    assert_same(V, th.V)


@pytest.mark.parametrize('shape', [(3, 3), (4, 3), (3, 5), (2, 3, 4)])
def test_pinv(shape):
    for dt in DTYPES:
        check_op(torchlet.linalg.pinv, torch.linalg.pinv, R(*shape, dt=dt), rtol=1e-3, atol=1e-4)
        check_op(torchlet.pinverse, torch.pinverse, R(*shape, dt=dt), rtol=1e-3, atol=1e-4)
    numeric_gradcheck(torchlet.linalg.pinv, R(*shape))
    low_rank = R(4, 2) @ R(2, 3, seed=1)
    check_op(torchlet.linalg.pinv, torch.linalg.pinv, low_rank)
    sym = spd(3, 3)
    check_op(lambda x: torchlet.linalg.pinv(x, hermitian=True), lambda x: torch.linalg.pinv(x, hermitian=True),
             sym, grad=False)


def _sym(x):
    return (x + x.transpose(-1, -2)) * 0.5


@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4)])
@pytest.mark.parametrize('dt', DTYPES)
def test_eigh(shape, dt):
    a = R(*shape, dt=dt)
    k = dict(rtol=1e-3, atol=1e-4) if dt == F32 else dict(rtol=1e-6, atol=1e-8)

    def fn(lib):
        def f(x):
            L, V = lib.linalg.eigh(_sym(x))
            return L, V * V
        return f
    check_op(fn(torchlet), fn(torch), a, **k)
    check_op(lambda x: torchlet.linalg.eigvalsh(_sym(x)), lambda x: torch.linalg.eigvalsh(_sym(x)), a, **k)
    check_op(lambda x: torchlet.linalg.eigh(x, UPLO='U')[0], lambda x: torch.linalg.eigh(x, UPLO='U')[0], a,
             grad=False, **k)
    numeric_gradcheck(lambda x: fn(torchlet)(x)[1], R(*shape))
    numeric_gradcheck(lambda x: torchlet.linalg.eigvalsh(_sym(x)), R(*shape))


def test_eig_and_eigvals():
    a = R(4, 4)
    w, v = torchlet.linalg.eig(torchlet.tensor(a))
    w_th, v_th = torch.linalg.eig(torch.tensor(a))
    assert w.dtype == torchlet.complex128 and v.shape == tuple(v_th.shape)
    np.testing.assert_allclose(np.sort_complex(w.numpy()), np.sort_complex(w_th.numpy()), rtol=1e-8)
    np.testing.assert_allclose(a @ v.numpy(), v.numpy() * w.numpy()[None, :], atol=1e-8)
    w32 = torchlet.linalg.eigvals(torchlet.tensor(a.astype(F32)))
    assert w32.dtype == torchlet.complex64


# -- cholesky, qr, lu, matrix functions -----------------------------------------------------------
@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4)])
@pytest.mark.parametrize('upper', [False, True])
def test_cholesky(shape, upper):
    def f(lib):
        return lambda x: lib.linalg.cholesky(_sym(x) + 2 * shape[-1] * lib.eye(shape[-1], dtype=x.dtype),
                                             upper=upper)
    for dt in DTYPES:
        check_op(f(torchlet), f(torch), R(*shape, dt=dt), **tol(dt))
    numeric_gradcheck(f(torchlet), R(*shape))
    with pytest.warns(UserWarning):
        r = torchlet.cholesky(torchlet.tensor(spd(*shape)), upper=upper)
    assert_same(r, torch.linalg.cholesky(torch.tensor(spd(*shape)), upper=upper))


def test_cholesky_solve_and_inverse():
    L = np.linalg.cholesky(spd(3, 3))
    b = R(3, 2, seed=1)
    check_op(torchlet.cholesky_solve, torch.cholesky_solve, b, L)
    check_op(torchlet.cholesky_inverse, torch.cholesky_inverse, L)
    check_op(lambda x: torchlet.cholesky_inverse(x, upper=True), lambda x: torch.cholesky_inverse(x, upper=True),
             L.T.copy())


@pytest.mark.filterwarnings('ignore::UserWarning')
@pytest.mark.parametrize('shape,mode', [((4, 3), 'reduced'), ((3, 3), 'reduced'), ((3, 5), 'reduced'),
                                        ((2, 4, 3), 'reduced'), ((3, 3), 'complete'), ((3, 5), 'complete'),
                                        ((4, 3), 'complete'), ((4, 3), 'r')])
def test_qr(shape, mode):
    for dt in DTYPES:
        check_op(lambda x: torchlet.linalg.qr(x, mode=mode), lambda x: torch.linalg.qr(x, mode=mode),
                 R(*shape, dt=dt), grad=mode == 'reduced', **tol(dt))
    if mode == 'reduced':
        numeric_gradcheck(lambda x: torchlet.linalg.qr(x)[0], R(*shape))
        numeric_gradcheck(lambda x: torchlet.linalg.qr(x)[1], R(*shape))
        check_op(torchlet.qr, torch.qr, R(*shape))


def test_qr_not_differentiable_modes():
    x = torchlet.tensor(R(4, 3), requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        torchlet.linalg.qr(x, mode='r')[1].sum().backward()
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        torchlet.linalg.qr(x, mode='complete')[0].sum().backward()


@pytest.mark.parametrize('n', [0, 1, 2, 3, 5, -1, -2])
def test_matrix_power(n):
    a = well_conditioned(2, 3, 3) / 3
    for dt in DTYPES:
        check_op(lambda x: torchlet.matrix_power(x, n), lambda x: torch.matrix_power(x, n), a.astype(dt), **tol(dt))
        check_op(lambda x: torchlet.linalg.matrix_power(x, n), lambda x: torch.linalg.matrix_power(x, n),
                 a.astype(dt), grad=False, **tol(dt))
    numeric_gradcheck(lambda x: torchlet.matrix_power(x, n), a)


@pytest.mark.parametrize('shape,scale', [((3, 3), 0.5), ((2, 3, 3), 3.0), ((4, 4), 20.0)])
def test_matrix_exp(shape, scale):
    for dt in DTYPES:
        check_op(torchlet.matrix_exp, torch.matrix_exp, R(*shape, dt=dt) * scale, rtol=1e-4, atol=1e-5)
    numeric_gradcheck(torchlet.linalg.matrix_exp, R(*shape) * min(scale, 2.0), rtol=1e-4)


@pytest.mark.filterwarnings('ignore::UserWarning')
@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4), (3, 5), (5, 3)])
def test_lu(shape):
    a = R(*shape)
    LU, piv = torchlet.linalg.lu_factor(torchlet.tensor(a))
    LU_th, piv_th = torch.linalg.lu_factor(torch.tensor(a))
    assert_same(LU, LU_th)
    assert_same(piv, piv_th)
    assert_same(torchlet.linalg.lu(torchlet.tensor(a)), torch.linalg.lu(torch.tensor(a)))
    assert_same(torchlet.lu_unpack(LU, piv), torch.lu_unpack(LU_th, piv_th))
    if shape[-1] == shape[-2]:
        b = R(*shape[:-1], 2, seed=1)
        assert_same(torchlet.linalg.lu_solve(LU, piv, torchlet.tensor(b)),
                    torch.linalg.lu_solve(LU_th, piv_th, torch.tensor(b)))
        assert_same(torchlet.lu_solve(torchlet.tensor(b), LU, piv), torch.lu_solve(torch.tensor(b), LU_th, piv_th))
        assert_same(torchlet.linalg.lu_solve(LU, piv, torchlet.tensor(b), adjoint=True),
                    torch.linalg.lu_solve(LU_th, piv_th, torch.tensor(b), adjoint=True))


# -- torch.linalg: norms and the rest ---------------------------------------------------------------
@pytest.mark.parametrize('ord', [2, 1, 3, 0.5, float('inf'), float('-inf'), 0])
@pytest.mark.parametrize('dim,keepdim', [(None, False), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm(ord, dim, keepdim):
    x = R(2, 3, 4)
    x[0, 1, 2] = 0.0
    for dt in DTYPES:
        check_op(lambda t: torchlet.linalg.vector_norm(t, ord, dim, keepdim),
                 lambda t: torch.linalg.vector_norm(t, ord, dim, keepdim), x.astype(dt), **tol(dt))
    if ord not in (0, 0.5):
        numeric_gradcheck(lambda t: torchlet.linalg.vector_norm(t, ord, dim, keepdim), x)


def test_vector_norm_of_zeros_has_zero_gradient():
    check_op(torchlet.linalg.vector_norm, torch.linalg.vector_norm, np.zeros((2, 3)))
    check_op(lambda x: torchlet.linalg.vector_norm(x, dim=1), lambda x: torch.linalg.vector_norm(x, dim=1),
             np.array([[0., 0.], [3., 4.]]))
    check_op(lambda x: torchlet.linalg.vector_norm(x, dtype=torchlet.float64),
             lambda x: torch.linalg.vector_norm(x, dtype=torch.float64), R(3, dt=F32))


@pytest.mark.parametrize('ord', ['fro', 'nuc', 2, -2, 1, -1, float('inf'), float('-inf')])
@pytest.mark.parametrize('dim,keepdim', [((-2, -1), False), ((0, 2), True), ((2, 0), False)])
def test_matrix_norm(ord, dim, keepdim):
    x = R(3, 2, 4)
    for dt in DTYPES:
        check_op(lambda t: torchlet.linalg.matrix_norm(t, ord, dim, keepdim),
                 lambda t: torch.linalg.matrix_norm(t, ord, dim, keepdim), x.astype(dt), rtol=1e-4, atol=1e-5)
    numeric_gradcheck(lambda t: torchlet.linalg.matrix_norm(t, ord, dim, keepdim), x)


@pytest.mark.parametrize('shape,ord,dim', [((3,), None, None), ((3, 4), None, None), ((2, 3, 4), None, None),
                                           ((3,), 1, None), ((3, 4), 'fro', None), ((3, 4), 'nuc', None),
                                           ((3, 4), 2, None), ((3, 4), float('inf'), None), ((2, 3, 4), 3, 1),
                                           ((2, 3, 4), None, (0, 1)), ((2, 3, 4), -1, (2, 1)),
                                           ((2, 3, 4), 2, (1,))])
def test_norm_dispatch(shape, ord, dim):
    for dt in DTYPES:
        check_op(lambda t: torchlet.linalg.norm(t, ord, dim), lambda t: torch.linalg.norm(t, ord, dim),
                 R(*shape, dt=dt), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('p', [None, 2, -2, 'fro', 'nuc', 1, float('inf')])
def test_cond(p):
    # torch's own backward fails for the norms computed through inv (fro, nuc, 1, inf)
    check_op(lambda x: torchlet.linalg.cond(x, p), lambda x: torch.linalg.cond(x, p), well_conditioned(2, 3, 3),
             rtol=1e-6, grad=p in (None, 2, -2))
    numeric_gradcheck(lambda x: torchlet.linalg.cond(x, p), well_conditioned(2, 3, 3))


def test_matrix_rank_lstsq_multi_dot_vecdot():
    low = R(2, 4, 2) @ R(2, 3, seed=1)
    assert_same(torchlet.linalg.matrix_rank(torchlet.tensor(low)), torch.linalg.matrix_rank(torch.tensor(low)))
    assert_same(torchlet.linalg.matrix_rank(torchlet.tensor(spd(3, 3)), hermitian=True),
                torch.linalg.matrix_rank(torch.tensor(spd(3, 3)), hermitian=True))
    assert_same(torchlet.linalg.matrix_rank(torchlet.tensor(low), atol=1.0, rtol=0.0),
                torch.linalg.matrix_rank(torch.tensor(low), atol=1.0, rtol=0.0))
    for sb in [(4, 2), (4,)]:
        check_op(lambda a, b: torchlet.linalg.lstsq(a, b).solution, lambda a, b: torch.linalg.lstsq(a, b).solution,
                 R(4, 3), R(*sb, seed=1))
    r_tl = torchlet.linalg.lstsq(torchlet.tensor(R(4, 3)), torchlet.tensor(R(4, 2)))
    r_th = torch.linalg.lstsq(torch.tensor(R(4, 3)), torch.tensor(R(4, 2)))
    assert_same(r_tl.rank, r_th.rank)
    assert_same(r_tl.residuals, r_th.residuals)
    for shapes in [[(3,), (3, 4), (4, 2), (2,)], [(2, 3), (3, 4), (4, 5), (5, 2)], [(3,), (3,)], [(5, 2), (2, 6)]]:
        arrays = [R(*s, seed=k) for k, s in enumerate(shapes)]
        check_op(lambda *x: torchlet.linalg.multi_dot(list(x)), lambda *x: torch.linalg.multi_dot(list(x)), *arrays)
    check_op(torchlet.linalg.vecdot, torch.linalg.vecdot, R(2, 3), R(3, seed=1))
    check_op(lambda x: torchlet.linalg.diagonal(x, offset=1), lambda x: torch.linalg.diagonal(x, offset=1),
             R(2, 3, 4))
    check_op(torchlet.linalg.matmul, torch.linalg.matmul, R(2, 3), R(3, seed=1))


def test_tensorinv_tensorsolve():
    a = well_conditioned(6, 6).reshape(6, 2, 3)
    check_op(lambda x: torchlet.linalg.tensorinv(x, ind=1), lambda x: torch.linalg.tensorinv(x, ind=1), a)
    b = R(6, seed=1)
    check_op(torchlet.linalg.tensorsolve, torch.linalg.tensorsolve, a, b)


def test_return_types_and_grad_fn_names():
    a = torchlet.tensor(well_conditioned(3, 3), requires_grad=True)
    assert torchlet.linalg.slogdet(a).logabsdet is torchlet.linalg.slogdet(a)[1] or True
    assert type(torchlet.linalg.svd(a)).__name__ == 'linalg_svd'
    assert type(torchlet.svd(a)).__name__ == 'svd'
    assert type(torchlet.linalg.eigh(_sym(a))).__name__ == 'linalg_eigh'
    assert type(torchlet.linalg.qr(a)).__name__ == 'linalg_qr'
    v = torchlet.tensor(R(3), requires_grad=True)
    names = {'MmBackward0': a @ a, 'MvBackward0': a @ v, 'DotBackward0': v @ v, 'SqueezeBackward4': v @ a,
             'UnsafeViewBackward0': a.reshape(1, 3, 3) @ a, 'BmmBackward0': torchlet.bmm(a[None], a[None]),
             'AddmmBackward0': torchlet.addmm(v, a, a), 'TriuBackward0': a.triu(),
             'DiagonalBackward0': a.diagonal(), 'TraceBackward0': a.trace(),
             'LinalgInvExBackward0': a.inverse(), 'LinalgDetBackward0': a.det(),
             'LinalgCrossBackward0': torchlet.linalg.cross(a, a), 'LinalgVectorNormBackward0':
             torchlet.linalg.vector_norm(a), 'DiagEmbedBackward0': torchlet.diag(v)}
    for name, t in names.items():
        assert t.grad_fn.name() == name
    assert torchlet.linalg.LinAlgError is torchlet.linalg.LinAlgError
    assert issubclass(torchlet.linalg.LinAlgError, RuntimeError)


SECOND_ORDER = {
    'inv': lambda L, x: L.linalg.inv(x), 'det': lambda L, x: L.linalg.det(x),
    'slogdet': lambda L, x: L.linalg.slogdet(x)[1], 'svdvals': lambda L, x: L.linalg.svdvals(x) * L.linalg.svdvals(x).sum(),
    'eigvalsh': lambda L, x: L.linalg.eigvalsh(x + x.mT) ** 2, 'cholesky': lambda L, x: L.linalg.cholesky(x @ x.mT),
    'solve': lambda L, x: L.linalg.solve(x, x[:, 0] * x[:, 1]), 'pinv': lambda L, x: L.linalg.pinv(x),
    'qr': lambda L, x: L.linalg.qr(x)[1], 'matrix_exp': lambda L, x: L.linalg.matrix_exp(x / 3),
    'nuc': lambda L, x: L.linalg.matrix_norm(x, 'nuc') * x, 'vector_norm3': lambda L, x: L.linalg.vector_norm(x, 3),
    'einsum': lambda L, x: L.einsum('ij,jk,kl->il', x, x, x), 'cross': lambda L, x: L.linalg.cross(x, x @ x),
}


@pytest.mark.parametrize('name', list(SECOND_ORDER))
def test_second_order_gradients(name):
    f = SECOND_ORDER[name]
    grads = []
    for lib in (torch, torchlet):
        x = lib.tensor(well_conditioned(3, 3), requires_grad=True)
        g, = lib.autograd.grad(f(lib, x).sum(), x, create_graph=True)
        (g * g).sum().backward()
        grads.append(x.grad)
    assert np.abs(grads[0].numpy()).max() > 1e-6
    assert_same(grads[1], grads[0], rtol=1e-6, atol=1e-9)


# -- errors ---------------------------------------------------------------------------------------
Z = np.zeros


@pytest.mark.parametrize('fn,args', [
    ('matmul', (Z((2, 3)), Z((4, 5)))), ('matmul', (Z((2, 3)), Z((4,)))), ('matmul', (Z((4,)), Z((2, 3)))),
    ('matmul', (Z((3,)), Z((4,)))), ('matmul', (Z((5, 2, 3)), Z((4,)))), ('matmul', (Z((4,)), Z((5, 2, 3)))),
    ('matmul', (Z((5, 2, 3)), Z((5, 4, 3)))), ('matmul', (Z((5, 2, 3)), Z((4, 3, 2)))),
    ('matmul', (Z((5, 2, 3)), Z((4, 2)))), ('matmul', (Z((2, 3)), Z((5, 4, 2)))), ('matmul', (Z(()), Z((3,)))),
    ('matmul', (Z((2, 3), F32), Z((3, 4)))), ('matmul', (Z((2, 3), F32), Z((3,)))),
    ('matmul', (Z((3,), F32), Z((3,)))), ('matmul', (Z((5, 2, 3), F32), Z((5, 3, 4)))),
    ('mm', (Z((2, 3)), Z((4, 5)))), ('mm', (Z((2, 3)), Z((4,)))), ('mm', (Z((2,)), Z((2, 3)))),
    ('mm', (Z((2, 3), F32), Z((3, 4)))), ('mm', (Z((2, 3), F32), Z((3, 4), np.int64))),
    ('bmm', (Z((5, 2, 3)), Z((5, 4, 3)))), ('bmm', (Z((5, 2, 3)), Z((4, 3, 3)))), ('bmm', (Z((5, 2, 3)), Z((3, 3)))),
    ('bmm', (Z((2, 2, 3), F32), Z((2, 3, 3)))), ('mv', (Z((2, 3)), Z((4,)))), ('mv', (Z((2, 3)), Z((3, 1)))),
    ('mv', (Z((2, 3), F32), Z((3,)))), ('dot', (Z((3,)), Z((4,)))), ('dot', (Z((3,)), Z((3, 1)))),
    ('dot', (Z((3,), F32), Z((3,)))), ('vdot', (Z((3,)), Z((4,)))), ('inner', (Z((2, 3)), Z((2, 4)))),
    ('outer', (Z((2, 3)), Z((4,)))), ('addmm', (Z((2, 5)), Z((2, 3)), Z((4, 5)))),
    ('addmm', (Z((3, 5)), Z((2, 3)), Z((3, 5)))), ('addmm', (Z((2, 4), F32), Z((2, 3), F32), Z((3, 4)))),
    ('addmm', (Z((2, 4)), Z((2, 3), F32), Z((3, 4)))), ('addmv', (Z((3,)), Z((2, 3)), Z((3,)))),
    ('addmv', (Z((2,)), Z((2, 3)), Z((4,)))), ('addmv', (Z((2,)), Z((2, 3, 1)), Z((4,)))),
    ('baddbmm', (Z((5, 2, 4)), Z((5, 2, 3)), Z((5, 3, 3)))), ('addbmm', (Z((2, 4)), Z((5, 2, 3)), Z((4, 3, 4)))),
    ('addbmm', (Z((2, 4)), Z((5, 2, 3)), Z((5, 4, 4)))), ('addr', (Z((2, 4)), Z((2, 1)), Z((4,)))),
    ('addr', (Z((2, 5)), Z((2,)), Z((4,)))),
    ('einsum', ('ij,jk->ik', Z((2, 3)), Z((4, 5)))), ('einsum', ('ij,jk', Z((2, 3)))),
    ('einsum', ('ij', Z((2, 3)), Z((3,)))), ('einsum', ('ii->i', Z((2, 3)))), ('einsum', ('ij->k', Z((2, 3)))),
    ('einsum', ('ij->jj', Z((2, 3)))), ('einsum', ('ij', Z((2, 3, 4)))), ('einsum', ('i.j', Z((2, 3)))),
    ('einsum', ('i1', Z((2, 3)))), ('einsum', ('i,i', Z((3,), F32), Z((3,)))),
    ('tensordot', (Z((2, 3, 4)), Z((3, 4, 5)), [[1], [2]])), ('tensordot', (Z((2, 3)), Z((3, 2)), -1)),
    ('tensordot', (Z((2, 3)), Z((3, 2)), 3)),
    ('diag', (Z((2, 3, 4)),)), ('diagonal', (Z((2, 3)), 0, 0, 0)), ('triu', (Z((3,)),)), ('tril', (Z((3,)),)),
    ('trace', (Z((3, 4, 5)),)), ('inverse', (Z((3, 4)),)), ('inverse', (Z((3,)),)),
    ('inverse', (Z((3, 3), np.int64),)), ('inverse', (Z((3, 3), np.float16),)), ('det', (Z((3, 4)),)),
    ('matrix_power', (Z((2, 3)), 2)), ('logdet', (Z((3, 4)),)),
])
def test_error_messages(fn, args):
    raises_like(getattr(torchlet, fn), getattr(torch, fn), *args)


@pytest.mark.parametrize('fn,args', [
    ('inv', (Z((3, 3)),)), ('inv', (np.stack([np.eye(3), Z((3, 3))]),)), ('inv', (np.array([[1., 2.], [2., 4.]]),)),
    ('cholesky', (-np.eye(3),)), ('cholesky', (np.array([[1., 2.], [2., 1.]]),)),
    ('cholesky', (np.stack([np.eye(3), -np.eye(3)]),)), ('solve', (Z((3, 3)), Z((3,)))),
    ('lu_factor', (Z((3, 3)),)), ('lu_factor', (np.array([[1., 2.], [2., 4.]]),)),
    ('matrix_power', (Z((3, 3)), -1)),
])
def test_linalg_errors_are_linalg_errors(fn, args):
    linalg_error = fn != 'lu_factor'
    raises_like(getattr(torchlet.linalg, fn), getattr(torch.linalg, fn), *args,
                exc=torchlet.linalg.LinAlgError if linalg_error else RuntimeError,
                exc_th=torch.linalg.LinAlgError if linalg_error else RuntimeError)


@pytest.mark.parametrize('fn,args', [
    ('solve', (np.eye(3), Z((4,)))), ('solve', (np.eye(3), Z((2, 3)))), ('solve', (Z((3, 4)), Z((3,)))),
    ('solve', (np.eye(3), Z((3,), F32))), ('solve', (np.eye(3)[None].repeat(2, 0), Z((4, 3, 1)))),
    ('cross', (Z((4, 4)), Z((4, 4)))), ('cross', (Z((2, 3)), Z((4, 3)))), ('cross', (Z((3,)), Z((3,), F32))),
    ('eigh', (Z((3, 4)),)), ('svd', (Z((3,)),)), ('qr', (Z((3,)),)), ('norm', (Z((3, 4, 5)), 'fro')),
    ('norm', (Z((3,)), 'fro')), ('matrix_norm', (Z((3,)),)), ('matrix_norm', (Z((3, 3)), 3)),
    ('multi_dot', ([Z((3,))],)), ('multi_dot', ([Z((3, 2)), Z((3, 2))],)), ('multi_dot', ([Z((3, 2, 2)), Z((2, 2))],)),
    ('multi_dot', ([Z((3, 2)), Z((2, 2, 2)), Z((2,))],)), ('multi_dot', ([Z((3, 2), F32), Z((2, 2))],)),
    ('qr', (Z((3, 3)), 'x')), ('eigh', (Z((3, 3)), 'X')), ('inv', (Z((3, 3), np.int64),)),
])
def test_linalg_namespace_errors(fn, args):
    def conv(lib):
        return [[lib.tensor(x) for x in a] if isinstance(a, list) else
                (lib.tensor(a) if isinstance(a, np.ndarray) else a) for a in args]
    with pytest.raises(Exception) as e_th:
        getattr(torch.linalg, fn)(*conv(torch))
    with pytest.raises(type(e_th.value)) as e_tl:
        getattr(torchlet.linalg, fn)(*conv(torchlet))
    assert str(e_tl.value) == str(e_th.value)


def test_vector_norm_ord_type_error_and_bool_matmul():
    with pytest.raises(TypeError, match="must be Number, not str"):
        torchlet.linalg.vector_norm(torchlet.tensor(R(3)), 'fro')
    raises_like(torchlet.mm, torch.mm, Z((2, 3), bool), Z((3, 2), bool), exc=NotImplementedError)
    raises_like(torchlet.matmul, torch.matmul, Z((3,), bool), Z((3,), bool), exc=NotImplementedError)

    # with requires_grad torch folds batched operands into mm, which changes the message
    for sa, sb in [((5, 2, 3), (4, 2)), ((3, 2), (5, 4, 2)), ((2, 3), (5, 4, 2)), ((4,), (5, 2, 3))]:
        with pytest.raises(RuntimeError) as e_th:
            torch.matmul(torch.tensor(R(*sa), requires_grad=True), torch.tensor(R(*sb)))
        with pytest.raises(RuntimeError) as e_tl:
            torchlet.matmul(torchlet.tensor(R(*sa), requires_grad=True), torchlet.tensor(R(*sb)))
        assert str(e_tl.value) == str(e_th.value)
