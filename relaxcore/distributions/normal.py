"""The normal distribution N(loc, scale^2)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution
from relaxcore.math.special import HALF_LOG_2PI


def normal_log_density(xp, w, scale):
    """log N(mu + scale * w | mu, scale^2) = -w^2/2 - log(scale) - log(2 pi)/2, from the
    standardized value `w` (shared by every Gaussian density of the library)."""
    return -0.5 * w * w - xp.log(scale) - HALF_LOG_2PI


class Normal(Distribution):
    r"""N(loc, scale^2): ``z = loc + scale * eps``, noise ``eps ~ N(0, 1)``.

    .. math:: \log p(z) = -\tfrac12((z-\mu)/\sigma)^2 - \log\sigma - \tfrac12\log 2\pi,
              \qquad F(z) = \Phi((z-\mu)/\sigma)
    """

    loc: Array
    scale: Array

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    param_event_ndims = {"loc": 0, "scale": 0}
    support = constraints.real
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
        return nan_where_invalid(
            self, self._down(self._up(self.loc) + self._up(self.scale) * self._up(noise)), 0
        )

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        scale = self._up(self.scale)
        w = (self._up(value) - self._up(self.loc)) / scale
        return masked_log_prob(self, value, self._down(normal_log_density(xp, w, scale)))

    def cdf(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        w = (self._up(value) - self._up(self.loc)) / self._up(self.scale)
        return self._down(self._backend.ndtr(w))

    def log_cdf(self, value: ArrayLike) -> Array:
        """log Phi(w), accurate in the left tail (TFP's name)."""
        value = self._as_value(value)
        w = (self._up(value) - self._up(self.loc)) / self._up(self.scale)
        return self._down(self._backend.log_ndtr(w))

    def log_survival_function(self, value: ArrayLike) -> Array:
        """log(1 - Phi(w)) = log Phi(-w), accurate in the right tail (TFP's name)."""
        value = self._as_value(value)
        w = (self._up(value) - self._up(self.loc)) / self._up(self.scale)
        return self._down(self._backend.log_ndtr(-w))

    def icdf(self, q: Array) -> Array:
        """The quantile function loc + scale * ndtri(q)."""
        q = self._as_value(q)
        return self._down(
            self._up(self.loc) + self._up(self.scale) * self._backend.ndtri(self._up(q))
        )

    @property
    def mean(self) -> Array:
        return self.loc

    @property
    def variance(self) -> Array:
        return self.scale**2

    @property
    def stddev(self) -> Array:
        return self.scale

    def entropy(self) -> Array:
        return self._down(0.5 + HALF_LOG_2PI + self.xp.log(self._up(self.scale)))
