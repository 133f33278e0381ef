"""Fused recurrent kernels (Elman RNN with tanh/relu, LSTM with optional projection, GRU) and the
autograd ops built on them: one node per recurrent layer (both directions), one per cell call.

How a layer runs: the input projection of the whole sequence is ONE GEMM, each time step is ONE
GEMM of the previous hidden state with ``W_hh`` into the gate buffer followed by a handful of
in-place NumPy ufuncs, and backward-through-time is a hand-written loop of the same kind; the
weight gradients are again one GEMM each over all time steps.

Layout: a sequence is a stack of rows, time step after time step. Step t owns rows
``off[t] : off[t] + bs[t]`` (its first ``bs[t]`` batch entries, batch sizes non-increasing) --
exactly a PackedSequence's ``data``; an unpacked (T, B, *) input is the case ``bs[t] == B``.
Sigmoid gates use ``sigmoid(z) = (tanh(z / 2) + 1) / 2`` with the halving folded into the
(copied) weights, so a single ``tanh`` call activates all gates of a step.

Gate order matches torch: LSTM (i, f, g, o), GRU (r, z, n) with
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.
"""
import numpy as np

from ...autograd.function import once_differentiable
from ...ops._util import Op, Tensor

__all__ = []

_wrap = Tensor._wrap


# -- the time-step schedule -------------------------------------------------------------------------
class Schedule:
    """Row offsets and batch sizes of the T time steps of a (possibly packed) sequence."""
    __slots__ = ('offs', 'sizes', 'T', 'B', 'N', 'uniform', '_last')

    def __init__(self, batch_sizes, T, B):
        if batch_sizes is None:
            self.sizes = [B] * T
            self.offs = list(range(0, T * B, B))
            self.uniform = True
        else:
            self.sizes = list(batch_sizes)
            self.offs = np.concatenate(([0], np.cumsum(self.sizes[:-1]))).astype(np.int64).tolist()
            T, B = len(self.sizes), self.sizes[0]
            self.uniform = self.sizes[-1] == B
        self.T, self.B = T, B
        self.N = self.offs[-1] + self.sizes[-1] if T else 0
        self._last = None

    def order(self, reverse):
        return range(self.T - 1, -1, -1) if reverse else range(self.T)

    def prev(self, buf, init, t, reverse):
        """The rows holding the state that step t starts from (a view unless a reverse pass over a
        packed sequence meets sequences starting there: then their rows come from ``init``)."""
        n = self.sizes[t]
        s = t + 1 if reverse else t - 1
        if s < 0 or s == self.T:
            return init[:n]
        lo = self.offs[s]
        m = self.sizes[s] if reverse else n
        if m >= n:
            return buf[lo:lo + n]
        return np.concatenate((buf[lo:lo + m], init[m:n]))

    def all_prev(self, buf, init, reverse):
        """prev() of every step, stacked in row order: the (N, H) inputs of the recurrent GEMM."""
        if self.uniform:
            B, N = self.B, self.N
            return np.concatenate((buf[B:], init) if reverse else (init, buf[:N - B]))
        return np.concatenate([self.prev(buf, init, t, reverse) for t in range(self.T)])

    def final(self, buf, reverse):
        """The state each sequence ends with: step 0's rows backwards, each one's last row forwards."""
        if reverse:
            return buf[:self.B].copy()
        if self.uniform:
            return buf[self.N - self.B:].copy()
        if self._last is None:
            sizes = np.asarray(self.sizes)
            lengths = (sizes[None, :] > np.arange(self.B)[:, None]).sum(1)   # steps of each sequence
            self._last = np.asarray(self.offs)[lengths - 1] + np.arange(self.B)
        return buf[self._last]


# -- per-mode kernels (one direction of one layer) --------------------------------------------------
class Kernel:
    """One direction of one recurrent layer: ``run`` computes the outputs and keeps what backward
    needs; ``back`` returns (dx_rows, dh0, dc0, weight grads). Weights: w_ih, w_hh, b_ih, b_hh
    (None without bias), w_hr (LSTM projection or None)."""
    gates = 1

    def __init__(self, sched, reverse):
        self.sched, self.reverse = sched, reverse

    def zeros_state(self, like, width):
        return np.zeros((self.sched.B, width), like.dtype)

    # shared backward tail: the GEMMs over all time steps
    def weight_grads(self, dpre, dpre_h, x2d, hprev, w_ih, bias, needs):
        """Gradients of w_ih, w_hh, b_ih, b_hh from the pre-activation gradients of the input part
        (dpre) and of the recurrent part (dpre_h), plus dx."""
        need_x, need_w = needs
        dx = dpre @ w_ih if need_x else None
        if not need_w:
            return dx, (None, None, None, None)
        gw_ih = dpre.T @ x2d
        gw_hh = dpre_h.T @ hprev
        if bias:
            gb_ih = dpre.sum(0)
            gb_hh = gb_ih.copy() if dpre_h is dpre else dpre_h.sum(0)
            return dx, (gw_ih, gw_hh, gb_ih, gb_hh)
        return dx, (gw_ih, gw_hh, None, None)


def _scaled(w, scale):
    """w with its rows multiplied by scale (the sigmoid rows halved)."""
    return w * (scale[:, None] if w.ndim == 2 else scale)


_SCALES = {}


def _gate_vectors(mode, H, dt):
    """(scale, shift, low) per gate column: act = tanh(scale * z) * scale + shift is the gate's
    activation, (act + low) * (1 - act) its derivative (sigmoid: a(1-a), tanh: 1-a^2)."""
    key = (mode, H, dt)
    v = _SCALES.get(key)
    if v is None:
        pattern = {'LSTM': (0.5, 0.5, 1.0, 0.5), 'GRU': (0.5, 0.5, 1.0)}[mode]
        scale = np.repeat(np.array(pattern, dt), H)
        shift = np.where(scale == 0.5, 0.5, 0.0).astype(dt)
        low = np.where(scale == 0.5, 0.0, 1.0).astype(dt)
        v = _SCALES[key] = (scale, shift, low)
    return v


class RNNKernel(Kernel):
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu."""

    def __init__(self, sched, reverse, relu):
        super().__init__(sched, reverse)
        self.relu = relu

    def run(self, x2d, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr):
        s = self.sched
        hs = x2d @ w_ih.T
        if b_ih is not None:
            hs += b_ih + b_hh
        if h0 is None:
            h0 = self.zeros_state(hs, w_hh.shape[1])
        whh_t = w_hh.T
        relu, prev, offs, sizes = self.relu, s.prev, s.offs, s.sizes
        for t in s.order(self.reverse):
            lo = offs[t]
            a = hs[lo:lo + sizes[t]]
            a += prev(hs, h0, t, self.reverse) @ whh_t
            if relu:
                np.maximum(a, 0, out=a)
            else:
                np.tanh(a, out=a)
        self.hs, self.h0 = hs, h0
        return hs, s.final(hs, self.reverse), None

    def back(self, dy, dhn, dcn, x2d, w_ih, w_hh, bias, needs):
        s, hs = self.sched, self.hs
        deriv = (hs > 0).astype(hs.dtype) if self.relu else 1 - hs * hs
        dpre = np.empty_like(hs)
        R = np.zeros_like(self.h0) if dhn is None else dhn.copy()
        offs, sizes = s.offs, s.sizes
        for t in s.order(not self.reverse):
            lo, n = offs[t], sizes[t]
            d = dpre[lo:lo + n]
            if dy is None:
                np.copyto(d, R[:n])
            else:
                np.add(R[:n], dy[lo:lo + n], out=d)
            d *= deriv[lo:lo + n]
            np.matmul(d, w_hh, out=R[:n])
        hprev = s.all_prev(hs, self.h0, self.reverse)
        dx, gw = self.weight_grads(dpre, dpre, x2d, hprev, w_ih, bias, needs)
        return dx, R, None, gw + (None,)


class LSTMKernel(Kernel):
    """c' = f c + i g, h' = o tanh(c') (then h' @ W_hr^T with a projection)."""
    gates = 4

    def run(self, x2d, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr):
        s, rev = self.sched, self.reverse
        H = w_hh.shape[0] // 4
        dt = x2d.dtype
        scale, shift, _ = _gate_vectors('LSTM', H, dt)
        acts = x2d @ _scaled(w_ih, scale).T
        if b_ih is not None:
            acts += (b_ih + b_hh) * scale
        whh_t = _scaled(w_hh, scale).T
        N, Hout = s.N, w_hh.shape[1]
        hs = np.empty((N, Hout), dt)
        hu = hs if w_hr is None else np.empty((N, H), dt)
        whr_t = None if w_hr is None else w_hr.T
        cs = np.empty((N, H), dt)
        tcs = np.empty((N, H), dt)
        tmp = np.empty((s.B, H), dt)
        if h0 is None:
            h0 = self.zeros_state(acts, Hout)
        if c0 is None:
            c0 = self.zeros_state(acts, H)
        prev, offs, sizes = s.prev, s.offs, s.sizes
        H2, H3 = 2 * H, 3 * H
        for t in s.order(rev):
            lo, n = offs[t], sizes[t]
            hi = lo + n
            a = acts[lo:hi]
            a += prev(hs, h0, t, rev) @ whh_t
            np.tanh(a, out=a)
            a *= scale
            a += shift
            c = cs[lo:hi]
            np.multiply(a[:, H:H2], prev(cs, c0, t, rev), out=c)
            tm = tmp[:n]
            np.multiply(a[:, :H], a[:, H2:H3], out=tm)
            c += tm
            tc = tcs[lo:hi]
            np.tanh(c, out=tc)
            np.multiply(a[:, H3:], tc, out=hu[lo:hi])
            if whr_t is not None:
                np.matmul(hu[lo:hi], whr_t, out=hs[lo:hi])
        self.acts, self.hs, self.hu, self.cs, self.tcs, self.h0, self.c0 = acts, hs, hu, cs, tcs, h0, c0
        return hs, s.final(hs, rev), s.final(cs, rev)

    def back(self, dy, dhn, dcn, x2d, w_ih, w_hh, bias, needs, w_hr=None):
        s, rev = self.sched, self.reverse
        acts, tcs = self.acts, self.tcs
        H = tcs.shape[1]
        H2, H3 = 2 * H, 3 * H
        low = _gate_vectors('LSTM', H, acts.dtype)[2]
        deriv = acts + low
        deriv *= 1 - acts
        o = acts[:, H3:]
        k = tcs * tcs
        np.subtract(1, k, out=k)
        k *= o
        cprev = s.all_prev(self.cs, self.c0, rev)
        dpre = np.empty_like(acts)
        R = np.zeros_like(self.h0) if dhn is None else dhn.copy()
        RC = np.zeros_like(self.c0) if dcn is None else dcn.copy()
        dc = np.empty_like(self.c0)
        dhr = None if w_hr is None else np.empty_like(self.hs)
        offs, sizes = s.offs, s.sizes
        for t in s.order(not rev):
            lo, n = offs[t], sizes[t]
            hi = lo + n
            dh = R[:n] if dy is None else R[:n] + dy[lo:hi]
            if dhr is not None:
                dhr[lo:hi] = dh
                dh = dh @ w_hr
            dp = dpre[lo:hi]
            a = acts[lo:hi]
            np.multiply(dh, tcs[lo:hi], out=dp[:, H3:])
            d = dc[:n]
            np.multiply(dh, k[lo:hi], out=d)
            d += RC[:n]
            np.multiply(d, a[:, H2:H3], out=dp[:, :H])
            np.multiply(d, cprev[lo:hi], out=dp[:, H:H2])
            np.multiply(d, a[:, :H], out=dp[:, H2:H3])
            np.multiply(d, a[:, H:H2], out=RC[:n])
            dp *= deriv[lo:hi]
            np.matmul(dp, w_hh, out=R[:n])
        hprev = s.all_prev(self.hs, self.h0, rev)
        dx, gw = self.weight_grads(dpre, dpre, x2d, hprev, w_ih, bias, needs)
        gw_hr = dhr.T @ self.hu if dhr is not None and needs[1] else None
        return dx, R, RC, gw + (gw_hr,)


class GRUKernel(Kernel):
    """r, z = sigmoid(...), n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = n + z (h - n)."""
    gates = 3

    def run(self, x2d, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr):
        s, rev = self.sched, self.reverse
        H = w_hh.shape[1]
        dt = x2d.dtype
        scale = _gate_vectors('GRU', H, dt)[0]
        H2 = 2 * H
        acts = x2d @ _scaled(w_ih, scale).T
        b_hn = None
        if b_ih is not None:
            b = b_ih.copy()
            b[:H2] += b_hh[:H2]
            acts += b * scale
            b_hn = b_hh[H2:]
        whh_t = _scaled(w_hh, scale).T
        N = s.N
        hs = np.empty((N, H), dt)
        ghn = np.empty((N, H), dt)
        tmp = np.empty((s.B, H), dt)
        if h0 is None:
            h0 = self.zeros_state(acts, H)
        prev, offs, sizes = s.prev, s.offs, s.sizes
        for t in s.order(rev):
            lo, n = offs[t], sizes[t]
            hi = lo + n
            hp = prev(hs, h0, t, rev)
            gh = hp @ whh_t
            a = acts[lo:hi]
            rz = a[:, :H2]
            rz += gh[:, :H2]
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            hn = ghn[lo:hi]
            if b_hn is None:
                np.copyto(hn, gh[:, H2:])
            else:
                np.add(gh[:, H2:], b_hn, out=hn)
            nt = a[:, H2:]
            tm = tmp[:n]
            np.multiply(a[:, :H], hn, out=tm)
            nt += tm
            np.tanh(nt, out=nt)
            h = hs[lo:hi]
            np.subtract(hp, nt, out=h)
            h *= a[:, H:H2]
            h += nt
        self.acts, self.hs, self.ghn, self.h0 = acts, hs, ghn, h0
        return hs, s.final(hs, rev), None

    def back(self, dy, dhn, dcn, x2d, w_ih, w_hh, bias, needs):
        s, rev = self.sched, self.reverse
        acts, hs = self.acts, self.hs
        H = hs.shape[1]
        H2 = 2 * H
        r, z, nt = acts[:, :H], acts[:, H:H2], acts[:, H2:]
        hprev = s.all_prev(hs, self.h0, rev)
        p1 = 1 - z
        p1 *= 1 - nt * nt                # d h' / d (n pre-activation)
        p2 = hprev - nt
        p2 *= z
        p2 *= 1 - z                      # d h' / d (z pre-activation)
        p3 = self.ghn * r
        p3 *= 1 - r                      # d n_pre / d (r pre-activation)
        dgi = np.empty_like(acts)
        dgh = np.empty_like(acts)
        R = np.zeros_like(self.h0) if dhn is None else dhn.copy()
        offs, sizes = s.offs, s.sizes
        for t in s.order(not rev):
            lo, n = offs[t], sizes[t]
            hi = lo + n
            dh = R[:n].copy() if dy is None else R[:n] + dy[lo:hi]
            dn = dgi[lo:hi, H2:]
            np.multiply(dh, p1[lo:hi], out=dn)
            g = dgh[lo:hi]
            np.multiply(dh, p2[lo:hi], out=g[:, H:H2])
            np.multiply(dn, p3[lo:hi], out=g[:, :H])
            np.multiply(dn, r[lo:hi], out=g[:, H2:])
            dh *= z[lo:hi]
            np.matmul(g, w_hh, out=R[:n])
            R[:n] += dh
        dgi[:, :H2] = dgh[:, :H2]
        dx, gw = self.weight_grads(dgi, dgh, x2d, hprev, w_ih, bias, needs)
        return dx, R, None, gw + (None,)


def make_kernel(mode, sched, reverse):
    if mode == 'LSTM':
        return LSTMKernel(sched, reverse)
    if mode == 'GRU':
        return GRUKernel(sched, reverse)
    return RNNKernel(sched, reverse, mode == 'RNN_RELU')


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
    Hout) and, for LSTM, c_n (D, B, H). ``exposed`` (the model's last layer): y is handed to the user,
    so it must not share memory with what backward reads.
    """
    _bname = 'StackBackward0'

    @staticmethod
    def forward(ctx, spec, x, batch_sizes, h0, c0, *weights):
        mode, bias, proj, D, exposed = spec
        xa = x._data
        if batch_sizes is None:
            T, B = xa.shape[0], xa.shape[1]
            x2d = xa.reshape(T * B, xa.shape[2])
        else:
            T, B = len(batch_sizes), batch_sizes[0]
            x2d = xa
        sched = Schedule(batch_sizes, T, B)
        h0a, c0a = _arr(h0), _arr(c0)
        ws = _per_direction([w._data for w in weights], D, bias, proj)
        kernels, ys, hns, cns = [], [], [], []
        for d in range(D):
            k = make_kernel(mode, sched, d == 1)
            y, hn, cn = k.run(x2d, None if h0a is None else h0a[d], None if c0a is None else c0a[d],
                              *ws[d])
            kernels.append(k)
            ys.append(y)
            hns.append(hn)
            cns.append(cn)
        y = np.concatenate(ys, axis=1) if D > 1 else ys[0].copy() if exposed else ys[0]
        if batch_sizes is None:
            y = y.reshape(T, B, y.shape[1])
        ctx.kernels, ctx.spec, ctx.x2d = kernels, spec, x2d
        ctx.save_for_backward(x, h0, c0, *weights)
        hn = np.stack(hns)
        if mode == 'LSTM':
            return y, hn, np.stack(cns)
        return y, hn

    @staticmethod
    @once_differentiable
    def backward(ctx, gy, ghn, gcn=None):
        saved = ctx.saved_tensors
        x, weights = saved[0], saved[3:]
        mode, bias, proj, D, _ = ctx.spec
        Hout = ghn._data.shape[2]
        gya = gy._data.reshape(-1, gy._data.shape[-1])
        need_x = ctx.needs_grad(1)
        need_w = any(ctx.needs_grad(i) for i in range(5, 5 + len(weights)))
        ws = _per_direction([w._data for w in weights], D, bias, proj)
        dx, dh0, dc0, gws = None, [], [], []
        for d, k in enumerate(ctx.kernels):
            w_ih, w_hh, b_ih, b_hh, w_hr = ws[d]
            dy = gya[:, d * Hout:(d + 1) * Hout] if D > 1 else gya
            args = (dy, ghn._data[d], None if gcn is None else gcn._data[d], ctx.x2d, w_ih, w_hh,
                    bias, (need_x, need_w))
            out = k.back(*args, w_hr=w_hr) if mode == 'LSTM' else k.back(*args)
            ddx, dh, dc, gw = out
            if ddx is not None:
                dx = ddx if dx is None else dx + ddx
            dh0.append(dh)
            dc0.append(dc)
            gws.extend(g for g in gw[:2 + 2 * bias])
            if proj:
                gws.append(gw[4])
        grads = [None, None if dx is None else _wrap(dx.reshape(x._data.shape)), None,
                 _wrap(np.stack(dh0)) if ctx.needs_grad(3) else None,
                 _wrap(np.stack(dc0)) if ctx.needs_grad(4) else None]
        grads += [_wrap(g) if g is not None and ctx.needs_grad(5 + i) else None
                  for i, g in enumerate(gws)]
        return tuple(grads)


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
        cls = type(ctx)
        xa = x._data
        sched = Schedule(None, 1, xa.shape[0])
        k = make_kernel(cls.mode, sched, False)
        y, _, cn = k.run(xa, _arr(h), _arr(c), w_ih._data, w_hh._data, _arr(b_ih), _arr(b_hh), None)
        y = y.copy()                    # handed to the user: keep the kernel's copy intact
        ctx.kernels = k
        ctx.save_for_backward(x, h, c, w_ih, w_hh, b_ih, b_hh)
        return (y, cn) if cls.mode == 'LSTM' else y

    @staticmethod
    @once_differentiable
    def backward(ctx, gh, gc=None):
        x, h, c, w_ih, w_hh, b_ih, b_hh = ctx.saved_tensors
        need_w = any(ctx.needs_grad(i) for i in (3, 4, 5, 6))
        k = ctx.kernels
        dx, dh, dc, gw = k.back(gh._data, None, None if gc is None else gc._data, x._data, w_ih._data,
                                w_hh._data, b_ih is not None, (ctx.needs_grad(0), need_w))
        grads = [dx, dh, dc] + list(gw[:4])
        return tuple(_wrap(g) if g is not None and ctx.needs_grad(i) else None
                     for i, g in enumerate(grads))


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
            from ...ops._util import _short
            from ... import _dtype
            names = [_short(_dtype.from_numpy_dtype(a)) for a in (dt, t._data.dtype)]
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {names[0]} and "
                               f"{names[1]}")


def rnn_cell(mode, x, hx, weights, input_size, hidden_size):
    """One cell step on a 2-D input; hx: (h,) or (h, c) with None for zeros."""
    _check_cell(x, hx, input_size, hidden_size, [w for w in weights if w is not None])
    h = hx[0]
    c = hx[1] if mode == 'LSTM' else None
    return CELL_OPS[mode].apply(x, h, c, *weights)
