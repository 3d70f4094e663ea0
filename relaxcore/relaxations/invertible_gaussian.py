"""Invertible Gaussian reparameterization (Potapczynski, Loaiza-Ganem & Cunningham 2020,
"Invertible Gaussian reparameterization: revisiting the Gumbel-Softmax", section 3)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.distributions.normal import normal_log_density
from relaxcore.relaxations._logits import log_clipped


class InvertibleGaussian(Distribution):
    r"""A Gaussian pushed through softmax++ onto the K-simplex (K+1 coordinates).

    Noise ``eps ~ N(0, I_K)``; ``y = loc + scale * eps`` and

    .. math:: z_k = \frac{e^{y_k/\tau}}{\sum_{j\le K} e^{y_j/\tau} + \delta}\ (k \le K),\qquad
              z_{K+1} = \frac{\delta}{\sum_{j\le K} e^{y_j/\tau} + \delta},

    computed as ``softmax([y/tau, log delta])`` (max-shifted: stable for y/tau of 100 and
    more). The event has K+1 coordinates for ``loc`` of size K.

    The map y -> (z_1..z_K) is a bijection onto the open simplex with
    :math:`y_k = \tau(\log z_k - \log z_{K+1} + \log\delta)` and Jacobian determinant
    :math:`\tau^{-K}\prod_{k=1}^{K+1} z_k`, so ``log_prob`` is the density of
    (z_1..z_K) with respect to Lebesgue measure on those K free coordinates:

    .. math:: \log p(z) = \sum_{k\le K}\log N(y_k; \mu_k, \sigma_k) + K\log\tau
              - \sum_{k=1}^{K+1}\log z_k

    It integrates to 1 over the simplex. Mean and entropy have no closed form.

    Args:
        loc: (..., K) real. scale: (..., K) or broadcastable, > 0.
        temperature: > 0. delta: > 0 (default 1), the extra softmax++ term.
    """

    arg_constraints = {
        "loc": constraints.finite,
        "scale": constraints.positive,
        "temperature": constraints.positive,
        "delta": constraints.positive,
    }
    param_event_ndims = {"loc": 1, "scale": 1, "temperature": 0, "delta": 0}
    support = constraints.simplex
    has_rsample = True

    def __init__(
        self,
        loc: ArrayLike,
        scale: ArrayLike,
        temperature: ArrayLike,
        delta: ArrayLike = 1.0,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        bk, dtype, device, p = promote_params(
            {"loc": loc, "scale": scale, "temperature": temperature, "delta": delta},
            backend,
            type(self).__name__,
            type(self)._required_params,
        )
        xp = bk.xp
        if p["loc"].ndim < 1:
            raise ValueError(f"{type(self).__name__}: loc must have shape (..., K); got a scalar")
        name = type(self).__name__
        event = broadcast_shapes(
            p["loc"].shape, p["scale"].shape, names=["loc", "scale"], owner=name
        )
        batch_shape = broadcast_shapes(
            event[:-1],
            p["temperature"].shape,
            p["delta"].shape,
            names=["loc (batch axes, before K)", "temperature", "delta"],
            owner=name,
        )
        k = event[-1]
        super().__init__(bk, dtype, device, batch_shape, (k + 1,), validate_args)
        self._validate_params(p)
        self._invalid = invalid_params(self, p)
        self.loc = xp.broadcast_to(p["loc"], batch_shape + (k,))
        self.scale = xp.broadcast_to(p["scale"], batch_shape + (k,))
        self.temperature = xp.broadcast_to(p["temperature"], batch_shape)
        self.delta = xp.broadcast_to(p["delta"], batch_shape)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        bk = self._backend
        shape = tuple(sample_shape) + self._batch_shape + (self._event_shape[0] - 1,)
        return bk.normal(bk.as_rng(rng, self._device), shape, self._compute_dtype(), self._device)

    def reparameterize(self, noise: Array) -> Array:
        xp = self.xp
        y = self._up(self.loc) + self._up(self.scale) * self._up(noise)
        tau = xp.expand_dims(self._up(self.temperature), axis=-1)
        log_delta = xp.broadcast_to(
            xp.expand_dims(xp.log(self._up(self.delta)), axis=-1), y.shape[:-1] + (1,)
        )
        return nan_where_invalid(
            self,
            self._down(self._backend.softmax(xp.concat([y / tau, log_delta], axis=-1), axis=-1)),
            1,
        )

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        z = self._up(value)
        log_z = log_clipped(xp, z)
        k = self._event_shape[0] - 1
        tau = self._up(self.temperature)
        log_delta = xp.expand_dims(xp.log(self._up(self.delta)), axis=-1)
        y = xp.expand_dims(tau, axis=-1) * (log_z[..., :k] - log_z[..., k:] + log_delta)
        scale = self._up(self.scale)
        w = (y - self._up(self.loc)) / scale
        normal = xp.sum(normal_log_density(xp, w, scale), axis=-1)
        return masked_log_prob(
            self, value, self._down(normal + k * xp.log(tau) - xp.sum(log_z, axis=-1))
        )
