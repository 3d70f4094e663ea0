"""The multivariate normal with a diagonal covariance, MultivariateNormalDiag(loc, scale_diag)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.distributions.normal import normal_log_density
from relaxcore.math.special import HALF_LOG_2PI


class MultivariateNormalDiag(Distribution):
    r"""N(loc, diag(scale_diag^2)) on vectors: ``z = loc + scale_diag * eps``, ``eps ~ N(0, I)``.

    .. math:: \log p(z) = \sum_i \bigl(-\tfrac12 w_i^2 - \log s_i\bigr) - \tfrac d2\log 2\pi,
              \quad w = (z - \mu)/s

    The last axis of ``loc`` / ``scale_diag`` is the event (TFP's name and layout).
    """

    arg_constraints = {"loc": constraints.real, "scale_diag": constraints.positive}
    param_event_ndims = {"loc": 1, "scale_diag": 1}
    has_rsample = True

    def __init__(
        self,
        loc: ArrayLike,
        scale_diag: ArrayLike | None = None,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        bk, dtype, device, p = promote_params({"loc": loc, "scale_diag": scale_diag}, backend)
        xp = bk.xp
        if p["loc"].ndim < 1:
            raise ValueError("MultivariateNormalDiag: loc must have at least one axis (the event)")
        scale = p["scale_diag"] if scale_diag is not None else xp.ones_like(p["loc"])
        shape = broadcast_shapes(
            p["loc"].shape, scale.shape, names=["loc", "scale_diag"], owner=type(self).__name__
        )
        super().__init__(bk, dtype, device, shape[:-1], shape[-1:], validate_args)
        self._validate_params({"loc": p["loc"], "scale_diag": scale})
        self._invalid = invalid_params(self, {"loc": p["loc"], "scale_diag": scale})
        self.loc = xp.broadcast_to(p["loc"], shape)
        self.scale_diag = xp.broadcast_to(scale, shape)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._normal_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        return nan_where_invalid(
            self, self._down(self._up(self.loc) + self._up(self.scale_diag) * self._up(noise)), 1
        )

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        scale = self._up(self.scale_diag)
        w = (self._up(value) - self._up(self.loc)) / scale
        per_dim = normal_log_density(xp, w, scale)
        return masked_log_prob(self, value, self._down(xp.sum(per_dim, axis=-1)))

    @property
    def mean(self) -> Array:
        return self.loc

    @property
    def variance(self) -> Array:
        return self.scale_diag**2

    @property
    def stddev(self) -> Array:
        return self.scale_diag

    def entropy(self) -> Array:
        xp = self.xp
        d = self._event_shape[0]
        return self._down(
            d * (0.5 + HALF_LOG_2PI) + xp.sum(xp.log(self._up(self.scale_diag)), axis=-1)
        )
