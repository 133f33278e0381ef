"""Reductions, statistics, norms and cumulative ops against torch: values, dtypes, shapes, indices,
gradients (first and second order), non-contiguous inputs and errors."""
import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlet
from conftest import check_op, numeric_gradcheck, torch, rng, assert_same, pair

FLOATS = [np.float32, np.float64]
INF = math.inf


def randn(shape, dt=np.float64, seed=0):
    return rng(seed).standard_normal(shape).astype(dt)


def both(name):
    """The same-named function of torchlet and torch."""
    return getattr(torchlet, name), getattr(torch, name)


def check_noncontig(fn, arr, **kwargs):
    """fn(torchlet view) equals fn(torch copy) for a non-contiguous NumPy view arr, gradients too."""
    x = torchlet.from_numpy(arr).requires_grad_()
    assert not x.is_contiguous()
    y = torch.tensor(np.ascontiguousarray(arr), requires_grad=True)
    out_tl, out_th = fn(torchlet, x, **kwargs), fn(torch, y, **kwargs)
    assert_same(out_tl, out_th)
    first_tl = out_tl[0] if isinstance(out_tl, tuple) else out_tl
    first_th = out_th[0] if isinstance(out_th, tuple) else out_th
    w = randn(tuple(first_th.shape), arr.dtype, 5)
    (first_tl * torchlet.tensor(w)).sum().backward()
    (first_th * torch.tensor(w)).sum().backward()
    assert_same(x.grad, y.grad)


def second_order(fn, arr, seed=3):
    """d/dx <w2, d/dx <w1, fn(x)>> with torchlet and torch (create_graph) must agree."""
    w1 = None
    results = []
    for lib in (torchlet, torch):
        x = lib.tensor(arr.copy(), requires_grad=True)
        out = fn(lib, x)
        if w1 is None:
            w1 = randn(tuple(out.shape), arr.dtype, seed)
            w2 = randn(arr.shape, arr.dtype, seed + 1)
        g, = lib.autograd.grad((out * lib.tensor(w1)).sum(), x, create_graph=True)
        gg, = lib.autograd.grad((g * lib.tensor(w2)).sum(), x)
        results.append((g, gg))
    assert_same(results[0][0], results[1][0], rtol=1e-6)
    assert_same(results[0][1], results[1][1], rtol=1e-6)


# -- sum / mean / prod and friends over dims ----------------------------------------------------
DIMS = [None, 0, -1, (0, 2), (-1, -3), [1]]
MULTI_DIM_OPS = ['sum', 'nansum', 'mean', 'nanmean', 'amax', 'amin', 'logsumexp', 'std', 'var',
                 'count_nonzero']


@pytest.mark.parametrize('name', MULTI_DIM_OPS)
@pytest.mark.parametrize('dim', DIMS)
@pytest.mark.parametrize('dt', FLOATS)
def test_multi_dim_reductions(name, dim, dt):
    a = randn((2, 3, 4), dt)
    if dim is None and name == 'logsumexp':
        dim = (0, 1, 2)
    kw = {} if dim is None else {'dim': dim}
    for keepdim in ([False, True] if dim is not None and name != 'count_nonzero' else [False]):
        if dim is not None and name != 'count_nonzero':
            kw['keepdim'] = keepdim
        check_op(*both(name), a, **kw)


@pytest.mark.filterwarnings('ignore:var.*degrees of freedom:UserWarning', 'ignore::RuntimeWarning')
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_random_shapes_and_dims(shape, data):
    ndim = len(shape)
    dims = data.draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                              unique_by=lambda d: d % ndim))
    keepdim = data.draw(st.booleans())
    a = randn(tuple(shape), seed=len(dims))
    for name in ['sum', 'mean', 'amax', 'logsumexp', 'var']:
        check_op(*both(name), a, dim=tuple(dims), keepdim=keepdim)
    for name in ['prod', 'cumsum', 'max', 'median']:
        kw = {} if name == 'cumsum' else {'keepdim': keepdim}
        check_op(*both(name), a, dim=dims[0], **kw)


def test_numpy_style_aliases():
    a = randn((2, 3))
    check_op(lambda x: x.sum(axis=1, keepdims=True), lambda x: x.sum(axis=1, keepdims=True), a)
    check_op(lambda x: torchlet.mean(x, axis=0), lambda x: torch.mean(x, axis=0), a)
    check_op(lambda x: x.max(axis=1), lambda x: x.max(axis=1), a)


@pytest.mark.parametrize('name', ['sum', 'mean', 'prod', 'std', 'var', 'logsumexp', 'amax', 'norm'])
def test_method_form_and_noncontiguous(name):
    base = randn((4, 3))
    check_noncontig(lambda lib, x: getattr(x, name)(0), base.T)
    check_noncontig(lambda lib, x: getattr(lib, name)(x, 1), base[:, ::2].T)


@pytest.mark.parametrize('dim', [None, 0, 1, -1])
@pytest.mark.parametrize('keepdim', [False, True])
@pytest.mark.parametrize('dt', FLOATS)
def test_prod(dim, keepdim, dt):
    a = randn((3, 4), dt) + 0.5
    kw = {} if dim is None else {'dim': dim, 'keepdim': keepdim}
    check_op(*both('prod'), a, **kw)


@pytest.mark.parametrize('zeros', [[(1, 2)], [(1, 2), (0, 0)], [(1, 2), (1, 3)], [(0, 0), (1, 0)]])
@pytest.mark.parametrize('dim', [None, 0, 1])
def test_prod_gradient_with_zeros(zeros, dim):
    a = randn((3, 4)) + 0.5
    for z in zeros:
        a[z] = 0
    kw = {} if dim is None else {'dim': dim}
    check_op(*both('prod'), a, **kw)
    check_op(*both('prod'), a.astype(np.float32), **kw)
    second_order(lambda lib, x: x.prod(**kw), a)


def test_sum_and_mean_dtype_rules():
    for dt in ['int32', 'int64', 'bool', 'uint8', 'int8']:
        a = (np.arange(6).reshape(2, 3) % 3).astype(dt)
        check_op(*both('sum'), a, grad=False)
        check_op(*both('sum'), a, dim=1, grad=False)
        check_op(*both('nansum'), a, grad=False)
        check_op(*both('prod'), a, dim=0, grad=False)
        x, y = pair(a)
        assert_same(torchlet.mean(x, dtype=torchlet.float64), torch.mean(y, dtype=torch.float64))
        assert_same(x.sum(dtype=torchlet.float32), y.sum(dtype=torch.float32))
    check_op(*both('sum'), randn((2, 3), np.float16), grad=False, rtol=1e-3)
    for lib in (torchlet, torch):
        x = lib.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        s = x.sum(dtype=lib.float64)
        assert s.dtype == lib.float64
        s.backward()
        assert x.grad.dtype == lib.float32


def test_sum_empty_dims_reduce_everything():
    a = randn((2, 3))
    for name in ['sum', 'mean', 'amax', 'std', 'count_nonzero']:
        grad = name != 'std'   # torch's std gradient for dim=() is inf (a torch bug)
        check_op(*both(name), a, dim=(), grad=grad)
        check_op(*both(name), a, dim=[], grad=grad)


def test_mean_of_integer_tensor_raises():
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype. Input dtype must "
                           r"be either a floating point or complex dtype. Got: Long"):
            lib.tensor([1, 2, 3]).mean()
        with pytest.raises(RuntimeError, match=r"Optional dtype must be either a floating point or "
                           r"complex dtype. Got: Long"):
            lib.tensor([1., 2.]).mean(dtype=lib.int64)
        with pytest.raises(RuntimeError, match=r"nanmean\(\): expected input to have floating point"):
            lib.tensor([1, 2]).nanmean()


def test_dim_out_of_range():
    msg = r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"
    for lib in (torchlet, torch):
        x = lib.ones(2, 3)
        for f in (lambda: x.sum(2), lambda: x.mean((0, 2)), lambda: x.max(2), lambda: x.argmax(2),
                  lambda: x.std(2), lambda: x.cumsum(2), lambda: x.amax(2), lambda: x.norm(dim=2),
                  lambda: x.logsumexp(2), lambda: x.any(2), lambda: x.median(2), lambda: x.prod(2),
                  lambda: x.count_nonzero(2)):
            with pytest.raises(IndexError, match=msg):
                f()
        with pytest.raises(IndexError, match=r"\[-2, 1\], but got -3"):
            x.sum(-3)


def test_nan_handling():
    a = np.array([[1., np.nan, 3.], [4., 5., 6.]])
    for name in ['sum', 'nansum', 'mean', 'nanmean', 'amax', 'amin']:
        check_op(*both(name), a, dim=1)
    check_op(*both('max'), a, dim=1)
    check_op(*both('argmax'), a, dim=1)
    check_op(*both('argmin'), a)
    check_op(*both('median'), a)
    check_op(*both('nanmedian'), a)
    check_op(*both('median'), a, dim=1)
    check_op(*both('nanmedian'), a, dim=1)


# -- max / min / argmax / aminmax ------------------------------------------------------------------
@pytest.mark.parametrize('name', ['max', 'min'])
@pytest.mark.parametrize('dim', [0, 1, -1])
@pytest.mark.parametrize('keepdim', [False, True])
@pytest.mark.parametrize('dt', FLOATS)
def test_max_min_dim(name, dim, keepdim, dt):
    tl, th = check_op(*both(name), randn((3, 4), dt), dim=dim, keepdim=keepdim)
    assert type(tl).__name__ == name and tl.indices.dtype == torchlet.int64
    values, indices = tl
    assert values is tl.values and indices is tl[1]


def test_max_min_forms():
    a = randn((3, 4))
    check_op(*both('max'), a)
    check_op(*both('min'), a)
    check_op(lambda x: x.max(), lambda x: x.max(), a)
    check_op(lambda x: x.max(1, True), lambda x: x.max(1, True), a)
    check_op(lambda x: x.min(dim=0), lambda x: x.min(dim=0), a)
    check_op(*both('max'), np.array(3.5), dim=0)
    check_op(*both('max'), np.arange(6).reshape(2, 3), dim=1, grad=False)
    check_op(*both('max'), np.array([[True, False]]), grad=False)


def test_max_ties_first_occurrence_and_even_gradient():
    a = np.array([[1., 3., 3., 0.], [2., 2., 0., 2.], [5., 1., 5., 5.]])
    for name in ['max', 'min']:
        check_op(*both(name), a, dim=1)
        check_op(*both(name), a, dim=0)
        check_op(*both(name), a)
    for name in ['amax', 'amin']:
        check_op(*both(name), a)
        check_op(*both(name), a, dim=1)
        check_op(*both(name), a, dim=(0, 1), keepdim=True)
    for name in ['argmax', 'argmin']:
        check_op(*both(name), a, dim=1)
        check_op(*both(name), a)
    check_op(*both('aminmax'), a)
    check_op(*both('aminmax'), a, dim=1)


def test_binary_max_min_is_elementwise():
    a, b = randn((2, 3)), randn((2, 3), seed=1)
    check_op(*both('max'), a, b)
    check_op(*both('min'), a, b)


@pytest.mark.parametrize('dim', [None, 0, 1, -1])
@pytest.mark.parametrize('keepdim', [False, True])
def test_argmax_argmin(dim, keepdim):
    a = randn((3, 4))
    for name in ['argmax', 'argmin']:
        tl, _ = check_op(*both(name), a, dim=dim, keepdim=keepdim)
        assert tl.dtype == torchlet.int64
    check_op(*both('argmax'), np.array(2.), dim=0, keepdim=True)


@pytest.mark.parametrize('dim', [None, 0, 1])
@pytest.mark.parametrize('keepdim', [False, True])
def test_aminmax(dim, keepdim):
    tl, _ = check_op(*both('aminmax'), randn((3, 4)), dim=dim, keepdim=keepdim)
    assert type(tl).__name__ == 'aminmax' and tl.min is tl[0]


def test_empty_reduction_errors():
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified for "
                           r"input.numel\(\) == 0"):
            lib.ones(0).max()
        with pytest.raises(RuntimeError, match=r"amax\(\): Expected reduction dim to be specified"):
            lib.ones(0).amax()
        with pytest.raises(IndexError, match=r"argmax\(\): Expected reduction dim to be specified"):
            lib.ones(0).argmax()
        with pytest.raises(IndexError, match=r"max\(\): Expected reduction dim 0 to have non-zero size"):
            lib.ones(0, 3).max(0)
        with pytest.raises(IndexError, match=r"amin\(\): Expected reduction dim 1 to have non-zero"):
            lib.ones(2, 0).amin(1)
        with pytest.raises(RuntimeError, match=r"aminmax\(\): cannot compute aminmax over an empty"):
            lib.ones(0).aminmax()
    assert_same(tuple(torchlet.ones(0, 3).max(1)), tuple(torch.ones(0, 3).max(1)))
    for name in ['sum', 'prod', 'mean']:
        check_op(*both(name), np.ones((0, 2)), grad=False)
        check_op(*both(name), np.ones((0, 2)), dim=1, grad=False)


# -- logsumexp ---------------------------------------------------------------------------------------
def test_logsumexp_stable_and_int():
    a = np.array([[1000., 1000.5, -1000.], [-INF, -INF, -INF], [INF, 1., 2.]])
    check_op(*both('logsumexp'), a[:1], dim=1)
    check_op(*both('logsumexp'), a, dim=1, grad=False)
    check_op(*both('logsumexp'), np.array([[1, 2], [3, 4]]), dim=0, grad=False)
    numeric_gradcheck(lambda x: x.logsumexp((0, 1)), randn((2, 3)))
    second_order(lambda lib, x: x.logsumexp(1), randn((2, 3)))


# -- std / var ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['std', 'var', 'std_mean', 'var_mean'])
@pytest.mark.parametrize('args,kwargs', [((), {}), ((0,), {}), ((1, True, True), {}), ((1, False), {}),
                                         ((True,), {}), ((False,), {}), ((), {'dim': (0, 1)}),
                                         ((), {'dim': 1, 'correction': 0}),
                                         ((), {'dim': -1, 'correction': 2, 'keepdim': True}),
                                         ((), {'unbiased': False, 'dim': 0}),
                                         ((), {'correction': 0.5})])
@pytest.mark.parametrize('dt', FLOATS)
def test_std_var(name, args, kwargs, dt):
    fl, fh = both(name)
    check_op(lambda x: fl(x, *args, **kwargs), lambda x: fh(x, *args, **kwargs), randn((3, 5), dt))


def test_std_var_single_element_is_nan_with_warning():
    for name in ['var', 'std']:
        for lib in (torchlet, torch):
            with pytest.warns(UserWarning, match=rf"{name}\(\): degrees of freedom is <= 0"):
                r = getattr(lib, name)(lib.tensor([1.5]))
            assert math.isnan(r.item())
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            check_op(*both(name), np.array([1., 2.]), correction=2, grad=False)
            check_op(*both(name), np.array([[1.], [2.]]), dim=1, grad=False)
            check_op(*both(name), np.array(3.), grad=False)
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match="std and var only support floating point and complex"):
            lib.tensor([1, 2]).var()


# -- cumulative ------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['cumsum', 'cumprod', 'cummax', 'cummin'])
@pytest.mark.parametrize('dim', [0, 1, -1])
@pytest.mark.parametrize('dt', FLOATS)
def test_cumulative(name, dim, dt):
    check_op(*both(name), randn((3, 4), dt), dim=dim)


def test_cumulative_dtypes_and_ties():
    for dt in ['bool', 'int32', 'uint8']:
        a = (np.arange(6).reshape(2, 3) % 2).astype(dt)
        for name in ['cumsum', 'cumprod', 'cummax', 'cummin']:
            check_op(*both(name), a, dim=1, grad=False)
    check_op(lambda x: x.cumsum(0, dtype=torchlet.float64), lambda x: x.cumsum(0, dtype=torch.float64),
             randn(4, np.float32))
    ties = np.array([[1., 1., 1., 0., 3., 3.], [2., np.nan, 1., np.nan, 0., 5.]])
    check_op(*both('cummax'), ties, dim=1)
    check_op(*both('cummin'), ties, dim=1)
    check_op(*both('cumsum'), np.array(2.), dim=0)
    check_noncontig(lambda lib, x: x.cumsum(1), randn((4, 3)).T)
    check_noncontig(lambda lib, x: x.cumprod(0), randn((4, 3)).T)
    x, y = pair(np.array([1., 2., 3.]))
    x.cumsum_(0)
    y.cumsum_(0)
    assert_same(x, y)


@pytest.mark.parametrize('zeros', [[2], [0], [4], [1, 3], [0, 1], [2, 3, 4]])
def test_cumprod_gradient_with_zeros(zeros):
    a = randn((2, 5)) + 0.3
    a[0, zeros] = 0
    a[1, zeros[0]] = 0
    check_op(*both('cumprod'), a, dim=1)
    check_op(*both('cumprod'), a.T.copy(), dim=0)
    numeric_gradcheck(lambda x: x.cumprod(1), a)
    second_order(lambda lib, x: x.cumprod(1), a)


# -- norms -----------------------------------------------------------------------------------------
NORM_PS = [1, 2, INF, -INF, 0, 3, 0.5, 1.5, -1, 'fro']


@pytest.mark.parametrize('p', NORM_PS)
@pytest.mark.parametrize('dim', [None, 1, -2, (0, 1)])
@pytest.mark.parametrize('dt', FLOATS)
def test_norm(p, dim, dt):
    a = randn((3, 4), dt)
    kw = {} if dim is None else {'dim': dim}
    check_op(*both('norm'), a, p=p, **kw)
    if dim is not None:
        check_op(lambda x: x.norm(p, dim, True), lambda x: x.norm(p, dim, True), a)


@pytest.mark.parametrize('p', [1, 2, INF, 0, 3, 0.5, 1.5, 'fro'])
def test_norm_gradient_at_zero(p):
    check_op(*both('norm'), np.zeros((2, 3)), p=p)
    a = np.array([[0., 1., -2.], [0., 0., 0.]])
    check_op(*both('norm'), a, p=p, dim=1)


def test_norm_variants_and_errors():
    a = randn((3, 4))
    check_op(*both('norm'), a, p='nuc')
    check_op(*both('norm'), a, p='fro', dim=(0, 1), keepdim=True)
    check_op(lambda x: x.norm(dtype=torchlet.float64), lambda x: x.norm(dtype=torch.float64),
             a.astype(np.float32))
    check_op(*both('norm'), np.array([[1., -2., 2.], [2., 0., -2.]]), p=INF)
    check_op(*both('norm'), np.array([[1., -2., 2.], [2., 0., -2.]]), p=-INF, dim=1)
    check_noncontig(lambda lib, x: x.norm(3, 1), randn((4, 3)).T)
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point or complex "
                           "tensor as input. Got Long"):
            lib.tensor([1, 2]).norm()
        with pytest.raises(RuntimeError, match="linalg.matrix_norm: dim must be a 2-tuple. Got 0"):
            lib.ones(2, 2).norm('nuc', dim=0)
        with pytest.raises(RuntimeError, match="cannot compute the inf norm on an empty tensor"):
            lib.ones(0).norm(INF)


@pytest.mark.parametrize('p', [1, 2, INF, 3, 0])
def test_dist(p):
    a, b = randn((3, 4)), randn((4,), seed=1)
    check_op(*both('dist'), a, b, p=p, grad=p != 0)   # torch fails in backward for p=0
    check_op(lambda x, y: x.dist(y, p), lambda x, y: x.dist(y, p), a.astype(np.float32),
             b.astype(np.float32), grad=p != 0)


def test_dist_errors():
    for lib in (torchlet, torch):
        with pytest.raises(RuntimeError, match=r"norm\(\): input dtype should be either floating point "
                           "or complex. Got Long instead."):
            lib.dist(lib.tensor([1, 2]), lib.tensor([1, 3]))


GRAD_FN_NAMES = {
    'SumBackward0': lambda x: x.sum(), 'SumBackward1': lambda x: x.sum(1),
    'MeanBackward0': lambda x: x.mean(), 'MeanBackward1': lambda x: x.mean(1),
    'ProdBackward0': lambda x: x.prod(), 'ProdBackward1': lambda x: x.prod(0),
    'NansumBackward0': lambda x: x.nansum(), 'MaxBackward1': lambda x: x.max(),
    'MaxBackward0': lambda x: x.max(1)[0], 'MinBackward0': lambda x: x.min(0).values,
    'AmaxBackward0': lambda x: x.amax(1), 'AminBackward0': lambda x: x.amin(),
    'AminmaxBackward0': lambda x: x.aminmax().max, 'LogsumexpBackward0': lambda x: x.logsumexp(1),
    'StdBackward0': lambda x: x.std(1), 'VarBackward0': lambda x: x.var(),
    'CumsumBackward0': lambda x: x.cumsum(0), 'CumprodBackward0': lambda x: x.cumprod(1),
    'CummaxBackward0': lambda x: x.cummax(1)[0], 'CumminBackward0': lambda x: x.cummin(0)[0],
    'LinalgVectorNormBackward0': lambda x: x.norm(3, 1), 'DistBackward0': lambda x: x.dist(x * 2),
    'MedianBackward0': lambda x: x.median(), 'MedianBackward1': lambda x: x.median(1)[0],
    'NanmedianBackward1': lambda x: x.nanmedian(0)[0], 'ModeBackward0': lambda x: x.mode(1)[0],
}


@pytest.mark.parametrize('name', sorted(GRAD_FN_NAMES))
def test_grad_fn_names(name):
    for lib in (torchlet, torch):
        out = GRAD_FN_NAMES[name](lib.tensor(randn((3, 4)), requires_grad=True))
        assert out.grad_fn.name() == name


def test_norm_second_order():
    a = randn((3, 4))
    for p in [2, 3, 4]:   # (torch's p=1.5 double backward costs seconds of lazy imports)
        second_order(lambda lib, x: x.norm(p, dim=1), a)


# -- any / all / count_nonzero ---------------------------------------------------------------------
@pytest.mark.parametrize('dt', ['bool', 'float32', 'int64', 'uint8'])
@pytest.mark.parametrize('dim', [None, 0, -1, (0, 1), ()])
@pytest.mark.parametrize('keepdim', [False, True])
def test_any_all(dt, dim, keepdim):
    a = np.array([[1, 0, 2], [0, 0, 0]]).astype(dt)
    kw = {} if dim is None else {'dim': dim, 'keepdim': keepdim}
    for name in ['any', 'all']:
        check_op(*both(name), a, grad=False, **kw)
    if dim != ():
        check_op(*both('count_nonzero'), a, grad=False, **({} if dim is None else {'dim': dim}))


# -- median / mode / quantile -------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['median', 'nanmedian'])
@pytest.mark.parametrize('dim', [None, 0, 1, -1])
@pytest.mark.parametrize('keepdim', [False, True])
def test_median(name, dim, keepdim):
    for shape in [(3, 4), (3, 5)]:
        a = randn(shape)
        kw = {} if dim is None else {'dim': dim, 'keepdim': keepdim}
        check_op(*both(name), a, **kw)
    check_op(*both(name), np.array([3, 1, 4, 1, 5]), grad=False)
    check_op(*both(name), np.array([[1., 2.], [2., 2.]]))


def test_nanmedian_ignores_nan():
    a = np.array([[1., np.nan, 3., 2.], [np.nan, 5., 4., np.nan]])
    check_op(*both('nanmedian'), a, dim=1)
    check_op(*both('nanmedian'), a)


@pytest.mark.parametrize('dim', [0, 1, -1])
@pytest.mark.parametrize('keepdim', [False, True])
def test_mode(dim, keepdim):
    a = np.array([[1., 2., 2., 3., 1.], [4., 4., 0., 0., 7.], [5., 6., 6., 6., 2.]])
    check_op(*both('mode'), a, dim=dim, keepdim=keepdim)
    check_op(*both('mode'), a.astype(np.int64), dim=dim, keepdim=keepdim, grad=False)


@pytest.mark.parametrize('name', ['quantile', 'nanquantile'])
@pytest.mark.parametrize('q', [0.3, 0.0, 1.0, [0.25, 0.5, 0.9]])
@pytest.mark.parametrize('dim', [None, 0, -1])
@pytest.mark.parametrize('keepdim', [False, True])
@pytest.mark.parametrize('interpolation', ['linear', 'lower', 'higher', 'midpoint', 'nearest'])
def test_quantile(name, q, dim, keepdim, interpolation):
    a = randn((3, 5))
    fl, fh = both(name)
    kw = dict(dim=dim, keepdim=keepdim, interpolation=interpolation)
    if isinstance(q, float):
        check_op(fl, fh, a, q, **kw)
    else:   # q as a tensor (no gradient with respect to q)
        check_op(lambda x: fl(x, torchlet.tensor(q, dtype=torchlet.float64), **kw),
                 lambda x: fh(x, torch.tensor(q, dtype=torch.float64), **kw), a)


def test_quantile_nan_and_errors():
    a = np.array([[1., np.nan, 3., 2.], [0., 5., 4., 1.]])
    check_op(*both('quantile'), a, 0.4, dim=1)
    check_op(*both('nanquantile'), a, 0.4, dim=1)
    check_op(lambda x: x.quantile(torchlet.tensor([0.2, 0.7]), dim=0),
             lambda x: x.quantile(torch.tensor([0.2, 0.7]), dim=0), randn((3, 4), np.float32))
    for lib in (torchlet, torch):
        x = lib.tensor([1., 2.])
        with pytest.raises(RuntimeError, match=r"quantile\(\) q must be in the range \[0, 1\] but got 1.5"):
            x.quantile(1.5)
        with pytest.raises(RuntimeError, match="input tensor must be either float or double dtype"):
            lib.tensor([1, 2]).quantile(0.5)
        with pytest.raises(RuntimeError, match="q tensor must be same dtype as the input tensor"):
            x.quantile(lib.tensor([0.5], dtype=lib.float64))
        with pytest.raises(RuntimeError, match="interpolation must be one of linear"):
            x.quantile(0.5, interpolation='bogus')


# -- numeric gradient checks (float64 finite differences) ---------------------------------------------
GRADCHECKS = {
    'sum': lambda x: x.sum((0, 2)), 'nansum': lambda x: x.nansum(1), 'mean': lambda x: x.mean(-1),
    'nanmean': lambda x: x.nanmean(), 'prod': lambda x: x.prod(1), 'prod_all': lambda x: x.prod(),
    'amax': lambda x: x.amax((0, 1)), 'amin': lambda x: x.amin(2, keepdim=True),
    'max': lambda x: x.max(), 'max_dim': lambda x: x.max(1).values, 'min_dim': lambda x: x.min(0)[0],
    'std': lambda x: x.std(1), 'var': lambda x: x.var((0, 2), correction=0),
    'std_mean': lambda x: torchlet.std_mean(x, 1)[0] + torchlet.std_mean(x, 1)[1] * 2,
    'var_mean': lambda x: torchlet.var_mean(x, 2)[0] * torchlet.var_mean(x, 2)[1],
    'cumsum': lambda x: x.cumsum(1), 'cumprod': lambda x: x.cumprod(2), 'cummax': lambda x: x.cummax(0)[0],
    'cummin': lambda x: x.cummin(-1).values, 'norm2': lambda x: x.norm(dim=1),
    'norm1': lambda x: x.norm(1), 'norm3': lambda x: x.norm(3, dim=(0, 2)),
    'norm_inf': lambda x: x.norm(INF, dim=2), 'norm_half': lambda x: x.norm(0.5),
    'median': lambda x: x.median(), 'median_dim': lambda x: x.median(1).values,
    'nanmedian_dim': lambda x: x.nanmedian(0).values, 'mode': lambda x: x.mode(1).values,
    'quantile': lambda x: x.quantile(0.3, dim=1), 'aminmax': lambda x: x.aminmax()[0] - x.aminmax()[1],
    'logsumexp': lambda x: x.logsumexp(1),
}


@pytest.mark.parametrize('name', sorted(GRADCHECKS))
def test_numeric_gradcheck(name):
    numeric_gradcheck(GRADCHECKS[name], randn((2, 3, 4), seed=7) + 0.1)


def test_dist_gradcheck():
    numeric_gradcheck(lambda a, b: torchlet.dist(a, b, 3), randn((2, 3)), randn((3,), seed=1))


# -- out= and return types -------------------------------------------------------------------------
def test_out_arguments():
    a = randn((3, 4))
    x, y = pair(a)
    out_tl, out_th = torchlet.empty(0, dtype=torchlet.float64), torch.empty(0, dtype=torch.float64)
    assert torchlet.sum(x, 1, out=out_tl) is out_tl
    torch.sum(y, 1, out=out_th)
    assert_same(out_tl, out_th)
    v, i = torchlet.empty(0, dtype=torchlet.float64), torchlet.empty(0, dtype=torchlet.int64)
    r = torchlet.max(x, 0, out=(v, i))
    r_th = torch.max(y, 0)
    assert type(r).__name__ == 'max_out' and r.values is v and r.indices is i
    assert_same(tuple(r), tuple(r_th))
    o = torchlet.empty(0, dtype=torchlet.float64)
    torchlet.cumsum(x, 0, out=o)
    assert_same(o, torch.cumsum(y, 0))


def test_return_types_behave_like_torch():
    a = np.array([[1, 5, 5, 2], [7, 0, 3, 3]])
    x, y = pair(a)
    r, r_th = x.max(1), y.max(1)
    assert repr(r) == repr(r_th)
    assert str(torchlet.sort(torchlet.tensor(a[0]))) == str(torch.sort(y[0]))
    assert type(r).__module__ == 'torchlet.return_types' and isinstance(r, tuple)
    assert r._fields == ('values', 'indices') and len(r) == 2
    v, i = r
    assert v is r.values and i is r.indices
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is type(r)
    assert_same(tuple(back), tuple(r_th))
    with pytest.raises(AttributeError):
        r.values = 3
    with pytest.raises(TypeError, match=r"takes a 2-sequence \(1-sequence given\)"):
        torchlet.return_types.max([1])
    assert torchlet.return_types.max((1, 2)).indices == 2
