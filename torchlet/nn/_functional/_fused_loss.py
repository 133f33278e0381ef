"""Fused loss ops: each loss is ONE autograd node whose forward and backward work on whole arrays.

Every op here subclasses :class:`FusedLoss`: ``forward`` computes the loss with NumPy and stashes
the arrays its gradient needs, ``array_grads`` turns the incoming gradient into one array (or None)
per forward argument, and ``composite`` states the same loss with tensor ops. Under
``create_graph=True`` backward differentiates ``composite`` instead of running ``array_grads``,
so higher-order gradients (MAML, gradient penalties, Hessian-vector products) work too.

The public functions (argument checks, dtype promotion, torch's errors) live in ``loss.py``.
"""
import numpy as np

from ..._tensor import Tensor
from ...autograd.function import Op, modified_message
from ...autograd.grad_mode import _State, enable_grad

__all__ = []

_wrap = Tensor._wrap


def reduce_array(loss, reduction):
    """'none' | 'mean' | 'sum' of an array of per-element losses (the mean of nothing is nan)."""
    if reduction == 'none':
        return loss
    total = loss.sum()
    return total / loss.size if reduction == 'mean' else total


def reduce_tensor(loss, reduction):
    """The same reduction on a tensor (for composites)."""
    if reduction == 'none':
        return loss
    return loss.mean() if reduction == 'mean' else loss.sum()


def grad_scale(g, reduction, n):
    """The factor every element's gradient is multiplied by: g itself ('none', an array shaped like
    the loss), g / n ('mean') or g ('sum', a 0-d array)."""
    if reduction == 'mean':
        return g / n
    return g


def unbroadcast(a, shape, dtype):
    """Sum an array back to the shape of a broadcast operand, in that operand's dtype."""
    if a.shape != shape:
        lead = a.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and a.shape[i + lead] != 1)
        a = a.sum(axis=axes, keepdims=True).reshape(shape) if axes else a.reshape(shape)
    return a.astype(dtype, copy=False)


class _Alias(Op):
    """Identity: gives each argument of a composite its own graph vertex, so that the gradients
    of ``loss(x, x)`` with respect to both arguments are told apart."""
    _bname = 'AliasBackward0'

    @staticmethod
    def forward(ctx, x):
        return x._data

    @staticmethod
    def backward(ctx, g):
        return g


class FusedLoss(Op):
    """Base of the fused losses (see the module docstring). In ``forward`` call ``ctx.keep(args)``
    first: it remembers the arguments for the higher-order path."""

    def keep(self, args):
        self.args = args
        self.versions = [a._vc[0] if isinstance(a, Tensor) else None for a in args]

    @staticmethod
    def backward(ctx, g):
        if _State.grad_enabled:                       # create_graph=True: differentiable path
            return ctx.graph_grads(g)
        return tuple([None if a is None else _wrap(a) for a in ctx.array_grads(g._data)])

    def array_grads(self, g):
        raise NotImplementedError

    @staticmethod
    def composite(*args):
        raise NotImplementedError

    def graph_grads(self, g):
        """The gradients as differentiable tensors: autograd through ``composite``."""
        from ...autograd.engine import grad
        args = list(self.args)
        for a, version in zip(args, self.versions):
            if version is not None and a._vc[0] != version:
                producer = (a.grad_fn, a._output_nr) if a.grad_fn is not None else None
                raise RuntimeError(modified_message(a, producer, version))
        wanted = [i for i in range(len(args)) if self.needs_grad(i)]
        with enable_grad():
            for i in wanted:
                args[i] = _Alias.apply(args[i])
            out = type(self).composite(*args)
        got = grad(out, [args[i] for i in wanted], g, create_graph=True, allow_unused=True)
        grads = [None] * len(args)
        for i, gi in zip(wanted, got):
            grads[i] = gi
        return tuple(grads)

    def _release(self):
        Op._release(self)
        self.__dict__.pop('args', None)


# -- classification over a class dimension: nll_loss, cross_entropy ---------------------------
def to_rows(a, C):
    """(N, C, d1, ...) or (C,) -> (M, C) with the classes last (a view when a is 2-D)."""
    if a.ndim == 2:
        return a
    if a.ndim == 1:
        return a.reshape(1, C)
    return np.moveaxis(a, 1, -1).reshape(-1, C)


def from_rows(rows, shape):
    """Inverse of to_rows: (M, C) back to ``shape``."""
    if len(shape) == 2:
        return rows
    if len(shape) == 1:
        return rows.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(rows.reshape(moved), -1, 1)


def class_targets(target, C, ignore_index, w, dtype):
    """Per row of to_rows: ``(idx, valid, rw)``, the class index (0 for ignored rows), a bool mask
    of the rows not ignored (None when none is) and the weight of each row (``w[idx]``, 0 for
    ignored rows; None when every row weighs 1). Raises torch's IndexError for a bad class."""
    t = target.reshape(-1)
    if t.dtype != np.int64:
        t = t.astype(np.int64)
    valid = None
    if t.size:
        lo, hi = t.min(), t.max()
        if not (0 <= lo and hi < C and not lo <= ignore_index <= hi):
            valid = t != ignore_index
            bad = valid & ((t < 0) | (t >= C))
            if bad.any():
                raise IndexError(f"Target {t[bad][0]} is out of bounds.")
            if valid.all():
                valid = None
            else:
                t = np.where(valid, t, 0)
    if w is not None:
        rw = w[t]
        if valid is not None:
            rw *= valid
    else:
        rw = None if valid is None else valid.astype(dtype)
    return t, valid, rw


def row_sums(a):
    """The sums of the rows of a 2-D array (a BLAS matrix-vector product: much faster than
    ``a.sum(axis=1)`` for short rows)."""
    return a @ np.ones(a.shape[1], a.dtype)


# exp(x - max) below this is too close to underflow to stand for a row's largest term
_TINY = {np.dtype(np.float32): 1e-30, np.dtype(np.float64): 1e-290}


def log_softmax_rows(x2):
    """(e, s, lse) of the rows of x2: e = exp(x - shift) with one shift per row, s = e's row sums,
    lse = logsumexp of each row.

    The shift is the maximum of the whole batch (one fast reduction instead of a slow per-row
    one); rows whose terms all fall far below it are redone with their own maximum, as are all
    rows when the batch holds inf or nan."""
    shift = x2.max() if x2.size else 0
    if not np.isfinite(shift):
        shift = x2.max(axis=1, keepdims=True)
    e = x2 - shift
    np.exp(e, out=e)
    s = row_sums(e)
    tiny = _TINY.get(x2.dtype, 1e-30)
    if np.ndim(shift) == 0 and s.size and s.min() < tiny:
        low = s < tiny
        m = x2[low].max(axis=1, keepdims=True)
        e_low = np.exp(x2[low] - m)
        e[low], s[low] = e_low, row_sums(e_low)
        shift = np.full((x2.shape[0], 1), shift, x2.dtype)
        shift[low] = m
    lse = np.log(s)
    lse += shift if np.ndim(shift) == 0 else shift[:, 0]
    return e, s, lse


class NllLoss(FusedLoss):
    """nll_loss on log-probabilities (N, C, d1, ...) with class-index targets; cross_entropy with
    ``log_softmax=True`` (the classes are normalised first, softmax and nll fused).
    Arguments: (input, target, weight, reduction, ignore_index, label_smoothing)."""
    _bname = 'NllLossBackward0'
    log_softmax = False

    @staticmethod
    def forward(ctx, x, target, weight, reduction, ignore_index, smoothing):
        ctx.keep((x, target, weight, reduction, ignore_index, smoothing))
        xd = x._data
        shape = xd.shape
        C = shape[1] if xd.ndim > 1 else shape[0]
        x2 = to_rows(xd, C)
        w = None if weight is None else weight._data
        idx, valid, rw = class_targets(target._data, C, ignore_index, w, xd.dtype)
        rows = np.arange(x2.shape[0])
        picked = x2[rows, idx]                       # input (or logit) of each row's class
        if ctx.log_softmax:
            ctx.e, ctx.s, lse = log_softmax_rows(x2)
            picked = picked - lse
        loss = -picked if rw is None else -picked * rw
        if smoothing:
            # -sum_c w_c log p_c of each row, zero for ignored rows
            wx = row_sums(x2) if w is None else x2 @ w
            ctx.W = C if w is None else w.sum()
            smooth = ctx.W * lse - wx if ctx.log_softmax else -wx
            if valid is not None:
                smooth *= valid
            loss = loss * (1 - smoothing) + smooth * (smoothing / C)
        ctx.idx, ctx.valid, ctx.rw, ctx.rows = idx, valid, rw, rows
        ctx.shape, ctx.C, ctx.w, ctx.reduction, ctx.smoothing = shape, C, w, reduction, smoothing
        if smoothing:
            ctx._bname = 'AddBackward0'
        elif xd.ndim >= 3:
            ctx._bname = 'NllLoss2DBackward0'
        if reduction == 'none':
            return loss.reshape(target._data.shape if xd.ndim > 1 else ())
        total = loss.sum()
        if reduction == 'sum':
            return total
        ctx.denom = x2.shape[0] if rw is None else rw.sum()
        return total / ctx.denom

    def array_grads(self, g):
        none = (None,) * 5
        if not self.needs_grad(0):
            return (None,) + none
        red, smoothing, idx, rows = self.reduction, self.smoothing, self.idx, self.rows
        c = g.reshape(-1) if red == 'none' else g / self.denom if red == 'mean' else g
        pick = c if self.rw is None else c * self.rw           # per-row factor of the nll term
        if smoothing:
            pick = pick * (1 - smoothing)
            spread = c * (smoothing / self.C)                  # per-row factor of the smooth term
        if self.valid is not None:                             # ignored rows get no gradient
            pick = np.where(self.valid, pick, 0)               # (not 0 * inf when all are)
            if smoothing:
                spread = np.where(self.valid, spread, 0)
        if self.log_softmax:
            total = pick + spread * self.W if smoothing else pick
            grad = self.e * (total / self.s)[:, None]          # softmax times the row's weight
        else:
            grad = np.zeros((rows.size, self.C), dtype=self.args[0]._data.dtype)
        grad[rows, idx] -= pick
        if smoothing:
            spread = np.reshape(spread, (-1, 1))
            grad -= spread if self.w is None else spread * self.w
        return (from_rows(grad, self.shape),) + none

    @staticmethod
    def composite(x, target, weight, reduction, ignore_index, smoothing, log_softmax=False):
        cdim = 1 if x.ndim > 1 else 0
        logp = x - x.logsumexp(cdim, keepdim=True) if log_softmax else x
        C = x.shape[cdim]
        rows = logp.movedim(cdim, -1).reshape(-1, C)
        w = None if weight is None else weight._data
        idx, valid, rw = class_targets(target._data, C, ignore_index, w, x._data.dtype)
        loss = -rows.gather(1, _wrap(idx.reshape(-1, 1))).reshape(-1)
        if rw is not None:
            loss = loss * _wrap(rw)
        if smoothing:
            smooth = -(rows.sum(1) if w is None else (rows * weight).sum(1))
            if valid is not None:
                smooth = smooth * _wrap(valid.astype(rows._data.dtype))
            loss = loss * (1 - smoothing) + smooth * (smoothing / C)
        if reduction == 'none':
            return loss.reshape(target.shape if x.ndim > 1 else ())
        if reduction == 'sum':
            return loss.sum()
        return loss.sum() / float(rows.shape[0] if rw is None else rw.sum())


class CrossEntropyLoss(NllLoss):
    """cross_entropy with class-index targets: log_softmax + nll_loss in one node."""
    _bname = 'NllLossBackward0'
    log_softmax = True

    @staticmethod
    def composite(*args):
        return NllLoss.composite(*args, log_softmax=True)


class CrossEntropyProbs(FusedLoss):
    """cross_entropy with class-probability targets (same shape as the input).
    Arguments: (input, target, weight, reduction, label_smoothing)."""
    _bname = 'NegBackward0'

    @staticmethod
    def forward(ctx, x, target, weight, reduction, smoothing):
        ctx.keep((x, target, weight, reduction, smoothing))
        xd, yd = x._data, target._data
        shape = xd.shape
        C = shape[1] if xd.ndim > 1 else shape[0]
        x2, y2 = to_rows(xd, C), to_rows(yd, C)
        e, s, lse = log_softmax_rows(x2)
        logp = x2 - lse[:, None]
        ys = y2 * (1 - smoothing) + smoothing / C if smoothing else y2
        q = ys if weight is None else ys * weight._data
        loss = -np.einsum('ij,ij->i', q, logp)
        ctx.e, ctx.s, ctx.logp, ctx.q, ctx.ys = e, s, logp, q, ys
        ctx.shape, ctx.C, ctx.reduction, ctx.smoothing = shape, C, reduction, smoothing
        ctx.w = None if weight is None else weight._data
        if reduction == 'none':
            return loss.reshape(shape[:1] + shape[2:] if xd.ndim > 1 else ())
        if reduction == 'mean':
            ctx._bname = 'DivBackward1'
        return reduce_array(loss, reduction)

    def array_grads(self, g):
        c = grad_scale(g, self.reduction, self.logp.shape[0])
        c = np.reshape(c, (-1, 1))
        gx = gy = None
        if self.needs_grad(0):
            gx = self.e * (c * self.q.sum(axis=1, keepdims=True) / self.s[:, None])
            gx -= c * self.q
            gx = from_rows(gx, self.shape)
        if self.needs_grad(1):
            gy = self.logp * -c
            if self.w is not None:
                gy *= self.w
            if self.smoothing:
                gy *= 1 - self.smoothing
            y = self.args[1]._data
            gy = from_rows(gy, self.shape).astype(y.dtype, copy=False)
        gw = None
        if self.needs_grad(2):
            gw = -np.einsum('ij,ij->j', self.ys * c, self.logp)
        return gx, gy, gw, None, None

    @staticmethod
    def composite(x, target, weight, reduction, smoothing):
        cdim = 1 if x.ndim > 1 else 0
        C = x.shape[cdim]
        logp = x - x.logsumexp(cdim, keepdim=True)
        q = target * (1 - smoothing) + smoothing / C if smoothing else target
        if weight is not None:
            q = q * weight.reshape((-1,) + (1,) * (x.ndim - cdim - 1))
        return reduce_tensor(-(logp * q).sum(cdim), reduction)


# -- binary cross entropy ----------------------------------------------------------------------
class BinaryCrossEntropy(FusedLoss):
    """binary_cross_entropy on probabilities; torch clamps both logs at -100.
    Arguments: (input, target, weight, reduction)."""
    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        ctx.keep((x, y, weight, reduction))
        xd, yd = x._data, y._data
        log_x = np.log(xd)
        np.maximum(log_x, -100, out=log_x)
        log_1mx = np.log1p(-xd)
        np.maximum(log_1mx, -100, out=log_1mx)
        loss = (yd - 1) * log_1mx
        loss -= yd * log_x
        w = None if weight is None else weight._data
        if w is not None:
            loss *= w
        ctx.log_x, ctx.log_1mx, ctx.w, ctx.reduction = log_x, log_1mx, w, reduction
        return reduce_array(loss, reduction)

    def array_grads(self, g):
        x, y = self.args[0]._data, self.args[1]._data
        c = grad_scale(g, self.reduction, x.size)
        if self.w is not None:
            c = c * self.w
        gx = gy = None
        if self.needs_grad(0):
            gx = (x - y) / np.maximum((1 - x) * x, 1e-12) * c
        if self.needs_grad(1):
            gy = (np.log1p(-x) - np.log(x)) * c           # torch does not clamp these logs
        return gx, gy, None, None

    @staticmethod
    def composite(x, y, weight, reduction):
        loss = (y - 1) * (-x).log1p().clamp_min(-100) - y * x.log().clamp_min(-100)
        if weight is not None:
            loss = loss * weight
        return reduce_tensor(loss, reduction)


def log_sigmoid_array(x):
    """log(sigmoid(x)), stable for large |x|."""
    out = np.exp(-np.abs(x))
    np.log1p(out, out=out)
    return np.minimum(x, 0) - out


class Softplus(Op):
    """log(1 + exp(z)) computed stably; backward g * sigmoid(z) with tensor ops (so any order of
    derivative works). The building block of the composites of the logistic losses."""
    _bname = 'SoftplusBackward0'

    @staticmethod
    def forward(ctx, z):
        ctx.z = z
        return -log_sigmoid_array(-z._data)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.z.sigmoid()


def log_sigmoid(x):
    """Differentiable log(sigmoid(x)) = -softplus(-x)."""
    return -Softplus.apply(-x)


class BinaryCrossEntropyWithLogits(FusedLoss):
    """binary_cross_entropy_with_logits: (1 - y) x - (1 + (pw - 1) y) log(sigmoid(x)), times the
    weight. Arguments: (input, target, weight, pos_weight, reduction), all of one dtype."""
    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        ctx.keep((x, y, weight, pos_weight, reduction))
        xd, yd = x._data, y._data
        ls = log_sigmoid_array(xd)
        loss = (1 - yd) * xd
        pw = None if pos_weight is None else pos_weight._data
        if pw is None:
            loss -= ls
        else:
            loss = loss - ((pw - 1) * yd + 1) * ls
        w = None if weight is None else weight._data
        if w is not None:
            loss = loss * w
        ctx.ls, ctx.pw, ctx.w, ctx.reduction, ctx.out_shape = ls, pw, w, reduction, loss.shape
        return reduce_array(loss, reduction)

    def array_grads(self, g):
        x, y = self.args[0]._data, self.args[1]._data
        ls, pw = self.ls, self.pw
        c = grad_scale(g, self.reduction, int(np.prod(self.out_shape)))
        if self.w is not None:
            c = c * self.w
        gx = gy = None
        if self.needs_grad(0):
            sig = np.exp(ls)
            if pw is None:
                gx = (sig - y) * c
            else:
                gx = ((1 - y) + ((pw - 1) * y + 1) * (sig - 1)) * c
            gx = unbroadcast(np.broadcast_to(gx, self.out_shape), x.shape, x.dtype)
        if self.needs_grad(1):
            gy = -x if pw is None else -x - (pw - 1) * ls
            gy = unbroadcast(np.broadcast_to(gy * c, self.out_shape), y.shape, y.dtype)
        return gx, gy, None, None, None

    @staticmethod
    def composite(x, y, weight, pos_weight, reduction):
        ls = log_sigmoid(x)
        lw = 1 if pos_weight is None else (pos_weight - 1) * y + 1
        loss = (1 - y) * x - lw * ls
        if weight is not None:
            loss = loss * weight
        return reduce_tensor(loss, reduction)


# -- pointwise regression losses: mse, l1, smooth_l1, huber ------------------------------------
class PointwiseLoss(FusedLoss):
    """A loss f(input - target) per element, broadcast like torch. Subclasses give ``f`` and its
    derivative ``df`` on the difference array and ``f_tensor`` for the composite.
    Arguments: (input, target, reduction, parameter)."""

    @staticmethod
    def forward(ctx, x, y, reduction, param):
        ctx.keep((x, y, reduction, param))
        d = np.subtract(x._data, y._data)
        ctx.d, ctx.reduction, ctx.param = d, reduction, param
        names = ctx.names
        if names is not None:
            ctx._bname = names[reduction]
        if reduction == 'none':
            return ctx.f(d, param)
        total = ctx.f_sum(d, param)
        return total / d.size if reduction == 'mean' else total

    names = None     # grad_fn name per reduction, where torch's op is a composite

    @classmethod
    def f_sum(cls, d, param):
        return cls.f(d, param).sum()

    @classmethod
    def df_times(cls, d, param, c):
        """The derivative at d times the gradient factor c."""
        return cls.df(d, param) * c

    def array_grads(self, g):
        d = self.d
        c = grad_scale(g, self.reduction, d.size)
        gd = self.df_times(d, self.param, c)
        x, y = self.args[0]._data, self.args[1]._data
        gx = unbroadcast(gd, x.shape, x.dtype) if self.needs_grad(0) else None
        gy = unbroadcast(-gd, y.shape, y.dtype) if self.needs_grad(1) else None
        return gx, gy, None, None

    @classmethod
    def composite(cls, x, y, reduction, param):
        return reduce_tensor(cls.f_tensor(x - y, param), reduction)


class MseLoss(PointwiseLoss):
    f = staticmethod(lambda d, _: d * d)
    f_tensor = staticmethod(lambda d, _: d * d)

    @staticmethod
    def f_sum(d, _):
        flat = d.ravel()
        return np.dot(flat, flat)           # BLAS: no temporary array

    @staticmethod
    def df_times(d, _, c):
        return d * (2 * c)


class L1Loss(PointwiseLoss):
    names = {'none': 'AbsBackward0', 'mean': 'MeanBackward0', 'sum': 'SumBackward0'}
    f = staticmethod(lambda d, _: np.abs(d))
    df = staticmethod(lambda d, _: np.sign(d))
    f_tensor = staticmethod(lambda d, _: d.abs())


def _smooth_l1(d, beta):
    a = np.abs(d)
    return np.where(a < beta, (0.5 / beta) * d * d, a - 0.5 * beta)


def _smooth_l1_grad(d, beta):
    return np.clip(d / beta, -1, 1)


def _huber(d, delta):
    a = np.abs(d)
    return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def _huber_grad(d, delta):
    return np.clip(d, -delta, delta)


def _where_small(d, k, small, large):
    from ...ops.comparison import where
    return where(d.abs() < k, small, large)


class SmoothL1Loss(PointwiseLoss):
    f = staticmethod(_smooth_l1)
    df = staticmethod(_smooth_l1_grad)
    f_tensor = staticmethod(lambda d, beta: _where_small(d, beta, (0.5 / beta) * d * d,
                                                         d.abs() - 0.5 * beta))


class HuberLoss(PointwiseLoss):
    f = staticmethod(_huber)
    df = staticmethod(_huber_grad)
    f_tensor = staticmethod(lambda d, delta: _where_small(d, delta, 0.5 * d * d,
                                                          delta * (d.abs() - 0.5 * delta)))
