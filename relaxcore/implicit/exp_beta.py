r"""ExpBeta: the law of log Z for Z ~ Beta(a, b), sampled and scored in log space.

With :math:`G_1 \sim \Gamma(a)`, :math:`G_0 \sim \Gamma(b)` drawn in log space,
:math:`y = \log Z = -\mathrm{softplus}(\log G_0 - \log G_1)`: finite where Z itself
underflows to 0 (a = 1e-4 in float32). Density (Beta's times the Jacobian :math:`e^y`):

.. math:: \log p(y) = a y + (b - 1)\log(1 - e^y) - \log B(a, b), \quad y \le 0.

``rsample`` attaches :math:`\partial y/\partial a = (1 - Z)\,\partial\log G_1/\partial a`,
:math:`\partial y/\partial b = -(1 - Z)\,\partial\log G_0/\partial b`;
``implicit_partials(y)`` gives the CDF-based :math:`\partial\log Z/\partial\theta` of
:func:`~relaxcore.implicit.incomplete_beta.beta_log_partials` (finite where Z underflows).
"""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore.implicit import incomplete_beta
from relaxcore.implicit._protocol import ImplicitDistribution
from relaxcore.implicit.gamma import log_standard_gamma
from relaxcore.math.special import log1mexp


class ExpBeta(ImplicitDistribution):
    """log Z, Z ~ Beta(concentration1 a, concentration0 b), on (-inf, 0]."""

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    param_event_ndims = {"concentration1": 0, "concentration0": 0}
    support = constraints.Constraint("<= 0", lambda xp, x: x <= 0)
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
        y = bk.log_sigmoid(d)
        w = bk.sigmoid(-d)  # 1 - Z
        partials = {"concentration1": w * dlog1, "concentration0": -w * dlog0}
        return nan_where_invalid(self, self._down(y), 0), {
            k: self._down(v) for k, v in partials.items()
        }

    def implicit_partials(self, value):
        value = self._as_value(value)
        xp = self.xp
        y = self._up(value)
        a = xp.broadcast_to(self._up(self.concentration1), y.shape)
        b = xp.broadcast_to(self._up(self.concentration0), y.shape)
        da, db = incomplete_beta.beta_log_partials(self._backend, a, b, y)
        return {"concentration1": self._down(da), "concentration0": self._down(db)}

    def log_prob(self, value):
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        a, b, y = self._up(self.concentration1), self._up(self.concentration0), self._up(value)
        log_beta = bk.lgamma(a) + bk.lgamma(b) - bk.lgamma(a + b)
        inside = y < 0.0
        safe = xp.where(inside, y, xp.full_like(y, -1.0))
        log_1mz = xp.where(inside, log1mexp(xp, safe), xp.full_like(y, -float("inf")))
        return masked_log_prob(
            self, value, self._down(a * y + _times(bk, b - 1.0, log_1mz) - log_beta)
        )

    @property
    def mean(self):
        """digamma(a) - digamma(a + b)."""
        bk = self._backend
        a, b = self._up(self.concentration1), self._up(self.concentration0)
        return self._down(bk.digamma(a) - bk.digamma(a + b))


def _times(bk, c, log_v):
    """c * log_v with 0 * (-inf) = 0 (xlogy's convention, in log space)."""
    xp = bk.xp
    zero = c == 0.0
    return xp.where(zero, xp.zeros_like(log_v), c * xp.where(zero, xp.zeros_like(log_v), log_v))
