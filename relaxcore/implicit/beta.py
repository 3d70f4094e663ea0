r"""Beta(concentration1, concentration0) through two Gammas, sampled in log space.

:math:`z = \sigma(\log G_1 - \log G_0)` with :math:`G_1 \sim \Gamma(a, 1)`,
:math:`G_0 \sim \Gamma(b, 1)`: no atoms at 0.5 or at the end points where both Gammas
underflow (a = b = 0.01 in float32). ``rsample`` attaches the Gammas' implicit partials
(Figurnov et al. 2018, section 3.4):

.. math:: \partial z/\partial a = z(1-z)\,\partial\log G_1/\partial a, \qquad
          \partial z/\partial b = -z(1-z)\,\partial\log G_0/\partial b.

``implicit_partials(z)`` gives the CDF-based partials :math:`-\partial_\theta I_z(a, b) / p(z)`,
a function of z alone (a different, equally unbiased, per-sample gradient).
"""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore.implicit import incomplete_beta
from relaxcore.implicit._cdf import differentiable_cdf
from relaxcore.implicit._protocol import ImplicitDistribution
from relaxcore.implicit.gamma import log_standard_gamma
from relaxcore.kl import register_kl


class Beta(ImplicitDistribution):
    r"""Beta(a, b) on [0, 1]: density :math:`z^{a-1}(1-z)^{b-1}/B(a, b)`."""

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    param_event_ndims = {"concentration1": 0, "concentration0": 0}
    support = constraints.unit_interval
    implicit_params = ("concentration1", "concentration0")

    def __init__(self, concentration1, concentration0, *, validate_args=None, backend=None):
        p = self._init_elementwise(
            {"concentration1": concentration1, "concentration0": concentration0},
            backend,
            validate_args,
        )
        self._invalid = invalid_params(self, p)

    def _draw(self, sample_shape, rng):
        bk = self._backend
        shape = self._extended_shape(sample_shape)
        rng1, rng0 = bk.split_rng(bk.as_rng(rng, self._device), 2)
        a = self._up(bk.stop_gradient(self.concentration1))
        b = self._up(bk.stop_gradient(self.concentration0))
        log_g1, dlog1 = log_standard_gamma(self, a, shape, rng1)
        log_g0, dlog0 = log_standard_gamma(self, b, shape, rng0)
        d = log_g1 - log_g0
        z, w = bk.sigmoid(d), bk.sigmoid(-d)
        zw = z * w
        partials = {"concentration1": zw * dlog1, "concentration0": -zw * dlog0}
        return nan_where_invalid(self, self._down(z), 0), {
            k: self._down(v) for k, v in partials.items()
        }

    def implicit_partials(self, value):
        value = self._as_value(value)
        xp = self.xp
        z = self._up(value)
        a = xp.broadcast_to(self._up(self.concentration1), z.shape)
        b = xp.broadcast_to(self._up(self.concentration0), z.shape)
        da, db = incomplete_beta.beta_partials(self._backend, a, b, z)
        return {"concentration1": self._down(da), "concentration0": self._down(db)}

    def log_prob(self, value):
        value = self._as_value(value)
        self._validate_sample(value)
        bk = self._backend
        a, b, z = self._up(self.concentration1), self._up(self.concentration0), self._up(value)
        log_beta = bk.lgamma(a) + bk.lgamma(b) - bk.lgamma(a + b)
        return masked_log_prob(
            self, value, self._down(bk.xlogy(a - 1.0, z) + bk.xlogy(b - 1.0, 1.0 - z) - log_beta)
        )

    def cdf(self, value):
        """I_value(a, b): 0 below 0, 1 above 1; differentiable in value and parameters."""
        value = self._as_value(value)
        bk = self._backend
        a = self._up(bk.stop_gradient(self.concentration1))
        b = self._up(bk.stop_gradient(self.concentration0))
        z = self._up(bk.stop_gradient(value))
        cdf = self._down(incomplete_beta.betainc(bk, a, b, z))
        return differentiable_cdf(self, value, cdf, (z > 0.0) & (z < 1.0))

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total**2 * (total + 1.0))

    def entropy(self):
        bk = self._backend
        a, b = self._up(self.concentration1), self._up(self.concentration0)
        total = a + b
        log_beta = bk.lgamma(a) + bk.lgamma(b) - bk.lgamma(total)
        out = (
            log_beta
            - (a - 1.0) * bk.digamma(a)
            - (b - 1.0) * bk.digamma(b)
            + (total - 2.0) * bk.digamma(total)
        )
        return self._down(out)


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    """KL(Beta(a1, b1) || Beta(a2, b2)), closed form."""
    bk = p._backend
    a1, b1, a2, b2 = (
        p._up(t) for t in (p.concentration1, p.concentration0, q.concentration1, q.concentration0)
    )
    lb = lambda a, b: bk.lgamma(a) + bk.lgamma(b) - bk.lgamma(a + b)  # noqa: E731
    out = (
        lb(a2, b2)
        - lb(a1, b1)
        + (a1 - a2) * bk.digamma(a1)
        + (b1 - b2) * bk.digamma(b1)
        + (a2 - a1 + b2 - b1) * bk.digamma(a1 + b1)
    )
    return p._down(out)
