"""Miscellaneous top-level API: threads, determinism flags, dtype predicates, matmul precision,
torch.compile / torch.jit no-ops."""
import warnings

import numpy as np
import pytest

import torchlet
from torchlet import _misc

torch = pytest.importorskip('torch')


def outcome(fn):
    try:
        return 'ok', fn()
    except Exception as e:  # noqa: BLE001  (comparing whatever either library raises)
        return type(e), str(e)


def same_outcome(fn):
    assert outcome(lambda: fn(torchlet)) == outcome(lambda: fn(torch))


# -- threads ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('fn', ['set_num_threads', 'set_num_interop_threads'])
@pytest.mark.parametrize('bad', [0, -1, 1.5, True, '2'])
def test_thread_count_validation_like_torch(fn, bad):
    same_outcome(lambda lib: getattr(lib, fn)(bad))


def test_set_num_threads_controls_blas_threads():
    old = torchlet.get_num_threads()
    try:
        torchlet.set_num_threads(1)
        assert torchlet.get_num_threads() == 1
        blas = _misc._openblas()
        if blas is not None:
            assert blas[1]() == 1
    finally:
        torchlet.set_num_threads(old)
    assert torchlet.get_num_threads() == old


def test_default_thread_counts_are_positive_ints():
    for n in (torchlet.get_num_threads(), torchlet.get_num_interop_threads()):
        assert isinstance(n, int) and n >= 1


def test_interop_threads_roundtrip():
    old = _misc._state['interop_threads']
    try:
        torchlet.set_num_interop_threads(3)
        assert torchlet.get_num_interop_threads() == 3
    finally:
        _misc._state['interop_threads'] = old


# -- determinism -----------------------------------------------------------------------------------
def _determinism_trace(lib):
    """Drive the determinism API of lib through a sequence and record every observable state."""
    seen = []

    def state():
        seen.append((lib.are_deterministic_algorithms_enabled(),
                     lib.is_deterministic_algorithms_warn_only_enabled(),
                     lib.get_deterministic_debug_mode()))
    try:
        state()
        lib.use_deterministic_algorithms(True)
        state()
        lib.use_deterministic_algorithms(True, warn_only=True)
        state()
        lib.use_deterministic_algorithms(mode=False)
        state()
        for mode in ('warn', 'error', 'default', 1, 2, 0):
            lib.set_deterministic_debug_mode(mode)
            state()
        for bad in (lambda: lib.use_deterministic_algorithms(1),
                    lambda: lib.use_deterministic_algorithms(True, warn_only=1),
                    lambda: lib.set_deterministic_debug_mode('bad'),
                    lambda: lib.set_deterministic_debug_mode(3),
                    lambda: lib.set_deterministic_debug_mode(1.0)):
            seen.append(outcome(bad))
            state()
    finally:
        lib.use_deterministic_algorithms(False)
    return seen


def test_determinism_flags_like_torch():
    assert _determinism_trace(torchlet) == _determinism_trace(torch)


# -- dtype predicates ------------------------------------------------------------------------------
DTYPES = ['float16', 'float32', 'float64', 'int8', 'uint8', 'int32', 'int64', 'bool', 'complex64',
          'complex128']


@pytest.mark.parametrize('dtype', DTYPES)
def test_is_floating_point_and_is_complex(dtype):
    arr = np.zeros(2, dtype=dtype)
    a, b = torchlet.tensor(arr), torch.tensor(arr)
    assert torchlet.is_floating_point(a) == torch.is_floating_point(b)
    assert torchlet.is_complex(a) == torch.is_complex(b)
    assert torchlet.numel(a) == torch.numel(b)


@pytest.mark.parametrize('value', [[1.5], [0], [], [1, 2], False, True, float('nan'), [[0.5]], 0j, 1 + 0j,
                                   [[[0]]], -0.0])
def test_is_nonzero_like_torch(value):
    same_outcome(lambda lib: lib.is_nonzero(lib.tensor(value)))


@pytest.mark.parametrize('fn', ['is_floating_point', 'is_complex', 'is_nonzero', 'numel'])
@pytest.mark.parametrize('arg', [1.0, 1j, [1, 2], None])
def test_predicates_reject_non_tensors_like_torch(fn, arg):
    same_outcome(lambda lib: getattr(lib, fn)(arg))


def test_numel_shapes():
    for shape in [(), (0,), (2, 3), (4, 0, 2), (1, 1, 5)]:
        arr = np.zeros(shape, dtype=np.float32)
        assert torchlet.numel(torchlet.tensor(arr)) == torch.numel(torch.tensor(arr))


# -- float32 matmul precision ----------------------------------------------------------------------
def test_float32_matmul_precision_like_torch():
    def trace(lib):
        seen = [lib.get_float32_matmul_precision()]
        try:
            for p in ('high', 'medium', 'highest', 'high'):
                lib.set_float32_matmul_precision(p)
                seen.append(lib.get_float32_matmul_precision())
            with warnings.catch_warnings(record=True) as rec:
                warnings.simplefilter('always')
                lib.set_float32_matmul_precision('bogus')
            seen.append((lib.get_float32_matmul_precision(), [w.category for w in rec],
                         [str(w.message)[:95] for w in rec]))
        finally:
            lib.set_float32_matmul_precision('highest')
        return seen
    assert trace(torchlet) == trace(torch)


def test_default_device():
    assert repr(torchlet.get_default_device()) == repr(torch.get_default_device())
    torchlet.set_default_device('cpu')
    torchlet.set_default_device(None)
    assert torchlet.get_default_device() == torchlet.device('cpu')
    with pytest.raises(AssertionError, match='^Torch not compiled with CUDA enabled$'):
        torchlet.set_default_device('cuda')
    same_outcome(lambda lib: lib.set_default_device('gpu'))


# -- compile / jit ---------------------------------------------------------------------------------
def test_compile_returns_input_unchanged():
    def f(x):
        return x * 2
    assert torchlet.compile(f) is f
    assert torchlet.compile(f, mode='max-autotune', fullgraph=True, dynamic=False) is f
    assert torchlet.compile()(f) is f
    assert torchlet.compile(mode='reduce-overhead')(f) is f

    @torchlet.compile
    def g(x):
        return x + 1
    assert g(1) == 2

    class M:
        def __call__(self, x):
            return x
    m = M()
    assert torchlet.compile(m) is m


def test_compile_errors_like_torch():
    # torch's messages (checked against torch 2.13; calling torch.compile here would import dynamo)
    with pytest.raises(AssertionError, match=r"^A callable function is expected, but <class 'int'> is "
                                             r"provided\.$"):
        torchlet.compile(1)
    with pytest.raises(RuntimeError, match=r"^Either mode or options can be specified, but both can't be "
                                           r"specified at the same time\.$"):
        torchlet.compile(print, mode='default', options={})
    with pytest.raises(RuntimeError, match="^Model can't be None$"):
        torchlet.compile()(None)


def test_jit_stubs():
    import torchlet.jit as jit

    def f(x):
        return x
    assert jit.script(f) is f
    assert jit.trace(f, torchlet.ones(1)) is f
    assert jit.ignore(f) is f and jit.ignore(drop=True)(f) is f and jit.unused(f) is f
    assert jit.is_scripting() is torch.jit.is_scripting() is False
    assert jit.is_tracing() is torch.jit.is_tracing() is False
    with pytest.raises(AttributeError, match=r'torch\.jit\.load is not yet implemented in torchlet'):
        jit.load


def test_misc_names_are_exported_at_top_level():
    for name in _misc.__all__:
        assert getattr(torchlet, name) is getattr(_misc, name), name
