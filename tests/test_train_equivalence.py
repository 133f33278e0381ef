"""Optimizer x model equivalence: an MLP and a small CNN trained for 20 steps on real MNIST with each
optimizer configuration, in torch and in torchlet from the same initial state_dict and the same
batches. The loss and every parameter must follow the same trajectory: float64 within 1e-9 (where
rounding cannot hide a wrong formula); float32 within 1e-4 (rtol and atol) for 99.9% of the
elements of each parameter and within 1e-3 for all (an adaptive optimizer divides by the root mean
square of the gradient, so a weight whose gradient is near zero carries rounding noise of the order
of lr into its update; such weights are rare but real, e.g. one conv weight of 800 under Adam); the
optimizer's state_dict (step, momentum buffers, moments) must agree at the end (float32: within
1e-3, because a momentum buffer sums ~1/(1-momentum) steps of gradients normalised by a root mean
square, which magnifies rounding where that root mean square is small).
"""
import numpy as np
import pytest

import torchlet
from conftest import torch
from test_seeds_training import assert_optimizer_states_close, mnist_float, twin
from test_seeds_training import one_thread  # noqa: F401  (autouse fixture: single-threaded)

STEPS, BATCH = 20, 32

MODELS = {
    'mlp': lambda nn: nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32),
                                    nn.ReLU(), nn.Linear(32, 10)),
    'cnn': lambda nn: nn.Sequential(nn.Conv2d(1, 4, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Conv2d(4, 8, 5),
                                    nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 10)),
}

OPTIMIZERS = {
    'SGD': lambda optim, p: optim.SGD(p, lr=0.05),
    'SGD-momentum': lambda optim, p: optim.SGD(p, lr=0.05, momentum=0.9),
    'SGD-nesterov-wd': lambda optim, p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                  weight_decay=1e-3),
    'SGD-dampening-wd': lambda optim, p: optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1,
                                                   weight_decay=1e-2),
    'Adam': lambda optim, p: optim.Adam(p, lr=1e-3),
    'Adam-amsgrad-wd': lambda optim, p: optim.Adam(p, lr=2e-3, betas=(0.8, 0.99), amsgrad=True,
                                                   weight_decay=1e-2),
    'AdamW': lambda optim, p: optim.AdamW(p, lr=1e-3, weight_decay=1e-2),
    'AdamW-amsgrad': lambda optim, p: optim.AdamW(p, lr=2e-3, amsgrad=True),
    'RMSprop': lambda optim, p: optim.RMSprop(p, lr=1e-3),
    'RMSprop-centered-momentum-wd': lambda optim, p: optim.RMSprop(p, lr=1e-3, alpha=0.9, momentum=0.9,
                                                                   centered=True, weight_decay=1e-3),
    'Adagrad': lambda optim, p: optim.Adagrad(p, lr=0.05),
    'Adagrad-decay-wd': lambda optim, p: optim.Adagrad(p, lr=0.05, lr_decay=1e-2, weight_decay=1e-3,
                                                       initial_accumulator_value=0.1),
}

TOLERANCE = {'float32': 1e-4, 'float64': 1e-9}
OUTLIERS = {'float32': (1e-3, 1e-3), 'float64': (0.0, 1e-9)}   # fraction allowed beyond tol, their bound
STATE_TOLERANCE = {'float32': 1e-3, 'float64': 1e-9}


def batches(dtype):
    x, y = mnist_float(STEPS * BATCH)
    x = x.astype(dtype)
    return [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(x), BATCH)]


def train(lib, model, make_optimizer, data, closure=False):
    """Train on the batches; -> (losses, parameters after each step, optimizer)."""
    optimizer = make_optimizer(lib.optim, model.parameters())
    criterion = lib.nn.CrossEntropyLoss()
    losses, trajectory = [], []
    for x, y in data:
        x, y = lib.from_numpy(x.copy()), lib.from_numpy(y.copy())
        if closure:
            def step():
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                return loss
            loss = optimizer.step(step)
        else:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses.append(loss.item())
        trajectory.append([p.detach().numpy().copy() for p in model.parameters()])
    return losses, trajectory, optimizer


def assert_close_mostly(actual, desired, tol, outliers, msg):
    """|actual - desired| <= tol * (1 + |desired|) except for a fraction ``outliers[0]`` of the
    elements (rounded up), which must be within ``outliers[1]`` * (1 + |desired|)."""
    assert actual.dtype == desired.dtype and actual.shape == desired.shape, msg
    excess = np.abs(actual.astype(np.float64) - desired) / (1 + np.abs(desired.astype(np.float64)))
    fraction, bound = outliers
    beyond = np.count_nonzero(excess > tol)
    assert beyond <= np.ceil(fraction * excess.size) and excess.max() <= max(bound, tol), (
        f"{msg}: {beyond} of {excess.size} elements differ by more than {tol:g}, "
        f"the largest by {excess.max():.3g} (allowed: {fraction:g} of them, up to {bound:g})")


def check_equivalence(model_name, optimizer_name, dtype, closure=False):
    tol = TOLERANCE[dtype]
    th, tl = twin(lambda lib: MODELS[model_name](lib.nn).to(getattr(lib, dtype)))
    data = batches(dtype)
    make = OPTIMIZERS[optimizer_name]
    losses_th, traj_th, opt_th = train(torch, th, make, data, closure)
    losses_tl, traj_tl, opt_tl = train(torchlet, tl, make, data, closure)
    np.testing.assert_allclose(losses_tl, losses_th, rtol=tol, atol=tol, err_msg='loss')
    names = [name for name, _ in th.named_parameters()]
    for step, (params_tl, params_th) in enumerate(zip(traj_tl, traj_th)):
        for name, p_tl, p_th in zip(names, params_tl, params_th):
            assert_close_mostly(p_tl, p_th, tol, OUTLIERS[dtype], f"step {step}: {name}")
    state_tol = STATE_TOLERANCE[dtype]
    assert_optimizer_states_close(opt_tl, opt_th, rtol=state_tol, atol=state_tol)
    assert losses_th[-1] < losses_th[0]


@pytest.mark.parametrize('optimizer_name', list(OPTIMIZERS))
@pytest.mark.parametrize('model_name', list(MODELS))
def test_float32_trajectories(model_name, optimizer_name):
    check_equivalence(model_name, optimizer_name, 'float32')


@pytest.mark.parametrize('optimizer_name', list(OPTIMIZERS))
@pytest.mark.parametrize('model_name', list(MODELS))
def test_float64_trajectories(model_name, optimizer_name):
    check_equivalence(model_name, optimizer_name, 'float64')


@pytest.mark.parametrize('optimizer_name', ['SGD-nesterov-wd', 'Adam-amsgrad-wd', 'RMSprop', 'Adagrad'])
def test_step_with_closure(optimizer_name):
    """optimizer.step(closure): the closure re-evaluates the loss, step returns it."""
    check_equivalence('mlp', optimizer_name, 'float64', closure=True)


def test_param_groups_with_own_hyperparameters():
    """Two parameter groups with their own lr / momentum, and an lr changed between steps."""
    def make(optim, params):
        params = list(params)
        return optim.SGD([{'params': params[:2], 'lr': 0.1, 'momentum': 0.5},
                          {'params': params[2:]}], lr=0.02, momentum=0.9, nesterov=True)

    th, tl = twin(lambda lib: MODELS['mlp'](lib.nn).double())
    data = batches('float64')
    results = []
    for lib, model in ((torch, th), (torchlet, tl)):
        optimizer = make(lib.optim, model.parameters())
        losses = []
        for step, (x, y) in enumerate(data):
            if step == 10:
                optimizer.param_groups[1]['lr'] *= 0.5
            loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x.copy())), lib.from_numpy(y.copy()))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        results.append((losses, optimizer))
    (losses_th, opt_th), (losses_tl, opt_tl) = results
    np.testing.assert_allclose(losses_tl, losses_th, rtol=1e-9)
    assert_optimizer_states_close(opt_tl, opt_th, rtol=1e-9, atol=1e-9)
