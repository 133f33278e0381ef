"""Shape ops (views, joining, splitting, reordering) against torch: values, dtypes, gradients,
memory sharing and error messages."""
import numpy as np
import pytest

import torchlet
from conftest import check_op, numeric_gradcheck, torch, rng, assert_same


def both(f):
    """(torchlet version, torch version) of ``f(T, *args)`` where T is the library."""
    return (lambda *a, **k: f(torchlet, *a, **k)), (lambda *a, **k: f(torch, *a, **k))


def same_error(f, *arrays):
    """f(T, *tensors) raises the same exception type with the same message in both libraries."""
    with pytest.raises(Exception) as th:
        f(torch, *[torch.tensor(a) for a in arrays])
    with pytest.raises(type(th.value)) as tl:
        f(torchlet, *[torchlet.tensor(a) for a in arrays])
    assert str(tl.value) == str(th.value)


# (input shape, op) — each op runs unchanged on torchlet and torch
UNARY = {
    'view': ((3, 4), lambda T, x: x.view(2, 6)),
    'view_infer': ((3, 4), lambda T, x: x.view(-1, 3)),
    'view_size': ((3, 4), lambda T, x: x.view(torch.Size([4, 3]) if T is torch else torchlet.Size([4, 3]))),
    'view_noncontig_ok': ((3, 4), lambda T, x: x.t().view(2, 2, 3)),
    'view_as': ((3, 4), lambda T, x: x.view_as(x.t())),
    'reshape': ((2, 3, 4), lambda T, x: x.reshape(4, -1)),
    'reshape_fn': ((2, 3, 4), lambda T, x: T.reshape(x, (6, 4))),
    'reshape_copy': ((3, 4), lambda T, x: x.t().reshape(12)),
    'reshape_slice': ((4, 6), lambda T, x: x[:, ::2].reshape(-1)),
    'reshape_as': ((3, 4), lambda T, x: x.reshape_as(x.t())),
    'flatten': ((2, 3, 4), lambda T, x: x.flatten()),
    'flatten_dims': ((2, 3, 4, 5), lambda T, x: T.flatten(x, 1, 2)),
    'flatten_neg': ((2, 3, 4), lambda T, x: x.transpose(0, 2).flatten(-2)),
    'flatten_0d': ((), lambda T, x: x.flatten()),
    'unflatten': ((2, 12), lambda T, x: x.unflatten(1, (3, -1))),
    'ravel': ((3, 4), lambda T, x: x.t().ravel()),
    'squeeze': ((1, 3, 1, 2), lambda T, x: x.squeeze()),
    'squeeze_dim': ((1, 3, 1, 2), lambda T, x: x.squeeze(2)),
    'squeeze_dim_noop': ((1, 3, 1, 2), lambda T, x: x.squeeze(1)),
    'squeeze_tuple': ((1, 3, 1, 2), lambda T, x: T.squeeze(x, (0, -2))),
    'unsqueeze': ((3, 2), lambda T, x: x.unsqueeze(1)),
    'unsqueeze_neg': ((3, 2), lambda T, x: T.unsqueeze(x, -1)),
    'expand': ((3, 1), lambda T, x: x.expand(2, 3, 4)),
    'expand_keep': ((3, 1), lambda T, x: x.expand(-1, 5)),
    'expand_as': ((1, 4), lambda T, x: x.expand_as(T.ones(3, 4))),
    'broadcast_to': ((4,), lambda T, x: T.broadcast_to(x, (2, 3, 4))),
    'repeat': ((2, 3), lambda T, x: x.repeat(2, 1, 3)),
    'repeat_t': ((2, 3), lambda T, x: x.t().repeat(2, 2)),
    'tile': ((2, 3), lambda T, x: T.tile(x, (2,))),
    'tile_more': ((2, 3), lambda T, x: x.tile((3, 1, 2))),
    'repeat_interleave': ((2, 3), lambda T, x: x.repeat_interleave(2)),
    'repeat_interleave_dim': ((2, 3), lambda T, x: T.repeat_interleave(x, 3, dim=1)),
    'repeat_interleave_tensor': ((3, 2), lambda T, x: x.repeat_interleave(T.tensor([1, 0, 3]), dim=0)),
    'repeat_interleave_1elem': ((3, 2), lambda T, x: x.repeat_interleave(T.tensor([2]), dim=1)),
    't': ((3, 4), lambda T, x: x.t()),
    't_1d': ((3,), lambda T, x: T.t(x)),
    'transpose': ((2, 3, 4), lambda T, x: x.transpose(0, 2)),
    'transpose_neg': ((2, 3, 4), lambda T, x: T.transpose(x, -1, -2)),
    'swapaxes': ((2, 3, 4), lambda T, x: x.swapaxes(0, 1)),
    'swapdims': ((2, 3, 4), lambda T, x: T.swapdims(x, 1, 2)),
    'permute': ((2, 3, 4), lambda T, x: x.permute(2, 0, 1)),
    'permute_tuple': ((2, 3, 4), lambda T, x: T.permute(x, (1, -1, 0))),
    'movedim': ((2, 3, 4, 5), lambda T, x: x.movedim(0, -1)),
    'movedim_tuple': ((2, 3, 4, 5), lambda T, x: T.movedim(x, (0, 1), (3, 0))),
    'moveaxis': ((2, 3, 4), lambda T, x: T.moveaxis(x, 2, 0)),
    'T': ((3, 4), lambda T, x: x.T),
    'mT': ((2, 3, 4), lambda T, x: x.mT),
    'H': ((3, 4), lambda T, x: x.H),
    'mH': ((2, 3, 4), lambda T, x: x.mH),
    'adjoint': ((2, 3, 4), lambda T, x: x.adjoint()),
    'flip': ((2, 3, 4), lambda T, x: x.flip(0, 2)),
    'flip_list': ((2, 3, 4), lambda T, x: T.flip(x, [1])),
    'fliplr': ((3, 4), lambda T, x: x.fliplr()),
    'flipud': ((3, 4), lambda T, x: T.flipud(x)),
    'roll': ((3, 4), lambda T, x: x.roll(1, 0)),
    'roll_flat': ((3, 4), lambda T, x: T.roll(x, -5)),
    'roll_multi': ((3, 4), lambda T, x: x.roll((2, -1), (0, 1))),
    'roll_t': ((3, 4), lambda T, x: x.t().roll(3, 1)),
    'rot90': ((3, 4), lambda T, x: x.rot90()),
    'rot90_k2': ((2, 3, 4), lambda T, x: T.rot90(x, 2, (1, 2))),
    'rot90_k3': ((3, 4), lambda T, x: x.rot90(3, [1, 0])),
    'rot90_neg': ((3, 4), lambda T, x: x.rot90(-1)),
    'narrow': ((4, 5), lambda T, x: x.narrow(1, 1, 3)),
    'narrow_neg': ((4, 5), lambda T, x: T.narrow(x, 0, -2, 2)),
    'select': ((4, 5), lambda T, x: x.select(1, 2)),
    'select_neg': ((4, 5), lambda T, x: T.select(x, 0, -1)),
    'unfold': ((7,), lambda T, x: x.unfold(0, 3, 2)),
    'unfold_overlap': ((3, 8), lambda T, x: x.unfold(1, 4, 1)),
    'unfold_gap': ((9, 2), lambda T, x: x.unfold(0, 2, 3)),
    'unfold_big_window': ((2, 10), lambda T, x: x.unfold(1, 8, 1)),
    'split': ((5, 2), lambda T, x: x.split(2)),
    'split_sizes': ((5, 2), lambda T, x: T.split(x, [1, 4], 0)),
    'split_dim': ((2, 7), lambda T, x: x.split(3, dim=1)),
    'chunk': ((7, 2), lambda T, x: x.chunk(3)),
    'chunk_dim': ((2, 6), lambda T, x: T.chunk(x, 4, 1)),
    'tensor_split': ((7, 2), lambda T, x: x.tensor_split(3)),
    'tensor_split_idx': ((7, 2), lambda T, x: T.tensor_split(x, [2, 1, -2], dim=0)),
    'tensor_split_tensor': ((2, 6), lambda T, x: x.tensor_split(T.tensor([1, 4]), 1)),
    'unbind': ((3, 2), lambda T, x: x.unbind()),
    'unbind_dim': ((3, 2), lambda T, x: T.unbind(x, 1)),
    'atleast_1d': ((), lambda T, x: T.atleast_1d(x)),
    'atleast_2d': ((3,), lambda T, x: T.atleast_2d(x)),
    'atleast_3d': ((3,), lambda T, x: T.atleast_3d(x)),
    'atleast_3d_2d': ((2, 3), lambda T, x: T.atleast_3d(x)),
    'atleast_multi': ((3,), lambda T, x: T.atleast_2d(x, x * 2)),
    'iter': ((3, 2), lambda T, x: tuple(x)),
}


@pytest.mark.parametrize('name', sorted(UNARY))
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_unary_shape_ops_match_torch(name, dt):
    shape, f = UNARY[name]
    x = rng().standard_normal(shape).astype(dt)
    check_op(*both(f), x)


@pytest.mark.parametrize('name', ['view', 'reshape_copy', 'flatten_dims', 'squeeze_tuple', 'expand',
                                  'repeat', 'tile_more', 'repeat_interleave_tensor',
                                  'repeat_interleave_dim', 'transpose', 'permute', 'movedim_tuple',
                                  'mT', 'flip', 'roll_multi', 'rot90_k3', 'narrow', 'select', 'unfold',
                                  'unfold_overlap', 'unfold_big_window', 'split', 'chunk_dim',
                                  'tensor_split_idx', 'unbind_dim'])
def test_unary_shape_ops_gradcheck(name):
    shape, f = UNARY[name]

    def fn(x):
        out = f(torchlet, x)
        if isinstance(out, tuple):   # weight the pieces differently
            out = torchlet.cat([o.reshape(-1) * (i + 1) for i, o in enumerate(out)])
        return out
    numeric_gradcheck(fn, rng(5).standard_normal(shape))


@pytest.mark.parametrize('dt', [np.int64, np.int32, np.bool_, np.float16])
@pytest.mark.parametrize('name', ['view', 'reshape_copy', 'transpose', 'flip', 'roll', 'rot90', 'repeat',
                                  'split', 'unbind', 'expand', 'unfold', 'repeat_interleave_tensor'])
def test_shape_ops_keep_dtype(name, dt):
    shape, f = UNARY[name]
    check_op(*both(f), (rng().standard_normal(shape) * 3).astype(dt), grad=False)


# -- joining -----------------------------------------------------------------------------------
JOIN = {
    'cat0': (((2, 3), (4, 3)), lambda T, *xs: T.cat(xs)),
    'cat1': (((2, 3), (2, 1), (2, 2)), lambda T, *xs: T.cat(xs, dim=1)),
    'cat_neg': (((2, 3, 1), (2, 3, 2)), lambda T, *xs: T.cat(list(xs), -1)),
    'cat_noncontig': (((3, 2), (2, 2)), lambda T, a, b: T.cat([a.t(), b], 1)),
    'cat_empty_legacy': (((2, 3), (0,)), lambda T, *xs: T.cat(xs, 1)),
    'cat_empty_dim': (((2, 3), (0, 3)), lambda T, *xs: T.cat(xs)),
    'concat': (((2, 3), (1, 3)), lambda T, *xs: T.concat(xs)),
    'concatenate': (((2, 3), (2, 3)), lambda T, *xs: T.concatenate(xs, 1)),
    'stack': (((2, 3), (2, 3), (2, 3)), lambda T, *xs: T.stack(xs)),
    'stack_dim': (((2, 3), (2, 3)), lambda T, *xs: T.stack(xs, dim=2)),
    'stack_neg': (((2, 3), (2, 3)), lambda T, *xs: T.stack(xs, -2)),
    'hstack': (((2, 3), (2, 1)), lambda T, *xs: T.hstack(xs)),
    'hstack_1d': (((3,), (2,)), lambda T, *xs: T.hstack(xs)),
    'vstack': (((3,), (2, 3)), lambda T, *xs: T.vstack(xs)),
    'row_stack': (((3,), (3,)), lambda T, *xs: T.row_stack(xs)),
    'dstack': (((2, 3), (2, 3, 2)), lambda T, *xs: T.dstack(xs)),
    'dstack_1d': (((3,), (3,)), lambda T, *xs: T.dstack(xs)),
    'column_stack': (((3,), (3, 2), ()), lambda T, *xs: T.column_stack((xs[0], xs[1], xs[2].expand(3)))),
    'broadcast_tensors': (((3, 1), (4,), ()), lambda T, *xs: T.broadcast_tensors(*xs)),
}


@pytest.mark.parametrize('name', sorted(JOIN))
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_join_ops_match_torch(name, dt):
    shapes, f = JOIN[name]
    r = rng(1)
    check_op(*both(f), *[r.standard_normal(s).astype(dt) for s in shapes])


@pytest.mark.parametrize('name', ['cat1', 'cat_noncontig', 'cat_empty_legacy', 'stack_dim', 'hstack',
                                  'dstack', 'column_stack', 'broadcast_tensors'])
def test_join_ops_gradcheck(name):
    shapes, f = JOIN[name]
    r = rng(2)

    def fn(*xs):
        out = f(torchlet, *xs)
        return torchlet.cat([o.reshape(-1) for o in out]) if isinstance(out, tuple) else out
    numeric_gradcheck(fn, *[r.standard_normal(s) for s in shapes])


@pytest.mark.parametrize('dts', [('int64', 'float32'), ('int32', 'int64'), ('bool', 'uint8'),
                                 ('float32', 'float64'), ('bool', 'float32')])
@pytest.mark.parametrize('op', ['cat', 'stack'])
def test_join_promotes_dtypes(dts, op):
    a = (rng().standard_normal((2, 3)) * 3).astype(dts[0])
    b = (rng(1).standard_normal((2, 3)) * 3).astype(dts[1])
    check_op(*both(lambda T, a, b: getattr(T, op)([a, b])), a, b)


def test_cat_mixed_grad_dtypes():
    """Gradients flow back in each input's own dtype after promotion."""
    a64 = rng().standard_normal((2, 2))
    a32 = rng(1).standard_normal((1, 2)).astype(np.float32)
    check_op(*both(lambda T, a, b: T.cat([a, b]) * 2), a64, a32)
    check_op(*both(lambda T, a, b, c: T.stack([a, b, c])), a64[:1], a32, np.ones((1, 2), np.int64))


def test_cat_all_empty_and_out():
    a, b = torchlet.zeros(0), torchlet.zeros(0)
    assert_same(torchlet.cat([a, b]), torch.cat([torch.zeros(0), torch.zeros(0)]))
    out = torchlet.zeros(1)
    r = torchlet.cat([torchlet.ones(2), torchlet.zeros(1)], out=out)
    assert r is out
    assert_same(out, torch.tensor([1., 1., 0.]))


def test_cat_many_pieces_grad():
    r = rng(3)
    arrays = [r.standard_normal((1, 4)) for _ in range(20)]
    check_op(*both(lambda T, *xs: T.cat(xs)), *arrays)


def test_chunk_and_split_edge_cases():
    for f in (lambda T: T.ones(0).chunk(3), lambda T: T.ones(0).split(2), lambda T: T.ones(3).chunk(5),
              lambda T: T.ones(5).tensor_split([-2, 7]), lambda T: T.ones(6).tensor_split(T.tensor(4)),
              lambda T: T.ones(2, 0).unbind(1)):
        assert_same(f(torchlet), f(torch))


def test_repeat_interleave_counts_only():
    assert_same(torchlet.repeat_interleave(torchlet.tensor([2, 0, 3])),
                torch.repeat_interleave(torch.tensor([2, 0, 3])))


def test_broadcast_shapes():
    for shapes in [((2, 1), (3,)), ((5,), 1, (4, 1, 1)), ((),), ((0, 1), (3,))]:
        assert torchlet.broadcast_shapes(*shapes) == torch.broadcast_shapes(*shapes)
    assert isinstance(torchlet.broadcast_shapes((2, 1)), torchlet.Size)


# -- grad_fn names -----------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['view', 'reshape_copy', 'squeeze', 'squeeze_dim', 'squeeze_tuple',
                                  'unsqueeze', 'expand', 'repeat', 't', 'transpose', 'permute', 'T',
                                  'flip', 'roll', 'rot90', 'narrow', 'select', 'unfold', 'split',
                                  'split_sizes', 'unbind', 'repeat_interleave_dim', 'flatten'])
def test_grad_fn_names(name):
    shape, f = UNARY[name]
    x = rng().standard_normal(shape)
    a = torchlet.tensor(x, requires_grad=True) * 1
    b = torch.tensor(x, requires_grad=True) * 1
    oa, ob = f(torchlet, a), f(torch, b)
    oa, ob = (oa[0], ob[0]) if isinstance(ob, tuple) else (oa, ob)
    assert oa.grad_fn.name() == ob.grad_fn.name()


def test_join_grad_fn_names():
    x = torchlet.ones(2, requires_grad=True)
    assert torchlet.cat([x, x]).grad_fn.name() == 'CatBackward0'
    assert torchlet.stack([x, x]).grad_fn.name() == 'StackBackward0'


# -- memory sharing ----------------------------------------------------------------------------
VIEWS = {
    'view': lambda x: x.view(6), 'reshape': lambda x: x.reshape(3, 2), 'flatten': lambda x: x.flatten(),
    'squeeze': lambda x: x.unsqueeze(0).squeeze(), 'unsqueeze': lambda x: x.unsqueeze(1),
    't': lambda x: x.t(), 'transpose': lambda x: x.transpose(0, 1), 'permute': lambda x: x.permute(1, 0),
    'T': lambda x: x.T, 'mT': lambda x: x.mT, 'narrow': lambda x: x.narrow(1, 1, 2),
    'select': lambda x: x.select(0, 1), 'movedim': lambda x: x.movedim(0, 1),
    'split': lambda x: x.split(1)[1], 'chunk': lambda x: x.chunk(3, 1)[2], 'unbind': lambda x: x.unbind(1)[0],
    'tensor_split': lambda x: x.tensor_split([1], 1)[1], 'unflatten': lambda x: x.unflatten(1, (3, 1)),
    'view_as': lambda x: x.view_as(x.t()), 'unfold': lambda x: x.unfold(1, 1, 1), 'ravel': lambda x: x.ravel(),
}


@pytest.mark.parametrize('name', sorted(VIEWS))
def test_views_share_memory_and_version(name):
    x = torchlet.zeros(2, 3)
    v = VIEWS[name](x)
    before = x._version
    v.add_(1)
    assert x._version == v._version == before + 1
    th = torch.zeros(2, 3)
    getattr(VIEWS[name](th), 'add_')(1)
    assert_same(x, th)


@pytest.mark.parametrize('op', [lambda x: x.flip(0), lambda x: x.roll(1), lambda x: x.rot90(),
                                lambda x: x.repeat(1, 1), lambda x: x.t().reshape(6),
                                lambda x: torchlet.cat([x, x]), lambda x: torchlet.stack([x])])
def test_copies_do_not_share(op):
    x = torchlet.zeros(2, 3)
    y = op(x)
    y.add_(1)
    assert x.sum().item() == 0 and x._version == 0


def test_expanded_view_reads_base_and_refuses_writes():
    x = torchlet.zeros(3, 1)
    e = x.expand(3, 4)
    x.add_(2)
    assert e.sum().item() == 24
    with pytest.raises(RuntimeError, match='expanded|single memory location'):
        e.add_(1)


def test_seed_view_modifies_base():
    x = torchlet.ones(3, 2).view(2, 3)
    y = x.reshape(3, 2)
    y += 1
    z = x.reshape(-1, 6)
    z += 1
    assert x.tolist() == [[3.0] * 3] * 2


def test_inplace_view_ops():
    for f in (lambda x: x.t_(), lambda x: x.transpose_(0, 1), lambda x: x.unsqueeze_(1),
              lambda x: x.squeeze_(), lambda x: x.swapaxes_(1, 0), lambda x: x.unsqueeze_(0).squeeze_(0)):
        x = np.arange(6.).reshape(2, 3)
        a, b = torchlet.tensor(x), torch.tensor(x)
        ra, rb = f(a), f(b)
        assert ra is a and rb is b
        assert_same(a, b)
    # history is kept: gradients flow through an in-place view op on a non-leaf
    check_op(*both(lambda T, x: (x * 2).t_()), rng().standard_normal((2, 3)))
    check_op(*both(lambda T, x: (x * 2).unsqueeze_(1)), rng().standard_normal((2, 3)))


def test_view_used_with_its_base_gradient():
    """A view and its base in one expression: gradients from both paths add up."""
    def f(T, x):
        y = x * 1
        v = y[0]
        w = y.t()
        return (v * y).sum(0) + w.sum(1) * v
    check_op(*both(f), rng().standard_normal((3, 3)))


def test_double_backward_through_views():
    def run(T):
        x = T.tensor(rng().standard_normal((3, 4)), requires_grad=True)
        y = x.t().reshape(12).flip(0).unfold(0, 3, 2)
        y = (y * y).sum()
        (g,) = T.autograd.grad(y, x, create_graph=True)
        (g * g).sum().backward()
        return x.grad
    assert_same(run(torchlet), run(torch))


def test_view_dtype():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    check_op(*both(lambda T, x: x.view(T.int32)), x, grad=False)
    check_op(*both(lambda T, x: x.view(T.float16)), x, grad=False)
    check_op(*both(lambda T, x: x.view(dtype=T.uint8)), x, grad=False)
    a = torchlet.tensor(x)
    a.view(torchlet.int32)[0, 0] = 1065353216   # bit pattern of 1.0
    assert a[0, 0].item() == 1.0


# -- errors ------------------------------------------------------------------------------------
X34 = np.arange(12.).reshape(3, 4)


@pytest.mark.parametrize('f', [
    lambda T, x: x.t().view(12),
    lambda T, x: x.view(3, 5),
    lambda T, x: x.view(5, -1),
    lambda T, x: x.view(-1, -1),
    lambda T, x: x.view(-2, 6),
    lambda T, x: x.reshape(7),
    lambda T, x: x[:0].view(-1, 0),
    lambda T, x: x.view(T.float16).t().view(T.float32),
    lambda T, x: x.float()[:, :3].view(T.float64),
    lambda T, x: x[0, 0].view(T.float16),
    lambda T, x: x.flatten(1, 0),
    lambda T, x: x.unflatten(1, (3, 3)),
    lambda T, x: x.unflatten(1, ()),
    lambda T, x: x.squeeze(2),
    lambda T, x: x.squeeze((0, 0)),
    lambda T, x: x.unsqueeze(3),
    lambda T, x: x.unsqueeze(-4),
    lambda T, x: x.expand(4, 4),
    lambda T, x: x.expand(4),
    lambda T, x: x.expand(-1, 3, 4),
    lambda T, x: x.expand(2, -1, 2),
    lambda T, x: x.repeat(2),
    lambda T, x: x.repeat(-1, 2),
    lambda T, x: x.repeat_interleave(-1),
    lambda T, x: x.repeat_interleave(T.tensor([1, 2]), 1),
    lambda T, x: x.repeat_interleave(T.tensor([[1]])),
    lambda T, x: x.unsqueeze(0).t(),
    lambda T, x: x[0].mT,
    lambda T, x: x[0].mH,
    lambda T, x: x[0].H,
    lambda T, x: x.unsqueeze(0).H,
    lambda T, x: x.permute(0),
    lambda T, x: x.permute(0, 0),
    lambda T, x: x.permute(0, 2),
    lambda T, x: x.transpose(0, 2),
    lambda T, x: x.movedim((0, 1), (0,)),
    lambda T, x: x.movedim((0, 0), (0, 1)),
    lambda T, x: x.movedim((0, 1), (1, 1)),
    lambda T, x: x.flip(0, 0),
    lambda T, x: x.roll(1, (0, 1)),
    lambda T, x: x.roll((1, 2)),
    lambda T, x: x[0].fliplr(),
    lambda T, x: x[0, 0].flipud(),
    lambda T, x: x.rot90(1, [0, 0]),
    lambda T, x: x.rot90(1, [0, 1, 2]),
    lambda T, x: x[0].rot90(),
    lambda T, x: x.narrow(0, 4, 1),
    lambda T, x: x.narrow(0, -4, 1),
    lambda T, x: x.narrow(0, 2, 3),
    lambda T, x: x.select(0, 3),
    lambda T, x: x.select(1, -5),
    lambda T, x: x.select(2, 0),
    lambda T, x: x[0, 0].select(0, 0),
    lambda T, x: x.unfold(0, 4, 1),
    lambda T, x: x.unfold(0, 2, 0),
    lambda T, x: x.split([1, 1]),
    lambda T, x: x.split(0),
    lambda T, x: x.chunk(0),
    lambda T, x: x.tensor_split(0),
    lambda T, x: x.tensor_split(T.tensor([1.0])),
    lambda T, x: x.unbind(2),
    lambda T, x: T.broadcast_tensors(x, T.ones(2)),
])
def test_shape_errors_match_torch(f):
    same_error(f, X34)


@pytest.mark.parametrize('f', [
    lambda T, x: T.cat([x, T.ones(2, 3)], 1),
    lambda T, x: T.cat([x, T.ones(3, 3)], 0),
    lambda T, x: T.cat([x, T.ones(3)], 0),
    lambda T, x: T.cat([x, x], 2),
    lambda T, x: T.cat([], 0),
    lambda T, x: T.cat([x[0, 0], x[0, 0]]),
    lambda T, x: T.cat([x, 5]),
    lambda T, x: T.cat(x),
    lambda T, x: T.stack([x, T.ones(3, 3)]),
    lambda T, x: T.stack([]),
    lambda T, x: T.stack([x], 3),
])
def test_join_errors_match_torch(f):
    same_error(f, X34)


def test_cat_error_named_in_brief():
    with pytest.raises(RuntimeError, match=r"^Sizes of tensors must match except in dimension 1. Expected "
                                           r"size 2 but got size 3 for tensor number 1 in the list.$"):
        torchlet.cat([torchlet.ones(2, 3), torchlet.ones(3, 3)], dim=1)


def test_view_error_messages():
    x = torchlet.tensor(X34)
    with pytest.raises(RuntimeError, match=r"^view size is not compatible with input tensor's size and "
                                           r"stride \(at least one dimension spans across two contiguous "
                                           r"subspaces\). Use \.reshape\(\.\.\.\) instead\.$"):
        x.t().view(12)
    with pytest.raises(RuntimeError, match=r"^shape '\[3, 5\]' is invalid for input of size 12$"):
        x.view(3, 5)


def test_transpose_warnings_like_torch():
    with pytest.warns(UserWarning, match='deprecated'):
        torchlet.ones(2, 3, 4).T
    with pytest.warns(UserWarning, match='0-D'):
        torchlet.tensor(1.).mT


def test_inplace_view_op_on_leaf_refused():
    same_error(lambda T, x: x.requires_grad_().t_(), X34)
    same_error(lambda T, x: x.requires_grad_().unsqueeze_(0), X34)
