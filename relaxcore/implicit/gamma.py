r"""Gamma(concentration, rate) with implicit reparameterization gradients.

Sampled in log space, :math:`\log G_\alpha = \log G_{\alpha+1} + \log(U)/\alpha` for
:math:`\alpha < 1` (Marsaglia & Tsang 2000), so draws far below the dtype's smallest
normal keep their log; :math:`z = e^{\log G}/\beta`. Partials (Figurnov et al. 2018):

.. math:: \frac{\partial z}{\partial\alpha} = \frac{1}{\beta}\,
          \frac{-\partial_\alpha P(\alpha, \beta z)}{p(\beta z \mid \alpha, 1)}, \qquad
          \frac{\partial z}{\partial\beta} = -\frac{z}{\beta}.
"""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore.implicit import incomplete_gamma
from relaxcore.implicit._cdf import differentiable_cdf
from relaxcore.implicit._protocol import ImplicitDistribution
from relaxcore.kl import register_kl


def log_standard_gamma(dist, alpha, shape, rng):
    """(log G, d log G / d alpha) for G ~ Gamma(alpha, 1) of `shape`, no gradient.

    `alpha` is in the compute dtype and broadcasts to `shape` (pass it unbroadcast: one
    alpha for the batch is then recognized without a pass over `shape`). The partial is
    clipped to the dtype's range: it overflows only where exp(log G) is 0 (alpha ~ 1e-37),
    so every product partial * G stays finite and 0 there.
    """
    bk, xp = dist._backend, dist.xp
    alpha = bk.stop_gradient(alpha)
    key_gamma, key_uniform = bk.split_rng(bk.as_rng(rng, dist._device), 2)
    small = alpha < 1.0
    tiny = xp.finfo(alpha.dtype).smallest_normal
    if bk.is_traced(small) or bool(xp.any(small)):
        boosted = xp.where(small, alpha + 1.0, alpha)
        g = bk.standard_gamma(key_gamma, boosted, shape, alpha.dtype, dist._device)
        u = dist._open_unit(bk.uniform(key_uniform, shape, alpha.dtype, dist._device))
        boost = xp.where(small, xp.log(u) / alpha, xp.zeros_like(u))
        log_g = xp.log(xp.clip(g, tiny, None)) + boost
    else:  # no alpha below 1 (known eagerly): no boost, no uniforms
        g = bk.standard_gamma(key_gamma, alpha, shape, alpha.dtype, dist._device)
        log_g = xp.log(xp.clip(g, tiny, None))
    dlog = incomplete_gamma.gamma_log_partial(bk, alpha, xp.exp(log_g), log_g)
    big = xp.finfo(alpha.dtype).max  # (log g)/alpha overflows only where g is exactly 0
    return log_g, xp.clip(dlog, -big, big)


class Gamma(ImplicitDistribution):
    r"""Gamma(concentration alpha, rate beta).

    Density :math:`\beta^\alpha z^{\alpha-1} e^{-\beta z}/\Gamma(\alpha)`.

    ``implicit_partials(z)``: {"concentration": dz/dalpha, "rate": dz/drate}.
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    param_event_ndims = {"concentration": 0, "rate": 0}
    support = constraints.nonnegative
    implicit_params = ("concentration", "rate")
    partials_follow_value = True  # second derivatives: the adapters differentiate the rule

    def __init__(self, concentration, rate=1.0, *, validate_args=None, backend=None):
        p = self._init_elementwise(
            {"concentration": concentration, "rate": rate}, backend, validate_args
        )
        self._invalid = invalid_params(self, p)

    def _draw(self, sample_shape, rng):
        xp, bk = self.xp, self._backend
        shape = self._extended_shape(sample_shape)
        alpha = self._up(bk.stop_gradient(self.concentration))
        rate = self._up(bk.stop_gradient(self.rate))
        log_g, dlog = log_standard_gamma(self, alpha, shape, rng)
        z = xp.exp(log_g) / rate
        partials = {"concentration": z * dlog, "rate": -z / rate}
        return nan_where_invalid(self, self._down(z), 0), {
            k: self._down(xp.broadcast_to(v, shape)) for k, v in partials.items()
        }

    def implicit_partials(self, value):
        value = self._as_value(value)
        xp, bk = self.xp, self._backend
        rate = self._up(self.rate)
        z = self._up(value)
        alpha = xp.broadcast_to(self._up(self.concentration), z.shape)
        d_alpha = incomplete_gamma.gamma_partial(bk, alpha, z * rate) / rate
        return {"concentration": self._down(d_alpha), "rate": self._down(-z / rate)}

    def log_prob(self, value):
        value = self._as_value(value)
        self._validate_sample(value)
        bk = self._backend
        a, b, z = self._up(self.concentration), self._up(self.rate), self._up(value)
        return masked_log_prob(
            self, value, self._down(bk.xlogy(a, b) + bk.xlogy(a - 1.0, z) - b * z - bk.lgamma(a))
        )

    def cdf(self, value):
        """P(alpha, rate * value): 0 for value <= 0; differentiable in value and parameters."""
        value = self._as_value(value)
        xp, bk = self.xp, self._backend
        a, b = self._up(bk.stop_gradient(self.concentration)), self._up(bk.stop_gradient(self.rate))
        x = b * self._up(bk.stop_gradient(value))
        inside = x > 0.0
        cdf = bk.gammainc(a, xp.where(inside, x, xp.zeros_like(x)))
        return differentiable_cdf(self, value, self._down(cdf), inside)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def variance(self):
        return self.concentration / self.rate**2

    def entropy(self):
        xp, bk = self.xp, self._backend
        a, b = self._up(self.concentration), self._up(self.rate)
        return self._down(a - xp.log(b) + bk.lgamma(a) + (1.0 - a) * bk.digamma(a))


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    """KL(Gamma(a1, b1) || Gamma(a2, b2)), closed form."""
    xp, bk = p.xp, p._backend
    a1, b1, a2, b2 = (p._up(t) for t in (p.concentration, p.rate, q.concentration, q.rate))
    out = (
        (a1 - a2) * bk.digamma(a1)
        - bk.lgamma(a1)
        + bk.lgamma(a2)
        + a2 * (xp.log(b1) - xp.log(b2))
        + a1 * (b2 - b1) / b1
    )
    return p._down(out)
