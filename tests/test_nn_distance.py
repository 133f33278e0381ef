"""nn.functional distances (cosine_similarity, pairwise_distance, pdist, normalize), one_hot and
the CosineSimilarity / PairwiseDistance modules against PyTorch."""
import numpy as np
import pytest

import torchlet
import torchlet.nn as tnn
import torchlet.nn.functional as TF
from conftest import torch, check_op, numeric_gradcheck, assert_same, rng

thF = torch.nn.functional


def randn(shape, seed=0, dtype=np.float64):
    return np.asarray(rng(seed).standard_normal(shape), dtype=dtype)


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else {}


def both(name, *arrays, dtype=np.float64, grad=True, **kwargs):
    return check_op(lambda *a: getattr(TF, name)(*a, **kwargs),
                    lambda *a: getattr(thF, name)(*a, **kwargs), *arrays, grad=grad, **tol(dtype))


def raises_like(fn_tl, fn_th):
    with pytest.raises(Exception) as e_th:
        fn_th()
    with pytest.raises(type(e_th.value)) as e_tl:
        fn_tl()
    assert str(e_tl.value) == str(e_th.value)


def pair_call(name, *arrays, **kwargs):
    return (lambda: getattr(TF, name)(*[torchlet.tensor(a) for a in arrays], **kwargs),
            lambda: getattr(thF, name)(*[torch.tensor(a) for a in arrays], **kwargs))


# -- cosine_similarity -------------------------------------------------------------------------
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_cosine_similarity(dtype):
    both('cosine_similarity', randn((4, 5), 1, dtype), randn((4, 5), 2, dtype), dtype=dtype)
    both('cosine_similarity', randn((4, 5, 2), 1, dtype), randn((4, 5, 2), 2, dtype), dim=-1,
         dtype=dtype)
    both('cosine_similarity', randn((4, 5), 1, dtype), randn(5, 2, dtype), dim=0, dtype=dtype)
    both('cosine_similarity', randn((3, 1, 5), 1, dtype), randn((1, 4, 5), 2, dtype), dim=2,
         eps=0.5, dtype=dtype)


def test_cosine_similarity_zero_vectors_and_promotion():
    x = randn((3, 4), 1)
    x[1] = 0.0
    both('cosine_similarity', x, randn((3, 4), 2))
    both('cosine_similarity', randn((3, 4), 1, np.float32), randn((3, 4), 2), dtype=np.float32)
    both('cosine_similarity', randn((3, 4), 1), np.arange(12).reshape(3, 4))


def test_cosine_similarity_errors():
    raises_like(*pair_call('cosine_similarity', randn((3, 2)), randn((4, 2))))
    raises_like(*pair_call('cosine_similarity', np.arange(3), np.arange(3), dim=0))


def test_cosine_similarity_gradcheck():
    numeric_gradcheck(lambda a, b: TF.cosine_similarity(a, b), randn((3, 4), 1), randn((3, 4), 2))


# -- pairwise_distance / pdist -----------------------------------------------------------------
@pytest.mark.parametrize('p', [2.0, 1.0, 3.0, float('inf'), 0.5])
def test_pairwise_distance(p):
    both('pairwise_distance', randn((4, 5), 1), randn((4, 5), 2), p=p)
    both('pairwise_distance', randn((4, 5), 1), randn(5, 2), p=p, keepdim=True)
    both('pairwise_distance', randn((2, 4, 5), 1, np.float32), randn((2, 4, 5), 2, np.float32),
         p=p, dtype=np.float32)


def test_pairwise_distance_shapes():
    both('pairwise_distance', randn(5, 1), randn(5, 2))
    both('pairwise_distance', randn(5, 1), randn(5, 2), keepdim=True)
    both('pairwise_distance', np.array(2.0), np.array(1.0))
    both('pairwise_distance', randn((3, 2), 1), randn((3, 2), 2), eps=0.1)
    both('pairwise_distance', np.arange(6).reshape(2, 3), np.ones((2, 3), np.int64))
    raises_like(*pair_call('pairwise_distance', randn((3, 2)), randn((4, 2))))


def test_pairwise_distance_gradcheck():
    numeric_gradcheck(lambda a, b: TF.pairwise_distance(a, b, 3.0), randn((3, 4), 1),
                      randn((3, 4), 2))


@pytest.mark.parametrize('p', [2, 1, 0.5, 3, float('inf')])
def test_pdist(p):
    both('pdist', randn((5, 3), 1), p=p)
    both('pdist', randn((4, 6), 1, np.float32), p=p, dtype=np.float32)


def test_pdist_edge_cases_and_errors():
    both('pdist', randn((1, 3), 1))
    raises_like(*pair_call('pdist', randn((4, 3, 2))))
    raises_like(*pair_call('pdist', randn((4, 3)), p=-1))
    numeric_gradcheck(lambda a: TF.pdist(a), randn((4, 3), 1))


# -- normalize ---------------------------------------------------------------------------------
@pytest.mark.parametrize('p,dim', [(2.0, 1), (1.0, 0), (3.0, -1), (float('inf'), 1)])
def test_normalize(p, dim):
    both('normalize', randn((4, 5), 1), p=p, dim=dim)
    both('normalize', randn((2, 3, 4), 1, np.float32), p=p, dim=dim, dtype=np.float32)


def test_normalize_zero_rows_out_and_errors():
    x = randn((3, 4), 1)
    x[0] = 0.0
    both('normalize', x)
    both('normalize', x, eps=1.0)
    out_tl, out_th = torchlet.empty(3, 4, dtype=torchlet.float64), torch.empty(3, 4,
                                                                               dtype=torch.float64)
    TF.normalize(torchlet.tensor(x), out=out_tl)
    thF.normalize(torch.tensor(x), out=out_th)
    assert_same(out_tl, out_th)
    raises_like(*pair_call('normalize', np.arange(3)))
    numeric_gradcheck(lambda a: TF.normalize(a, dim=0), randn((3, 4), 2))


# -- one_hot -----------------------------------------------------------------------------------
def test_one_hot():
    idx = np.array([[1, 0], [3, 2]])
    assert_same(TF.one_hot(torchlet.tensor(idx)), thF.one_hot(torch.tensor(idx)))
    assert_same(TF.one_hot(torchlet.tensor(idx), 6), thF.one_hot(torch.tensor(idx), 6))
    assert_same(TF.one_hot(torchlet.tensor(2)), thF.one_hot(torch.tensor(2)))
    empty = np.zeros(0, np.int64)
    assert_same(TF.one_hot(torchlet.tensor(empty), 3), thF.one_hot(torch.tensor(empty), 3))


def test_one_hot_errors():
    raises_like(*pair_call('one_hot', np.array([1, 2, 0]), num_classes=2))
    raises_like(*pair_call('one_hot', np.array([1, -2, 0])))
    raises_like(*pair_call('one_hot', np.array([1, 2, 0], np.int32)))
    raises_like(*pair_call('one_hot', np.array([1.0, 2.0])))
    raises_like(*pair_call('one_hot', np.zeros(0, np.int64)))
    raises_like(*pair_call('one_hot', np.array([1, 2, 0]), num_classes=-2))


# -- modules -----------------------------------------------------------------------------------
def test_distance_modules():
    x, y = randn((4, 5), 1), randn((4, 5), 2)
    check_op(lambda a, b: tnn.CosineSimilarity(dim=0, eps=1e-3)(a, b),
             lambda a, b: torch.nn.CosineSimilarity(dim=0, eps=1e-3)(a, b), x, y)
    check_op(lambda a, b: tnn.PairwiseDistance(p=1.0, keepdim=True)(a, b),
             lambda a, b: torch.nn.PairwiseDistance(p=1.0, keepdim=True)(a, b), x, y)
    assert repr(tnn.CosineSimilarity(dim=0)) == repr(torch.nn.CosineSimilarity(dim=0))
    assert repr(tnn.PairwiseDistance(p=1.0)) == repr(torch.nn.PairwiseDistance(p=1.0))
    m = tnn.PairwiseDistance(p=3.0, eps=1e-3, keepdim=True)
    assert (m.norm, m.eps, m.keepdim) == (3.0, 1e-3, True)
