"""Sequence and generative benchmark: one training step of the examples' models, torch vs torchlet.

    python benchmarks/generative.py                    # all cases, one thread each
    python benchmarks/generative.py --only gan,dcgan   # cases whose name contains one of these
    python benchmarks/generative.py --profile dcgan    # cProfile torchlet's step of one case

Cases (the models of torchlet/examples, with the examples' batch sizes and optimizers):
  lstm_tagger    Embedding(9, 10) -> LSTM(10, 3) -> Linear, one 5-word sentence, SGD   target <= 1.0x
  lstm_forecast  LSTM(30, 64, batch_first) -> Linear, batch (20, 1, 30), Adam, MSE     target <= 1.0x
  vae            784-400-20 VAE, batch 128, BCE(sum) + KL, Adam                        target <= 1.0x
  gan            784-256-256-1 D / 64-256-256-784 G, batch 100: D step + G step, Adam  target <= 1.0x
  dcgan          ConvTranspose2d/BatchNorm2d G, Conv2d D (ngf = ndf = 64), batch 128   target <= 1.5x

Both libraries run in one process, restarted once with OMP/OPENBLAS/MKL_NUM_THREADS=1 so that
NumPy's BLAS is single-threaded, and torch.set_num_threads(1). Each torch model is the example's
own source with ``torchlet`` imports pointed at ``torch``; it gets the torchlet model's initial
weights through its state_dict, the same data (the first MNIST sample images, or random arrays)
and the same seed, and the first step's losses of the two must agree (printed as "check"). A
step is forward, loss, zero_grad, backward and optimizer step(s); the time is the median over
repeats of the mean time per step, repeats alternating between the libraries so that load from
other processes hits both alike. Nothing is asserted.
"""
import argparse
import ast
import cProfile
import importlib
import os
import pstats
import subprocess
import sys
import types

THREAD_VARS = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

if __name__ == '__main__' and any(os.environ.get(v) != '1' for v in THREAD_VARS):
    # restart with single-threaded BLAS: the variables must be set before NumPy is imported
    env = dict(os.environ, **{v: '1' for v in THREAD_VARS})
    sys.exit(subprocess.call([sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env=env))

sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchlet  # noqa: E402
from ops import fmt, median_times  # noqa: E402


# ------------------------------------------------------------------------- the models on torch
def example_module(lib, name):
    """torchlet.examples.<name>, or its source executed with every ``torchlet`` import pointed at
    torch (relative imports dropped: only the model classes are used)."""
    module = importlib.import_module(f'torchlet.examples.{name}')
    if lib is torchlet:
        return module
    with open(module.__file__, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    body = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == 'torchlet' or alias.name.startswith('torchlet.'):
                    alias.name = 'torch' + alias.name[len('torchlet'):]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split('.')[0] == 'torchlet':
            node.module = 'torch' + node.module[len('torchlet'):]
        body.append(node)
    tree.body = body
    on_torch = types.ModuleType(f'{name}_on_torch')
    exec(compile(tree, module.__file__, 'exec'), on_torch.__dict__)
    return on_torch


def copy_weights(source, target):
    """Load torchlet module ``source``'s state_dict into torch module ``target``."""
    target.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy()) for k, v in source.state_dict().items()})


def mnist_images(n):
    """The first n images of the MNIST sample embedded in torchlet, as float32 in [0, 1]."""
    from torchlet.vision.datasets import load_mnist
    data = load_mnist(None, train=True, verbose=False).data.numpy()[:n]
    return (data.astype(np.float32) / 255).reshape(n, 1, 28, 28)


# ------------------------------------------------------------------------------------ the cases
def tagger(lib, models):
    """LSTM tagger: one sentence per step (the example's training loop body)."""
    mod = example_module(lib, 'lstm_tagger')
    model = models(lambda: mod.LSTMTagger(10, 3, 9, 3))
    loss_function = lib.nn.NLLLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    sentence = lib.tensor([0, 1, 2, 3, 4])
    targets = lib.tensor([0, 1, 2, 0, 1])

    def step():
        model.zero_grad()
        model.hidden = model.init_hidden()
        loss = loss_function(model(sentence), targets)
        loss.backward()
        optimizer.step()
        return loss
    return step


def forecaster(lib, models):
    """LSTM forecaster: batch (20, 1, 30) of windows, Adam, MSE."""
    mod = example_module(lib, 'lstm_forecast')
    rnn = models(lambda: mod.RNN(30, 64))
    rng = np.random.default_rng(0)
    tx = lib.tensor(rng.standard_normal((20, 30)).astype(np.float32))
    ty = lib.tensor(rng.standard_normal(20).astype(np.float32))
    optimizer = lib.optim.Adam(rnn.parameters(), lr=0.001)
    loss_func = lib.nn.MSELoss()

    def step():
        output = rnn(lib.unsqueeze(tx, dim=1))
        loss = loss_func(lib.squeeze(output), ty)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def vae(lib, models):
    """VAE: batch of 128 MNIST images, summed BCE + KL, Adam."""
    mod = example_module(lib, 'vae')
    model = models(lambda: mod.VAE(784, 400, 20))
    x = lib.tensor(mnist_images(128).reshape(128, 784))
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    F = lib.nn.functional

    def step():
        x_reconst, mu, log_var = model(x)
        reconst_loss = F.binary_cross_entropy(x_reconst, x, reduction='sum')
        kl_div = - 0.5 * lib.sum(1 + log_var - mu.pow(2) - log_var.exp())
        loss = reconst_loss + kl_div
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def gan_step(lib, D, G, images, latent, d_optimizer, g_optimizer, fresh_noise_for_g):
    """One step of the examples' GAN loop (_generative.train_gan): D step, then G step."""
    criterion = lib.nn.BCELoss()
    b = images.size(0)
    real_labels, fake_labels = lib.ones(b, 1), lib.zeros(b, 1)

    def step():
        d_loss_real = criterion(D(images), real_labels)
        fake_images = G(latent(b))
        d_loss_fake = criterion(D(fake_images.detach()), fake_labels)
        d_loss = d_loss_real + d_loss_fake
        d_optimizer.zero_grad()
        g_optimizer.zero_grad()
        d_loss.backward()
        d_optimizer.step()
        if fresh_noise_for_g:
            fake_images = G(latent(b))
        g_loss = criterion(D(fake_images), real_labels)
        d_optimizer.zero_grad()
        g_optimizer.zero_grad()
        g_loss.backward()
        g_optimizer.step()
        return d_loss, g_loss
    return step


def gan(lib, models):
    """GAN of §8.3: batch 100 of MNIST in [-1, 1], fresh noise for the generator step."""
    mod = example_module(lib, 'gan')
    D, G = models(lambda: mod.discriminator(784, 256)), models(lambda: mod.generator(64, 256, 784))
    images = lib.tensor(mnist_images(100).reshape(100, 784) * 2 - 1)
    d_optimizer = lib.optim.Adam(D.parameters(), lr=0.0002)
    g_optimizer = lib.optim.Adam(G.parameters(), lr=0.0002)
    return gan_step(lib, D, G, images, lambda b: lib.randn(b, 64), d_optimizer, g_optimizer, True)


def dcgan(lib, models):
    """DCGAN: batch 128 of MNIST in [-1, 1], the tutorial's step (the fakes reused for G)."""
    mod = example_module(lib, 'dcgan')

    def make(cls, width):
        def build():
            model = cls(width) if cls is mod.Discriminator else cls(100, width)
            model.apply(mod.weights_init)
            return model
        return build
    D, G = models(make(mod.Discriminator, 64)), models(make(mod.Generator, 64))
    images = lib.tensor(mnist_images(128) * 2 - 1)
    d_optimizer = lib.optim.Adam(D.parameters(), lr=0.0002, betas=(0.5, 0.999))
    g_optimizer = lib.optim.Adam(G.parameters(), lr=0.0002, betas=(0.5, 0.999))
    return gan_step(lib, D, G, images, lambda b: lib.randn(b, 100, 1, 1), d_optimizer, g_optimizer, False)


CASES = [('lstm_tagger', tagger, 1.0), ('lstm_forecast', forecaster, 1.0), ('vae', vae, 1.0),
         ('gan', gan, 1.0), ('dcgan', dcgan, 1.5)]


def build_pair(make_case, seed=0):
    """(torchlet step, torch step) with the same initial weights (torchlet's, copied)."""
    made = []

    def torchlet_models(factory):
        model = factory()
        made.append(model)
        return model
    torchlet.manual_seed(seed)
    ours = make_case(torchlet, torchlet_models)
    queue = list(made)

    def torch_models(factory):
        model = factory()
        copy_weights(queue.pop(0), model)
        return model
    torch.manual_seed(seed)
    theirs = make_case(torch, torch_models)
    return ours, theirs


def first_step_check(ours, theirs, seed=1):
    """Max relative difference of the first step's loss(es) between the libraries (same seed)."""
    torchlet.manual_seed(seed)
    a = ours()
    torch.manual_seed(seed)
    b = theirs()
    a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
    return max(abs(x.item() - y.item()) / max(abs(y.item()), 1e-12) for x, y in zip(a, b))


def profile(make_case, steps=20, top=15):
    """cProfile torchlet's step of one case; prints the top functions by own time."""
    ours, _ = build_pair(make_case)
    for _ in range(3):
        ours()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        ours()
    profiler.disable()
    pstats.Stats(profiler).sort_stats('tottime').print_stats(top)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', default=None, help='comma-separated substrings of the case names to run')
    parser.add_argument('--min-time', type=float, default=0.5, help='seconds per timing repeat')
    parser.add_argument('--repeat', type=int, default=5, help='timing repeats (median)')
    parser.add_argument('--profile', default=None, metavar='CASE', help="cProfile torchlet's step of CASE")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torchlet.set_num_threads(1)
    cases = [c for c in CASES if args.only is None or any(s in c[0] for s in args.only.split(','))]
    if args.profile:
        name, make_case, _ = next(c for c in CASES if args.profile in c[0])
        print(f'cProfile of torchlet, case {name}:')
        profile(make_case)
        return
    print(f"torch {torch.__version__} | torchlet {torchlet.__version__} | numpy {np.__version__} | "
          f"threads {torch.get_num_threads()} (torch) / {torchlet.get_num_threads()} (torchlet BLAS)")
    print(f"{'case':14} {'torch/step':>11} {'torchlet/step':>13} {'ratio':>6}  target  check (first-step loss)")
    for name, make_case, target in cases:
        ours, theirs = build_pair(make_case)
        check = first_step_check(ours, theirs)
        t_th, t_tl = median_times([theirs, ours], args.min_time, args.repeat)
        ratio = t_tl / t_th
        flag = '' if ratio <= target else '  <-- over target'
        print(f"{name:14} {fmt(t_th):>11} {fmt(t_tl):>13} {ratio:6.2f}  {target:4.1f}x   "
              f"rel. diff {check:.1e}{flag}", flush=True)


if __name__ == '__main__':
    main()
