"""The raw-weights MNIST classifier of seed 000 §4 "多分类问题实战" (龙良曲's course): no nn.Module,
just three weight matrices and biases created with ``torch.randn`` / ``torch.zeros`` and
``requires_grad=True``, a hand-written ``forward`` (``x @ w.t() + b`` and ReLU, 784 -> 200 -> 200
-> 10, ReLU after the last layer too, as in the notes), ``optim.SGD([w1, b1, w2, b2, w3, b3],
lr=learning_rate)`` and ``nn.CrossEntropyLoss``. The notes leave ``learning_rate``, ``epochs`` and
the batch size undefined; the course's values are used: 0.01, 10 and 200.

The notes' listing stops at ``torch.randn``; the course's code then re-initialises the weights
with ``torch.nn.init.kaiming_normal_`` (with N(0, 1) weights the 784-input layer's outputs are huge
and training stalls). ``--init kaiming`` (default) does that, ``--init randn``
runs the listing literally.
"""
import torchlet as torch
import torchlet.nn.functional as F
from torchlet import nn, optim

from ._common import Run, parse_args
from .mnist_common import fit, load_data, mnist_parser, report

NAME = 'mnist_multiclass'
DESCRIPTION = 'MNIST with raw weight tensors and a hand-written forward (784-200-200-10), SGD, CrossEntropyLoss'
SEED = '000 §4'
SEED_REPORTED = {'note': 'the notes give the code (without hyper-parameters) but no result'}


def build_parser():
    parser = mnist_parser(NAME, DESCRIPTION, epochs=10, lr=0.01, seed=0, batch_size=200, test_batch_size=200)
    parser.add_argument('--init', choices=('kaiming', 'randn'), default='kaiming',
                        help="weights: torch.randn then kaiming_normal_ (the course), or torch.randn only")
    return parser


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    train_loader, test_loader, info = load_data(run)

    dev = run.device
    w1, b1 = torch.randn(200, 784, requires_grad=True, device=dev), torch.zeros(200, requires_grad=True, device=dev)
    w2, b2 = torch.randn(200, 200, requires_grad=True, device=dev), torch.zeros(200, requires_grad=True, device=dev)
    w3, b3 = torch.randn(10, 200, requires_grad=True, device=dev), torch.zeros(10, requires_grad=True, device=dev)
    if args.init == 'kaiming':
        torch.nn.init.kaiming_normal_(w1)
        torch.nn.init.kaiming_normal_(w2)
        torch.nn.init.kaiming_normal_(w3)

    def forward(x):
        x = x @ w1.t() + b1
        x = F.relu(x)
        x = x @ w2.t() + b2
        x = F.relu(x)
        x = x @ w3.t() + b3
        x = F.relu(x)
        return x

    optimizer = optim.SGD([w1, b1, w2, b2, w3, b3], lr=args.lr)
    criteon = nn.CrossEntropyLoss()
    history = fit(run, forward, train_loader, test_loader, criteon, optimizer, flatten=True)
    return report(run, forward, (train_loader, test_loader), info, history, flatten=True,
                  seed_reported=SEED_REPORTED)


if __name__ == '__main__':
    main()
