"""Fused recurrent kernels (Elman RNN with tanh/relu, LSTM with optional projection, GRU) and the
autograd ops built on them: one node per recurrent layer (both directions), one per cell call.

How a layer runs: each time step is ONE GEMM into the step's gate block followed by a handful of
in-place NumPy ufuncs; backward-through-time is a hand-written loop of the same kind (one GEMM per
step for the recurrent gradient), and the weight gradients are one GEMM over all steps. For LSTM
and RNN the step's GEMM multiplies [W_ih | W_hh | b] with the stacked [x_t; h_{t-1}; 1], so the
input projection and the biases come with it; GRU projects the inputs of all steps up front.

Layout: everything is feature-major, (T, features, batch): a gate of a step is a contiguous block.
A packed sequence is padded to (T, B, *) first; step t then works on its first batch_sizes[t]
columns only. Sigmoid gates use ``sigmoid(z) = (tanh(z / 2) + 1) / 2`` with the halving folded
into the (copied) weights, so one ``tanh`` call activates all the gates of a step.

Gate order matches torch: LSTM (i, f, g, o) (kept as (i, f, o, g) internally so that the sigmoid
gates are one block), GRU (r, z, n) with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.
"""
import numpy as np

from ... import _dtype
from ...ops._util import Op, _short
from ._columns import pool
from .conv import wrap_grads

__all__ = []


# -- layout ---------------------------------------------------------------------------------------------
class Steps:
    """The batch sizes of the T time steps (non-increasing; all B for an unpacked input)."""
    __slots__ = ('sizes', 'T', 'B', 'uniform', '_rows')

    def __init__(self, T, B, batch_sizes=None):
        self.T, self.B = T, B
        self.sizes = [B] * T if batch_sizes is None else list(batch_sizes)
        self.uniform = self.sizes[-1] == B if T else True
        self._rows = None

    def order(self, reverse):
        return range(self.T - 1, -1, -1) if reverse else range(self.T)

    def rows(self):
        """(step, batch) index arrays of the packed rows, in packed order."""
        if self._rows is None:
            self._rows = packed_rows(self.sizes)
        return self._rows

    def last(self):
        """The last step of each sequence of the batch."""
        sizes = np.asarray(self.sizes)
        return (sizes[None, :] > np.arange(self.B)[:, None]).sum(1) - 1


def packed_rows(batch_sizes):
    """(step, batch) coordinates of every row of a packed sequence with these batch sizes."""
    bs = np.asarray(batch_sizes, np.int64)
    steps = np.repeat(np.arange(bs.size), bs)
    starts = np.repeat(np.cumsum(bs) - bs, bs)
    return steps, np.arange(steps.size) - starts


def _scaled(w, scale):
    """w with its rows multiplied by scale (the sigmoid rows halved)."""
    return w if scale is None else w * (scale[:, None] if w.ndim == 2 else scale)


def _chunks(a):
    """(T, X, B) -> (X, T*B): the columns of all steps side by side, for the weight GEMMs."""
    T, X, B = a.shape
    out = pool.empty((X, T, B), a.dtype)
    np.copyto(out, a.transpose(1, 0, 2))
    return out.reshape(X, T * B)


def _dense(view, fresh=False):
    """view as a C-contiguous array: itself when already contiguous (unless fresh), else a copy in a
    pooled buffer."""
    if view.flags.c_contiguous and not fresh:
        return view
    out = pool.empty(view.shape, view.dtype)
    np.copyto(out, view)
    return out


_SCALES = {}


def _gate_scale(pattern, H, dt):
    """Per-row weight scale: 0.5 for sigmoid gates (computed as (tanh(z/2) + 1) / 2), 1 for tanh."""
    key = (pattern, H, dt)
    v = _SCALES.get(key)
    if v is None:
        v = _SCALES[key] = np.repeat(np.array(pattern, dt), H)
    return v


# -- per-mode kernels (one direction of one layer) --------------------------------------------------
class Kernel:
    """One direction of one recurrent layer in the feature-major layout: every per-step quantity is
    a (features, batch) block, stacked over time as (T, X, B), so each gate is a contiguous block.

    ``run(xT, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)`` takes the input as (T, I, B) and initial states
    as (B, X) (or None for zeros) and returns (hs (T, H_out, B) in time order, h_n (B, H_out), c_n
    (B, H) or None), keeping what backward needs. ``back(dyT, dhn, dcn, w_ih, w_hh, bias, needs,
    w_hr)`` takes the output gradient as (T, H_out, B) and returns (dxT (T, I, B) or None, dh0 (B,
    H_out), dc0 or None, (gw_ih, gw_hh, gb_ih, gb_hh, gw_hr)); needs = (input grad, weight grads).
    With a packed batch, step t only computes its first ``sizes[t]`` columns; the other (padding)
    columns are kept finite and get zero gradients, so the all-steps GEMMs can include them.
    Large buffers come from conv.py's pool (reused across calls: no page faults on fresh memory).
    """

    def __init__(self, steps, reverse):
        self.steps, self.reverse = steps, reverse

    def buffer(self, shape, dt):
        return pool.empty(shape, dt) if self.steps.uniform else pool.zeros(shape, dt)

    def state(self, s, width, dt):
        """An initial state or final-state gradient (B, width) as a fresh contiguous (width, B)."""
        if s is None:
            return np.zeros((width, self.steps.B), dt)
        return np.array(s.T, dt, order='C')


class StackedKernel(Kernel):
    """LSTM and Elman RNN: step k's input x_t, the state it starts from and a row of ones (for the
    biases) are stacked in ``Z[k]`` (I + H_out [+ 1], B), so one GEMM with [W_ih | W_hh | b] gives
    the step's pre-activations, and the step writes its output straight into ``Z[k + 1]``. Buffers
    are in processing order (k = t forwards, T - 1 - t backwards); the weight gradients are a single
    GEMM of the pre-activation gradients with Z."""
    perm = None                  # internal gate order (row permutation of torch's), or None
    sigmoid_rows = 0             # leading (internal) rows that are sigmoid gates

    def stack(self, xT, h0, w_ih, w_hh, b_ih, b_hh):
        """Build Z, the stacked weights and the processing order; returns (Z, W, ts, ns)."""
        st = self.steps
        T, B = st.T, st.B
        I, P = xT.shape[1], w_hh.shape[1]
        bias = b_ih is not None
        dt = xT.dtype
        ts = list(st.order(self.reverse))
        ns = [st.sizes[t] for t in ts]
        Z = self.buffer((T + 1, I + P + bias, B), dt)
        Z[:T, :I] = xT[::-1] if self.reverse else xT
        if bias:
            Z[:, I + P] = 1
        h0 = self.state(h0, P, dt)
        self.fill_states(Z[:, I:I + P], h0, ns)
        perm = self.perm
        W = np.empty((w_hh.shape[0], I + P + bias), dt)
        W[:, :I] = w_ih if perm is None else w_ih[perm]
        W[:, I:I + P] = w_hh if perm is None else w_hh[perm]
        if bias:
            b = b_ih + b_hh
            W[:, I + P] = b if perm is None else b[perm]
        W[:self.sigmoid_rows] *= 0.5             # sigmoid(z) = (tanh(z / 2) + 1) / 2
        self.Z, self.I, self.P, self.ts, self.ns = Z, I, P, ts, ns
        self.w_hh_t = (w_hh if perm is None else w_hh[perm]).T
        return Z, W, ts, ns

    def fill_states(self, S, init, ns):
        """S[0] = init; backwards over a packed batch, a sequence starts at its own last step: put
        init in the columns of the steps before it, so that step k always starts from S[k]."""
        S[0] = init
        if self.reverse and not self.steps.uniform:
            for k in range(1, len(ns)):
                if ns[k - 1] < self.steps.B:
                    S[k, :, ns[k - 1]:] = init[:, ns[k - 1]:]

    def outputs(self, S):
        """Per-step results S[k + 1] (processing order) as (T, X, B) in time order."""
        return S[:0:-1] if self.reverse else S[1:]

    def final(self, S):
        """The state each sequence ends with, as (B, X), from S (T + 1, X, B) in processing order."""
        st = self.steps
        if self.reverse or st.uniform:
            return np.ascontiguousarray(S[-1].T)
        return S.transpose(0, 2, 1)[st.last() + 1, np.arange(st.B)]

    def grads(self, dpre, w_ih, bias, needs):
        """dxT (time order) and the gradients of w_ih, w_hh, b_ih, b_hh: one GEMM with Z."""
        need_x, need_w = needs
        perm, I, P = self.perm, self.I, self.P
        dxT = None
        if need_x:
            w = (w_ih if perm is None else w_ih[perm]).T
            dxT = np.matmul(w, dpre, out=pool.empty((dpre.shape[0],) + w.shape[:1] + dpre.shape[2:],
                                                   dpre.dtype))
            if self.reverse:
                dxT = dxT[::-1]
        if not need_w:
            return dxT, (None, None, None, None)
        g = _chunks(dpre) @ _chunks(self.Z[:-1]).T
        if perm is not None:
            g = g[np.argsort(perm)]
        if not bias:
            return dxT, (g[:, :I], g[:, I:I + P], None, None)
        return dxT, (g[:, :I], g[:, I:I + P], g[:, I + P].copy(), g[:, I + P].copy())


class RNNKernel(StackedKernel):
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu."""

    def __init__(self, steps, reverse, relu):
        super().__init__(steps, reverse)
        self.relu = relu

    def run(self, xT, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr):
        Z, W, ts, ns = self.stack(xT, h0, w_ih, w_hh, b_ih, b_hh)
        I, H = self.I, self.P
        pre = np.empty((H, self.steps.B), xT.dtype)
        for k, n in enumerate(ns):
            a = pre[:, :n]
            np.matmul(W, Z[k, :, :n], out=a)
            if self.relu:
                np.maximum(a, 0, out=Z[k + 1, I:I + H, :n])
            else:
                np.tanh(a, out=Z[k + 1, I:I + H, :n])
        S = Z[:, I:I + H]
        return self.outputs(S), self.final(S), None

    def back(self, dyT, dhn, dcn, w_ih, w_hh, bias, needs, w_hr=None):
        Z, I, H, ts, ns = self.Z, self.I, self.P, self.ts, self.ns
        dt = Z.dtype
        dpre = self.buffer((len(ts), H, self.steps.B), dt)
        R = self.state(dhn, H, dt)
        w_hh_t = self.w_hh_t
        for k in range(len(ts) - 1, -1, -1):
            n = ns[k]
            d, Rn, h = dpre[k, :, :n], R[:, :n], Z[k + 1, I:I + H, :n]
            if dyT is None:
                np.copyto(d, Rn)
            else:
                np.add(Rn, dyT[ts[k], :, :n], out=d)
            if self.relu:
                d *= h > 0
            else:
                d *= 1 - h * h
            np.matmul(w_hh_t, d, out=Rn)
        dxT, gw = self.grads(dpre, w_ih, bias, needs)
        return dxT, R.T, None, gw + (None,)


def _lstm_perm(H):
    """torch's gate rows (i, f, g, o) reordered to (i, f, o, g): the sigmoid gates first."""
    return np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]


class LSTMKernel(StackedKernel):
    """c' = f c + i g, h' = o tanh(c') (then W_hr h' with a projection). Gates are kept in the
    order (i, f, o, g) internally, so the three sigmoid gates are one contiguous block."""

    def run(self, xT, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr):
        H = w_hh.shape[0] // 4
        self.perm, self.sigmoid_rows = _lstm_perm(H), 3 * H
        Z, W, ts, ns = self.stack(xT, h0, w_ih, w_hh, b_ih, b_hh)
        st = self.steps
        T, B, I, P = st.T, st.B, self.I, self.P
        dt = xT.dtype
        acts = self.buffer((T, 4 * H, B), dt)
        cs = self.buffer((T + 1, H, B), dt)
        tcs = self.buffer((T, H, B), dt)
        hu = None if w_hr is None else self.buffer((T, H, B), dt)
        self.fill_states(cs, self.state(c0, H, dt), ns)
        tmp = np.empty((H, B), dt)
        H2, H3 = 2 * H, 3 * H
        for k, n in enumerate(ns):
            a = acts[k, :, :n]
            np.matmul(W, Z[k, :, :n], out=a)
            np.tanh(a, out=a)
            sg = a[:H3]
            sg *= 0.5
            sg += 0.5
            c, tm, tc = cs[k + 1, :, :n], tmp[:, :n], tcs[k, :, :n]
            np.multiply(a[H:H2], cs[k, :, :n], out=c)
            np.multiply(a[:H], a[H3:], out=tm)
            c += tm
            np.tanh(c, out=tc)
            if hu is None:
                np.multiply(a[H2:H3], tc, out=Z[k + 1, I:I + P, :n])
            else:
                h = hu[k, :, :n]
                np.multiply(a[H2:H3], tc, out=h)
                np.matmul(w_hr, h, out=Z[k + 1, I:I + P, :n])
        self.acts, self.cs, self.tcs, self.hu = acts, cs, tcs, hu
        S = Z[:, I:I + P]
        return self.outputs(S), self.final(S), self.final(cs)

    def back(self, dyT, dhn, dcn, w_ih, w_hh, bias, needs, w_hr=None):
        acts, tcs, cs, hu, ts, ns = self.acts, self.tcs, self.cs, self.hu, self.ts, self.ns
        T, G, B = acts.shape
        H = G // 4
        H2, H3 = 2 * H, 3 * H
        dt = acts.dtype
        dpre = self.buffer(acts.shape, dt)
        R = self.state(dhn, self.P, dt)
        RC = self.state(dcn, H, dt)
        dc, kb, gb = np.empty((H, B), dt), np.empty((H, B), dt), np.empty((G, B), dt)
        dhr = None if w_hr is None else self.buffer((T, self.P, B), dt)
        w_hh_t = self.w_hh_t
        w_hr_t = None if w_hr is None else w_hr.T
        # per step, on cache-hot blocks: the gate derivatives are sigmoid' = a (1 - a) and
        # tanh' = (1 + a)(1 - a), and dc/dh through h = o tanh(c) is o (1 - tanh(c)^2)
        for k in range(T - 1, -1, -1):
            n = ns[k]
            Rn = R[:, :n]
            dh = Rn if dyT is None else Rn + dyT[ts[k], :, :n]
            if dhr is not None:
                dhr[k, :, :n] = dh
                dh = w_hr_t @ dh
            dp, a, tc = dpre[k, :, :n], acts[k, :, :n], tcs[k, :, :n]
            d, kk, g, RCn = dc[:, :n], kb[:, :n], gb[:, :n], RC[:, :n]
            o = a[H2:H3]
            np.multiply(tc, tc, out=kk)
            np.subtract(1, kk, out=kk)
            kk *= o
            np.multiply(dh, kk, out=d)
            d += RCn
            np.multiply(dh, tc, out=dp[H2:H3])
            np.multiply(d, a[H3:], out=dp[:H])
            np.multiply(d, cs[k, :, :n], out=dp[H:H2])
            np.multiply(d, a[:H], out=dp[H3:])
            np.multiply(d, a[H:H2], out=RCn)
            np.subtract(1, a, out=g)
            dp *= g
            dp[:H3] *= a[:H3]
            np.add(a[H3:], 1, out=kk)
            dp[H3:] *= kk
            np.matmul(w_hh_t, dp, out=Rn)
        dxT, gw = self.grads(dpre, w_ih, bias, needs)
        gw_hr = _chunks(dhr) @ _chunks(hu).T if dhr is not None and needs[1] else None
        return dxT, R.T, RC.T, gw + (gw_hr,)


class GRUKernel(Kernel):
    """r, z = sigmoid(...), n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = n + z (h - n).

    The n gate needs W_in x and W_hn h apart, so the input projection of all steps is computed
    first (one stacked GEMM) and each step adds W_hh h (one GEMM); buffers are in time order."""

    def prefill(self, buf, init):
        """Backwards over a packed batch a sequence starts at its own last step, from init: put init
        in the padding columns of the later steps, so that prev() is always a plain slice."""
        if self.reverse and not self.steps.uniform:
            B = self.steps.B
            for t, n in enumerate(self.steps.sizes):
                if n < B:
                    buf[t, :, n:] = init[:, n:]

    def prev(self, buf, init, t):
        """The state step t starts from: (X, sizes[t])."""
        s = t + 1 if self.reverse else t - 1
        n = self.steps.sizes[t]
        if s < 0 or s == self.steps.T:
            return init[:, :n]
        return buf[s, :, :n]

    def prev_chunks(self, buf, init):
        """prev() of every step as (X, T*B), for the recurrent weight's gradient."""
        X, (T, _, B) = buf.shape[1], buf.shape
        out = pool.empty((X, T, B), buf.dtype)
        if self.reverse:
            out[:, :T - 1] = buf[1:].transpose(1, 0, 2)
            out[:, T - 1] = init
        else:
            out[:, 0] = init
            out[:, 1:] = buf[:-1].transpose(1, 0, 2)
        return out.reshape(X, T * B)

    def final(self, buf):
        """The state each sequence ends with, as (B, X)."""
        st = self.steps
        if self.reverse:
            return np.ascontiguousarray(buf[0].T)
        if st.uniform:
            return np.ascontiguousarray(buf[-1].T)
        return buf.transpose(0, 2, 1)[st.last(), np.arange(st.B)]

    def project(self, xT, w, b, scale):
        """The input part of every step's pre-activations: (scale w) @ x_t + scale b, (T, G, B)."""
        self.xT = xT
        w = _scaled(w, scale)
        acts = np.matmul(w, xT, out=pool.empty((xT.shape[0], w.shape[0], xT.shape[2]), xT.dtype))
        if b is not None:
            acts += np.repeat(_scaled(b, scale)[:, None], self.steps.B, axis=1)
        return acts

    def weight_grads(self, dgi, dgh, hprev, w_ih, bias, needs):
        """dxT and the gradients of w_ih, w_hh, b_ih, b_hh from the pre-activation gradients of the
        input part (dgi) and of the recurrent part (dgh) of all steps."""
        need_x, need_w = needs
        dxT = np.matmul(w_ih.T, dgi) if need_x else None
        if not need_w:
            return dxT, (None, None, None, None)
        xT = self.xT
        di, dh = _chunks(dgi), _chunks(dgh)
        gw = (di @ xT.transpose(0, 2, 1).reshape(-1, xT.shape[1]), dh @ hprev.T)
        return dxT, gw + ((di.sum(1), dh.sum(1)) if bias else (None, None))

    def run(self, xT, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr):
        st = self.steps
        T, B = st.T, st.B
        H = w_hh.shape[1]
        H2 = 2 * H
        dt = xT.dtype
        scale = _gate_scale((0.5, 0.5, 1.0), H, dt)
        b_hn = None
        if b_ih is not None:
            b = b_ih.copy()
            b[:H2] += b_hh[:H2]
            b_hn = np.repeat(b_hh[H2:, None], B, axis=1)
        acts = self.project(xT, w_ih, None if b_ih is None else b, scale)
        whh = _scaled(w_hh, scale)
        hs = self.buffer((T, H, B), dt)
        ghn = self.buffer((T, H, B), dt)
        tmp = np.empty((H, B), dt)
        h0 = self.state(h0, H, dt)
        self.prefill(hs, h0)
        prev, sizes = self.prev, st.sizes
        for t in st.order(self.reverse):
            n = sizes[t]
            hp = prev(hs, h0, t)
            gh = whh @ hp
            a = acts[t, :, :n]
            rz = a[:H2]
            rz += gh[:H2]
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            hn, tm, nt, h = ghn[t, :, :n], tmp[:, :n], a[H2:], hs[t, :, :n]
            if b_hn is None:
                np.copyto(hn, gh[H2:])
            else:
                np.add(gh[H2:], b_hn[:, :n], out=hn)
            np.multiply(a[:H], hn, out=tm)
            nt += tm
            np.tanh(nt, out=nt)
            np.subtract(hp, nt, out=h)
            h *= a[H:H2]
            h += nt
        self.acts, self.hs, self.ghn, self.h0 = acts, hs, ghn, h0
        return hs, self.final(hs), None

    def back(self, dyT, dhn, dcn, w_ih, w_hh, bias, needs, w_hr=None):
        st, acts, hs, ghn, h0 = self.steps, self.acts, self.hs, self.ghn, self.h0
        T, G, B = acts.shape
        H = G // 3
        H2 = 2 * H
        dt = acts.dtype
        dgi = self.buffer(acts.shape, dt)
        dgh = self.buffer(acts.shape, dt)
        R = self.state(dhn, H, dt)
        ub, vb = np.empty((H, B), dt), np.empty((H, B), dt)
        w_hh_t, prev, sizes = w_hh.T, self.prev, st.sizes
        for t in st.order(not self.reverse):
            n = sizes[t]
            Rn = R[:, :n]
            a = acts[t, :, :n]
            r, z, nt = a[:H], a[H:H2], a[H2:]
            dh = Rn.copy() if dyT is None else Rn + dyT[t, :, :n]
            dn, g, u, v = dgi[t, H2:, :n], dgh[t, :, :n], ub[:, :n], vb[:, :n]
            np.subtract(1, z, out=v)
            np.multiply(nt, nt, out=u)
            np.subtract(1, u, out=u)
            np.multiply(dh, v, out=dn)
            dn *= u                                     # d n_pre = dh (1 - z)(1 - n^2)
            gz = g[H:H2]
            np.subtract(prev(hs, h0, t), nt, out=gz)
            gz *= dh
            gz *= z
            gz *= v                                     # d z_pre = dh (h - n) z (1 - z)
            gr = g[:H]
            np.multiply(dn, ghn[t, :, :n], out=gr)
            gr *= r
            np.subtract(1, r, out=u)
            gr *= u                                     # d r_pre = d n_pre (W_hn h + b_hn) r (1 - r)
            np.multiply(dn, r, out=g[H2:])              # d (W_hn h + b_hn)
            dgi[t, :H2, :n] = g[:H2]
            dh *= z
            np.matmul(w_hh_t, g, out=Rn)
            Rn += dh
        hprev = self.prev_chunks(hs, h0)
        dxT, gw = self.weight_grads(dgi, dgh, hprev, w_ih, bias, needs)
        return dxT, R.T, None, gw + (None,)


def make_kernel(mode, steps, reverse):
    if mode == 'LSTM':
        return LSTMKernel(steps, reverse)
    if mode == 'GRU':
        return GRUKernel(steps, reverse)
    return RNNKernel(steps, reverse, mode == 'RNN_RELU')


# -- autograd ops ---------------------------------------------------------------------------------------
def _arr(t):
    return None if t is None else t._data


def _per_direction(weights, D, bias, proj):
    """Split a layer's flat weight list into D tuples (w_ih, w_hh, b_ih, b_hh, w_hr)."""
    k = 2 + 2 * bias + proj
    out = []
    for d in range(D):
        w = weights[d * k:(d + 1) * k]
        b_ih, b_hh = (w[2], w[3]) if bias else (None, None)
        out.append((w[0], w[1], b_ih, b_hh, w[-1] if proj else None))
    return out


class _FusedRecurrence(Op):
    """Shared backward plumbing: the node drops its kernels when its graph is released."""

    def _release(self):
        Op._release(self)
        self.__dict__.pop('kernels', None)


class RNNLayer(_FusedRecurrence):
    """One recurrent layer, all time steps and both directions, as one node.

    Arguments: spec = (mode, bias, proj, num_directions, exposed), x (T, B, I) or packed data (N, I),
    batch_sizes (tuple of ints, or None when unpacked), h0 (D, B, Hout) or None, c0 (D, B, H) or
    None (LSTM), then the layer's weights. Outputs: y (T, B, D*Hout) or (N, D*Hout), h_n (D, B,
    Hout) and, for LSTM, c_n (D, B, H). ``exposed`` (the model's last layer): y goes to the user, so
    it is a fresh contiguous array; an inner layer's y is a view of the kernel's (T, H, B) buffer,
    which is the layout the next layer reads without copying.
    """
    _bname = 'StackBackward0'

    @staticmethod
    def forward(ctx, spec, x, batch_sizes, h0, c0, *weights):
        mode, bias, proj, D, exposed = spec
        xa = x._data
        if batch_sizes is None:
            steps = Steps(xa.shape[0], xa.shape[1])
            xpad = xa
        else:
            steps = Steps(len(batch_sizes), batch_sizes[0], batch_sizes)
            xpad = np.zeros((steps.T, steps.B, xa.shape[1]), xa.dtype)
            xpad[steps.rows()] = xa
        xT = xpad.transpose(0, 2, 1)
        h0a, c0a = _arr(h0), _arr(c0)
        ws = _per_direction([w._data for w in weights], D, bias, proj)
        kernels, hss, hns, cns = [], [], [], []
        for d in range(D):
            k = make_kernel(mode, steps, d == 1)
            hs, hn, cn = k.run(xT, None if h0a is None else h0a[d], None if c0a is None else c0a[d],
                               *ws[d])
            kernels.append(k)
            hss.append(hs)
            hns.append(hn)
            cns.append(cn)
        if batch_sizes is not None:
            ysT = hss[0] if D == 1 else np.concatenate(hss, axis=1)
            y = ysT.transpose(0, 2, 1)[steps.rows()]
        elif exposed:
            y = np.concatenate([hs.transpose(0, 2, 1) for hs in hss], axis=2) if D > 1 else \
                _dense(hss[0].transpose(0, 2, 1), fresh=True)
        else:
            y = (hss[0] if D == 1 else np.concatenate(hss, axis=1)).transpose(0, 2, 1)
        ctx.kernels, ctx.spec, ctx.steps = kernels, spec, steps
        ctx.save_for_backward(x, h0, c0, *weights)
        hn = np.stack(hns)
        if mode == 'LSTM':
            return y, hn, np.stack(cns)
        return y, hn

    @staticmethod
    def backward(ctx, gy, ghn, gcn=None):
        saved = ctx.saved_tensors
        x, weights = saved[0], saved[3:]
        mode, bias, proj, D, _ = ctx.spec
        steps = ctx.steps
        Hout = ghn._data.shape[2]
        gya = gy._data
        if gya.ndim == 2:                                   # packed: pad the output gradient
            gpad = np.zeros((steps.T, steps.B, gya.shape[1]), gya.dtype)
            gpad[steps.rows()] = gya
            gya = gpad
        need_x = ctx.needs_grad(1)
        need_w = any(ctx.needs_grad(i) for i in range(5, 5 + len(weights)))
        ws = _per_direction([w._data for w in weights], D, bias, proj)
        dxT, dh0, dc0, gws = None, [], [], []
        for d, k in enumerate(ctx.kernels):
            w_ih, w_hh, _, _, w_hr = ws[d]
            dyT = _dense((gya[:, :, d * Hout:(d + 1) * Hout] if D > 1 else gya).transpose(0, 2, 1))
            ddx, dh, dc, gw = k.back(dyT, ghn._data[d], None if gcn is None else gcn._data[d],
                                     w_ih, w_hh, bias, (need_x, need_w), w_hr)
            if ddx is not None:
                dxT = ddx if dxT is None else dxT + ddx
            dh0.append(dh)
            dc0.append(dc)
            gws.extend(gw[:2 + 2 * bias])
            if proj:
                gws.append(gw[4])
        dx = None
        if dxT is not None:
            dx = dxT.transpose(0, 2, 1)
            if x._data.ndim == 2:
                dx = dx[steps.rows()]
        grads = [dx, np.stack(dh0) if ctx.needs_grad(3) else None,
                 np.stack(dc0) if ctx.needs_grad(4) else None]
        grads += [g if ctx.needs_grad(5 + i) else None for i, g in enumerate(gws)]
        grads = wrap_grads(type(ctx).__name__, grads, gy, ghn, gcn, *saved)
        return (None, grads[0], None) + grads[1:]


class MkldnnRnnLayer(RNNLayer):
    """RNNLayer for LSTM (named like torch's CPU LSTM node)."""
    _bname = 'MkldnnRnnLayerBackward0'


def rnn_layer(spec, x, batch_sizes, h0, c0, weights):
    """Run one layer (see RNNLayer); returns (y, h_n, c_n or None)."""
    op = MkldnnRnnLayer if spec[0] == 'LSTM' else RNNLayer
    out = op.apply(spec, x, batch_sizes, h0, c0, *weights)
    return out if spec[0] == 'LSTM' else (out[0], out[1], None)


class _CellOp(_FusedRecurrence):
    """One step of a recurrent cell on a (B, I) input: ``mode`` is set by the subclass."""
    mode = None

    @staticmethod
    def forward(ctx, x, h, c, w_ih, w_hh, b_ih, b_hh):
        mode = type(ctx).mode
        xa = x._data
        k = make_kernel(mode, Steps(1, xa.shape[0]), False)
        hs, _, cn = k.run(xa.T[None], _arr(h), _arr(c), w_ih._data, w_hh._data, _arr(b_ih),
                          _arr(b_hh), None)
        y = np.ascontiguousarray(hs[0].T)
        ctx.kernels = k
        ctx.save_for_backward(x, h, c, w_ih, w_hh, b_ih, b_hh)
        return (y, cn) if mode == 'LSTM' else y

    @staticmethod
    def backward(ctx, gh, gc=None):
        x, h, c, w_ih, w_hh, b_ih, b_hh = ctx.saved_tensors
        need_w = any(ctx.needs_grad(i) for i in (3, 4, 5, 6))
        dxT, dh, dc, gw = ctx.kernels.back(gh._data.T[None], None, None if gc is None else gc._data,
                                           w_ih._data, w_hh._data, b_ih is not None,
                                           (ctx.needs_grad(0), need_w))
        grads = [None if dxT is None else dxT[0].T, dh, dc] + list(gw[:4])
        grads = [g if ctx.needs_grad(i) else None for i, g in enumerate(grads)]
        return wrap_grads(type(ctx).__name__, grads, gh, gc, x, h, c, w_ih, w_hh, b_ih, b_hh)


class RNNTanhCell(_CellOp):
    mode = 'RNN_TANH'
    _bname = 'TanhBackward0'


class RNNReluCell(_CellOp):
    mode = 'RNN_RELU'
    _bname = 'ReluBackward0'


class LSTMCellOp(_CellOp):
    mode = 'LSTM'
    _bname = 'ThnnFusedLstmCellBackward0'


class GRUCellOp(_CellOp):
    mode = 'GRU'
    _bname = 'ThnnFusedGruCellBackward0'


CELL_OPS = {'RNN_TANH': RNNTanhCell, 'RNN_RELU': RNNReluCell, 'LSTM': LSTMCellOp, 'GRU': GRUCellOp}


def _check_cell(x, hx, input_size, hidden_size, weights):
    """torch's checks of a cell's input and hidden states (rnn_tanh_cell / lstm_cell / gru_cell)."""
    if x.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {x.size(1)} expected {input_size}")
    for i, h in enumerate(hx):
        if h is None:
            continue
        if h.size(0) != x.size(0):
            raise RuntimeError(f"Input batch size {x.size(0)} doesn't match hidden{i} batch size "
                               f"{h.size(0)}")
        if h.size(1) != hidden_size:
            raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, expected "
                               f"{hidden_size}")
    dt = x._data.dtype
    for t in (*hx, *weights):
        if t is not None and t._data.dtype != dt:
            names = [_short(_dtype.from_numpy_dtype(a)) for a in (dt, t._data.dtype)]
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {names[0]} and "
                               f"{names[1]}")


def rnn_cell(mode, x, hx, weights, input_size, hidden_size):
    """One cell step on a 2-D input; hx: (h,) or (h, c) with None for zeros."""
    _check_cell(x, hx, input_size, hidden_size, [w for w in weights if w is not None])
    h = hx[0]
    c = hx[1] if mode == 'LSTM' else None
    return CELL_OPS[mode].apply(x, h, c, *weights)
