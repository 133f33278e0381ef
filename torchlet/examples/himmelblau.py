"""Minimise Himmelblau's function f(x, y) = (x² + y − 11)² + (x + y² − 7)² with Adam from several
starting points (seed 000 §4, "2D 函数优化实例").

As in the notes: the surface over [-6, 6)² in steps of 0.1 (3-D plot, view_init(60, -30)), then
``x = torch.tensor(start, requires_grad=True)``, ``Adam([x], lr=1e-3)`` for 20000 steps with a line
every 2000 steps. The notes start at [0, 0] and name [1, 0], [-4, 0], [4, 0] as the other starts to
try; they reach three of the four minima (``--start -2 2`` adds a path to the fourth, (-2.81, 3.13)).
Here --epochs is the number of Adam steps per start.
"""
import numpy as np

import torchlet as torch

from ._common import Run, make_parser, parse_args

NAME = 'himmelblau'
DESCRIPTION = "minimise Himmelblau's function with Adam from several starts; 3-D surface + minima found"
SEED = '000 §4'

KNOWN_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
"""The four minima of Himmelblau's function (f = 0 at each)."""

DEFAULT_STARTS = [(0.0, 0.0), (1.0, 0.0), (-4.0, 0.0), (4.0, 0.0)]
"""The notes' start [0, 0] and the three others they list."""


def himmelblau(x):
    """f(x) for x = (x, y): a tensor of 2 elements, or a pair of arrays (the surface plot)."""
    return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=20000, lr=1e-3, seed=0)
    parser.add_argument('--start', type=float, nargs=2, action='append', metavar=('X', 'Y'), dest='starts',
                        help='a starting point (repeat the option for several; one Adam run each; '
                             'default: the notes\' [0, 0], [1, 0], [-4, 0], [4, 0])')
    parser.add_argument('--points', type=int, default=200,
                        help='trajectory points kept per start for the plots and metrics.json')
    return parser


def minimise(run, start):
    """Adam from ``start`` for --epochs steps (the notes' loop); returns the trajectory and f values
    recorded at about --points evenly spaced steps, and the final point."""
    args = run.args
    x = torch.tensor(list(start), requires_grad=True, device=run.device)
    optimizer = torch.optim.Adam([x], lr=args.lr)
    record_every = max(1, args.epochs // args.points)
    steps, path, values = [], [], []
    for step in run.progress(range(args.epochs), desc=f'start {list(start)}'):
        pred = himmelblau(x)
        optimizer.zero_grad()
        pred.backward()
        optimizer.step()
        if step % record_every == 0:
            steps.append(step)
            path.append(x.tolist())
            values.append(pred.item())
        run.log_epoch(step + 1, args.epochs, prefix=f'start {list(start)}: ', unit='step', x=x.tolist(), f=pred.item())
    final = x.tolist()
    f_final = himmelblau(torch.tensor(final)).item()
    nearest = min(KNOWN_MINIMA, key=lambda m: np.hypot(final[0] - m[0], final[1] - m[1]))
    run.log(f'start {list(start)}: x = {final}, f(x) = {f_final:.6g}, nearest minimum {list(nearest)}')
    return dict(start=list(start), x=final, f=f_final, nearest_minimum=list(nearest),
                distance=float(np.hypot(final[0] - nearest[0], final[1] - nearest[1])),
                f_start=himmelblau(torch.tensor(list(start))).item(),
                steps=steps, path=path, values=values)


def draw_surface(results):
    """The notes' 3-D surface, with each start's trajectory and the point it reached."""
    def draw(fig):
        x = np.arange(-6, 6, 0.1)
        y = np.arange(-6, 6, 0.1)
        X, Y = np.meshgrid(x, y)
        Z = himmelblau([X, Y])
        ax = fig.add_subplot(projection='3d')
        ax.plot_surface(X, Y, Z, cmap='viridis', alpha=0.6, linewidth=0)
        for r in results:
            px, py = np.array(r['path'] + [r['x']]).T
            ax.plot(px, py, himmelblau([px, py]), color='k', linewidth=1.5)
            ax.scatter([r['x'][0]], [r['x'][1]], [r['f']], color='r', s=40, depthshade=False)
        ax.view_init(60, -30)
        ax.set(xlabel='x', ylabel='y', zlabel='f(x, y)', title='himmelblau: Adam from each start')
    return draw


def draw_contour(results):
    """Top view: contours of f, the trajectories, the minima found (red) and the known ones (x)."""
    def draw(fig):
        X, Y = np.meshgrid(np.arange(-6, 6, 0.05), np.arange(-6, 6, 0.05))
        ax = fig.add_subplot()
        ax.contour(X, Y, np.log1p(himmelblau([X, Y])), levels=30, cmap='viridis', linewidths=0.7)
        for r in results:
            px, py = np.array(r['path'] + [r['x']]).T
            ax.plot(px, py, linewidth=1.5, label=f"start {r['start']}")
            ax.plot(*r['x'], 'ro')
        ax.plot(*np.array(KNOWN_MINIMA).T, 'kx', markersize=10, label='known minima')
        ax.set(xlabel='x', ylabel='y', title='Himmelblau: paths of Adam', aspect='equal')
        ax.legend(loc='lower left', fontsize='small')
    return draw


def main(argv=None):
    """Run Adam from every start; returns the metrics (point and f reached per start)."""
    run = Run(NAME, parse_args(build_parser(), argv))
    run.args.starts = [tuple(start) for start in run.args.starts or DEFAULT_STARTS]
    results = [minimise(run, start) for start in run.args.starts]
    run.save_plot('surface.png', draw_surface(results), figsize=(8, 7))
    run.save_plot('paths.png', draw_contour(results), figsize=(7, 7))
    run.plot_curves('loss.png', {f"start {r['start']}": (r['steps'], r['values']) for r in results},
                    title='f(x) along the Adam steps', xlabel='step', ylabel='f(x)', logy=True)
    summary = {f"start {r['start']}": {'x': r['x'], 'f': r['f'], 'nearest_minimum': r['nearest_minimum']}
               for r in results}
    found = {tuple(r['nearest_minimum']) for r in results if r['distance'] < 1e-2}
    summary['distinct_minima_found'] = len(found)
    history = {f"start {r['start']}": {'step': r['steps'], 'x': r['path'], 'f': r['values']} for r in results}
    return run.finish(summary=summary, history=history,
                      results=[{k: r[k] for k in ('start', 'x', 'f', 'f_start', 'nearest_minimum', 'distance')}
                               for r in results])
