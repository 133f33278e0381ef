"""The example gallery (torchlet.examples): CLI, shared plumbing, and one smoke test per example with
small settings. Where an example is a PyTorch program of the notes, the same program is run in torch
(same seed: torchlet's generator reproduces torch's streams) and the results must agree."""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import torchlet
from torchlet.examples import _common, describe, load, names
from torchlet.examples.__main__ import main as cli

EXAMPLES = ['diabetes', 'himmelblau', 'logistic', 'optimizers', 'overfitting', 'regression']
HAVE_MPL = _common._pyplot() is not None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(name, tmp_path, *argv):
    """Run an example in-process with output to tmp_path/name; returns (metrics, output folder)."""
    out = tmp_path / name
    metrics = load(name).main([*argv, '--out', str(out), '--no-progress'])
    return metrics, out


def check_outputs(metrics, out, pngs):
    """metrics.json exists and equals the returned metrics; the PNGs exist when matplotlib does."""
    with open(out / 'metrics.json', encoding='utf-8') as f:
        assert json.load(f) == metrics
    for png in pngs:
        assert (out / png).is_file() == HAVE_MPL, png
        if HAVE_MPL:
            assert (out / png).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert set(metrics['files']) == {*(pngs if HAVE_MPL else []), 'metrics.json'}


# ------------------------------------------------------------------------------------- CLI
def test_gallery_lists_every_example_with_description_and_seed(capsys):
    assert set(EXAMPLES) <= set(names())
    table = describe()
    for name in EXAMPLES:
        assert table[name]['description'] and not table[name]['description'].startswith('(cannot import')
        assert table[name]['seed'][:3] in ('000', '001', '002')
    assert cli(['list']) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in EXAMPLES:
        line = next(line for line in lines if line.split()[0] == name)
        assert table[name]['description'] in line and f"[seed {table[name]['seed']}]" in line


@pytest.mark.parametrize('argv', [[], ['run'], ['run', 'no_such_example'], ['frobnicate']])
def test_cli_bad_command_lines_exit_2_with_a_message(argv, capsys):
    assert cli(argv) == 2
    err = capsys.readouterr().err
    assert 'usage' in err or 'no example named' in err or 'which example' in err
    if argv[1:] == ['no_such_example']:
        assert "no example named 'no_such_example'" in err and 'regression' in err


def test_cli_help_and_example_help(capsys):
    assert cli(['--help']) == 0
    assert 'python -m torchlet.examples list' in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        cli(['run', 'diabetes', '--help'])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for option in ('--epochs', '--batch-size', '--lr', '--seed', '--data', '--out', '--device', '--full-batch'):
        assert option in text


def test_cli_runs_an_example_as_a_module(tmp_path):
    out = tmp_path / 'logistic'
    proc = subprocess.run([sys.executable, '-m', 'torchlet.examples', 'run', 'logistic', '--epochs', '20',
                           '--out', str(out), '--no-plots'], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'summary' in proc.stdout and 'epoch 20/20' in proc.stdout
    assert json.loads((out / 'metrics.json').read_text())['summary']['final_loss'] > 0


@pytest.mark.skipif(torchlet.cuda.is_available(), reason='a GPU is available here')
def test_device_cuda_is_refused_honestly(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        load('logistic').main(['--device', 'cuda', '--out', str(tmp_path)])
    assert info.value.code == 2
    assert 'CUDA is not available' in capsys.readouterr().err


@pytest.mark.parametrize('argv, message', [(['--epochs', '-1'], '--epochs must be >= 0'),
                                           (['--lr', '0'], '--lr must be > 0'),
                                           (['--batch-size', '0'], '--batch-size must be >= 1'),
                                           (['--device', 'tpu'], '--device tpu')])
def test_common_options_are_checked(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        load('diabetes').main([*argv, '--out', str(tmp_path)])
    assert info.value.code == 2 and message in capsys.readouterr().err


# ---------------------------------------------------------------------------------- plumbing
def test_plots_are_skipped_with_a_note_without_matplotlib(tmp_path, monkeypatch):
    monkeypatch.setattr(_common, '_pyplot', lambda: None)
    metrics, out = run_example('logistic', tmp_path, '--epochs', '5')
    assert metrics['files'] == ['metrics.json'] and sorted(os.listdir(out)) == ['metrics.json']
    assert any('matplotlib is not installed' in note for note in metrics['notes'])


def test_progress_falls_back_to_the_plain_iterable_without_tqdm(monkeypatch):
    items = [1, 2, 3]
    monkeypatch.setattr(_common, '_tqdm', None)
    assert _common.progress(items, desc='x') is items
    assert _common.progress(items, enabled=False) is items


def test_progress_bar_does_not_change_the_shuffle():
    """tqdm.auto would draw a DataLoader's sampler seed once more than plain iteration."""
    data = torchlet.utils.data.TensorDataset(torchlet.arange(10))
    loader = torchlet.utils.data.DataLoader(data, batch_size=4, shuffle=True)
    torchlet.manual_seed(3)
    plain = [b[0].tolist() for b in loader]
    torchlet.manual_seed(3)
    assert [b[0].tolist() for b in _common.progress(loader)] == plain


def test_to_jsonable_converts_tensors_arrays_and_non_finite_values():
    value = {'t': torchlet.tensor([1.5, 2.0]), 'a': np.arange(3), 'f': np.float32(0.5), 'nan': float('nan'),
             'd': torchlet.device('cpu'), 1: (np.int64(4),)}
    assert _common.to_jsonable(value) == {'t': [1.5, 2.0], 'a': [0, 1, 2], 'f': 0.5, 'nan': None, 'd': 'cpu',
                                          '1': [4]}


def test_find_data_file(tmp_path):
    packaged = os.path.join(_common.PACKAGE_DATA, 'diabetes.csv.gz')
    with open(packaged, 'rb') as f:
        assert hashlib.md5(f.read()).hexdigest() == 'b7f372850118dfaf306e2f334e6a718f'  # MANIFEST's MD5
    assert os.path.isfile(_common.find_data_file(None, 'diabetes.csv.gz', 'diabetes'))
    assert _common.find_data_file(packaged, 'diabetes.csv.gz', 'diabetes') == packaged
    assert _common.find_data_file(_common.PACKAGE_DATA, 'diabetes.csv.gz', 'diabetes') == packaged
    with pytest.raises(FileNotFoundError, match='diabetes.csv.gz not found; looked for: .*nowhere'):
        _common.find_data_file(str(tmp_path / 'nowhere'), 'diabetes.csv.gz', 'diabetes')


# ---------------------------------------------------------------------------------- examples
def torch_regression_autograd(epochs=800, lr=0.001):
    """Seed 001 §2.7 in PyTorch."""
    torch.manual_seed(100)
    x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
    y = 3 * x.pow(2) + 2 + 0.2 * torch.rand(x.size())
    w = torch.randn(1, 1, requires_grad=True)
    b = torch.zeros(1, 1, requires_grad=True)
    for _ in range(epochs):
        loss = (0.5 * (x.pow(2).mm(w) + b - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w.item(), b.item(), x.numpy(), y.numpy()


def torch_regression_nn(epochs=800, lr=0.001):
    """The nn + optim way in PyTorch: Linear(1, 1) on x², SGD, 0.5 * summed squared error."""
    torch.manual_seed(100)
    x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
    y = 3 * x.pow(2) + 2 + 0.2 * torch.rand(x.size())
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        loss = 0.5 * torch.nn.functional.mse_loss(model(x.pow(2)), y, reduction='sum')
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item()


def least_squares(x, y):
    """The (w, b) minimising Σ(w·x² + b − y)²."""
    design = np.hstack([x ** 2, np.ones_like(x)]).astype(np.float64)
    return np.linalg.lstsq(design, y.astype(np.float64), rcond=None)[0].ravel()


def test_regression_three_ways_reach_w3_b2(tmp_path):
    metrics, out = run_example('regression', tmp_path)
    check_outputs(metrics, out, ['fit.png', 'loss.png'])
    s = metrics['summary']
    # the notes print tensor([[2.9645]]) tensor([[2.1146]]) for §2.7; PyTorch gives the same
    w_torch, b_torch, x, y = torch_regression_autograd()
    assert abs(s['autograd_w'] - w_torch) < 1e-5 and abs(s['autograd_b'] - b_torch) < 1e-5
    assert abs(s['autograd_w'] - 2.9645) < 1e-4 and abs(s['autograd_b'] - 2.1146) < 1e-4
    w_nn, b_nn = torch_regression_nn()
    assert abs(s['nn+optim_w'] - w_nn) < 1e-5 and abs(s['nn+optim_b'] - b_nn) < 1e-5
    # both approach the least-squares fit of their data
    w_ls, b_ls = least_squares(x, y)
    assert abs(s['autograd_w'] - w_ls) < 5e-3 and abs(s['nn+optim_b'] - b_ls) < 5e-3
    # NumPy's own data (np.random.seed(100)) and its least-squares fit
    rs = np.random.RandomState(100)
    xn = np.linspace(-1, 1, 100).reshape(-1, 1)
    w_ls, b_ls = least_squares(xn, 3 * xn ** 2 + 2 + 0.2 * rs.rand(100).reshape(-1, 1))
    assert abs(s['numpy_w'] - w_ls) < 5e-3 and abs(s['numpy_b'] - b_ls) < 5e-3
    for way in ('numpy', 'autograd', 'nn+optim'):
        assert abs(s[f'{way}_w'] - 3) < 0.05 and abs(s[f'{way}_b'] - 2) < 0.15
        losses = metrics['history'][f'{way}_loss']
        assert len(losses) == 800 and losses[-1] < 0.01 * losses[0]


def test_regression_minibatches(tmp_path):
    metrics, _ = run_example('regression', tmp_path, '--epochs', '30', '--batch-size', '16', '--no-plots')
    for way in ('numpy', 'autograd', 'nn+optim'):
        losses = metrics['history'][f'{way}_loss']
        assert len(losses) == 30 and losses[-1] < 0.1 * losses[0]


def torch_himmelblau(start, steps, lr):
    x = torch.tensor(start, requires_grad=True)
    optimizer = torch.optim.Adam([x], lr=lr)
    for _ in range(steps):
        pred = (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2
        optimizer.zero_grad()
        pred.backward()
        optimizer.step()
    return x.tolist()


def test_himmelblau_adam_matches_torch_and_descends(tmp_path):
    metrics, out = run_example('himmelblau', tmp_path, '--epochs', '400', '--lr', '0.05',
                               '--start', '0', '0', '--start', '-4', '0')
    check_outputs(metrics, out, ['surface.png', 'paths.png', 'loss.png'])
    assert metrics['args']['starts'] == [[0.0, 0.0], [-4.0, 0.0]]
    for r in metrics['results']:
        np.testing.assert_allclose(r['x'], torch_himmelblau(r['start'], 400, 0.05), rtol=1e-5, atol=1e-5)
        assert r['f'] < 1e-3 < r['f_start']
        assert r['distance'] < 1e-2
    assert [r['nearest_minimum'] for r in metrics['results']] == [[3.0, 2.0], [-3.77931, -3.283186]]
    assert metrics['summary']['distinct_minima_found'] == 2
    f = metrics['history']['start [0.0, 0.0]']['f']
    assert f[-1] < f[0]


def torch_logistic(epochs, lr=0.01):
    """Liu Er's lecture 5 in PyTorch (seed 0)."""
    torch.manual_seed(0)
    x_data = torch.tensor([[1.0], [2.0], [3.0]])
    y_data = torch.tensor([[0.0], [0.0], [1.0]])
    linear = torch.nn.Linear(1, 1)
    criterion = torch.nn.BCELoss(reduction='sum')
    optimizer = torch.optim.SGD(linear.parameters(), lr=lr)
    for _ in range(epochs):
        loss = criterion(torch.sigmoid(linear(x_data)), y_data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return linear.weight.item(), linear.bias.item()


def test_logistic_matches_torch(tmp_path):
    metrics, out = run_example('logistic', tmp_path, '--epochs', '300')
    check_outputs(metrics, out, ['probability.png', 'loss.png'])
    s = metrics['summary']
    w, b = torch_logistic(300)
    assert abs(s['w'] - w) < 1e-5 and abs(s['b'] - b) < 1e-5
    assert abs(s['p_pass_at_4h'] - 1 / (1 + np.exp(-(4 * w + b)))) < 1e-5
    assert abs(s['decision_boundary_hours'] + b / w) < 1e-4
    losses = metrics['history']['loss']
    assert len(losses) == 300 and losses[-1] < losses[0]


def torch_diabetes(epochs, batch_size, lr, shuffle=True):
    """Liu Er's lecture 7 (seed 002 §8) in PyTorch, with the example's accuracy pass over a second
    DataLoader after each epoch (creating its iterator draws a seed, as torch does): per-step losses."""
    xy = np.loadtxt(os.path.join(_common.PACKAGE_DATA, 'diabetes.csv.gz'), delimiter=',', dtype=np.float32)
    torch.manual_seed(0)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(xy[:, :-1]), torch.from_numpy(xy[:, [-1]]))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)
    model = torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.Sigmoid(), torch.nn.Linear(6, 4), torch.nn.Sigmoid(),
                                torch.nn.Linear(4, 1), torch.nn.Sigmoid())
    criterion = torch.nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        for inputs, labels in loader:
            loss = criterion(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        with torch.no_grad():
            for inputs, labels in torch.utils.data.DataLoader(dataset, batch_size=len(dataset)):
                model(inputs)
    return losses


def test_diabetes_minibatch_matches_torch(tmp_path):
    packaged = os.path.join(_common.PACKAGE_DATA, 'diabetes.csv.gz')
    metrics, out = run_example('diabetes', tmp_path, '--epochs', '2', '--data', packaged)
    check_outputs(metrics, out, ['loss.png', 'accuracy.png'])
    h = metrics['history']
    assert len(h['step_loss']) == 2 * 24  # 759 rows in batches of 32
    np.testing.assert_allclose(h['step_loss'], torch_diabetes(2, 32, 0.01), rtol=1e-5, atol=1e-6)
    assert h['loss'][-1] < h['loss'][0]
    s = metrics['summary']
    assert s['samples'] == 759 and s['data'] == packaged
    assert abs(s['majority_class_rate'] - 496 / 759) < 1e-6  # MANIFEST: 496 rows of label 1
    assert 0 <= s['final_accuracy'] <= 1


def test_diabetes_full_batch_matches_torch(tmp_path):
    metrics, _ = run_example('diabetes', tmp_path, '--epochs', '10', '--full-batch', '--no-plots')
    assert metrics['args']['lr'] == 0.1
    np.testing.assert_allclose(metrics['history']['step_loss'], torch_diabetes(10, 759, 0.1, shuffle=False),
                               rtol=1e-5, atol=1e-6)
    assert metrics['history']['loss'][-1] < metrics['history']['loss'][0]


def test_diabetes_missing_data_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='diabetes.csv.gz not found'):
        run_example('diabetes', tmp_path, '--data', str(tmp_path / 'missing'))


def torch_optimizers(epochs, points, lr=0.01, batch_size=32):
    """Seed 001 §3.8 in PyTorch: per-step losses of each optimizer."""
    torch.manual_seed(1)
    x = torch.unsqueeze(torch.linspace(-1, 1, points), dim=1)
    y = x.pow(2) + 0.1 * torch.normal(torch.zeros(*x.size()))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch_size, shuffle=True)
    nets = [torch.nn.Sequential(torch.nn.Linear(1, 20), torch.nn.ReLU(), torch.nn.Linear(20, 1)) for _ in range(4)]
    optimizers = [torch.optim.SGD(nets[0].parameters(), lr=lr),
                  torch.optim.SGD(nets[1].parameters(), lr=lr, momentum=0.9),
                  torch.optim.RMSprop(nets[2].parameters(), lr=lr, alpha=0.9),
                  torch.optim.Adam(nets[3].parameters(), lr=lr, betas=(0.9, 0.99))]
    history = {label: [] for label in ('SGD', 'Momentum', 'RMSprop', 'Adam')}
    for _ in range(epochs):
        for batch_x, batch_y in loader:
            for net, optimizer, losses in zip(nets, optimizers, history.values()):
                loss = torch.nn.functional.mse_loss(net(batch_x), batch_y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
    return history


def test_optimizers_match_torch(tmp_path):
    metrics, out = run_example('optimizers', tmp_path, '--epochs', '3', '--points', '320')
    check_outputs(metrics, out, ['loss.png', 'epoch_loss.png'])
    expected = torch_optimizers(3, 320)
    for label, losses in metrics['history']['step_loss'].items():
        assert len(losses) == 30
        np.testing.assert_allclose(losses, expected[label], rtol=1e-4, atol=1e-6, err_msg=label)
        epoch_losses = metrics['history']['epoch_loss'][label]
        assert epoch_losses[-1] < epoch_losses[0], label
    assert metrics['summary']['best'] in ('Momentum', 'RMSprop', 'Adam')


def test_overfitting_toolbox_on_diabetes(tmp_path):
    metrics, out = run_example('overfitting', tmp_path, '--dataset', 'diabetes', '--epochs', '4', '--hidden', '16',
                               '--batch-size', '32', '--lr', '0.05', '--folds', '2', '--cv-epochs', '1')
    check_outputs(metrics, out, ['test_loss.png', 'val_accuracy.png', 'lr.png', 'losses.png', 'kfold.png'])
    assert metrics['split'] == {'train': 528, 'val': 105, 'test': 126}  # 759 → 1/6 test, then 1/6 validation
    for variant in ('plain', 'weight_decay', 'dropout', 'batchnorm'):
        h, r = metrics['history'][variant], metrics['results'][variant]
        assert h['train_loss'][-1] < h['train_loss'][0], variant
        assert len(h['test_loss']) == r['epochs_run'] <= 4
        assert 1 <= r['best_epoch'] <= r['epochs_run']
        assert r['best_val_accuracy'] == max(h['val_accuracy'])
        assert 0.5 < r['test_accuracy'] <= 1
    cv = metrics['cross_validation']
    assert len(cv['fold_accuracies']) == 2 and abs(cv['mean_accuracy'] - np.mean(cv['fold_accuracies'])) < 1e-12


def test_overfitting_on_mnist_sample(tmp_path):
    metrics, _ = run_example('overfitting', tmp_path, '--train-size', '360', '--hidden', '32', '--epochs', '2',
                             '--variants', 'plain', 'dropout', '--folds', '0', '--batch-size', '60', '--lr', '0.05',
                             '--no-plots')
    assert metrics['split'] == {'train': 300, 'val': 60, 'test': 2000}
    assert metrics['cross_validation'] is None
    for variant in ('plain', 'dropout'):
        h = metrics['history'][variant]
        assert h['train_loss'][-1] < h['train_loss'][0]
        assert metrics['results'][variant]['test_accuracy'] > 0.3  # 10 classes: chance is 0.1


def test_overfitting_early_stopping_and_plateau(tmp_path):
    # a learning rate too small to change anything: the validation loss never improves, so
    # ReduceLROnPlateau (patience 0) divides the lr by 10 each epoch after the first, and early
    # stopping (patience 2) stops after epoch 3 and keeps epoch 1's weights
    metrics, _ = run_example('overfitting', tmp_path, '--dataset', 'diabetes', '--epochs', '6', '--hidden', '8',
                             '--variants', 'plain', '--folds', '0', '--lr', '1e-6', '--patience', '2',
                             '--plateau-patience', '0', '--no-plots')
    h, r = metrics['history']['plain'], metrics['results']['plain']
    assert r['epochs_run'] == 3 and r['best_epoch'] == 1
    np.testing.assert_allclose(h['lr'], [1e-6, 1e-6, 1e-7])
    assert abs(r['test_loss'] - h['test_loss'][0]) < 1e-6


def test_early_stopping_keeps_the_best_weights():
    from torchlet.examples.overfitting import EarlyStopping
    model = torchlet.nn.Linear(2, 1)
    stopper = EarlyStopping(patience=2)
    stops = []
    for epoch, accuracy in enumerate([0.5, 0.7, 0.6, 0.65, 0.9], start=1):
        with torchlet.no_grad():
            model.bias.fill_(float(epoch))
        stops.append(stopper.step(accuracy, model, epoch))
    assert stops == [False, False, False, True, False]
    assert stopper.best_epoch == 5 and stopper.best_state['bias'].item() == 5.0
    stopper = EarlyStopping(patience=2)
    for epoch, accuracy in enumerate([0.5, 0.7, 0.6, 0.65], start=1):
        with torchlet.no_grad():
            model.bias.fill_(float(epoch))
        stopper.step(accuracy, model, epoch)
    assert stopper.best_state['bias'].item() == 2.0  # a copy, not the live parameter
