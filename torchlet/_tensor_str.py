"""Printing tensors exactly the way PyTorch prints them (torch/_tensor_str.py's rules).

A formatter looks at the values that will be shown (the summarised ones above the threshold) and
picks one of three modes for floats: integer mode ('1.', '-3.'), fixed ('0.1000') or scientific
('1.0000e-05'); every element is right-aligned to the widest one, and rows are wrapped to the line
width. All of it is computed on NumPy arrays; only the shown elements are formatted.
"""
import contextlib
import dataclasses
import math

import numpy as np

from . import _dtype

__all__ = ['set_printoptions', 'get_printoptions', 'printoptions', 'tensor_repr']


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


PRINT_OPTS = _PrinterOptions()
_PROFILES = {'default': (4, 1000, 3, 80), 'short': (2, 1000, 2, 80), 'full': (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set the precision, summarisation threshold, edge items, line width and scientific mode used
    to print tensors (``profile``: 'default', 'short' or 'full')."""
    if profile is not None and profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses the number format and column width from the values to be shown."""

    def __init__(self, values):
        self.floating = values.dtype.kind == 'f'
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision
        flat = values.reshape(-1)
        if not self.floating:
            strs = flat.tolist()
            if strs:
                self.max_width = max(len(str(v)) for v in set(strs))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        absd = np.abs(finite.astype(np.float64))
        lo, hi = absd.min(), absd.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        uniq = set(finite.tolist())
        if self.sci_mode:
            fmt, extra = f'{{:.{p}e}}', 0
        elif self.int_mode:
            fmt, extra = '{:.0f}', 1
        else:
            fmt, extra = f'{{:.{p}f}}', 0
        self.max_width = max(len(fmt.format(v)) for v in uniq) + extra

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating:
            if self.sci_mode:
                ret = f'{value:{self.max_width}.{PRINT_OPTS.precision}e}'
            elif self.int_mode:
                ret = f'{value:.0f}'
                if not (math.isinf(value) or math.isnan(value)):
                    ret += '.'
            else:
                ret = f'{value:.{PRINT_OPTS.precision}f}'
        else:
            ret = f'{value}'
        return (self.max_width - len(ret)) * ' ' + ret


def _summarized(a):
    """The elements that will be shown: edgeitems from each end of every dimension."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim > 1 and not e:
        return a[(slice(0, 0),) * a.ndim]
    for d in range(a.ndim):
        if a.shape[d] > 2 * e:
            idx = np.r_[0:e, a.shape[d] - e:a.shape[d]]
            a = np.take(a, idx, axis=d)
    return a


def _format_complex(v, f_re, f_im):
    real = f_re.format(v.real)
    imag = (f_im.format(v.imag) + 'j').lstrip()
    return real + imag if imag[0] in '+-' else real + '+' + imag


def _vector_str(a, indent, summarize, fmts):
    e = PRINT_OPTS.edgeitems
    elem_len = fmts[0].width() + 2
    if len(fmts) == 2:
        elem_len += fmts[1].width() + 1
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / elem_len))
    fmt = fmts[0].format if len(fmts) == 1 else (lambda v: _format_complex(v, *fmts))
    if summarize and not e:
        data = ['...']
    elif summarize and a.shape[0] > 2 * e:
        data = [fmt(v) for v in a[:e].tolist()] + [' ...'] + [fmt(v) for v in a[-e:].tolist()]
    else:
        data = [fmt(v) for v in a.tolist()]
    lines = [', '.join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'


def _body(a, indent, summarize, fmts):
    if a.ndim == 0:
        v = a.item()
        return fmts[0].format(v) if len(fmts) == 1 else _format_complex(v, *fmts)
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmts)
    e = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        rows = ([_body(a[i], indent + 1, summarize, fmts) for i in range(e)] + ['...'] +
                [_body(a[i], indent + 1, summarize, fmts) for i in range(a.shape[0] - e, a.shape[0])])
    else:
        rows = [_body(a[i], indent + 1, summarize, fmts) for i in range(a.shape[0])]
    return '[' + (',' + '\n' * (a.ndim - 1) + ' ' * (indent + 1)).join(rows) + ']'


def _tensor_str(a, indent):
    if a.size == 0:
        return '[]'
    summarize = a.size > PRINT_OPTS.threshold
    shown = _summarized(a) if summarize else a
    if a.dtype.kind == 'c':
        fmts = (_Formatter(shown.real), _Formatter(shown.imag))
    else:
        if a.dtype == np.float16:
            shown = shown.astype(np.float32)
        fmts = (_Formatter(shown),)
    return _body(a, indent, summarize, fmts)


def _add_suffixes(text, suffixes, indent):
    out = [text]
    last_len = len(text) - text.rfind('\n') + 1
    for s in suffixes:
        if last_len + len(s) + 2 > PRINT_OPTS.linewidth:
            out.append(',\n' + ' ' * indent + s)
            last_len = indent + len(s)
        else:
            out.append(', ' + s)
            last_len += len(s) + 2
    out.append(')')
    return ''.join(out)


def _prefix(t):
    names = [c.__name__ for c in type(t).__mro__]
    if type(t).__name__ in ('Tensor', 'Parameter'):
        return 'tensor(', False
    return type(t).__name__ + '(', 'Parameter' in names


def tensor_repr(t):
    """repr(t) / str(t) as PyTorch prints it."""
    prefix, wrap_param = _prefix(t)
    indent = len(prefix)
    a = t._data
    dt = t.dtype
    default = _dtype.get_default_dtype()
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append('size=' + str(tuple(a.shape)))
        if dt is not default:
            suffixes.append('dtype=' + str(dt))
        body = '[]'
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append('size=' + str(tuple(a.shape)))
        if dt not in (default, _dtype._default_for(_dtype._COMPLEX), _dtype.int64, _dtype.bool):
            suffixes.append('dtype=' + str(dt))
        body = _tensor_str(a, indent)
    if t.grad_fn is not None:
        suffixes.append(f'grad_fn=<{t.grad_fn.name()}>')
    elif t._rg:
        suffixes.append('requires_grad=True')
    s = _add_suffixes(prefix + body, suffixes, indent)
    return f'Parameter({s})' if wrap_param else s
