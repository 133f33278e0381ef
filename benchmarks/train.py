"""Training benchmark: the MNIST MLP and the LeNet-style CNN, torch vs torchlet in one run.

    python benchmarks/train.py                         # both models, 300 steps each, 1 thread
    python benchmarks/train.py --steps 100 --threads 2 --models mlp
    python benchmarks/train.py --profile cnn           # cProfile torchlet's training loop
    python benchmarks/train.py --data /path/to/mnist   # folder with the MNIST idx .gz files
    python benchmarks/train.py --rounds 1              # one run per library (default 3)

Models (batch 64, CrossEntropyLoss, real MNIST normalised with (0.1307, 0.3081)):
  mlp  784-256-64-10 with ReLU, SGD(lr=0.01, momentum=0.9)                      target <= 1.2x torch
  cnn  conv 1->10 k5, maxpool 2, relu, conv 10->20 k5, maxpool 2, relu,
       linear 320->10, SGD(lr=0.01, momentum=0.5)                                target <= 1.5x torch

Each (library, model) pair runs in its own subprocess that imports only that library, so that its
peak resident memory (VmHWM from /proc/self/status, or ru_maxrss) is its own; the subprocess gets
OMP/OPENBLAS/MKL_NUM_THREADS = --threads and calls set_num_threads(--threads). torch runs first
and writes its initial state_dict (seeded) to an .npz that the torchlet run loads, and both read the
same batches (the first steps x 64 training images, in file order), so their losses must agree.
Time per step is the median over the timed steps (forward, backward and optimizer step; the first
--warmup steps are run but not timed). The pair runs --rounds times, alternating torch and torchlet,
and each library's best median is kept, so that load from other processes on a shared machine
biases neither side. The losses agree to float32 rounding: over 300 steps of SGD a ReLU input or a
max-pool pair within rounding of a tie flips, so the curves drift apart by as much as torch's own
float32 run drifts from its float64 run (MLP ~2e-2, CNN ~1e-3 relative at most; the first 60 steps
agree to ~1e-5). Nothing is asserted.
"""
import argparse
import cProfile
import gzip
import json
import os
from pathlib import Path
import pstats
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path('/work/shared/data/mnist')
SAMPLE_DATA = ROOT / 'torchlet' / 'vision' / '_data'         # the first 10 000 images, in the repo
TARGETS = {'mlp': 1.2, 'cnn': 1.5}
BATCH = 64


# -- the workload (runs inside a worker with one library imported) ---------------------------------

def build_model(lib, name):
    nn, F = lib.nn, lib.nn.functional

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(28 * 28, 256)
            self.fc2 = nn.Linear(256, 64)
            self.fc3 = nn.Linear(64, 10)

        def forward(self, x):
            x = x.view(x.size(0), -1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.pooling = nn.MaxPool2d(2)
            self.fc = nn.Linear(320, 10)

        def forward(self, x):
            batch_size = x.size(0)
            x = F.relu(self.pooling(self.conv1(x)))
            x = F.relu(self.pooling(self.conv2(x)))
            x = x.view(batch_size, -1)
            return self.fc(x)

    model = MLP() if name == 'mlp' else CNN()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9 if name == 'mlp' else 0.5)
    return model, optimizer


def mnist_file(folder, name):
    for candidate in (Path(folder) / name, Path(folder) / 'MNIST' / 'raw' / name, SAMPLE_DATA / name):
        if candidate.exists():
            return candidate
    sys.exit(f"MNIST file {name} not found in {folder} (nor in {SAMPLE_DATA}); pass --data")


def read_mnist(folder, n):
    """The first n training images (uint8 (n, 1, 28, 28), cycling if the file has fewer) and labels."""
    with gzip.open(mnist_file(folder, 'train-images-idx3-ubyte.gz')) as f:
        _, count, rows, cols = struct.unpack('>4i', f.read(16))
        images = np.frombuffer(f.read(min(n, count) * rows * cols), np.uint8)
    with gzip.open(mnist_file(folder, 'train-labels-idx1-ubyte.gz')) as f:
        f.read(8)
        labels = np.frombuffer(f.read(min(n, count)), np.uint8).astype(np.int64)
    index = np.arange(n) % len(labels)
    return images.reshape(-1, 1, rows, cols)[index], labels[index]


def peak_rss_mib():
    """Peak resident set size of this process (VmHWM), in MiB."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib():
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        return float('nan')


def train_loop(lib, model, optimizer, images, labels, steps, warmup):
    """Run the steps; -> (losses, seconds of each timed step)."""
    criterion = lib.nn.CrossEntropyLoss()
    mean, std = np.float32(0.1307), np.float32(0.3081)
    losses, times = [], []
    for step in range(steps):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        x = lib.from_numpy((images[batch].astype(np.float32) / np.float32(255) - mean) / std)
        y = lib.from_numpy(labels[batch].copy())
        start = time.perf_counter()
        out = model(x)
        loss = criterion(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        value = loss.item()
        if step >= warmup:
            times.append(time.perf_counter() - start)
        losses.append(value)
    return losses, times


def worker(args):
    """One library, one model: train and write the result as JSON to args.out."""
    if args.worker == 'torch':
        import torch as lib
    else:
        sys.path.insert(0, str(ROOT))
        import torchlet as lib
    lib.set_num_threads(args.threads)
    images, labels = read_mnist(args.data, args.steps * BATCH)
    lib.manual_seed(0)
    model, optimizer = build_model(lib, args.model)
    if args.worker == 'torch':
        np.savez(args.init, **{k: v.numpy() for k, v in model.state_dict().items()})
    else:
        with np.load(args.init) as init:
            model.load_state_dict({k: lib.from_numpy(init[k].copy()) for k in init.files})
    rss_before = current_rss_mib()
    profiler = cProfile.Profile() if args.profile_out else None
    if profiler:
        profiler.enable()
    losses, times = train_loop(lib, model, optimizer, images, labels, args.steps, args.warmup)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile_out)
    result = {'lib': args.worker, 'model': args.model, 'steps': args.steps, 'threads': lib.get_num_threads(),
              'median_s': statistics.median(times), 'mean_s': statistics.fmean(times), 'losses': losses,
              'rss_before_mib': rss_before, 'peak_rss_mib': peak_rss_mib()}
    with open(args.out, 'w') as f:
        json.dump(result, f)


# -- the driver ------------------------------------------------------------------------------------

def run_worker(lib, model, args, tmp, profile_out=None):
    out = os.path.join(tmp, f'{lib}-{model}.json')
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads),
               MKL_NUM_THREADS=str(args.threads))
    cmd = [sys.executable, os.path.abspath(__file__), '--worker', lib, '--models', model,
           '--steps', str(args.steps), '--warmup', str(args.warmup), '--threads', str(args.threads),
           '--data', str(args.data), '--init', os.path.join(tmp, f'init-{model}.npz'), '--out', out]
    if profile_out:
        cmd += ['--profile-out', profile_out]
    subprocess.run(cmd, env=env, check=True)
    with open(out) as f:
        return json.load(f)


def best_of(runs):
    """The run with the smallest median step time; losses are identical across runs."""
    best = min(runs, key=lambda r: r['median_s'])
    return dict(best, peak_rss_mib=max(r['peak_rss_mib'] for r in runs))


def report(results):
    print(f"{'model':5} {'torch ms/step':>13} {'torchlet ms/step':>16} {'ratio':>6} {'target':>6}   "
          f"{'torch peak MiB':>14} {'torchlet peak MiB':>17} {'ratio':>6}   "
          f"{'final loss torch':>16} {'torchlet':>9} {'max rel loss diff':>17}")
    for th, tl in results:
        ratio = tl['median_s'] / th['median_s']
        target = TARGETS[th['model']]
        flag = '' if ratio <= target else ' <-- over target'
        diff = max(abs(a - b) / abs(a) for a, b in zip(th['losses'], tl['losses']))
        print(f"{th['model']:5} {th['median_s'] * 1e3:13.3f} {tl['median_s'] * 1e3:16.3f} {ratio:6.2f} "
              f"{target:6.1f}   {th['peak_rss_mib']:14.1f} {tl['peak_rss_mib']:17.1f} "
              f"{tl['peak_rss_mib'] / th['peak_rss_mib']:6.2f}   {th['losses'][-1]:16.5f} "
              f"{tl['losses'][-1]:9.5f} {diff:17.2e}{flag}")
    print("\nmean ms/step (torch / torchlet) and resident memory before training -> peak (MiB):")
    for th, tl in results:
        print(f"  {th['model']}: {th['mean_s'] * 1e3:.3f} / {tl['mean_s'] * 1e3:.3f} ms;  "
              f"torch {th['rss_before_mib']:.1f} -> {th['peak_rss_mib']:.1f},  "
              f"torchlet {tl['rss_before_mib']:.1f} -> {tl['peak_rss_mib']:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--models', default='mlp,cnn', help="comma-separated: mlp, cnn")
    parser.add_argument('--steps', type=int, default=300)
    parser.add_argument('--warmup', type=int, default=10, help='steps run before timing starts')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--rounds', type=int, default=3, help='alternating runs per library; best kept')
    parser.add_argument('--data', default=str(DEFAULT_DATA), help='folder with the MNIST idx .gz files')
    parser.add_argument('--profile', metavar='MODEL',
                        help="cProfile torchlet's training loop on MODEL and print the hotspots")
    parser.add_argument('--top', type=int, default=25, help='rows of the profile to print')
    parser.add_argument('--worker', choices=['torch', 'torchlet'], help=argparse.SUPPRESS)
    parser.add_argument('--init', help=argparse.SUPPRESS)
    parser.add_argument('--out', help=argparse.SUPPRESS)
    parser.add_argument('--profile-out', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.model = args.models
        return worker(args)
    if args.warmup >= args.steps:
        parser.error('--warmup must be smaller than --steps')
    models = [args.profile] if args.profile else args.models.split(',')
    for model in models:
        if model not in TARGETS:
            parser.error(f"unknown model {model!r}: choose from {', '.join(TARGETS)}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            stats_file = os.path.join(tmp, 'torchlet.prof')
            run_worker('torch', args.profile, args, tmp)
            run_worker('torchlet', args.profile, args, tmp, profile_out=stats_file)
            stats = pstats.Stats(stats_file)          # full paths: file:line of each hotspot
            for key in ('tottime', 'cumulative'):
                print(f"\n=== torchlet, {args.profile}, {args.steps} steps: top {args.top} by {key} ===")
                stats.sort_stats(key).print_stats(args.top)
            return
        print(f"{args.steps} steps of batch {BATCH} ({args.warmup} untimed), {args.threads} thread(s), "
              f"best of {args.rounds} round(s), MNIST from {args.data}")
        results = []
        for model in models:
            runs = [(run_worker('torch', model, args, tmp), run_worker('torchlet', model, args, tmp))
                    for _ in range(args.rounds)]
            results.append(tuple(best_of(side) for side in zip(*runs)))
    versions = subprocess.run([sys.executable, '-c', 'import torch, numpy; print(torch.__version__, '
                               'numpy.__version__)'], capture_output=True, text=True).stdout.split()
    print(f"torch {versions[0]} | numpy {versions[1]} | python {sys.version.split()[0]}\n")
    report(results)


if __name__ == '__main__':
    main()
