"""Compare optimizers on a small regression (seed 001 §3.8, "优化器比较", figure 3-6).

As in the notes: 1000 points x in [-1, 1], y = x² + 0.1·N(0, 1), a ``TensorDataset`` in a
``DataLoader(batch_size=32, shuffle=True)``, four copies of the net Linear(1, 20) → ReLU → Linear(20, 1)
(each with its own initialisation), trained side by side on the same batches with
SGD, SGD(momentum=0.9), RMSprop(alpha=0.9) and Adam(betas=(0.9, 0.99)), all at lr 0.01, with
``MSELoss`` for 12 epochs; the loss of every step is plotted with the y axis cut at 0.2.
"""
import torchlet as torch
import torchlet.nn as nn
import torchlet.nn.functional as F
import torchlet.optim as optim
from torchlet.utils.data import DataLoader, TensorDataset

from ._common import Run, make_parser, parse_args

NAME = 'optimizers'
DESCRIPTION = 'SGD vs Momentum vs RMSprop vs Adam on y = x² + noise, loss per step'
SEED = '001 §3.8'

OPTIMIZERS = {
    'SGD': lambda params, lr: optim.SGD(params, lr=lr),
    'Momentum': lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    'RMSprop': lambda params, lr: optim.RMSprop(params, lr=lr, alpha=0.9),
    'Adam': lambda params, lr: optim.Adam(params, lr=lr, betas=(0.9, 0.99)),
}
"""The four optimizers of the notes, by the labels of their plot."""


class Net(nn.Module):
    """Linear(1, 20) → ReLU → Linear(20, 1)."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(1, 20)
        self.predict = nn.Linear(20, 1)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        return self.predict(x)


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=12, lr=0.01, seed=1, batch_size=32)
    parser.add_argument('--points', type=int, default=1000, help='number of training points')
    parser.add_argument('--optimizers', nargs='+', choices=list(OPTIMIZERS), default=list(OPTIMIZERS),
                        help='which optimizers to compare')
    return parser


def main(argv=None):
    """Train one net per optimizer on the same batches; returns the metrics (losses per step)."""
    run = Run(NAME, parse_args(build_parser(), argv))
    args = run.args
    x = torch.unsqueeze(torch.linspace(-1, 1, args.points), dim=1)
    y = x.pow(2) + 0.1 * torch.normal(torch.zeros(*x.size()))
    loader = DataLoader(dataset=TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)

    nets = {label: Net().to(run.device) for label in args.optimizers}
    optimizers = {label: OPTIMIZERS[label](net.parameters(), args.lr) for label, net in nets.items()}
    loss_func = nn.MSELoss()
    loss_his = {label: [] for label in nets}
    epoch_loss = {label: [] for label in nets}
    for epoch in range(1, args.epochs + 1):
        for batch_x, batch_y in run.progress(loader, desc=f'epoch {epoch}/{args.epochs}'):
            batch_x, batch_y = batch_x.to(run.device), batch_y.to(run.device)
            for label, net in nets.items():
                loss = loss_func(net(batch_x), batch_y)
                optimizers[label].zero_grad()
                loss.backward()
                optimizers[label].step()
                loss_his[label].append(loss.item())
        for label, his in loss_his.items():
            steps = len(loader)
            epoch_loss[label].append(sum(his[-steps:]) / steps)
        run.log_epoch(epoch, args.epochs, **{label: losses[-1] for label, losses in epoch_loss.items()})

    run.plot_curves('loss.png', loss_his, title='Optimizers compared (loss per step)', xlabel='Steps',
                    ylabel='Loss', ylim=(0, 0.2))
    run.plot_curves('epoch_loss.png', epoch_loss, title='Mean loss per epoch', xlabel='epoch', ylabel='Loss',
                    logy=True)
    summary = {f'{label}_last_epoch_loss': losses[-1] if losses else None for label, losses in epoch_loss.items()}
    if all(epoch_loss.values()):
        summary['best'] = min(epoch_loss, key=lambda label: epoch_loss[label][-1])
    return run.finish(summary=summary, history={'step_loss': loss_his, 'epoch_loss': epoch_loss})
