"""The autograd and memory-sharing worked examples of the study notes (/work/shared/seeds), run with
torchlet and with torch; both must print what the notes print.

Seed 003: d2l-style notes (autograd demo, non-scalar backward, memory sharing, NumPy bridge).
Seed 001: "Python深度学习基于PyTorch" ch. 2 (in-place add, requires_grad flags, Jacobian by two
backward passes, regression with autograd).
Seed 000: chain-rule example of section 4.
"""
import warnings

import numpy as np
import pytest

import torchlet
from conftest import torch

LIBS = pytest.mark.parametrize('lib', [torchlet, torch], ids=['torchlet', 'torch'])


def values(t):
    return t.detach().numpy().tolist()


# -- seed 003: 自动求导 ----------------------------------------------------------------------------------

@LIBS
def test_seed003_grad_of_2_xTx_is_4x(lib):
    x = lib.arange(4.0)
    assert repr(x) == 'tensor([0., 1., 2., 3.])'
    assert repr(x.requires_grad_(True)) == 'tensor([0., 1., 2., 3.], requires_grad=True)'
    assert x.grad is None
    y = 2 * lib.dot(x, x)
    assert repr(y) == 'tensor(28., grad_fn=<MulBackward0>)'
    y.backward()
    assert values(x.grad) == [0.0, 4.0, 8.0, 12.0]
    assert repr(x.grad == 4 * x) == 'tensor([True, True, True, True])'


@LIBS
def test_seed003_grad_of_sum_after_zero_(lib):
    x = lib.arange(4.0).requires_grad_(True)
    (2 * lib.dot(x, x)).backward()
    assert repr(x.grad.zero_()) == 'tensor([0., 0., 0., 0.])'
    y = x.sum()
    assert repr(y) == 'tensor(6., grad_fn=<SumBackward0>)'
    y.backward()
    assert repr(x.grad) == 'tensor([1., 1., 1., 1.])'


@LIBS
def test_seed003_non_scalar_backward_with_gradient(lib):
    x_0, x_1, x_2 = (lib.tensor(1., requires_grad=True), lib.tensor(2., requires_grad=True),
                     lib.tensor(3., requires_grad=True))
    with warnings.catch_warnings():     # torch: "Converting a tensor with requires_grad=True to a
        warnings.simplefilter('ignore')  # scalar may lead to unexpected behavior."
        x = lib.tensor([x_0, x_1, x_2])
    y = lib.randn(3)
    y[0], y[1], y[2] = x_0 * x_1 * x_2, x_0 + x_1 + x_2, x_0 + x_1 * x_2
    assert repr((x, y)) == '(tensor([1., 2., 3.]), tensor([6., 6., 7.], grad_fn=<CopySlices>))'
    y.backward(lib.tensor([0.1, 0.2, 0.3]))
    assert repr((x_0.grad, x_1.grad, x_2.grad)) == '(tensor(1.1000), tensor(1.4000), tensor(1.))'
    np.testing.assert_allclose([x_0.grad.item(), x_1.grad.item(), x_2.grad.item()], [1.1, 1.4, 1.0],
                               rtol=1e-6)


# -- seed 003: memory sharing -------------------------------------------------------------------------------

@LIBS
def test_seed003_slice_shares_memory(lib):
    x = lib.ones(2, 3)
    y = x[0, :]
    y += 1
    assert repr(y) == 'tensor([2., 2., 2.])'
    assert values(x) == [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]]


@LIBS
def test_seed003_view_and_reshape_share_memory(lib):
    x = lib.arange(6).view(3, 2)
    y = x.reshape(2, 3)
    z = x.reshape(-1, 6)
    assert repr(z) == 'tensor([[0, 1, 2, 3, 4, 5]])'
    y += 1
    assert values(y) == [[1, 2, 3], [4, 5, 6]] and values(x) == [[1, 2], [3, 4], [5, 6]]
    z += 1
    assert repr(z) == 'tensor([[2, 3, 4, 5, 6, 7]])'
    assert values(x) == [[2, 3], [4, 5], [6, 7]]
    assert id(x) != id(y) and id(x) != id(z)


@LIBS
def test_seed003_assignment_allocates_slice_assignment_does_not(lib):
    x, y, z = lib.ones(1, 3), lib.arange(1, 4).view(1, 3), lib.arange(5, 8).view(1, 3)
    y_old_id, z_old_id = id(y), id(z)
    y, z[:] = y + x, z + x
    assert repr((y, z)) == '(tensor([[2., 3., 4.]]), tensor([[6, 7, 8]]))'
    assert id(y) != y_old_id and id(z) == z_old_id


@LIBS
def test_seed003_add_out_and_add_(lib):
    x = lib.ones(2, 3)
    y = x * 2
    result = lib.empty(5, 3)
    with pytest.warns(UserWarning, match='An output with one or more elements was resized'):
        lib.add(x, y, out=result)
    assert values(result) == [[3.0] * 3] * 2
    assert values(y.add_(x)) == [[3.0] * 3] * 2 and values(y) == [[3.0] * 3] * 2


@LIBS
def test_seed003_numpy_shares_memory(lib):
    x = lib.ones(5)
    y = x.numpy()
    x += 1
    assert repr((x, y)) == '(tensor([2., 2., 2., 2., 2.]), array([2., 2., 2., 2., 2.], dtype=float32))'


@LIBS
def test_seed003_from_numpy_shares_tensor_copies(lib):
    x = np.ones(3)
    y = lib.from_numpy(x)
    x += 1
    assert repr(y) == 'tensor([2., 2., 2.], dtype=torch.float64)'
    x = np.ones(3)
    y = lib.tensor(x)
    x += 1
    assert repr(y) == 'tensor([1., 1., 1.], dtype=torch.float64)'


# -- seed 001: chapter 2 -----------------------------------------------------------------------------------

@LIBS
def test_seed001_add_returns_new_add_modifies_in_place(lib):
    x = lib.tensor([1, 2])
    y = lib.tensor([3, 4])
    z = x.add(y)
    printed = [repr(z), repr(x)]
    x.add_(y)
    printed.append(repr(x))
    assert printed == ['tensor([4, 6])', 'tensor([1, 2])', 'tensor([4, 6])']


@LIBS
def test_seed001_scalar_backward_requires_grad_flags(lib):
    # 2.5.3: z = wx + b with leaves x (no grad), w, b
    x = lib.Tensor([2])
    w = lib.randn(1, requires_grad=True)
    b = lib.randn(1, requires_grad=True)
    y = lib.mul(w, x)
    z = lib.add(y, b)
    line = "x,w,b的require_grad属性分别为:{},{},{}".format(x.requires_grad, w.requires_grad,
                                                        b.requires_grad)
    assert line == "x,w,b的require_grad属性分别为:False,True,True"
    assert (x.is_leaf, w.is_leaf, b.is_leaf, y.is_leaf, z.is_leaf) == (True, True, True, False, False)
    assert x.grad_fn is None and y.grad_fn.name() == 'MulBackward0' and z.grad_fn.name() == 'AddBackward0'
    z.backward()
    assert values(w.grad) == [2.0] and values(b.grad) == [1.0] and x.grad is None


@LIBS
def test_seed001_jacobian_by_two_backward_passes(lib):
    # 2.5.4: y1 = x1^2 + 3 x2, y2 = x2^2 + 2 x1 at x = (2, 3)
    x = lib.tensor([[2, 3]], dtype=lib.float, requires_grad=True)
    J = lib.zeros(2, 2)
    y = lib.zeros(1, 2)
    y[0, 0] = x[0, 0] ** 2 + 3 * x[0, 1]
    y[0, 1] = x[0, 1] ** 2 + 2 * x[0, 0]
    y.backward(lib.Tensor([[1, 0]]), retain_graph=True)
    J[0] = x.grad
    x.grad = lib.zeros_like(x.grad)
    y.backward(lib.Tensor([[0, 1]]))
    J[1] = x.grad
    assert repr(J) == 'tensor([[4., 3.],\n        [2., 6.]])'


@LIBS
def test_seed001_wrong_jacobian_with_ones_gradient(lib):
    # 2.5.4: backward with v = (1, 1) sums the Jacobian's rows: not the Jacobian
    x = lib.tensor([[2, 3]], dtype=lib.float, requires_grad=True)
    y = lib.zeros(1, 2)
    y[0, 0] = x[0, 0] ** 2 + 3 * x[0, 1]
    y[0, 1] = x[0, 1] ** 2 + 2 * x[0, 0]
    y.backward(lib.Tensor([[1, 1]]))
    assert values(x.grad) == [[6.0, 9.0]]


@LIBS
def test_seed001_regression_with_autograd(lib):
    # 2.7: learn y = w x^2 + b with autograd and manual SGD; the notes print the result
    t = lib
    t.manual_seed(100)
    dtype = t.float
    x = t.unsqueeze(t.linspace(-1, 1, 100), dim=1)
    y = 3 * x.pow(2) + 2 + 0.2 * t.rand(x.size())
    w = t.randn(1, 1, dtype=dtype, requires_grad=True)
    b = t.zeros(1, 1, dtype=dtype, requires_grad=True)
    lr = 0.001
    for ii in range(800):
        y_pred = x.pow(2).mm(w) + b
        loss = 0.5 * (y_pred - y) ** 2
        loss = loss.sum()
        loss.backward()
        with t.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    assert f'{w} {b}' == 'tensor([[2.9645]], requires_grad=True) tensor([[2.1146]], requires_grad=True)'


# -- seed 000: section 4 ------------------------------------------------------------------------------

@LIBS
def test_seed000_chain_rule(lib):
    autograd = lib.autograd
    x = lib.tensor(1.)
    w1 = lib.tensor(2., requires_grad=True)
    b1 = lib.tensor(1.)
    w2 = lib.tensor(2., requires_grad=True)
    b2 = lib.tensor(1.)
    y1 = x * w1 + b1
    y2 = y1 * w2 + b2
    dy2_dy1 = autograd.grad(y2, [y1], retain_graph=True)[0]
    dy1_dw1 = autograd.grad(y1, [w1], retain_graph=True)[0]
    dy2_dw1 = autograd.grad(y2, [w1], retain_graph=True)[0]
    assert repr(dy2_dy1 * dy1_dw1) == 'tensor(2.)'
    assert repr(dy2_dw1) == 'tensor(2.)'


@LIBS
def test_seed000_mse_gradient(lib):
    F = lib.nn.functional
    x = lib.ones(1)
    w = lib.full([1], 2.)
    mse = F.mse_loss(lib.ones(1), x * w)
    assert not mse.requires_grad
    w.requires_grad_()
    mse = F.mse_loss(lib.ones(1), x * w)
    assert repr(lib.autograd.grad(mse, [w])) == '(tensor([2.]),)'
    mse = F.mse_loss(lib.ones(1), x * w)
    mse.backward()
    assert repr(w.grad) == 'tensor([2.])'


@LIBS
def test_seed000_integer_weights_cannot_require_grad(lib):
    # the notes' second example uses torch.full([4], 2): an integer tensor
    w = lib.full([4], 2)
    with pytest.raises(RuntimeError, match='only Tensors of floating point dtype can require gradients'):
        w.requires_grad_()


@LIBS
def test_seed000_softmax_gradients_sum_to_zero(lib):
    F = lib.nn.functional
    a = lib.tensor([0.3, 0.9, 0.5])
    a.requires_grad_()
    p = F.softmax(a, dim=0)
    g1, = lib.autograd.grad(p[1], [a], retain_graph=True)
    g2, = lib.autograd.grad(p[2], [a])
    pv = p.detach().numpy()
    np.testing.assert_allclose(values(g1), [-pv[1] * pv[0], pv[1] * (1 - pv[1]), -pv[1] * pv[2]],
                               rtol=1e-5)
    np.testing.assert_allclose(values(g2), [-pv[2] * pv[0], -pv[2] * pv[1], pv[2] * (1 - pv[2])],
                               rtol=1e-5)
