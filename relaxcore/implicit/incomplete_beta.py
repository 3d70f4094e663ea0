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

The depth suits a, b up to a few hundred near the mode; beyond, it loses accuracy
(the Beta sampler does not use it: ``rsample`` goes through two Gammas).
"""

from __future__ import annotations

from relaxcore.math.special import digamma_difference

#: pairs of continued-fraction steps (d_{2m+1}, d_{2m+2}) evaluated
FRACTION_PAIRS = 40


def _fraction(xp, a, b, x):
    """K, dK/da, dK/db of the continued fraction above."""
    t, ta, tb = xp.ones_like(x), xp.zeros_like(x), xp.zeros_like(x)
    for n in range(2 * FRACTION_PAIRS, 0, -1):
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


def _log_beta(bk, a, b):
    return bk.lgamma(a) + bk.lgamma(b) - bk.lgamma(a + b)


def _direct(bk, a, b, x):
    """(I_x(a, b), dz/da, dz/db) from the fraction in (a, b, x), valid where it converges."""
    xp = bk.xp
    k, ka, kb = _fraction(xp, a, b, x)
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
    k, ka, kb = _fraction(xp, a, b, xd)
    scale = -(1.0 - xd) / a
    direct_a = scale * (k * (log_xd - 1.0 / a + digamma_difference(xp, a, b)) + ka)
    direct_b = scale * (k * (xp.log1p(-xd) + digamma_difference(xp, b, a)) + kb)
    xf = xp.where(flip, x, xp.ones_like(x))
    _, flip_a, flip_b = _both(bk, a, b, xf, xp.where(flip, one_minus_x, xp.zeros_like(x)))
    return xp.where(flip, flip_a / xf, direct_a), xp.where(flip, flip_b / xf, direct_b)
