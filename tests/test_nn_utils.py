"""torch.nn.utils: gradient clipping and parameter/vector conversion against PyTorch."""
import warnings

import numpy as np
import pytest

import torchlet
import torchlet.nn as tnn
from conftest import torch, assert_same, rng


def make_params(lib, shapes=((3, 4), (4,), (2, 2, 2)), seed=0, scale=1.0, dtype=np.float32,
                without_grad=()):
    """Parameters with gradients (the same numbers for torchlet and torch)."""
    r = rng(seed)
    params = []
    for i, shape in enumerate(shapes):
        p = lib.nn.Parameter(lib.tensor(r.standard_normal(shape).astype(dtype)))
        g = (r.standard_normal(shape) * scale).astype(dtype)
        if i not in without_grad:
            p.grad = lib.tensor(g)
        params.append(p)
    return params


def assert_grads_same(ours, theirs, **tol):
    for a, b in zip(ours, theirs):
        if b.grad is None:
            assert a.grad is None
        else:
            assert_same(a.grad, b.grad, **tol)


@pytest.mark.parametrize('norm_type', [2.0, 1, 3.0, float('inf'), 0.5, 'inf'])
@pytest.mark.parametrize('max_norm', [0.5, 1e6])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_clip_grad_norm_(norm_type, max_norm, dtype):
    ours, theirs = make_params(torchlet, dtype=dtype), make_params(torch, dtype=dtype)
    nt = float(norm_type)
    t_ours = tnn.utils.clip_grad_norm_(ours, max_norm, norm_type=nt)
    t_theirs = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=nt)
    assert isinstance(t_ours, torchlet.Tensor)
    assert_same(t_ours, t_theirs, rtol=1e-6)
    assert_grads_same(ours, theirs, rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_exact_formula_and_in_place():
    ours, theirs = make_params(torchlet, scale=10.0), make_params(torch, scale=10.0)
    before = [p.grad for p in ours]
    versions = [g._version for g in before]
    tnn.utils.clip_grad_norm_(ours, 1.0, foreach=False)
    torch.nn.utils.clip_grad_norm_(theirs, 1.0, foreach=False)
    for p, g, v in zip(ours, before, versions):
        assert p.grad is g and g._version > v                  # scaled in place
    # max_norm / (total + 1e-6) clamped to 1, in float32: bit-for-bit equal to torch
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_clip_grad_norm_mixed_inputs():
    # a single tensor, parameters without grad, a generator, and mixed dtypes
    ours, theirs = make_params(torchlet, without_grad=(1,)), make_params(torch, without_grad=(1,))
    assert_same(tnn.utils.clip_grad_norm_((p for p in ours), 0.3),
                torch.nn.utils.clip_grad_norm_((p for p in theirs), 0.3))
    assert_grads_same(ours, theirs)
    assert_same(tnn.utils.clip_grad_norm_(ours[0], 0.1), torch.nn.utils.clip_grad_norm_(theirs[0], 0.1))
    assert_grads_same(ours, theirs)
    a = make_params(torchlet, shapes=((3,),)) + make_params(torchlet, shapes=((2,),), seed=1,
                                                            dtype=np.float64)
    b = make_params(torch, shapes=((3,),)) + make_params(torch, shapes=((2,),), seed=1,
                                                         dtype=np.float64)
    assert_same(tnn.utils.clip_grad_norm_(a, 0.5), torch.nn.utils.clip_grad_norm_(b, 0.5))
    assert_grads_same(a, b)


def test_clip_grad_norm_empty_and_warning():
    assert_same(tnn.utils.clip_grad_norm_([], 1.0), torch.nn.utils.clip_grad_norm_([], 1.0))
    with pytest.warns(UserWarning, match="`parameters` is an empty generator, no gradient "
                                         "clipping will occur."):
        tnn.utils.clip_grad_norm_((p for p in []), 1.0)
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        tnn.utils.clip_grad_norm(make_params(torchlet), 1.0)


def test_clip_grad_norm_nonfinite():
    ours, theirs = make_params(torchlet), make_params(torch)
    ours[0].grad[0, 0] = float('nan')
    theirs[0].grad[0, 0] = float('nan')
    with pytest.raises(RuntimeError) as e_th:
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as e_tl:
        tnn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert str(e_tl.value) == str(e_th.value)
    assert_same(tnn.utils.clip_grad_norm_(ours, 1.0), torch.nn.utils.clip_grad_norm_(theirs, 1.0))
    assert_grads_same(ours, theirs)


def test_get_total_norm_and_clip_grads_with_norm_():
    ours, theirs = make_params(torchlet, scale=3.0), make_params(torch, scale=3.0)
    total_ours = tnn.utils.get_total_norm([p.grad for p in ours], 3.0)
    total_theirs = torch.nn.utils.get_total_norm([p.grad for p in theirs], 3.0)
    assert_same(total_ours, total_theirs)
    tnn.utils.clip_grads_with_norm_(ours, 2.0, total_ours)
    torch.nn.utils.clip_grads_with_norm_(theirs, 2.0, total_theirs)
    assert_grads_same(ours, theirs)


@pytest.mark.parametrize('clip_value', [0.5, 2, 0.0])
def test_clip_grad_value_(clip_value):
    ours, theirs = make_params(torchlet, without_grad=(2,)), make_params(torch, without_grad=(2,))
    assert tnn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    assert_grads_same(ours, theirs)
    ours, theirs = make_params(torchlet), make_params(torch)
    tnn.utils.clip_grad_value_(ours[1], clip_value, foreach=True)
    torch.nn.utils.clip_grad_value_(theirs[1], clip_value)
    assert_grads_same(ours, theirs)


def test_clip_after_backward_in_a_training_step():
    """clip_grad_norm_ between backward and the update, on a real model's gradients."""
    x = rng(3).standard_normal((8, 4)).astype(np.float32)
    results = []
    for lib in (torchlet, torch):
        w = lib.nn.Parameter(lib.tensor(rng(4).standard_normal((4, 3)).astype(np.float32)))
        loss = ((lib.tensor(x) @ w) ** 2).sum()
        loss.backward()
        norm = lib.nn.utils.clip_grad_norm_([w], 1.0)
        results.append((norm, w.grad))
    assert_same(results[0], results[1], rtol=1e-5)


def test_parameters_to_vector_and_back():
    ours, theirs = make_params(torchlet), make_params(torch)
    v_ours = tnn.utils.parameters_to_vector(ours)
    v_theirs = torch.nn.utils.parameters_to_vector(theirs)
    assert_same(v_ours, v_theirs)
    assert v_ours.grad_fn is not None
    new = rng(6).standard_normal(v_theirs.shape).astype(np.float32)
    vec_ours, vec_theirs = torchlet.tensor(new), torch.tensor(new)
    tnn.utils.vector_to_parameters(vec_ours, ours)
    torch.nn.utils.vector_to_parameters(vec_theirs, theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b)
    vec_ours[0] = 100.0                                   # the parameters now view the vector
    assert ours[0][0, 0].item() == 100.0


def test_parameters_to_vector_gradient():
    w = rng(5).standard_normal(24).astype(np.float32)
    grads = []
    for lib in (torchlet, torch):
        params = make_params(lib)
        (lib.nn.utils.parameters_to_vector(params) * lib.tensor(w)).sum().backward()
        grads.append([p.grad for p in params])
    assert_same(grads[0], grads[1])


def test_vector_to_parameters_errors():
    with pytest.raises(TypeError) as e_th:
        torch.nn.utils.vector_to_parameters([1.0, 2.0], make_params(torch))
    with pytest.raises(TypeError) as e_tl:
        tnn.utils.vector_to_parameters([1.0, 2.0], make_params(torchlet))
    assert str(e_tl.value) == str(e_th.value)
    with pytest.raises(RuntimeError) as e_th:
        torch.nn.utils.vector_to_parameters(torch.zeros(3), [torch.zeros(4)])
    with pytest.raises(RuntimeError) as e_tl:
        tnn.utils.vector_to_parameters(torchlet.zeros(3), [torchlet.zeros(4)])
    assert str(e_tl.value) == str(e_th.value)


def test_no_warnings_on_plain_use():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        tnn.utils.clip_grad_norm_(make_params(torchlet), 1.0)
        tnn.utils.clip_grad_value_(make_params(torchlet), 1.0)
