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
    'mnist_mlp': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True, note=(
        "The notes' printed numbers (98.4 %) do not come from their code as printed: the first "
        "`lr *= 0.1` happens before the first epoch, so the net trains at 0.001, then 0.0001, … and stops "
        "near 95.4 % on PyTorch exactly as on torchlet (above). Measured here with torchlet (20 epochs, full "
        "MNIST): `--lr 0.1` (epochs at 0.01, 0.001, …) reaches 98.27 %, `--lr 1.0` 98.43 % with train acc "
        "0.998 — a larger learning rate must have produced the printout."),
        quick=['--epochs', '2', '--limit-batches', '100']),
    'mnist_onehot_mse': dict(figures=['step_loss.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                             quick=['--epochs', '1', '--limit-batches', '40']),
    'mnist_softmax': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True,
                          quick=['--epochs', '1', '--limit-batches', '100']),
    'mnist_multiclass': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True,
                             quick=['--epochs', '1', '--limit-batches', '60']),
    'cnn_basic': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                      standard=['--epochs', '3'], quick=['--epochs', '1', '--limit-batches', '40']),
    'cnn_lenet5': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                       standard=['--epochs', '3'], quick=['--epochs', '1', '--limit-batches', '40']),
    'cnn_residual': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                         standard=['--epochs', '1'], quick=['--epochs', '1', '--limit-batches', '20']),
    'cnn_inception': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                          standard=['--epochs', '1', '--limit-batches', '200'],
                          quick=['--epochs', '1', '--limit-batches', '10']),
}
DEFAULT_QUICK = []


def example_names(everything=False):
    """The examples of the plan (this task's MNIST/CNN programs and the basic ones), in the plan's
    order; with ``everything``, every other example of the gallery after them."""
    sys.path.insert(0, ROOT)
    import torchlet.examples
    names = list(torchlet.examples.describe())
    chosen = [n for n in PLAN if n in names]
    return chosen + [n for n in names if n not in PLAN] if everything else chosen


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



# ------------------------------------------------------------------------------- the report
LABELS = {'torchlet': 'torchlet', 'torch': 'PyTorch'}


def _fmt(value):
    if isinstance(value, float):
        return f'{value:.4g}'
    if isinstance(value, list):
        return '[' + ', '.join(_fmt(v) for v in value[:6]) + (', …' if len(value) > 6 else '') + ']'
    if isinstance(value, dict):
        return '{' + ', '.join(f'{k}: {_fmt(v)}' for k, v in list(value.items())[:6]) + '}'
    return str(value).replace('|', '\\|')


def _numeric_curves(history, prefix=''):
    """{key: list of numbers} of a metrics history (one level of nesting is flattened as 'a/b')."""
    curves = {}
    for key, value in (history or {}).items():
        if isinstance(value, dict) and not prefix:
            curves.update(_numeric_curves(value, f'{key}/'))
        elif (isinstance(value, list) and len(value) >= 2
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
            curves[prefix + key] = value
    return curves


PREFERRED_CURVES = ('test_acc', 'train_loss', 'test_loss', 'train_acc', 'loss')


def compare_plot(name, runs, path):
    """One figure overlaying torchlet's and PyTorch's curves (up to 4 history entries)."""
    curves = {fw: _numeric_curves(runs[fw].get('history')) for fw in FRAMEWORKS if 'error' not in runs.get(fw, {'error': 1})}
    if len(curves) < 2:
        return None
    common = [k for k in curves['torchlet'] if k in curves['torch'] and k not in ('lr', 'epoch_time_s', 'test_time_s')]
    keys = sorted(common, key=lambda k: (PREFERRED_CURVES.index(k) if k in PREFERRED_CURVES else len(PREFERRED_CURVES)))[:4]
    if not keys:
        return None
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 3.0), squeeze=False)
    for ax, key in zip(axes[0], keys):
        for fw, style in (('torchlet', '-'), ('torch', '--')):
            ys = curves[fw][key]
            ax.plot(range(1, len(ys) + 1), ys, style, label=LABELS[fw], marker='.' if len(ys) <= 30 else None)
        ax.set_title(key, fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f'{name}: torchlet (solid) vs PyTorch (dashed)', fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    _copy_small(path, path)
    return path


def _per_batch_ms(metrics):
    history = metrics.get('history') or {}
    steps, seconds = len(history.get('step_loss') or []), sum(history.get('epoch_time_s') or [])
    return 1000 * seconds / steps if steps else None


def _headline(metrics):
    summary = metrics.get('summary') or {}
    if 'test_accuracy' in summary:
        return f"test acc {100 * summary['test_accuracy']:.2f} %"
    items = [(k, v) for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)][:3]
    return ', '.join(f'{k} {_fmt(v)}' for k, v in items)


def _seed_reported(name, metrics):
    """The example's SEED_REPORTED as the code says it now (else as its metrics recorded it)."""
    try:
        sys.path.insert(0, ROOT)
        import torchlet.examples
        return getattr(torchlet.examples.load(name), 'SEED_REPORTED', None) or metrics.get('seed_reported') or {}
    except Exception:  # noqa: BLE001 (an example that no longer imports: use what it recorded)
        return metrics.get('seed_reported') or {}


def _seed_text(name, metrics):
    reported = _seed_reported(name, metrics)
    plan = PLAN.get(name, {}).get('seed')
    parts = [plan] if plan else []
    if reported:
        parts.append('; '.join(f'{k}: {_fmt(v)}' for k, v in reported.items()))
    return ' '.join(parts) or '—'


def _seed_short(name, metrics):
    """One short phrase of what the seed reports, for the summary table."""
    reported = _seed_reported(name, metrics)
    if 'test_acc' in reported:
        return f"test acc {100 * reported['test_acc']:.2f} % after {reported.get('epochs', '?')} epochs"
    if 'note' in reported:
        return reported['note']
    text = PLAN.get(name, {}).get('seed') or _seed_text(name, metrics)
    return text if len(text) <= 120 else text[:117].rsplit(' ', 1)[0] + ' …'


def _copy_small(src, dst):
    """Copy a PNG figure as a 128-colour palette image (a third of the size, same look for plots)."""
    try:
        from PIL import Image
    except ImportError:
        shutil.copyfile(src, dst)
        return
    with Image.open(src) as image:
        image.convert('RGB').quantize(colors=128).save(dst, optimize=True)


def _agreement(tl, th):
    """'k/n': how many of the n numeric summary results (timings left out) of the two runs agree to
    3 significant digits (relative difference below 0.5e-3, or both below 1e-6)."""
    keys = [k for k, v in (tl.get('summary') or {}).items() if not (k.endswith('_s') or 'time' in k)
            and isinstance(v, (int, float)) and not isinstance(v, bool) and isinstance((th.get('summary') or {}).get(k), (int, float))]
    same = 0
    for k in keys:
        a, b = tl['summary'][k], th['summary'][k]
        same += abs(a - b) <= max(0.5e-3 * max(abs(a), abs(b)), 1e-6)
    return f'{same}/{len(keys)}' if keys else '—'


def _options(metrics, settings):
    """The example options of a run as text, the staged MNIST folder named for what it is."""
    text = ' '.join(metrics.get('argv', []))
    if settings.get('mnist_root'):
        text = text.replace(settings['mnist_root'], f"<{settings['data']} in torchvision's layout>")
    return text


def write_doc(results, settings, doc, figures_dir):
    """docs/results.md (and its figures) from ``results`` = {name: {framework: metrics}}."""
    rel = os.path.relpath(figures_dir, os.path.dirname(doc))
    os.makedirs(figures_dir, exist_ok=True)
    lines = ['# Results: the seed programs on torchlet and on PyTorch', '',
             f"Produced by `{settings['command']}` on {settings['date']} ({settings['mode']} mode). "
             f"Machine: {settings['machine']}; {settings['threads']} thread(s) per run "
             f"(OMP/OpenBLAS/MKL_NUM_THREADS and `torch.set_num_threads`); runs one after another; load "
             f"average {settings['load_before']} before and {settings['load_after']} after (other work shared "
             f"the machine, so timings are indicative). NumPy {settings['numpy']}, PyTorch {settings['torch']}.",
             '',
             'Each example of `python -m torchlet.examples` ran twice with the same options, in separate '
             'processes: on torchlet, and as the *same source file* on PyTorch (scripts/results.py imports '
             "it with every `import torchlet…` rewritten to `import torch…`; MNIST is read with torchlet's "
             'IDX reader and handed over as torch tensors, as no torchvision is installed here). The seed is '
             'the same, and torchlet draws the same random numbers as PyTorch, so both start from the same '
             'weights and shuffle the same way: the curves should agree up to float rounding. MNIST is the '
             f"full set from `{settings['data']}` (60 000 training / 10 000 test images) unless a row says "
             'otherwise. "seed reports" is what the study notes (/work/shared/seeds) print or show; their '
             'figures are images that are not part of the notes, so they are described, not reproduced. '
             '`python scripts/results.py --quick` checks the whole pipeline in a few minutes; `--full` runs '
             "every example with its defaults (the seeds' settings; hours on 2 cores); `--only NAME` and "
             "`--args NAME='OPTIONS'` pick runs; `--doc-only` rewrites this page from the saved runs.", '',
             '## Summary', '',
             '"agree" counts the numeric results of the two runs that are equal to 3 significant digits '
             '(the rest differ by float rounding that grows over many steps); the times are whole runs, '
             'process start and imports included.', '',
             '| example | seed | options | seed reports | torchlet | PyTorch | agree | time torchlet / PyTorch |',
             '|---|---|---|---|---|---|---|---|']
    for name, runs in results.items():
        tl, th = runs.get('torchlet', {}), runs.get('torch', {})
        ref = tl if 'error' not in tl else th
        times = (f"{tl.get('wall_s', 0):.0f} s / {th.get('wall_s', 0):.0f} s"
                 if 'error' not in tl and 'error' not in th else '—')
        lines.append(f"| [{name}](#{name.replace('_', '_')}) | {ref.get('seed_source') or '?'} | "
                     f"`{_options(ref, settings) or '(defaults)'}` | "
                     f"{_seed_short(name, ref)} | "
                     f"{'FAILED' if 'error' in tl else _headline(tl)} | {'FAILED' if 'error' in th else _headline(th)} | "
                     f"{_agreement(tl, th) if times != '—' else '—'} | {times} |")
    bench = [(n, r) for n, r in results.items() if PLAN.get(n, {}).get('bench')
             and all('error' not in r.get(fw, {'error': 1}) for fw in FRAMEWORKS)]
    if bench:
        lines += ['', '## Benchmark: the MNIST MLPs and CNNs', '',
                  'Training time only (the forward/backward/step loop over the batches, data loading included, '
                  'test pass excluded), from the runs above; ratio = torchlet / PyTorch (lower is better for '
                  'torchlet). Accuracy on the full 10 000-image test set after the epochs run (with '
                  '`--limit-batches N`, only N training batches per epoch and the first N test batches).', '',
                  '| example | batches run (size) | torchlet ms/batch | PyTorch ms/batch | ratio | torchlet s/epoch | '
                  'PyTorch s/epoch | torchlet acc | PyTorch acc |', '|---|---|---|---|---|---|---|---|---|']
        for name, runs in bench:
            tl, th = runs['torchlet'], runs['torch']
            a, b = _per_batch_ms(tl), _per_batch_ms(th)
            steps = len(tl['history'].get('step_loss') or [])
            epochs = len(tl['history'].get('epoch_time_s') or []) or 1
            per_epoch = [sum(r['history']['epoch_time_s']) / epochs for r in (tl, th)]
            lines.append(f"| {name} | {steps} ({tl['args'].get('batch_size')}) | {a:.1f} | {b:.1f} | "
                         f"**{a / b:.2f}** | {per_epoch[0]:.1f} | {per_epoch[1]:.1f} | "
                         f"{100 * tl['summary']['test_accuracy']:.2f} % | {100 * th['summary']['test_accuracy']:.2f} % |")
    lines += ['', '## Per example', '']
    for name, runs in results.items():
        tl, th = runs.get('torchlet', {}), runs.get('torch', {})
        ref = tl if 'error' not in tl else th
        lines += [f'### {name}', '',
                  f"Seed {ref.get('seed_source') or '?'}. Command: `python -m torchlet.examples run {name} "
                  f"{_options(ref, settings)}` (both frameworks; outputs under `{settings['out']}/<framework>/{name}`)."
                  + (' Shortened to fit the time budget: the defaults (the seed\'s settings) run longer, see '
                     '`--help`.' if PLAN.get(name, {}).get(settings['mode']) else ''),
                  '', f"**Seed reports:** {_seed_text(name, ref)}", '']
        if PLAN.get(name, {}).get('note'):
            lines += [f"**Note:** {PLAN[name]['note']}", '']
        for fw in FRAMEWORKS:
            if 'error' in runs.get(fw, {}):
                lines += [f"**{LABELS[fw]} failed** ({runs[fw]['error']}):", '', '```',
                          runs[fw].get('log', '')[-1500:].strip(), '```', '']
        keys = list(dict.fromkeys([*(tl.get('summary') or {}), *(th.get('summary') or {})]))
        if keys:
            lines += ['| result | torchlet | PyTorch |', '|---|---|---|']
            for key in keys:
                lines.append(f"| {key} | {_fmt((tl.get('summary') or {}).get(key, '—'))} | "
                             f"{_fmt((th.get('summary') or {}).get(key, '—'))} |")
            lines.append('')
        folder = os.path.join(figures_dir, name)
        os.makedirs(folder, exist_ok=True)
        figure_names = PLAN.get(name, {}).get('figures') or [f for f in ref.get('files', []) if f.endswith('.png')][:2]
        cells = {fw: [] for fw in FRAMEWORKS}
        for fw in FRAMEWORKS:
            for fig in figure_names:
                src = os.path.join(settings['out'], fw, name, fig)
                if os.path.isfile(src):
                    dst = os.path.join(folder, f'{fw}-{fig}')
                    _copy_small(src, dst)
                    cells[fw].append(f'![{LABELS[fw]} {fig}]({rel}/{name}/{fw}-{fig})')
        if any(cells.values()):
            lines += ['| torchlet | PyTorch |', '|---|---|']
            for i in range(max(len(c) for c in cells.values())):
                lines.append(' | '.join(['', *(c[i] if i < len(c) else '' for c in cells.values()), '']).strip())
            lines.append('')
        compare = compare_plot(name, runs, os.path.join(folder, 'compare.png'))
        if compare:
            lines += [f'Curves of both runs on one plot: ![{name} compare]({rel}/{name}/compare.png)', '']
    with open(doc, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines).rstrip() + '\n')
    return doc


# ----------------------------------------------------------------------------------- main
def parse(argv):
    parser = argparse.ArgumentParser(prog='python scripts/results.py', description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--quick', action='store_true', help='tiny settings for every example (a few minutes)')
    mode.add_argument('--full', action='store_true', help="the seeds' own settings everywhere (hours on 2 cores)")
    parser.add_argument('--only', default=None, help='comma-separated example names to run')
    parser.add_argument('--all', action='store_true', help="also the gallery's other examples (RNNs, VAE, ...)")
    parser.add_argument('--skip', default='', help='comma-separated example names to leave out')
    parser.add_argument('--frameworks', default='torchlet,torch', help='torchlet, torch or both')
    parser.add_argument('--threads', type=int, default=1, help='BLAS / torch threads per run')
    parser.add_argument('--data', default='/work/shared/data', help='data root (full MNIST, diabetes)')
    parser.add_argument('--out', default=None, help='run outputs (default: out/results, or out/results-quick)')
    parser.add_argument('--doc', default=None,
                        help='the report to write (default: docs/results.md, or OUT/results.md with --quick)')
    parser.add_argument('--no-doc', action='store_true', help='run only; keep docs/results.md as it is')
    parser.add_argument('--doc-only', action='store_true', help='rewrite the report from OUT/results.json')
    parser.add_argument('--args', action='append', default=[], metavar="NAME='OPTIONS'",
                        help="extra options for one example, e.g. --args mnist_mlp='--epochs 5' (repeatable)")
    parser.add_argument('--timeout', type=int, default=3600, help='seconds allowed per run')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.out is None:
        args.out = os.path.join(ROOT, 'out', 'results-quick' if args.quick else 'results')
    if args.doc is None:
        args.doc = os.path.join(args.out, 'results.md') if args.quick else os.path.join(ROOT, 'docs', 'results.md')
    saved = os.path.join(args.out, 'results.json')
    if args.doc_only:
        with open(saved, encoding='utf-8') as f:
            state = json.load(f)
        write_doc(state['results'], state['settings'], args.doc, os.path.join(os.path.dirname(args.doc), 'results'))
        print(f'wrote {args.doc}')
        return 0
    mode = 'quick' if args.quick else 'full' if args.full else 'standard'
    extra = {}
    for item in args.args:
        name, _, options = item.partition('=')
        extra[name] = options.split()
    names = args.only.split(',') if args.only else example_names(args.all)
    names = [n for n in names if n not in args.skip.split(',')]
    frameworks = [f for f in args.frameworks.split(',') if f]
    import numpy
    import torch
    settings = dict(command='python scripts/results.py ' + ' '.join(sys.argv[1:] if argv is None else argv),
                    date=datetime.date.today().isoformat(), mode=mode, threads=args.threads, data=args.data,
                    out=os.path.relpath(args.out, ROOT), numpy=numpy.__version__, torch=torch.__version__,
                    machine=f'{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, '
                            f'Python {platform.python_version()}',
                    load_before=' '.join(f'{x:.1f}' for x in os.getloadavg()))
    from torchlet.examples.mnist_common import find_root
    settings['mnist_root'] = find_root(args.data)
    results = {}
    start = time.perf_counter()
    for name in names:
        results[name] = {}
        argv_ex = example_argv(name, mode, args.data, extra)
        for fw in frameworks:
            print(f'[results] {name} on {LABELS[fw]}: {" ".join(argv_ex) or "(defaults)"}', flush=True)
            metrics = run_one(fw, name, argv_ex, os.path.join(args.out, fw, name), args.threads, args.timeout)
            results[name][fw] = metrics
            status = f"FAILED: {metrics['error']}" if 'error' in metrics else _headline(metrics)
            print(f"[results]   {metrics['wall_s']:.1f} s  {status}", flush=True)
    settings['load_after'] = ' '.join(f'{x:.1f}' for x in os.getloadavg())
    settings['total_s'] = time.perf_counter() - start
    os.makedirs(args.out, exist_ok=True)
    with open(saved, 'w', encoding='utf-8') as f:
        json.dump({'settings': settings, 'results': results}, f, indent=1)
    print(f"[results] all runs: {settings['total_s'] / 60:.1f} min; raw results in {saved}")
    if not args.no_doc and set(frameworks) == set(FRAMEWORKS):
        write_doc(results, settings, args.doc, os.path.join(os.path.dirname(args.doc), 'results'))
        print(f'[results] wrote {args.doc}')
    return 0 if all('error' not in m for r in results.values() for m in r.values()) else 1


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == 'worker':
        sys.exit(worker(sys.argv[2:]))
    sys.exit(main())
