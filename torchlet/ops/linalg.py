"""Matrix products: matmul and the @ operator, mm, bmm, mv, dot, vdot, inner, outer, the fused
add* forms (addmm, addmv, addr, baddbmm, addbmm), einsum, tensordot, kron, chain_matmul.

The diagonal/triangle family lives in linalg_matrix.py and the decompositions in linalg_decomp.py;
both are re-exported here, so everything below becomes ``torchlet.xxx``.
"""
import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _State
from ._util import (Op, Tensor, register, inplace, sum_to, expand_to, as_tensor, broadcast_error,
                    wrap_dim)
from .linalg_matrix import _CTYPE, _sname, _x, _prod, mT, mH, conj, _result

__all__ = ['matmul', 'mm', 'bmm', 'mv', 'dot', 'vdot', 'inner', 'outer', 'ger', 'addmm', 'addmv',
           'addr', 'addbmm', 'baddbmm', 'einsum', 'tensordot', 'kron', 'chain_matmul']


# -- torch's argument checks, by the kernel that would report them -----------------------------
def _mm_error(sa, sb, da, db):
    if sa[1] != sb[0]:
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_x(sa)} and {_x(sb)})")
    if da != db:
        return RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_CTYPE[da.name]} != "
                            f"{_CTYPE[db.name]}")
    return None


def _mv_error(sm, sv, dm, dv):
    if sm[1] != sv[0]:
        return RuntimeError(f"size mismatch, got input ({sm[0]}), mat ({_x(sm)}), vec ({sv[0]})")
    if dm != dv:
        return RuntimeError(f"addmv input tensors must have the same dtype, but got "
                            f"{_sname(np.promote_types(dm, dv))}, {_sname(dm)}, and {_sname(dv)}")
    return None


def _bmm_error(sa, sb, da, db):
    for name, s in (('batch1', sa), ('batch2', sb)):
        if len(s) != 3:
            return RuntimeError(f"{name} must be a 3D tensor")
    if (sb[0], sb[1]) != (sa[0], sa[2]):
        return RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                            f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    if da != db:
        return RuntimeError(f"expected scalar type {_sname(da)} but found {_sname(db)}")
    return None


def _dot_error(sa, sb, da, db, name='dot'):
    if len(sa) != 1 or len(sb) != 1:
        return RuntimeError(f"1D tensors expected, but got {len(sa)}D and {len(sb)}D tensors")
    if da != db:
        return RuntimeError(f"{name} : expected both vectors to have same dtype, but found {_sname(da)} "
                            f"and {_sname(db)}")
    if sa[0] != sb[0]:
        return RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to "
                            f"have the same number of elements, but got {sa[0]} and {sb[0]} elements "
                            f"respectively")
    return None


def _check_bool(a, kernel):
    if a._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _should_fold(a, b):
    """torch's matmul folds a >=3-D operand into a matrix (mm/mv) instead of using bmm when it can
    do so without a copy; the choice decides which kernel reports a shape error."""
    na, nb = a._data.ndim, b._data.ndim
    larger1 = na >= nb
    dim_t1, dim_t2 = (na, nb) if larger1 else (nb, na)
    if not (dim_t1 >= 3 and dim_t2 <= 2):
        return False
    if a._rg or b._rg:
        return True
    if na == 2:
        return False
    t1 = a._data if larger1 else np.swapaxes(b._data, -1, -2)
    if t1.size == 0:
        return True
    st, sh = t1.strides, t1.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(dim_t1 - 1))


def _matmul_error(a, b):
    """The exception torch raises for ``a @ b`` when the shapes or dtypes do not fit."""
    sa, sb = a._data.shape, b._data.shape
    da, db = a._data.dtype, b._data.dtype
    na, nb = len(sa), len(sb)
    if na == 0 or nb == 0:
        return RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and "
                            f"{nb}D")
    if na == 1 and nb == 1:
        return _dot_error(sa, sb, da, db)
    if na == 2 and nb == 1:
        return _mv_error(sa, sb, da, db)
    if na <= 2 and nb <= 2:
        return _mm_error((1,) * (2 - na) + sa, sb, da, db)
    if _should_fold(a, b):
        if nb > na:   # torch computes (b.mT @ a.mT).mT
            s1, d1 = sb[:-2] + (sb[-1], sb[-2]), db
            s2, d2 = (sa[::-1] if na == 2 else sa), da
        else:
            s1, d1, s2, d2 = sa, da, sb, db
        folded = (_prod(s1[:-1]), s1[-1])
        return _mm_error(folded, s2, d1, d2) if len(s2) == 2 else _mv_error(folded, s2, d1, d2)
    b1, b2 = sa[:-2], sb[:-2]
    try:
        batch = np.broadcast_shapes(b1, b2)
    except ValueError:
        return broadcast_error(b1, b2)
    n = _prod(batch)
    err = _bmm_error((n, sa[-2] if na > 1 else 1, sa[-1]),
                     (n, sb[-2] if nb > 1 else sb[0], sb[-1] if nb > 1 else 1), da, db)
    return err or RuntimeError(f"matmul: cannot multiply shapes {list(sa)} and {list(sb)}")


# -- matmul ----------------------------------------------------------------------------------------
def _matmul_arrays(a, b):
    """np.matmul, folding a contiguous batch of matrices times one matrix into a single GEMM."""
    if a.ndim > 2 and b.ndim == 2 and a.flags.c_contiguous and a.shape[-1] == b.shape[0]:
        return np.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[1:])
    r = np.matmul(a, b)
    return r if type(r) is np.ndarray else np.asarray(r)


def _product(node, a, b):
    """node.apply(a, b), or the bare array product when autograd need not record it."""
    if _State.grad_enabled and (a._rg or b._rg):
        return node.apply(a, b)
    return Tensor._wrap(_matmul_arrays(a._data, b._data))


def matmul_grads(g, a, b, need_a=True, need_b=True):
    """Gradients of ``a @ b`` (any of matmul's cases) for the upstream gradient g: two matmuls with
    transposed views; broadcast batch dims are summed, a batch times a matrix is folded into one mm."""
    na, nb = a._data.ndim, b._data.ndim
    if na == 1 and nb == 1:
        return (g * conj(b) if need_a else None), (g * conj(a) if need_b else None)
    A = a.reshape(1, a._data.shape[0]) if na == 1 else a
    B = b.reshape(b._data.shape[0], 1) if nb == 1 else b
    M, K, N = A._data.shape[-2], A._data.shape[-1], B._data.shape[-1]
    gs = g._data.shape
    G = g.reshape(gs[:len(gs) - (na > 1) - (nb > 1)] + (M, N))
    ga = gb = None
    if need_a:
        if A._data.ndim == 2 and B._data.ndim > 2:
            ga = _mm(mT(mT(G).reshape(-1, M)), mH(B).reshape(-1, K))
        else:
            ga = sum_to(_mm(G, mH(B)), A._data.shape)
        if na == 1:
            ga = ga.reshape(a._data.shape)
    if need_b:
        if B._data.ndim == 2 and A._data.ndim > 2:
            gb = _mm(mH(A.reshape(-1, K)), G.reshape(-1, N))
        else:
            gb = sum_to(_mm(mH(A), G), B._data.shape)
        if nb == 1:
            gb = gb.reshape(b._data.shape)
    return ga, gb


class Matmul(Op):
    """a @ b for operands of one dtype; subclasses only rename the node after torch's kernel."""
    _bname = 'UnsafeViewBackward0'

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _matmul_arrays(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return matmul_grads(g, a, b, ctx.needs_grad(0), ctx.needs_grad(1))


class Mm(Matmul):
    _bname = 'MmBackward0'


class Bmm(Matmul):
    _bname = 'BmmBackward0'


class Mv(Matmul):
    _bname = 'MvBackward0'


class Dot(Matmul):
    _bname = 'DotBackward0'


class Vdot(Matmul):
    _bname = 'VdotBackward0'


class _VecMat(Matmul):
    _bname = 'SqueezeBackward4'


class _MatBatch(Matmul):
    _bname = 'CloneBackward0'


# The node torch's matmul ends with, by (operand dims capped at 3).
_MATMUL_NODE = {(1, 1): Dot, (2, 1): Mv, (1, 2): _VecMat, (2, 2): Mm, (2, 3): _MatBatch}


def _mm(a, b):
    """Unchecked matmul (for backward formulas and already-validated operands)."""
    key = (min(a._data.ndim, 3), min(b._data.ndim, 3))
    return _product(_MATMUL_NODE.get(key, Matmul), a, b)


def matmul(input, other, *, out=None):
    """Matrix product with torch's rules: 1-D operands are vectors, leading dims are batch dims
    and broadcast."""
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    ad, bd = input._data, other._data
    if ad.dtype != bd.dtype or not ad.ndim or not bd.ndim:
        raise _matmul_error(input, other)
    if ad.dtype == np.bool_:
        _check_bool(input, 'dot' if ad.ndim == bd.ndim == 1 else 'addmm_impl_cpu_')
    try:
        r = _mm(input, other)
    except ValueError:
        raise _matmul_error(input, other) from None
    return r if out is None else _result(r, out, 'matmul')


def _rmatmul(self, other):
    return matmul(as_tensor(other), self)


def _checked(name, err, node, a, b, out):
    if err is not None:
        raise err
    return _result(_product(node, a, b), out, name)


def mm(input, mat2, *, out=None):
    """Product of two matrices."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_bool(input, 'addmm_impl_cpu_')
    return _checked('mm', _mm_error(input._data.shape, mat2._data.shape, input._data.dtype, mat2._data.dtype),
                    Mm, input, mat2, out)


def bmm(input, mat2, *, out=None):
    """Batched product of (b, n, m) and (b, m, p) tensors."""
    _check_bool(input, 'bmm')
    a, b = input._data, mat2._data
    return _checked('bmm', _bmm_error(a.shape, b.shape, a.dtype, b.dtype), Bmm, input, mat2, out)


def mv(input, vec, *, out=None):
    """Matrix times vector."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, "
                           f"{vec._data.ndim}")
    _check_bool(input, 'addmv_impl_cpu')
    return _checked('mv', _mv_error(input._data.shape, vec._data.shape, input._data.dtype, vec._data.dtype),
                    Mv, input, vec, out)


def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors."""
    _check_bool(input, 'dot')
    return _checked('dot', _dot_error(input._data.shape, tensor._data.shape, input._data.dtype,
                               tensor._data.dtype), Dot, input, tensor, out)


def vdot(input, other, *, out=None):
    """Dot product with the first argument conjugated (same as dot for real tensors)."""
    _check_bool(input, 'vdot')
    if input._data.dtype.kind == 'c':
        input = input.conj()
    return _checked('vdot', _dot_error(input._data.shape, other._data.shape, input._data.dtype,
                               other._data.dtype), Vdot, input, other, out)


def inner(input, other, *, out=None):
    """Sum over the last dims: shape input.shape[:-1] + other.shape[:-1] (a product for 0-D)."""
    if not input._data.ndim or not other._data.ndim:
        r = input * other
        return _result(r, out, 'inner')
    sa, sb = input._data.shape, other._data.shape
    if sa[-1] != sb[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(sa)} and {list(sb)}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    k = sa[-1]
    r = _mm(input.reshape(-1, k), mT(other.reshape(-1, k))).reshape(sa[:-1] + sb[:-1])
    return _result(r, out, 'inner')


def outer(input, vec2, *, out=None):
    """Outer product of two 1-D tensors (types promoted)."""
    for name, v in (('self', input), ('vec2', vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    r = input.reshape(-1, 1) * vec2
    return _result(r, out, 'outer')


ger = outer


def chain_matmul(*matrices, out=None):
    """Deprecated alias of linalg.multi_dot taking the matrices as arguments."""
    from ..linalg import multi_dot
    return multi_dot(matrices, out=out)


# -- beta * input + alpha * product --------------------------------------------------------------
def _expand_error(size, target):
    off = len(target) - len(size)
    for i, s in enumerate(size):
        if s != 1 and s != target[i + off]:
            return RuntimeError(f"The expanded size of the tensor ({target[i + off]}) must match the "
                                f"existing size ({s}) at non-singleton dimension {i + off}.  Target sizes: "
                                f"{list(target)}.  Tensor sizes: {list(size)}")
    return RuntimeError(f"expand: the requested shape {list(target)} has fewer dims than {list(size)}")


class Addmm(Op):
    """beta * input + alpha * (x @ y); subclasses change how x and y multiply."""

    @staticmethod
    def product(x, y):
        return _matmul_arrays(x, y)

    @staticmethod
    def product_grads(g, x, y, need_x, need_y):
        return matmul_grads(g, x, y, need_x, need_y)

    @staticmethod
    def forward(ctx, input, x, y, beta, alpha):
        ctx.save_for_backward(x, y)
        ctx.in_shape, ctx.beta, ctx.alpha = input._data.shape, beta, alpha
        p = type(ctx).product(x._data, y._data)
        dt = p.dtype
        if input._data.shape != p.shape:
            try:
                fits = np.broadcast_shapes(input._data.shape, p.shape) == p.shape
            except ValueError:
                fits = False
            if not fits:
                raise _expand_error(input._data.shape, p.shape)
        if alpha != 1:
            p = p * alpha
        if beta != 0:
            p = p + (input._data if beta == 1 else input._data * beta)
        return p if p.dtype == dt else p.astype(dt)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        gi = None
        if ctx.needs_grad(0):
            gi = sum_to(g if beta == 1 else g * beta, ctx.in_shape)
        gp = g if alpha == 1 else g * alpha
        gx, gy = type(ctx).product_grads(gp, x, y, ctx.needs_grad(1), ctx.needs_grad(2))
        return gi, gx, gy, None, None


class Addmv(Addmm):
    pass


class Baddbmm(Addmm):
    pass


class Addbmm(Addmm):
    """beta * input + alpha * sum_b(batch1[b] @ batch2[b])."""

    @staticmethod
    def product(x, y):
        return np.matmul(x, y).sum(0)

    @staticmethod
    def product_grads(g, x, y, need_x, need_y):
        return matmul_grads(expand_to(g, (x._data.shape[0],) + g._data.shape), x, y, need_x, need_y)


class Addr(Addmm):
    """beta * input + alpha * outer(vec1, vec2)."""

    @staticmethod
    def product(x, y):
        return np.multiply.outer(x, y)

    @staticmethod
    def product_grads(g, x, y, need_x, need_y):
        return (_mm(g, conj(y)) if need_x else None), (_mm(mT(g), conj(x)) if need_y else None)


def _fused(node, input, x, y, beta, alpha, out):
    if not isinstance(input, Tensor):
        input = as_tensor(input, _dtype.from_numpy_dtype(x._data.dtype))
    return _result(node.apply(input, x, y, beta, alpha), out, node.__name__.lower())


def _same_dtype_as_input(input, other, other_name):
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"self and {other_name} must have the same dtype, but got "
                           f"{_sname(input._data.dtype)} and {_sname(other._data.dtype)}")


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape."""
    for name, m in (('mat1', mat1), ('mat2', mat2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    sa, sb = mat1._data.shape, mat2._data.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_x(sa)} and {_x(sb)})")
    _same_dtype_as_input(input, mat2, 'mat2')
    if mat1._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_sname(mat1._data.dtype)} "
                           f"and {_sname(mat2._data.dtype)}")
    _check_bool(mat1, 'addmm_impl_cpu_')
    return _fused(Addmm, input, mat1, mat2, beta, alpha, out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    if mat._data.ndim != 2 or vec._data.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, {mat._data.ndim}, "
                           f"{vec._data.ndim}")
    sm, sv, si = mat._data.shape, vec._data.shape, input._data.shape
    if sm[1] != sv[0] or (si and si[0] not in (1, sm[0])):
        raise RuntimeError(f"size mismatch, got input ({si[0] if si else 1}), mat ({_x(sm)}), vec "
                           f"({sv[0]})")
    dts = (input._data.dtype, mat._data.dtype, vec._data.dtype)
    if len(set(dts)) > 1:
        raise RuntimeError("addmv input tensors must have the same dtype, but got "
                           f"{_sname(dts[0])}, {_sname(dts[1])}, and {_sname(dts[2])}")
    return _fused(Addmv, input, mat, vec, beta, alpha, out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2)."""
    err = _bmm_error(batch1._data.shape, batch2._data.shape, batch1._data.dtype, batch1._data.dtype)
    if err is not None:
        raise err
    dts = (input._data.dtype, batch1._data.dtype, batch2._data.dtype)
    if len(set(dts)) > 1:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_CTYPE[dts[0].name]}, batch1: "
                           f"{_CTYPE[dts[1].name]}, batch2: {_CTYPE[dts[2].name]}")
    return _fused(Baddbmm, input, batch1, batch2, beta, alpha, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum over the batch of batch1[i] @ batch2[i]."""
    for name, b in (('batch1', batch1), ('batch2', batch2)):
        if b._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    s1, s2 = batch1._data.shape, batch2._data.shape
    if s1[0] != s2[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {s1[0]} and {s2[0]}")
    if s1[2] != s2[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({_x(s1[1:])} and {_x(s2[1:])})")
    err = _bmm_error(s1, s2, batch1._data.dtype, batch2._data.dtype)
    if err is not None:
        raise err
    _same_dtype_as_input(input, batch2, 'batch2')
    return _fused(Addbmm, input, batch1, batch2, beta, alpha, out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2) (types promoted)."""
    for name, v in (('vec1', vec1), ('vec2', vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    dt = _dtype.result_type(input, vec1, vec2)
    input, vec1, vec2 = (t.to(dt) for t in (input, vec1, vec2))
    return _fused(Addr, input, vec1, vec2, beta, alpha, out)


# -- einsum ----------------------------------------------------------------------------------------
_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'


def _parse_einsum(equation, shapes):
    """Validate an einsum equation against the operand shapes (with torch's messages) and rewrite it
    without ellipses: returns (list of operand subscripts, output subscripts, {label: size})."""
    eq = equation.replace(' ', '')
    lhs, arrow, rhs = eq.partition('->')
    terms = lhs.split(',')
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for pos, ch in enumerate(equation):
        if ch not in _LETTERS and ch not in '.,-> ':
            raise RuntimeError(f"einsum(): invalid subscript given at index {pos} in the equation string, "
                               f"subscripts must be in [a-zA-Z]")
    used = set(c for c in eq if c in _LETTERS)
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        labels = term.replace('...', '')
        if '.' in labels:
            raise RuntimeError(f"einsum(): found '.' for operand {k} that is not part of any ellipsis")
        if '...' in term:
            if len(labels) > len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(labels)}) is "
                                   f"more than the number of dimensions ({len(shape)}) for operand {k}")
            n_ell = max(n_ell, len(shape) - len(labels))
        elif len(labels) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(labels)}) does not "
                               f"match the number of dimensions ({len(shape)}) for operand {k} and no "
                               f"ellipsis was given")
    ell = ''.join(spare[:n_ell])
    subs = []
    for term, shape in zip(terms, shapes):
        if '...' in term:
            head, _, tail = term.partition('...')
            k = len(shape) - len(head) - len(tail)
            term = head + ell[n_ell - k:] + tail
        subs.append(term)
    sizes = {}
    for k, (term, shape) in enumerate(zip(subs, shapes)):
        own = {}
        for c, s in zip(term, shape):
            if c in own and own[c] != s:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                                   f"match, {s} != {own[c]}")
            own[c] = s
            prev = sizes.get(c, 1)
            if s != 1 and prev != 1 and s != prev:
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {k} which does not "
                                   f"broadcast with previously seen size {prev}")
            sizes[c] = max(prev, s) if s != 1 else prev
    if arrow:
        out = rhs.replace('...', ell)
        if '.' in out:
            raise RuntimeError("einsum(): found '.' for output but it is not part of any ellipsis")
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any "
                                   f"input operand")
    else:
        counts = {}
        for t in subs:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + ''.join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return subs, out, sizes


class Einsum(Op):
    """np.einsum on explicit subscripts without ellipses; each operand's gradient is an einsum of the
    output gradient with the other operands (identity matrices restore repeated labels, ones
    the labels only that operand had)."""

    @staticmethod
    def forward(ctx, subs, out, sizes, *xs):
        ctx.subs, ctx.out, ctx.sizes = subs, out, sizes
        ctx.save_for_backward(*xs)
        arrays = [x._data for x in xs]
        big = len(xs) > 2 or sum(a.size for a in arrays) > 4096
        r = np.einsum(','.join(subs) + '->' + out, *arrays, optimize=big)
        if len(arrays) == 1 and np.may_share_memory(r, arrays[0]):   # a transpose/diagonal view
            r = r.copy()
        return r

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        grads = [None, None, None]
        for i, x in enumerate(xs):
            grads.append(_einsum_operand_grad(ctx, g, xs, i) if ctx.needs_grad(i + 3) else None)
        return tuple(grads)


def _einsum_operand_grad(ctx, g, xs, i):
    subs, sizes = ctx.subs, ctx.sizes
    target = subs[i]
    shape = xs[i]._data.shape
    # dims of size 1 that broadcast against a larger size: drop them, reshape back at the end
    kept = ''.join(c for c, s in zip(target, shape) if not (s == 1 and sizes[c] != 1))
    terms = [ctx.out] + [s for k, s in enumerate(subs) if k != i]
    operands = [g] + [conj(x) for k, x in enumerate(xs) if k != i]
    present = set(''.join(terms))
    spare = iter(c for c in _LETTERS if c not in present and c not in target)
    dt = xs[i]._data.dtype
    result, seen = '', set()
    for c in kept:
        if c in seen:   # repeated label: a fresh label tied to c by an identity matrix
            fresh = next(spare)
            terms.append(c + fresh)
            operands.append(Tensor._wrap(np.eye(sizes[c], dtype=dt)))
            result += fresh
            continue
        seen.add(c)
        if c not in present:   # summed only over this operand: broadcast with ones
            terms.append(c)
            operands.append(Tensor._wrap(np.ones(sizes[c], dtype=dt)))
            present.add(c)
        result += c
    grad = Einsum.apply(terms, result, sizes, *operands)
    kept_shape = tuple(s for c, s in zip(target, shape) if not (s == 1 and sizes[c] != 1))
    if grad._data.shape != kept_shape:   # a label whose other operands were all size 1
        grad = expand_to(grad, kept_shape)
    if len(kept) != len(target):
        grad = grad.reshape(shape)
    return grad


def _label_sizes(subs, shapes):
    sizes = {}
    for term, shape in zip(subs, shapes):
        for c, s in zip(term, shape):
            if s != 1 or c not in sizes:
                sizes[c] = s
    return sizes


def _sublist_equation(args):
    """einsum(op1, sublist1, op2, sublist2, ..., [sublist_out]) as an equation string."""
    def letters(sub):
        return ''.join('...' if s is Ellipsis else _LETTERS[s] for s in sub)
    n = len(args) // 2
    ops = list(args[0:2 * n:2])
    eq = ','.join(letters(s) for s in args[1:2 * n:2])
    if len(args) % 2:
        eq += '->' + letters(args[-1])
    return eq, ops


def einsum(*args):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)``, with ellipsis and implicit output."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or at least "
                        "one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    first = operands[0]._data.dtype if operands else None
    for o in operands:
        if o._data.dtype != first:
            raise RuntimeError(f"expected scalar type {_sname(first)} but found {_sname(o._data.dtype)}")
    subs, out, sizes = _parse_einsum(equation, [o._data.shape for o in operands])
    return Einsum.apply(subs, out, sizes, *operands)


def tensordot(a, b, dims=2, out=None):
    """Contract dims of a with dims of b: ``dims`` is a count (last of a with first of b) or a pair
    of dim lists."""
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > na or dims > nb:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    da = [wrap_dim(d, na) for d in da]
    db = [wrap_dim(d, nb) for d in db]
    sa, sb = a._data.shape, b._data.shape
    for x, y in zip(da, db):
        if sa[x] != sb[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa[x]} in dim {x} "
                               f"and second has size {sb[y]} in dim {y}")
    la = _LETTERS[:na]
    lb = list(_LETTERS[na:na + nb])
    for x, y in zip(da, db):
        lb[y] = la[x]
    lb = ''.join(lb)
    res = ''.join(c for k, c in enumerate(la) if k not in da) + ''.join(c for k, c in enumerate(lb)
                                                                       if k not in db)
    r = Einsum.apply([la, lb], res, _label_sizes([la, lb], [sa, sb]), a, b)
    return _result(r, out, 'tensordot')


def kron(input, other, *, out=None):
    """Kronecker product (the shorter shape is padded with leading ones)."""
    n = max(input._data.ndim, other._data.ndim)
    a = input.reshape((1,) * (n - input._data.ndim) + input._data.shape)
    b = other.reshape((1,) * (n - other._data.ndim) + other._data.shape)
    la, lb = _LETTERS[:n], _LETTERS[n:2 * n]
    res = ''.join(x + y for x, y in zip(la, lb))
    shape = tuple(p * q for p, q in zip(a._data.shape, b._data.shape))
    r = Einsum.apply([la, lb], res, _label_sizes([la, lb], [a._data.shape, b._data.shape]), a, b)
    r = r.reshape(shape)
    return _result(r, out, 'kron')


def _inplace_fused(fn):
    return lambda self, a, b, *, beta=1, alpha=1: inplace(self, fn, a, b, beta=beta, alpha=alpha)


register(matmul=matmul, __matmul__=matmul, __rmatmul__=_rmatmul, mm=mm, bmm=bmm, mv=mv, dot=dot,
         vdot=vdot, inner=inner, outer=outer, ger=ger, addmm=addmm, addmv=addmv, addr=addr, addbmm=addbmm,
         baddbmm=baddbmm, addmm_=_inplace_fused(addmm), addmv_=_inplace_fused(addmv),
         addr_=_inplace_fused(addr), addbmm_=_inplace_fused(addbmm), baddbmm_=_inplace_fused(baddbmm),
         kron=kron)

from .linalg_matrix import *  # noqa: F401,F403,E402
from .linalg_matrix import __all__ as _matrix_all  # noqa: E402
from .linalg_decomp import *  # noqa: F401,F403,E402
from .linalg_decomp import __all__ as _decomp_all  # noqa: E402

__all__ = __all__ + _matrix_all + _decomp_all
