"""The first MNIST program of seed 000 §2 (龙良曲's PyTorch course, "手写数字识别案例"): a ReLU MLP
784 -> 256 -> 64 -> 10 trained as a *regression* onto one-hot labels with ``F.mse_loss``, using
``SGD(lr=0.01, momentum=0.9)``, batches of 512 and ``Normalize((0.1307,), (0.3081,))`` for 3 epochs.

The course's ``utils.py`` helpers are reproduced: ``one_hot`` (``scatter_`` into a zero matrix),
``plot_curve`` (the loss of every step, step_loss.png) and ``plot_image`` (a 2 x 3 grid titled
'image sample' for a training batch, samples.png, and 'test' with the predictions, predictions.png).
The notes print ``test acc:`` at the end without a number.
"""
import torchlet as torch
import torchlet.nn.functional as F
from torchlet import nn, optim

from ._common import Run, parse_args
from .mnist_common import fit, load_data, mnist_parser, report

NAME = 'mnist_onehot_mse'
DESCRIPTION = 'MNIST MLP 784-256-64-10 regressed onto one-hot labels with MSE loss, SGD momentum 0.9'
SEED = '000 §2'
SEED_REPORTED = {'note': 'prints test acc without a number; plot_curve / plot_image figures not included'}


def one_hot(label, depth=10):
    """utils.one_hot: (N,) class indices -> (N, depth) float one-hot rows."""
    out = torch.zeros(label.size(0), depth)
    idx = torch.LongTensor(label).view(-1, 1)
    out.scatter_(dim=1, index=idx, value=1)
    return out


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # xw+b
        self.fc1 = nn.Linear(28 * 28, 256)
        self.fc2 = nn.Linear(256, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        # x: [b, 784]; h1 = relu(xw1+b1); h2 = relu(h1w2+b2); h3 = h2w3+b3
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def build_parser():
    parser = mnist_parser(NAME, DESCRIPTION, epochs=3, lr=0.01, seed=0, batch_size=512, test_batch_size=512)
    parser.add_argument('--momentum', type=float, default=0.9, help='SGD momentum')
    return parser


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    train_loader, test_loader, info = load_data(run)

    net = Net().to(run.device)
    # [w1, b1, w2, b2, w3, b3]
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
    history = fit(run, net, train_loader, test_loader, F.mse_loss, optimizer, flatten=True,
                  target_fn=lambda y: one_hot(y).to(run.device))
    return report(run, net, (train_loader, test_loader), info, history, flatten=True, step_curve=True,
                  seed_reported=SEED_REPORTED, sample_title='image sample', pred_title='test')


if __name__ == '__main__':
    main()
