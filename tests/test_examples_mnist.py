"""Smoke tests of the MNIST and CNN examples (torchlet/examples/mnist_*.py, cnn_*.py) and of
scripts/results.py's way of running the same example source on PyTorch.

Each example trains for a few batches of real MNIST (the sample embedded in torchlet, or the full
set in /work/shared/data where noted) and must write its metrics.json and plots, report which data
it used, and lower its loss. Outputs go to tmp_path.
"""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import torchlet
import torchlet.examples
from torchlet.examples import mnist_common

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_MNIST = '/work/shared/data/mnist'
MNIST_EXAMPLES = ['mnist_mlp', 'mnist_onehot_mse', 'mnist_softmax', 'mnist_multiclass',
                  'cnn_basic', 'cnn_lenet5', 'cnn_residual', 'cnn_inception']
# a few batches, enough for the test loss (on the same fixed test batches after each epoch) to fall
SMOKE = {
    'mnist_mlp': ['--epochs', '2', '--limit-batches', '6', '--lr', '0.5'],   # the seed's lr starts at 0.001
    'mnist_onehot_mse': ['--epochs', '2', '--limit-batches', '4', '--batch-size', '128'],
    'mnist_softmax': ['--epochs', '2', '--limit-batches', '6', '--lr', '0.1'],
    'mnist_multiclass': ['--epochs', '2', '--limit-batches', '4'],
    'cnn_basic': ['--epochs', '2', '--limit-batches', '4', '--lr', '0.05'],
    'cnn_lenet5': ['--epochs', '2', '--limit-batches', '4', '--batch-size', '64', '--test-batch-size', '64'],
    'cnn_residual': ['--epochs', '2', '--limit-batches', '3', '--batch-size', '16', '--test-batch-size', '32'],
    'cnn_inception': ['--epochs', '2', '--limit-batches', '3', '--batch-size', '16', '--test-batch-size', '32',
                      '--lr', '0.05'],
}


def run_example(name, tmp_path, *extra, data='sample'):
    """Run example ``name`` in-process on the embedded sample (``data='sample'``: --data points
    at an empty folder) or on ``data``; returns (metrics, out dir)."""
    out = tmp_path / name
    if data == 'sample':
        data = tmp_path / 'no-mnist-here'
        data.mkdir(exist_ok=True)
    argv = [*SMOKE[name], *extra, '--data', str(data), '--out', str(out), '--no-progress']
    metrics = torchlet.examples.load(name).main(argv)
    return metrics, out


@pytest.mark.parametrize('name', MNIST_EXAMPLES)
def test_example_trains_and_writes_outputs(name, tmp_path, capsys):
    metrics, out = run_example(name, tmp_path)
    printed = capsys.readouterr().out
    assert 'embedded MNIST sample' in printed                      # says which MNIST it trained on
    assert metrics['data']['source'] == 'sample'
    assert f'[{name}] epoch 2/2' in printed and 'test accuracy' in printed
    with open(out / 'metrics.json', encoding='utf-8') as f:
        saved = json.load(f)
    assert saved['summary'] == metrics['summary'] and saved['example'] == name
    for png in ('samples.png', 'predictions.png', 'loss.png', 'accuracy.png'):
        assert (out / png).stat().st_size > 1000, png
    history = metrics['history']
    n_train = int(SMOKE[name][SMOKE[name].index('--limit-batches') + 1])
    assert len(history['step_loss']) == 2 * n_train
    assert len(history['test_acc']) == 2 and 0 <= metrics['summary']['test_accuracy'] <= 1
    # the loss falls: the test loss on the same fixed test batches, after epoch 1 and after epoch 2
    assert history['test_loss'][1] < history['test_loss'][0], history['test_loss']
    assert np.all(np.isfinite(history['step_loss']))


def test_mnist_mlp_changes_lr_through_param_groups(tmp_path):
    """The seed's schedule: lr *= 0.1 at the start of epochs 0, 5, 10, ... (here every 2 epochs)."""
    metrics, _ = run_example('mnist_mlp', tmp_path, '--epochs', '3', '--limit-batches', '1', '--lr', '0.01',
                             '--decay-every', '2', '--no-plots')
    assert np.allclose(metrics['history']['lr'], [0.001, 0.001, 0.0001])
    assert metrics['seed_reported']['test_acc'] == 0.9836


def test_onehot_matches_torch_one_hot():
    import torch
    from torchlet.examples.mnist_onehot_mse import one_hot
    labels = [3, 0, 9, 3]
    expected = torch.nn.functional.one_hot(torch.tensor(labels), 10).float().numpy()
    got = one_hot(torchlet.tensor(labels))
    assert got.dtype == torchlet.float32 and np.array_equal(got.numpy(), expected)


def test_multiclass_literal_randn_init_runs(tmp_path):
    """--init randn: the notes' listing as printed (N(0, 1) weights, no kaiming_normal_)."""
    metrics, _ = run_example('mnist_multiclass', tmp_path, '--init', 'randn', '--epochs', '1',
                             '--limit-batches', '1', '--no-plots')
    assert metrics['args']['init'] == 'randn' and len(metrics['history']['step_loss']) == 1


def test_cnn_shapes_match_the_lectures():
    from torchlet.examples import cnn_basic, cnn_inception, cnn_lenet5, cnn_residual
    x = torchlet.randn(2, 1, 28, 28)
    for module in (cnn_basic, cnn_residual, cnn_inception):
        assert module.Net()(x).shape == (2, 10)
    assert cnn_lenet5.Lenet5()(x).shape == (2, 10)
    assert cnn_inception.InceptionA(10)(torchlet.randn(2, 10, 12, 12)).shape == (2, 88, 12, 12)
    block = cnn_residual.ResidualBlock(16)
    assert block(torchlet.randn(2, 16, 12, 12)).shape == (2, 16, 12, 12)
    # parameter counts of the lecture models, as torch.nn builds them from the same code
    counts = {m: sum(p.numel() for p in net.parameters()) for m, net in
              (('basic', cnn_basic.Net()), ('residual', cnn_residual.Net()), ('inception', cnn_inception.Net()),
               ('lenet5', cnn_lenet5.Lenet5()))}
    assert counts == {'basic': 8490, 'residual': 41514, 'inception': 97298, 'lenet5': 61706}


def test_torchvision_pipeline_gives_the_same_batches(tmp_path):
    """--pipeline torchvision (datasets.MNIST + ToTensor + Normalize per image) and --pipeline
    tensor (the same arithmetic on the whole array) train identically."""
    runs = []
    for pipeline in ('tensor', 'torchvision'):
        (tmp_path / pipeline).mkdir()
        runs.append(run_example('mnist_mlp', tmp_path / pipeline, '--pipeline', pipeline, '--epochs', '1',
                                '--limit-batches', '3', '--no-plots')[0])
    assert runs[0]['history']['step_loss'] == runs[1]['history']['step_loss']
    assert runs[1]['data']['pipeline'] == 'torchvision'


@pytest.mark.skipif(not os.path.isdir(SHARED_MNIST), reason='no shared copy of the full MNIST')
def test_full_mnist_from_a_flat_folder(tmp_path, capsys):
    """--data pointing at the four .gz files (not torchvision's layout): the full set is used."""
    metrics, _ = run_example('mnist_softmax', tmp_path, '--epochs', '1', '--limit-batches', '1', '--no-plots',
                             data=SHARED_MNIST)
    assert metrics['data']['source'] == 'full'
    assert (metrics['data']['train_size'], metrics['data']['test_size']) == (60000, 10000)
    assert 'full MNIST' in capsys.readouterr().out


def test_fashion_mnist_without_images_says_what_to_put_where(tmp_path):
    flat = tmp_path / 'fashion-mnist'
    flat.mkdir()
    (flat / 'train-labels-idx1-ubyte.gz').write_bytes(b'')
    with pytest.raises(SystemExit) as info:
        run_example('cnn_basic', tmp_path, '--dataset', 'fashion-mnist', data=tmp_path)
    message = str(info.value)
    assert 'FashionMNIST not found' in message and 'train-images-idx3-ubyte.gz' in message
    assert 'has only train-labels-idx1-ubyte.gz' in message and '--download' in message


def test_examples_are_listed_by_the_cli():
    proc = subprocess.run([sys.executable, '-m', 'torchlet.examples', 'list'], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT), timeout=60)
    assert proc.returncode == 0, proc.stderr
    for name in MNIST_EXAMPLES:
        assert name in proc.stdout
    assert 'mnist_common' not in proc.stdout          # the shared module is not an example


# ------------------------------------------------------------- the same source on PyTorch
def _results_module():
    spec = importlib.util.spec_from_file_location('results_script', os.path.join(ROOT, 'scripts', 'results.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_rewrite_maps_torchlet_to_torch():
    results = _results_module()
    assert results.torch_module_name('torchlet') == 'torch'
    assert results.torch_module_name('torchlet.nn.functional') == 'torch.nn.functional'
    assert results.torch_module_name('torchlet.examples._common') == results.ON_TORCH + '._common'
    assert results.torch_module_name('torchlet.vision.datasets') == results.VISION_ON_TORCH + '.datasets'
    assert results.torch_module_name('numpy') == 'numpy'
    import ast
    tree = results._ToTorch().visit(ast.parse('import torchlet as torch\nfrom torchlet import nn\n'
                                              'import torchlet.optim\nfrom . import mnist_common\n'))
    code = ast.unparse(ast.fix_missing_locations(tree))
    assert 'import torch as torch' in code and 'from torch import nn' in code
    assert 'import torch.optim' in code and "torchlet = __import__('torch')" in code
    assert 'from . import mnist_common' in code


def test_same_example_on_pytorch_matches_torchlet(tmp_path):
    """scripts/results.py runs the example's own source on real torch: same seed, same weights,
    same shuffling -> the same losses up to float rounding."""
    import torch
    results = _results_module()
    module = results.load_example('torch', 'cnn_basic')
    assert module.torch is torch and module.__name__.startswith(results.ON_TORCH)
    empty = tmp_path / 'empty'
    empty.mkdir()
    argv = ['--epochs', '1', '--limit-batches', '3', '--data', str(empty), '--no-plots', '--no-progress']
    on_torch = module.main([*argv, '--out', str(tmp_path / 'torch')])
    on_torchlet = torchlet.examples.load('cnn_basic').main([*argv, '--out', str(tmp_path / 'torchlet')])
    assert on_torch['framework'] == 'torch' and on_torchlet['framework'] == 'torchlet'
    np.testing.assert_allclose(on_torch['history']['step_loss'], on_torchlet['history']['step_loss'], rtol=1e-4)
    assert torchlet.examples.load('cnn_basic').torch is torchlet   # torchlet's own module is untouched


def test_find_root_layouts(tmp_path):
    assert mnist_common.find_root(str(tmp_path)) is None
    (tmp_path / 'MNIST' / 'raw').mkdir(parents=True)
    assert mnist_common.find_root(str(tmp_path)) == str(tmp_path)
