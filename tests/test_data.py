"""torchlet.utils.data against torch.utils.data: datasets, samplers, collate and the DataLoader."""
import collections
import gc
import multiprocessing
import os
import random
import signal
import time

import numpy as np
import pytest

import torchlet
import torchlet.utils.data as tld
from conftest import torch

tud = torch.utils.data
Point = collections.namedtuple('Point', 'x y')


def tree_equal(tl, th):
    """A torchlet batch and a torch batch: same containers, keys, tensor dtypes/shapes/values."""
    if isinstance(th, torch.Tensor):
        assert isinstance(tl, torchlet.Tensor), type(tl)
        assert str(tl.dtype) == str(th.dtype) and tuple(tl.shape) == tuple(th.shape)
        np.testing.assert_array_equal(tl.numpy(), th.numpy())
    elif isinstance(th, dict):
        assert type(tl) is type(th) and list(tl) == list(th)
        for k in th:
            tree_equal(tl[k], th[k])
    elif isinstance(th, (list, tuple)):
        assert type(tl) is type(th) and len(tl) == len(th), (tl, th)
        for a, b in zip(tl, th):
            tree_equal(a, b)
    else:
        assert type(tl) is type(th) and tl == th


def to_torch_tree(x):
    """The same sample with torchlet tensors replaced by torch tensors."""
    if isinstance(x, torchlet.Tensor):
        return torch.from_numpy(x.numpy().copy())
    if isinstance(x, dict):
        return type(x)((k, to_torch_tree(v)) for k, v in x.items())
    if isinstance(x, tuple) and hasattr(x, '_fields'):
        return type(x)(*map(to_torch_tree, x))
    if isinstance(x, (list, tuple)):
        return type(x)(map(to_torch_tree, x))
    return x


class Samples(tld.Dataset):
    """Samples of every collatable kind, built the same way for torchlet and torch."""

    def __init__(self, n=7, lib=torchlet):
        self.n, self.lib = n, lib

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        t = self.lib.tensor([float(i), 2.0 * i])
        return {'t': t, 'np': np.full((2, 3), i, np.float32), 'i': i, 'f': i / 2, 'b': i % 2 == 0,
                'np_scalar': np.int16(i), 's': f's{i}', 'pt': Point(i, self.lib.tensor(i)),
                'tup': (i, 'x'), 'lst': [i, float(i)]}


class TorchSamples(Samples, tud.Dataset):
    def __init__(self, n=7):
        super().__init__(n, torch)


def _tensor_pair(n=10, d=3, seed=0):
    r = np.random.default_rng(seed)
    x, y = r.standard_normal((n, d)).astype(np.float32), r.integers(0, 5, n)
    return (tld.TensorDataset(torchlet.tensor(x), torchlet.tensor(y)),
            tud.TensorDataset(torch.tensor(x), torch.tensor(y)))


# -- collate ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('batch_size,drop_last', [(1, False), (3, False), (3, True), (7, False), (None, False)])
def test_collated_structures_match_torch(batch_size, drop_last):
    tl = list(tld.DataLoader(Samples(), batch_size=batch_size, drop_last=drop_last))
    th = list(tud.DataLoader(TorchSamples(), batch_size=batch_size, drop_last=drop_last))
    assert len(tl) == len(th)
    for a, b in zip(tl, th):
        tree_equal(a, b)


def test_default_collate_numbers_and_errors():
    c = tld.default_collate
    assert c([1.5, 2]).dtype == torchlet.float64 and c([1, 2]).dtype == torchlet.int64
    assert c([True, False]).dtype == torchlet.bool
    for batch in ([np.float32(1), np.float32(2)], [np.int32(3)], [np.array([1, 2]), np.array([3, 4])],
                  [np.float64(1.0)], [(1, 'a'), (2, 'b')], [[1, 2], [3, 4]]):
        tree_equal(c(batch), tud.default_collate(batch))
    tree_equal(c([torchlet.ones(2, dtype=torchlet.int64), torchlet.ones(2)]),
               tud.default_collate([torch.ones(2, dtype=torch.int64), torch.ones(2)]))
    for bad in ([torchlet.ones(3), torchlet.ones(4)], [np.ones(3), np.ones(4)]):
        with pytest.raises(RuntimeError) as tl_err:
            c(bad)
        with pytest.raises(RuntimeError) as th_err:
            tud.default_collate([torch.as_tensor(np.asarray(b)) for b in bad])
        assert str(tl_err.value) == str(th_err.value)
    for bad in ([object()], [np.array(['a'])]):
        with pytest.raises(TypeError) as tl_err:
            c(bad)
        with pytest.raises(TypeError) as th_err:
            tud.default_collate(bad)
        assert str(tl_err.value).replace('torchlet', 'torch') == str(th_err.value)
    with pytest.raises(RuntimeError, match='each element in list of batch should be of equal size'):
        c([[1, 2], [3]])


def test_default_convert_matches_torch():
    sample = {'a': np.arange(3), 'b': [np.float32(2.0), 'x'], 'c': (np.ones(2), 1), 'p': Point(np.int64(1), 2)}
    tree_equal(tld.default_convert(sample), tud.default_convert(sample))


def test_collate_keeps_autograd():
    w = torchlet.ones(2, requires_grad=True)
    batch = tld.default_collate([w * 2, w * 3])
    batch.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [5.0, 5.0])


# -- datasets --------------------------------------------------------------------------------------
def test_tensor_dataset_and_wrappers():
    tl, th = _tensor_pair()
    assert len(tl) == len(th) == 10
    tree_equal(list(tl[3]), list(th[3]))
    tree_equal(list(tl[2:5]), list(th[2:5]))
    with pytest.raises(AssertionError, match='Size mismatch between tensors'):
        tld.TensorDataset(torchlet.ones(3), torchlet.ones(4))
    cat = tl + tl
    assert isinstance(cat, tld.ConcatDataset) and len(cat) == 20 and cat.cumulative_sizes == [10, 20]
    tree_equal(list(cat[13]), list(th[3]))
    tree_equal(list(cat[-1]), list(th[9]))
    with pytest.raises(ValueError, match='absolute value of index should not exceed dataset length'):
        cat[-21]
    sub = tld.Subset(tl, [4, 1, 7])
    assert len(sub) == 3
    tree_equal(list(sub[1]), list(th[1]))
    stack = tld.StackDataset(a=range(5), b=list('abcde'))
    assert stack[2] == {'a': 2, 'b': 'c'} and len(stack) == 5
    assert tld.StackDataset(range(3), range(3))[1] == (1, 1)
    with pytest.raises(ValueError, match='Size mismatch between datasets'):
        tld.StackDataset(range(3), range(4))


class Count(tld.IterableDataset):
    data_module = tld

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = self.data_module.get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per_worker
        return iter(range(lo, min(lo + per_worker, self.end)))

    def __len__(self):
        return self.end - self.start


class TorchCount(Count, tud.IterableDataset):
    data_module = tud


def test_iterable_and_chain_datasets():
    chain = Count(0, 3) + Count(10, 12)
    assert isinstance(chain, tld.ChainDataset) and list(chain) == [0, 1, 2, 10, 11] and len(chain) == 5
    dl = tld.DataLoader(Count(0, 7), batch_size=3)
    assert len(dl) == 3 and [b.tolist() for b in dl] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in tld.DataLoader(Count(0, 7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match='expected unspecified shuffle option'):
        tld.DataLoader(Count(0, 3), shuffle=True)


@pytest.mark.parametrize('lengths', [[3, 7], [0.3, 0.7], [0.5, 0.5], [0.33, 0.33, 0.34], [0.25] * 4, [1, 1, 8]])
def test_random_split_matches_torch(lengths):
    for n in (10, 11, 13):
        if sum(lengths) > 1 and sum(lengths) != n:
            continue
        tl = tld.random_split(range(n), lengths, generator=torchlet.Generator().manual_seed(3))
        th = tud.random_split(range(n), lengths, generator=torch.Generator().manual_seed(3))
        assert [len(s) for s in tl] == [len(s) for s in th]
        assert [list(s.indices) for s in tl] == [list(s.indices) for s in th]
    with pytest.raises(ValueError, match='Sum of input lengths does not equal'):
        tld.random_split(range(10), [3, 3])


# -- samplers --------------------------------------------------------------------------------------
def test_samplers_match_torch_streams():
    data = range(11)
    pairs = [
        (lambda g: tld.RandomSampler(data, generator=g), lambda g: tud.RandomSampler(data, generator=g)),
        (lambda g: tld.RandomSampler(data, num_samples=25, generator=g),
         lambda g: tud.RandomSampler(data, num_samples=25, generator=g)),
        (lambda g: tld.RandomSampler(data, replacement=True, num_samples=40, generator=g),
         lambda g: tud.RandomSampler(data, replacement=True, num_samples=40, generator=g)),
        (lambda g: tld.SubsetRandomSampler([5, 8, 13, 21], generator=g),
         lambda g: tud.SubsetRandomSampler([5, 8, 13, 21], generator=g)),
    ]
    for make_tl, make_th in pairs:
        a = list(make_tl(torchlet.Generator().manual_seed(11)))
        b = list(make_th(torch.Generator().manual_seed(11)))
        assert a == b
        assert len(make_tl(None)) == len(make_th(None))
    torchlet.manual_seed(5)
    torch.manual_seed(5)
    assert list(tld.RandomSampler(data)) == list(tud.RandomSampler(data))
    assert list(tld.SequentialSampler(data)) == list(range(11))


def test_weighted_random_sampler():
    weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    for replacement in (True, False):
        s = tld.WeightedRandomSampler(weights, 5, replacement, generator=torchlet.Generator().manual_seed(1))
        drawn = list(s)
        assert drawn == list(tud.WeightedRandomSampler(weights, 5, replacement,
                                                       generator=torch.Generator().manual_seed(1)))
        assert len(s) == 5 and (replacement or len(set(drawn)) == 5)
    counts = np.bincount(list(tld.WeightedRandomSampler([1, 0, 3], 4000, generator=torchlet.Generator().manual_seed(0))),
                         minlength=3)
    assert counts[1] == 0 and 0.2 < counts[0] / 4000 < 0.3
    with pytest.raises(ValueError, match='num_samples should be a positive integer value'):
        tld.WeightedRandomSampler(weights, 0)
    with pytest.raises(ValueError, match='weights should be a 1d sequence'):
        tld.WeightedRandomSampler([[1.0]], 1)


def test_batch_sampler():
    for drop_last in (False, True):
        a = tld.BatchSampler(tld.SequentialSampler(range(10)), 3, drop_last)
        b = tud.BatchSampler(tud.SequentialSampler(range(10)), 3, drop_last)
        assert list(a) == list(b) and len(a) == len(b)
    for bad in (0, True, 1.5):
        with pytest.raises(ValueError, match='batch_size should be a positive integer value'):
            tld.BatchSampler(range(3), bad, False)


# -- DataLoader in the main process ----------------------------------------------------------------
@pytest.mark.parametrize('kwargs', [dict(batch_size=4), dict(batch_size=4, drop_last=True), dict(batch_size=1),
                                    dict(batch_size=3, shuffle=True), dict(batch_size=None)])
def test_dataloader_tensor_dataset_matches_torch(kwargs):
    tl, th = _tensor_pair(11)
    torchlet.manual_seed(0)
    torch.manual_seed(0)
    a, b = tld.DataLoader(tl, **kwargs), tud.DataLoader(th, **kwargs)
    assert len(a) == len(b)
    for _ in range(2):                                          # two epochs: different shuffles
        for x, y in zip(a, b, strict=True):
            tree_equal(x, y)


def test_dataloader_generator_sampler_batch_sampler_collate():
    tl, th = _tensor_pair(9)
    a = tld.DataLoader(tl, batch_size=2, shuffle=True, generator=torchlet.Generator().manual_seed(4))
    b = tud.DataLoader(th, batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(4))
    for x, y in zip(a, b, strict=True):
        tree_equal(x, y)
    sub = tld.DataLoader(tld.Subset(tl, [8, 0, 3]), batch_size=2)
    tree_equal([x for x in sub], [x for x in tud.DataLoader(tud.Subset(th, [8, 0, 3]), batch_size=2)])
    a = tld.DataLoader(tl, sampler=[8, 1, 2], batch_size=2)
    b = tud.DataLoader(th, sampler=[8, 1, 2], batch_size=2)
    tree_equal(list(a), list(b))
    a = tld.DataLoader(tl, batch_sampler=[[0, 1, 2], [5]])
    b = tud.DataLoader(th, batch_sampler=[[0, 1, 2], [5]])
    tree_equal(list(a), list(b))
    assert list(tld.DataLoader(range(5), batch_size=2, collate_fn=lambda b: sum(b))) == [1, 5, 4]
    with pytest.raises(ValueError, match='sampler option is mutually exclusive with shuffle'):
        tld.DataLoader(tl, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match='batch_sampler option is mutually exclusive'):
        tld.DataLoader(tl, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match='batch_size attribute should not be set'):
        a.batch_size = 3
    with pytest.raises(ValueError, match='prefetch_factor option could only be specified in multiprocessing'):
        tld.DataLoader(tl, prefetch_factor=2)
    with pytest.raises(ValueError, match='persistent_workers option needs num_workers > 0'):
        tld.DataLoader(tl, persistent_workers=True)


# -- worker processes ------------------------------------------------------------------------------
@pytest.fixture
def no_orphans():
    """A hard deadline for the test, and no worker process left alive after it."""
    def on_alarm(signum, frame):
        raise TimeoutError("test exceeded its deadline")
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)
    if multiprocessing.active_children():
        gc.collect()                                            # iterators kept alive by cycles
    assert multiprocessing.active_children() == []


class WorkerProbe(tld.Dataset):
    """Returns the index with what the worker knows: its id, its seeds' first draws, an init flag."""
    init_calls = []

    def __len__(self):
        return 10

    def __getitem__(self, i):
        info = tld.get_worker_info()
        return {'i': i, 'worker': -1 if info is None else info.id,
                'seed': -1 if info is None else info.seed, 'init': list(WorkerProbe.init_calls)}


def _init_fn(worker_id):
    WorkerProbe.init_calls.append(worker_id)


def test_workers_see_each_sample_once_in_order(no_orphans):
    ds = WorkerProbe()
    plain = [b['i'].tolist() for b in tld.DataLoader(ds, batch_size=3)]
    batches = list(tld.DataLoader(ds, batch_size=3, num_workers=2, worker_init_fn=_init_fn))
    assert [b['i'].tolist() for b in batches] == plain == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert [b['worker'].tolist() for b in batches] == [[0] * 3, [1] * 3, [0] * 3, [1]]   # round robin
    assert [b['init'][0][0].item() for b in batches] == [0, 1, 0, 1]                      # init ran once each
    assert WorkerProbe.init_calls == []                                                 # ... not here
    shuffled = tld.DataLoader(ds, batch_size=4, shuffle=True, num_workers=2,
                              generator=torchlet.Generator().manual_seed(0))
    same = tld.DataLoader(ds, batch_size=4, shuffle=True, generator=torchlet.Generator().manual_seed(0))
    assert [b['i'].tolist() for b in shuffled] == [b['i'].tolist() for b in same]


def test_worker_options(no_orphans):
    tl, th = _tensor_pair(7)
    got = list(tld.DataLoader(tl, batch_size=None, num_workers=2))
    tree_equal(got, list(tud.DataLoader(th, batch_size=None)))
    batches = list(tld.DataLoader(tl, batch_size=3, num_workers=2, pin_memory=True, prefetch_factor=1))
    tree_equal(batches, list(tud.DataLoader(th, batch_size=3)))
    batches[0][0].add_(1.0)                                    # batches from workers are writable
    unordered = tld.DataLoader(tl, batch_size=2, num_workers=2, in_order=False)
    assert sorted(sum((b[1].tolist() for b in unordered), [])) == sorted(tl.tensors[1].tolist())
    assert len(unordered) == 4


def test_worker_seeds_match_torch(no_orphans):
    class Seeds(tud.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = tud.get_worker_info()
            return [info.seed, random.random(), float(np.random.rand()), float(torch.rand(()))]

    class TlSeeds(tld.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = tld.get_worker_info()
            return [info.seed, random.random(), float(np.random.rand()), float(torchlet.rand(()))]

    th = [b for b in tud.DataLoader(Seeds(), batch_size=2, num_workers=2,
                                    generator=torch.Generator().manual_seed(9))]
    tl = [b for b in tld.DataLoader(TlSeeds(), batch_size=2, num_workers=2,
                                    generator=torchlet.Generator().manual_seed(9))]
    for a, b in zip(tl, th, strict=True):
        assert a[0].tolist() == b[0].tolist()                  # base_seed + worker_id
        np.testing.assert_allclose(a[1].numpy(), b[1].numpy())  # random.seed(seed)
        np.testing.assert_allclose(a[2].numpy(), b[2].numpy())  # NumPy seeded like torch
        np.testing.assert_allclose(a[3].numpy(), b[3].numpy(), rtol=1e-6)   # torch.manual_seed(seed)


def test_iterable_dataset_sharded_over_workers(no_orphans):
    got = [b.tolist() for b in tld.DataLoader(Count(0, 10), batch_size=2, num_workers=2)]
    want = [b.tolist() for b in tud.DataLoader(TorchCount(0, 10), batch_size=2, num_workers=2)]
    assert got == want
    assert sorted(sum(got, [])) == list(range(10))


class Failing(tld.Dataset):
    def __init__(self, exc, bad=5):
        self.exc, self.bad = exc, bad

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise self.exc
        return i


class NeedsTwoArgs(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


@pytest.mark.parametrize('exc,expected', [(ValueError('bad sample 5'), ValueError), (KeyError('k'), KeyError),
                                          (NeedsTwoArgs(1, 2), RuntimeError)])
def test_worker_exception_reraised_with_traceback(no_orphans, exc, expected):
    loader = tld.DataLoader(Failing(exc), batch_size=2, num_workers=2)
    with pytest.raises(expected) as err:
        for _ in loader:
            pass
    text = str(err.value)
    assert f'Caught {type(exc).__name__} in DataLoader worker process 0.' in text
    assert 'Original Traceback (most recent call last):' in text and 'in __getitem__' in text
    del err
    assert multiprocessing.active_children() == []              # terminated on error, right away


def test_worker_timeout_and_death(no_orphans):
    class Slow(tld.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            time.sleep(5 if i >= 2 else 0)
            return i

    it = iter(tld.DataLoader(Slow(), batch_size=2, num_workers=2, timeout=0.5))
    assert next(it).tolist() == [0, 1]
    start = time.time()
    with pytest.raises(RuntimeError, match=r'DataLoader timed out after 0.5 seconds'):
        next(it)
    assert time.time() - start < 3
    del it

    class Dies(tld.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            os._exit(3)

    with pytest.raises(RuntimeError, match=r'DataLoader worker \(pid\(s\) \d+\) exited unexpectedly'):
        list(tld.DataLoader(Dies(), batch_size=1, num_workers=1))


def test_early_break_and_persistent_workers(no_orphans):
    tl, _ = _tensor_pair(20)
    it = iter(tld.DataLoader(tl, batch_size=2, num_workers=2))
    next(it)
    assert len(multiprocessing.active_children()) == 2
    del it
    gc.collect()
    assert multiprocessing.active_children() == []
    loader = tld.DataLoader(tl, batch_size=4, num_workers=2, persistent_workers=True)
    first = [x[1].tolist() for x in loader]
    pids = sorted(p.pid for p in multiprocessing.active_children())
    second = [x[1].tolist() for x in loader]
    assert first == second == [tl.tensors[1][i:i + 4].tolist() for i in range(0, 20, 4)]
    assert sorted(p.pid for p in multiprocessing.active_children()) == pids
    del loader


def test_spawn_context(no_orphans):
    tl, th = _tensor_pair(6)
    got = list(tld.DataLoader(tl, batch_size=4, num_workers=1, multiprocessing_context='spawn'))
    tree_equal(got, list(tud.DataLoader(th, batch_size=4)))


_EXIT_SCRIPT = '''
import os, signal, sys, multiprocessing
import torchlet
from torchlet.utils.data import DataLoader
import numpy as np
data = [np.zeros(100_000, np.float32)] * 40 if sys.argv[1] == "kill_big" else list(range(100))
loader = DataLoader(data, batch_size=2, num_workers=2, persistent_workers=True)
it = iter(loader)
next(it)
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
if sys.argv[1].startswith("kill"):
    os.kill(os.getpid(), signal.SIGKILL)
'''


@pytest.mark.parametrize('how', ['exit', 'kill', 'kill_big'])
def test_workers_end_with_the_main_process(no_orphans, how, tmp_path):
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(tmp_path / 'stderr', 'w') as err:
        proc = subprocess.Popen([sys.executable, '-c', _EXIT_SCRIPT, how], stdout=subprocess.PIPE,
                                stderr=err, text=True, cwd=root)
        pids = [int(p) for p in proc.stdout.readline().split()]
        proc.wait(timeout=20)
    proc.stdout.close()
    assert len(pids) == 2, (tmp_path / 'stderr').read_text()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    left = [p for p in pids if _alive(p)]
    for p in left:                                              # don't leave them behind either way
        os.kill(p, signal.SIGKILL)
    assert not left


def _alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().split(') ')[1][0] != 'Z'
    except FileNotFoundError:
        return False
