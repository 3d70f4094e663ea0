r"""Student's t(df, loc, scale) through a Gamma.

:math:`t = \mu + \sigma\,\varepsilon\sqrt{\nu/(2G)}`, where

:math:`\varepsilon \sim N(0, 1)`, :math:`G \sim \Gamma(\nu/2, 1)` sampled in log space, so
df = 0.05 gives finite draws (clipped to the dtype's range: in float32 about 1% of draws
at df = 0.05 exceed it; a clipped draw is constant in the parameters, so its partials
are 0). Each draw's partials are finite too, but at such df a sum or mean of many draws
overflows the dtype (so does its gradient): reduce in float64, or use larger df.
``log_prob`` takes :math:`\log(1 + w^2/\nu)` as :math:`2\log|r| + \log(1 + r^{-2})`,
:math:`r = w/\sqrt\nu`, for :math:`|r| > 1`, so it and its gradients stay finite at
such draws. ``rsample`` attaches

.. math:: \partial t/\partial\nu = \sigma w\,\tfrac12\left(\tfrac1\nu
          - \tfrac12\,\partial\log G/\partial\alpha\right),\quad
          \partial t/\partial\mu = 1,\quad \partial t/\partial\sigma = w,

with :math:`w = (t-\mu)/\sigma`. ``implicit_partials(t)`` gives the CDF-based
:math:`-\partial_\nu F(t)/p(t)` instead, from
:math:`F = \tfrac12 I_{\nu/(\nu+w^2)}(\nu/2, \tfrac12)`
for w < 0 (mirrored for w > 0):
:math:`\partial w/\partial\nu = (w^2 - \tfrac12 u_a (\nu+w^2)^2)/(2 w \nu)`, with :math:`u_a` the
Beta(nu/2, 1/2) partial at :math:`u = \nu/(\nu+w^2)`.
"""

from __future__ import annotations

import math

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore.implicit import incomplete_beta
from relaxcore.implicit._cdf import differentiable_cdf
from relaxcore.implicit._protocol import ImplicitDistribution
from relaxcore.implicit.gamma import log_standard_gamma


def _log1p_square(xp, diff, scale, df):
    """log(1 + r^2), r = diff / (scale sqrt(df)), without overflow for any finite diff.

    For |r| > 1: 2 log|r| + log1p(r^-2), with log|r| = log|diff| - log(scale) - log(df)/2
    (r itself may overflow). Each branch sees safe inputs where it is not taken.
    """
    tiny = xp.finfo(diff.dtype).smallest_normal
    log_r = xp.log(xp.abs(diff) + tiny) - xp.log(scale) - 0.5 * xp.log(df)
    big = log_r > 0.0
    safe_log = xp.where(big, log_r, xp.ones_like(log_r))
    r = xp.where(big, xp.zeros_like(diff), diff) / (scale * xp.sqrt(df))
    return xp.where(big, 2.0 * safe_log + xp.log1p(xp.exp(-2.0 * safe_log)), xp.log1p(r * r))


class StudentT(ImplicitDistribution):
    """Student's t with `df` degrees of freedom, location `loc` and scale `scale`."""

    arg_constraints = {
        "df": constraints.positive,
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    param_event_ndims = {"df": 0, "loc": 0, "scale": 0}
    support = constraints.real
    implicit_params = ("df", "loc", "scale")

    def __init__(self, df, loc=0.0, scale=1.0, *, validate_args=None, backend=None):
        p = self._init_elementwise({"df": df, "loc": loc, "scale": scale}, backend, validate_args)
        self._invalid = invalid_params(self, p)

    def _draw(self, sample_shape, rng):
        xp, bk = self.xp, self._backend
        shape = self._extended_shape(sample_shape)
        rng_gamma, rng_normal = bk.split_rng(bk.as_rng(rng, self._device), 2)
        df = self._up(bk.stop_gradient(self.df))
        loc, scale = self._up(bk.stop_gradient(self.loc)), self._up(bk.stop_gradient(self.scale))
        log_g, dlog = log_standard_gamma(self, 0.5 * df, shape, rng_gamma)
        eps = bk.normal(rng_normal, shape, df.dtype, self._device)
        df = xp.broadcast_to(df, shape)
        big = xp.finfo(df.dtype).max
        w = xp.clip(eps * xp.exp(0.5 * (xp.log(df) - math.log(2.0) - log_g)), -big, big)
        raw = loc + scale * w
        t = xp.clip(raw, -big, big)
        # a draw clipped to the dtype's range is constant in the parameters: partials 0
        inside = (xp.abs(w) < big) & (xp.abs(raw) < big)
        zero = xp.zeros_like(t)
        d_df = xp.clip(scale * w * 0.5 * (1.0 / df - 0.5 * dlog), -big, big)
        partials = {
            "df": xp.where(inside, d_df, zero),
            "loc": xp.where(inside, xp.ones_like(t), zero),
            "scale": xp.where(inside, w, zero),
        }
        return nan_where_invalid(self, self._down(t), 0), {
            k: self._down(v) for k, v in partials.items()
        }

    def implicit_partials(self, value):
        value = self._as_value(value)
        xp = self.xp
        t = self._up(value)
        df = xp.broadcast_to(self._up(self.df), t.shape)
        loc, scale = self._up(self.loc), self._up(self.scale)
        w = (t - loc) / scale
        w2 = w * w
        total = df + w2
        u_a, _ = incomplete_beta.beta_partials(
            self._backend, 0.5 * df, xp.full_like(df, 0.5), df / total, w2 / total
        )
        at_loc = w == 0.0
        w_safe = xp.where(at_loc, xp.ones_like(w), w)  # double where: no 0/0 in either branch
        dw = (w2 - 0.5 * u_a * total * total) / (2.0 * w_safe * df)
        dw = xp.where(at_loc, xp.zeros_like(dw), dw)
        return {
            "df": self._down(scale * dw),
            "loc": self._down(xp.ones_like(t)),
            "scale": self._down(w),
        }

    def log_prob(self, value):
        value = self._as_value(value)
        xp, bk = self.xp, self._backend
        df, loc, scale = self._up(self.df), self._up(self.loc), self._up(self.scale)
        out = (
            bk.lgamma(0.5 * (df + 1.0))
            - bk.lgamma(0.5 * df)
            - 0.5 * xp.log(df * math.pi)
            - xp.log(scale)
            - 0.5 * (df + 1.0) * _log1p_square(xp, self._up(value) - loc, scale, df)
        )
        return masked_log_prob(self, value, self._down(out))

    def cdf(self, value):
        """P(T <= value), differentiable in value and every parameter."""
        value = self._as_value(value)
        xp, bk = self.xp, self._backend
        df, loc, scale = (self._up(bk.stop_gradient(p)) for p in (self.df, self.loc, self.scale))
        z = self._up(bk.stop_gradient(value))
        w = (z - loc) / scale
        w = xp.broadcast_to(w, xp.broadcast_arrays(w, df)[0].shape)
        df = xp.broadcast_to(df, w.shape)
        total = df + w * w
        lower = 0.5 * incomplete_beta.betainc(
            self._backend, 0.5 * df, xp.full_like(df, 0.5), df / total
        )
        cdf = self._down(xp.where(w < 0.0, lower, 1.0 - lower))
        return differentiable_cdf(self, value, cdf, xp.isfinite(w))

    @property
    def mean(self):
        xp = self.xp
        return xp.where(self.df > 1.0, self.loc, xp.full_like(self.loc, math.nan))

    @property
    def variance(self):
        xp = self.xp
        df = self.df
        var = self.scale**2 * df / (df - 2.0)
        var = xp.where(df > 2.0, var, xp.full_like(var, math.inf))
        return xp.where(df > 1.0, var, xp.full_like(var, math.nan))

    def entropy(self):
        xp, bk = self.xp, self._backend
        df, scale = self._up(self.df), self._up(self.scale)
        half = 0.5 * (df + 1.0)
        log_beta = bk.lgamma(0.5 * df) + math.lgamma(0.5) - bk.lgamma(half)
        out = (
            half * (bk.digamma(half) - bk.digamma(0.5 * df))
            + 0.5 * xp.log(df)
            + log_beta
            + xp.log(scale)
        )
        return self._down(out)
