r"""The regularized incomplete beta I_x(a, b) and its parameter derivatives, fixed length.

Continued fraction (DLMF 8.17.22), evaluated backwards from a fixed depth with its
derivatives in a and b carried along (Boik & Robison-Cox 1998):

.. math:: I_x(a, b) = \frac{x^a (1-x)^b}{a B(a, b)}\,
          \cfrac{1}{1 + \cfrac{d_1}{1 + \cfrac{d_2}{1 + \cdots}}},\quad
          d_{2m+1} = -\frac{(a+m)(a+b+m)x}{(a+2m)(a+2m+1)},\;
          d_{2m} = \frac{m(b-m)x}{(a+2m-1)(a+2m)},

used for x < (a+1)/(a+b+2) and through :math:`I_x(a,b) = 1 - I_{1-x}(b,a)` otherwise.
Divided by the density, the implicit partials lose the prefactor:

.. math:: \frac{\partial z}{\partial a} = -\frac{x(1-x)}{a}
          \left[K\,(\log x - \tfrac1a - \psi(a) + \psi(a+b)) + \partial_a K\right].

The differences :math:`\psi(a+b) - \psi(a)` and :math:`\psi(a+b) - \psi(b)` come from
``digamma_difference`` (no cancellation: at a = 0.01, b = 100 a plain difference of
digammas costs float32 three digits).

The fraction needs more steps as min(a, b) grows (near the median; measured against
SciPy in float64: 32 pairs at a = b = 300, 109 at 1e4, 390 at 1e6). Eagerly the depth
follows the batch's largest min(a, b): ``20 + 8 min(a, b)^0.3`` pairs, at least 40, at most
2000; under tracing (jit, vmap, compile) it is the fixed 40 pairs, converged (2e-10) up to
min(a, b) = 1000, and entries beyond that are NaN rather than a wrong number. The Beta
sampler does not use the fraction: ``rsample`` goes through two Gammas.
"""

from __future__ import annotations

import math

from relaxcore.math.special import digamma_difference

#: pairs of continued-fraction steps (d_{2m+1}, d_{2m+2}) evaluated, at least
FRACTION_PAIRS = 40
#: the most pairs an eager call takes (converged up to min(a, b) ~ 1e8)
MAX_PAIRS = 2000
#: min(a, b) up to which the fixed traced depth has converged
TRACED_LIMIT = 1e3


def _pairs_for(m):
    return min(MAX_PAIRS, max(FRACTION_PAIRS, math.ceil(20.0 + 8.0 * m**0.3)))


#: min(a, b) up to which MAX_PAIRS has converged (the inverse of _pairs_for)
_EAGER_LIMIT = ((MAX_PAIRS - 20.0) / 8.0) ** (1 / 0.3)


def _depth(bk, m):
    """(pairs, limit) for m = min(a, b): the fraction's depth, and the min(a, b) beyond
    which that depth has not converged (those entries become NaN)."""
    xp = bk.xp
    if bk.is_traced(m):
        return FRACTION_PAIRS, TRACED_LIMIT
    m = xp.where(xp.isfinite(m) & (m > 0.0), m, xp.zeros_like(m))
    top = float(xp.max(m)) if math.prod(m.shape) else 0.0
    return _pairs_for(top), _EAGER_LIMIT


def _fraction(xp, a, b, x, pairs=FRACTION_PAIRS):
    """K, dK/da, dK/db of the continued fraction above, `pairs` pairs deep."""
    t, ta, tb = xp.ones_like(x), xp.zeros_like(x), xp.zeros_like(x)
    for n in range(2 * pairs, 0, -1):
        m = float(n // 2)
        if n % 2:  # d_{2m+1}
            den = (a + 2.0 * m) * (a + 2.0 * m + 1.0)
            d = -(a + m) * (a + b + m) * x / den
            da = -x * ((a + b + m) + (a + m)) / den - d * (
                1.0 / (a + 2.0 * m) + 1.0 / (a + 2.0 * m + 1.0)
            )
            db = -(a + m) * x / den
        else:  # d_{2m}
            den = (a + 2.0 * m - 1.0) * (a + 2.0 * m)
            d = m * (b - m) * x / den
            da = -d * (1.0 / (a + 2.0 * m - 1.0) + 1.0 / (a + 2.0 * m))
            db = m * x / den
        ratio = d / t
        ta, tb = (da - ratio * ta) / t, (db - ratio * tb) / t
        t = 1.0 + ratio
    k = 1.0 / t
    return k, -ta * k * k, -tb * k * k


def _converged_fraction(bk, a, b, x):
    """``_fraction`` at the depth (a, b) need; NaN where that depth has not converged."""
    xp = bk.xp
    m = xp.minimum(a, b)
    pairs, limit = _depth(bk, m)
    k, ka, kb = _fraction(xp, a, b, x, pairs)
    beyond = m > limit
    nan = xp.full_like(k, float("nan"))
    return tuple(xp.where(beyond, nan, v) for v in (k, ka, kb))


def _log_beta(bk, a, b):
    return bk.lgamma(a) + bk.lgamma(b) - bk.lgamma(a + b)


def _direct(bk, a, b, x):
    """(I_x(a, b), dz/da, dz/db) from the fraction in (a, b, x), valid where it converges."""
    xp = bk.xp
    k, ka, kb = _converged_fraction(bk, a, b, x)
    log_x, log_1mx = xp.log(x), xp.log1p(-x)
    value = xp.exp(a * log_x + b * log_1mx - xp.log(a) - _log_beta(bk, a, b)) * k
    scale = -x * (1.0 - x) / a
    dz_da = scale * (k * (log_x - 1.0 / a + digamma_difference(xp, a, b)) + ka)
    dz_db = scale * (k * (log_1mx + digamma_difference(xp, b, a)) + kb)
    return value, dz_da, dz_db


def _both(bk, a, b, x, one_minus_x=None):
    """(I_x(a, b), dz/da, dz/db); `one_minus_x` may be given exactly (it is where x ~ 1)."""
    xp = bk.xp
    one_minus_x = 1.0 - x if one_minus_x is None else one_minus_x
    flip = x > (a + 1.0) / (a + b + 2.0)
    xa = xp.where(flip, b, a)
    xb = xp.where(flip, a, b)
    y = xp.where(flip, one_minus_x, x)
    tiny = xp.finfo(x.dtype).smallest_normal
    y = xp.clip(y, tiny, 1.0 - xp.finfo(x.dtype).eps / 2)
    value, d1, d2 = _direct(bk, xa, xb, y)
    cdf = xp.where(flip, 1.0 - value, value)
    dz_da = xp.where(flip, -d2, d1)
    dz_db = xp.where(flip, -d1, d2)
    return cdf, dz_da, dz_db


def betainc(bk, a, b, x):
    """I_x(a, b), the Beta(a, b) distribution function (scipy.special.betainc)."""
    xp = bk.xp
    cdf = _both(bk, a, b, x)[0]
    cdf = xp.where(x <= 0.0, xp.zeros_like(cdf), cdf)
    return xp.where(x >= 1.0, xp.ones_like(cdf), cdf)


def beta_partials(bk, a, b, x, one_minus_x=None):
    """(dz/da, dz/db) = -(d I_z(a, b) / d(a, b)) / p(z) for z ~ Beta(a, b)."""
    return _both(bk, a, b, x, one_minus_x)[1:]


def beta_log_partials(bk, a, b, log_x):
    """(d log z/da, d log z/db) for z = e^log_x ~ Beta(a, b), finite where z underflows.

    Below the switch point the continued fraction's form is divided by z analytically
    (its d_n terms vanish with z, so K -> 1 and K' -> 0 as z underflows); above it, z is
    not small and the partials of :func:`beta_partials` are divided by z.
    """
    xp = bk.xp
    x = xp.exp(log_x)
    one_minus_x = -xp.expm1(log_x)
    switch = (a + 1.0) / (a + b + 2.0)
    flip = x > switch
    xd = xp.where(flip, 0.5 * switch, x)
    log_xd = xp.where(flip, xp.log(0.5 * switch), log_x)
    k, ka, kb = _converged_fraction(bk, a, b, xd)
    scale = -(1.0 - xd) / a
    direct_a = scale * (k * (log_xd - 1.0 / a + digamma_difference(xp, a, b)) + ka)
    direct_b = scale * (k * (xp.log1p(-xd) + digamma_difference(xp, b, a)) + kb)
    xf = xp.where(flip, x, xp.ones_like(x))
    _, flip_a, flip_b = _both(bk, a, b, xf, xp.where(flip, one_minus_x, xp.zeros_like(x)))
    return xp.where(flip, flip_a / xf, direct_a), xp.where(flip, flip_b / xf, direct_b)
