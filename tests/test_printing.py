"""repr/str of tensors must equal PyTorch's exactly."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlet
from conftest import torch

DTYPES = ['float32', 'float64', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
          'complex64', 'complex128']


@pytest.fixture(autouse=True)
def _restore_printoptions():
    yield
    torch.set_printoptions(profile='default', sci_mode=None)
    torchlet.set_printoptions(profile='default', sci_mode=None)


def both(arr):
    arr = np.asarray(arr)
    return torchlet.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


def assert_repr(arr):
    a, b = both(arr)
    assert repr(a) == repr(b), f"\n{repr(a)}\n!=\n{repr(b)}"
    assert str(a) == repr(a)


def set_opts(**kw):
    torch.set_printoptions(**kw)
    torchlet.set_printoptions(**kw)


@pytest.mark.parametrize('arr', [
    [1., 2., 3.], [0.1, 0.2], [1e-5, 1e5], [1.5, -2.25, 1e-3], [100000., 1.], [1e8, 1.], [1e9, 1.],
    [123456789.], [1e-4, 1.], [0.0001, 0.001], [0., 0., 0.], [-0., 0.], [-0., 1.5], [0.],
    [np.nan, 1.], [np.inf, -np.inf, 1.], [np.nan, np.inf], [np.nan], [1., np.nan, 2.5],
    [np.inf, 1e-7], [-1., -2.], [1e-38, 1.], [3.0e38, -3.0e38], [12345.678, 0.5],
    [[1., 2.], [3., 4.]], [[1.5, -2.0], [3.25, 1e3]], [[[1, 2], [3, 4]], [[5, 6], [7, 8]]],
    [1, 2, 3], [-1, 200, 30000], [True, False], [[True], [False]],
    3.5, -0.0, 7, True, np.nan, 1e-10,
])
def test_simple_reprs(arr):
    for dt in (np.float32, np.float64) if np.asarray(arr).dtype.kind == 'f' else (None,):
        assert_repr(np.asarray(arr, dtype=dt))


@pytest.mark.parametrize('dtype', DTYPES)
def test_dtype_suffixes(dtype):
    arr = (np.arange(6).reshape(2, 3) * 1.5).astype(dtype)
    assert_repr(arr)
    assert_repr(arr[0, 0])


@pytest.mark.parametrize('shape', [(0,), (0, 3), (2, 0, 4), (3, 0)])
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64', 'bool', 'int32'])
def test_empty(shape, dtype):
    assert_repr(np.zeros(shape, dtype))


@pytest.mark.parametrize('shape', [(2000,), (1001,), (40, 30), (3, 400), (11, 12, 13), (2, 3, 4, 50),
                                   (7, 1, 200), (1000,), (10, 100)])
def test_summarised(shape):
    r = np.random.default_rng(0)
    assert_repr(r.standard_normal(shape).astype(np.float32))
    assert_repr(r.integers(-1000, 1000, shape))
    assert_repr(r.standard_normal(shape) * 1e6)


def test_line_wrapping():
    r = np.random.default_rng(1)
    for n in (10, 20, 25, 26, 27, 60, 200):
        assert_repr(r.standard_normal(n).astype(np.float32))
        assert_repr(r.integers(0, 10 ** 6, n))
        assert_repr(r.standard_normal((3, n)) * 1e-5)
        assert_repr(r.integers(0, 100, n).astype(np.int32))
        assert_repr(r.standard_normal(n).astype(np.float64))


def test_suffix_wrapping():
    # long last lines push the dtype / requires_grad suffixes onto a new line
    for n in range(8, 16):
        assert_repr(np.arange(n, dtype=np.float64) / 3)
        assert_repr(np.arange(n, dtype=np.int32) * 1000)
    a = torchlet.tensor(np.arange(11, dtype=np.float64) / 3, requires_grad=True)
    b = torch.tensor(np.arange(11, dtype=np.float64) / 3, requires_grad=True)
    assert repr(a) == repr(b)


def test_autograd_suffixes():
    a = torchlet.tensor([1., 2.], requires_grad=True)
    b = torch.tensor([1., 2.], requires_grad=True)
    assert repr(a) == repr(b) == 'tensor([1., 2.], requires_grad=True)'
    assert repr(a * 2) == repr(b * 2) == 'tensor([2., 4.], grad_fn=<MulBackward0>)'
    assert repr(a + a) == repr(b + b)
    assert repr((a * 2).detach()) == repr((b * 2).detach())
    a64 = torchlet.tensor([1.5], dtype=torchlet.float64, requires_grad=True)
    b64 = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)
    assert repr(a64 * 3) == repr(b64 * 3)


def test_complex():
    r = np.random.default_rng(2)
    for scale in (1., 1e-6, 1e6):
        z = (r.standard_normal(5) + 1j * r.standard_normal(5)) * scale
        assert_repr(z.astype(np.complex64))
        assert_repr(z)
    assert_repr(np.array([1 + 0j, -0.0 - 1j, 2j], np.complex64))
    assert_repr(np.complex128(1.5 - 2j))


@pytest.mark.parametrize('opts', [
    dict(precision=2), dict(precision=8), dict(sci_mode=True), dict(sci_mode=False),
    dict(linewidth=40), dict(linewidth=200), dict(threshold=5), dict(threshold=5, edgeitems=1),
    dict(profile='short'), dict(profile='full'), dict(edgeitems=0, threshold=3),
])
def test_printoptions(opts):
    set_opts(**opts)
    r = np.random.default_rng(3)
    assert_repr(r.standard_normal(30).astype(np.float32))
    assert_repr(r.standard_normal((4, 9)) * 1e-3)
    assert_repr(np.arange(12))
    assert_repr(r.standard_normal((20, 60)).astype(np.float32))
    assert_repr(np.array([1.0, 2.0, 3.0], np.float32))


def test_printoptions_context_and_get():
    with torchlet.printoptions(precision=2):
        assert repr(torchlet.tensor([1.12345])) == 'tensor([1.12])'
        assert torchlet.get_printoptions()['precision'] == 2
    assert repr(torchlet.tensor([1.12345])) == 'tensor([1.1235])'


def test_default_dtype_changes_suffix():
    old = torchlet.get_default_dtype()
    try:
        torchlet.set_default_dtype(torchlet.float64)
        torch.set_default_dtype(torch.float64)
        assert_repr(np.array([1.5, 2.0]))
        assert_repr(np.array([1.5, 2.0], np.float32))
        assert_repr(np.zeros((0,), np.float32))
    finally:
        torchlet.set_default_dtype(old)
        torch.set_default_dtype(torch.float32)


def test_subclass_prefix():
    class MyTensor(torchlet.Tensor):
        pass

    class TorchTensor(torch.Tensor):
        pass
    a = torchlet.tensor([1., 2.]).as_subclass(MyTensor)
    b = torch.tensor([1., 2.]).as_subclass(TorchTensor)
    assert repr(a).replace('MyTensor', 'X') == repr(b).replace('TorchTensor', 'X')


_floats = st.floats(allow_nan=True, allow_infinity=True, width=32)


@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.integers(-12, 12),
       st.sampled_from(['float32', 'float64', 'float16', 'int64', 'int32', 'uint8', 'bool']),
       st.integers(0, 2 ** 31 - 1), st.booleans())
def test_random_tensors(shape, exponent, dtype, seed, integral):
    r = np.random.default_rng(seed)
    arr = r.standard_normal(shape) * 10.0 ** exponent
    if integral:
        arr = np.round(arr)
    if dtype == 'uint8':
        arr = np.abs(arr) % 256
    elif dtype.startswith('int'):
        arr = np.clip(arr, -2 ** 31, 2 ** 31 - 1)
    elif dtype == 'float16':
        arr = np.clip(arr, -60000, 60000)
    assert_repr(arr.astype(dtype))


@given(st.lists(_floats, min_size=1, max_size=30))
def test_random_float_lists(values):
    assert_repr(np.array(values, np.float32))


def test_parameter_repr():
    if not hasattr(torchlet, 'nn') or not hasattr(torchlet.nn, 'Parameter'):
        pytest.skip('torchlet.nn.Parameter not available')
    a = torchlet.nn.Parameter(torchlet.tensor([1., 2.]))
    b = torch.nn.Parameter(torch.tensor([1., 2.]))
    assert repr(a) == repr(b)
