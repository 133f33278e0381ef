"""Indexing against torch: __getitem__/__setitem__ (basic, advanced, masks), the index ops, their
gradients, memory sharing and error messages."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlet
from conftest import check_op, numeric_gradcheck, torch, rng, assert_same


def both(f):
    return (lambda *a, **k: f(torchlet, *a, **k)), (lambda *a, **k: f(torch, *a, **k))


def same_error(f, *arrays):
    """f(T, *tensors) raises the same exception type with the same message in both libraries."""
    with pytest.raises(Exception) as th:
        f(torch, *[torch.tensor(a) for a in arrays])
    with pytest.raises(type(th.value)) as tl:
        f(torchlet, *[torchlet.tensor(a) for a in arrays])
    assert str(tl.value) == str(th.value)


MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])

# index expressions on a (3, 4, 5) tensor; T is the library (for tensor indices)
GETITEM = {
    'int': lambda T, x: x[1],
    'neg_int': lambda T, x: x[-1],
    'ints': lambda T, x: x[1, -2, 3],
    'slice': lambda T, x: x[1:],
    'slice_step': lambda T, x: x[::2, 1::3],
    'slice_oob': lambda T, x: x[-10:10, 5:],
    'ellipsis': lambda T, x: x[..., 2],
    'ellipsis_mid': lambda T, x: x[0, ..., 1:3],
    'none': lambda T, x: x[None, 1, None],
    'none_end': lambda T, x: x[..., None],
    'empty_tuple': lambda T, x: x[()],
    'full': lambda T, x: x[:],
    'tensor0d': lambda T, x: x[T.tensor(2)],
    'tensor0d_slice': lambda T, x: x[1:T.tensor(3)],
    'long_list': lambda T, x: x[[0, 2]],
    'long_tensor': lambda T, x: x[T.tensor([2, 0, 2])],
    'int32_tensor': lambda T, x: x[:, T.tensor([3, 1], dtype=T.int32)],
    'ndarray': lambda T, x: x[np.array([1, -1])],
    'neg_adv': lambda T, x: x[T.tensor([-1, -3])],
    'two_adv': lambda T, x: x[T.tensor([0, 2]), T.tensor([1, 3])],
    'adv_broadcast': lambda T, x: x[T.tensor([[0], [2]]), :, T.tensor([1, 4, 4])],
    'adv_split': lambda T, x: x[T.tensor([0, 1]), :, T.tensor([2, 3])],
    'adv_slice_adv': lambda T, x: x[1:, T.tensor([0, 0, 3])],
    'adv_int': lambda T, x: x[T.tensor([0, 2]), 1],
    'adv_ellipsis': lambda T, x: x[..., T.tensor([4, 0])],
    'adv_none': lambda T, x: x[None, T.tensor([1, 1])],
    'adv_2d': lambda T, x: x[T.tensor([[0, 1], [2, 2]])],
    'mask': lambda T, x: x[T.tensor(MASK)],
    'mask_1d': lambda T, x: x[T.tensor([True, False, True])],
    'mask_list': lambda T, x: x[[True, False, True]],
    'mask_dim1': lambda T, x: x[:, T.tensor([False, True, True, False])],
    'mask_and_int': lambda T, x: x[T.tensor(MASK), 2],
    'mask_and_adv': lambda T, x: x[T.tensor([True, False, True]), T.tensor([0, 3])],
    'mask_scalar_true': lambda T, x: x[True],
    'mask_scalar_false': lambda T, x: x[False],
    'empty_list': lambda T, x: x[[]],
    'range': lambda T, x: x[:, range(1, 4, 2)],
    'numpy_int': lambda T, x: x[np.int64(2), np.int32(-1)],
    'seq_as_tuple': lambda T, x: x[[0, slice(None), 1]],
}


@pytest.mark.parametrize('name', sorted(GETITEM))
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_getitem_matches_torch(name, dt):
    x = rng().standard_normal((3, 4, 5)).astype(dt)
    with pytest.warns() if name == 'seq_as_tuple' else _nothing():
        check_op(*both(lambda T, x: GETITEM[name](T, x)), x)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


@pytest.mark.parametrize('name', ['slice_step', 'none', 'tensor0d', 'long_tensor', 'adv_broadcast',
                                  'adv_split', 'mask', 'mask_and_adv', 'adv_2d'])
def test_getitem_gradcheck(name):
    numeric_gradcheck(lambda x: GETITEM[name](torchlet, x), rng(1).standard_normal((3, 4, 5)))


def test_getitem_noncontiguous_and_dtypes():
    for dt in (np.int64, np.bool_, np.float16, np.int32):
        x = (rng().standard_normal((4, 6)) * 3).astype(dt)
        for f in (lambda T, x: x.t()[1:, ::2], lambda T, x: x[::2][:, T.tensor([0, 0, 5])],
                  lambda T, x: x.t()[T.tensor([[True] * 4] * 6)]):
            check_op(*both(f), x, grad=False)


def test_advanced_index_gradient_accumulates_duplicates():
    x = rng().standard_normal((4, 3))
    check_op(*both(lambda T, x: x[T.tensor([1, 1, 3, 1])] * 2), x)
    check_op(*both(lambda T, x: x[[0, 0], [2, 2]]), x)
    numeric_gradcheck(lambda x: x[torchlet.tensor([2, 2, 0])], x)


# -- hypothesis: basic index expressions ------------------------------------------------------
@st.composite
def basic_index(draw, shape):
    """A random tuple of ints, slices (positive steps), None and at most one Ellipsis for shape."""
    n_dims = draw(st.integers(0, len(shape)))
    ellipsis_at = draw(st.one_of(st.none(), st.integers(0, n_dims)))
    if ellipsis_at is None:
        sizes = shape[:n_dims]
    else:   # components after the Ellipsis index the trailing dims
        sizes = shape[:ellipsis_at] + shape[len(shape) - (n_dims - ellipsis_at):]
    parts = []
    for size in sizes:
        if size and draw(st.booleans()):
            parts.append(draw(st.integers(-size, size - 1)))
        else:
            bound = st.one_of(st.none(), st.integers(-size - 2, size + 2))
            parts.append(slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3]))))
    if ellipsis_at is not None:
        parts.insert(ellipsis_at, Ellipsis)
    for _ in range(draw(st.integers(0, 2))):
        parts.insert(draw(st.integers(0, len(parts))), None)
    return tuple(parts)


SHAPES = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)


@given(st.data())
def test_hypothesis_basic_getitem(data):
    shape = data.draw(SHAPES)
    idx = data.draw(basic_index(shape))
    x = rng().standard_normal(shape).astype(np.float32)
    check_op(lambda t: t[idx], lambda t: t[idx], x)


@given(st.data())
def test_hypothesis_basic_getitem_is_view(data):
    shape = data.draw(SHAPES.filter(lambda s: np.prod(s) > 0))
    idx = data.draw(basic_index(shape))
    x = torchlet.zeros(shape)
    v = x[idx]
    v.fill_(1)
    t = torch.zeros(shape)
    t[idx].fill_(1)
    assert_same(x, t)
    assert v._version == x._version


@given(st.data())
def test_hypothesis_basic_setitem(data):
    shape = data.draw(SHAPES)
    idx = data.draw(basic_index(shape))
    x = rng().standard_normal(shape)
    target = torch.zeros(shape)[idx].shape
    v = rng(1).standard_normal(target[data.draw(st.integers(0, len(target))):])

    def f(T, x, v):
        y = x * 1
        y[idx] = v
        return y
    check_op(*both(f), x, v)


@st.composite
def advanced_index(draw, shape):
    """A tuple mixing integer arrays (one common shape), slices and ints for shape (no empty dims)."""
    adv_shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    parts = []
    n_dims = draw(st.integers(1, len(shape)))
    for size in shape[:n_dims]:
        kind = draw(st.sampled_from(['adv', 'adv', 'slice', 'int']))
        if kind == 'adv':
            vals = draw(st.lists(st.integers(-size, size - 1), min_size=int(np.prod(adv_shape)),
                                 max_size=int(np.prod(adv_shape))))
            parts.append(np.array(vals).reshape(adv_shape))
        elif kind == 'int':
            parts.append(draw(st.integers(-size, size - 1)))
        else:
            parts.append(slice(draw(st.integers(0, size)), None, draw(st.sampled_from([1, 2]))))
    return tuple(parts)


@given(st.data())
def test_hypothesis_advanced_getitem(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    idx = data.draw(advanced_index(shape))
    x = rng().standard_normal(shape)

    def conv(T):
        return tuple(T.tensor(p) if isinstance(p, np.ndarray) else p for p in idx)
    check_op(lambda t: t[conv(torchlet)], lambda t: t[conv(torch)], x)


@given(st.data())
def test_hypothesis_advanced_setitem(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    idx = data.draw(advanced_index(shape))
    x = rng().standard_normal(shape)

    def f(T, x, v):
        y = x * 1
        y[tuple(T.tensor(p) if isinstance(p, np.ndarray) else p for p in idx)] = v
        return y
    check_op(*both(f), x, np.array(2.5))
    # torch.index_put_ with accumulate sums repeated positions
    adv = tuple(p for p in idx if isinstance(p, np.ndarray))
    if len(adv) == len(idx):
        v = rng(3).standard_normal(np.broadcast_shapes(*(p.shape for p in adv)) + shape[len(adv):])
        check_op(*both(lambda T, x, v: (x * 1).index_put_(tuple(T.tensor(p) for p in adv), v, True)), x, v)


# -- setitem -----------------------------------------------------------------------------------
SETITEM = {
    'slice_row': (lambda T: (slice(None), 2), (3,)),
    'broadcast': (lambda T: (slice(0, 2),), (1, 4)),
    'leading_ones': (lambda T: (0,), (1, 1, 4)),
    'mask': (lambda T: (T.tensor(MASK[:, :4]),), ()),
    'mask_values': (lambda T: (T.tensor(MASK[:, :4]),), (int(MASK.sum()),)),
    'adv_dups': (lambda T: (T.tensor([0, 0, 2]),), (4,)),
    'adv_pair': (lambda T: (T.tensor([0, 2]), T.tensor([1, 3])), (2,)),
    'ellipsis': (lambda T: (Ellipsis, 1), (3,)),
    'none': (lambda T: (None, 1), (1, 4)),
    'tensor0d': (lambda T: (T.tensor(1),), (4,)),
}


@pytest.mark.parametrize('name', sorted(SETITEM))
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_setitem_tensor_value_matches_torch(name, dt):
    index, vshape = SETITEM[name]
    x = rng().standard_normal((3, 4)).astype(dt)
    v = rng(1).standard_normal(vshape).astype(dt)

    def f(T, x, v):
        y = x * 1
        y[index(T)] = v
        return y * 2
    check_op(*both(f), x, v)


@pytest.mark.parametrize('value', [1.5, 7, True])
@pytest.mark.parametrize('dt', [np.float32, np.int64, np.bool_])
def test_setitem_number(value, dt):
    x = (rng().standard_normal((3, 4)) * 3).astype(dt)

    def f(T, x):
        y = x.clone()
        y[1:, T.tensor([0, 2])] = value
        y[0] = value
        y[y == y[0, 0]] = value
        return y
    check_op(*both(f), x, grad=False)


def test_setitem_casts_value_dtype():
    x = np.zeros((2, 3), np.int64)
    v = np.array([1.7, -2.5, 3.2], np.float64)

    def f(T, x, v):
        y = x.clone()
        y[0] = v
        return y
    check_op(*both(f), x, v, grad=False)
    check_op(*both(lambda T, x, v: _set(x.double().clone(), 1, v.float())), x, v)


def _set(y, index, v):
    y[index] = v
    return y


def test_setitem_gradients_and_grad_fn_names():
    def f(T, x, v):
        y = x * 1
        y[0] = v[0]
        y[:, 1] = v
        y[T.tensor([2, 2])] = v[1:2]
        return y
    check_op(*both(f), rng().standard_normal((3, 3)), rng(1).standard_normal(3))
    for idx in (0, (slice(None), 1), [0], Ellipsis):
        y, t = torchlet.ones(2, 2, requires_grad=True) * 1, torch.ones(2, 2, requires_grad=True) * 1
        y[idx] = 0
        t[idx] = 0
        assert y.grad_fn.name() == type(t.grad_fn).__name__
    numeric_gradcheck(lambda x, v: _set(x * 1, (slice(None), torchlet.tensor([0, 2])), v),
                      rng().standard_normal((3, 3)), rng(1).standard_normal((3, 1)))


def test_setitem_seed_copy_slices():
    """seed: y = randn(3); y[0], y[1], y[2] = f(x); y.backward(gradient)."""
    def run(T):
        x0, x1, x2 = (T.tensor(v, requires_grad=True) for v in (1., 2., 3.))
        y = T.zeros(3)
        y[0], y[1], y[2] = x0 * x1 * x2, x0 + x1 + x2, x0 + x1 * x2
        assert type(y.grad_fn).__name__ == 'CopySlices' or y.grad_fn.name() == 'CopySlices'
        y.backward(T.tensor([0.1, 0.2, 0.3]))
        return y, x0.grad, x1.grad, x2.grad
    assert_same(run(torchlet), run(torch))


def test_setitem_on_view_changes_base_and_inplace_view_add():
    def f(T, x):
        y = x * 1
        y[0] += 1            # __getitem__, __iadd__ on the view, __setitem__ back
        y[:, 1] *= 3
        y[1:, 2] -= y[0, :2]
        return y
    check_op(*both(f), rng().standard_normal((3, 3)))


def test_setitem_through_a_view_updates_the_base_history():
    """v = y[...]; v[i] = t writes into y: y's gradient is zeroed there and t gets it (CopySlices)."""
    def f(T, x, t):
        y = x * 1
        v = y[1:, ::2]
        v[0] = t * 3
        w = y.t()[0]
        w[T.tensor([1, 2])] = t[:2]
        return y * y.sum()
    check_op(*both(f), rng().standard_normal((3, 4)), rng(1).standard_normal(2))

    def g(T, x, t):
        y = T.zeros(2, 3, dtype=T.float64)   # not in the graph until the write through the view
        y.unsqueeze(0)[0, 1] = t
        return y
    check_op(*both(g), rng().standard_normal((2, 3)), rng(1).standard_normal(3))


def test_base_attribute_like_torch():
    x = torchlet.zeros(2, 3)
    assert x._base is None and x[0]._base is x and x.t()[1]._base is x and x.split(1)[0]._base is x
    assert x[[0]]._base is None and x.t().reshape(6)._base is None and x.view(6).view(3, 2)._base is x
    same_error(lambda T, x: x.requires_grad_()[0].__setitem__(1, 5.0), np.ones((2, 2)))
    same_error(lambda T, x: x.requires_grad_().t().index_fill_(0, T.tensor([0]), 5.0), np.ones((2, 2)))


def test_setitem_on_leaf_allowed_without_grad_mode():
    x = torchlet.ones(2, 2, requires_grad=True)
    with torchlet.no_grad():
        x[0] = 5
    assert x.tolist() == [[5, 5], [1, 1]] and x.grad_fn is None


def test_setitem_overlap_rules():
    """Writing a tensor onto memory it partially overlaps is refused, as in torch."""
    def f(T, x, i, j):
        y = x * 1
        y[i] = y[j]
        return y
    x = rng().standard_normal(5)
    for i, j in ((slice(None), slice(None)), (slice(0, 2), slice(0, 2)), (slice(0, 2), slice(2, 4))):
        check_op(*both(lambda T, x: f(T, x, i, j)), x)
    for i, j in ((slice(1, None), slice(None, -1)), ([1, 2], slice(0, 2))):
        same_error(lambda T, x: f(T, x, i, j), x)
    same_error(lambda T, x: x.index_copy_(0, T.tensor([0, 1]), x[1:3]), x)


def test_seed_view_shares_memory_and_version():
    x = torchlet.ones(2, 3)
    y = x[0, :]
    y += 1
    assert x.tolist() == [[2, 2, 2], [1, 1, 1]]
    assert x._version == y._version == 1
    z = x[[0]]           # advanced indexing copies
    z += 1
    assert x.tolist() == [[2, 2, 2], [1, 1, 1]]


def test_saved_view_modified_in_place_is_detected():
    x = torchlet.ones(3, requires_grad=True)
    y = x * 2
    z = y[1:] * y[1:]   # saves the view y[1:]
    y[0] = 7            # bumps the shared version counter
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        z.sum().backward()


# -- index ops ---------------------------------------------------------------------------------
X = rng().standard_normal((3, 4))
IDX2 = np.array([[0, 2, 1, 1], [2, 0, 0, 1]])

OPS = {
    'index_select': ((X,), lambda T, x: x.index_select(1, T.tensor([3, 0, 3]))),
    'index_select_0d': ((X,), lambda T, x: T.index_select(x, 0, T.tensor(2))),
    'index_select_int32': ((X,), lambda T, x: x.index_select(0, T.tensor([2, 2], dtype=T.int32))),
    'masked_select': ((X,), lambda T, x: x.masked_select(T.tensor(MASK))),
    'masked_select_bcast': ((X[:1],), lambda T, x: T.masked_select(x, T.tensor(MASK))),
    'masked_fill': ((X,), lambda T, x: x.masked_fill(T.tensor(MASK), -1.5)),
    'masked_fill_bcast': ((X,), lambda T, x: T.masked_fill(x, T.tensor(MASK[0]), 2)),
    'masked_fill_tensor': ((X, np.array(0.7)), lambda T, x, v: x.masked_fill(T.tensor(MASK), v)),
    'masked_scatter': ((X, np.arange(12.)), lambda T, x, s: x.masked_scatter(T.tensor(MASK), s)),
    'masked_scatter_2d': ((X, np.arange(20.).reshape(4, 5)),
                          lambda T, x, s: T.masked_scatter(x, T.tensor(MASK[0]), s)),
    'take': ((X,), lambda T, x: x.take(T.tensor([[0, 11], [-1, 5]]))),
    'take_t': ((X,), lambda T, x: T.take(x.t(), T.tensor([1, 1, 7]))),
    'take_along_dim': ((X,), lambda T, x: x.take_along_dim(T.tensor(IDX2[:, :1]), 0)),
    'take_along_dim_bcast': ((X,), lambda T, x: T.take_along_dim(x, T.tensor([[3], [0], [1]]), 1)),
    'take_along_dim_none': ((X,), lambda T, x: x.take_along_dim(T.tensor([[5, 5]]))),
    'gather0': ((X,), lambda T, x: x.gather(0, T.tensor(IDX2))),
    'gather1': ((X,), lambda T, x: T.gather(x, 1, T.tensor([[3, 3], [0, 1]]))),
    'gather_t': ((X,), lambda T, x: x.t().gather(1, T.tensor([[2], [0], [1], [1]]))),
    'scatter': ((X, np.ones((2, 4))), lambda T, x, s: x.scatter(0, T.tensor([[0, 2, 1, 1], [2, 0, 0, 2]]), s)),
    'scatter_small_src': ((X, np.arange(15.).reshape(3, 5)),
                          lambda T, x, s: T.scatter(x, 1, T.tensor([[3, 0], [1, 2]]), s)),
    'scatter_value': ((X,), lambda T, x: x.scatter(1, T.tensor([[3, 0], [1, 2]]), 2.5)),
    'scatter_value_kw': ((X,), lambda T, x: T.scatter(x, 1, T.tensor([[3, 0]]), value=-1)),
    'scatter_reduce_add': ((X, np.ones((2, 4))), lambda T, x, s: x.scatter(0, T.tensor(IDX2), s, reduce='add')),
    'scatter_reduce_mul': ((X, np.arange(1., 9.).reshape(2, 4)),
                           lambda T, x, s: x.scatter(0, T.tensor(IDX2), s, reduce='multiply')),
    'scatter_value_reduce': ((X,), lambda T, x: x.scatter(1, T.tensor([[3, 0, 3]]), 1.5, reduce='multiply')),
    'scatter_add': ((X, np.arange(8.).reshape(2, 4)), lambda T, x, s: x.scatter_add(0, T.tensor(IDX2), s)),
    'scatter_add_fn': ((X, np.arange(12.).reshape(3, 4)),
                       lambda T, x, s: T.scatter_add(x, 1, T.tensor([[0, 0], [3, 3], [1, 2]]), s)),
    'index_add': ((X, np.arange(12.).reshape(3, 4)), lambda T, x, s: x.index_add(0, T.tensor([2, 0, 2]), s)),
    'index_add_alpha': ((X, np.arange(6.).reshape(3, 2)),
                        lambda T, x, s: T.index_add(x, 1, T.tensor([1, 1]), s, alpha=-2.0)),
    'index_copy': ((X, np.arange(8.).reshape(2, 4)), lambda T, x, s: x.index_copy(0, T.tensor([2, 0]), s)),
    'index_copy_dim1': ((X, np.arange(3.).reshape(3, 1)), lambda T, x, s: T.index_copy(x, 1, T.tensor([2]), s)),
    'index_fill': ((X,), lambda T, x: x.index_fill(1, T.tensor([0, 3, 3]), -7)),
    'index_fill_tensor': ((X, np.array(2.5)), lambda T, x, v: T.index_fill(x, 0, T.tensor([1]), v)),
    'index_put': ((X, np.arange(2.)), lambda T, x, v: x.index_put((T.tensor([0, 2]), T.tensor([1, 1])), v)),
    'index_put_acc': ((X, np.arange(3.)),
                      lambda T, x, v: T.index_put(x, (T.tensor([1, 1, 1]), T.tensor([0, 0, 3])), v, True)),
    'index_put_mask': ((X, np.array(3.)), lambda T, x, v: x.index_put((T.tensor(MASK),), v)),
    'put': ((X, np.arange(3.)), lambda T, x, s: x.put(T.tensor([0, -1, 5]), s)),
    'put_acc': ((X, np.arange(4.).reshape(2, 2)), lambda T, x, s: T.put(x, T.tensor([[1, 1], [1, 4]]), s, True)),
}

INPLACE = {
    'masked_fill_': ((X, np.array(0.5)), lambda T, x, v: x.masked_fill_(T.tensor(MASK), v)),
    'masked_scatter_': ((X, np.arange(12.)), lambda T, x, s: x.masked_scatter_(T.tensor(MASK), s)),
    'scatter_': ((X, np.ones((2, 4))), lambda T, x, s: x.scatter_(0, T.tensor([[0, 2, 1, 1], [2, 0, 0, 2]]), s)),
    'scatter_value_': ((X,), lambda T, x: x.scatter_(1, T.tensor([[3, 0]]), 4.0)),
    'scatter_add_': ((X, np.arange(8.).reshape(2, 4)), lambda T, x, s: x.scatter_add_(0, T.tensor(IDX2), s)),
    'index_add_': ((X, np.arange(12.).reshape(3, 4)), lambda T, x, s: x.index_add_(0, T.tensor([2, 0, 2]), s)),
    'index_copy_': ((X, np.arange(8.).reshape(2, 4)), lambda T, x, s: x.index_copy_(0, T.tensor([2, 0]), s)),
    'index_fill_': ((X,), lambda T, x: x.index_fill_(1, T.tensor([0, 3]), -7)),
    'index_put_': ((X, np.arange(2.)), lambda T, x, v: x.index_put_((T.tensor([0, 2]), T.tensor([1, 1])), v)),
    'put_': ((X, np.arange(3.)), lambda T, x, s: x.put_(T.tensor([0, -1, 5]), s, accumulate=True)),
    'scatter_reduce_': ((X, np.ones((2, 4))),
                        lambda T, x, s: x.scatter_reduce_(0, T.tensor(IDX2), s, 'amax', include_self=False)),
}


# torch itself cannot differentiate these (scatter with reduce; src larger than index): our
# gradients for them are checked numerically in test_index_ops_gradcheck
NO_TORCH_GRAD = {'scatter_reduce_add', 'scatter_reduce_mul', 'scatter_value_reduce', 'scatter_small_src',
                 'scatter_add_fn'}


@pytest.mark.parametrize('name', sorted(OPS))
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_index_ops_match_torch(name, dt):
    arrays, f = OPS[name]
    check_op(*both(f), *[a.astype(dt) for a in arrays], grad=name not in NO_TORCH_GRAD)


@pytest.mark.parametrize('name', sorted(INPLACE))
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_inplace_index_ops_match_torch(name, dt):
    arrays, f = INPLACE[name]

    def g(T, x, *rest):
        y = x * 1
        out = f(T, y, *rest)
        assert out is y
        return y * 1
    check_op(*both(g), *[a.astype(dt) for a in arrays])


@pytest.mark.parametrize('name', sorted(OPS))
def test_index_ops_gradcheck(name):
    arrays, f = OPS[name]
    numeric_gradcheck(lambda *xs: f(torchlet, *xs), *arrays)


@pytest.mark.parametrize('name', sorted(set(OPS) - NO_TORCH_GRAD))
def test_index_ops_grad_fn_names(name):
    arrays, f = OPS[name]
    outs = [f(T, *[T.tensor(a, requires_grad=True) * 1 for a in arrays]) for T in (torchlet, torch)]
    assert outs[0].grad_fn.name() == type(outs[1].grad_fn).__name__


@pytest.mark.parametrize('reduce', ['sum', 'prod', 'mean', 'amax', 'amin'])
@pytest.mark.parametrize('include_self', [True, False])
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_scatter_reduce_matches_torch(reduce, include_self, dt):
    x = rng().standard_normal((3, 4)).astype(dt)
    s = rng(1).standard_normal((4, 4)).astype(dt)
    idx = np.array([[0, 2, 1, 1], [2, 0, 0, 1], [0, 0, 0, 0], [2, 2, 1, 0]])
    check_op(*both(lambda T, x, s: x.scatter_reduce(0, T.tensor(idx), s, reduce, include_self=include_self)),
             x, s, rtol=1e-4)


@pytest.mark.parametrize('reduce', ['amax', 'amin', 'mean'])
def test_scatter_reduce_ties_share_gradient(reduce):
    x = np.array([1., 5., 2.])
    s = np.array([5., 5., 0., 2.])
    check_op(*both(lambda T, x, s: T.scatter_reduce(x, 0, T.tensor([1, 1, 0, 2]), s, reduce)), x, s)


def test_scatter_legacy_reduce_in_place():
    for reduce in ('add', 'multiply'):
        check_op(*both(lambda T, x, s: x.clone().scatter_(0, T.tensor([[1, 1], [0, 1]]), s, reduce=reduce)),
                 X, np.arange(1., 5.).reshape(2, 2), grad=False)
        check_op(*both(lambda T, x: x.clone().scatter_(1, T.tensor([[1, 1]]), 3.0, reduce=reduce)), X,
                 grad=False)


def test_scatter_reduce_integer_mean():
    x = np.array([1, 5, 2])
    check_op(*both(lambda T, x: x.scatter_reduce(0, T.tensor([0, 0, 2]), T.tensor([4, 7, -3]), 'mean')),
             x, grad=False)


def test_index_ops_on_int_tensors():
    x = np.arange(12).reshape(3, 4)
    for name in ('index_select', 'masked_select', 'masked_fill', 'take', 'gather1', 'scatter_value',
                 'index_fill'):
        check_op(*both(OPS[name][1]), x, grad=False)
    check_op(*both(lambda T, x: x.index_add(0, T.tensor([0, 0]), x[:2])), x, grad=False)


def test_nonzero_argwhere_where():
    for a in (MASK, np.array([0., 1.5, 0, -2]), np.array(3), np.array(0), np.zeros((2, 0))):
        for f in (lambda T, x: x.nonzero(), lambda T, x: T.nonzero(x, as_tuple=True), lambda T, x: T.argwhere(x),
                  lambda T, x: x.argwhere()):
            check_op(*both(f), a, grad=False)
    from torchlet.ops.indexing import nonzero_tuple
    assert_same(nonzero_tuple(torchlet.tensor(MASK)), torch.where(torch.tensor(MASK)))


def test_double_backward_through_indexing():
    def run(T):
        x = T.tensor(rng().standard_normal((3, 4)), requires_grad=True)
        y = x[T.tensor([0, 0, 2])][:, 1:] * x[1:, ::2].sum()
        y = y.sum() + (x.gather(1, T.tensor([[1], [1], [3]])) * x[:, :1]).sum()
        (g,) = T.autograd.grad(y, x, create_graph=True)
        (g * g).sum().backward()
        return x.grad
    assert_same(run(torchlet), run(torch))


# -- errors ------------------------------------------------------------------------------------
X34 = np.arange(12.).reshape(3, 4)


@pytest.mark.parametrize('f', [
    lambda T, x: x[5],
    lambda T, x: x[-4],
    lambda T, x: x[:, 7],
    lambda T, x: x[1, -5],
    lambda T, x: x[0, 0, 0],
    lambda T, x: x[0, 0][0],
    lambda T, x: x[T.tensor([5])],
    lambda T, x: x[:, T.tensor([0, 4])],
    lambda T, x: x[T.tensor([0]), T.tensor([4])],
    lambda T, x: x[None, 1, T.tensor([-5])],
    lambda T, x: x[T.tensor(X34 > 3), T.tensor([4])],
    lambda T, x: x.unsqueeze(2)[T.tensor([0]), :, T.tensor([1])],
    lambda T, x: x.__setitem__((T.tensor([0]), T.tensor([4])), 1.0),
    lambda T, x: x.requires_grad_().__setitem__(0, 1.0),
    lambda T, x: x.requires_grad_().__setitem__([0], 1.0),
    lambda T, x: x.requires_grad_().__setitem__(Ellipsis, 1.0),
    lambda T, x: x.requires_grad_().index_fill_(0, T.tensor([0]), 1.0),
    lambda T, x: x[[0, 3]],
    lambda T, x: x[T.tensor([1.0])],
    lambda T, x: x[1.0],
    lambda T, x: x[::-1],
    lambda T, x: x[::0],
    lambda T, x: x[T.tensor([True, False])],
    lambda T, x: x[:, T.tensor([True, False])],
    lambda T, x: x.__setitem__(5, 1.0),
    lambda T, x: x.__setitem__(0, [1, 2, 3, 4]),
    lambda T, x: x.__setitem__(T.tensor([0, 1]), T.ones(3, 4)),
    lambda T, x: x.__setitem__(0, T.ones(4, 1)),
    lambda T, x: x.__setitem__(0, T.ones(3)),
    lambda T, x: x.index_select(0, T.tensor([5])),
    lambda T, x: x.index_select(0, T.tensor([-1])),
    lambda T, x: x.index_select(0, T.tensor([[0]])),
    lambda T, x: x.index_select(0, T.tensor([0.])),
    lambda T, x: x.gather(1, T.tensor([[5]])),
    lambda T, x: x.gather(0, T.tensor([[-1]])),
    lambda T, x: x.gather(1, T.tensor([5])),
    lambda T, x: x.gather(1, T.zeros(4, 1, dtype=T.long)),
    lambda T, x: x.gather(0, T.zeros(2, 5, dtype=T.long)),
    lambda T, x: x.take(T.tensor([12])),
    lambda T, x: x.take(T.tensor([-13])),
    lambda T, x: x.masked_fill(T.ones(3, 4), 0),
    lambda T, x: x.masked_fill(T.ones(3, 4, dtype=T.uint8), 0),
    lambda T, x: x.masked_fill(T.ones(3, 4, dtype=T.bool), T.ones(2)),
    lambda T, x: x.masked_fill_(T.ones(2, 3, 4, dtype=T.bool), 1.),
    lambda T, x: x.masked_select(x),
    lambda T, x: x.masked_scatter(T.tensor(X34 > 3), T.ones(3, dtype=T.float64)),
    lambda T, x: x.masked_scatter(T.tensor(X34 > 3), T.ones(10, dtype=T.float32)),
    lambda T, x: x.scatter(1, T.tensor([[5]]), 1.),
    lambda T, x: x.scatter(1, T.zeros(2, 3, dtype=T.long), T.ones(2, 2)),
    lambda T, x: x.scatter(1, T.zeros(2, dtype=T.long), T.ones(2, 2)),
    lambda T, x: x.scatter(1, T.zeros(2, 2, dtype=T.long), T.ones(2, 2, dtype=T.float32)),
    lambda T, x: x.scatter(1, T.tensor([[0]]), T.ones(2, 2), reduce='max'),
    lambda T, x: x.scatter_add(1, T.tensor([[0]]), T.ones(2, 2, dtype=T.float32)),
    lambda T, x: x.index_add(0, T.tensor([5]), T.ones(1, 4, dtype=T.float64)),
    lambda T, x: x.index_add(0, T.tensor([0]), T.ones(1, 4, dtype=T.float32)),
    lambda T, x: x.index_add(0, T.tensor([0, 1]), T.ones(1, 4, dtype=T.float64)),
    lambda T, x: x.index_add(0, T.tensor([0]), T.ones(1, 3, dtype=T.float64)),
    lambda T, x: x.index_add(0, T.tensor([[0]]), T.ones(1, 4, dtype=T.float64)),
    lambda T, x: x.index_copy(0, T.tensor([0]), T.ones(1, 4, dtype=T.float32)),
    lambda T, x: x.index_copy(0, T.tensor([0, 1]), T.ones(1, 4, dtype=T.float64)),
    lambda T, x: x.index_copy(0, T.tensor([5]), T.ones(1, 4, dtype=T.float64)),
    lambda T, x: x.index_copy(0, T.tensor([0]), T.ones(1, 3, dtype=T.float64)),
    lambda T, x: x.index_fill(0, T.tensor([7]), 1),
    lambda T, x: x.index_fill(0, T.tensor([0]), T.tensor([1.])),
    lambda T, x: x.put_(T.tensor([0, 1]), T.ones(3, dtype=T.float64)),
    lambda T, x: x.put_(T.tensor([12]), T.ones(1, dtype=T.float64)),
    lambda T, x: x.index_put_((T.tensor([0, 5]),), T.tensor(1., dtype=T.float64)),
    lambda T, x: x.index_put_((T.tensor([0, 1]),), T.tensor(1.)),
    lambda T, x: x.index_put_((T.tensor([0, 1]),), T.ones(3, dtype=T.float64)),
    lambda T, x: x.take_along_dim(T.tensor([[[0]]]), 1),
    lambda T, x: x.take_along_dim(T.tensor([[0], [1]]), 1),
])
def test_indexing_errors_match_torch(f):
    same_error(f, X34)


def test_index_error_named_in_brief():
    with pytest.raises(IndexError, match=r"^index 5 is out of bounds for dimension 0 with size 3$"):
        torchlet.zeros(3)[5]
    with pytest.raises(IndexError, match=r"^index 5 is out of bounds for dimension 0 with size 3$"):
        torchlet.zeros(3)[torchlet.tensor([0, 5])]
