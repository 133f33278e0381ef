"""Random numbers: the Generator (PyTorch's CPU Mersenne Twister), seeding, and the random factories.

The Generator reproduces PyTorch's CPU generator: an mt19937 seeded like ``at::mt19937(seed)``
(NumPy's MT19937 with legacy seeding), 32- and 64-bit draws taken the same way, and the same
transformations. After ``manual_seed(s)`` these give PyTorch's numbers bit for bit (tested):
rand/uniform_ (float32, float64), randn/normal/normal_ (both of PyTorch's paths: the scalar
Box-Muller with its cached second value below 16 elements, and the 16-wide vectorised fill with
PyTorch's AVX2 float32 log/sincos approximations above), randint/random_, randperm, bernoulli,
multinomial, exponential_, geometric_, cauchy_, log_normal_, poisson. ``get_state()`` uses
PyTorch's 5056-byte CPUGeneratorImplState layout, so states can be exchanged with PyTorch.
Known gaps: float32 randint ranges above 2**24, float16 normal with >= 16 elements, and
non-contiguous targets of bernoulli_(tensor p) are close but not bit-exact.
"""
import contextlib
import math
import os
import struct

import numpy as np

from . import _dtype
from ._device import as_device
from ._tensor import Tensor
from .autograd.function import Op
from .autograd.grad_mode import _State
from .ops._util import _short
from ._normal32 import box_muller32
from .ops.factories import fma32 as _fma32, fma64 as _fma64, size_args, write_out

__all__ = ['Generator', 'default_generator', 'manual_seed', 'seed', 'initial_seed', 'get_rng_state',
           'set_rng_state', 'fork_rng', 'rand', 'randn', 'randint', 'randperm', 'normal', 'bernoulli',
           'multinomial', 'poisson', 'rand_like', 'randn_like', 'randint_like']

_DEFAULT_SEED = 67280421310721       # the seed PyTorch's CPU generators start from
_N = 624                              # Mersenne Twister state words
_STATE_FMT = '<QiiQ624QdddiifB3x'     # PyTorch's CPUGeneratorImplState (5056 bytes)
_STATE_SIZE = struct.calcsize(_STATE_FMT)
_LEGACY_SIZE = 5048                   # the older THGeneratorState alone
_f32, _f64 = np.float32, np.float64
_M24, _M53 = np.uint64((1 << 24) - 1), np.uint64((1 << 53) - 1)
# libm's log, log1p, exp and tan, as PyTorch calls them (NumPy's SIMD versions differ in the last
# bit now and then); NumPy's float64 sin and cos agree with libm
_LOG, _LOG1P, _EXP, _TAN = (np.frompyfunc(f, 1, 1) for f in (math.log, math.log1p, math.exp, math.tan))


class Generator:
    """A random number generator, ``torch.Generator``: PyTorch's CPU mt19937 with its seeding."""

    def __init__(self, device='cpu'):
        self._device = as_device(device)
        self._mt = np.random.MT19937()
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    # -- seeding and state ------------------------------------------------------------------------
    def manual_seed(self, seed):
        """Seed the generator (any int in [-2**63, 2**64)); returns the generator."""
        seed = _check_seed(seed)
        _legacy_seed(self._mt, seed & 0xFFFFFFFF)
        self._seed = seed
        self._fresh_key = self._mt.state['state']['key']
        self._next_double = None      # the second Box-Muller value, cached as PyTorch does
        self._next_float = None
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the seed used."""
        s = int.from_bytes(os.urandom(8), 'little')
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The state as a uint8 tensor in PyTorch's byte layout."""
        st = self._mt.state['state']
        key, pos = st['key'], st['pos']
        if pos >= _N:
            left, nxt = 1, (0 if np.array_equal(key, self._fresh_key) else _N)
        else:
            left, nxt = _N + 1 - pos, pos
        nd, nf = self._next_double, self._next_float
        raw = struct.pack(_STATE_FMT, self._seed, left, 1, nxt, *key.tolist(), 0.0,
                          0.0 if nd is None else nd, 0.0, int(nd is not None), 0,
                          0.0 if nf is None else nf, int(nf is not None))
        return Tensor._wrap(np.frombuffer(raw, np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from get_state() (ours or PyTorch's)."""
        if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = new_state._data.tobytes()
        if len(raw) == _LEGACY_SIZE:
            raw = raw + bytes(_STATE_SIZE - _LEGACY_SIZE)
        if len(raw) != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the "
                               f"input RNG state size to be {len(raw)}")
        vals = struct.unpack(_STATE_FMT, raw)
        seed, left, _seeded, nxt = vals[:4]
        key = np.array(vals[4:4 + _N], dtype=np.uint32)
        _x, nd_y, _rho, nd_valid, _pad, nf, nf_valid = vals[4 + _N:]
        pos = _N if left <= 1 else nxt
        self._mt.state = {'bit_generator': 'MT19937', 'state': {'key': key, 'pos': int(pos)}}
        self._seed = seed
        self._fresh_key = key if nxt == 0 and left == 1 else None
        self._next_double = nd_y if nd_valid else None
        self._next_float = nf if nf_valid else None
        return self

    def __getstate__(self):
        return {'state': self.get_state()._data.copy(), 'device': str(self._device)}

    def __setstate__(self, d):
        self.__init__(d['device'])
        self.set_state(Tensor._wrap(d['state']))

    # -- raw draws --------------------------------------------------------------------------------
    def _u32(self, n):
        """n 32-bit draws (uint64 array), PyTorch's ``random()``."""
        return self._mt.random_raw(n)

    def _u64(self, n):
        """n 64-bit draws, PyTorch's ``random64()``: two 32-bit draws, the first is the high half."""
        r = self._mt.random_raw(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def _uniform(self, n, np_dtype):
        """n values of uniform_real_distribution(0, 1): 53 bits of a 64-bit draw for float64,
        24 bits of a 32-bit draw for everything narrower."""
        if np_dtype == _f64:
            return (self._u64(n) & _M53).astype(_f64) * 2.0 ** -53
        return (self._u32(n) & _M24).astype(_f32) * _f32(2.0 ** -24)

    def _normal_pairs(self, n):
        """n standard normals from PyTorch's scalar normal_distribution<double>: Box-Muller on two
        53-bit uniforms gives r cos(theta) now and caches r sin(theta) for the next value."""
        out = np.empty(n, _f64)
        start = 0
        if n and self._next_double is not None:
            out[0], self._next_double, start = self._next_double, None, 1
        pairs = (n - start + 1) // 2
        if pairs:
            u = self._uniform(2 * pairs, _f64)
            r = np.sqrt(-2.0 * _LOG1P(-u[1::2]).astype(_f64))
            theta = 2.0 * math.pi * u[0::2]
            vals = np.empty(2 * pairs, _f64)
            vals[0::2], vals[1::2] = r * np.cos(theta), r * np.sin(theta)
            out[start:] = vals[:n - start]
            if (n - start) % 2:
                self._next_double = float(vals[-1])
        return out

    @contextlib.contextmanager
    def _scalar_uniforms(self, hint):
        """A function returning one 53-bit uniform at a time (for rejection samplers), drawn from a
        prefetched buffer; afterwards the stream is left exactly after the values used."""
        saved, used, buf = self._mt.state, [0], []

        def next_uniform():
            if not buf:
                buf.extend(reversed(self._uniform(max(hint, 64), _f64).tolist()))
            used[0] += 1
            return buf.pop()
        try:
            yield next_uniform
        finally:
            self._mt.state = saved
            self._mt.random_raw(2 * used[0])

    def __repr__(self):
        return f'<torch._C.Generator object at {hex(id(self))}>'


def _check_seed(seed):
    if isinstance(seed, Tensor):
        seed = seed.item()
    seed = int(seed)
    if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFF_FFFF_FFFF_FFFF


def _legacy_seed(mt, seed32):
    """Knuth's init_genrand, as at::mt19937 seeds; NumPy calls it legacy seeding."""
    try:
        mt._legacy_seeding(seed32)
    except AttributeError:           # very old/new NumPy without the helper: do it by hand
        key = np.empty(_N, np.uint32)
        x = seed32
        for j in range(_N):
            key[j] = x
            x = (1812433253 * (x ^ (x >> 30)) + j + 1) & 0xFFFFFFFF
        mt.state = {'bit_generator': 'MT19937', 'state': {'key': key, 'pos': _N}}


default_generator = Generator()


def _gen(generator):
    return default_generator if generator is None else generator


# -- seeding API ----------------------------------------------------------------------------------
def manual_seed(seed):
    """Seed the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller='fork_rng', _devices_kw='devices', device_type='cuda'):
    """Run a block with the default generator's state saved and restored afterwards."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# -- samplers (arrays) ----------------------------------------------------------------------------
def _uniform_values(g, n, np_dtype, low=0.0, high=1.0):
    """PyTorch's uniform_(low, high): x * (high - low) + low, fused, in the dtype's accumulate type."""
    x = g._uniform(n, np_dtype)
    if low == 0.0 and high == 1.0:
        return x.astype(np_dtype, copy=False)
    if np_dtype == _f64:
        return _fma64(x, high - low, np.full(n, float(low)))
    lo, hi = _f32(np_dtype.type(low)), _f32(np_dtype.type(high))
    return _fma32(x, float(hi - lo), float(lo)).astype(np_dtype, copy=False)


def _box_muller_16(u, np_dtype, mean, std):
    """PyTorch's normal_fill: each block of 16 uniforms [a | b] becomes
    sqrt(-2 log(1 - a)) * (cos, sin)(2 pi b) * std + mean."""
    u = u.reshape(-1, 16)
    a, b = np.ascontiguousarray(u[:, :8]), np.ascontiguousarray(u[:, 8:])
    if np_dtype == _f32:
        cos, sin = box_muller32(a.reshape(-1), b.reshape(-1))
        out = np.concatenate([cos.reshape(a.shape), sin.reshape(a.shape)], axis=1)
        if std != 1.0 or mean != 0.0:
            out = _fma32(out, float(_f32(std)), float(_f32(mean)))
        return out.reshape(-1)
    radius = np.sqrt(-2.0 * _LOG(1.0 - a).astype(_f64))
    theta = 2.0 * math.pi * b
    out = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], axis=1)
    out = out.reshape(-1)
    if std != 1.0 or mean != 0.0:
        out = _fma64(out, float(std), np.full(out.size, float(mean)))
    return out


_BLOCK = 1 << 16


def _normal_values(g, n, np_dtype, mean=0.0, std=1.0, contiguous=True):
    """PyTorch's normal_(mean, std) on n elements of np_dtype."""
    if n >= 16 and contiguous:
        acc = _f64 if np_dtype == _f64 else _f32
        u = g._uniform(n, acc)
        head = (n // 16) * 16
        out = np.empty(n, acc)
        for lo in range(0, head, _BLOCK):      # blocks that stay in cache
            hi = min(head, lo + _BLOCK)
            out[lo:hi] = _box_muller_16(u[lo:hi], acc, mean, std)
        if n % 16:
            # PyTorch redraws 16 fresh uniforms for the tail and overwrites the last 16 values
            out[n - 16:] = _box_muller_16(g._uniform(16, acc), acc, mean, std)
        return out.astype(np_dtype, copy=False)
    z = g._normal_pairs(n)
    if std != 1.0 or mean != 0.0:
        z = _fma64(z, float(std), np.full(n, float(mean)))
    return z.astype(np_dtype)


def _ints_from_to(g, n, np_dtype, low, high):
    """random_(low, high): draw % (high - low) + low, from 64-bit draws once the range reaches 2**28
    (PyTorch's threshold, measured)."""
    rng = high - low
    wide = rng >= 1 << 28
    raw = g._u64(n) if wide else g._u32(n)
    vals = (raw % np.uint64(rng)).astype(np.int64) + np.int64(low)
    return vals.astype(np_dtype)


def _ints_full(g, n, np_dtype):
    """random_() without bounds: [0, 2**mantissa] for floats, [0, max] for integers."""
    dt = np.dtype(np_dtype)
    if dt == np.bool_:
        return (g._u32(n) & np.uint64(1)).astype(np.bool_)
    wide = dt in (np.dtype(np.int64), np.dtype(_f64))
    raw = g._u64(n) if wide else g._u32(n)
    if dt.kind == 'f':
        mod = (1 << np.finfo(dt).nmant + 1) + 1
    else:
        mod = int(np.iinfo(dt).max) + 1
    return (raw % np.uint64(mod)).astype(dt)


def _permutation(g, n):
    """randperm: PyTorch's Fisher-Yates, swapping r[i] with r[i + draw % (n - i)]."""
    if n < 2:
        return np.arange(n, dtype=np.int64)
    raw = g._u32(n - 1) if n < (1 << 32) // 20 else g._u64(n - 1)
    offs = (raw % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
    r = list(range(n))
    for i, z in enumerate(offs):
        j = i + z
        r[i], r[j] = r[j], r[i]
    return np.array(r, dtype=np.int64)


def _exponential_values(g, n, np_dtype, lambd=1.0):
    u = g._uniform(n, _f64)
    return ((-1.0 / lambd) * _LOG1P(-u).astype(_f64)).astype(np_dtype)


# -- tensor plumbing ------------------------------------------------------------------------------
def _float_dtype(dtype, op):
    dtype = dtype or _dtype.get_default_dtype()
    if not (dtype.is_floating_point or dtype.is_complex):
        raise NotImplementedError(f'"{op}" not implemented for \'{_short(dtype)}\'')
    return dtype


def _fmt(v):
    """A number as PyTorch's C++ messages print it (1.5, -1, 1e-05)."""
    return f'{v:g}' if isinstance(v, float) else str(v)


def _result(arr, shape, requires_grad, out):
    arr = arr.reshape(shape)
    if out is not None:
        return write_out(out, arr)
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _float_sample_args(fn, kernel, size, kw, out, dtype, device):
    """(shape, float dtype) for rand/randn from their arguments, with torch's errors."""
    if set(kw) - {'size'}:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{min(set(kw) - {'size'})}'")
    shape = size_args((kw['size'],) if 'size' in kw else size, fn)
    as_device(device)
    return shape, _float_dtype(dtype or (out.dtype if out is not None else None), kernel)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kw):
    """Uniform samples on [0, 1)."""
    shape, dtype = _float_sample_args('rand', 'check_uniform_bounds', size, kw, out, dtype, device)
    n = math.prod(shape)
    return _result(_uniform_values(_gen(generator), n, dtype.np), shape, requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kw):
    """Standard normal samples."""
    shape, dtype = _float_sample_args('randn', 'normal_kernel_cpu', size, kw, out, dtype, device)
    n = math.prod(shape)
    return _result(_normal_values(_gen(generator), n, dtype.np), shape, requires_grad, out)


def _check_range(low, high):
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False, low=None, high=None):
    """Integers uniform on [low, high): randint(high, size) or randint(low, high, size)."""
    args = list(args)
    if size is None:
        if not args or not isinstance(args[-1], (tuple, list)):
            raise TypeError("randint() received an invalid combination of arguments - missing the "
                            "required argument 'size'")
        size = args.pop()
    if high is None:
        if not args:
            raise TypeError("randint() missing required argument 'high'")
        high = args.pop()
    if low is None:
        low = args.pop() if args else 0
    low, high = int(low), int(high)
    _check_range(low, high)
    shape = size_args((size,), 'randint')
    as_device(device)
    dtype = dtype or (out.dtype if out is not None else _dtype.int64)
    n = math.prod(shape)
    return _result(_ints_from_to(_gen(generator), n, dtype.np, low, high), shape, requires_grad, out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0 .. n-1."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    as_device(device)
    dtype = dtype or _dtype.int64
    return _result(_permutation(_gen(generator), n).astype(dtype.np), (n,), requires_grad, out)


def _like(input, dtype):
    return (dtype or input.dtype), tuple(input._data.shape)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    dtype, shape = _like(input, dtype)
    return rand(shape, dtype=dtype, requires_grad=requires_grad, generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    dtype, shape = _like(input, dtype)
    return randn(shape, dtype=dtype, requires_grad=requires_grad, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    dtype, shape = _like(input, dtype)
    return randint(low, high, shape, dtype=dtype, requires_grad=requires_grad, generator=generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """Normal samples: normal(mean, std) with tensor and/or float mean and std (broadcast), or
    normal(mean: float, std: float, size)."""
    g = _gen(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), "
                            "but expected (float mean, float std, tuple of ints size, *, ...)")
        _check_std(std)
        shape = size_args((size,), 'normal')
        dtype = _float_dtype(dtype or (out.dtype if out is not None else None), 'normal_kernel_cpu')
        vals = _normal_values(g, math.prod(shape), dtype.np, float(mean), float(std))
        return _result(vals, shape, requires_grad, out)
    if st and std._data.size and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not st:
        _check_std(std)
    ref = mean if mt else std
    shape = np.broadcast_shapes(mean._data.shape if mt else (), std._data.shape if st else ())
    dt = ref._data.dtype if not (mt and st) else _dtype.promote_types(mean.dtype, std.dtype).np
    if dt.kind not in 'fc':
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for '
                                  f"'{_short(_dtype.from_numpy_dtype(dt))}'")
    n = math.prod(shape)
    if mt and not st:
        noise = Tensor._wrap(_normal_values(g, n, dt, 0.0, float(std)).reshape(shape))
        res = noise + mean
    else:
        noise = Tensor._wrap(_normal_values(g, n, dt).reshape(shape))
        res = noise * std + mean
    if not (mean._rg if mt else False) and not (std._rg if st else False):
        res = Tensor._wrap(res._data)
    if out is not None:
        return write_out(out, res._data)
    return res


def _check_std(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples with probabilities from input (or the float p), in input's dtype."""
    g = _gen(generator)
    shape = input._data.shape
    if p is None:
        vals = _bernoulli_tensor(g, input._data, input._data.dtype)
    else:
        _check_p(p)
        vals = (g._uniform(input._data.size, _f64) < p).astype(input._data.dtype).reshape(shape)
    if out is not None:
        return write_out(out, vals)
    return Tensor._wrap(vals)


def _check_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")


def _bernoulli_tensor(g, probs, out_dtype, shape=None):
    """One draw per element of probs (broadcast to shape): uniform of probs' precision < p."""
    if probs.dtype.kind not in 'f':
        raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                  f"'{_short(_dtype.from_numpy_dtype(probs.dtype))}'")
    if probs.size and (np.any(probs < 0) or np.any(probs > 1) or np.isnan(probs).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this "
                           "error message be improved?  If so, please report an enhancement request "
                           "to PyTorch.)")
    if shape is not None:
        probs = np.broadcast_to(probs, shape)
    acc = _f64 if probs.dtype == _f64 else _f32
    u = g._uniform(probs.size, acc).reshape(probs.shape)
    return (u < probs.astype(acc, copy=False)).astype(out_dtype)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the rows of input (non-negative weights), as PyTorch samples them."""
    g = _gen(generator)
    a = input._data
    if a.dtype.kind != 'f':
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_short(input.dtype)}")
    if a.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n_cat = a.shape[-1]
    if n_cat > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rows = a.reshape(-1, n_cat)
    if not replacement or num_samples == 1:
        if rows.size and (not np.isfinite(rows).all() or (rows < 0).any()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        sums = rows.sum(-1)
        if rows.size == 0 or (sums <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = rows / _exponential_values(g, rows.size, a.dtype).reshape(rows.shape)
        if num_samples == 1:
            idx = q.argmax(-1)[:, None]
        else:
            idx = np.argsort(-q, axis=-1, kind='stable')[:, :num_samples]
    else:
        idx = np.empty((rows.shape[0], num_samples), np.int64)
        for i, row in enumerate(rows):
            if (row < 0).any():
                raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
            if not np.isfinite(row).all():
                raise RuntimeError("invalid multinomial distribution (encountering probability entry = "
                                   "infinity or NaN)")
            cum = np.cumsum(row)
            if cum[-1] <= 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cum = cum / cum[-1]
            cum[-1] = 1
            idx[i] = np.searchsorted(cum, g._uniform(num_samples, _f64), side='left')
    idx = idx.astype(np.int64).reshape(a.shape[:-1] + (num_samples,))
    if out is not None:
        return write_out(out, idx)
    return Tensor._wrap(idx)


def _poisson_one(uniform, lam):
    """PyTorch's sample_poisson: Hoermann's transformed rejection for lam >= 10, else inversion."""
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = uniform() - 0.5
            V = uniform()
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + lam + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if (math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b)) <= \
                    (-lam + k * loglam - math.lgamma(k + 1)):
                return k
    if lam == 0:
        return 0
    enlam, x, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= uniform()
        if prod > enlam:
            x += 1
        else:
            return x


def poisson(input, generator=None):
    """Poisson samples with rates from input, in input's dtype."""
    g = _gen(generator)
    a = input._data
    if a.size and (a < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    rates = a.reshape(-1).tolist()
    with g._scalar_uniforms(2 * len(rates)) as uniform:
        vals = np.array([_poisson_one(uniform, lam) for lam in rates], dtype=a.dtype)
    return Tensor._wrap(vals.reshape(a.shape))


# -- in-place random fillers on Tensor ------------------------------------------------------------
class _RandomFill(Op):
    """An in-place random fill seen by autograd: the new values do not depend on the old ones."""

    @staticmethod
    def forward(ctx, x, values):
        return values

    @staticmethod
    def backward(ctx, g):
        return g * 0, None


_FILL_OPS = {}


def _fill_op(name):
    op = _FILL_OPS.get(name)
    if op is None:
        op = _FILL_OPS[name] = type(name.replace('Backward', 'Fill'), (_RandomFill,), {'_bname': name})
    return op


def _fill(t, sampler, node_name):
    """Write sampler(n, contiguous) (values in memory order) into t, PyTorch's in-place way."""
    from .ops._util import check_inplace, inplace
    check_inplace(t)
    dst = t._data
    contiguous = dst.flags.c_contiguous
    vals = sampler(dst.size, contiguous)
    if contiguous:
        vals = vals.reshape(dst.shape)
    else:
        tmp = np.empty_like(dst, order='K')
        flat = tmp.ravel(order='K')
        flat[...] = vals
        if not np.shares_memory(flat, tmp):
            tmp = flat.reshape(tmp.shape)
        vals = tmp
    vals = vals.astype(dst.dtype, copy=False)
    if (t._rg or t.grad_fn is not None) and _State.grad_enabled:
        op = _fill_op(node_name)
        return inplace(t, lambda old: op.apply(old, vals))
    if not dst.flags.writeable:
        from .ops._util import write_inplace
        write_inplace(t, vals)
        return t
    np.copyto(dst, vals, casting='unsafe')
    t._vc[0] += 1
    return t


def _float_tensor(t, op):
    if t._data.dtype.kind not in 'fc':
        raise NotImplementedError(f'"{op}" not implemented for \'{_short(t.dtype)}\'')
    return t._data.dtype


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    """Fill with uniform samples on [from, to)."""
    from_ = kw.pop('from', from_)
    dt = _float_tensor(self, 'check_uniform_bounds')
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_fmt(from_)} "
                           f"> to={_fmt(to)}")
    g = _gen(generator)
    return _fill(self, lambda n, c: _uniform_values(g, n, dt, from_, to), 'UniformBackward0')


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    dt = _float_tensor(self, 'normal_kernel_cpu')
    _check_std(std)
    g = _gen(generator)
    return _fill(self, lambda n, c: _normal_values(g, n, dt, float(mean), float(std), c), 'NormalBackward0')


def random_(self, from_=None, to=None, *, generator=None, **kw):
    """Fill with integers: random_() over the dtype's range, random_(to) or random_(from, to)."""
    from_ = kw.pop('from', from_)
    g = _gen(generator)
    dt = self._data.dtype
    if from_ is not None and to is None:
        from_, to = 0, from_
    if to is None:
        return _fill(self, lambda n, c: _ints_full(g, n, dt), 'RandomBackward2')
    from_ = 0 if from_ is None else int(from_)
    to = int(to)
    _check_range(from_, to)
    return _fill(self, lambda n, c: _ints_from_to(g, n, dt, from_, to), 'RandomBackward0')


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 draws: probability p (a float, or a tensor broadcast to self)."""
    g = _gen(generator)
    if isinstance(p, Tensor):
        probs = p._data
        return _fill(self, lambda n, c: _bernoulli_tensor(g, probs, np.float64, self._data.shape)
                     .reshape(-1), 'BernoulliBackward1')
    _check_p(p)
    return _fill(self, lambda n, c: (g._uniform(n, _f64) < p), 'BernoulliBackward2')


def exponential_(self, lambd=1.0, *, generator=None):
    dt = _float_tensor(self, 'exponential_cpu')
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    g = _gen(generator)
    return _fill(self, lambda n, c: _exponential_values(g, n, dt, lambd), 'ExponentialBackward0')


def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    g = _gen(generator)

    def sample(n, c):
        u = g._uniform(n, _f64)
        return np.ceil(_LOG(u).astype(_f64) / math.log1p(-p))
    return _fill(self, sample, 'GeometricBackward0')


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    _float_tensor(self, 'cauchy_cpu')
    g = _gen(generator)
    return _fill(self, lambda n, c: median + sigma * _TAN(math.pi * (g._uniform(n, _f64) - 0.5))
                 .astype(_f64), 'CauchyBackward0')


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    _float_tensor(self, 'log_normal_cpu')
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    g = _gen(generator)
    return _fill(self, lambda n, c: _EXP(_fma64(g._normal_pairs(n), float(std), np.full(n, float(mean))))
                 .astype(_f64), 'LogNormalBackward0')


for _name, _fn in dict(uniform_=uniform_, normal_=normal_, random_=random_, bernoulli_=bernoulli_,
                       exponential_=exponential_, geometric_=geometric_, cauchy_=cauchy_,
                       log_normal_=log_normal_, bernoulli=bernoulli, multinomial=multinomial).items():
    setattr(Tensor, _name, _fn)
del _name, _fn
