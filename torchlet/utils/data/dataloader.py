"""DataLoader: batches from a dataset via a sampler and a collate function, in the main process or in
worker processes (``num_workers > 0``).

With workers, batch k goes to worker ``k % num_workers`` (round robin, as in torch) and batches come
back in sampler order. Each worker is seeded with ``base_seed + worker_id`` (Python's ``random``,
torchlet's default generator, NumPy's global generator), where base_seed is drawn from
``generator`` (or the default generator) when iteration starts. Workers stop at the end of an epoch
(unless ``persistent_workers``), when the iterator is garbage-collected, on an error (the worker's
exception is re-raised here with its traceback) and at interpreter exit."""
import functools
import itertools
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import warnings
import weakref

from . import _worker
from ._collate import default_collate, default_convert
from ._worker import get_worker_info, ExceptionWrapper, IterableDatasetStopIteration, ResumeIteration
from .dataset import IterableDataset, TensorDataset, Subset
from .sampler import Sampler, SequentialSampler, RandomSampler, BatchSampler

__all__ = ['DataLoader', 'get_worker_info', 'default_collate', 'default_convert']


class _DatasetKind:
    Map = 0
    Iterable = 1


class _MapDatasetFetcher:
    """Fetches (and collates) dataset[i] for the indices of a batch."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.fast = auto_collation and collate_fn is default_collate and _tensor_dataset_of(dataset)

    def fetch(self, index):
        if self.auto_collation:
            if self.fast:
                batch = _collated_tensor_rows(self.dataset, index)
                if batch is not None:
                    return batch
            getitems = getattr(self.dataset, '__getitems__', None)
            data = getitems(index) if getitems else [self.dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


def _tensor_dataset_of(dataset):
    """True for a TensorDataset or a Subset of one (the types whose batches gather in one indexing)."""
    if type(dataset) is Subset:
        dataset = dataset.dataset
    return type(dataset) is TensorDataset


def _collated_tensor_rows(dataset, index):
    """default_collate([dataset[i] for i in index]) for a TensorDataset (or Subset of one), gathered
    with one fancy index per tensor instead of one view per sample and a stack."""
    if type(dataset) is Subset:
        index = [dataset.indices[i] for i in index]
        dataset = dataset.dataset
    return dataset._collated_batch(index)


class _IterableDatasetFetcher:
    """Draws the next sample(s) of an iterable dataset."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def _create_fetcher(kind, auto_collation, collate_fn, drop_last, dataset):
    cls = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


class _InfiniteConstantSampler(Sampler):
    """None forever: the 'indices' of an iterable dataset."""

    def __iter__(self):
        while True:
            yield None


def _default_context():
    """'fork' on Linux (fast, no pickling of the dataset), 'spawn' elsewhere."""
    if sys.platform.startswith('linux') and 'fork' in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context('fork')
    return multiprocessing.get_context('spawn')


_LOCKED_ATTRS = ('batch_size', 'batch_sampler', 'sampler', 'drop_last', 'dataset', 'persistent_workers')


class DataLoader:
    """Iterates over batches of dataset: see torch.utils.data.DataLoader for the arguments.
    ``pin_memory`` is accepted and does nothing (there is no accelerator to pin for)."""
    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device='', in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let "
                             "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                             "to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler "
                                 f"option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                             "with drop_last")
        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called = None
        self._iterator = None
        self._initialized = True
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers == 0:
                raise ValueError(f"multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(f"multiprocessing_context option should specify a valid start "
                                     f"method in {methods!r}, but got multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(f"multiprocessing_context option should be a valid context object or a "
                                f"string specifying the start method, but got "
                                f"multiprocessing_context={context}")
        self._multiprocessing_context = context

    def __setattr__(self, attr, val):
        if self._initialized and attr in _LOCKED_ATTRS:
            raise ValueError(f"{attr} attribute should not be set after {self.__class__.__name__} is "
                             f"initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or self._iterator._shutdown:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else \
                    math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warn when more workers are asked for than there are CPUs, as torch does."""
        if not self.num_workers:
            return
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
        if cpus is None or self.num_workers > cpus:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. "
                          f"Our suggested max number of worker in current system is {cpus}, which is "
                          f"smaller than what this DataLoader is going to create. Please be aware that "
                          f"excessive worker creation might get DataLoader running slow or even freeze, "
                          f"lower the worker number to avoid potential slowness/freeze if necessary.",
                          stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        from ... import empty, int64
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = empty((), dtype=int64).random_(generator=loader.generator).item()
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0
        self._shutdown = False

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be "
                   f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                   f"{self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly "
                        "configuring the IterableDataset replica at each worker. Please see "
                        "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for "
                        "examples.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._fetcher = _create_fetcher(self._dataset_kind, self._auto_collation, self._collate_fn,
                                        self._drop_last, self._dataset)

    def _next_data(self):
        index = self._next_index()
        return self._fetcher.fetch(index)


def _stop_workers(workers, index_queues, conns, done_event, graceful):
    """Stop the worker processes: ask politely (None) when they are idle, else terminate them; in
    both cases make sure none is left running. Runs once per iterator (weakref.finalize)."""
    done_event.set()
    for q in index_queues:
        try:
            q.put(None)
        except (OSError, ValueError):
            pass
    for w in workers:
        if graceful[0]:
            w.join(timeout=1.0)
        if w.is_alive():
            w.terminate()
            w.join(timeout=1.0)
        if w.is_alive():
            w.kill()
            w.join()
    for q in index_queues:
        q.cancel_join_thread()
        q.close()
    for c in conns:
        c.close()


def _worker_entry(inherited_readers, *args):
    """A worker's first steps: SIGTERM ends it whatever handler the parent installed, and the read ends
    of result pipes inherited by fork are closed, so that a worker whose main process died gets
    EPIPE instead of blocking forever on a full pipe."""
    if hasattr(signal, 'SIGTERM'):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for conn in inherited_readers:
        conn.close()
    _worker.worker_loop(*args)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter")
        ctx = loader.multiprocessing_context or _default_context()
        factory = functools.partial(_create_fetcher, self._dataset_kind, self._auto_collation,
                                    self._collate_fn, self._drop_last)
        self._done_event = ctx.Event()
        self._index_queues, self._workers, self._conns = [], [], []
        self._graceful = [False]
        parent_pid = os.getpid() if ctx.get_start_method() != 'forkserver' else None
        for i in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()
            reader, writer = ctx.Pipe(duplex=False)
            self._index_queues.append(index_queue)
            self._conns.append(reader)
            inherited = list(self._conns) if ctx.get_start_method() == 'fork' else []
            w = ctx.Process(target=_worker_entry, daemon=True,
                            args=(inherited, factory, self._dataset,
                                  self._dataset_kind == _DatasetKind.Iterable, index_queue, writer,
                                  self._done_event, self._base_seed, loader.worker_init_fn, i,
                                  self._num_workers, parent_pid))
            try:
                w.start()
            finally:
                writer.close()     # only the worker writes: its exit then reads as EOF here
            self._workers.append(w)
        self._finalizer = weakref.finalize(self, _stop_workers, self._workers, self._index_queues,
                                           self._conns, self._done_event, self._graceful)
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            for q in self._index_queues:
                q.put(ResumeIteration())
            remaining = self._num_workers
            while remaining > 0:
                idx, _ = self._get_data()
                if isinstance(idx, ResumeIteration):
                    remaining -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _get_data(self):
        """The next (task index, data) any active worker sends; errors when a worker died or the
        timeout passed without data."""
        active = [i for i, alive in enumerate(self._workers_status) if alive]
        conns = [self._conns[i] for i in active]
        sentinels = {self._workers[i].sentinel: i for i in active}
        ready = multiprocessing.connection.wait(conns + list(sentinels), self._timeout or None)
        for conn in ready:
            if conn in sentinels:
                continue
            try:
                return _worker.recv(conn)
            except (EOFError, OSError):
                i = self._conns.index(conn)
                self._fail(f"DataLoader worker (pid(s) {self._workers[i].pid}) exited unexpectedly")
        if ready:
            pids = ', '.join(str(self._workers[sentinels[s]].pid) for s in ready)
            self._fail(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")
        self._fail(f"DataLoader timed out after {self._timeout} seconds")

    def _fail(self, message):
        self._shutdown_workers()
        raise RuntimeError(message)

    def _next_data(self):
        while True:
            if self._shutdown:
                raise StopIteration
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._graceful[0] = True
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable and isinstance(data, IterableDatasetStopIteration):
                self._workers_status[data.worker_id] = False
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    return self._process_data(data, self._task_info.pop(idx)[0])
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self):
        try:
            index = self._next_index()
        except StopIteration:
            return
        max_tasks = self._prefetch_factor * self._num_workers
        for _ in range(self._num_workers):       # the next active worker, round robin
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order or self._workers_num_tasks[worker_queue_idx] < \
                        max_tasks // sum(self._workers_status):
                    break
        else:
            return
        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        if isinstance(data, ExceptionWrapper):
            self._shutdown_workers()
            data.reraise()
        self._try_put_index()
        return data

    def _shutdown_workers(self):
        if not self._shutdown:
            self._shutdown = True
            self._finalizer()

    def __del__(self):
        if hasattr(self, '_finalizer'):
            self._shutdown_workers()
