"""Learn y = w·x² + b from y = 3x² + 2 plus noise, three ways (seed 001 §2.6–2.7):

1. NumPy with hand-written gradients (§2.6: ``np.random.seed(100)``, w, b ~ U[0, 1); the notes print
   w ≈ 2.9586, b ≈ 2.1018, but their own code gives w = 2.9893, b = 2.0982 with any NumPy version),
2. tensors + autograd, updating w, b by hand under ``torch.no_grad()`` (§2.7: ``torch.manual_seed(100)``,
   w ~ N(0, 1), b = 0; the notes report ``tensor([[2.9645]]) tensor([[2.1146]])``),
3. nn + optim: ``nn.Linear(1, 1)`` on the feature x², ``optim.SGD`` and the same loss.

All three minimise 0.5·Σ(y_pred − y)² with lr 0.001 for 800 epochs over 100 points (one batch of 100
by default; a smaller --batch-size walks the points in order, in mini-batches).
"""
import numpy as np

import torchlet as torch
import torchlet.nn as nn
import torchlet.optim as optim
from torchlet.utils.data import DataLoader, TensorDataset

from ._common import Run, make_parser, parse_args

NAME = 'regression'
DESCRIPTION = 'fit y = 3x² + 2 three ways: NumPy + hand-written gradients, tensors + autograd, nn + optim'
SEED = '001 §2.6–2.7'


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=800, lr=0.001, seed=100, batch_size=100)
    parser.add_argument('--points', type=int, default=100, help='number of (x, y) samples in [-1, 1]')
    return parser


def batch_slices(n, batch_size):
    """Consecutive slices that cover range(n) in batches of ``batch_size``."""
    return [slice(i, i + batch_size) for i in range(0, n, batch_size)]


def fit_numpy(run):
    """§2.6: everything in NumPy, gradients of the loss written by hand."""
    args = run.args
    rs = np.random.RandomState(args.seed)  # the stream of np.random.seed(100), without global state
    x = np.linspace(-1, 1, args.points).reshape(-1, 1)
    y = 3 * np.power(x, 2) + 2 + 0.2 * rs.rand(x.size).reshape(-1, 1)
    w = rs.rand(1, 1)
    b = rs.rand(1, 1)
    losses = []
    for epoch in run.progress(range(1, args.epochs + 1), desc='numpy'):
        epoch_loss = 0.0
        for s in batch_slices(len(x), args.batch_size):
            y_pred = np.power(x[s], 2) * w + b
            epoch_loss += float((0.5 * (y_pred - y[s]) ** 2).sum())
            grad_w = np.sum((y_pred - y[s]) * np.power(x[s], 2))
            grad_b = np.sum(y_pred - y[s])
            w -= args.lr * grad_w
            b -= args.lr * grad_b
        losses.append(epoch_loss)
        run.log_epoch(epoch, args.epochs, prefix='numpy    ', loss=epoch_loss)
    return dict(w=float(w[0, 0]), b=float(b[0, 0]), x=x, y=y, losses=losses)


def torch_data(args):
    """§2.7's data: x in [-1, 1] as a (N, 1) column, y = 3x² + 2 + 0.2·U[0, 1), after manual_seed."""
    torch.manual_seed(args.seed)
    x = torch.unsqueeze(torch.linspace(-1, 1, args.points), dim=1)
    y = 3 * x.pow(2) + 2 + 0.2 * torch.rand(x.size())
    return x, y


def fit_autograd(run):
    """§2.7: tensors with requires_grad, loss.backward(), manual update under no_grad."""
    args = run.args
    x, y = torch_data(args)
    x, y = x.to(run.device), y.to(run.device)
    w = torch.randn(1, 1, dtype=torch.float, requires_grad=True, device=run.device)
    b = torch.zeros(1, 1, dtype=torch.float, requires_grad=True, device=run.device)
    losses = []
    for epoch in run.progress(range(1, args.epochs + 1), desc='autograd'):
        epoch_loss = 0.0
        for s in batch_slices(len(x), args.batch_size):
            y_pred = x[s].pow(2).mm(w) + b
            loss = (0.5 * (y_pred - y[s]) ** 2).sum()
            loss.backward()
            with torch.no_grad():
                w -= args.lr * w.grad
                b -= args.lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
            epoch_loss += loss.item()
        losses.append(epoch_loss)
        run.log_epoch(epoch, args.epochs, prefix='autograd ', loss=epoch_loss)
    return dict(w=w.item(), b=b.item(), x=x.cpu().numpy(), y=y.cpu().numpy(), losses=losses)


def fit_nn(run):
    """nn + optim: a Linear(1, 1) layer on x², SGD, the same half sum of squares as the loss."""
    args = run.args
    x, y = torch_data(args)
    model = nn.Linear(1, 1).to(run.device)
    criterion = nn.MSELoss(reduction='sum')
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
    loader = DataLoader(TensorDataset(x.pow(2), y), batch_size=args.batch_size, shuffle=False)
    losses = []
    for epoch in run.progress(range(1, args.epochs + 1), desc='nn+optim'):
        epoch_loss = 0.0
        for features, targets in loader:
            features, targets = features.to(run.device), targets.to(run.device)
            loss = 0.5 * criterion(model(features), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item()
        losses.append(epoch_loss)
        run.log_epoch(epoch, args.epochs, prefix='nn+optim ', loss=epoch_loss)
    return dict(w=model.weight.item(), b=model.bias.item(), x=x.numpy(), y=y.numpy(), losses=losses)


def draw_fits(results):
    """A drawing function: one panel per way, the data and the learned curve w·x² + b."""
    def draw(fig):
        axes = fig.subplots(1, len(results), sharey=True)
        for ax, (way, r) in zip(np.atleast_1d(axes), results.items()):
            x, y = r['x'].ravel(), r['y'].ravel()
            ax.scatter(x, y, s=10, color='tab:blue', label='data')
            ax.plot(x, r['w'] * x ** 2 + r['b'], 'r-', label='predict')
            ax.set(title=f"{way}: w={r['w']:.4f}, b={r['b']:.4f}", xlabel='x', xlim=(-1, 1), ylim=(2, 6))
            ax.legend(loc='upper center')
        np.atleast_1d(axes)[0].set_ylabel('y')
    return draw


def main(argv=None):
    """Run the three fits; returns the metrics (w, b and the loss curve of each way)."""
    run = Run(NAME, parse_args(build_parser(), argv))
    results = {}
    for way, fit in (('numpy', fit_numpy), ('autograd', fit_autograd), ('nn+optim', fit_nn)):
        results[way] = fit(run)
        run.log(f"{way:<9} w = {results[way]['w']:.6f}, b = {results[way]['b']:.6f}")
    run.save_plot('fit.png', draw_fits(results), figsize=(13, 4))
    run.plot_curves('loss.png', {way: r['losses'] for way, r in results.items()}, title='Training loss',
                    xlabel='epoch', ylabel='0.5 · Σ (y_pred − y)²', logy=True)
    summary = {f'{way}_{key}': r[key] for way, r in results.items() for key in ('w', 'b')}
    summary.update({f'{way}_final_loss': r['losses'][-1] if r['losses'] else None for way, r in results.items()})
    return run.finish(summary=summary, history={f'{way}_loss': r['losses'] for way, r in results.items()},
                      target={'w': 3.0, 'b': 2.0})
