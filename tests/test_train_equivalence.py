"""Optimizer x model equivalence: an MLP and a small CNN trained for 20 steps on real MNIST with each
optimizer configuration, in torch and in torchlet from the same initial state_dict and the same
batches. The loss and every parameter must follow the same trajectory.

float64: everything within 1e-9, where rounding cannot hide a wrong formula.
float32: losses within rtol 1e-4; each parameter within 1e-4 (relative to 1 + |value|) for 95% of
its elements and within 1e-3 for all (in practice all but a handful are within 1e-4). The
exceptions are real float32 events, not bugs: two values of a max-pool window within rounding of
each other (0.5262503 vs 0.5262505 in torch, the other order in torchlet) send the gradient to
different inputs, and a ReLU input within rounding of zero flips its unit for one sample; an
adaptive optimizer then carries that one-step difference in its moments, so a few weights drift
apart by up to ~lr/40 per step (CNN + Adam: 11 of 800 conv2 weights beyond 1e-4 after 20 steps,
the largest 1.5e-4; float64 shows the formulas agree).
The optimizer's state_dict (step, momentum buffers, moments) must agree at the end (float32 within
1e-3: a momentum buffer sums ~1/(1-momentum) steps of gradients, which magnifies those events).

The first half of the file is the harness that test_seeds_training.py shares: MNIST read from the
IDX files, twin models (torchlet loads torch's initial state_dict), comparisons of training records,
state_dicts and optimizer states.
"""
import functools
import gzip
import os
from pathlib import Path
import struct

import numpy as np
import pytest

import torchlet
from conftest import torch

DATA = Path(os.environ.get('TORCHLET_DATA', '/work/shared/data'))
MNIST_SAMPLE = Path(torchlet.__file__).parent / 'vision' / '_data'   # first 10 000 / 2 000 images
RTOL, ATOL = 1e-4, 1e-5          # losses, accuracies, outputs
PARAM_ATOL = 1e-4                # parameters and buffers after training


# == the harness, shared with test_seeds_training.py ==============================================

@pytest.fixture(autouse=True, scope='module')
def one_thread():
    """Both libraries single-threaded for these small models: faster, and no BLAS threads spinning
    against each other on a busy machine. The previous settings are restored afterwards."""
    saved = torch.get_num_threads(), torchlet.get_num_threads()
    torch.set_num_threads(1)
    torchlet.set_num_threads(1)
    yield
    torch.set_num_threads(saved[0])
    torchlet.set_num_threads(saved[1])


# -- data -------------------------------------------------------------------------------------------

def _data_file(*candidates):
    for path in candidates:
        if path.exists():
            return path
    pytest.skip(f"data file not found: {candidates[0]}")


@functools.lru_cache(maxsize=None)
def mnist(n, train=True):
    """The first n MNIST images (uint8, (n, 28, 28)) and labels (int64), read from the IDX files."""
    prefix = 'train' if train else 't10k'
    names = (f'{prefix}-images-idx3-ubyte.gz', f'{prefix}-labels-idx1-ubyte.gz')
    images_path, labels_path = (_data_file(DATA / 'mnist' / name, MNIST_SAMPLE / name) for name in names)
    with gzip.open(images_path) as f:
        _, count, rows, cols = struct.unpack('>4i', f.read(16))
        assert n <= count
        images = np.frombuffer(f.read(n * rows * cols), np.uint8).reshape(n, rows, cols)
    with gzip.open(labels_path) as f:
        f.read(8)
        labels = np.frombuffer(f.read(n), np.uint8).astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def mnist_float(n, train=True, mean=0.1307, std=0.3081):
    """ToTensor() + Normalize((mean,), (std,)) of the first n images: float32 (n, 1, 28, 28)."""
    images, labels = mnist(n, train)
    x = ((images.astype(np.float32) / np.float32(255) - np.float32(mean)) / np.float32(std))
    return x[:, None], labels


def tensor_loader(lib, x, y, batch_size, shuffle=False, seed=0):
    """DataLoader over TensorDataset(x, y) (numpy arrays); a shuffled one draws from its own
    Generator seeded with ``seed``."""
    data = lib.utils.data
    dataset = data.TensorDataset(lib.from_numpy(x.copy()), lib.from_numpy(y.copy()))
    generator = lib.Generator().manual_seed(seed) if shuffle else None
    return data.DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)


# -- two libraries, one program ---------------------------------------------------------------------

def state_arrays(model):
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def load_arrays(model, lib, arrays):
    model.load_state_dict({k: lib.from_numpy(v.copy()) for k, v in arrays.items()})


def twin(build, seed=0):
    """build(lib) -> module, for torch and for torchlet; torchlet's gets torch's initial state_dict."""
    torch.manual_seed(seed)
    th = build(torch)
    torchlet.manual_seed(seed)
    tl = build(torchlet)
    load_arrays(tl, torchlet, state_arrays(th))
    return th, tl


def assert_states_close(tl_model, th_model, rtol=RTOL, atol=PARAM_ATOL):
    """Same state_dict keys, shapes, dtypes and (within tolerance) values."""
    sd_tl, sd_th = tl_model.state_dict(), th_model.state_dict()
    assert list(sd_tl) == list(sd_th)
    for key, th_value in sd_th.items():
        tl_value = sd_tl[key]
        assert str(tl_value.dtype) == str(th_value.dtype), key
        assert tuple(tl_value.shape) == tuple(th_value.shape), key
        np.testing.assert_allclose(tl_value.detach().numpy(), th_value.detach().numpy(), rtol=rtol,
                                   atol=atol, err_msg=key)


def assert_records_close(rec_tl, rec_th, rtol=RTOL, atol=ATOL):
    """Two training records (dict name -> list of numbers): integers equal, floats close."""
    assert sorted(rec_tl) == sorted(rec_th)
    for key, th_values in rec_th.items():
        tl_values = rec_tl[key]
        assert len(tl_values) == len(th_values), key
        if all(isinstance(v, (int, list)) for v in th_values):
            assert tl_values == th_values, key
        else:
            np.testing.assert_allclose(tl_values, th_values, rtol=rtol, atol=atol, err_msg=key)


def assert_optimizer_states_close(tl_opt, th_opt, rtol=RTOL, atol=PARAM_ATOL):
    """Same param_groups (hyper-parameters, parameter ids) and per-parameter state."""
    sd_tl, sd_th = tl_opt.state_dict(), th_opt.state_dict()
    assert sd_tl['param_groups'] == sd_th['param_groups']
    assert sorted(sd_tl['state']) == sorted(sd_th['state'])
    for index, th_state in sd_th['state'].items():
        tl_state = sd_tl['state'][index]
        assert sorted(tl_state) == sorted(th_state), index
        for key, th_value in th_state.items():
            tl_value = tl_state[key]
            if isinstance(th_value, torch.Tensor):
                assert str(tl_value.dtype) == str(th_value.dtype), (index, key)
                assert tuple(tl_value.shape) == tuple(th_value.shape), (index, key)
                tl_value, th_value = tl_value.numpy(), th_value.numpy()
            np.testing.assert_allclose(tl_value, th_value, rtol=rtol, atol=atol, err_msg=f"{index}.{key}")


def run_twin(build, program, seed=0, **kwargs):
    """Train twin models with program(lib, model, **kwargs) -> record; compare records and states."""
    th, tl = twin(build, seed)
    rec_th = program(torch, th, **kwargs)
    rec_tl = program(torchlet, tl, **kwargs)
    assert_records_close(rec_tl, rec_th)
    assert_states_close(tl, th)
    return rec_tl, rec_th, tl, th


# == optimizer x model ============================================================================


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
OUTLIERS = {'float32': (5e-2, 1e-3), 'float64': (0.0, 1e-9)}   # fraction allowed beyond tol, their bound
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


SCHEDULERS = {
    'StepLR': lambda sched, opt: sched.StepLR(opt, step_size=5, gamma=0.5),
    'MultiStepLR': lambda sched, opt: sched.MultiStepLR(opt, milestones=[3, 8, 15], gamma=0.3),
    'ExponentialLR': lambda sched, opt: sched.ExponentialLR(opt, gamma=0.9),
    'CosineAnnealingLR': lambda sched, opt: sched.CosineAnnealingLR(opt, T_max=8, eta_min=1e-3),
    'LambdaLR': lambda sched, opt: sched.LambdaLR(opt, lambda step: 1 / (1 + step)),
    'OneCycleLR': lambda sched, opt: sched.OneCycleLR(opt, max_lr=0.1, total_steps=STEPS),
    'CyclicLR': lambda sched, opt: sched.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4),
}


@pytest.mark.parametrize('scheduler_name', list(SCHEDULERS))
def test_lr_scheduler_and_grad_clipping_in_training(scheduler_name):
    """A per-step lr schedule (OneCycleLR and CyclicLR also cycle the momentum) with
    clip_grad_norm_ before each step: the same lrs, total norms, losses and parameters."""
    th, tl = twin(lambda lib: MODELS['mlp'](lib.nn).double())
    data = batches('float64')
    records = []
    for lib, model in ((torch, th), (torchlet, tl)):
        optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        scheduler = SCHEDULERS[scheduler_name](lib.optim.lr_scheduler, optimizer)
        rec = {'lr': [], 'momentum': [], 'norm': [], 'loss': []}
        for x, y in data:
            loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x.copy())), lib.from_numpy(y.copy()))
            optimizer.zero_grad()
            loss.backward()
            rec['norm'].append(lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5).item())
            optimizer.step()
            scheduler.step()
            rec['lr'] += scheduler.get_last_lr()
            rec['momentum'].append(optimizer.param_groups[0]['momentum'])
            rec['loss'].append(loss.item())
        records.append(rec)
    rec_th, rec_tl = records
    for key in rec_th:
        np.testing.assert_allclose(rec_tl[key], rec_th[key], rtol=1e-9, atol=1e-12, err_msg=key)
    assert_states_close(tl, th, rtol=1e-9, atol=1e-9)
    assert min(rec_th['norm']) > 0.5       # clipping was active
