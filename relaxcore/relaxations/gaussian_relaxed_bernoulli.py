"""Gaussian stochastic gates (Yamada et al. 2020, "Feature selection using stochastic gates")."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution
from relaxcore.distributions.normal import normal_log_density
from relaxcore.math.special import HALF_LOG_2PI


class GaussianRelaxedBernoulli(Distribution):
    r"""Clipped Gaussian gate on [0, 1]: ``z = clip(loc + scale * eps, 0, 1)``, ``eps ~ N(0, 1)``.

    Inside (0, 1) the gradient of ``z`` reaches ``loc`` (1) and ``scale`` (``eps``); at the
    clipped atoms it is 0, as in the paper.

    The law is mixed: atoms :math:`P(z=0) = \Phi(-\mu/\sigma)` and
    :math:`P(z=1) = \Phi((\mu-1)/\sigma)`, and the Gaussian density inside. ``log_prob``
    is the log density with respect to :math:`\delta_0 + \mathrm{Lebesgue}_{(0,1)} + \delta_1`:
    the log mass at exactly 0 and exactly 1, the normal log density in between. It
    integrates (sums at the atoms) to 1.

    .. math:: E[z] = \mu(\Phi(b)-\Phi(a)) + \sigma(\varphi(a)-\varphi(b)) + \Phi(-b),
              \quad a = -\mu/\sigma,\; b = (1-\mu)/\sigma

    Args:
        loc: real, the gate's mean before clipping (the paper's mu).
        scale: > 0, the noise scale (the paper's sigma); may carry gradients.
    """

    loc: Array
    scale: Array

    arg_constraints = {"loc": constraints.finite, "scale": constraints.positive}
    param_event_ndims = {"loc": 0, "scale": 0}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(
        self,
        loc: ArrayLike,
        scale: ArrayLike,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        p = self._init_elementwise({"loc": loc, "scale": scale}, backend, validate_args)
        self._invalid = invalid_params(self, p)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._normal_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        z = self._up(self.loc) + self._up(self.scale) * self._up(noise)
        return nan_where_invalid(self, self._down(self.xp.clip(z, 0.0, 1.0)), 0)

    def _bounds(self):
        loc, scale = self._up(self.loc), self._up(self.scale)
        return loc, scale, -loc / scale, (1 - loc) / scale

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        z = self._up(value)
        loc, scale, a, b = self._bounds()
        low, high = z <= 0, z >= 1
        # each branch sees safe inputs where it is not taken (finite, untaken gradients)
        zero = xp.zeros_like(a)
        w = xp.where(low | high, zero, (z - loc) / scale)
        inside = normal_log_density(xp, w, scale)
        at_low = bk.log_ndtr(xp.where(low, a, zero))
        at_high = bk.log_ndtr(xp.where(high, -b, zero))
        out = xp.where(low, at_low, xp.where(high, at_high, inside))
        return masked_log_prob(self, value, self._down(out))

    def cdf(self, value: ArrayLike) -> Array:
        """P(z <= value): Phi((value - loc)/scale) on [0, 1), 1 from 1 on."""
        value = self._as_value(value)
        xp = self.xp
        z = self._up(value)
        loc, scale, _, _ = self._bounds()
        out = self._backend.ndtr((z - loc) / scale)
        out = xp.where(z < 0, xp.zeros_like(out), xp.where(z >= 1, xp.ones_like(out), out))
        return self._down(out)

    def prob_nonzero(self) -> Array:
        """P(z != 0) = Phi(loc / scale), the expected L0 norm of the gate."""
        loc, scale, a, _ = self._bounds()
        return self._down(self._backend.ndtr(-a))

    @property
    def mean(self) -> Array:
        bk, xp = self._backend, self.xp
        loc, scale, a, b = self._bounds()
        phi = lambda t: xp.exp(-0.5 * t * t - HALF_LOG_2PI)  # noqa: E731
        inner = loc * (bk.ndtr(b) - bk.ndtr(a)) + scale * (phi(a) - phi(b))
        return self._down(inner + bk.ndtr(-b))
