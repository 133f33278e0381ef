"""gradcheck / gradgradcheck and torch.autograd.functional (vjp, jvp, jacobian, hessian, hvp, vhp)
against PyTorch."""
import importlib
import re
import warnings

import numpy as np
import pytest

import torchlet
from conftest import assert_same, torch

LIBS = (torchlet, torch)


def inputs(lib, *arrays):
    return tuple(lib.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays)


def wrong_mul(lib):
    """x * y with a deliberately wrong gradient for y (twice too large)."""
    class WrongMul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x * 2
    return WrongMul


def two_outputs_wrong_second(lib):
    class TwoOutputs(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3.1
    return TwoOutputs


def _numbers(text):
    return [float(v) for v in re.findall(r'-?\d+\.\d*(?:e[-+]?\d+)?', text)]


def gradcheck_error(lib, fn, args, **kwargs):
    error_type = importlib.import_module(lib.__name__ + '.autograd.gradcheck').GradcheckError
    with pytest.raises(error_type) as info:
        lib.autograd.gradcheck(fn, args, **kwargs)
    return str(info.value)


# -- correct functions pass ----------------------------------------------------------------------------

@pytest.mark.parametrize('name,f', [
    ('mul_add', lambda lib, x, y: x * y + x / (y + 5)),
    ('broadcast', lambda lib, x, y: (x.reshape(2, 1) * y).sum()),
    ('exp_sin', lambda lib, x, y: lib.exp(x) * lib.sin(y)),
    ('two_outputs', lambda lib, x, y: (x * y, (x - y).sum())),
])
def test_gradcheck_and_gradgradcheck_pass_on_correct_functions(name, f):
    for lib in LIBS:
        x, y = inputs(lib, [0.3, -1.2], [0.7, 2.0])
        fn = lambda a, b: f(lib, a, b)      # noqa: E731
        assert lib.autograd.gradcheck(fn, (x, y)) is True
        assert lib.autograd.gradgradcheck(fn, (x, y)) is True


def test_gradcheck_single_tensor_input_and_non_differentiable_argument():
    for lib in LIBS:
        x, = inputs(lib, [1.0, 2.0, 3.0])
        w = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64)      # does not require grad
        assert lib.autograd.gradcheck(lambda a: a * a * 3, x)
        assert lib.autograd.gradcheck(lambda a, b: a * b, (x, w))


def test_gradcheck_custom_function_correct():
    def make(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x * x

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 3 * x * x * g
        return Cube

    for lib in LIBS:
        x, = inputs(lib, [0.5, -2.0])
        assert lib.autograd.gradcheck(make(lib).apply, (x,))
        assert lib.autograd.gradgradcheck(make(lib).apply, (x,))


# -- wrong gradients are caught ------------------------------------------------------------------------

def test_gradcheck_wrong_custom_function_raises_like_torch():
    msgs = [gradcheck_error(lib, wrong_mul(lib).apply, inputs(lib, [1.0, 2.0], [3.0, 4.0]))
            for lib in LIBS]
    ours, theirs = msgs
    from torchlet.autograd.gradcheck import GradcheckError
    assert issubclass(GradcheckError, RuntimeError)
    assert ours.splitlines()[0] == 'Jacobian mismatch for output 0 with respect to input 1,'
    assert ours == theirs          # including both Jacobians, printed as torch prints them


def test_gradcheck_wrong_second_output():
    msgs = [gradcheck_error(lib, two_outputs_wrong_second(lib).apply, inputs(lib, [1.0, 2.0]))
            for lib in LIBS]
    assert msgs[0].splitlines()[0] == msgs[1].splitlines()[0] == \
        'Jacobian mismatch for output 1 with respect to input 0,'
    assert _numbers(msgs[0]) == pytest.approx(_numbers(msgs[1]))


def test_gradcheck_jacobian_layout_is_input_by_output():
    """A non-square Jacobian shows torch's layout: (input numel, output numel)."""
    def make(lib):
        class WrongOuter(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return (x.reshape(2, 1) * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).reshape(6)

            @staticmethod
            def backward(ctx, g):
                return (g.reshape(2, 3) * lib.tensor([1.0, 2.0, 3.5], dtype=lib.float64)).sum(1)
        return WrongOuter

    msgs = [gradcheck_error(lib, make(lib).apply, inputs(lib, [1.0, 2.0])) for lib in LIBS]
    assert _numbers(msgs[0]) == pytest.approx(_numbers(msgs[1]))


def test_gradcheck_raise_exception_false_returns_false():
    for lib in LIBS:
        assert lib.autograd.gradcheck(wrong_mul(lib).apply, inputs(lib, [1.0], [2.0]),
                                      raise_exception=False) is False


def test_gradgradcheck_catches_wrong_double_backward():
    def make(lib):
        class SquareBadSecond(lib.autograd.Function):
            """Correct first derivative 2x, but computed from a detached x: the second derivative
            seen by autograd is wrong."""
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g * 2 * x.detach()
        return SquareBadSecond

    go = {lib: lib.tensor([0.5, -0.25], dtype=lib.float64, requires_grad=True) for lib in LIBS}
    msgs = []
    for lib in LIBS:
        assert lib.autograd.gradcheck(make(lib).apply, inputs(lib, [1.0, 2.0]))
        with pytest.raises(RuntimeError) as info:
            lib.autograd.gradgradcheck(make(lib).apply, inputs(lib, [1.0, 2.0]), (go[lib],))
        msgs.append(str(info.value))
    assert msgs[0].splitlines()[0] == msgs[1].splitlines()[0]
    assert _numbers(msgs[0]) == pytest.approx(_numbers(msgs[1]))


def test_gradcheck_detects_backward_not_multiplied_by_grad_output():
    def make(lib):
        class IgnoresGrad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.sum().reshape(1)

            @staticmethod
            def backward(ctx, g):
                return lib.ones(2, dtype=lib.float64)
        return IgnoresGrad

    msgs = [gradcheck_error(lib, make(lib).apply, inputs(lib, [1.0, 2.0])) for lib in LIBS]
    assert msgs[0] == msgs[1] == 'backward not multiplied by grad_output'


# -- argument checks -------------------------------------------------------------------------------------

def test_gradcheck_warns_for_float32_inputs():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.warns(UserWarning, match='Input #0 requires gradient and is not a double precision'):
            lib.autograd.gradcheck(lambda a: a * 2, (x,), eps=1e-3, atol=1e-2)


def test_gradcheck_without_inputs_requiring_grad():
    msgs = []
    for lib in LIBS:
        with pytest.raises(ValueError) as info:
            lib.autograd.gradcheck(lambda a: a * 2, (lib.ones(2, dtype=lib.float64),))
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_gradcheck_does_not_change_inputs_or_their_grad():
    x, = inputs(torchlet, [0.25, 4.0])
    before = x.detach().numpy().copy()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        torchlet.autograd.gradcheck(lambda a: a * a, (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad is None


# -- torch.autograd.functional -----------------------------------------------------------------------

def _pair_fn(lib):
    def fn(x, y):
        return x * x * y + y, (x * y).sum()
    return fn


def _run_both(run):
    ours, theirs = run(torchlet), run(torch)
    assert_same(ours, theirs, rtol=1e-10, atol=1e-12)


def test_functional_vjp():
    _run_both(lambda lib: lib.autograd.functional.vjp(
        _pair_fn(lib), inputs(lib, [1.0, 2.0], [3.0, -1.0]),
        (lib.tensor([1.0, 2.0], dtype=lib.float64), lib.tensor(3.0, dtype=lib.float64))))


def test_functional_jvp():
    _run_both(lambda lib: lib.autograd.functional.jvp(
        _pair_fn(lib), inputs(lib, [1.0, 2.0], [3.0, -1.0]),
        (lib.tensor([1.0, 2.0], dtype=lib.float64), lib.tensor([0.5, 0.5], dtype=lib.float64))))


def test_functional_jacobian_nested_structure():
    _run_both(lambda lib: lib.autograd.functional.jacobian(
        _pair_fn(lib), inputs(lib, [1.0, 2.0], [3.0, -1.0])))


def test_functional_jacobian_single_tensor():
    _run_both(lambda lib: lib.autograd.functional.jacobian(
        lambda x: x.reshape(2, 2) * 3, inputs(lib, [1.0, 2.0, 3.0, 4.0])[0]))


@pytest.mark.parametrize('name', ['hessian', 'hvp', 'vhp'])
def test_functional_second_order(name):
    def run(lib):
        f = getattr(lib.autograd.functional, name)
        x, = inputs(lib, [0.5, -1.0, 2.0])
        g = lambda a: (a * a * a).sum() + (a * a).sum() * a.sum()      # noqa: E731
        if name == 'hessian':
            return f(g, x)
        return f(g, x, lib.tensor([1.0, 0.0, -2.0], dtype=lib.float64))
    _run_both(run)
