"""Bad input raises what PyTorch raises: each case runs the same code with torchlet and with torch
and compares the exception type and message."""
import numpy as np
import pytest

import torchlet
from conftest import torch


def _normalise(msg):
    return msg.replace('torchlet', 'torch')


def same_error(fn):
    """fn(lib) must raise with torchlet exactly what it raises with torch (type and message)."""
    raised = []
    for lib in (torchlet, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        raised.append(info.value)
    ours, theirs = raised
    assert type(ours) is type(theirs), f"{type(ours).__name__}: {ours}\ntorch: {type(theirs).__name__}"
    assert _normalise(str(ours)) == str(theirs)


def leaf(lib, values):
    return lib.tensor(np.asarray(values, dtype=np.float32), requires_grad=True)


# -- shapes -------------------------------------------------------------------------------------------

def test_matmul_shape_mismatch():
    same_error(lambda lib: lib.ones(2, 3) @ lib.ones(4, 5))


def test_mm_shape_mismatch():
    same_error(lambda lib: lib.mm(lib.ones(2, 3), lib.ones(4, 5)))


def test_matmul_matrix_vector_mismatch():
    same_error(lambda lib: lib.matmul(lib.ones(2, 3), lib.ones(4)))


def test_broadcasting_failure():
    same_error(lambda lib: lib.ones(2, 3) + lib.ones(4, 5))


def test_broadcasting_failure_leading_dim():
    same_error(lambda lib: lib.ones(3, 2) * lib.ones(4, 1, 3))


def test_view_of_incompatible_size():
    same_error(lambda lib: lib.ones(2, 3).view(4))


def test_view_of_non_contiguous_tensor():
    same_error(lambda lib: lib.ones(2, 3).t().view(6))


def test_index_out_of_range():
    same_error(lambda lib: lib.ones(2, 3)[5])


def test_index_out_of_range_second_dim():
    same_error(lambda lib: lib.ones(2, 3)[0, 7])


# -- dtypes and conversions --------------------------------------------------------------------------

def test_mean_of_integer_tensor():
    same_error(lambda lib: lib.arange(3).mean())


def test_item_of_multi_element_tensor():
    same_error(lambda lib: lib.ones(3).item())


def test_requires_grad_on_integer_tensor():
    same_error(lambda lib: lib.ones(2, dtype=lib.long).requires_grad_())


def test_numpy_of_tensor_requiring_grad():
    same_error(lambda lib: leaf(lib, [1.0]).numpy())


# -- backward -----------------------------------------------------------------------------------------

def test_backward_of_non_scalar_without_gradient():
    same_error(lambda lib: (leaf(lib, [1.0, 2.0]) * 2).backward())


def test_backward_of_tensor_not_requiring_grad():
    same_error(lambda lib: lib.ones(2).sum().backward())


def test_backward_gradient_of_wrong_shape():
    same_error(lambda lib: (leaf(lib, [1.0, 2.0, 3.0]) * 2).backward(lib.ones(2)))


def test_backward_gradient_not_a_tensor():
    same_error(lambda lib: (leaf(lib, [1.0, 2.0, 3.0]) * 2).backward([1.0, 1.0, 1.0]))


def test_second_backward_through_freed_buffers():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        y.backward()
    same_error(run)


def test_second_backward_through_freed_saved_output():
    def run(lib):
        y = leaf(lib, [1.0, 2.0]).exp().sum()
        y.backward()
        y.backward()
    same_error(run)


def test_grad_of_unused_input():
    def run(lib):
        x, w = leaf(lib, [1.0]), leaf(lib, [2.0])
        lib.autograd.grad((x * 2).sum(), [x, w])
    same_error(run)


def test_grad_wrt_tensor_not_requiring_grad():
    same_error(lambda lib: lib.autograd.grad((leaf(lib, [1.0]) * 2).sum(), lib.ones(1)))


def test_grad_with_wrong_number_of_grad_outputs():
    def run(lib):
        x = leaf(lib, [1.0])
        lib.autograd.grad([x * 2, x * 3], [x], grad_outputs=[lib.ones(1)])
    same_error(run)


# -- in-place operations ------------------------------------------------------------------------------

def test_inplace_on_leaf_requiring_grad():
    same_error(lambda lib: leaf(lib, [1.0, 2.0]).add_(1))


def test_inplace_on_saved_output():
    def run(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        y = x.exp()             # ExpBackward0 saves its output
        y.add_(1)
        y.sum().backward()
    same_error(run)


def test_inplace_on_saved_input_that_is_an_op_output():
    def run(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        h = x * 2
        z = h * h               # MulBackward0 saves h, output 0 of MulBackward0
        h.add_(1)               # h is now output 0 of AddBackward0
        z.sum().backward()
    same_error(run)


def test_inplace_on_saved_leaf():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * x
        with lib.no_grad():
            x.mul_(2)
        y.sum().backward()
    same_error(run)


def test_inplace_on_saved_tensor_not_requiring_grad():
    def run(lib):
        x = leaf(lib, [1.0, 2.0])
        w = lib.ones(2)
        y = x * w
        w.add_(1)
        y.sum().backward()
    same_error(run)


def test_inplace_error_hint_in_anomaly_mode():
    def run(lib):
        with pytest.warns(UserWarning):
            with lib.autograd.detect_anomaly():
                x = leaf(lib, [1.0, 2.0])
                y = x.exp()
                y.mul_(2)
                y.sum().backward()
    same_error(run)


def test_backward_with_too_few_gradients():
    def run(lib):
        x = leaf(lib, [1.0])
        lib.autograd.backward([x * 2, x * 3], [lib.ones(1)])
    same_error(run)


def test_backward_implicit_gradient_of_non_scalar_not_requiring_grad():
    same_error(lambda lib: lib.ones(3).backward())


# -- anomaly detection ------------------------------------------------------------------------------

def _anomaly_run(lib, make_nan_in_output):
    """Backward through a division whose gradient is NaN, in anomaly mode; returns the error and
    the warnings raised."""
    with pytest.warns(UserWarning) as record:
        with lib.autograd.detect_anomaly():
            x = leaf(lib, [0.0, 1.0])
            if make_nan_in_output == 0:
                y = (x / lib.tensor([0.0, 1.0]) * 0).sum()       # 0 / 0 in d/dx
            else:
                y = (x / x).sum()                                  # -0 / 0 in d/d(denominator)
            with pytest.raises(RuntimeError) as info:
                y.backward()
    return info.value, [str(w.message) for w in record]


@pytest.mark.parametrize('nan_output', [0, 1])
def test_detect_anomaly_names_the_backward_function(nan_output):
    (ours, our_warnings), (theirs, their_warnings) = (_anomaly_run(lib, nan_output)
                                                      for lib in (torchlet, torch))
    expected = f"Function 'DivBackward0' returned nan values in its {nan_output}th output."
    assert str(ours) == str(theirs) == expected
    assert our_warnings[0] == their_warnings[0]       # "Anomaly Detection has been enabled. ..."
    header = 'Error detected in DivBackward0. Traceback of forward call that caused the error:\n'
    assert our_warnings[1].startswith(header) and their_warnings[1].startswith(header)
    forward_line = ('y = (x / lib.tensor([0.0, 1.0]) * 0).sum()' if nan_output == 0 else
                    'y = (x / x).sum()')
    assert forward_line in our_warnings[1] and forward_line in their_warnings[1]
    assert 'torchlet/ops' not in our_warnings[1] and 'torchlet/autograd' not in our_warnings[1]


def test_without_anomaly_mode_nan_gradients_propagate():
    for lib in (torchlet, torch):
        x = leaf(lib, [0.0, 1.0])
        (x / x).sum().backward()
        assert np.isnan(x.grad.numpy()[0])


def test_anomaly_check_nan_false():
    for lib in (torchlet, torch):
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
            x = leaf(lib, [0.0, 1.0])
            (x / x).sum().backward()
        assert not lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        assert np.isnan(x.grad.numpy()[0])


def test_set_detect_anomaly_as_function_and_context_manager():
    for lib in (torchlet, torch):
        lib.autograd.set_detect_anomaly(True)
        try:
            assert lib.is_anomaly_enabled()
        finally:
            lib.autograd.set_detect_anomaly(False)
        assert not lib.is_anomaly_enabled()
        with lib.autograd.set_detect_anomaly(True):
            assert lib.is_anomaly_enabled()
            with lib.autograd.set_detect_anomaly(False):
                assert not lib.is_anomaly_enabled()
            assert lib.is_anomaly_enabled()
        assert not lib.is_anomaly_enabled()
