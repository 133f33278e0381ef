"""Printing tensors the way PyTorch prints them."""
import numpy as np


def tensor_repr(t):
    body = np.array2string(t._data, separator=', ', precision=4)
    extra = []
    if t.dtype.name not in ('float32', 'int64', 'bool'):
        extra.append(f'dtype={t.dtype}')
    if t.grad_fn is not None:
        extra.append(f'grad_fn=<{t.grad_fn.name()}>')
    elif t._rg:
        extra.append('requires_grad=True')
    return 'tensor(' + body + ''.join(', ' + e for e in extra) + ')'
