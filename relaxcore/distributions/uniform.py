"""The continuous uniform distribution U(low, high)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution


class Uniform(Distribution):
    r"""U(low, high): ``z = low + (high - low) * u``, noise ``u ~ U(0, 1)``.

    .. math:: \log p(z) = -\log(\mathrm{high} - \mathrm{low})\ \text{on}\ [\mathrm{low},
              \mathrm{high}], \qquad F(z) = \mathrm{clip}((z - \mathrm{low}) /
              (\mathrm{high} - \mathrm{low}), 0, 1)

    Outside the support ``log_prob`` is -inf (with ``validate_args=False``; else ValueError).
    """

    high: Array
    low: Array

    arg_constraints = {"low": constraints.finite, "high": constraints.finite}
    param_event_ndims = {"low": 0, "high": 0}
    has_rsample = True

    def __init__(
        self,
        low: ArrayLike = 0.0,
        high: ArrayLike = 1.0,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        p = self._init_elementwise({"low": low, "high": high}, backend, validate_args)
        self._invalid = invalid_params(self, p, extra=self.low < self.high)
        if self._validate_args and not self._backend.is_traced(self.high):
            if not bool(self.xp.all(self.low < self.high)):
                raise ValueError("Uniform: low must be < high elementwise")

    @property  # the base's class attribute, per instance here
    def support(self):  # type: ignore[override]
        low, high = self.low, self.high
        return constraints.Constraint("in [low, high]", lambda xp, x: (x >= low) & (x <= high))

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        low = self._up(self.low)
        return nan_where_invalid(
            self, self._down(low + (self._up(self.high) - low) * self._up(noise)), 0
        )

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        z, low, high = self._up(value), self._up(self.low), self._up(self.high)
        inside = (z >= low) & (z <= high)
        density = -xp.log(high - low)
        return masked_log_prob(
            self, value, self._down(xp.where(inside, density, xp.full_like(density, -float("inf"))))
        )

    def cdf(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        low, high = self._up(self.low), self._up(self.high)
        return self._down(self.xp.clip((self._up(value) - low) / (high - low), 0.0, 1.0))

    def icdf(self, q: Array) -> Array:
        """The quantile function low + (high - low) * q."""
        return self.reparameterize(self._as_value(q))

    @property
    def mean(self) -> Array:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> Array:
        return (self.high - self.low) ** 2 / 12

    def entropy(self) -> Array:
        return self.xp.log(self.high - self.low)
