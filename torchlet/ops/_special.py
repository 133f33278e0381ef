"""Special functions on float arrays (NumPy has none of them and SciPy is not a dependency):
erf, erfc (after fdlibm's s_erf.c, accurate to about 1 ulp), erfinv (a rational first guess refined
by Newton steps), lgamma and digamma.

The erf/erfc method and coefficients come from fdlibm:
  Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
  Developed at SunPro, a Sun Microsystems, Inc. business.
  Permission to use, copy, modify, and distribute this software is freely granted, provided that
  this notice is preserved.
"""
import math

import numpy as np

_ERX = 8.45062911510467529297e-01
# erf(x) = x + x*P/Q on |x| < 0.84375
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
       -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
       1.32494738004321644526e-04, -3.96022827877536812320e-06)
# erf(1+s) = erx + P/Q on 0.84375 <= |x| < 1.25
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
       1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02)
# erfc(x) = exp(-x*x - 0.5625 + R/S) / x on 1.25 <= |x| < 1/0.35
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
       -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
       -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_SA = (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02,
       6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02,
       6.57024977031928170135e+00, -6.04244152148580987438e-02)
# ... and on |x| >= 1/0.35
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
       -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
       -4.83519191608651397019e+02)
_SB = (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
       3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
       -2.24409524465858183362e+01)


def _float64_flat(fn):
    """Run fn on a's values as a 1-d float64 array; return the result in a's shape and dtype."""
    def wrapper(a):
        a = np.asarray(a)
        r = fn(np.asarray(a, dtype=np.float64).reshape(-1))
        return r.reshape(a.shape).astype(a.dtype, copy=False)
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


def _poly(coeffs, z):
    """c0 + c1 z + c2 z^2 + ... by Horner's rule."""
    r = np.full_like(z, coeffs[-1])
    for c in coeffs[-2::-1]:
        r *= z
        r += c
    return r


def _erf_parts(x):
    """fdlibm's pieces for float64 x: ``v`` holds erf(|x|) where |x| < 0.84375 (mask ``small``),
    erf(|x|) - erx where 0.84375 <= |x| < 1.25 (``mid``) and erfc(|x|) beyond (``big``)."""
    ax = np.abs(x)
    small = ax < 0.84375
    big = ax >= 1.25
    mid = ~(small | big)
    v = np.empty_like(ax)
    if small.any():
        t = ax[small]
        z = t * t
        v[small] = t + t * (_poly(_PP, z) / _poly(_QQ, z))
    if mid.any():
        s = ax[mid] - 1.0
        v[mid] = _poly(_PA, s) / _poly(_QA, s)
    if big.any():
        t = np.minimum(ax[big], 28.0)     # erfc underflows to 0 beyond 28 (and inf -> 0)
        s = 1.0 / (t * t)
        r = np.where(t < 1 / 0.35, _poly(_RA, s) / _poly(_SA, s), _poly(_RB, s) / _poly(_SB, s))
        hi = (t.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)
        v[big] = np.exp(-hi * hi - 0.5625) * np.exp((hi - t) * (hi + t) + r) / t
    return v, small, mid, big


@_float64_flat
def erf(x):
    """The error function of a float array (computed in float64, returned in a's dtype)."""
    v, small, mid, big = _erf_parts(x)
    r = np.where(small, v, np.where(mid, _ERX + v, 1.0 - v))
    r = np.copysign(r, x)
    r[np.isnan(x)] = np.nan
    return r


@_float64_flat
def erfc(x):
    """1 - erf(a), accurate in the right tail."""
    v, small, mid, big = _erf_parts(x)
    erf_abs = np.where(small, v, np.where(mid, _ERX + v, 1.0 - v))
    erfc_abs = np.where(small, 1.0 - v, np.where(mid, (1.0 - _ERX) - v, v))
    r = np.where(x < 0, 1.0 + erf_abs, erfc_abs)
    r[np.isnan(x)] = np.nan
    return r


def _erfinv_guess(y):
    """Giles' single-precision approximation of erfinv (|error| ~ 1e-7 relative)."""
    w = -np.log((1.0 - y) * (1.0 + y))
    central = w < 5.0
    wc = w - 2.5
    p1 = _poly((1.50140941, 0.246640727, -0.00417768164, -0.00125372503, 0.00021858087,
                -4.39150654e-06, -3.5233877e-06, 3.43273939e-07, 2.81022636e-08), wc)
    wt = np.sqrt(np.where(central, 5.0, w)) - 3.0
    p2 = _poly((2.83297682, 1.00167406, 0.00943887047, -0.0076224613, 0.00573950773,
                -0.00367342844, 0.00134934322, 0.000100950558, -0.000200214257), wt)
    return np.where(central, p1, p2) * y


@_float64_flat
def erfinv(y):
    """The inverse error function on [-1, 1] (±inf at ±1, nan outside)."""
    ay = np.abs(y)
    inside = ay < 1.0
    yi = np.where(inside, ay, 0.0)
    x = _erfinv_guess(yi)
    c = 2.0 / math.sqrt(math.pi)
    tail = yi > 0.5
    log_q = np.log(np.where(tail, 1.0 - yi, 1.0))
    for _ in range(4):
        # Newton on erf(x) = y in the middle; on log(erfc(x)) = log(1 - y) in the tail, where that
        # is nearly quadratic (the first guess is only single-precision accurate there)
        d = c * np.exp(-x * x)
        ec = erfc(x)
        step = np.where(tail, (np.log(np.where(tail, ec, 1.0)) - log_q) * ec / d, (erf(x) - yi) / d)
        x = np.where(tail, x + step, x - step)
    x = np.copysign(x, y)
    x = np.where(inside, x, np.where(ay == 1.0, np.copysign(np.inf, y), np.nan))
    return x


_lgamma_vec = np.vectorize(math.lgamma, otypes=[np.float64])


@_float64_flat
def lgamma(x):
    """log|Gamma(a)| (inf at the poles 0, -1, -2, ...)."""
    out = np.full(x.shape, np.inf)
    ok = ~((x <= 0) & (x == np.floor(x)))
    if ok.any():
        out[ok] = _lgamma_vec(x[ok])
    return out


@_float64_flat
def digamma(x):
    """The logarithmic derivative of Gamma: recurrence up to x >= 10, then the asymptotic series;
    reflection for negative x; -inf at 0 and nan at negative integers (like torch)."""
    neg = x < 0
    xr = np.where(neg, 1.0 - x, x)
    acc = np.zeros_like(xr)
    for _ in range(10):
        low = xr < 10.0
        acc = np.where(low, acc - 1.0 / np.where(low, xr, 1.0), acc)
        xr = np.where(low, xr + 1.0, xr)
    inv = 1.0 / xr
    inv2 = inv * inv
    series = np.log(xr) - 0.5 * inv - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (
        1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))))
    r = acc + series
    r = np.where(neg, r - np.pi / np.tan(np.pi * x), r)
    r = np.where(x == 0, np.copysign(np.inf, -x), r)     # torch: -inf at +0, +inf at -0
    r = np.where(neg & (x == np.floor(x)), np.nan, r)
    return r


@_float64_flat
def trigamma(x):
    """d/dx digamma(x): recurrence up to x >= 10, the asymptotic series, reflection for x < 0."""
    neg = x < 0
    xr = np.where(neg, 1.0 - x, x)
    acc = np.zeros_like(xr)
    for _ in range(10):
        low = xr < 10.0
        acc = np.where(low, acc + 1.0 / np.where(low, xr, 1.0) ** 2, acc)
        xr = np.where(low, xr + 1.0, xr)
    inv = 1.0 / xr
    inv2 = inv * inv
    series = inv + inv2 / 2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 / 30)))
    r = acc + series
    r = np.where(neg, np.pi ** 2 / np.sin(np.pi * x) ** 2 - r, r)
    return np.where((x <= 0) & (x == np.floor(x)), np.inf, r)
