"""Run the example gallery with torchlet and with PyTorch on the same data, and write docs/results.md.

Each example of ``torchlet.examples`` runs twice, in separate processes: as it is (on torchlet) and
as the *same source* on PyTorch. For PyTorch the example's module (and the gallery's shared modules)
are loaded from their files with every ``import torchlet...`` / ``from torchlet... import`` rewritten
to ``torch...`` (see :class:`OnTorchFinder`); ``torchlet.vision`` is kept, as no torchvision is
installed here (the MNIST examples use it only to read the IDX files into NumPy arrays with
``--pipeline tensor``). Both runs get the same options, seed and thread count; their metrics.json,
figures and timings go into docs/results.md, with a benchmark section for the MNIST MLP and CNNs.

usage:
  python scripts/results.py [--quick] [--only a,b] [--skip a,b] [--threads 1] [--data DIR]
                            [--out DIR] [--doc docs/results.md] [--epochs NAME=N ...] [--no-doc]
  python scripts/results.py worker {torchlet,torch} NAME [example options]     (one run; internal)
"""
import argparse
import ast
import datetime
import importlib.abc
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES_DIR = os.path.join(ROOT, 'torchlet', 'examples')
ON_TORCH = 'torchlet_examples_on_torch'
"""The package name under which the rewritten examples are imported (next to torchlet's own)."""
VISION_ON_TORCH = 'torchlet_vision_on_torch'
"""torchlet.vision as the examples see it on PyTorch: its datasets hold torch tensors."""
FRAMEWORKS = ('torchlet', 'torch')
THREAD_VARS = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')


# ------------------------------------------------------------------------- the torch rewrite
def torch_module_name(name):
    """The module that ``name`` stands for when an example runs on PyTorch: ``torchlet[.x]`` ->
    ``torch[.x]``, ``torchlet.examples[.x]`` -> the rewritten gallery, ``torchlet.vision`` and
    ``torchlet.vision.datasets`` -> versions whose datasets hold torch tensors (there is no
    torchvision here), other ``torchlet.vision.x`` unchanged; anything else unchanged."""
    if name == 'torchlet.examples' or name.startswith('torchlet.examples.'):
        return ON_TORCH + name[len('torchlet.examples'):]
    if name in ('torchlet.vision', 'torchlet.vision.datasets'):
        return VISION_ON_TORCH + name[len('torchlet.vision'):]
    if name.startswith('torchlet.vision.'):
        return name
    if name == 'torchlet' or name.startswith('torchlet.'):
        return 'torch' + name[len('torchlet'):]
    return name


class _ToTorch(ast.NodeTransformer):
    """Rewrites the absolute import statements of a module with :func:`torch_module_name`."""

    def visit_Import(self, node):
        extra = []
        for alias in node.names:
            new = torch_module_name(alias.name)
            if new == alias.name:
                continue
            if alias.asname is None and '.' in alias.name:
                # `import torchlet.nn` binds `torchlet`: import torch.nn, then bind torchlet = torch
                top = alias.name.split('.')[0]
                extra.append(ast.parse(f'{top} = __import__({new.split(".")[0]!r})').body[0])
            elif alias.asname is None:
                alias.asname = alias.name
            alias.name = new
        return [node, *extra] if extra else node

    def visit_ImportFrom(self, node):
        if node.level == 0 and node.module:
            node.module = torch_module_name(node.module)
        return node


class _OnTorchLoader(importlib.abc.SourceLoader):
    """Loads a gallery file with its imports rewritten; never reads or writes bytecode caches
    (no ``path_stats``), so torchlet's own __pycache__ is left alone."""

    def __init__(self, fullname, path):
        self.fullname, self.path = fullname, path

    def get_filename(self, fullname):
        return self.path

    def get_data(self, path):
        with open(path, 'rb') as f:
            return f.read()

    def source_to_code(self, data, path, *, _optimize=-1):
        tree = ast.fix_missing_locations(_ToTorch().visit(ast.parse(data, path)))
        return compile(tree, path, 'exec', dont_inherit=True)


def _to_torch(dataset):
    """``dataset`` with its ``data`` and ``targets`` tensors turned into torch tensors."""
    import torch
    for attr in ('data', 'targets'):
        value = getattr(dataset, attr, None)
        if value is not None and not isinstance(value, torch.Tensor):
            setattr(dataset, attr, torch.from_numpy(value.numpy()))
    return dataset


class _VisionOnTorchLoader(importlib.abc.Loader):
    """Builds ``torchlet_vision_on_torch[.datasets]``: torchlet.vision's names, where the dataset
    constructors and ``load_mnist`` return datasets holding torch tensors (the IDX readers and the
    embedded MNIST sample do not depend on the framework)."""

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        import torchlet.vision
        real = torchlet.vision if module.__name__ == VISION_ON_TORCH else torchlet.vision.datasets
        module.__dict__.update({k: v for k, v in vars(real).items() if not k.startswith('__')})
        if module.__name__ == VISION_ON_TORCH:
            module.__path__ = []
            module.datasets = importlib.import_module(VISION_ON_TORCH + '.datasets')
            return
        for name in ('MNIST', 'FashionMNIST', 'KMNIST', 'EMNIST', 'load_mnist'):
            if hasattr(real, name):
                setattr(module, name, (lambda make: lambda *a, **k: _to_torch(make(*a, **k)))(getattr(real, name)))


class OnTorchFinder(importlib.abc.MetaPathFinder):
    """Imports ``torchlet_examples_on_torch[.name]`` from torchlet/examples/[name].py, rewritten,
    and ``torchlet_vision_on_torch[.datasets]``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in (VISION_ON_TORCH, VISION_ON_TORCH + '.datasets'):
            return importlib.util.spec_from_loader(fullname, _VisionOnTorchLoader(),
                                                   is_package=fullname == VISION_ON_TORCH)
        if fullname == ON_TORCH:
            file, search = os.path.join(EXAMPLES_DIR, '__init__.py'), [EXAMPLES_DIR]
        elif fullname.startswith(ON_TORCH + '.') and '.' not in fullname[len(ON_TORCH) + 1:]:
            file, search = os.path.join(EXAMPLES_DIR, fullname[len(ON_TORCH) + 1:] + '.py'), None
            if not os.path.isfile(file):
                return None
        else:
            return None
        return importlib.util.spec_from_file_location(fullname, file, loader=_OnTorchLoader(fullname, file),
                                                      submodule_search_locations=search)


def load_example(framework, name):
    """The module of example ``name`` running on ``framework`` ('torchlet' or 'torch')."""
    if framework == 'torchlet':
        sys.path.insert(0, ROOT)
        import torchlet.examples
        return torchlet.examples.load(name)
    if not any(isinstance(f, OnTorchFinder) for f in sys.meta_path):
        sys.path.insert(0, ROOT)
        sys.meta_path.insert(0, OnTorchFinder())
    return importlib.import_module(f'{ON_TORCH}.{name}')


def worker(argv):
    """``worker FRAMEWORK NAME [options]``: run one example in this process."""
    framework, name, rest = argv[0], argv[1], argv[2:]
    threads = os.environ.get('OMP_NUM_THREADS')
    if framework == 'torch' and threads:
        import torch
        torch.set_num_threads(int(threads))
    module = load_example(framework, name)
    module.main(rest)
    return 0



# ---------------------------------------------------------------------------------- the plan
# Per example: the options of each mode ({data}: --data, {mnist_root}: a folder in torchvision's
# MNIST layout made from it), the figures to show, and what the seed reports when the example's
# metrics do not say it themselves (SEED_REPORTED). 'standard' is sized to fit about 15 minutes
# for both frameworks on a 2-core machine; 'full' is the seeds' own settings.
MNIST_FULL = ['--data', '{data}']
PLAN = {
    'regression': dict(figures=['fit.png', 'loss.png'], seed=(
        '§2.6 prints `[[2.95859544]] [[2.10178594]]` (w, b with NumPy; 图2-11 fit); §2.7 prints '
        '`tensor([[2.9645]]) tensor([[2.1146]])` (autograd; 图2-13). Figures not included in the notes.')),
    'himmelblau': dict(figures=['surface.png', 'paths.png'], seed=(
        '3-D surface of Himmelblau\'s function (`plot_surface`, view_init(60, -30)), and Adam from [0, 0] '
        'printing x and f(x) every 2000 steps; figure not included. Known minima: (3, 2), (-2.805, 3.131), '
        '(-3.779, -3.283), (3.584, -1.848), all f = 0.'),
        quick=['--epochs', '2000']),
    'logistic': dict(figures=['probability.png', 'loss.png'], seed=(
        'Lecture 5: P(pass) against hours studied, a sigmoid crossing 0.5 near 2.5 h (image not included).')),
    'diabetes': dict(figures=['loss.png', 'accuracy.png'], args=['--data', '{data}'], seed=(
        'Prints `epoch, i, loss` for 100 epochs of mini-batches of 32; no figure or final number.'),
        quick=['--epochs', '10']),
    'optimizers': dict(figures=['loss.png'], seed='图3-6 多种优化器性能比较: loss per step of SGD, Momentum, RMSprop, Adam '
                                                 '(image not included).'),
    'overfitting': dict(figures=['test_loss.png', 'val_accuracy.png'], args=['--data', '{mnist_root}'], seed=(
        '图5-8 dropout对测试损失值的影响 and 图5-9 BN层对测试数据的影响: test loss with and without dropout / '
        'batch norm (images not included); dropout helps most, batch norm somewhat.'),
        quick=['--epochs', '2', '--train-size', '3000', '--folds', '2', '--cv-epochs', '1']),
    'lstm_tagger': dict(figures=['loss.png']),
    'mnist_mlp': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True,
                      quick=['--epochs', '2', '--limit-batches', '100']),
    'mnist_onehot_mse': dict(figures=['step_loss.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                             quick=['--epochs', '1', '--limit-batches', '40']),
    'mnist_softmax': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True,
                          standard=['--epochs', '3'], quick=['--epochs', '1', '--limit-batches', '100']),
    'mnist_multiclass': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True,
                             standard=['--epochs', '3'], quick=['--epochs', '1', '--limit-batches', '60']),
    'cnn_basic': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                      standard=['--epochs', '1'], quick=['--epochs', '1', '--limit-batches', '40']),
    'cnn_lenet5': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                       standard=['--epochs', '1'], quick=['--epochs', '1', '--limit-batches', '40']),
    'cnn_residual': dict(figures=['accuracy.png'], args=MNIST_FULL, bench=True,
                         standard=['--epochs', '1', '--limit-batches', '200'],
                         quick=['--epochs', '1', '--limit-batches', '20']),
    'cnn_inception': dict(figures=['accuracy.png'], args=MNIST_FULL, bench=True,
                          standard=['--epochs', '1', '--limit-batches', '100'],
                          quick=['--epochs', '1', '--limit-batches', '10']),
}
DEFAULT_QUICK = ['--epochs', '2']


def example_names():
    """Every example of the gallery, in the plan's order first."""
    sys.path.insert(0, ROOT)
    import torchlet.examples
    names = [n for n in torchlet.examples.names() if hasattr(torchlet.examples.load(n), 'main')]
    return [n for n in PLAN if n in names] + [n for n in names if n not in PLAN]


def example_argv(name, mode, data, extra):
    """The example's options for ``mode`` ('quick', 'standard' or 'full'), placeholders filled."""
    plan = PLAN.get(name, {})
    argv = list(plan.get('args', []))
    if mode == 'quick':
        argv += plan.get('quick', DEFAULT_QUICK)
    elif mode == 'standard':
        argv += plan.get('standard', [])
    argv += extra.get(name, [])
    if any('{mnist_root}' in a for a in argv):
        from torchlet.examples.mnist_common import find_root
        mnist_root = find_root(data) or data
    else:
        mnist_root = None
    return [a.format(data=data, mnist_root=mnist_root) for a in argv]


# ------------------------------------------------------------------------------------- runs
def run_one(framework, name, argv, out, threads, timeout):
    """Run one example in a subprocess; returns its metrics dict (with 'wall_s' and 'log'), or a
    dict with 'error' when it failed."""
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get('PYTHONPATH', '')]).rstrip(os.pathsep))
    env.update({var: str(threads) for var in THREAD_VARS})
    cmd = [sys.executable, os.path.abspath(__file__), 'worker', framework, name, *argv,
           '--out', out, '--no-progress']
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        log, rc = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as error:
        log, rc = f'{error.stdout or ""}{error.stderr or ""}\ntimed out after {timeout} s', -1
    wall = time.perf_counter() - start
    with open(os.path.join(out, 'log.txt'), 'w', encoding='utf-8') as f:
        f.write(log if isinstance(log, str) else log.decode())
    path = os.path.join(out, 'metrics.json')
    if rc != 0 or not os.path.isfile(path):
        return {'error': f'exit status {rc}', 'log': log[-3000:], 'wall_s': wall, 'argv': argv}
    with open(path, encoding='utf-8') as f:
        metrics = json.load(f)
    metrics.update(wall_s=wall, argv=argv)
    return metrics


if __name__ == '__main__' and len(sys.argv) > 1 and sys.argv[1] == 'worker':
    sys.exit(worker(sys.argv[2:]))
