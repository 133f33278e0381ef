"""Run the example gallery with torchlet and with PyTorch on the same data, and write docs/results.md.

Each example of ``torchlet.examples`` runs twice, in separate processes: as it is (on torchlet) and
as the *same source* on PyTorch. For PyTorch the example's module (and the gallery's shared modules)
are loaded from their files with every ``import torchlet...`` / ``from torchlet... import`` rewritten
to ``torch...`` (see :class:`OnTorchFinder`); ``torchlet.vision`` is kept, as no torchvision is
installed here (the MNIST examples use it only to read the IDX files into NumPy arrays with
``--pipeline tensor``, the generative ones to save image grids). Both runs get the same options,
seed and thread count; their metrics.json, figures and timings go into docs/results.md, with a
benchmark section for the MNIST MLP and CNNs and one for the sequence and generative examples.

Which examples run, with which options per mode, and what the page shows of them is the plan,
scripts/results_plan.py. Every invocation saves its runs in OUT/results.json *merged* with the runs
saved there before (``--fresh`` starts over), so ``--only NAME`` reruns one example and the page
still shows all of them; ``--doc-only`` rewrites the page from that file. The page's hand-written
block (between the markers KEPT_BEGIN and KEPT_END) is kept as it is.

usage:
  python scripts/results.py [--quick | --full] [--only a,b] [--skip a,b] [--threads 1] [--data DIR]
                            [--out DIR] [--doc docs/results.md] [--args NAME='OPTIONS' ...] [--no-doc]
                            [--doc-only] [--fresh]
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
def _load_plan():
    """scripts/results_plan.py, loaded from its file (this script is also loaded by file in tests)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results_plan.py')
    spec = importlib.util.spec_from_file_location('torchlet_results_plan', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_PLAN_MODULE = _load_plan()
PLAN, GROUPS, DEFAULT_QUICK = _PLAN_MODULE.PLAN, _PLAN_MODULE.GROUPS, _PLAN_MODULE.DEFAULT_QUICK


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
    chosen = [k for k in PLAN.get(name, {}).get('curves', []) if k in common]
    keys = chosen or keys
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
    keys = [k for k in PLAN.get(metrics.get('example'), {}).get('headline', []) if k in summary]
    if keys:
        return ', '.join(f'{k} {_fmt(summary[k])}' for k in keys)
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
    if PLAN.get(name, {}).get('seed_short'):
        return PLAN[name]['seed_short']
    reported = _seed_reported(name, metrics)
    if 'test_acc' in reported:
        return f"test acc {100 * reported['test_acc']:.2f} % after {reported.get('epochs', '?')} epochs"
    if 'note' in reported:
        return reported['note']
    text = PLAN.get(name, {}).get('seed') or _seed_text(name, metrics)
    return text if len(text) <= 120 else text[:117].rsplit(' ', 1)[0] + ' …'


def _copy_small(src, dst, max_px=None):
    """Copy a PNG figure as a 128-colour palette image (a third of the size, same look for plots),
    scaled down to at most ``max_px`` pixels a side when given."""
    try:
        from PIL import Image
    except ImportError:
        shutil.copyfile(src, dst)
        return
    with Image.open(src) as image:
        image = image.convert('RGB')
        if max_px and max(image.size) > max_px:
            image.thumbnail((max_px, max_px), Image.LANCZOS)
        image.quantize(colors=128).save(dst, optimize=True)


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
    for batch in settings['runs']:
        if batch.get('mnist_root'):
            text = text.replace(batch['mnist_root'], f"<{settings['data']} in torchvision's layout>")
    return text


KEPT_BEGIN = '<!-- hand-written: scripts/results.py keeps this block as it is -->'
KEPT_END = '<!-- end of the hand-written block -->'
DEFAULT_DOC = os.path.join(ROOT, 'docs', 'results.md')


def _kept_block(doc):
    """The hand-written block (KEPT_BEGIN … KEPT_END) of the page ``doc`` as it is now (else of
    docs/results.md), or None: regenerating the page keeps it."""
    for path in (doc, DEFAULT_DOC):
        if os.path.isfile(path):
            with open(path, encoding='utf-8') as f:
                text = f.read()
            i = text.find(KEPT_BEGIN)
            j = text.find(KEPT_END, i + 1)
            if i >= 0 and j > i:
                return text[i:j + len(KEPT_END)]
    return None


def upgrade_settings(state):
    """A saved results.json with ``settings['runs']`` (one entry per invocation of this script:
    command, date, mode, threads, load, time, MNIST folder and the examples it ran); files written
    before runs were merged have one flat settings dict."""
    settings = state['settings']
    if 'runs' not in settings:
        keys = ('command', 'date', 'mode', 'threads', 'load_before', 'load_after', 'total_s', 'mnist_root')
        settings['runs'] = [dict({k: settings.pop(k, None) for k in keys}, names=list(state['results']))]
    return state


def _mode(settings, name):
    return next((b['mode'] for b in settings['runs'] if name in b['names']), 'standard')


def _produced(settings):
    """The page's first paragraph(s): how and where the runs were made."""
    runs, versions = settings['runs'], f"NumPy {settings['numpy']}, PyTorch {settings['torch']}"
    load = lambda b: f"load average {b['load_before']} before and {b.get('load_after') or '?'} after"  # noqa: E731
    if len(runs) == 1:
        b = runs[0]
        return [f"Produced by `{b['command']}` on {b['date']} ({b['mode']} mode). Machine: {settings['machine']}; "
                f"{b['threads']} thread(s) per run (OMP/OpenBLAS/MKL_NUM_THREADS and `torch.set_num_threads`); "
                f"runs one after another; {load(b)} (other work shared the machine, so timings are indicative). "
                f"{versions}."]
    lines = [f"Produced by {len(runs)} invocations of scripts/results.py; each saves its runs in "
             f"`{settings['out']}/results.json`, merged with the runs saved before, and this page shows them all:", '']
    for b in runs:
        lines.append(f"- `{b['command'].strip()}` on {b['date']} ({b['mode']} mode, {b['threads']} thread(s) per run, "
                     f"{(b.get('total_s') or 0) / 60:.0f} min; {load(b)}): {', '.join(b['names'])}.")
    lines += ['', f"Machine: {settings['machine']}; the thread count is set with OMP/OpenBLAS/MKL_NUM_THREADS and "
                  f"`torch.set_num_threads`; runs one after another (other work shared the machine, so timings are "
                  f"indicative). {versions}."]
    return lines


SUMMARY_HEADER = ['| example | seed | options | seed reports | torchlet | PyTorch | agree | time torchlet / PyTorch |',
                  '|---|---|---|---|---|---|---|---|']


def _summary_row(name, runs, settings):
    tl, th = runs.get('torchlet', {}), runs.get('torch', {})
    ref = tl if 'error' not in tl else th
    both = 'error' not in tl and 'error' not in th
    times = f"{tl.get('wall_s', 0):.0f} s / {th.get('wall_s', 0):.0f} s" if both else '—'
    return (f"| [{name}](#{name}) | {ref.get('seed_source') or '?'} | `{_options(ref, settings) or '(defaults)'}` | "
            f"{_seed_short(name, ref)} | {'FAILED' if 'error' in tl else _headline(tl)} | "
            f"{'FAILED' if 'error' in th else _headline(th)} | {_agreement(tl, th) if both else '—'} | {times} |")


def _figures(name, runs, settings, folder, rel):
    """The example's figures of both frameworks copied to ``folder``: lines of the page's table."""
    ref = runs.get('torchlet') if 'error' not in runs.get('torchlet', {'error': 1}) else runs.get('torch', {})
    figure_names = PLAN.get(name, {}).get('figures') or [f for f in ref.get('files', []) if f.endswith('.png')][:2]
    cells, written = {fw: [] for fw in FRAMEWORKS}, set()
    for fw in FRAMEWORKS:
        for fig in figure_names:
            try:
                fig = fig.format(**runs.get(fw, {}).get('args', {}))
            except (KeyError, IndexError, ValueError):
                pass
            src = os.path.join(ROOT, settings['out'], fw, name, fig)
            if os.path.isfile(src):
                _copy_small(src, os.path.join(folder, f'{fw}-{fig}'), PLAN.get(name, {}).get('max_px'))
                written.add(f'{fw}-{fig}')
                cells[fw].append(f'![{LABELS[fw]} {fig}]({rel}/{name}/{fw}-{fig})')
    for old in os.listdir(folder):                   # figures of earlier runs (other epochs) go
        if old.endswith('.png') and old.startswith(tuple(f'{fw}-' for fw in FRAMEWORKS)) and old not in written:
            os.remove(os.path.join(folder, old))
    if not any(cells.values()):
        return []
    lines = ['| torchlet | PyTorch |', '|---|---|']
    for i in range(max(len(c) for c in cells.values())):
        lines.append(' | '.join(['', *(c[i] if i < len(c) else '' for c in cells.values()), '']).strip())
    return lines + ['']


def write_doc(results, settings, doc, figures_dir):
    """docs/results.md (and its figures) from ``results`` = {name: {framework: metrics}}; the
    hand-written block of the page as it was (see :func:`_kept_block`) is kept."""
    rel = os.path.relpath(figures_dir, os.path.dirname(doc))
    os.makedirs(figures_dir, exist_ok=True)
    kept = _kept_block(doc)
    lines = ['# Results: the seed programs on torchlet and on PyTorch', '', *_produced(settings), '',
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
             'process start and imports included.', '', *SUMMARY_HEADER]
    lines += [_summary_row(n, r, settings) for n, r in results.items() if not PLAN.get(n, {}).get('group')]
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
    for group, spec in GROUPS.items():
        rows = [_summary_row(n, r, settings) for n, r in results.items() if PLAN.get(n, {}).get('group') == group]
        if rows or (kept and spec.get('kept')):
            lines += ['', f"## {spec['title']}", '', spec['intro'], '', *(SUMMARY_HEADER + rows if rows else [])]
            if kept and spec.get('kept'):
                lines += ['', kept]
                kept = None
    lines += ['', '## Per example', '']
    for name, runs in results.items():
        tl, th = runs.get('torchlet', {}), runs.get('torch', {})
        ref = tl if 'error' not in tl else th
        lines += [f'### {name}', '',
                  f"Seed {ref.get('seed_source') or '?'}. Command: `python -m torchlet.examples run {name} "
                  f"{_options(ref, settings)}` (both frameworks; outputs under `{settings['out']}/<framework>/{name}`)."
                  + (' Shortened to fit the time budget: the defaults (the seed\'s settings) run longer, see '
                     '`--help`.' if PLAN.get(name, {}).get(_mode(settings, name)) else ''),
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
        lines += _figures(name, runs, settings, folder, rel)
        compare = compare_plot(name, runs, os.path.join(folder, 'compare.png'))
        if compare:
            lines += [f'Curves of both runs on one plot: ![{name} compare]({rel}/{name}/compare.png)', '']
    if kept:
        lines += ['', kept]
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
    parser.add_argument('--all', action='store_true', help="also the gallery's examples that are not in the plan")
    parser.add_argument('--skip', default='', help='comma-separated example names to leave out')
    parser.add_argument('--frameworks', default='torchlet,torch', help='torchlet, torch or both')
    parser.add_argument('--threads', type=int, default=1, help='BLAS / torch threads per run')
    parser.add_argument('--data', default='/work/shared/data', help='data root (full MNIST, diabetes, hs300)')
    parser.add_argument('--out', default=None, help='run outputs (default: out/results, or out/results-quick)')
    parser.add_argument('--doc', default=None,
                        help='the report to write (default: docs/results.md, or OUT/results.md with --quick)')
    parser.add_argument('--no-doc', action='store_true', help='run only; keep docs/results.md as it is')
    parser.add_argument('--doc-only', action='store_true', help='rewrite the report from OUT/results.json')
    parser.add_argument('--fresh', action='store_true',
                        help="replace OUT/results.json (default: merge this invocation's runs into it)")
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
            state = upgrade_settings(json.load(f))
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
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from torchlet.examples.mnist_common import find_root
    batch = dict(command='python scripts/results.py ' + ' '.join(sys.argv[1:] if argv is None else argv),
                 date=datetime.date.today().isoformat(), mode=mode, threads=args.threads,
                 load_before=' '.join(f'{x:.1f}' for x in os.getloadavg()), mnist_root=find_root(args.data),
                 names=names)
    settings = dict(data=args.data, out=os.path.relpath(args.out, ROOT), numpy=numpy.__version__,
                    torch=torch.__version__, machine=f'{platform.processor() or platform.machine()}, '
                                                     f'{os.cpu_count()} CPU cores, Python {platform.python_version()}')
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
    batch['load_after'] = ' '.join(f'{x:.1f}' for x in os.getloadavg())
    batch['total_s'] = time.perf_counter() - start
    print(f"[results] all runs: {batch['total_s'] / 60:.1f} min")
    state = {'settings': dict(settings, runs=[batch]), 'results': results}
    if os.path.isfile(saved) and not args.fresh:           # keep the saved runs of the other examples
        with open(saved, encoding='utf-8') as f:
            state = merge_runs(upgrade_settings(json.load(f)), state)
    os.makedirs(args.out, exist_ok=True)
    with open(saved, 'w', encoding='utf-8') as f:
        json.dump(state, f, indent=1)
    print(f"[results] raw results of {len(state['results'])} examples in {saved}")
    if not args.no_doc:
        write_doc(state['results'], state['settings'], args.doc, os.path.join(os.path.dirname(args.doc), 'results'))
        print(f'[results] wrote {args.doc}')
    return 0 if all('error' not in m for r in results.values() for m in r.values()) else 1


def merge_runs(old, new):
    """The saved state ``old`` updated with the runs of ``new`` (one invocation): new runs replace
    the old ones of the same example and framework; the examples are in the plan's order; an old
    invocation whose examples were all run again is dropped from settings['runs']."""
    names = set(new['results'])
    results = {n: dict(old['results'].get(n, {}), **new['results'].get(n, {}))
               for n in [*old['results'], *new['results']]}
    order = [n for n in PLAN if n in results] + [n for n in results if n not in PLAN]
    runs = [dict(b, names=[n for n in b['names'] if n not in names]) for b in old['settings']['runs']]
    settings = dict(old['settings'], **{k: v for k, v in new['settings'].items() if k != 'runs'})
    settings['runs'] = [b for b in runs if b['names']] + new['settings']['runs']
    return {'settings': settings, 'results': {n: results[n] for n in order}}

if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == 'worker':
        sys.exit(worker(sys.argv[2:]))
    sys.exit(main())
