"""The column machinery of convolutions, pooling and unfold/fold, and the buffer pool.

Everything runs on a 2-D grid: a 1-D input of length L is treated as a 1 x L image. ``Window``
describes where the kernel windows of a convolution or pooling lie on the padded input; it turns the
input into columns (im2col: strided views and copies) and sums column gradients back into an image
(col2im: one add per kernel offset, never ``np.add.at``).

Convolutions keep their columns *batch-major*, (C * kh * kw, N * L), so that one GEMM covers the
whole batch (``columns_matmul``; small products go a few images at a time, where OpenBLAS is
fastest). The *flat* layout gives col2im long contiguous runs: see ``Window``.
"""
import sys
import threading
from collections import OrderedDict

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ['BufferPool', 'pool', 'Window', 'columns_matmul', 'columns_matmul_t', 'summed_columns',
           'grid_matmul', 'grid_matmul_t']


class BufferPool:
    """Large arrays reused across calls, like torch's caching allocator: a pooled array is handed
    out again once nothing outside the pool refers to it (no live view, tensor or saved context).
    A fresh multi-megabyte array costs a page fault per 4 KiB on first touch, which for the conv
    layers of a small CNN is as slow as the GEMMs themselves."""
    MIN_BYTES = 1 << 18         # smaller arrays come from malloc's own free lists
    MAX_BYTES = 1 << 29         # at most this much is kept in the pool
    PER_KEY = 4
    MAX_KEYS = 32

    def __init__(self):
        self._arrays = OrderedDict()      # (shape, dtype) -> [arrays]
        self._bytes = 0
        self._lock = threading.Lock()

    def empty(self, shape, dtype):
        """An uninitialised array (pooled when large)."""
        dtype = np.dtype(dtype)
        n = dtype.itemsize
        for s in shape:
            n *= s
        if n < self.MIN_BYTES:
            return np.empty(shape, dtype)
        key = (shape, dtype)
        with self._lock:
            arrays = self._arrays.get(key)
            if arrays is None:
                arrays = self._arrays[key] = []
                if len(self._arrays) > self.MAX_KEYS:
                    self._drop_oldest()
            else:
                self._arrays.move_to_end(key)
                a = _unreferenced(arrays)
                if a is not None:
                    return a
            a = np.empty(shape, dtype)
            while self._bytes + n > self.MAX_BYTES and len(self._arrays) > 1:
                self._drop_oldest()
            if len(arrays) < self.PER_KEY and self._bytes + n <= self.MAX_BYTES:
                arrays.append(a)
                self._bytes += n
            return a

    def _drop_oldest(self):
        _, arrays = self._arrays.popitem(last=False)
        self._bytes -= sum(a.nbytes for a in arrays)

    def zeros(self, shape, dtype):
        a = self.empty(shape, dtype)
        a.fill(0)
        return a

    def clear(self):
        with self._lock:
            self._arrays.clear()
            self._bytes = 0


def _unreferenced(arrays):
    """The first array of the list that nothing outside the list refers to, or None."""
    for a in arrays:
        if sys.getrefcount(a) <= _FREE_REFCOUNT:
            return a
    return None


def _refcount_in_loop(arrays):
    for a in arrays:            # the same loop as _unreferenced, so the same references count
        return sys.getrefcount(a)


_FREE_REFCOUNT = _refcount_in_loop([np.empty(1)])
pool = BufferPool()


class Window:
    """The placement of kh x kw windows (stride, dilation, padding) on a batch of 2-D images.

    ``pads`` = (top, bottom, left, right). Output sizes follow the floor rule on the padded size;
    callers that need torch's ceil_mode pass extra bottom/right padding.

    Columns come in one of two layouts. *Plain*: (Ho, Wo) output positions. *Flat*: the windows
    read a grid whose rows are Wq wide, output position (h, w) at column ``h * Wq + w``, so that
    every kernel offset reads one contiguous run; the ``Wq - Wo`` extra columns of each row are
    computed by the GEMM and dropped. For stride 1 the grid is the padded image (Wq = Wp); for
    stride (sh, sw) it is the padded image split into its sh * sw phases, (N, C, sh * sw, Hq, Wq)
    with phase (a, b) holding rows a, a + sh, ... and columns b, b + sw, ..., which turns the
    strided convolution into a stride-1 one per phase.
    """
    __slots__ = ('kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pb', 'pl', 'pr', 'H', 'W', 'Hp', 'Wp',
                 'Ho', 'Wo', 'Hq', 'Wq', 'flat')

    def __init__(self, in_hw, kernel, stride, dilation, pads, flat=None):
        self.H, self.W = in_hw
        self.kh, self.kw = kernel
        self.sh, self.sw = stride
        self.dh, self.dw = dilation
        self.pt, self.pb, self.pl, self.pr = pads
        self.Hp = self.H + self.pt + self.pb
        self.Wp = self.W + self.pl + self.pr
        self.Ho = (self.Hp - self.dh * (self.kh - 1) - 1) // self.sh + 1
        self.Wo = (self.Wp - self.dw * (self.kw - 1) - 1) // self.sw + 1
        if self.Ho == 1:            # one output row (column): its stride is never used
            self.sh = 1
        if self.Wo == 1:
            self.sw = 1
        self.Hq = -(-self.Hp // self.sh)
        self.Wq = -(-self.Wp // self.sw)
        # unfold/fold and pooling need the plain layout; convolutions ask for the flat one
        self.flat = self.sh == 1 and self.sw == 1 if flat is None else flat

    @property
    def L(self):
        """Columns per image: output positions (flat layout: with the dropped row tails)."""
        if self.flat:
            return (self.Ho - 1) * self.Wq + self.Wo if self.Ho > 0 else 0
        return self.Ho * self.Wo

    def as_flat(self, flat=True):
        """This window with the flat (or, flat=False, the plain) column layout."""
        if self.flat == flat:
            return self
        twin = Window.__new__(Window)
        for name in Window.__slots__:
            setattr(twin, name, getattr(self, name))
        twin.flat = flat
        return twin

    @property
    def padded_any(self):
        return self.pt or self.pb or self.pl or self.pr

    @property
    def phased(self):
        """Whether the flat layout's grid is split into stride phases."""
        return self.flat and (self.sh > 1 or self.sw > 1)

    def pad(self, a, value=0):
        """a (N, C, H, W) inside a C-contiguous (N, C, Hp, Wp) buffer filled with value."""
        if not self.padded_any:
            return np.ascontiguousarray(a)
        buf = pool.empty(a.shape[:2] + (self.Hp, self.Wp), a.dtype)
        buf.fill(value)
        buf[:, :, self.pt:self.pt + self.H, self.pl:self.pl + self.W] = a
        return buf

    def crop(self, buf):
        """The (N, C, H, W) interior of a padded buffer (contiguous)."""
        if not self.padded_any:
            return buf
        out = pool.empty(buf.shape[:2] + (self.H, self.W), buf.dtype)
        np.copyto(out, buf[:, :, self.pt:self.pt + self.H, self.pl:self.pl + self.W])
        return out

    def _phases(self):
        """(phase index, grid slice, image slice) for each stride phase of the input image."""
        out = []
        for a in range(self.sh):
            y0 = (a - self.pt) % self.sh                 # first image row in phase a
            rows = range(y0, self.H, self.sh)
            q0 = (y0 + self.pt) // self.sh
            for b in range(self.sw):
                x0 = (b - self.pl) % self.sw
                cols = range(x0, self.W, self.sw)
                q1 = (x0 + self.pl) // self.sw
                out.append((a * self.sw + b,
                            (slice(q0, q0 + len(rows)), slice(q1, q1 + len(cols))),
                            (slice(y0, None, self.sh), slice(x0, None, self.sw))))
        return out

    def grid(self, a, value=0):
        """The grid the windows read (the padded image, or its phases), padding filled with value."""
        if not self.phased:
            return self.pad(a, value)
        N, C = a.shape[:2]
        g = pool.empty((N, C, self.sh * self.sw, self.Hq, self.Wq), a.dtype)
        g.fill(value)
        for p, (qs, rs), (ys, xs) in self._phases():
            g[:, :, p, qs, rs] = a[:, :, ys, xs]
        return g

    def image(self, g, out=None):
        """The (N, C, H, W) image of a grid (the inverse of ``grid``, dropping the padding), written
        into out when given."""
        if not self.phased:
            if out is None:
                return self.crop(g)
            np.copyto(out, g[:, :, self.pt:self.pt + self.H, self.pl:self.pl + self.W])
            return out
        if out is None:
            out = pool.empty(g.shape[:2] + (self.H, self.W), g.dtype)
        for p, (qs, rs), (ys, xs) in self._phases():
            out[:, :, ys, xs] = g[:, :, p, qs, rs]
        return out

    def zero_grid(self, N, C, dtype):
        shape = (self.sh * self.sw, self.Hq, self.Wq) if self.phased else (self.Hp, self.Wp)
        return pool.zeros((N, C) + shape, dtype)

    def _starts(self):
        """Flat layout: where kernel offset (i, j) starts reading the flattened grid."""
        plane = self.Hq * self.Wq
        starts = []
        for i in range(self.kh):
            a, q = (i * self.dh) % self.sh, (i * self.dh) // self.sh
            for j in range(self.kw):
                b, r = (j * self.dw) % self.sw, (j * self.dw) // self.sw
                starts.append((a * self.sw + b) * plane + q * self.Wq + r)
        return starts

    def offset(self, a, i, j):
        """The (N, C, Ho, Wo) view of padded a read by kernel offset (i, j)."""
        h0, w0 = i * self.dh, j * self.dw
        return a[:, :, h0:h0 + (self.Ho - 1) * self.sh + 1:self.sh,
                 w0:w0 + (self.Wo - 1) * self.sw + 1:self.sw]

    def windows(self, xp):
        """The columns of contiguous padded xp as a strided view, uncopied: (N, C, kh, kw, L) in the
        stride-1 flat layout, (N, C, kh, kw, Ho, Wo) in the plain one."""
        sN, sC, sH, sW = xp.strides
        N, C = xp.shape[:2]
        if self.flat:
            return as_strided(xp, (N, C, self.kh, self.kw, self.L),
                              (sN, sC, sH * self.dh, sW * self.dw, sW), writeable=False)
        return as_strided(xp, (N, C, self.kh, self.kw, self.Ho, self.Wo),
                          (sN, sC, sH * self.dh, sW * self.dw, sH * self.sh, sW * self.sw),
                          writeable=False)

    def im2col(self, g, out=None):
        """The columns of grid g: (N, C, kh, kw, L) (flat) or (N, C, kh, kw, Ho, Wo) (plain),
        written into out (any view of that shape) or a pooled array."""
        N, C = g.shape[:2]
        if self.phased:
            if out is None:
                out = pool.empty((N, C, self.kh, self.kw, self.L), g.dtype)
            flat, L = g.reshape(N, C, -1), self.L
            for (i, j), s in zip(np.ndindex(self.kh, self.kw), self._starts()):
                out[:, :, i, j] = flat[:, :, s:s + L]
            return out
        view = self.windows(g)
        if out is None:
            out = pool.empty(view.shape, g.dtype)
        np.copyto(out, view)
        return out

    def col2im(self, cols, g=None):
        """Sum columns (N, C, kh, kw, L) (flat) or (N, C, kh, kw, Ho, Wo) (plain; any views) into
        grid g, a zeroed one by default."""
        N, C = cols.shape[:2]
        if g is None:
            g = self.zero_grid(N, C, cols.dtype)
        if self.flat:
            flat, L = g.reshape(N, C, -1), self.L
            if L == 1 and not self.phased:        # one window: the kernel offsets never overlap
                sN, sC, sH, sW = g.strides
                view = as_strided(g, (N, C, self.kh, self.kw), (sN, sC, sH * self.dh, sW * self.dw))
                view += cols[..., 0]
                return g
            for (i, j), s in zip(np.ndindex(self.kh, self.kw), self._starts()):
                flat[:, :, s:s + L] += cols[:, :, i, j]
            return g
        for i in range(self.kh):
            for j in range(self.kw):
                self.offset(g, i, j)[...] += cols[:, :, i, j]
        return g

    # batch-major columns: (C, kh, kw, N, L) for one GEMM over the whole batch
    def _rows(self):
        return self.Wq if self.flat else self.Wo

    def columns(self, g):
        """The columns of grid g, batch-major: a pooled (C * kh * kw, N * L) array."""
        N, C = g.shape[:2]
        shape = (self.L,) if self.flat else (self.Ho, self.Wo)
        cols = pool.empty((C, self.kh, self.kw, N) + shape, g.dtype)
        self.im2col(g, np.moveaxis(cols, 3, 0))
        return cols.reshape(C * self.kh * self.kw, N * self.L)

    def add_columns(self, cols, g):
        """col2im of batch-major columns (C, kh, kw, n, L) into grid g (n images)."""
        self.col2im(np.moveaxis(cols, 3, 0), g)

    def image_of(self, out, bias=None):
        """The contiguous (N, O, Ho, Wo) image of a batch-major per-column result (O, N * L), plus
        bias (O,)."""
        O, N = out.shape[0], out.shape[1] // max(self.L, 1)
        s0, s1 = out.strides
        view = as_strided(out, (N, O, self.Ho, self.Wo), (self.L * s1, s0, self._rows() * s1, s1))
        dense = pool.empty((N, O, self.Ho, self.Wo), out.dtype)
        if bias is None:
            np.copyto(dense, view)
        else:
            np.add(view, bias.reshape(O, 1, 1), out=dense)
        return dense

    def columns_of(self, a):
        """An image (N, O, Ho, Wo) as batch-major columns (O, N * L); the dropped row tails of the
        flat layout are zeros."""
        N, O = a.shape[:2]
        L = self.L
        buf = pool.empty((O, N * L), a.dtype)
        s0, s1 = buf.strides
        rows = self._rows()
        as_strided(buf, (N, O, self.Ho, self.Wo), (L * s1, s0, rows * s1, s1))[...] = a
        if rows > self.Wo and self.Ho > 1:
            as_strided(buf[:, self.Wo:], (O, N, self.Ho - 1, rows - self.Wo),
                       (s0, L * s1, rows * s1, s1))[...] = 0
        return buf


# OpenBLAS multiplies small matrices (m * n * k up to about 1e6) with a faster kernel that skips
# packing; GEMMs over the columns of a few images at a time stay under that bound when one image's
# product is small, and run as one GEMM over the whole batch otherwise.
_SMALL_GEMM = 900_000


def _images_per_gemm(m, k, L, N):
    per_image = m * k * max(L, 1)
    return N if per_image * 2 > _SMALL_GEMM else max(1, _SMALL_GEMM // per_image)


def columns_matmul(w, cols, L):
    """w (G, M, K) @ batch-major cols (G, K, N * L): (G, M, N * L), in GEMMs of a few images when
    they are small."""
    out = pool.empty(w.shape[:2] + cols.shape[2:], cols.dtype)
    return _matmul_into(w, cols, L, out)


def _blocks(x, step):
    """The leading (nb * step) columns of x (G, R, C) as a batch of nb blocks of step columns,
    (G, nb, R, step) (a view: no copy)."""
    G, R, C = x.shape
    nb = C // step
    return x[:, :, :nb * step].reshape(G, R, nb, step).transpose(0, 2, 1, 3)


def _matmul_into(w, cols, L, out):
    G, M, K = w.shape
    NL = cols.shape[2]
    step = _images_per_gemm(M, K, L, NL // max(L, 1)) * max(L, 1)
    if step >= NL:
        return np.matmul(w, cols, out=out)
    # blocks of a few images as one batched matmul (the GEMM loop runs in C), then the rest
    head = NL // step * step
    np.matmul(w[:, None], _blocks(cols, step), out=_blocks(out, step))
    if head < NL:
        np.matmul(w, cols[:, :, head:], out=out[:, :, head:])
    return out


def columns_matmul_t(a, cols, L):
    """sum over images of a @ cols^T for batch-major a (G, M, N * L) and cols (G, K, N * L):
    (G, M, K), computed as its transpose cols @ a^T (the faster order for BLAS)."""
    G, M, NL = a.shape
    step = _images_per_gemm(M, cols.shape[1], L, NL // max(L, 1)) * max(L, 1)
    if step >= NL:
        return np.matmul(cols, a.swapaxes(-1, -2)).swapaxes(-1, -2)
    head = NL // step * step
    out = np.matmul(_blocks(cols, step), _blocks(a, step).swapaxes(-1, -2)).sum(1)
    if head < NL:
        out += np.matmul(cols[:, :, head:], a[:, :, head:].swapaxes(-1, -2))
    return out.swapaxes(-1, -2)


def _images_per_chunk(N, per_image_bytes):
    return max(1, min(N, _GRID_CHUNK_BYTES // max(1, per_image_bytes)))


def grid_matmul(w, g, win):
    """w (G, M, K) @ the batch-major columns of grid g: (G, M, N * L). The columns are made a
    cache-sized chunk of images at a time and never stored whole (GEMMs with few rows stream their
    columns from memory otherwise)."""
    G, M, K = w.shape
    N, L = g.shape[0], win.L
    out = pool.empty((G, M, N * L), g.dtype)
    step = _images_per_chunk(N, G * K * L * g.itemsize)
    for n0 in range(0, N, step):
        n1 = min(N, n0 + step)
        cols = win.columns(g[n0:n1])
        _matmul_into(w, cols.reshape(G, K, -1), L, out[:, :, n0 * L:n1 * L])
    return out


def grid_matmul_t(a, g, win):
    """sum over images of a @ columns(g)^T for batch-major a (G, M, N * L), the columns of grid g
    remade a chunk at a time: (G, M, K)."""
    G = a.shape[0]
    N, L = g.shape[0], win.L
    K = g.shape[1] * win.kh * win.kw // G
    step = _images_per_chunk(N, G * K * L * g.itemsize)
    total = None
    for n0 in range(0, N, step):
        n1 = min(N, n0 + step)
        cols = win.columns(g[n0:n1]).reshape(G, K, -1)
        part = columns_matmul_t(a[:, :, n0 * L:n1 * L], cols, L)
        total = part if total is None else total + part
    return total


_CHUNK_BYTES = 1 << 22
_GRID_CHUNK_BYTES = 1 << 21


def summed_columns(wt, xl, win, C):
    """The (N, C, H, W) image of col2im(wt @ xl) for wt (G, K, Og) and batch-major xl
    (G, Og, N * L): the input gradient of a convolution, the output of a transposed one. A chunk of
    the batch at a time: its columns are summed into a chunk-sized grid, which becomes image rows
    while both are still in cache."""
    G, K = wt.shape[:2]
    L = max(win.L, 1)
    N = xl.shape[2] // L
    out = pool.empty((N, C, win.H, win.W), xl.dtype)
    direct = not win.phased and not win.padded_any        # the grid is the image itself
    step = max(1, min(N, _CHUNK_BYTES // max(1, G * K * L * xl.itemsize)))
    chunk = pool.empty((G, K, step * L), xl.dtype)
    grid = None if direct else win.zero_grid(step, C, xl.dtype)
    for n0 in range(0, N, step):
        n1 = min(N, n0 + step)
        part = _matmul_into(wt, xl[:, :, n0 * L:n1 * L], L, chunk[:, :, :(n1 - n0) * L])
        g = out[n0:n1] if direct else grid[:n1 - n0]
        if n0 or direct:
            g.fill(0)
        win.add_columns(part.reshape(C, win.kh, win.kw, n1 - n0, win.L), g)
        if not direct:
            win.image(g, out[n0:n1])
    return out
