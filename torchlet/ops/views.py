"""View bookkeeping: a view remembers the tensor it views (``t._base``), so that an in-place op on
the view can refuse leaves and rebase the base's history, as torch's CopySlices does.

After ``v = y[0]; v.mul_(2)`` the write happened in y's memory; ``rebase_view(v)`` gives y the node
``CopySlices(y_old, v_new)``: y's old gradient is zeroed where v lies and v's new history gets that
region's gradient."""
import numpy as np

from ._util import Op, Tensor, register
from ..autograd.grad_mode import _State

__all__ = []

VIEW_OF_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."


class ViewOp(Op):
    """An op whose output is a NumPy view of its first input: the output records the root tensor
    it views (``_view_base``)."""
    is_view = True

    @classmethod
    def apply(cls, x, *args):
        out = Op.apply.__func__(cls, x, *args)
        if cls.is_view:
            base = x._view_base
            out._view_base = x if base is None else base
        return out


def record_views(x, outs):
    """Mark the outputs of a multi-view op (split, unbind) as views of x's root."""
    base = x._view_base
    if base is None:
        base = x
    for o in outs:
        o._view_base = base
    return outs


def view_base(t):
    """The root tensor t views, or None (torch's ``Tensor._base``)."""
    return t._view_base


def check_view_inplace(t):
    """Refuse an in-place op on a view of a leaf that requires grad (grad mode on)."""
    base = t._view_base
    if base is not None and base._rg and base.grad_fn is None and _State.grad_enabled:
        raise RuntimeError(VIEW_OF_LEAF)


def rebase_view(t):
    """After an in-place op gave the view t a new history, give its base the matching CopySlices
    node. A no-op for tensors that are not views or not in the graph."""
    base = t._view_base
    if base is None or not t._rg or not _State.grad_enabled or base._data.dtype.kind not in 'fc':
        return
    positions = _positions_in(base._data, t._data)
    if positions is None:
        return
    old = Tensor._wrap(base._data, base._rg, base.grad_fn, base._output_nr, base._vc)
    new = Tensor._wrap(t._data, True, t.grad_fn, t._output_nr, t._vc)
    out = CopySlices.apply(old, new, positions)
    base.grad_fn, base._output_nr, base._rg = out.grad_fn, 0, True


class CopySlices(Op):
    """The base after an in-place write through a view: args (base_old, view_new, positions) where
    positions holds, for each view element, its C-order flat index in the base."""
    _bname = 'CopySlices'

    @staticmethod
    def forward(ctx, base, view, positions):
        ctx.shape, ctx.positions = base._data.shape, positions
        return base._data

    @staticmethod
    def backward(ctx, g):
        from .indexing import Index, ZeroAt
        flat = g.reshape(-1)
        gb = ZeroAt.apply(flat, (ctx.positions,)).reshape(ctx.shape) if ctx.needs_grad(0) else None
        gv = Index.apply(flat, (ctx.positions,)) if ctx.needs_grad(1) else None
        return gb, gv, None


def _extent(a):
    """(lowest, highest + 1) byte address that array a touches."""
    lo = hi = a.__array_interface__['data'][0]
    for n, s in zip(a.shape, a.strides):
        if n == 0:
            return lo, lo
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + a.itemsize


def _positions_in(base, view):
    """For each element of view, the C-order flat index of the base element at the same address;
    None when view does not lie inside base's memory."""
    item = base.itemsize
    if view.itemsize != item or any(s % item for s in base.strides + view.strides):
        return None
    lo, hi = _extent(base)
    vlo, vhi = _extent(view)
    if vlo < lo or vhi > hi or view.size == 0:
        return None
    buf = np.full((hi - lo) // item, -1, np.int64)
    strided = np.lib.stride_tricks.as_strided
    at = strided(buf[(base.__array_interface__['data'][0] - lo) // item:], base.shape,
                 tuple(s // item * 8 for s in base.strides))
    at[...] = np.arange(base.size).reshape(base.shape)
    pos = strided(buf[(view.__array_interface__['data'][0] - lo) // item:], view.shape,
                  tuple(s // item * 8 for s in view.strides)).copy()
    return None if (pos < 0).any() else pos


register(_base=property(view_base))
