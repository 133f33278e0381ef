"""What runs inside a DataLoader worker process, and how its results travel back.

A worker takes ``(task index, sampler indices)`` from its index queue, fetches and collates the batch
and sends ``(task index, batch)`` over its own pipe. Batches are pickled with protocol 5 so that
array memory goes out of band: one ``send_bytes`` per array, received straight into a writable
buffer (no extra copies, and received tensors are writable). A failure becomes an ExceptionWrapper
that the main process re-raises with the worker's traceback."""
import os
import pickle
import queue
import random
import struct
import sys
import traceback
from dataclasses import dataclass

__all__ = ['WorkerInfo', 'get_worker_info', 'ExceptionWrapper']

STATUS_CHECK_INTERVAL = 1.0   # seconds between a worker's checks that the main process is alive


@dataclass(frozen=True)
class WorkerInfo:
    """Inside a worker: its id, the number of workers, its seed and its copy of the dataset."""
    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info = None


def get_worker_info():
    """The WorkerInfo of the current DataLoader worker process, or None in the main process."""
    return _worker_info


class KeyErrorMessage(str):
    """A str that is its own repr, so that a KeyError shows the traceback text readably."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception's type and formatted traceback, to be re-raised in another process."""

    def __init__(self, exc_info=None, where='in background'):
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = ''.join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, 'message', None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception

    def __reduce__(self):
        # an exception class defined where the main process can't import it becomes RuntimeError
        try:
            pickle.dumps(self.exc_type)
            exc_type = self.exc_type
        except Exception:
            exc_type = RuntimeError
        return _rebuild_wrapper, (exc_type, self.exc_msg, self.where)


def _rebuild_wrapper(exc_type, exc_msg, where):
    w = ExceptionWrapper.__new__(ExceptionWrapper)
    w.exc_type, w.exc_msg, w.where = exc_type, exc_msg, where
    return w


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """A worker's iterable dataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Start a new epoch (persistent workers)."""


# -- the wire format -------------------------------------------------------------------------------
def _encode(obj):
    """obj as a header message (buffer count, buffer sizes, pickle) plus its out-of-band buffers."""
    buffers = []
    head = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    return struct.pack(f'<Q{len(raws)}Q', len(raws), *(r.nbytes for r in raws)) + head, raws


def send(conn, obj, encoded=None):
    """Send obj over a multiprocessing Connection, array buffers out of band."""
    head, raws = encoded or _encode(obj)
    conn.send_bytes(head)
    for r in raws:
        conn.send_bytes(r)


def recv(conn):
    """Receive what send() sent (array buffers land in fresh writable bytearrays)."""
    msg = conn.recv_bytes()
    (n,) = struct.unpack_from('<Q', msg)
    sizes = struct.unpack_from(f'<{n}Q', msg, 8)
    buffers = []
    for size in sizes:
        buf = bytearray(size)
        if size:
            conn.recv_bytes_into(buf)
        else:
            conn.recv_bytes()
        buffers.append(buf)
    return pickle.loads(memoryview(msg)[8 + 8 * n:], buffers=buffers)


def _send_safely(conn, obj, worker_id):
    """send(), turning a batch that cannot be pickled into an error for the main process."""
    try:
        encoded = _encode(obj)
    except Exception:
        encoded = _encode((obj[0], ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")))
    send(conn, None, encoded)


# -- seeding ---------------------------------------------------------------------------------------
def _generate_state(base_seed, worker_id):
    """torch's NumPy seed for a worker: SeedSequence-style hashing of (worker_id, base_seed)."""
    INIT_A, MULT_A, INIT_B, MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
    MIX_MULT_L, MIX_MULT_R, XSHIFT, MASK32 = 0xCA01F9DD, 0x4973F715, 16, 0xFFFFFFFF
    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    hash_const_a = INIT_A

    def hash_(value):
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & MASK32
        hash_const_a = (hash_const_a * MULT_A) & MASK32
        value = (value * hash_const_a) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32

    def mix(x, y):
        result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32)
        result &= MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    pool = [hash_(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_const_b, state = INIT_B, []
    for value in pool:
        value = (value ^ hash_const_b) & MASK32
        hash_const_b = (hash_const_b * MULT_B) & MASK32
        value = (value * hash_const_b) & MASK32
        state.append((value ^ (value >> XSHIFT)) & MASK32)
    return state


def _seed_worker(base_seed, worker_id):
    """Seed Python's, torchlet's and NumPy's global generators as torch seeds a worker."""
    import numpy as np
    import torchlet
    seed = base_seed + worker_id
    random.seed(seed)
    torchlet.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))


# -- the worker loop -------------------------------------------------------------------------------
def worker_loop(fetcher_factory, dataset, is_iterable, index_queue, result_conn, done_event,
                base_seed, init_fn, worker_id, num_workers, parent_pid):
    """Serve fetch requests until told to stop (None) or the main process goes away."""
    global _worker_info
    parent_pid = parent_pid or os.getppid()          # (forkserver: the server is the parent)
    try:
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=base_seed + worker_id,
                                  dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_exception = fetcher = None
        try:
            _seed_worker(base_seed, worker_id)
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetcher_factory(dataset)
        except Exception:
            init_exception = ExceptionWrapper(where=where)
        iteration_end = False
        while os.getppid() == parent_pid:
            try:
                r = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(r, ResumeIteration):
                send(result_conn, (r, None))
                iteration_end = False
                fetcher = fetcher_factory(dataset)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not is_iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            _send_safely(result_conn, (idx, data), worker_id)
            del data, idx, index, r
    except (KeyboardInterrupt, BrokenPipeError, EOFError, ConnectionError):
        pass     # the main process is gone or shutting us down
