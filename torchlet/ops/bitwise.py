"""Bitwise ops on integer and bool tensors: and/or/xor/not and shifts, with the operators
& | ^ ~ << >>, their reflected and in-place forms. Float inputs raise torch's errors."""
import numpy as np

from .. import _dtype
from ._util import Tensor, register, write_inplace, _short
from ._pointwise import arr, pair, apply_ufunc, write_out, as_input, Unsupported, kernel_error

__all__ = ['bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_not', 'bitwise_left_shift',
           'bitwise_right_shift']

_wrap = Tensor._wrap


def _left_shift(a, s):
    """a << s with torch's answers for shifts < 0 or >= the bit width (0)."""
    bits = a.dtype.itemsize * 8
    s = np.asarray(s).astype(a.dtype)
    bad = (s < 0) | (s >= bits)
    r = np.left_shift(a, np.where(bad, 0, s).astype(a.dtype))
    return np.where(bad, 0, r).astype(r.dtype) if bad.any() else r


def _right_shift(a, s):
    """a >> s; shifts < 0 or >= the bit width fill with the sign bit (like torch)."""
    bits = a.dtype.itemsize * 8
    s = np.asarray(s).astype(a.dtype)
    bad = (s < 0) | (s >= bits)
    if not bad.any():
        return np.right_shift(a, s)
    fill = bits - 1 if a.dtype.kind == 'i' else 0
    r = np.right_shift(a, np.where(bad, fill, s).astype(a.dtype))
    return r if a.dtype.kind == 'i' else np.where(bad, 0, r).astype(r.dtype)


def _bitwise(ufunc, kernel, name, allow_bool=True):
    """(compute, function, operator, reflected operator, in-place method) of a bitwise op."""
    def compute(a, b):
        ad, bd = pair(a, b)
        k = ad.dtype.kind
        if k not in 'iu' and not (allow_bool and k == 'b'):
            raise kernel_error(kernel, ad.dtype)
        return apply_ufunc(ufunc, ad, bd)

    def fn(input, other, *, out=None):
        input = as_input(input, name)
        try:
            r = _wrap(compute(input, other))
        except Unsupported:
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}") from None
        return r if out is None else write_out(r, out, name)

    def operator(self, other):
        try:
            return _wrap(compute(self, other))
        except Unsupported:
            return NotImplemented

    def reflected(self, other):
        if not isinstance(other, (int, float, bool, np.number, np.bool_)):
            return NotImplemented
        return _wrap(compute(as_input(other, name), self))

    def fn_(self, other):
        dt = _dtype.result_type(self, other)
        if not _dtype.can_cast(dt, self.dtype):    # torch checks the cast before the kernel
            raise RuntimeError(f"result type {_short(dt)} can't be cast to the desired output "
                               f"type {_short(self.dtype)}")
        write_inplace(self, compute(self, other))
        return self

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {name} of integer or bool tensors."
    return fn, operator, reflected, fn_


bitwise_and, _and, _rand, bitwise_and_ = _bitwise(np.bitwise_and, 'bitwise_and_cpu', 'bitwise_and')
bitwise_or, _or, _ror, bitwise_or_ = _bitwise(np.bitwise_or, 'bitwise_or_cpu', 'bitwise_or')
bitwise_xor, _xor, _rxor, bitwise_xor_ = _bitwise(np.bitwise_xor, 'bitwise_xor_cpu', 'bitwise_xor')
bitwise_left_shift, _lshift, _rlshift, bitwise_left_shift_ = _bitwise(
    _left_shift, 'lshift_cpu', 'bitwise_left_shift', allow_bool=False)
bitwise_right_shift, _rshift, _rrshift, bitwise_right_shift_ = _bitwise(
    _right_shift, 'rshift_cpu', 'bitwise_right_shift', allow_bool=False)


def _not_array(a):
    if a.dtype.kind not in 'biu':
        raise kernel_error('bitwise_not_cpu', a.dtype)
    return arr(np.logical_not(a) if a.dtype.kind == 'b' else np.invert(a))


def bitwise_not(input, *, out=None):
    """Elementwise not (bit inversion for integers, logical not for bool)."""
    r = _wrap(_not_array(input._data))
    return r if out is None else write_out(r, out, 'bitwise_not')


def bitwise_not_(self):
    write_inplace(self, _not_array(self._data))
    return self


def _invert(self):
    if self._data.dtype.kind not in 'biu':
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return _wrap(_not_array(self._data))


register(bitwise_and=bitwise_and, bitwise_or=bitwise_or, bitwise_xor=bitwise_xor,
         bitwise_not=bitwise_not, bitwise_left_shift=bitwise_left_shift,
         bitwise_right_shift=bitwise_right_shift, bitwise_and_=bitwise_and_,
         bitwise_or_=bitwise_or_, bitwise_xor_=bitwise_xor_, bitwise_not_=bitwise_not_,
         bitwise_left_shift_=bitwise_left_shift_, bitwise_right_shift_=bitwise_right_shift_,
         __and__=_and, __or__=_or, __xor__=_xor, __lshift__=_lshift, __rshift__=_rshift,
         __rand__=_rand, __ror__=_ror, __rxor__=_rxor, __rlshift__=_rlshift, __rrshift__=_rrshift,
         __iand__=bitwise_and_, __ior__=bitwise_or_, __ixor__=bitwise_xor_,
         __ilshift__=bitwise_left_shift_, __irshift__=bitwise_right_shift_, __invert__=_invert)
