"""Shared test helpers: the PyTorch oracle and a float64 finite-difference gradient check."""
import os

import numpy as np
import pytest
from hypothesis import settings, HealthCheck

import torchlet

torch = pytest.importorskip('torch')

settings.register_profile('ci', derandomize=True, max_examples=25, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.register_profile('dev', max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))


@pytest.fixture(autouse=True)
def _seed():
    np.random.seed(0)
    torch.manual_seed(0)
    yield


def rng(seed=0):
    return np.random.default_rng(seed)


def pair(arr, requires_grad=False):
    """The same data as a torchlet tensor and a torch tensor (separate copies)."""
    arr = np.asarray(arr)
    a = torchlet.tensor(arr.copy())
    b = torch.tensor(arr.copy())
    if requires_grad:
        a.requires_grad_(True)
        b.requires_grad_(True)
    return a, b


def to_np(x):
    if isinstance(x, torchlet.Tensor):
        return x.detach().numpy()
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def assert_same(tl, th, rtol=1e-5, atol=1e-6, check_dtype=True):
    """torchlet result tl equals torch result th: values, shape and dtype (recursing into tuples)."""
    if isinstance(th, (tuple, list)):
        assert isinstance(tl, (tuple, list)) and len(tl) == len(th), (tl, th)
        for x, y in zip(tl, th):
            assert_same(x, y, rtol, atol, check_dtype)
        return
    if isinstance(th, torch.Tensor):
        assert isinstance(tl, torchlet.Tensor), f"expected a Tensor, got {type(tl)}"
        assert tuple(tl.shape) == tuple(th.shape), f"shape {tuple(tl.shape)} != torch {tuple(th.shape)}"
        if check_dtype:
            assert str(tl.dtype) == str(th.dtype), f"dtype {tl.dtype} != torch {th.dtype}"
    np.testing.assert_allclose(to_np(tl).astype(np.float64) if to_np(tl).dtype != bool else to_np(tl),
                               to_np(th).astype(np.float64) if to_np(th).dtype != bool else to_np(th),
                               rtol=rtol, atol=atol, equal_nan=True)


def check_op(fn_tl, fn_th, *arrays, grad=True, rtol=1e-5, atol=1e-6, check_dtype=True, **kwargs):
    """Run the op with torchlet and torch on the same inputs; compare outputs and, for float inputs,
    the gradients of a random weighted sum of the (float) outputs."""
    tl_in, th_in = [], []
    for a in arrays:
        if isinstance(a, np.ndarray):
            rg = grad and a.dtype.kind == 'f'
            x, y = pair(a, rg)
            tl_in.append(x)
            th_in.append(y)
        else:
            tl_in.append(a)
            th_in.append(a)
    out_tl = fn_tl(*tl_in, **kwargs)
    out_th = fn_th(*th_in, **kwargs)
    assert_same(out_tl, out_th, rtol, atol, check_dtype)
    if not grad:
        return out_tl, out_th
    outs_tl = out_tl if isinstance(out_tl, (tuple, list)) else (out_tl,)
    outs_th = out_th if isinstance(out_th, (tuple, list)) else (out_th,)
    r = np.random.default_rng(1)
    loss_tl, loss_th = 0, 0
    for o_tl, o_th in zip(outs_tl, outs_th):
        if isinstance(o_th, torch.Tensor) and o_th.requires_grad:
            w = r.standard_normal(tuple(o_th.shape)).astype(to_np(o_th).dtype)
            loss_tl = loss_tl + (o_tl * torchlet.tensor(w)).sum()
            loss_th = loss_th + (o_th * torch.tensor(w)).sum()
    if isinstance(loss_th, torch.Tensor):
        loss_tl.backward()
        loss_th.backward()
        for x, y in zip(tl_in, th_in):
            if isinstance(y, torch.Tensor) and y.requires_grad:
                if y.grad is None:
                    assert x.grad is None or np.all(to_np(x.grad) == 0)
                else:
                    assert x.grad is not None, "torchlet produced no gradient where torch did"
                    assert_same(x.grad, y.grad, rtol, atol)
    return out_tl, out_th


def numeric_gradcheck(fn, *arrays, eps=1e-6, rtol=1e-4, atol=1e-6):
    """Float64 central finite differences against torchlet's backward for fn(*tensors) -> tensor."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    inputs = [torchlet.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*inputs)
    w = np.random.default_rng(2).standard_normal(tuple(out.shape))
    (out * torchlet.tensor(w)).sum().backward()
    for k, a in enumerate(arrays):
        num = np.zeros_like(a)
        flat = a.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            fp = (fn(*[torchlet.tensor(x) for x in arrays]).detach().numpy() * w).sum()
            flat[i] = old - eps
            fm = (fn(*[torchlet.tensor(x) for x in arrays]).detach().numpy() * w).sum()
            flat[i] = old
            num.reshape(-1)[i] = (fp - fm) / (2 * eps)
        ana = inputs[k].grad
        ana = np.zeros_like(a) if ana is None else ana.numpy()
        np.testing.assert_allclose(ana, num, rtol=rtol, atol=atol, err_msg=f"input {k}")


def raises_like(fn_tl, fn_th, exc=RuntimeError, exc_th=None):
    """torchlet raises exc with torch's message (torch raises exc_th, default exc)."""
    with pytest.raises(exc_th or exc) as e_th:
        fn_th()
    with pytest.raises(exc) as e_tl:
        fn_tl()
    assert str(e_tl.value) == str(e_th.value)


@pytest.fixture(scope='module')
def torch_single_thread():
    """torch on one thread for a module: its thread pool only slows small workloads down."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
