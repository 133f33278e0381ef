"""PyTorch's vectorised float32 normal sampler, bit for bit: Box-Muller on blocks of 16 uniforms with
the Cephes-style float32 log and sincos of its AVX2 kernel, including the multiply-adds the compiler
fuses (emulated exactly by ``fma32``).

The three polynomials (log, cos, sin) run as one Horner chain on a stacked (3, n) array, shorter
ones padded with leading zero coefficients (fma(0, v, c) = c exactly), which needs a third of the
NumPy calls of three separate chains.
"""
import numpy as np

from .ops.factories import fma32, _LOW29, _MID29

__all__ = ['box_muller32']

_f32 = np.float32
_LOG_P = (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
          -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)
_COS_P = (2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002)
_SIN_P = (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)
# Horner coefficients of step k for the rows (log, cos, sin), shape (3, 1) each
_STEPS = [np.array([[_LOG_P[k]], [_COS_P[k - 6] if k >= 6 else 0.0], [_SIN_P[k - 6] if k >= 6 else 0.0]],
                   _f32) for k in range(len(_LOG_P))]
_MIN_NORM = np.array(0x00800000, np.int32).view(_f32)
_HALF_BITS = np.array(0.5, _f32).view(np.int32)
_TWO_PI = _f32(2.0 * np.pi)


_STEPS64 = [c.astype(np.float64) for c in _STEPS]


def _horner(v):
    """The chain p = fma32(p, v, c) over _STEPS on the stacked (3, n) v. Each step is exact in
    float64 and rounded once to float32, except where the float64 sum lands on a float32 tie: such
    sums (rare) are looked for once at the end, and the chain is then redone with fma32."""
    v64 = v.astype(np.float64)
    sums = np.empty((len(_STEPS) - 1,) + v.shape, np.float64)
    p = np.broadcast_to(_STEPS64[0], v.shape)
    for k, c in enumerate(_STEPS64[1:]):
        s = np.multiply(p, v64, out=sums[k])
        s += c
        p32 = s.astype(_f32)
        p = p32.astype(np.float64)
    if (np.bitwise_and(sums.view(np.uint64), _LOW29) == _MID29).any():
        p32 = np.broadcast_to(_STEPS[0], v.shape)
        for c in _STEPS[1:]:
            p32 = fma32(p32, v, c)
    return p32


def box_muller32(a, b):
    """(radius * cos, radius * sin) for float32 uniforms a, b in [0, 1): radius = sqrt(-2 log(1 - a)),
    angle 2 pi b, as torch's normal_fill_16_AVX2 computes them."""
    n = a.size
    # log: x in [sqrt(0.5), sqrt(2)) - 1 and the exponent e of 1 - a
    x = np.maximum(_f32(1) - a, _MIN_NORM)
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7f).astype(_f32) + _f32(1)
    x = ((bits & ~0x7f800000) | _HALF_BITS).view(_f32)
    small = x < _f32(0.707106781186547524)
    tmp = np.where(small, x, _f32(0))
    x = x - _f32(1)
    e = e - small.astype(_f32)
    x = x + tmp
    # sincos: reduce the angle to [-pi/4, pi/4]; the first two products are exact in float32 (j <= 8
    # and the constants have few bits), so only the third multiply-add needs the emulated fma
    t = _TWO_PI * b
    j = (t * _f32(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_f32)
    sign_sin = (j & 4) != 0
    sin_poly = (j & 2) == 0
    sign_cos = (~(j - 2) & 4) != 0
    t = t + y * _f32(-0.78515625)
    t = t + y * _f32(-2.4187564849853515625e-4)
    t = fma32(y, _f32(-3.77489497744594108e-8), t)
    # one Horner chain for the rows (log in x, cos in t^2, sin in t^2)
    v = np.empty((3, n), _f32)
    v[0] = x
    np.multiply(t, t, out=v[1])
    v[2] = v[1]
    p = _horner(v)
    z_log = x * x
    v[0] = x
    p = p * v                                   # log: y * x; cos, sin: poly * z
    v[0] = z_log                                # second factors: log z, cos z, sin x
    v[2] = t
    addend = np.empty((3, n), _f32)
    addend[0] = e * _f32(-2.12194440e-4)
    addend[1] = -(v[1] * _f32(0.5))
    addend[2] = t
    p = fma32(p, v, addend)
    # exact products (z / 2; e <= 128 times a 9-bit constant): plain float32 ops round once, as fma
    log = (x + (p[0] - z_log * _f32(0.5))) + e * _f32(0.693359375)
    cos_poly = p[1] + _f32(1)
    sin_v = p[2]
    s = np.where(sin_poly, sin_v, cos_poly)
    c = np.where(sin_poly, cos_poly, sin_v)
    s = np.where(sign_sin, -s, s)
    c = np.where(sign_cos, -c, c)
    radius = np.sqrt(_f32(-2) * log)
    return radius * c, radius * s
