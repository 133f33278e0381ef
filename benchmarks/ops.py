"""Op-level benchmark: torch vs torchlet in one run.

    python benchmarks/ops.py                 # the whole table (about a minute)
    python benchmarks/ops.py --threads 1     # both libraries single-threaded
    python benchmarks/ops.py --only matmul   # cases whose name contains 'matmul'
    python benchmarks/ops.py --profile "x*y+x" # cProfile torchlet on one case (name substring)

Two families of cases:
  small  per-op Python overhead on tiny tensors (10 elements, 8x8 matrices), forward and
         forward+backward; target: torchlet within 2x of PyTorch.
  large  throughput on 4M-element float32 tensors and 1024x1024 matmuls; target within 1.2x.

Each entry is the median over repeats of the mean time per call (time.perf_counter), each repeat
long enough to swamp timer noise. Both libraries get the same thread count (torch.set_num_threads
and torchlet.set_num_threads, which sets NumPy's OpenBLAS threads); note that NumPy's elementwise
ufuncs are single-threaded whatever the setting, while torch parallelises large elementwise ops.
An entry torchlet cannot run yet (missing op) prints 'n/a'. Not a test: nothing is asserted.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
import torchlet  # noqa: E402

SMALL_TARGET, LARGE_TARGET = 2.0, 1.2
BIG = 4 * 1024 * 1024


class Case:
    """A named benchmark: ``build(lib, arrays)`` makes the inputs and returns the timed closure."""

    def __init__(self, name, kind, build):
        self.name, self.kind, self.build = name, kind, build
        self.target = SMALL_TARGET if kind == 'small' else LARGE_TARGET


def T(lib, arr, requires_grad=False):
    """A tensor of lib holding a copy of arr."""
    t = lib.tensor(arr.copy())
    if requires_grad:
        t.requires_grad_(True)
    return t


def backward_of(loss_fn, *leaves):
    """A closure running loss_fn().backward() and clearing the leaves' grads (no accumulation)."""
    def run():
        loss_fn().backward()
        for t in leaves:
            t.grad = None
    return run


# -- the cases -----------------------------------------------------------------------------------
def small_cases():
    def fwd(expr, n_args=2, shape=(10,), grad=False):
        def build(lib, rng):
            xs = [T(lib, rng.standard_normal(shape).astype(np.float32), grad) for _ in range(n_args)]
            return lambda: expr(lib, *xs)
        return build

    def fwd_bwd(expr, n_args=2, shape=(10,)):
        def build(lib, rng):
            xs = [T(lib, rng.standard_normal(shape).astype(np.float32), True) for _ in range(n_args)]
            return backward_of(lambda: expr(lib, *xs), *xs)
        return build

    def index_tensor(lib, rng):
        x = T(lib, rng.standard_normal(10).astype(np.float32))
        idx = lib.tensor(np.array([0, 3, 7]))
        return lambda: x[idx]

    return [
        Case('x + y', 'small', fwd(lambda lib, x, y: x + y)),
        Case('x * y', 'small', fwd(lambda lib, x, y: x * y)),
        Case('x + 1.5', 'small', fwd(lambda lib, x: x + 1.5, 1)),
        Case('x + y (requires_grad)', 'small', fwd(lambda lib, x, y: x + y, grad=True)),
        Case('x.exp()', 'small', fwd(lambda lib, x: x.exp(), 1)),
        Case('x.relu()', 'small', fwd(lambda lib, x: x.relu(), 1)),
        Case('x.sum()', 'small', fwd(lambda lib, x: x.sum(), 1)),
        Case('x.mean()', 'small', fwd(lambda lib, x: x.mean(), 1)),
        Case('x.max()', 'small', fwd(lambda lib, x: x.max(), 1)),
        Case('a.sum(0) 8x8', 'small', fwd(lambda lib, a: a.sum(0), 1, (8, 8))),
        Case('a @ b 8x8', 'small', fwd(lambda lib, a, b: a @ b, 2, (8, 8))),
        Case('x[2:5]', 'small', fwd(lambda lib, x: x[2:5], 1)),
        Case('x[idx]', 'small', index_tensor),
        Case('a.view(4, 16)', 'small', fwd(lambda lib, a: a.view(4, 16), 1, (8, 8))),
        Case('a.t()', 'small', fwd(lambda lib, a: a.t(), 1, (8, 8))),
        Case('x.add_(1) in-place', 'small', fwd(lambda lib, x: x.add_(1), 1)),
        Case('torch.zeros(10)', 'small', lambda lib, rng: lambda: lib.zeros(10)),
        Case('torch.tensor([1.,2.,3.])', 'small', lambda lib, rng: lambda: lib.tensor([1.0, 2.0, 3.0])),
        Case('(x*y+x).sum().backward()', 'small',
             fwd_bwd(lambda lib, x, y: (x * y + x).sum())),
        Case('x.exp().sum().backward()', 'small', fwd_bwd(lambda lib, x: x.exp().sum(), 1)),
        Case('x.tanh().sum().backward()', 'small', fwd_bwd(lambda lib, x: x.tanh().sum(), 1)),
        Case('(a @ b).sum().backward() 8x8', 'small',
             fwd_bwd(lambda lib, a, b: (a @ b).sum(), 2, (8, 8))),
        Case('x[2:5].sum().backward()', 'small', fwd_bwd(lambda lib, x: x[2:5].sum(), 1)),
        Case('mlp step 8x8 fwd+bwd', 'small',
             fwd_bwd(lambda lib, a, w: ((a @ w).relu() * w).mean(), 2, (8, 8))),
    ]


def large_cases():
    def fwd(expr, n_args=2, shape=(BIG,)):
        def build(lib, rng):
            xs = [T(lib, rng.standard_normal(shape).astype(np.float32)) for _ in range(n_args)]
            return lambda: expr(lib, *xs)
        return build

    def fwd_bwd(expr, n_args=2, shape=(BIG,)):
        def build(lib, rng):
            xs = [T(lib, rng.standard_normal(shape).astype(np.float32), True) for _ in range(n_args)]
            return backward_of(lambda: expr(lib, *xs), *xs)
        return build

    def softmax_chain(lib, x):
        e = (x - x.amax(-1, keepdim=True)).exp()
        return e / e.sum(-1, keepdim=True)

    return [
        Case('add 4M', 'large', fwd(lambda lib, x, y: x + y)),
        Case('mul 4M', 'large', fwd(lambda lib, x, y: x * y)),
        Case('exp 4M', 'large', fwd(lambda lib, x: x.exp(), 1)),
        Case('sum 4M', 'large', fwd(lambda lib, x: x.sum(), 1)),
        Case('matmul 1024', 'large', fwd(lambda lib, a, b: a @ b, 2, (1024, 1024))),
        Case('softmax chain 1024x4096', 'large', fwd(softmax_chain, 1, (1024, 4096))),
        Case('(x*y+x).sum() fwd+bwd 4M', 'large', fwd_bwd(lambda lib, x, y: (x * y + x).sum())),
        Case('(a@b).sum() fwd+bwd 1024', 'large',
             fwd_bwd(lambda lib, a, b: (a @ b).sum(), 2, (1024, 1024))),
    ]


# -- timing --------------------------------------------------------------------------------------
def calibrate(fn, min_time):
    """How many calls of fn take at least min_time seconds."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time:
            return n
        n = max(2 * n, int(n * min_time / max(elapsed, 1e-9) * 1.1))


def median_times(fns, min_time, repeat):
    """Median seconds per call of each fn (None skipped). Repeats alternate between the fns, so
    that load from other processes hits all of them alike."""
    counts = [calibrate(fn, min_time) if fn else 0 for fn in fns]
    samples = [[] for _ in fns]
    for _ in range(repeat):
        for fn, n, out in zip(fns, counts, samples):
            if fn:
                t0 = time.perf_counter()
                for _ in range(n):
                    fn()
                out.append((time.perf_counter() - t0) / n)
    return [statistics.median(s) if s else None for s in samples]


def build(case, lib):
    """The case's closure for lib after one trial call, or the reason it cannot run."""
    try:
        fn = case.build(lib, np.random.default_rng(0))
        fn()
        return fn, None
    except Exception as e:  # noqa: BLE001  (a missing or broken op shows as n/a, with the reason)
        return None, f'{type(e).__name__}: {e}'


def fmt(seconds):
    if seconds is None:
        return 'n/a'
    for unit, scale in (('s', 1), ('ms', 1e-3), ('us', 1e-6)):
        if seconds >= scale:
            return f'{seconds / scale:7.2f} {unit}'
    return f'{seconds / 1e-9:7.0f} ns'


def run_table(cases, args):
    print(f"torch {torch.__version__} | torchlet {torchlet.__version__} | numpy {np.__version__} | "
          f"threads {torch.get_num_threads()} (torch) / {torchlet.get_num_threads()} (torchlet BLAS)")
    header = f"{'case':34} {'torch':>11} {'torchlet':>11} {'ratio':>7}  target"
    notes = []
    kind = None
    for case in cases:
        if case.kind != kind:
            kind = case.kind
            print(f"\n{kind} tensors ({'per-op overhead' if kind == 'small' else 'throughput'})")
            print(header)
            print('-' * len(header))
        min_time = 0.02 if kind == 'small' else 0.05
        repeat = args.repeat if kind == 'small' else max(3, args.repeat - 2)
        fn_th, err_th = build(case, torch)
        fn_tl, err_tl = build(case, torchlet)
        t_th, t_tl = median_times([fn_th, fn_tl], min_time, repeat)
        if err_tl:
            notes.append(f'{case.name}: {err_tl[:150]}')
        if err_th:
            notes.append(f'{case.name} (torch): {err_th[:150]}')
        ratio = f'{t_tl / t_th:6.2f}x' if t_th and t_tl else '   n/a'
        flag = ' !' if t_th and t_tl and t_tl / t_th > case.target else ''
        print(f'{case.name:34} {fmt(t_th):>11} {fmt(t_tl):>11} {ratio:>7}  {case.target:.1f}x{flag}')
    if notes:
        print('\nn/a entries:')
        for n in notes:
            print('  ' + n)


def profile(cases, pattern, top=25):
    """cProfile torchlet running the first case whose name contains pattern."""
    import cProfile
    import pstats
    case = next(c for c in cases if pattern in c.name)
    fn, err = build(case, torchlet)
    if fn is None:
        sys.exit(f'{case.name}: {err}')
    n = 20000 if case.kind == 'small' else 20
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        fn()
    prof.disable()
    print(f'{case.name}: {n} calls')
    pstats.Stats(prof).strip_dirs().sort_stats('tottime').print_stats(top)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--threads', type=int, default=torch.get_num_threads(),
                   help='threads for both libraries (default: torch\'s default)')
    p.add_argument('--repeat', type=int, default=7)
    p.add_argument('--only', default='', help='run the cases whose name contains this')
    p.add_argument('--small', action='store_true', help='only the small-tensor cases')
    p.add_argument('--profile', metavar='CASE', help='cProfile torchlet on the case named like CASE')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torchlet.set_num_threads(args.threads)
    cases = small_cases() + ([] if args.small else large_cases())
    cases = [c for c in cases if args.only in c.name]
    if args.profile:
        profile(cases, args.profile)
    else:
        run_table(cases, args)


if __name__ == '__main__':
    main()
