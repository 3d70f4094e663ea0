r"""Von Mises(loc, concentration) on the circle, with implicit gradients in the concentration.

Sampler: Best & Fisher (1979) rejection with a fixed number of masked rounds
(``ROUNDS``; acceptance is at least 65% per round, so a draw is left unaccepted with
probability below 1e-7 and then keeps its last proposal). The CDF of
:math:`x = z - \mu \in [-\pi, \pi)` and its :math:`\kappa`-derivative follow Hill (1977), as
TFP does: for :math:`\kappa < 10.5` the series
:math:`F = \tfrac12 + \tfrac{x}{2\pi}
+ \tfrac1\pi\sum_n \tfrac{I_n(\kappa)}{I_0(\kappa)}\tfrac{\sin nx}{n}`
by a fixed-length backward recurrence (derivative carried along); above, Hill's corrected
normal approximation :math:`F = \Phi(\xi(z_\kappa))`, differentiated by hand. The partial
:math:`\partial z/\partial\kappa = -\partial_\kappa F / p` is formed with the exponentials
cancelled, so it stays finite at concentration 1000; :math:`\partial z/\partial\mu = 1`.
"""

from __future__ import annotations

import math

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore.implicit._protocol import ImplicitDistribution

ROUNDS = 16
SERIES_TERMS = 40
SERIES_MAX_CONCENTRATION = 10.5


def _wrap(xp, x):
    """x reduced to [-pi, pi)."""
    return x - 2.0 * math.pi * xp.floor((x + math.pi) / (2.0 * math.pi))


def _series(xp, x, kappa):
    """(F, dF/dkappa) by Hill's backward recurrence for I_n/I_{n-1}."""
    r, dr = xp.zeros_like(x), xp.zeros_like(x)
    v, dv = xp.zeros_like(x), xp.zeros_like(x)
    for n in range(SERIES_TERMS, 0, -1):
        denom = 2.0 * n + kappa * r  # r_n = kappa / (2n + kappa r_{n+1}): no 1/kappa^2 to underflow
        dr = (2.0 * n - kappa * kappa * dr) / (denom * denom)
        r = kappa / denom
        mult = xp.sin(n * x) / n + v
        v, dv = r * mult, dr * mult + r * dv
    return 0.5 + x / (2.0 * math.pi) + v / math.pi, dv / math.pi


def _normal(bk, x, kappa):
    """(xi, dxi/dkappa) of Hill's corrected normal approximation F = Phi(xi)."""
    xp = bk.xp
    ratio = bk.i1e(kappa) / bk.i0e(kappa)
    z = math.sqrt(2.0 / math.pi) / bk.i0e(kappa) * xp.sin(0.5 * x)
    dz = z * (1.0 - ratio)
    z2 = z * z
    c = 24.0 * kappa
    num = z2 * z2 + 1.75 * z2 + 83.5
    den = c - 53.0 - z2
    d = (c - 2.0 * z2 - 16.0) / 3.0 - num / den
    dnum = (4.0 * z2 * z + 3.5 * z) * dz
    dden = 24.0 - 2.0 * z * dz
    dd = (24.0 - 4.0 * z * dz) / 3.0 - (dnum * den - num * dden) / (den * den)
    xi = z - z2 * z / (d * d)
    dxi = dz - 3.0 * z2 * dz / (d * d) + 2.0 * z2 * z * dd / (d * d * d)
    return xi, dxi


def von_mises_cdf_and_partial(bk, x, kappa):
    """(F(x), dx/dkappa) for x in [-pi, pi) centred on the mean direction."""
    xp = bk.xp
    small = kappa < SERIES_MAX_CONCENTRATION
    k_small = xp.where(small, kappa, xp.ones_like(kappa))
    k_big = xp.where(small, xp.full_like(kappa, 2 * SERIES_MAX_CONCENTRATION), kappa)
    f_series, df_series = _series(xp, x, k_small)
    log_p = k_small * (xp.cos(x) - 1.0) - xp.log(2.0 * math.pi * bk.i0e(k_small))
    dx_series = -df_series / xp.exp(log_p)
    xi, dxi = _normal(bk, x, k_big)
    f_normal = bk.ndtr(xi)
    s = xp.sin(0.5 * x)
    log_ratio = (
        -0.5 * xi * xi + 2.0 * k_big * s * s + xp.log(bk.i0e(k_big)) + 0.5 * math.log(2 * math.pi)
    )
    dx_normal = -xp.exp(log_ratio) * dxi
    f = xp.clip(xp.where(small, f_series, f_normal), 0.0, 1.0)
    return f, xp.where(small, dx_series, dx_normal)


class VonMises(ImplicitDistribution):
    r"""Density :math:`e^{\kappa\cos(z-\mu)}/(2\pi I_0(\kappa))` on :math:`[\mu-\pi, \mu+\pi)`."""

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    param_event_ndims = {"loc": 0, "concentration": 0}
    support = constraints.real
    implicit_params = ("loc", "concentration")
    partials_follow_value = True  # second derivatives: the adapters differentiate the rule

    def __init__(self, loc, concentration, *, validate_args=None, backend=None):
        p = self._init_elementwise(
            {"loc": loc, "concentration": concentration}, backend, validate_args
        )
        self._invalid = invalid_params(self, p)

    def _centred_draw(self, shape, kappa, rng):
        """Best-Fisher draws of x = z - loc in [-pi, pi], ``ROUNDS`` masked rounds."""
        xp, bk = self.xp, self._backend
        keys = bk.split_rng(bk.as_rng(rng, self._device), 3 * ROUNDS)
        r = 1.0 + xp.sqrt(1.0 + 4.0 * kappa * kappa)
        rho = (r - xp.sqrt(2.0 * r)) / (2.0 * kappa)
        cutoff = 1.2e-4 if kappa.dtype == xp.float64 else 2e-2
        big = kappa > cutoff
        rho = xp.where(big, rho, xp.ones_like(rho))  # rho rounds to 0 at tiny kappa
        s = xp.where(big, (1.0 + rho * rho) / (2.0 * rho), 1.0 / kappa)
        w = xp.zeros(shape, dtype=kappa.dtype)
        sign = xp.ones(shape, dtype=kappa.dtype)
        sign_one = xp.ones_like(sign)
        done = xp.zeros(shape, dtype=xp.bool)
        for i in range(ROUNDS):
            u1, u2, u3 = (
                bk.uniform(keys[3 * i + j], shape, kappa.dtype, self._device) for j in range(3)
            )
            c = xp.cos(math.pi * u1)
            wi = (1.0 + s * c) / (s + c)
            y = kappa * (s - wi)
            u2 = self._open_unit(u2)
            accept = (y * (2.0 - y) >= u2) | (xp.log(y / u2) + 1.0 >= y)
            take = ~done & (accept | (i == ROUNDS - 1))
            w = xp.where(take, xp.clip(wi, -1.0, 1.0), w)
            sign = xp.where(take, xp.where(u3 < 0.5, -sign_one, sign_one), sign)
            done = done | accept
        return sign * xp.acos(w)

    def _draw(self, sample_shape, rng):
        xp, bk = self.xp, self._backend
        shape = self._extended_shape(sample_shape)
        kappa = xp.broadcast_to(self._up(bk.stop_gradient(self.concentration)), shape)
        loc = self._up(bk.stop_gradient(self.loc))
        x = self._centred_draw(shape, kappa, rng)
        _, dx = von_mises_cdf_and_partial(bk, x, kappa)
        z = _wrap(xp, x + loc)
        return nan_where_invalid(self, self._down(z), 0), {
            "loc": self._down(xp.ones_like(z)),
            "concentration": self._down(dx),
        }

    def implicit_partials(self, value):
        value = self._as_value(value)
        xp = self.xp
        z = self._up(value)
        x = _wrap(xp, z - self._up(self.loc))
        kappa = xp.broadcast_to(self._up(self.concentration), x.shape)
        _, dx = von_mises_cdf_and_partial(self._backend, x, kappa)
        return {"loc": self._down(xp.ones_like(x)), "concentration": self._down(dx)}

    def cdf(self, value):
        """P(Z <= value) for value in [loc - pi, loc + pi]."""
        value = self._as_value(value)
        xp = self.xp
        x = xp.clip(self._up(value) - self._up(self.loc), -math.pi, math.pi)
        kappa = xp.broadcast_to(self._up(self.concentration), x.shape)
        return self._down(von_mises_cdf_and_partial(self._backend, x, kappa)[0])

    def log_prob(self, value):
        value = self._as_value(value)
        xp, bk = self.xp, self._backend
        kappa = self._up(self.concentration)
        x = self._up(value) - self._up(self.loc)
        return masked_log_prob(
            self,
            value,
            self._down(kappa * (xp.cos(x) - 1.0) - xp.log(2.0 * math.pi * bk.i0e(kappa))),
        )

    @property
    def mean(self):
        return self.loc

    @property
    def variance(self):
        """Circular variance 1 - I_1(kappa)/I_0(kappa) (as torch.distributions)."""
        bk = self._backend
        kappa = self._up(self.concentration)
        return self._down(1.0 - bk.i1e(kappa) / bk.i0e(kappa))

    def entropy(self):
        xp, bk = self.xp, self._backend
        kappa = self._up(self.concentration)
        i0e = bk.i0e(kappa)
        return self._down(xp.log(2.0 * math.pi * i0e) + kappa * (1.0 - bk.i1e(kappa) / i0e))
