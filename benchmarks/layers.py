"""Layer benchmark: the MNIST MLP/LeNet layers, torch vs torchlet in one run.

    python benchmarks/layers.py               # forward and forward+backward of each layer
    python benchmarks/layers.py --threads 1   # both libraries single-threaded

Each case times a layer on an MNIST-sized batch of 64, forward alone and forward+backward
(``out.backward(grad)``, parameter grads cleared between calls). The input requires grad where a
layer sits inside a network (conv2, pool) and not for the first layer of a model (linear, conv1).
Targets (torchlet time / torch time): conv <= 1.5, linear <= 1.2, pooling <= 1.5. Nothing is
asserted; the same timing loop as benchmarks/ops.py is used.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torchlet  # noqa: E402
from ops import median_times, fmt  # noqa: E402

# name, target ratio, layer factory (given the nn module of a library), input shape, input grad
CASES = [
    ('Linear(784, 256)', 1.2, lambda nn: nn.Linear(784, 256), (64, 784), False),
    ('Conv2d(1, 10, 5)', 1.5, lambda nn: nn.Conv2d(1, 10, 5), (64, 1, 28, 28), False),
    ('Conv2d(10, 20, 5)', 1.5, lambda nn: nn.Conv2d(10, 20, 5), (64, 10, 12, 12), True),
    ('MaxPool2d(2)', 1.5, lambda nn: nn.MaxPool2d(2), (64, 10, 24, 24), True),
]


def closures(lib, make_layer, shape, input_grad, seed=0):
    """(forward, forward+backward) closures for one library; same data for both libraries."""
    rng = np.random.default_rng(seed)
    lib.manual_seed(seed)
    layer = make_layer(lib.nn)
    x = lib.tensor(rng.standard_normal(shape).astype(np.float32))
    if input_grad:
        x.requires_grad_(True)
    with lib.no_grad():
        g = lib.tensor(rng.standard_normal(tuple(layer(x).shape)).astype(np.float32))
    params = list(layer.parameters())

    def forward():
        with lib.no_grad():
            return layer(x)

    def forward_backward():
        layer(x).backward(g)
        for p in params + ([x] if input_grad else []):
            p.grad = None
    return forward, forward_backward


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--min-time', type=float, default=0.2, help='seconds per timing repeat')
    parser.add_argument('--repeat', type=int, default=7)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        torchlet.set_num_threads(args.threads)
    print(f"torch {torch.__version__} | torchlet {torchlet.__version__} | numpy {np.__version__} | "
          f"threads {torch.get_num_threads()} (torch) / {torchlet.get_num_threads()} (torchlet BLAS)")
    print(f"{'layer':20} {'pass':9} {'torch':>11} {'torchlet':>11} {'ratio':>7}  target")
    for name, target, make, shape, input_grad in CASES:
        th = closures(torch, make, shape, input_grad)
        tl = closures(torchlet, make, shape, input_grad)
        for i, kind in enumerate(('fwd', 'fwd+bwd')):
            t_th, t_tl = median_times([th[i], tl[i]], args.min_time, args.repeat)
            ratio = t_tl / t_th
            flag = '' if ratio <= target else '  <-- over target'
            print(f"{name:20} {kind:9} {fmt(t_th):>11} {fmt(t_tl):>11} {ratio:7.2f}  {target:.1f}{flag}")


if __name__ == '__main__':
    main()
