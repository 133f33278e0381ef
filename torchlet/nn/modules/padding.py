"""Padding layers: constant (ZeroPad, ConstantPad), reflection, replication and circular padding of
the last 1, 2 or 3 dims. ``padding`` is an int (all sides) or a tuple (left, right, top, bottom,
front, back)."""
from collections.abc import Iterable

from .._functional import vision as F
from .module import Module

__all__ = ['ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d',
           'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d',
           'ReplicationPad2d', 'ReplicationPad3d', 'CircularPad1d', 'CircularPad2d', 'CircularPad3d']


def _ntuple(x, n):
    """x as an n-tuple (an int is repeated, an iterable is kept as a tuple)."""
    return tuple(x) if isinstance(x, Iterable) else (x,) * n


class _PadNd(Module):
    """Pads with ``mode``; ``_sides`` is 2, 4 or 6 (the length of the padding tuple)."""
    _mode = None
    _sides = 2

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, self._sides)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    _mode = 'constant'

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with a constant value."""


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with a constant value."""
    _sides = 4


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with a constant value."""
    _sides = 6


class _ZeroPad:
    """Constant padding with zeros (repr shows the padding only)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    pass


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    pass


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    pass


class ReflectionPad1d(_PadNd):
    """Pads the last dim with its reflection (edge not repeated)."""
    _mode = 'reflect'


class ReflectionPad2d(ReflectionPad1d):
    _sides = 4


class ReflectionPad3d(ReflectionPad1d):
    _sides = 6


class ReplicationPad1d(_PadNd):
    """Pads the last dim by repeating its edge values."""
    _mode = 'replicate'


class ReplicationPad2d(ReplicationPad1d):
    _sides = 4


class ReplicationPad3d(ReplicationPad1d):
    _sides = 6


class _CircularPadNd(_PadNd):
    """Pads by wrapping around; checks the input has ``_sides // 2`` + 1 or + 2 dims."""
    _mode = 'circular'

    def forward(self, input):
        k = self._sides // 2
        if input.dim() not in (k + 1, k + 2):
            raise ValueError(f"expected {k + 1}D or {k + 2}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, 'circular')


class CircularPad1d(_CircularPadNd):
    pass


class CircularPad2d(_CircularPadNd):
    _sides = 4


class CircularPad3d(_CircularPadNd):
    _sides = 6
