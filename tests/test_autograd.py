"""The autograd engine and graph API against PyTorch: backward, grad, higher-order gradients,
accumulation, hooks, retain_grad, next_functions, detach, grad modes and memory release.

Most tests run the same code with ``lib = torchlet`` and ``lib = torch`` and compare the results.
"""
import gc
import warnings
import weakref

import numpy as np
import pytest

import torchlet
from conftest import assert_same, torch

LIBS = (torchlet, torch)


def both(fn, rtol=1e-5, atol=1e-6):
    """Run fn(lib) with torchlet and with torch and check that the results agree."""
    ours, theirs = fn(torchlet), fn(torch)
    assert_same(ours, theirs, rtol, atol)
    return ours, theirs


def leaf(lib, values, dtype=None):
    return lib.tensor(np.asarray(values, dtype=dtype or np.float32), requires_grad=True)


# -- backward ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_scalar_backward_polynomial(dt):
    def run(lib):
        x = leaf(lib, [1.0, -2.0, 0.5], dt)
        w = leaf(lib, [[0.3], [-1.2]], dt)
        y = ((x * x * 3 - x / 2 + 1) * w).sum()
        y.backward()
        return y, x.grad, w.grad
    both(run)


def test_backward_non_scalar_with_gradient():
    def run(lib):
        x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
        y = x * x + x
        y.backward(lib.tensor([[0.1, 0.2], [0.3, 0.4]]))
        return x.grad
    both(run)


def test_backward_gradient_is_cast_to_output_dtype():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        (x * 3).backward(lib.tensor([1.0, 2.0], dtype=lib.float64))
        return x.grad
    both(run)


def test_backward_of_a_leaf():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        x.backward(lib.tensor([3.0, 4.0]))
        return x.grad
    both(run)


def test_autograd_backward_several_roots():
    def run(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        a, b = x * 2, (x * x).sum()
        lib.autograd.backward([a, b], [lib.tensor([1.0, 0.5, 0.25]), None])
        return x.grad
    both(run)


def test_autograd_backward_inputs_leaf_and_non_leaf():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        w = leaf(lib, [3.0, 4.0])
        h = x * w
        loss = (h * h).sum()
        lib.autograd.backward(loss, inputs=[w, h])
        return x.grad is None, w.grad, h.grad
    both(run)


def test_backward_inputs_keyword_of_tensor_backward():
    def run(lib):
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        (x * w).sum().backward(inputs=[x])
        return x.grad, w.grad is None
    both(run)


def test_accumulation_across_backward_calls_is_in_place():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        (x * x).sum().backward()
        first = x.grad
        (x * 3).sum().backward()
        return x.grad, first is x.grad, first
    both(run)


def test_retain_graph_allows_second_backward():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    both(run)


def test_second_backward_of_op_without_saved_tensors_is_allowed():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    both(run)


def test_shared_subgraph_gradients_are_summed():
    def run(lib):
        x = leaf(lib, [0.5, -1.5])
        h = x * 2
        a, b = h * h, h * 3
        (a + b).sum().backward()
        return x.grad
    both(run)


# -- autograd.grad ------------------------------------------------------------------------------------

def test_grad_with_grad_outputs_and_tuple_result():
    def run(lib):
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, -1.0])
        y = x * w
        g = lib.autograd.grad(y, (x, w), grad_outputs=lib.tensor([1.0, 10.0]))
        return g, x.grad is None, w.grad is None
    ours, _ = both(run)
    assert isinstance(ours[0], tuple)


def test_grad_single_tensor_input_returns_tuple():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        return lib.autograd.grad((x * x).sum(), x)
    ours, _ = both(run)
    assert isinstance(ours, tuple) and len(ours) == 1


def test_grad_several_outputs():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        return lib.autograd.grad([(x * x).sum(), (x * 3).sum()], [x])
    both(run)


def test_grad_retain_graph():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = (x * x * x).sum()
        g1 = lib.autograd.grad(y, x, retain_graph=True)
        g2 = lib.autograd.grad(y, x)
        return g1, g2
    both(run)


def test_grad_without_retain_graph_frees_the_graph():
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        y = (x * x).sum()
        lib.autograd.grad(y, x)
        with pytest.raises(RuntimeError, match='backward through the graph a second time'):
            lib.autograd.grad(y, x)


def test_grad_allow_unused_and_materialize_grads():
    def run(lib):
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        a = lib.autograd.grad((x * 2).sum(), [x, w], allow_unused=True)
        b = lib.autograd.grad((x * 2).sum(), [x, w], materialize_grads=True)
        return a[0], a[1] is None, b
    both(run)


def test_grad_unused_input_error():
    msgs = []
    for lib in LIBS:
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        with pytest.raises(RuntimeError) as e:
            lib.autograd.grad((x * 2).sum(), [x, w])
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_grad_materialize_with_allow_unused_false_is_an_error():
    msgs = []
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        with pytest.raises(ValueError) as e:
            lib.autograd.grad((x * 2).sum(), [x], allow_unused=False, materialize_grads=True)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_grad_non_leaf_inputs():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * x
        z = (h * 3 + h * h).sum()
        gh, gx = lib.autograd.grad(z, [h, x])
        return gh, gx
    both(run)


def test_grad_input_is_the_output():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        return lib.autograd.grad(y, y, lib.tensor([5.0, 6.0]))
    both(run)


def test_grad_does_not_run_unneeded_branches():
    calls = []
    x = leaf(torchlet, [1.0, 2.0])
    w = leaf(torchlet, [3.0, 4.0])
    h = x * 2
    h.register_hook(lambda g: calls.append('h'))
    y = (h * w).sum()
    torchlet.autograd.grad(y, w)
    assert calls == []


def test_grad_on_non_requiring_input_errors():
    msgs = []
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        with pytest.raises(RuntimeError) as e:
            lib.autograd.grad((x * 2).sum(), lib.ones(2))
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


# -- higher-order gradients ------------------------------------------------------------------------

def _derivatives(lib, f, values, order):
    """[f'(x), f''(x), ...] up to ``order`` as elementwise derivatives (f maps elementwise)."""
    x = leaf(lib, values, np.float64)
    y = f(lib, x)
    out = []
    for _ in range(order):
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        out.append(g)
        y = g
    return out


@pytest.mark.parametrize('name,f', [
    ('cubic', lambda lib, x: x * x * x * 2 - x * x + x * 5),
    ('quartic_ratio', lambda lib, x: x * x * x * x / (x + 3)),
    ('exp', lambda lib, x: lib.exp(x * 2)),
    ('sin_exp', lambda lib, x: lib.sin(x) * lib.exp(x)),
    ('sin_of_poly', lambda lib, x: lib.sin(x * x + 1)),
])
def test_third_order_derivatives(name, f):
    both(lambda lib: _derivatives(lib, f, [0.3, -1.2, 2.0], 3), rtol=1e-7, atol=1e-9)


def test_mixed_second_derivative_and_double_backward():
    def run(lib):
        x, y = leaf(lib, [1.5], np.float64), leaf(lib, [-0.5], np.float64)
        f = x * x * y + y * y * y
        gx, gy = lib.autograd.grad(f, (x, y), create_graph=True)
        gx.backward()          # accumulates d(df/dx)/dx and d(df/dx)/dy
        return gx, gy, x.grad, y.grad
    both(run)


def test_create_graph_backward_grad_has_history():
    def run(lib):
        x = leaf(lib, [2.0], np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')       # torch warns (once) about the grad <-> graph cycle
            (x * x * x).backward(create_graph=True)
        first = x.grad
        assert first.requires_grad
        second, = lib.autograd.grad(first, x)
        return first.detach(), second
    both(run)


# -- non-leaf .grad, retain_grad, hooks --------------------------------------------------------------

def test_non_leaf_grad_is_none_with_warning():
    messages = []
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        y.sum().backward()
        with pytest.warns(UserWarning, match='is not a leaf Tensor is being accessed') as record:
            assert y.grad is None
        messages.append(str(record[0].message).split(' (Triggered internally')[0])
    assert messages[0] == messages[1]


def test_retain_grad():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * x
        y.retain_grad()
        (y * 3).sum().backward(retain_graph=True)
        first = y.grad.clone()
        (y * 3).sum().backward()
        return first, y.grad, y.retains_grad
    both(run)


def test_retain_grad_sees_the_hooked_gradient():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        y.sum().backward()
        return y.grad, x.grad
    both(run)


def test_hooks_on_leaf_and_non_leaf_modify_gradients():
    def run(lib):
        seen = []
        x = leaf(lib, [1.0, 2.0])
        x.register_hook(lambda g: seen.append(g.clone()))
        x.register_hook(lambda g: g * 2)
        y = x * x
        y.register_hook(lambda g: g + 1)
        y.sum().backward()
        return x.grad, seen[0]
    both(run)


def test_leaf_hook_sees_the_total_gradient_once():
    def run(lib):
        seen = []
        x = leaf(lib, [1.0, 2.0])
        x.register_hook(lambda g: seen.append(g.clone()))
        (x * 2 + x * x + x).sum().backward()
        return len(seen), seen[0]
    both(run)


def test_hook_removal_with_handle():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x.register_hook(lambda g: g * 100)
        y = x * 3
        hy = y.register_hook(lambda g: g * 5)
        h.remove()
        hy.remove()
        y.sum().backward()
        return x.grad
    both(run)


def test_hook_on_tensor_without_grad_errors():
    msgs = []
    for lib in LIBS:
        with pytest.raises(RuntimeError) as e:
            lib.ones(2).register_hook(lambda g: g)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_grad_fn_prehook_and_hook():
    def run(lib):
        log = []
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        y = x * w
        y.grad_fn.register_prehook(lambda go: log.append(('pre', go[0].clone())))
        y.grad_fn.register_hook(lambda gi, go: log.append(('post', gi[0].clone(), gi[1].clone(),
                                                              go[0].clone())))
        y.backward(lib.tensor([1.0, -1.0]))
        return [v for entry in log for v in entry[1:]], [entry[0] for entry in log] == ['pre', 'post']
    both(run)


def test_grad_fn_hooks_can_replace_gradients():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 3
        y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, gi[1]))
        y.sum().backward()
        return x.grad
    both(run)


def test_grad_fn_hook_handle_remove():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 3
        h = y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        h.remove()
        y.sum().backward()
        return x.grad
    both(run)


# -- graph structure -----------------------------------------------------------------------------------

def test_next_functions_and_accumulate_grad():
    for lib in LIBS:
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        y = (x * w + 2).sum()
        add = y.grad_fn.next_functions[0][0]
        assert y.grad_fn.name() == 'SumBackward0'
        assert add.name() == 'AddBackward0'
        mul, nr = add.next_functions[0]
        assert nr == 0 and mul.name() == 'MulBackward0'
        assert add.next_functions[1] == (None, 0)
        acc_x, acc_w = mul.next_functions
        assert type(acc_x[0]).__name__ == 'AccumulateGrad' and acc_x[1] == 0
        assert acc_x[0].variable is x and acc_w[0].variable is w
        assert acc_x[0].next_functions == ()
        assert (x * 2).grad_fn.next_functions[1] == (None, 0)


def test_grad_fn_repr_and_leaf_flags():
    for lib in LIBS:
        x = leaf(lib, [1.0])
        y = x * 2
        assert repr(y.grad_fn).startswith('<MulBackward0 object at 0x')
        assert x.is_leaf and not y.is_leaf and x.grad_fn is None
        assert lib.ones(2).is_leaf and (lib.ones(2) * 2).grad_fn is None


# -- requires_grad, detach, .data -----------------------------------------------------------------------

def test_requires_grad_propagation_and_requires_grad_():
    for lib in LIBS:
        a = lib.ones(2)
        assert not (a * 2).requires_grad
        assert a.requires_grad_() is a and a.requires_grad
        assert (a * 2).requires_grad
        a.requires_grad_(False)
        assert not a.requires_grad


def test_requires_grad_of_non_leaf_cannot_be_cleared():
    msgs = []
    for lib in LIBS:
        y = leaf(lib, [1.0]) * 2
        with pytest.raises(RuntimeError) as e:
            y.requires_grad_(False)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_detach_shares_storage_and_version_counter():
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        d = y.detach()
        assert not d.requires_grad and d.grad_fn is None
        d.add_(1)
        assert y._version == d._version == 1
        np.testing.assert_allclose(y.detach().numpy(), [3.0, 5.0])


def test_detach_then_inplace_breaks_backward_like_torch():
    msgs = []
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        y = x.exp()
        y.detach().zero_()
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_detach_():
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        assert y.detach_() is y
        assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_data_shares_storage_but_is_untracked():
    for lib in LIBS:
        x = leaf(lib, [1.0, 2.0])
        y = x * x
        x.data.mul_(10)                 # not seen by autograd: no version bump on x
        y.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [20.0, 40.0])   # 2 * (new x)
        assert not x.data.requires_grad


def test_data_setter_replaces_values():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        x.data = lib.tensor([5.0, 6.0])
        (x * x).sum().backward()
        return x.grad
    both(run)


# -- grad modes --------------------------------------------------------------------------------------

@pytest.mark.parametrize('lib', LIBS, ids=['torchlet', 'torch'])
def test_grad_mode_context_managers(lib):
    x = leaf(lib, [1.0])
    with lib.no_grad():
        assert not lib.is_grad_enabled()
        assert not (x * 2).requires_grad
        with lib.enable_grad():
            assert (x * 2).requires_grad
        with lib.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    with lib.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert lib.is_grad_enabled()
    with lib.inference_mode():
        assert not (x * 2).requires_grad and lib.is_inference_mode_enabled()
        assert not lib.is_grad_enabled()
    with lib.inference_mode(False):
        assert (x * 2).requires_grad
    assert not lib.is_inference_mode_enabled()


@pytest.mark.parametrize('lib', LIBS, ids=['torchlet', 'torch'])
def test_set_grad_enabled_as_function(lib):
    lib.set_grad_enabled(False)
    try:
        assert not lib.is_grad_enabled()
    finally:
        lib.set_grad_enabled(True)
    assert lib.is_grad_enabled()


@pytest.mark.parametrize('lib', LIBS, ids=['torchlet', 'torch'])
def test_grad_mode_decorators(lib):
    x = leaf(lib, [1.0])

    @lib.no_grad()
    def f():
        return x * 2

    @lib.no_grad
    def f_bare():
        return x * 2

    @lib.enable_grad()
    def g():
        return x * 2

    @lib.set_grad_enabled(False)
    def h():
        return x * 2

    @lib.inference_mode()
    def i():
        return x * 2

    @lib.inference_mode
    def i_bare():
        return x * 2

    assert lib.is_grad_enabled()      # set_grad_enabled as a decorator does not switch now
    assert not f().requires_grad and not f_bare().requires_grad
    assert not h().requires_grad and not i().requires_grad and not i_bare().requires_grad
    with lib.no_grad():
        assert g().requires_grad
    assert f.__name__ == 'f'
    assert lib.is_grad_enabled()


@pytest.mark.parametrize('lib', LIBS, ids=['torchlet', 'torch'])
def test_no_grad_on_generator_function(lib):
    x = leaf(lib, [1.0])

    @lib.no_grad()
    def gen():
        for _ in range(2):
            yield (x * 2).requires_grad, lib.is_grad_enabled()

    results = []
    for item in gen():
        results.append(item)
        assert lib.is_grad_enabled()     # restored between steps
    assert results == [(False, False), (False, False)]


@pytest.mark.parametrize('lib', LIBS, ids=['torchlet', 'torch'])
def test_grad_mode_restored_after_exception(lib):
    with pytest.raises(ValueError):
        with lib.no_grad():
            raise ValueError
    assert lib.is_grad_enabled()


def test_backward_runs_with_grad_mode_of_create_graph():
    for lib in LIBS:
        modes = []
        x = leaf(lib, [1.0])
        y = x * 2
        y.register_hook(lambda g: modes.append(lib.is_grad_enabled()))
        y.backward(retain_graph=True)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            y.backward(create_graph=True)
        assert modes == [False, True]


# -- memory ------------------------------------------------------------------------------------------

def test_saved_tensors_released_after_backward():
    x = leaf(torchlet, np.ones(3))
    h = x * 2
    ref = weakref.ref(h)
    y = (h * h).sum()          # MulBackward0 saves h
    del h
    assert ref() is not None
    y.backward()
    assert ref() is None       # freed by backward, without any garbage collection


def test_saved_tensors_kept_with_retain_graph():
    x = leaf(torchlet, np.ones(3))
    h = x * 2
    ref = weakref.ref(h)
    y = (h * h).sum()
    del h
    y.backward(retain_graph=True)
    assert ref() is not None
    y.backward()
    assert ref() is None


def test_graph_freed_by_reference_counting():
    gc.collect()
    gc.disable()
    try:
        x = leaf(torchlet, np.ones(3))
        y = ((x * 2).exp() * x).sum()
        refs = [weakref.ref(y.grad_fn), weakref.ref(y.grad_fn.next_functions[0][0])]
        del y
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_custom_function_saving_its_output_makes_no_cycle():
    class Exp(torchlet.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            r, = ctx.saved_tensors
            return g * r

    gc.collect()
    gc.disable()
    try:
        x = leaf(torchlet, [0.5, 1.0])
        y = Exp.apply(x)
        ref = weakref.ref(y.grad_fn)
        y.sum().backward(retain_graph=True)
        np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.0]), rtol=1e-6)
        del y
        assert ref() is None
    finally:
        gc.enable()


def test_deep_chain_grad_no_recursion():
    x = leaf(torchlet, [1.0], np.float64)
    y = x
    for _ in range(5_000):             # 10 000 nodes, far beyond Python's recursion limit
        y = y * 1.0 + 0.0
    g, = torchlet.autograd.grad(y.sum(), x)
    assert g.item() == 1.0


def test_numpy_of_requires_grad_tensor_errors():
    msgs = []
    for lib in LIBS:
        with pytest.raises(RuntimeError) as e:
            leaf(lib, [1.0]).numpy()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_no_warning_on_leaf_grad_access():
    x = leaf(torchlet, [1.0])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert x.grad is None

