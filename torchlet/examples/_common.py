"""Plumbing shared by the example programs: command line, seeding, progress bar, log lines, plots,
metrics.json, data-file lookup and the usual train / evaluate loops.

An example module looks like this::

    NAME, DESCRIPTION, SEED = 'demo', 'one line for `list`', '001 §3.8'

    def main(argv=None):
        args = parse_args(make_parser(NAME, DESCRIPTION, epochs=10, lr=0.01, seed=1,
                                      batch_size=32), argv)
        run = Run(NAME, args)                 # output folder, seeding, device check
        for epoch in range(1, args.epochs + 1):
            ...
            run.log_epoch(epoch, args.epochs, loss=loss)
        run.plot_curves('loss.png', {'train': losses}, title='Loss', xlabel='epoch', ylabel='loss')
        return run.finish(summary={'final_loss': losses[-1]}, history={'loss': losses})

tqdm and matplotlib are optional: without tqdm the progress bar is a plain iterator, without
matplotlib the plots are skipped with a note (in the log and in metrics.json).
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np

import torchlet as torch

__all__ = ['PACKAGE_DATA', 'make_parser', 'parse_args', 'Run', 'set_seed', 'progress', 'find_data_file',
           'to_jsonable', 'train_epoch', 'evaluate', 'argmax_labels']

PACKAGE_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')
"""Data files shipped inside the package, so that the examples run anywhere."""

_SHARED_DATA_DIRS = ('/work/shared/data',)
"""Shared dataset copies preferred over the packaged ones when they exist ($TORCHLET_DATA first)."""


# ----------------------------------------------------------------------------------------- CLI
def make_parser(name, description, *, epochs, lr, seed, batch_size=None, data=None, lr_help='learning rate'):
    """The argument parser of an example, with the options every example shares.

    ``batch_size`` / ``data``: the default batch size and the help text of ``--data``; ``None``
    leaves the option out (an example that has no batches or reads no files does not offer it).
    ``lr=None`` lets the example choose the learning rate after parsing (say how in ``lr_help``).
    Add the example's own options to the returned parser.
    """
    parser = argparse.ArgumentParser(prog=f'python -m torchlet.examples run {name}', description=description,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--epochs', type=int, default=epochs, help='number of training epochs')
    if batch_size is not None:
        parser.add_argument('--batch-size', type=int, default=batch_size, help='mini-batch size')
    parser.add_argument('--lr', type=float, default=lr, help=lr_help)
    parser.add_argument('--seed', type=int, default=seed, help='random seed (torch.manual_seed)')
    if data is not None:
        parser.add_argument('--data', default=None, help=data)
    parser.add_argument('--out', default=None, help=f'output folder (default: ./out/{name})')
    parser.add_argument('--device', default='cpu', help="'cpu' (or 'cuda' where torchlet has a GPU)")
    parser.add_argument('--log-every', type=int, default=None,
                        help='print a log line every N epochs (default: about 10 lines per run)')
    parser.add_argument('--no-progress', action='store_true', help='no tqdm progress bar')
    parser.add_argument('--no-plots', action='store_true', help='do not write PNG plots')
    return parser


def parse_args(parser, argv=None):
    """Parse ``argv`` (default: sys.argv[1:]), check the common options, turn --device into a
    ``torch.device``. Errors exit with status 2 like argparse's own."""
    args = parser.parse_args(argv)
    if args.epochs < 0:
        parser.error(f'--epochs must be >= 0, got {args.epochs}')
    if getattr(args, 'batch_size', 1) < 1:
        parser.error(f'--batch-size must be >= 1, got {args.batch_size}')
    if args.lr is not None and args.lr <= 0:
        parser.error(f'--lr must be > 0, got {args.lr}')
    try:
        device = torch.device(args.device)
    except (RuntimeError, ValueError, TypeError) as error:
        parser.error(f'--device {args.device}: {error}')
    if device.type == 'cuda' and not torch.cuda.is_available():
        parser.error(f'--device {args.device}: CUDA is not available here (torch.cuda.is_available() '
                     f'is False: no CuPy or no GPU), torchlet computes with NumPy on the CPU; '
                     f'use --device cpu')
    if device.type not in ('cpu', 'cuda'):
        parser.error(f"--device {args.device}: torchlet runs on 'cpu' or 'cuda', not {device.type!r}")
    args.device = device
    return args


def set_seed(seed):
    """Seed torch's default generator and Python's ``random`` (the examples' only random sources)."""
    random.seed(seed)
    torch.manual_seed(seed)


# ------------------------------------------------------------------------------- progress bar
try:
    # plain tqdm: tqdm.auto's asyncio subclass calls iter() on the iterable when the bar is made,
    # which for a shuffling DataLoader draws a sampler seed that is then thrown away
    from tqdm import tqdm as _tqdm
except ImportError:  # optional dependency
    _tqdm = None


def progress(iterable, desc=None, total=None, enabled=True):
    """``iterable`` wrapped in a tqdm progress bar (a transient one, on stderr; hidden when stderr is
    not a terminal), or unchanged when tqdm is not installed or ``enabled`` is false."""
    if _tqdm is None or not enabled:
        return iterable
    return _tqdm(iterable, desc=desc, total=total, leave=False, dynamic_ncols=True, file=sys.stderr,
                 disable=None)


def _print(message):
    """Print a line without breaking a live progress bar."""
    if _tqdm is not None:
        _tqdm.write(message, file=sys.stdout)
    else:
        print(message, flush=True)


# --------------------------------------------------------------------------------------- JSON
def to_jsonable(value):
    """``value`` with tensors, NumPy arrays/scalars, devices and paths turned into JSON types
    (non-finite floats become None, as JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------- run
class Run:
    """One run of an example: its options, output folder, log lines, plots and metrics.json.

    Creating it seeds the random generators (``args.seed``) and creates ``args.out`` (default
    ``./out/NAME``); :meth:`finish` writes ``metrics.json``, prints the summary and returns the metrics.
    """

    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.device = args.device
        self.out = os.path.abspath(args.out or os.path.join('out', name))
        os.makedirs(self.out, exist_ok=True)
        self.files = []
        self.notes = []
        self._start = time.perf_counter()
        set_seed(args.seed)

    # -- console
    def log(self, message):
        """Print one line prefixed with the example's name."""
        _print(f'[{self.name}] {message}')

    def note(self, message):
        """Log a remark and keep it for metrics.json (e.g. a skipped plot)."""
        self.notes.append(message)
        self.log(f'note: {message}')

    def progress(self, iterable, desc=None, total=None):
        """A progress bar over ``iterable`` unless --no-progress was given."""
        return progress(iterable, desc=desc, total=total, enabled=not self.args.no_progress)

    def log_epoch(self, epoch, epochs, prefix='', unit='epoch', **values):
        """The per-epoch log line (``epoch`` counts from 1; 0 is allowed for a step count): printed
        for the first and last epoch and every --log-every epochs (default: about 10 lines)."""
        every = self.args.log_every or max(1, epochs // 10)
        if epoch in (0, 1, epochs) or epoch % every == 0:
            width = len(str(epochs))
            text = '  '.join(f'{key} {_fmt(value)}' for key, value in values.items())
            self.log(f'{prefix}{unit} {epoch:>{width}}/{epochs}  {text}')

    # -- plots
    def save_plot(self, filename, draw, figsize=(7, 4.5)):
        """Call ``draw(fig)`` on a new matplotlib figure and save it as ``out/filename`` (PNG).
        Returns the path, or None when plots are off or matplotlib is missing (noted once)."""
        if self.args.no_plots:
            return None
        plt = _pyplot()
        if plt is None:
            if not any(n.startswith('matplotlib') for n in self.notes):
                self.note('matplotlib is not installed: plots skipped (pip install matplotlib)')
            return None
        fig = plt.figure(figsize=figsize)
        try:
            draw(fig)
            path = os.path.join(self.out, filename)
            fig.savefig(path, dpi=100, bbox_inches='tight')
        finally:
            plt.close(fig)
        self.files.append(filename)
        return path

    def plot_curves(self, filename, curves, *, title, xlabel, ylabel, ylim=None, logy=False):
        """Line plot of named curves: ``curves`` maps a label to a list of y values (x = 1, 2, ...)
        or to an ``(xs, ys)`` pair."""
        def draw(fig):
            ax = fig.add_subplot()
            for label, curve in curves.items():
                xs, ys = curve if isinstance(curve, tuple) else (range(1, len(curve) + 1), curve)
                ax.plot(list(xs), list(ys), label=label, marker='.' if len(ys) <= 30 else None)
            ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
            if logy:
                ax.set_yscale('log')
            if ylim is not None:
                ax.set_ylim(*ylim)
            ax.grid(alpha=0.3)
            if len(curves) > 1:
                ax.legend(loc='best')
        return self.save_plot(filename, draw)

    # -- the end
    def finish(self, summary, history=None, **extra):
        """Write ``metrics.json`` (summary, history, options, files, notes, elapsed time), print the
        summary and return the metrics dict."""
        module = sys.modules.get(f'{__package__}.{self.name}')
        metrics = {
            'example': self.name,
            'seed_source': getattr(module, 'SEED', None),
            'summary': summary,
            'history': history or {},
            **extra,
            'args': {k: v for k, v in vars(self.args).items()},
            'files': self.files + ['metrics.json'],
            'notes': self.notes,
            'elapsed_s': round(time.perf_counter() - self._start, 3),
        }
        metrics = to_jsonable(metrics)
        with open(os.path.join(self.out, 'metrics.json'), 'w', encoding='utf-8') as f:
            json.dump(metrics, f, indent=1, ensure_ascii=False)
        self.log(f'summary ({metrics["elapsed_s"]:.1f} s):')
        for key, value in summary.items():
            _print(f'  {key}: {_fmt(value)}')
        _print(f'  outputs in {self.out}: {", ".join(metrics["files"])}')
        return metrics


def _fmt(value):
    """Short human form of a logged value (4 significant digits for floats)."""
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    if isinstance(value, (float, np.floating)):
        return f'{value:.4g}'
    if isinstance(value, (list, tuple)):
        return '[' + ', '.join(_fmt(v) for v in value) + ']'
    if isinstance(value, dict):
        return '{' + ', '.join(f'{k}: {_fmt(v)}' for k, v in value.items()) + '}'
    return str(value)


def _pyplot():
    """matplotlib.pyplot on the Agg backend (files only, no window), or None if not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


# --------------------------------------------------------------------------------------- data
def find_data_file(data, filename, subdir):
    """The path of a data file: ``data`` (the --data option: the file itself or a folder holding
    it) when given, else the shared copy ``<shared>/<subdir>/<filename>`` when it exists (shared =
    $TORCHLET_DATA, then /work/shared/data), else the copy shipped in torchlet/examples/data.
    A missing file raises FileNotFoundError naming where it was looked for."""
    if data is not None:
        candidates = [data] if os.path.isfile(data) else [os.path.join(data, filename),
                                                          os.path.join(data, subdir, filename)]
    else:
        shared = [os.environ.get('TORCHLET_DATA'), *_SHARED_DATA_DIRS]
        candidates = [os.path.join(d, subdir, filename) for d in shared if d]
        candidates.append(os.path.join(PACKAGE_DATA, filename))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f'{filename} not found; looked for: {", ".join(candidates)}')


# ------------------------------------------------------------------------------ train / eval
def argmax_labels(output):
    """Predicted class of each row of a (N, C) score tensor."""
    return output.argmax(dim=1)


def train_epoch(run, model, loader, criterion, optimizer, desc=None):
    """One pass over ``loader`` (zero_grad, forward, loss, backward, step per batch), with a progress
    bar; returns (mean loss over the samples, list of per-batch losses)."""
    model.train()
    total, count, step_losses = 0.0, 0, []
    bar = run.progress(loader, desc=desc)
    for inputs, targets in bar:
        inputs, targets = inputs.to(run.device), targets.to(run.device)
        loss = criterion(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        value = loss.item()
        step_losses.append(value)
        total += value * len(targets)
        count += len(targets)
        if hasattr(bar, 'set_postfix'):
            bar.set_postfix(loss=f'{value:.4f}', refresh=False)
    return total / max(count, 1), step_losses


def evaluate(run, model, loader, criterion, predict=argmax_labels):
    """(mean loss, accuracy) of ``model`` on ``loader`` in eval mode without autograd;
    ``predict(output)`` gives the predicted labels (default: argmax over classes)."""
    was_training = model.training
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(run.device), targets.to(run.device)
            output = model(inputs)
            total += criterion(output, targets).item() * len(targets)
            correct += (predict(output) == targets).sum().item()
            count += len(targets)
    model.train(was_training)
    return total / max(count, 1), correct / max(count, 1)
