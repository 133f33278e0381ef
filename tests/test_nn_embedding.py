"""nn.Embedding / nn.EmbeddingBag and F.embedding / F.embedding_bag against torch: lookups,
weight (and per-sample-weight) gradients with repeated indices, padding_idx, max_norm,
scale_grad_by_freq, bag modes and offsets, initialisation, reprs, from_pretrained, errors and
finite differences."""
import numpy as np
import pytest

import torchlet
from conftest import torch, to_np, numeric_gradcheck

F_th, F_tl = torch.nn.functional, torchlet.nn.functional


pytestmark = pytest.mark.usefixtures('torch_single_thread')


def leaf(arr):
    return torch.tensor(arr, requires_grad=True), torchlet.tensor(arr, requires_grad=True)


def close(x, y, tol=1e-6):
    np.testing.assert_allclose(to_np(x), to_np(y), rtol=tol, atol=tol)


def run_both(fn_th, fn_tl, leaves, tol=1e-6):
    """Compare outputs and the gradients of a random weighted sum with respect to leaves."""
    a, b = fn_th(), fn_tl()
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)
    close(b, a, tol)
    w = np.random.default_rng(5).standard_normal(tuple(a.shape)).astype(to_np(a).dtype)
    (a * torch.tensor(w)).sum().backward()
    (b * torchlet.tensor(w)).sum().backward()
    for p, q in leaves:
        if p.grad is None:
            assert q.grad is None or not to_np(q.grad).any()
        else:
            close(q.grad, p.grad, tol)
    return a, b


IDX = np.array([[1, 2, 2, 9], [0, 1, 1, 1], [3, 3, 3, 3]])


@pytest.mark.parametrize('kw', [{}, dict(padding_idx=2), dict(padding_idx=-1), dict(scale_grad_by_freq=True),
                                dict(padding_idx=1, scale_grad_by_freq=True)])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_embedding_matches_torch(kw, dtype):
    w = leaf(np.random.default_rng(0).standard_normal((10, 3)).astype(dtype))
    for idx in (IDX, IDX[0], np.array(4), np.arange(40) % 10):          # small and scatter paths
        w[0].grad = w[1].grad = None
        run_both(lambda: F_th.embedding(torch.tensor(idx), w[0], **kw),
                 lambda: F_tl.embedding(torchlet.tensor(idx), w[1], **kw), [w])


def test_embedding_int32_indices_and_grad_fn():
    w = leaf(np.random.default_rng(0).standard_normal((5, 2)))
    idx = np.array([[4, 0], [0, 0]], np.int32)
    a, b = run_both(lambda: F_th.embedding(torch.tensor(idx), w[0]),
                    lambda: F_tl.embedding(torchlet.tensor(idx), w[1]), [w])
    assert b.grad_fn.name() == 'EmbeddingBackward0'


@pytest.mark.parametrize('norm_type', [2.0, 1.0, 3.0])
def test_max_norm_renormalises_rows_in_place(norm_type):
    arr = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32) * 2
    w_th, w_tl = torch.tensor(arr), torchlet.tensor(arr)
    idx = np.array([1, 1, 4, 5])
    a = F_th.embedding(torch.tensor(idx), w_th, max_norm=1.0, norm_type=norm_type)
    v = w_tl._version
    b = F_tl.embedding(torchlet.tensor(idx), w_tl, max_norm=1.0, norm_type=norm_type)
    close(b, a, 1e-6)
    close(w_tl, w_th, 1e-6)              # rows 1, 4, 5 scaled in place, the others untouched
    assert w_tl._version > v


def test_double_backward_of_embedding():
    """The weight gradient is itself differentiable (like torch's embedding_dense_backward)."""
    res = []
    for lib in (torch, torchlet):
        w = lib.tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
        idx = lib.tensor([1, 1, 3])
        out = lib.nn.functional.embedding(idx, w, padding_idx=3, scale_grad_by_freq=True)
        (g,) = lib.autograd.grad((out ** 2).sum(), w, create_graph=True)
        (g * g).sum().backward()
        res.append(w.grad)
    close(res[1], res[0], 1e-10)


def test_numeric_gradcheck_embedding():
    idx = torchlet.tensor(IDX)
    numeric_gradcheck(lambda w: F_tl.embedding(idx, w), np.random.default_rng(0).standard_normal((10, 3)))


def test_embedding_module_init_repr_and_state_dict():
    for args, kw in [((10, 3), {}), ((10, 3), dict(padding_idx=4, max_norm=1.0, norm_type=1.0,
                                                   scale_grad_by_freq=True)), ((7, 2), dict(padding_idx=-2))]:
        torch.manual_seed(3)
        torchlet.manual_seed(3)
        a, b = torch.nn.Embedding(*args, **kw), torchlet.nn.Embedding(*args, **kw)
        assert repr(b) == repr(a)
        assert b.padding_idx == a.padding_idx
        assert list(b.state_dict()) == ['weight'] and str(b.weight.dtype) == 'torch.float32'
        np.testing.assert_array_equal(to_np(b.weight), to_np(a.weight))   # N(0, 1), padding row zero
    assert repr(torchlet.nn.Embedding(3, 2, sparse=False)) == 'Embedding(3, 2)'


def test_embedding_module_trains_like_torch():
    for lib in (torch, torchlet):
        lib.manual_seed(0)
    a, b = torch.nn.Embedding(10, 4, padding_idx=0), torchlet.nn.Embedding(10, 4, padding_idx=0)
    idx = IDX
    out_a, out_b = a(torch.tensor(idx)), b(torchlet.tensor(idx))
    close(out_b, out_a)
    out_a.sum().backward()
    out_b.sum().backward()
    close(b.weight.grad, a.weight.grad)
    assert not to_np(b.weight.grad)[0].any()


def test_from_pretrained():
    arr = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    for freeze in (True, False):
        a = torch.nn.Embedding.from_pretrained(torch.tensor(arr), freeze=freeze, padding_idx=1)
        b = torchlet.nn.Embedding.from_pretrained(torchlet.tensor(arr), freeze=freeze, padding_idx=1)
        assert b.weight.requires_grad == a.weight.requires_grad == (not freeze)
        assert repr(b) == repr(a)
        close(b(torchlet.tensor([1, 3])), a(torch.tensor([1, 3])))
        c = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(arr), freeze=freeze, mode='max')
        d = torchlet.nn.EmbeddingBag.from_pretrained(torchlet.tensor(arr), freeze=freeze, mode='max')
        assert d.weight.requires_grad == c.weight.requires_grad and repr(d) == repr(c)
    with pytest.raises(AssertionError, match='2-dimensional'):
        torchlet.nn.Embedding.from_pretrained(torchlet.zeros(3))


def test_embedding_errors():
    def both(fn):
        with pytest.raises(Exception) as e_th:
            fn(torch)
        with pytest.raises(Exception) as e_tl:
            fn(torchlet)
        assert type(e_tl.value) is type(e_th.value) and str(e_tl.value) == str(e_th.value)
    both(lambda lib: lib.nn.Embedding(5, 3)(lib.tensor([5])))
    both(lambda lib: lib.nn.Embedding(5, 3)(lib.tensor([-1])))
    both(lambda lib: lib.nn.Embedding(5, 3)(lib.tensor([1.0])))
    both(lambda lib: lib.nn.Embedding(5, 3, padding_idx=5))
    both(lambda lib: lib.nn.Embedding(5, 3, padding_idx=-6))
    both(lambda lib: lib.nn.Embedding(5, 3, _weight=lib.zeros(4, 3)))
    both(lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.zeros(3)))


# -- embedding_bag ------------------------------------------------------------------------------------
FLAT = np.array([1, 2, 2, 9, 0, 1, 1, 1, 3, 3])
OFFSETS = np.array([0, 3, 3, 7])


@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
@pytest.mark.parametrize('extra', [{}, dict(padding_idx=1), dict(include_last_offset=True),
                                   dict(padding_idx=3, include_last_offset=True)])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_embedding_bag_matches_torch(mode, extra, dtype):
    w = leaf(np.random.default_rng(0).standard_normal((10, 3)).astype(dtype))
    off = np.r_[OFFSETS, FLAT.size] if extra.get('include_last_offset') else OFFSETS
    run_both(lambda: F_th.embedding_bag(torch.tensor(FLAT), w[0], torch.tensor(off), mode=mode, **extra),
             lambda: F_tl.embedding_bag(torchlet.tensor(FLAT), w[1], torchlet.tensor(off), mode=mode,
                                        **extra), [w])


@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
def test_embedding_bag_2d_input(mode):
    w = leaf(np.random.default_rng(1).standard_normal((10, 4)))
    a, b = run_both(lambda: F_th.embedding_bag(torch.tensor(IDX), w[0], mode=mode),
                    lambda: F_tl.embedding_bag(torchlet.tensor(IDX), w[1], mode=mode), [w])
    assert b.grad_fn.name() == 'EmbeddingBagBackward0'


@pytest.mark.parametrize('padding_idx', [None, 3])
def test_per_sample_weights(padding_idx):
    rng = np.random.default_rng(2)
    w, psw = leaf(rng.standard_normal((10, 3))), leaf(rng.standard_normal(FLAT.size))
    run_both(lambda: F_th.embedding_bag(torch.tensor(FLAT), w[0], torch.tensor(OFFSETS), mode='sum',
                                        per_sample_weights=psw[0], padding_idx=padding_idx),
             lambda: F_tl.embedding_bag(torchlet.tensor(FLAT), w[1], torchlet.tensor(OFFSETS), mode='sum',
                                        per_sample_weights=psw[1], padding_idx=padding_idx), [w, psw])


def test_embedding_bag_scale_grad_by_freq_matches_embedding_sums():
    """scale_grad_by_freq divides by each index's count in the batch, as F.embedding does (torch's
    embedding_bag applies counts inconsistently across dtypes, so the oracle is torch's embedding)."""
    rng = np.random.default_rng(3)
    w = leaf(rng.standard_normal((10, 3)))
    idx = np.array([[1, 2, 2], [9, 1, 1]])
    ref = lambda: F_th.embedding(torch.tensor(idx), w[0], scale_grad_by_freq=True).sum(1)  # noqa: E731
    run_both(ref, lambda: F_tl.embedding_bag(torchlet.tensor(idx), w[1], mode='sum',
                                             scale_grad_by_freq=True), [w])


def test_numeric_gradcheck_embedding_bag():
    rng = np.random.default_rng(4)
    idx, off = torchlet.tensor(FLAT), torchlet.tensor(OFFSETS)
    for mode in ('sum', 'mean', 'max'):
        numeric_gradcheck(lambda w: F_tl.embedding_bag(idx, w, off, mode=mode, padding_idx=2),
                          rng.standard_normal((10, 3)))
    numeric_gradcheck(lambda w, p: F_tl.embedding_bag(idx, w, off, mode='sum', per_sample_weights=p),
                      rng.standard_normal((10, 3)), rng.standard_normal(FLAT.size))


def test_embedding_bag_module():
    for kw in [dict(), dict(mode='sum', padding_idx=1), dict(mode='max', max_norm=1.0, norm_type=3.0)]:
        torch.manual_seed(2)
        torchlet.manual_seed(2)
        a, b = torch.nn.EmbeddingBag(10, 3, **kw), torchlet.nn.EmbeddingBag(10, 3, **kw)
        assert repr(b) == repr(a)
        np.testing.assert_array_equal(to_np(b.weight), to_np(a.weight))
        out_a = a(torch.tensor(FLAT), torch.tensor(OFFSETS))
        out_b = b(torchlet.tensor(FLAT), torchlet.tensor(OFFSETS))
        close(out_b, out_a)
        out_a.sum().backward()
        out_b.sum().backward()
        close(b.weight.grad, a.weight.grad)


def test_embedding_bag_errors():
    w = np.zeros((10, 3), np.float32)

    def both(**kw):
        args = {k: v for k, v in kw.items() if k not in ('input', 'offsets', 'psw')}
        with pytest.raises(Exception) as e_th:
            F_th.embedding_bag(torch.tensor(kw['input']), torch.tensor(w),
                               None if kw.get('offsets') is None else torch.tensor(kw['offsets']),
                               per_sample_weights=None if kw.get('psw') is None else torch.tensor(kw['psw']),
                               **args)
        with pytest.raises(Exception) as e_tl:
            F_tl.embedding_bag(torchlet.tensor(kw['input']), torchlet.tensor(w),
                               None if kw.get('offsets') is None else torchlet.tensor(kw['offsets']),
                               per_sample_weights=None if kw.get('psw') is None else
                               torchlet.tensor(kw['psw']), **args)
        assert type(e_tl.value) is type(e_th.value) and str(e_tl.value) == str(e_th.value)
    both(input=np.array([1, 2, 3]), offsets=np.array([1]))
    both(input=np.array([1, 2, 3]), offsets=np.array([0, 5]))
    both(input=np.array([1, 2, 30]), offsets=np.array([0, 2]))
    both(input=np.array([1, 2, 3]), offsets=None)
    both(input=np.array([[1, 2, 3]]), offsets=np.array([0]))
    both(input=np.array([[1, 2, 3]]), mode='foo')
    both(input=np.array([1., 2.]), offsets=np.array([0]))
    both(input=np.array([1, 2, 3]), offsets=np.array([0, 2]), mode='mean', psw=np.ones(3, np.float32))
    both(input=np.array([1, 2, 3]), offsets=np.array([0, 2]), mode='sum', psw=np.ones(2, np.float32))
    both(input=np.array([[1, 2, 3]]), mode='max', scale_grad_by_freq=True)


def test_decreasing_offsets_are_refused():
    with pytest.raises(RuntimeError, match='non-decreasing'):
        F_tl.embedding_bag(torchlet.tensor([1, 2, 3]), torchlet.zeros(10, 3), torchlet.tensor([0, 2, 1]))
