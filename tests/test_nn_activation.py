"""Activations (nn.functional and nn modules) against PyTorch: values, dtypes, gradients, double
backward, in-place forms, softmax family, PReLU/RReLU/GLU, reprs and errors."""
import warnings

import numpy as np
import pytest

import torchlet
import torchlet.nn as tnn
import torchlet.nn.functional as TF
from conftest import torch, check_op, numeric_gradcheck, assert_same, pair, rng

F = torch.nn.functional

# name -> (positional args, keyword args) after the input
ACTS = {
    'relu': ((), {}), 'relu6': ((), {}), 'hardtanh': ((-1.5, 2.5), {}), 'threshold': ((0.5, -2.0), {}),
    'leaky_relu': ((0.2,), {}), 'elu': ((1.3,), {}), 'selu': ((), {}), 'celu': ((0.7,), {}),
    'gelu': ((), {}), 'gelu_tanh': ((), {'approximate': 'tanh'}), 'silu': ((), {}), 'mish': ((), {}),
    'hardsigmoid': ((), {}), 'hardswish': ((), {}), 'softplus': ((2.0, 3.0), {}),
    'softsign': ((), {}), 'softshrink': ((0.75,), {}), 'hardshrink': ((0.75,), {}),
    'tanhshrink': ((), {}), 'logsigmoid': ((), {}), 'sigmoid': ((), {}), 'tanh': ((), {}),
    'rrelu': ((), {}), 'softmax': ((1,), {}), 'log_softmax': ((0,), {}), 'softmin': ((1,), {}),
    'glu': ((1,), {}),
}
# torch's grad_fn name of each
NODE = {'relu': 'ReluBackward0', 'relu6': 'HardtanhBackward0', 'hardtanh': 'HardtanhBackward0',
        'threshold': 'ThresholdBackward0', 'leaky_relu': 'LeakyReluBackward0', 'elu': 'EluBackward0',
        'selu': 'EluBackward0', 'celu': 'CeluBackward0', 'gelu': 'GeluBackward0',
        'gelu_tanh': 'GeluBackward0', 'silu': 'SiluBackward0', 'mish': 'MishBackward0',
        'hardsigmoid': 'HardsigmoidBackward0', 'hardswish': 'HardswishBackward0',
        'softplus': 'SoftplusBackward0', 'softsign': 'DivBackward0',
        'softshrink': 'SoftshrinkBackward0', 'hardshrink': 'HardshrinkBackward0',
        'tanhshrink': 'SubBackward0', 'logsigmoid': 'LogSigmoidBackward0',
        'sigmoid': 'SigmoidBackward0', 'tanh': 'TanhBackward0', 'rrelu': 'RreluWithNoiseBackward0',
        'softmax': 'SoftmaxBackward0', 'log_softmax': 'LogSoftmaxBackward0',
        'softmin': 'SoftmaxBackward0', 'glu': 'GluBackward0'}


def _fns(name):
    """(torchlet function, torch function) of an activation, with its arguments bound."""
    args, kw = ACTS[name]
    fname = 'gelu' if name == 'gelu_tanh' else name
    return (lambda t: getattr(TF, fname)(t, *args, **kw)), (lambda t: getattr(F, fname)(t, *args, **kw))


def _data(shape, seed=0, dtype=np.float64):
    """Values at least 0.1 away from every integer and from +-0.75 (the kinks of the piecewise
    activations tested here), spread over [-4, 4]."""
    r = rng(seed)
    return np.asarray(r.uniform(0.1, 0.4, shape) + r.integers(-4, 4, shape), dtype)


def _tol(dtype):
    return dict(rtol=2e-5, atol=2e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('name', sorted(ACTS))
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_against_torch(name, dtype):
    fl, fh = _fns(name)
    check_op(fl, fh, _data((4, 6), 1, dtype), **_tol(dtype))


@pytest.mark.parametrize('name', sorted(ACTS))
def test_noncontiguous_and_3d(name):
    fl, fh = _fns(name)
    check_op(lambda t: fl(t.T[:, ::2]), lambda t: fh(t.T[:, ::2]), _data((4, 6), 2, np.float32),
             **_tol(np.float32))
    check_op(fl, fh, _data((2, 4, 3), 3), **_tol(np.float64))


@pytest.mark.parametrize('name', sorted(ACTS))
def test_grad_fn_name(name):
    fl, _ = _fns(name)
    x = torchlet.tensor(_data((2, 4)), requires_grad=True)
    assert fl(x).grad_fn.name() == NODE[name]


@pytest.mark.parametrize('name', sorted(ACTS))
def test_numeric_gradcheck(name):
    fl, _ = _fns(name)
    numeric_gradcheck(fl, _data((3, 4), 4))


# torch lacks hardsigmoid's double backward, and its first one through abs (softsign) costs seconds
NO_TORCH_DOUBLE = {'hardsigmoid', 'softsign'}


@pytest.mark.parametrize('name', sorted(NO_TORCH_DOUBLE))
def test_double_backward_numerically(name):
    fl, _ = _fns(name)

    def first_derivative(t):
        u = t if t.requires_grad else t.detach().requires_grad_()
        return torchlet.autograd.grad((fl(u) ** 2).sum(), u, create_graph=True)[0]
    numeric_gradcheck(first_derivative, _data((3, 4), 5))


@pytest.mark.parametrize('name', sorted(set(ACTS) - NO_TORCH_DOUBLE))
def test_double_backward_matches_torch(name):
    fl, fh = _fns(name)
    x = _data((3, 4), 5)
    a, b = pair(x, requires_grad=True)
    ga, = torchlet.autograd.grad((fl(a) ** 2).sum(), a, create_graph=True)
    gb, = torch.autograd.grad((fh(b) ** 2).sum(), b, create_graph=True)
    assert_same(ga, gb, rtol=1e-9, atol=1e-12)
    (ga ** 2).sum().backward()
    (gb ** 2).sum().backward()
    assert_same(a.grad, b.grad, rtol=1e-8, atol=1e-12)


def test_no_grad_path_and_requires_grad():
    x = torchlet.tensor(_data((2, 4)))
    for name in ACTS:
        fl, fh = _fns(name)
        y = fl(x)
        assert not y.requires_grad and y.grad_fn is None
        assert_same(y, fh(torch.tensor(x.numpy())), rtol=1e-12, atol=1e-12)


def test_special_values():
    x = np.array([0.0, -0.0, 3.0, -3.0, 1e4, -1e4, 80.0, -80.0, -np.inf, np.nan, np.inf], np.float32)
    for name in ('relu', 'relu6', 'hardtanh', 'elu', 'selu', 'celu', 'gelu', 'gelu_tanh', 'silu',
                 'mish', 'hardsigmoid', 'hardswish', 'softplus', 'softshrink', 'hardshrink',
                 'logsigmoid', 'leaky_relu', 'threshold', 'softsign'):
        fl, fh = _fns(name)
        # torch's vectorised erf gives gelu(+inf) = nan; torchlet gives the limit, +inf
        n = len(x) - 1 if name == 'gelu' else len(x)
        assert_same(fl(torchlet.tensor(x[:n])), fh(torch.tensor(x[:n])), rtol=1e-6, atol=1e-6)


def test_kinks_have_torchs_gradient():
    """At the exact break points the subgradient torch picks is reproduced."""
    cases = {'relu6': [0.0, 6.0], 'hardtanh': [-1.5, 2.5], 'threshold': [0.5],
             'hardsigmoid': [-3.0, 3.0], 'hardswish': [-3.0, 3.0], 'softshrink': [-0.75, 0.75],
             'hardshrink': [-0.75, 0.75], 'leaky_relu': [0.0], 'elu': [0.0], 'celu': [0.0],
             'relu': [0.0]}
    for name, pts in cases.items():
        fl, fh = _fns(name)
        check_op(fl, fh, np.array(pts, np.float32))


# -- in-place forms ---------------------------------------------------------------------------------
INPLACE = ['relu', 'relu6', 'hardtanh', 'threshold', 'leaky_relu', 'elu', 'selu', 'celu', 'silu',
           'mish', 'hardsigmoid', 'hardswish', 'rrelu']


@pytest.mark.parametrize('name', INPLACE)
def test_inplace_argument(name):
    args, kw = ACTS[name]
    x = _data((3, 4), 6, np.float32)
    a, b = pair(x, requires_grad=True)
    ya, yb = a * 1, b * 1
    ra = getattr(TF, name)(ya, *args, inplace=True, **kw)
    rb = getattr(F, name)(yb, *args, inplace=True, **kw)
    assert ra is ya
    assert_same(ya, yb)
    ra.sum().backward()
    rb.sum().backward()
    assert_same(a.grad, b.grad)


@pytest.mark.parametrize('name', ['relu_', 'elu_', 'leaky_relu_', 'hardtanh_', 'selu_', 'celu_',
                                  'rrelu_'])
def test_underscore_functions(name):
    x = _data((3, 4), 7, np.float32)
    a, b = pair(x)
    assert getattr(TF, name)(a) is a
    getattr(F, name)(b)
    assert_same(a, b)
    a, b = pair(x)
    TF.threshold_(a, 0.5, 3.0)
    F.threshold_(b, 0.5, 3.0)
    assert_same(a, b)


def test_inplace_on_leaf_requiring_grad_raises():
    for name in ('relu', 'elu', 'hardtanh', 'silu'):
        a = torchlet.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match='a leaf Variable that requires grad'):
            getattr(TF, name)(a, inplace=True)


# -- integer inputs and bad arguments -------------------------------------------------------------
def test_integer_inputs():
    x = np.array([1, -2, 3, 7])
    for name, fn in (('relu6', lambda f, t: f.relu6(t)), ('hardtanh', lambda f, t: f.hardtanh(t)),
                     ('threshold', lambda f, t: f.threshold(t, 1, 20)),
                     ('relu', lambda f, t: f.relu(t))):
        assert_same(fn(TF, torchlet.tensor(x)), fn(F, torch.tensor(x)))
    for name in ('leaky_relu', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'hardsigmoid',
                 'hardswish', 'softplus', 'softshrink', 'hardshrink', 'logsigmoid', 'rrelu', 'glu'):
        with pytest.raises(NotImplementedError) as th:
            getattr(F, name)(torch.tensor(x))
        with pytest.raises(NotImplementedError) as tl:
            getattr(TF, name)(torchlet.tensor(x))
        assert str(tl.value) == str(th.value)
    for name in ('softsign', 'tanhshrink', 'sigmoid', 'tanh'):
        assert_same(getattr(TF, name)(torchlet.tensor(x)), getattr(F, name)(torch.tensor(x)))


def _same_error(fl, fh, exc):
    with pytest.raises(exc) as th:
        fh()
    with pytest.raises(exc) as tl:
        fl()
    assert str(tl.value) == str(th.value)


def test_argument_errors():
    x = np.ones((2, 3), np.float32)
    a, b = pair(x)
    _same_error(lambda: TF.gelu(a, approximate='foo'), lambda: F.gelu(b, approximate='foo'),
                RuntimeError)
    _same_error(lambda: TF.softshrink(a, -1.0), lambda: F.softshrink(b, -1.0), RuntimeError)
    _same_error(lambda: TF.hardtanh(a, 2.0, 1.0), lambda: F.hardtanh(b, 2.0, 1.0), ValueError)
    _same_error(lambda: TF.rrelu(a, 0.5, 0.1, True), lambda: F.rrelu(b, 0.5, 0.1, True),
                RuntimeError)
    _same_error(lambda: TF.glu(a, 1), lambda: F.glu(b, 1), RuntimeError)
    _same_error(lambda: TF.glu(a[0, 0]), lambda: F.glu(b[0, 0]), RuntimeError)
    _same_error(lambda: TF.softmax(a, 2), lambda: F.softmax(b, 2), IndexError)
    _same_error(lambda: TF.relu(1.0), lambda: torch.relu(1.0), TypeError)
    _same_error(lambda: TF.gelu([1.0]), lambda: F.gelu([1.0]), TypeError)


# -- softmax family --------------------------------------------------------------------------------
@pytest.mark.parametrize('fn', ['softmax', 'log_softmax', 'softmin'])
@pytest.mark.parametrize('dim', [0, 1, 2, -1])
def test_softmax_dims(fn, dim):
    x = rng(8).standard_normal((3, 4, 5)).astype(np.float32) * 4
    check_op(lambda t: getattr(TF, fn)(t, dim), lambda t: getattr(F, fn)(t, dim), x)
    numeric_gradcheck(lambda t: getattr(TF, fn)(t, dim),
                      np.ascontiguousarray(x.astype(np.float64)[:2, :3, :2]))


@pytest.mark.parametrize('fn', ['softmax', 'log_softmax', 'softmin'])
def test_softmax_dtype_argument(fn):
    x = rng(9).standard_normal((3, 4)).astype(np.float32)
    check_op(lambda t: getattr(TF, fn)(t, 1, dtype=torchlet.float64),
             lambda t: getattr(F, fn)(t, 1, dtype=torch.float64), x)
    xi = np.array([[1, 2, 3], [4, 5, 9]])
    assert_same(getattr(TF, fn)(torchlet.tensor(xi), 1, dtype=torchlet.float32),
                getattr(F, fn)(torch.tensor(xi), 1, dtype=torch.float32))


def test_softmax_integer_input_errors():
    xi = np.array([[1, 2, 3], [4, 5, 9]])
    for fn in ('softmax', 'log_softmax'):
        for dim in (0, 1):
            _same_error(lambda: getattr(TF, fn)(torchlet.tensor(xi), dim),
                        lambda: getattr(F, fn)(torch.tensor(xi), dim), NotImplementedError)


@pytest.mark.parametrize('ndim', [0, 1, 2, 3, 4])
def test_softmax_implicit_dim_warns_like_torch(ndim):
    x = rng(10).standard_normal((2,) * ndim).astype(np.float32)
    a, b = pair(x)
    for fn in ('softmax', 'log_softmax', 'softmin'):
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter('always')
            ya = getattr(TF, fn)(a)
        with warnings.catch_warnings(record=True) as wh:
            warnings.simplefilter('always')
            yb = getattr(F, fn)(b)
        assert_same(ya, yb)
        assert [str(w.message) for w in wl] == [str(w.message) for w in wh]


def test_softmax_stability_and_edge_cases():
    big = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1e30, 0.0]], np.float32)
    for fn in ('softmax', 'log_softmax', 'softmin'):
        check_op(lambda t: getattr(TF, fn)(t, 1), lambda t: getattr(F, fn)(t, 1), big)
    inf = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf]], np.float32)
    for fn in ('softmax', 'log_softmax'):
        assert_same(getattr(TF, fn)(torchlet.tensor(inf), 1), getattr(F, fn)(torch.tensor(inf), 1))
    empty = np.zeros((0, 3), np.float32)
    assert_same(TF.softmax(torchlet.tensor(empty), 1), F.softmax(torch.tensor(empty), 1))
    scalar = np.array(2.5, np.float64)
    check_op(lambda t: TF.softmax(t, 0), lambda t: F.softmax(t, 0), scalar)
    check_op(lambda t: TF.log_softmax(t, -1), lambda t: F.log_softmax(t, -1), scalar)


def test_softmax_tensor_methods():
    x = rng(11).standard_normal((3, 4)).astype(np.float32)
    check_op(lambda t: t.softmax(0), lambda t: t.softmax(0), x)
    check_op(lambda t: t.log_softmax(dim=1), lambda t: t.log_softmax(dim=1), x)
    check_op(lambda t: t.softmax(1, dtype=torchlet.float64),
             lambda t: t.softmax(1, dtype=torch.float64), x)
    check_op(lambda t: t.hardshrink(0.3), lambda t: t.hardshrink(0.3), x)


def test_softmax_backward_after_inplace_change_of_output_raises():
    a = torchlet.randn(3, 4, requires_grad=True)
    y = TF.softmax(a, 1)
    y.mul_(2)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.sum().backward()


# -- prelu, rrelu, glu ------------------------------------------------------------------------------
@pytest.mark.parametrize('shape,wsize', [((4, 3), 3), ((4, 3), 1), ((2, 3, 5), 3), ((2, 3, 2, 2), 3),
                                         ((5,), 1), ((), 1)])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_prelu(shape, wsize, dtype):
    x = _data(shape, 12, dtype)
    w = rng(13).uniform(-0.5, 0.5, wsize).astype(dtype)
    check_op(TF.prelu, F.prelu, x, w, **_tol(dtype))


def test_prelu_gradcheck_and_double_backward():
    x, w = _data((3, 2, 2), 14), np.array([0.3, -0.2])
    numeric_gradcheck(TF.prelu, x, w)
    (a, b), (wa, wb) = pair(x, True), pair(w, True)
    ga = torchlet.autograd.grad((TF.prelu(a, wa) ** 2).sum(), [a, wa], create_graph=True)
    gb = torch.autograd.grad((F.prelu(b, wb) ** 2).sum(), [b, wb], create_graph=True)
    assert_same(ga, gb, rtol=1e-10)
    (ga[0].sum() + (ga[1] ** 2).sum()).backward()
    (gb[0].sum() + (gb[1] ** 2).sum()).backward()
    assert_same((a.grad, wa.grad), (b.grad, wb.grad), rtol=1e-10)


def test_prelu_errors():
    x = np.ones((2, 3), np.float32)
    for w in (np.ones(2, np.float32), np.ones((3, 1), np.float32), np.ones(3)):
        _same_error(lambda: TF.prelu(torchlet.tensor(x), torchlet.tensor(w)),
                    lambda: F.prelu(torch.tensor(x), torch.tensor(w)), RuntimeError)
    _same_error(lambda: TF.prelu(torchlet.ones(3), torchlet.ones(3)),
                lambda: F.prelu(torch.ones(3), torch.ones(3)), RuntimeError)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_rrelu_training_draws_torchs_slopes(dtype):
    x = rng(15).standard_normal((5, 7)).astype(dtype)
    torchlet.manual_seed(3)
    torch.manual_seed(3)
    check_op(lambda t: TF.rrelu(t, 0.1, 0.4, True), lambda t: F.rrelu(t, 0.1, 0.4, True), x,
             **_tol(dtype))


def test_rrelu_training_slopes_in_range_and_reproducible():
    x = torchlet.tensor(-np.ones(1000, np.float32))
    torchlet.manual_seed(0)
    y = TF.rrelu(x, 0.1, 0.3, training=True).numpy()
    assert np.all((-y >= 0.1 - 1e-7) & (-y <= 0.3 + 1e-7)) and np.std(y) > 0.03
    torchlet.manual_seed(0)
    assert np.array_equal(TF.rrelu(x, 0.1, 0.3, training=True).numpy(), y)


@pytest.mark.parametrize('dim', [0, 1, -1])
def test_glu_dims(dim):
    x = rng(16).standard_normal((4, 6, 2)).astype(np.float32)
    check_op(lambda t: TF.glu(t, dim), lambda t: F.glu(t, dim), x)
    numeric_gradcheck(lambda t: TF.glu(t, dim), x.astype(np.float64))


# -- modules ----------------------------------------------------------------------------------------
MODULES = ['ReLU()', 'ReLU(inplace=True)', 'ReLU6()', 'ReLU6(True)', 'Hardtanh()',
           'Hardtanh(-2.0, 3.0, True)', 'Threshold(0.1, 20)', 'Threshold(0.5, -1.0, True)', 'ELU()',
           'ELU(0.5, True)', 'CELU(2.0)', 'SELU()', 'SELU(True)', 'GELU()', "GELU('tanh')",
           'SiLU()', 'SiLU(True)', 'Mish()', 'Mish(True)', 'Hardswish()', 'Hardswish(True)',
           'Hardsigmoid()', 'Hardsigmoid(True)', 'Softplus()', 'Softplus(2, 10)', 'Softshrink()',
           'Softshrink(0.8)', 'Hardshrink()', 'Hardshrink(0.25)', 'Tanhshrink()', 'Softsign()',
           'LogSigmoid()', 'Sigmoid()', 'Tanh()', 'LeakyReLU()', 'LeakyReLU(0.2, True)',
           'RReLU()', 'RReLU(0.2, 0.5, True)', 'PReLU()', 'PReLU(3, 0.1)', 'Softmax()',
           'Softmax(dim=1)', 'LogSoftmax(1)', 'Softmin(0)', 'Softmax2d()', 'GLU()', 'GLU(2)']


@pytest.mark.parametrize('spec', MODULES)
def test_module_repr_state_dict_and_forward(spec):
    ml, mh = eval('tnn.' + spec), eval('torch.nn.' + spec)
    assert repr(ml) == repr(mh)
    sl, sh = ml.state_dict(), mh.state_dict()
    assert list(sl) == list(sh)
    for k in sl:
        assert_same(sl[k], sh[k])
    x = _data((2, 3, 4, 4), 17, np.float32)
    if spec.startswith('RReLU'):
        ml.eval(), mh.eval()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_op(lambda t: ml(t * 1), lambda t: mh(t * 1), x, **_tol(np.float32))


def test_prelu_module_learns_weight_and_loads_torch_state():
    ml, mh = tnn.PReLU(3), torch.nn.PReLU(3)
    mh.weight.data.uniform_(-1, 1)
    ml.load_state_dict({k: torchlet.tensor(v.numpy()) for k, v in mh.state_dict().items()})
    x = _data((4, 3), 18, np.float32)
    a, b = pair(x)
    ml(a).sum().backward()
    mh(b).sum().backward()
    assert_same(ml.weight.grad, mh.weight.grad)
    assert ml.weight.dtype == torchlet.float32 and ml.weight.requires_grad


def test_module_errors():
    with pytest.raises(AssertionError) as th:
        torch.nn.Hardtanh(2.0, 1.0)
    with pytest.raises(AssertionError) as tl:
        tnn.Hardtanh(2.0, 1.0)
    assert str(tl.value) == str(th.value)
    _same_error(lambda: tnn.Softmax2d()(torchlet.ones(2, 3)),
                lambda: torch.nn.Softmax2d()(torch.ones(2, 3)), ValueError)


def test_hardtanh_deprecated_keywords():
    with pytest.warns(FutureWarning):
        m = tnn.Hardtanh(min_value=-2.0, max_value=2.0)
    assert (m.min_val, m.max_val) == (-2.0, 2.0)


def test_rrelu_module_train_and_eval():
    x = _data((3, 5), 19, np.float32)
    ml, mh = tnn.RReLU(0.1, 0.3), torch.nn.RReLU(0.1, 0.3)
    torchlet.manual_seed(4)
    torch.manual_seed(4)
    check_op(ml, mh, x)
    ml.eval(), mh.eval()
    check_op(ml, mh, x)


@pytest.mark.parametrize('n', [1000, 200_000])           # the small path and the blockwise one
@pytest.mark.parametrize('slope', [0.2, 0.01, 1.0, 0.0, 1.5, -0.3])
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_relu_family_special_values_bitwise(n, slope, dt):
    """relu and leaky_relu, values and gradients, bit for bit with torch on inf, nan and -0.0
    (max(x, slope * x) would turn inf into nan for slope 0)."""
    x = rng(3).standard_normal(n).astype(dt)
    x[::7], x[::11], x[::13], x[::17] = np.nan, -0.0, np.inf, -np.inf
    g = rng(4).standard_normal(n).astype(dt)
    g[::5], g[::19] = np.inf, np.nan
    for f_tl, f_th in ((lambda t: TF.leaky_relu(t, slope), lambda t: torch.nn.functional.leaky_relu(t, slope)),
                       (TF.relu, torch.relu)):
        a, b = torchlet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yb = f_tl(a), f_th(b)
        ya.backward(torchlet.tensor(g))
        yb.backward(torch.tensor(g))
        for u, v in ((ya.detach().numpy(), yb.detach().numpy()), (a.grad.numpy(), b.grad.numpy())):
            assert np.array_equal(u, v, equal_nan=True)
            assert np.array_equal(np.signbit(u[~np.isnan(u)]), np.signbit(v[~np.isnan(v)]))
