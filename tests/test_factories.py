"""Tensor factories and legacy tensor types, checked against PyTorch."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlet
from conftest import torch, assert_same


def both(expr):
    """Evaluate ``expr`` (using ``m`` for the module and ``np``) with torchlet and with torch."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return eval(expr, {'m': torchlet, 'np': np}), eval(expr, {'m': torch, 'np': np})


def check(expr, exact=True, **kw):
    a, b = both(expr)
    tol = {'rtol': 0, 'atol': 0} if exact else kw
    if isinstance(b, torch.Tensor) and b.is_complex():
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), **tol)
    else:
        assert_same(a, b, **tol)
    return a, b


def same_error(expr):
    with pytest.raises(Exception) as e_th:
        eval(expr, {'m': torch, 'np': np})
    with pytest.raises(Exception) as e_tl:
        eval(expr, {'m': torchlet, 'np': np})
    assert type(e_tl.value) is type(e_th.value), (e_tl.value, e_th.value)
    assert str(e_tl.value).split('\n')[0] == str(e_th.value).split('\n')[0]


# -- tensor() and friends -------------------------------------------------------------------------
@pytest.mark.parametrize('expr', [
    'm.tensor(1)', 'm.tensor(1.5)', 'm.tensor(True)', 'm.tensor(1 + 2j)', 'm.tensor([1, 2.5, True])',
    'm.tensor([[1, 2], [3, 4]])', 'm.tensor([True, False])', 'm.tensor([1, 2j])', 'm.tensor([])',
    'm.tensor([[]])', 'm.tensor(range(4))', 'm.tensor((1, 2))', 'm.tensor([[1.5], [2]])',
    'm.tensor(np.float64(1.5))', 'm.tensor(np.int32(3))', 'm.tensor([np.float32(1), 2.0])',
    'm.tensor([np.float64(1.5), 2])', 'm.tensor([np.int32(3), 4])', 'm.tensor([np.bool_(True)])',
    'm.tensor([np.int16(1), np.int8(2)])', 'm.tensor(np.arange(4.0))', 'm.tensor(np.arange(4))',
    'm.tensor(np.arange(4, dtype=np.int32))', 'm.tensor(np.array(3.0))',
    'm.tensor(np.ones((2, 3), np.float16))', 'm.tensor(np.array([True, False]))',
    'm.tensor(np.ones(3, np.complex64))', 'm.tensor([np.arange(2, dtype=np.int32)])',
    'm.tensor([m.tensor(1, dtype=m.int32), m.tensor(2, dtype=m.int32)])',
    'm.tensor([m.tensor(1.5, dtype=m.float64)])', 'm.tensor([m.tensor(1), 2.5])',
    'm.tensor([1.7, -2.2], dtype=m.int64)', 'm.tensor([1, 2], dtype=m.float64)',
    'm.tensor([[1, 0], [0, 2]], dtype=m.bool)', 'm.tensor(np.arange(3.0), dtype=m.int32)',
    'm.tensor(m.arange(3))', 'm.tensor(3, dtype=m.float16)', 'm.tensor([2 ** 62])',
    'm.tensor([-1], dtype=m.uint8)', 'm.tensor([1.5], dtype=m.bool)', 'm.tensor(2 ** 63 - 1)',
    'm.tensor(-2 ** 63)', 'm.tensor([2 ** 62, 1.5])', 'm.tensor([[1.9, -1.9]], dtype=m.int8)',
])
def test_tensor_inference(expr):
    check(expr)


@pytest.mark.parametrize('expr', [
    'm.tensor([[1, 2], [3]])', 'm.tensor([[1, 2], 3])', 'm.tensor("a")', 'm.tensor([1, "a"])',
    'm.tensor(None)', 'm.tensor(2 ** 63)', 'm.tensor([2 ** 64])',
    'm.tensor([m.tensor([1., 2.]), m.tensor([3., 4.])])', 'm.tensor([300], dtype=m.uint8)',
    'm.tensor([1., [2, 3]])', 'm.tensor([True, [2, 3]])', 'm.tensor([[1, 2], [3, [4]]])',
    'm.tensor([[1, 2], [3, 4, 5]])', 'm.tensor([[1, 2], []])', 'm.tensor([256], dtype=m.uint8)',
    'm.tensor([2 ** 40], dtype=m.int32)', 'm.tensor([1e10], dtype=m.int32)',
    "m.tensor([float('nan')], dtype=m.int64)",
])
def test_tensor_errors(expr):
    same_error(expr)


def test_tensor_copies_and_requires_grad():
    arr = np.arange(3.0)
    t = torchlet.tensor(arr, requires_grad=True)
    arr[0] = 100
    assert t.requires_grad and t.is_leaf and t.detach().numpy()[0] == 0
    src = torchlet.tensor([1., 2.])
    with pytest.warns(UserWarning, match='copy construct'):
        c = torchlet.tensor(src)
    src.numpy()[0] = 9.0
    assert c.numpy()[0] == 1.0
    with pytest.raises(RuntimeError, match='floating point'):
        torchlet.tensor([1, 2], requires_grad=True)


def test_as_tensor_from_numpy_share_memory():
    arr = np.arange(4.0)
    for t in (torchlet.as_tensor(arr), torchlet.from_numpy(arr), torchlet.asarray(arr)):
        assert t.dtype == torchlet.float64
        arr[1] = 42.0
        assert t.numpy()[1] == 42.0
    c = torchlet.as_tensor(arr, dtype=torchlet.float32)
    arr[2] = -1.0
    assert c.dtype == torchlet.float32 and c.numpy()[2] == 2.0
    t = torchlet.tensor([1., 2.])
    assert torchlet.as_tensor(t) is t and torchlet.asarray(t) is t
    assert torchlet.as_tensor(t, dtype=torchlet.float64).dtype == torchlet.float64
    check('m.as_tensor([1, 2], dtype=m.float64)')
    check('m.asarray([1, 2])')
    check('m.asarray(np.arange(3.))')
    check('m.asarray([1.5, 2], dtype=m.float64)')
    cp = torchlet.asarray(arr, copy=True)
    arr[0] = 7.0
    assert cp.numpy()[0] != 7.0
    with pytest.raises(ValueError):
        torchlet.asarray(arr, dtype=torchlet.float32, copy=False)
    rg = torchlet.asarray([1., 2.], requires_grad=True)
    assert rg.requires_grad


def test_from_numpy_errors():
    same_error('m.from_numpy([1, 2])')
    same_error('m.from_numpy(np.arange(4)[::-1])')
    ro = np.arange(3.0)
    ro.flags.writeable = False
    with pytest.warns(UserWarning, match='not writable'):
        torchlet.from_numpy(ro)


# -- filled tensors -------------------------------------------------------------------------------
@pytest.mark.parametrize('fn', ['zeros', 'ones', 'empty'])
def test_filled(fn):
    for args in ['2, 3', '(2, 3)', '[2, 3]', 'm.Size([4])', '0', '()', 'size=(2, 1)',
                 '2, dtype=m.int32', '3, dtype=m.float64', '2, 2, dtype=m.bool']:
        a, b = both(f'm.{fn}({args})')
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)
        if fn != 'empty':
            assert_same(a, b)
    x = getattr(torchlet, fn)(2, requires_grad=True)
    assert x.requires_grad
    out = torchlet.ones(1)
    assert getattr(torchlet, fn)(2, 2, out=out) is out and tuple(out.shape) == (2, 2)


@pytest.mark.parametrize('expr', [
    'm.empty(-1)', 'm.ones(-1)', 'm.ones(2, -3)', 'm.full((-1,), 2)', 'm.full(2, 1.)',
    'm.eye(-1)', 'm.eye(2, -1)', 'm.eye(3.0)', 'm.ones(2.0)', 'm.arange(0, 10, 0)', 'm.arange(10, 0)',
    'm.arange(0, 10, -1)', "m.arange(0, float('inf'))", 'm.linspace(0, 1, -1)', 'm.logspace(0, 1, -2)',
    'm.tril_indices(-1, 3)', 'm.triu_indices(3, -2)', 'm.Tensor(-1)', 'm.Tensor(2.5)',
    'm.FloatTensor(2, "a")', 'm.complex(m.tensor([1]), m.tensor([2]))',
    "m.meshgrid(m.arange(2), m.arange(3.), indexing='ij')", 'm.zeros(2, 3.0)', "m.ones((2, 'a'))",
    'm.rand(2.5)', 'm.randn(2, 3.0)', 'm.empty(2, -1)', 'm.zeros(-1)', 'm.zeros(2, -3)',
])
def test_factory_errors(expr):
    same_error(expr)


@pytest.mark.parametrize('expr', [
    'm.full((2,), 7)', 'm.full((2,), 1.5)', 'm.full((2,), True)', 'm.full((2,), 1 + 1j)',
    'm.full((2,), np.float64(1.5))', 'm.full((2,), m.tensor(1.5, dtype=m.float64))', 'm.full([], 1.)',
    'm.full((2, 3), 2, dtype=m.float64)', 'm.full((1,), -3, dtype=m.int8)',
    'm.eye(3)', 'm.eye(2, 3, dtype=m.int32)', 'm.eye(4, 2)', 'm.eye(0)', 'm.scalar_tensor(3)',
    'm.zeros_like(m.tensor([1, 2]))', 'm.ones_like(m.tensor([1, 2]), dtype=m.float64)',
    'm.full_like(m.tensor([1, 2]), 2.7)', 'm.full_like(m.tensor([1., 2]), 2)',
    'm.full_like(m.zeros(2, 2), 5, dtype=m.int16)',
    'm.tensor([1, 2]).new_tensor([1.5])', 'm.tensor([1, 2]).new_zeros(2, 3)',
    'm.tensor([1, 2]).new_zeros((2, 3))', 'm.tensor([1., 2]).new_full((2,), 3)',
    'm.tensor([1, 2]).new_full((2,), 3.5)', 'm.tensor([1, 2], dtype=m.int32).new_ones(2)',
    'm.tensor([1., 2.], dtype=m.float64).new_tensor(np.array([1], dtype=np.int32))',
    'm.tensor([1., 2.], dtype=m.float64).new_ones(2, dtype=m.int64)',
    'm.complex(m.tensor([1.]), m.tensor([2.]))', 'm.polar(m.tensor([1., 2.]), m.tensor([0.5, -1.]))',
    'm.complex(m.tensor([1.], dtype=m.float64), m.tensor([2.], dtype=m.float64))',
])
def test_deterministic_factories(expr):
    check(expr, exact=False, rtol=1e-6, atol=1e-7)


def test_new_empty_and_like_dtypes():
    for expr in ['m.tensor([1, 2]).new_empty(2)', 'm.empty_like(m.zeros(2, 3, dtype=m.int32))',
                 'm.empty_strided((2, 3), (1, 2))', 'm.tensor([1.]).new_empty((3, 1))']:
        a, b = both(expr)
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)
    assert torchlet.empty_strided((2, 3), (1, 2)).stride() == (1, 2)
    assert torchlet.zeros_like(torchlet.zeros(2), requires_grad=True).requires_grad


# -- ranges ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('expr', [
    'm.arange(5)', 'm.arange(5.)', 'm.arange(1, 4)', 'm.arange(0, 1, 0.1)', 'm.arange(0, 1, 0.3)',
    'm.arange(1, 2.5, 0.5)', 'm.arange(np.int32(5))', 'm.arange(m.tensor(5))', 'm.arange(m.tensor(5.))',
    'm.arange(10, 0, -3)', 'm.arange(5, dtype=m.float64)', 'm.arange(0.5, dtype=m.int64)',
    'm.arange(-1.5, 2, dtype=m.int64)', 'm.arange(-1.5, 2, dtype=m.int32)', 'm.arange(True)',
    'm.arange(5, 5)', 'm.arange(-7, 20, 3, dtype=m.int16)', 'm.arange(0, 100, 0.7)',
    'm.arange(-3, 3, 0.01)', 'm.arange(1e3, 2e3, 3.3)', 'm.arange(0, 12345, 0.37)',
    'm.range(0, 3)', 'm.range(0, 1, 0.25)', 'm.range(0, 3, dtype=m.int64)', 'm.range(5, 1, -2)',
    'm.linspace(0, 1, 5)', 'm.linspace(0, 1, 1)', 'm.linspace(0, 1, 0)', 'm.linspace(-3, 7, 6)',
    'm.linspace(0, 10, 5, dtype=m.int64)', 'm.linspace(0, 10, 4, dtype=m.int64)',
    'm.linspace(-1, 1, 101)', 'm.linspace(3.3, -7.1, 77)', 'm.linspace(m.tensor(0.), m.tensor(1.), 3)',
    'm.linspace(0, 1, steps=3)', 'm.linspace(0, 1, 9, dtype=m.float64)',
    'm.linspace(-2.5, 100, 1000, dtype=m.float64)',
])
def test_ranges_exact(expr):
    check(expr)


@pytest.mark.parametrize('expr', [
    'm.logspace(0, 2, 3)', 'm.logspace(0, 2, 3, base=2)', 'm.logspace(0, 2, 3, dtype=m.int64)',
    'm.logspace(-3, 2, 37)', 'm.logspace(-1, 1, 11, dtype=m.float64)', 'm.logspace(1, -1, 5, base=3)',
    'm.arange(-2.2, 7.7, 0.013, dtype=m.float64)', 'm.linspace(0, 1, 5, dtype=m.complex64)',
])
def test_ranges_close(expr):
    check(expr, exact=False, rtol=1e-6, atol=0)


@given(st.floats(-1e3, 1e3), st.floats(0.01, 50), st.integers(1, 3000), st.booleans())
def test_arange_float32_random(start, step, count, down):
    if down:
        step = -step
    end = start + step * (count + 0.5)
    check(f'm.arange({start!r}, {end!r}, {step!r})')


@given(st.integers(-1000, 1000), st.integers(1, 50), st.integers(0, 500), st.booleans())
def test_arange_int_random(start, step, count, down):
    if down:
        step = -step
    check(f'm.arange({start}, {start + step * count}, {step})')


@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.integers(0, 2000))
def test_linspace_float32_random(start, end, steps):
    check(f'm.linspace({start!r}, {end!r}, {steps})')


def test_range_warns():
    with pytest.warns(UserWarning, match='deprecated'):
        torchlet.range(0, 2)


def test_range_out_and_grad():
    out = torchlet.zeros(2)
    assert torchlet.arange(5, out=out) is out and out.numpy().tolist() == [0, 1, 2, 3, 4]
    assert torchlet.linspace(0, 1, 3, requires_grad=True).requires_grad


# -- grids and triangles --------------------------------------------------------------------------
@pytest.mark.parametrize('indexing', ['ij', 'xy'])
def test_meshgrid(indexing):
    x, y, z = np.arange(2.), np.arange(3.) + 10, np.arange(4.) - 5
    a, b = both(f"m.meshgrid(m.tensor(np.arange(2.)), m.tensor(np.arange(3.) + 10), indexing='{indexing}')")
    assert_same(a, b)
    a, b = both(f"m.meshgrid([m.tensor(np.arange(2.)), m.tensor(np.arange(3.)), m.tensor(np.arange(4.))], "
                f"indexing='{indexing}')")
    assert_same(a, b)
    a, b = both(f"m.meshgrid(m.tensor(3.), m.tensor([1., 2.]), indexing='{indexing}')")
    assert_same(a, b)
    # gradients flow back through the expanded grids
    xs = [torchlet.tensor(v, requires_grad=True) for v in (x, y, z)]
    ts = [torch.tensor(v, requires_grad=True) for v in (x, y, z)]
    ga = torchlet.meshgrid(*xs, indexing=indexing)
    gb = torch.meshgrid(*ts, indexing=indexing)
    w = np.random.default_rng(0).standard_normal(tuple(gb[0].shape))
    sum(((g * torchlet.tensor(w * (k + 1))).sum() for k, g in enumerate(ga)), torchlet.tensor(0.)).backward()
    sum((g * torch.tensor(w * (k + 1))).sum() for k, g in enumerate(gb)).backward()
    for p, q in zip(xs, ts):
        assert_same(p.grad, q.grad)


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match='indexing'):
        torchlet.meshgrid(torchlet.arange(2), torchlet.arange(3))
    with pytest.raises(RuntimeError, match='Expected 0D or 1D tensor'):
        torchlet.meshgrid(torchlet.zeros(2, 2), indexing='ij')


@pytest.mark.parametrize('args', ['3, 3', '3, 4, 1', '4, 3, -1', '5, 5, -6', '2, 6, 10', '0, 3',
                                  '3, 3, dtype=m.int32', '1, 1'])
@pytest.mark.parametrize('fn', ['tril_indices', 'triu_indices'])
def test_tri_indices(fn, args):
    check(f'm.{fn}({args})')


def test_cartesian_prod():
    check('m.cartesian_prod(m.arange(2), m.arange(3))')
    check('m.cartesian_prod(m.tensor([1., 2.]), m.tensor([3., 4.]), m.tensor([5., 6.]))')
    check('m.cartesian_prod(m.arange(2))')


# -- the Tensor constructor and legacy types ------------------------------------------------------
LEGACY = ['FloatTensor', 'DoubleTensor', 'HalfTensor', 'ByteTensor', 'CharTensor', 'ShortTensor',
          'IntTensor', 'LongTensor', 'BoolTensor']


@pytest.mark.parametrize('expr', [
    'm.Tensor([1, 2])', 'm.Tensor([[1, 2]])', 'm.Tensor(np.array([1, 2]))', 'm.Tensor()',
    'm.Tensor(m.tensor([1, 2]))', 'm.FloatTensor([[1, 2]])', 'm.LongTensor([1.7, 2])',
    'm.BoolTensor([1, 0])', 'm.HalfTensor([1.5])', 'm.IntTensor([3])',
    'm.FloatTensor(m.tensor([1., 2.]))', 'm.DoubleTensor([1, 2])', 'm.ByteTensor([1, 255])',
    'm.CharTensor([-1, 5])', 'm.ShortTensor([[1], [2]])', 'm.FloatTensor(0)', 'm.FloatTensor()',
    'm.Tensor((2, 3))',
])
def test_legacy_constructors_data(expr):
    check(expr)


@pytest.mark.parametrize('expr', ['m.Tensor(2, 3)', 'm.Tensor(m.Size([2]))', 'm.FloatTensor(2, 3)',
                                  'm.LongTensor(m.Size([2, 2]))', 'm.IntTensor(4)',
                                  'm.Tensor(3, device="cpu")',
                                  'm.Tensor(m.Size([2, 3]))'])
def test_legacy_constructors_sizes(expr):
    a, b = both(expr)
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)


@pytest.mark.parametrize('expr', ['m.FloatTensor(m.tensor([1, 2]))', 'm.DoubleTensor(m.tensor([1., 2]))',
                                  'm.ByteTensor([1, 300])', 'm.FloatTensor(2.5)'])
def test_legacy_constructor_errors(expr):
    with pytest.raises(Exception) as e_th:
        eval(expr, {'m': torch, 'np': np})
    with pytest.raises(Exception) as e_tl:
        eval(expr, {'m': torchlet, 'np': np})
    assert type(e_tl.value) is type(e_th.value)


@pytest.mark.parametrize('name', LEGACY)
def test_legacy_isinstance_and_type(name):
    cls_tl, cls_th = getattr(torchlet, name), getattr(torch, name)
    dt_name = str(cls_th.dtype).replace('torch.', '')
    for other in ['float32', 'float64', 'int64', 'int32', 'bool', 'uint8', 'float16', 'int8', 'int16']:
        x_tl = torchlet.zeros(2, dtype=getattr(torchlet, other))
        x_th = torch.zeros(2, dtype=getattr(torch, other))
        assert isinstance(x_tl, cls_tl) == isinstance(x_th, cls_th) == (other == dt_name)
        assert x_tl.type() == x_th.type()
        assert torchlet.typename(x_tl) == torch.typename(x_th)
        assert x_tl.type(cls_tl).dtype == getattr(torchlet, dt_name)
        assert x_tl.type(f'torch.{name}').dtype == getattr(torchlet, dt_name)
    assert not isinstance(3, cls_tl)
    assert cls_tl.dtype == getattr(torchlet, dt_name)
    assert repr(cls_tl) == repr(cls_th) and cls_tl.__name__ == name
    assert not issubclass(cls_tl, torchlet.Tensor)


def test_legacy_isinstance_for_subclasses_and_results():
    x = torchlet.tensor([1., 2.], requires_grad=True)
    assert isinstance(x * 2, torchlet.FloatTensor)
    assert isinstance(x.type(torchlet.DoubleTensor), torchlet.DoubleTensor)
    assert isinstance(torchlet.FloatTensor([1]), torchlet.Tensor)


def test_set_default_tensor_type():
    old = torchlet.get_default_dtype()
    try:
        with pytest.warns(UserWarning, match='deprecated'):
            torchlet.set_default_tensor_type(torchlet.DoubleTensor)
        assert torchlet.get_default_dtype() == torchlet.float64
        assert torchlet.tensor([1.5]).dtype == torchlet.float64
        assert torchlet.Tensor([1]).dtype == torchlet.float64
        with pytest.warns(UserWarning):
            torchlet.set_default_tensor_type('torch.FloatTensor')
        assert torchlet.get_default_dtype() == torchlet.float32
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            same_error('m.set_default_tensor_type(m.IntTensor)')
    finally:
        torchlet.set_default_dtype(old)


def test_is_tensor_is_storage_typename():
    for expr in ['m.is_tensor(m.tensor(1))', 'm.is_tensor(3)', 'm.is_tensor(np.zeros(2))',
                 'm.is_storage(m.tensor(1))', 'm.is_storage(3)', 'm.typename(m.tensor([1.]))',
                 'm.typename(m.tensor([1]))', 'm.typename(3)', 'm.typename([1])', 'm.typename(int)',
                 'm.typename(np.zeros(1))']:
        a, b = both(expr)
        assert a == b, expr


def test_type_errors():
    same_error("m.tensor([1.]).type('torch.FooTensor')")
