"""Logistic regression in the style of Liu Er's lecture 5/6 (seed 002 §6, seed 004 第5讲): hours of
study -> probability of passing.

As in the lecture: x = [[1], [2], [3]] hours, y = [[0], [0], [1]], a model ``Linear(1, 1)`` followed by
a sigmoid, ``BCELoss`` summed over the samples (the lecture's ``size_average=False``),
``SGD(lr=0.01)`` for 1000 epochs, then the curve of P(pass) over 0–10 hours with the 0.5 line.
"""
import numpy as np

import torchlet as torch
import torchlet.nn as nn
import torchlet.optim as optim

from ._common import Run, make_parser, parse_args

NAME = 'logistic'
DESCRIPTION = "logistic regression on Liu Er's 3-point pass/fail data; P(pass) vs hours"
SEED = '002 §6 / 004 第5讲'


class LogisticRegressionModel(nn.Module):
    """P(class 1 | x) = sigmoid(w·x + b)."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=1000, lr=0.01, seed=0)
    parser.add_argument('--query', type=float, default=4.0, help='hours to predict for at the end')
    return parser


def main(argv=None):
    """Train the model; returns the metrics (w, b, loss curve, P(pass) at --query hours)."""
    run = Run(NAME, parse_args(build_parser(), argv))
    args = run.args
    x_data = torch.Tensor([[1.0], [2.0], [3.0]]).to(run.device)
    y_data = torch.Tensor([[0.0], [0.0], [1.0]]).to(run.device)
    model = LogisticRegressionModel().to(run.device)
    criterion = nn.BCELoss(reduction='sum')
    optimizer = optim.SGD(model.parameters(), lr=args.lr)

    losses = []
    for epoch in run.progress(range(1, args.epochs + 1), desc='epochs'):
        y_pred = model(x_data)
        loss = criterion(y_pred, y_data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        run.log_epoch(epoch, args.epochs, loss=losses[-1])

    w, b = model.linear.weight.item(), model.linear.bias.item()
    with torch.no_grad():
        p_query = model(torch.Tensor([[args.query]]).to(run.device)).item()
        hours = np.linspace(0, 10, 200)
        curve = model(torch.Tensor(hours).view((200, 1)).to(run.device)).cpu().numpy().ravel()
        accuracy = ((model(x_data) > 0.5).float() == y_data).float().mean().item()
    run.log(f'w = {w:.4f}, b = {b:.4f}; P(pass | {args.query:g} hours) = {p_query:.4f}')

    def draw(fig):
        ax = fig.add_subplot()
        ax.plot(hours, curve, label='P(pass)')
        ax.plot([0, 10], [0.5, 0.5], c='r', label='0.5')
        ax.scatter(x_data.cpu().numpy().ravel(), y_data.cpu().numpy().ravel(), c='k', zorder=3, label='data')
        ax.set(xlabel='Hours', ylabel='Probability of Pass', title='Logistic regression')
        ax.grid()
        ax.legend(loc='upper left')
    run.save_plot('probability.png', draw)
    run.plot_curves('loss.png', {'BCE (sum)': losses}, title='Training loss', xlabel='epoch', ylabel='loss')
    summary = {'w': w, 'b': b, 'final_loss': losses[-1] if losses else None, 'train_accuracy': accuracy,
               'decision_boundary_hours': -b / w if w else None, f'p_pass_at_{args.query:g}h': p_query}
    return run.finish(summary=summary, history={'loss': losses})
