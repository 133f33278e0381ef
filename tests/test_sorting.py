"""Sorting and searching against torch: sort, argsort, msort, topk, kthvalue, unique,
unique_consecutive, searchsorted, bucketize, bincount, histc."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlet
from conftest import check_op, numeric_gradcheck, torch, rng, assert_same, pair

FLOATS = [np.float32, np.float64]


def randn(shape, dt=np.float64, seed=0):
    return rng(seed).standard_normal(shape).astype(dt)


def both(name):
    return getattr(torchlet, name), getattr(torch, name)


def check_noncontig(fn, arr):
    """fn on a non-contiguous torchlet view equals fn on a torch copy (values and gradient)."""
    x = torchlet.from_numpy(arr).requires_grad_()
    assert not x.is_contiguous()
    y = torch.tensor(np.ascontiguousarray(arr), requires_grad=True)
    out_tl, out_th = fn(x), fn(y)
    assert_same(tuple(out_tl), tuple(out_th))
    w = randn(tuple(out_th[0].shape), arr.dtype, 5)
    (out_tl[0] * torchlet.tensor(w)).sum().backward()
    (out_th[0] * torch.tensor(w)).sum().backward()
    assert_same(x.grad, y.grad)


# -- sort / argsort / msort --------------------------------------------------------------------------
@pytest.mark.parametrize('dim', [0, 1, -1, -3])
@pytest.mark.parametrize('descending', [False, True])
@pytest.mark.parametrize('dt', FLOATS)
def test_sort(dim, descending, dt):
    a = randn((2, 3, 4), dt)
    tl, _ = check_op(*both('sort'), a, dim=dim, descending=descending)
    assert type(tl).__name__ == 'sort' and tl.indices.dtype == torchlet.int64
    check_op(*both('argsort'), a, dim=dim, descending=descending)


@pytest.mark.parametrize('descending', [False, True])
def test_sort_ties_are_stable_and_nan_is_largest(descending):
    a = np.array([[3., 5., 1., 5., 1., np.nan, 3.], [2., 2., 2., np.nan, 0., np.nan, 2.]])
    check_op(*both('sort'), a, dim=1, descending=descending)
    check_op(*both('sort'), a, dim=1, descending=descending, stable=True)
    check_op(*both('argsort'), a, dim=1, descending=descending, stable=True)
    for dt in ['int64', 'int32', 'uint8', 'bool']:
        b = np.array([[3, 1, 0, 1, 3, 2], [1, 1, 0, 0, 1, 1]]).astype(dt)
        check_op(*both('sort'), b, descending=descending, grad=False)
        check_op(*both('argsort'), b, dim=0, descending=descending, grad=False)


@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), data=st.data())
def test_random_shapes(shape, data):
    ndim = len(shape)
    dim = data.draw(st.integers(-ndim, ndim - 1))
    k = data.draw(st.integers(1, shape[dim]))
    flag = data.draw(st.booleans())
    a = randn(tuple(shape), seed=k)
    check_op(*both('sort'), a, dim=dim, descending=flag)
    check_op(*both('topk'), a, k, dim=dim, largest=flag)
    check_op(*both('kthvalue'), a, k, dim=dim, keepdim=flag)
    ties = np.round(a).astype(np.float32)   # many ties: indices must still match (stable sort)
    check_op(*both('sort'), ties, dim=dim, descending=flag, grad=False)
    check_op(*both('argsort'), ties, dim=dim, descending=flag, stable=True)


def test_grad_fn_names():
    for lib in (torchlet, torch):
        x = lib.tensor(randn((3, 4)), requires_grad=True)
        assert x.sort(0).values.grad_fn.name() == 'SortBackward0'
        assert x.topk(2).values.grad_fn.name() == 'TopkBackward0'
        assert x.kthvalue(2).values.grad_fn.name() == 'KthvalueBackward0'


def test_sort_forms():
    a = randn((3, 4))
    check_op(lambda x: x.sort(), lambda x: x.sort(), a)
    check_op(lambda x: x.sort(0, True), lambda x: x.sort(0, True), a)
    check_op(lambda x: x.sort(stable=True, dim=0), lambda x: x.sort(stable=True, dim=0), a)
    check_op(*both('msort'), a)
    check_op(lambda x: x.msort(), lambda x: x.msort(), a)
    check_op(*both('sort'), np.array(2.5))
    check_op(*both('argsort'), np.array(2.5))
    check_noncontig(lambda x: x.sort(1, descending=True), randn((4, 3)).T)
    x, y = pair(a)
    v, i = torchlet.empty(0, dtype=torchlet.float64), torchlet.empty(0, dtype=torchlet.int64)
    r = torchlet.sort(x, 0, out=(v, i))
    assert r.values is v and type(r).__name__ == 'sort_out'
    assert_same(tuple(r), tuple(torch.sort(y, 0)))


def test_sort_dim_out_of_range():
    for lib in (torchlet, torch):
        for f in (lambda x: x.sort(2), lambda x: x.argsort(-3), lambda x: x.topk(1, 2),
                  lambda x: x.kthvalue(1, 2)):
            with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                               r"\[-2, 1\], but got"):
                f(lib.ones(2, 3))


# -- topk / kthvalue ---------------------------------------------------------------------------------
@pytest.mark.parametrize('k', [0, 1, 3, 5])
@pytest.mark.parametrize('dim', [0, 1, -1])
@pytest.mark.parametrize('largest', [True, False])
@pytest.mark.parametrize('dt', FLOATS)
def test_topk(k, dim, largest, dt):
    a = randn((5, 6), dt)
    tl, _ = check_op(*both('topk'), a, k, dim=dim, largest=largest)
    assert type(tl).__name__ == 'topk' and tl.indices.dtype == torchlet.int64
    check_op(lambda x: x.topk(k, dim, largest, True), lambda x: x.topk(k, dim, largest, True), a)


def test_topk_special_cases():
    a = np.array([3., np.nan, 1., 5., 1., 7.])
    check_op(*both('topk'), a, 2)
    check_op(*both('topk'), a, 2, largest=False)
    check_op(*both('topk'), np.array([3, 1, 4, 1, 5, 9, 2, 6]), 3, grad=False)
    check_op(*both('topk'), np.array(2.), 1)
    x, y = pair(randn((4, 5)))
    r_tl, r_th = x.topk(3, sorted=False), y.topk(3, sorted=False)   # order unspecified: compare sets
    assert_same(r_tl.values.sort(-1).values, r_th.values.sort(-1).values)
    check_noncontig(lambda x: x.topk(2, 0), randn((4, 3)).T)


def test_topk_k_out_of_range():
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match="selected index k out of range"):
            lib.ones(2, 3).topk(4)
        with pytest.raises(RuntimeError, match="selected index k out of range"):
            lib.ones(2, 3).topk(3, dim=0)


@pytest.mark.parametrize('k', [1, 2, 4])
@pytest.mark.parametrize('dim', [0, 1, -1])
@pytest.mark.parametrize('keepdim', [False, True])
def test_kthvalue(k, dim, keepdim):
    a = randn((4, 5))
    tl, _ = check_op(*both('kthvalue'), a, k, dim=dim, keepdim=keepdim)
    assert type(tl).__name__ == 'kthvalue'
    check_op(lambda x: x.kthvalue(k, dim, keepdim), lambda x: x.kthvalue(k, dim, keepdim),
             a.astype(np.float32))


def test_kthvalue_errors_and_scalars():
    check_op(*both('kthvalue'), np.array(3.), 1)
    check_op(*both('kthvalue'), np.array([[5, 1, 4], [2, 8, 3]]), 2, grad=False)
    for lib in (torchlet, torch):
        for k in (0, 4):
            with pytest.raises(RuntimeError, match=r"kthvalue\(\): selected number k out of range for "
                               r"dimension 1"):
                lib.ones(2, 3).kthvalue(k)


def test_sorting_gradchecks():
    a = randn((3, 4), seed=4)
    numeric_gradcheck(lambda x: x.sort(1, descending=True).values, a)
    numeric_gradcheck(lambda x: x.sort(0)[0], a)
    numeric_gradcheck(lambda x: x.msort(), a)
    numeric_gradcheck(lambda x: x.topk(2, 1).values, a)
    numeric_gradcheck(lambda x: x.topk(2, 0, largest=False).values, a)
    numeric_gradcheck(lambda x: x.kthvalue(2, 1).values, a)
    numeric_gradcheck(lambda x: x.kthvalue(3, 0, keepdim=True)[0], a)


def test_sort_second_order():
    a = randn((3, 4))
    grads = []
    for lib in (torchlet, torch):
        x = lib.tensor(a.copy(), requires_grad=True)
        y = x.sort(1).values
        g, = lib.autograd.grad((y * y * lib.tensor(a)).sum(), x, create_graph=True)
        gg, = lib.autograd.grad(g.sum(), x)
        grads.append((g, gg))
    assert_same(grads[0][0], grads[1][0])
    assert_same(grads[0][1], grads[1][1])


# -- unique ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('return_inverse', [False, True])
@pytest.mark.parametrize('return_counts', [False, True])
@pytest.mark.parametrize('dim', [None, 0, 1])
def test_unique(return_inverse, return_counts, dim):
    a = np.array([[3, 1, 3], [1, 1, 2], [3, 1, 3], [0, 5, 2]])
    kw = dict(return_inverse=return_inverse, return_counts=return_counts, dim=dim)
    check_op(*both('unique'), a, grad=False, **kw)
    check_op(lambda x: x.unique(**kw), lambda x: x.unique(**kw), a.astype(np.float32), grad=False)
    check_op(*both('unique_consecutive'), a, grad=False, **kw)
    if dim != 1:
        check_op(lambda x: x.unique_consecutive(**kw), lambda x: x.unique_consecutive(**kw),
                 np.array([1, 1, 2, 2, 3, 1, 1]), grad=False)


def test_unique_special_values():
    check_op(*both('unique'), np.array([True, False, True]), grad=False)
    check_op(*both('unique'), np.array([1., np.nan, np.nan, 1.]), return_counts=True, grad=False)
    check_op(*both('unique'), np.array([3, 1, 2, 1]), sorted=False, grad=False)
    check_op(*both('unique_consecutive'), np.array([[1, 1], [1, 1], [2, 3]]), dim=0,
             return_inverse=True, return_counts=True, grad=False)


# -- searchsorted / bucketize --------------------------------------------------------------------------
@pytest.mark.parametrize('right', [False, True])
@pytest.mark.parametrize('out_int32', [False, True])
def test_searchsorted(right, out_int32):
    seq = np.array([1., 3., 3., 5., 7.])
    vals = np.array([[3., 6.], [9., 0.], [1., 7.]])
    kw = dict(right=right, out_int32=out_int32)
    check_op(*both('searchsorted'), seq, vals, grad=False, **kw)
    check_op(*both('searchsorted'), seq, 3., grad=False, **kw)
    seq2 = np.array([[1, 3, 5, 7], [2, 4, 6, 8]])
    check_op(*both('searchsorted'), seq2, np.array([[3, 6, 1], [9, 0, 4]]), grad=False, **kw)
    check_op(*both('bucketize'), vals, seq, grad=False, **kw)
    check_op(*both('bucketize'), 3., seq, grad=False, **kw)


def test_searchsorted_side_sorter_and_errors():
    seq = np.array([7, 3, 5, 1])
    check_op(lambda s, v: torchlet.searchsorted(s, v, side='right', sorter=torchlet.tensor([3, 1, 2, 0])),
             lambda s, v: torch.searchsorted(s, v, side='right', sorter=torch.tensor([3, 1, 2, 0])),
             seq, np.array([3, 4, 8]), grad=False)
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
            lib.searchsorted(lib.tensor([1, 2]), lib.tensor([1]), right=True, side='left')
        with pytest.raises(RuntimeError, match="boundaries tensor should be 1 dimension or the first "
                           r"N-1 dimensions .* boundaries tensor \[2, 4\] and input value tensor \[1, 3\]"):
            lib.searchsorted(lib.ones(2, 4), lib.ones(1, 3))
        with pytest.raises(RuntimeError, match=r"boundaries tensor must be 1 dimension, but got dim\(2\)"):
            lib.bucketize(lib.tensor([3]), lib.ones(1, 4))


# -- bincount / histc ----------------------------------------------------------------------------------
def test_bincount():
    a = np.array([1, 1, 3, 0, 7])
    check_op(*both('bincount'), a, grad=False)
    check_op(*both('bincount'), a, minlength=10, grad=False)
    for wdt in ['float32', 'float64', 'int64']:
        w = np.array([1, 2, 3, 4, 5]).astype(wdt)
        check_op(*both('bincount'), a, w, grad=False)
    check_op(lambda x: x.bincount(), lambda x: x.bincount(), np.array([], np.int64), grad=False)
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative integral inputs"):
            lib.bincount(lib.tensor([-1, 2]))
        with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative integral inputs"):
            lib.bincount(lib.tensor([[1]]))
        with pytest.raises(NotImplementedError, match="\"bincount_cpu\" not implemented for 'Float'"):
            lib.bincount(lib.tensor([1.]))
        with pytest.raises(RuntimeError, match="minlength should be >= 0"):
            lib.bincount(lib.tensor([1]), minlength=-1)


@pytest.mark.parametrize('dt', FLOATS)
def test_histc(dt):
    a = randn(200, dt)
    check_op(*both('histc'), a, grad=False)
    check_op(*both('histc'), a, bins=7, min=-1, max=1, grad=False)
    check_op(*both('histc'), np.array([1., 2., 1.], dt), bins=4, min=0, max=3, grad=False)
    check_op(*both('histc'), np.array([1., 1., 1.], dt), bins=3, grad=False)
    check_op(lambda x: x.histc(5, 0, 1), lambda x: x.histc(5, 0, 1), np.linspace(0, 1, 11).astype(dt),
             grad=False)
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match="torch.histc: max must be larger than min"):
            lib.histc(lib.tensor([1., 2.]), bins=3, min=5, max=1)
        with pytest.raises(NotImplementedError, match="\"histogram_cpu\" not implemented for 'Long'"):
            lib.histc(lib.tensor([1, 2]))
