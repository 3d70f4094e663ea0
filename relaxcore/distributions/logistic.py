"""The logistic distribution Logistic(loc, scale)."""

from __future__ import annotations

import math

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution


class Logistic(Distribution):
    r"""Logistic(loc, scale): ``z = loc + scale * (log u - log(1 - u))``, noise ``u ~ U(0, 1)``.

    .. math:: \log p(z) = -w - 2\,\mathrm{softplus}(-w) - \log s, \quad w = (z - \mu)/s,
              \qquad F(z) = \sigma(w)

    Mean ``loc``, variance ``scale^2 pi^2 / 3``, entropy ``log scale + 2``.
    """

    loc: Array
    scale: Array

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    param_event_ndims = {"loc": 0, "scale": 0}
    has_rsample = True

    def __init__(
        self,
        loc: ArrayLike = 0.0,
        scale: ArrayLike = 1.0,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        p = self._init_elementwise({"loc": loc, "scale": scale}, backend, validate_args)
        self._invalid = invalid_params(self, p)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        xp = self.xp
        u = self._open_unit(self._up(noise))
        logistic = xp.log(u) - xp.log1p(-u)
        return nan_where_invalid(
            self, self._down(self._up(self.loc) + self._up(self.scale) * logistic), 0
        )

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        scale = self._up(self.scale)
        w = (self._up(value) - self._up(self.loc)) / scale
        return masked_log_prob(
            self, value, self._down(-w - 2 * self._backend.softplus(-w) - self.xp.log(scale))
        )

    def cdf(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        w = (self._up(value) - self._up(self.loc)) / self._up(self.scale)
        return self._down(self._backend.sigmoid(w))

    def log_cdf(self, value: ArrayLike) -> Array:
        """log sigmoid(w), accurate in the left tail (TFP's name)."""
        value = self._as_value(value)
        w = (self._up(value) - self._up(self.loc)) / self._up(self.scale)
        return self._down(self._backend.log_sigmoid(w))

    def log_survival_function(self, value: ArrayLike) -> Array:
        """log(1 - sigmoid(w)) = log sigmoid(-w), accurate in the right tail (TFP's name)."""
        value = self._as_value(value)
        w = (self._up(value) - self._up(self.loc)) / self._up(self.scale)
        return self._down(self._backend.log_sigmoid(-w))

    def icdf(self, q: Array) -> Array:
        """The quantile function loc + scale * logit(q)."""
        xp = self.xp
        q = self._up(self._as_value(q))
        return self._down(self._up(self.loc) + self._up(self.scale) * (xp.log(q) - xp.log1p(-q)))

    @property
    def mean(self) -> Array:
        return self.loc

    @property
    def variance(self) -> Array:
        return self.scale**2 * (math.pi**2 / 3)

    def entropy(self) -> Array:
        return self.xp.log(self.scale) + 2.0
