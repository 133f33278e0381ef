"""The autograd engine on the core arithmetic ops: values and gradients against torch."""
import numpy as np
import pytest

import torchlet
from conftest import check_op, numeric_gradcheck, torch, rng


@pytest.mark.parametrize('op', ['add', 'sub', 'mul', 'div'])
@pytest.mark.parametrize('shapes', [((3,), (3,)), ((2, 3), (3,)), ((4, 1), (1, 5)), ((), (2, 2))])
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_binary_matches_torch(op, shapes, dt):
    r = rng()
    a = r.standard_normal(shapes[0]).astype(dt)
    b = (r.standard_normal(shapes[1]) + 3).astype(dt)
    check_op(getattr(torchlet, op), getattr(torch, op), a, b)


@pytest.mark.parametrize('op', ['add', 'sub', 'mul', 'div'])
def test_binary_gradcheck(op):
    r = rng(3)
    numeric_gradcheck(getattr(torchlet, op), r.standard_normal((2, 3)), r.standard_normal(3) + 3)


@pytest.mark.parametrize('a_dt,b', [('int64', 1.5), ('int64', 2), ('bool', 1), ('int32', 3),
                                    ('float32', 2), ('uint8', 1.0)])
def test_scalar_promotion(a_dt, b):
    a = np.array([1, 2, 3]).astype(a_dt)
    for f in ('add', 'mul', 'div'):
        check_op(getattr(torchlet, f), getattr(torch, f), a, b, grad=False)


@pytest.mark.parametrize('da,db', [('int64', 'float32'), ('int32', 'int64'), ('uint8', 'int8'),
                                   ('float32', 'float64'), ('bool', 'int32'), ('float16', 'int64')])
def test_tensor_promotion(da, db):
    a = np.array([1, 2, 3]).astype(da)
    b = np.array([1, 0, 1]).astype(db)
    check_op(torchlet.add, torch.add, a, b, grad=False)
    check_op(torchlet.add, torch.add, a, np.array(2).astype(db), grad=False)


def test_reverse_operators():
    x, y = torchlet.tensor([1., 2.], requires_grad=True), torch.tensor([1., 2.], requires_grad=True)
    a = 3 - x * 2 + 1 / x
    b = 3 - y * 2 + 1 / y
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())
    a.backward(torchlet.ones(2))
    b.backward(torch.ones(2))
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy())


def test_seed003_nonscalar_backward_with_gradient():
    # seed 003: y = x*x + 2x... the notes' worked example gives [1.1, 1.4, 1.0]
    x = torchlet.tensor([1., 2., 3.], requires_grad=True)
    y = x * x
    y.backward(torchlet.tensor([0.1, 0.2, 0.3]))
    th = torch.tensor([1., 2., 3.], requires_grad=True)
    (th * th).backward(torch.tensor([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(x.grad.numpy(), th.grad.numpy())


def test_higher_order():
    z = torchlet.tensor(2.0, requires_grad=True)
    g, = torchlet.autograd.grad(z * z * z, z, create_graph=True)
    g2, = torchlet.autograd.grad(g, z)
    assert g.item() == 12.0 and g2.item() == 12.0


def test_deep_chain_no_recursion():
    x = torchlet.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_second_backward_raises():
    x = torchlet.tensor([1., 2.], requires_grad=True)
    y = x * x
    y.backward(torchlet.ones(2))
    with pytest.raises(RuntimeError, match='backward through the graph a second time'):
        y.backward(torchlet.ones(2))


def test_retain_graph_accumulates():
    x = torchlet.tensor([1., 2.], requires_grad=True)
    y = x * x
    y.backward(torchlet.ones(2), retain_graph=True)
    y.backward(torchlet.ones(2))
    np.testing.assert_allclose(x.grad.numpy(), [4., 8.])


def test_grads_do_not_alias():
    x = torchlet.tensor([1., 2.], requires_grad=True)
    y = torchlet.tensor([1., 2.], requires_grad=True)
    (x + y).backward(torchlet.ones(2))
    x.grad.zero_()
    np.testing.assert_allclose(y.grad.numpy(), [1., 1.])
