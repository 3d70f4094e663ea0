"""Straight-through Bernoulli (Bengio, Leonard & Courville 2013, section 4; Hinton's
straight-through estimator)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.relaxations._logits import one_of, probs_to_logits


class StraightThroughBernoulli(Distribution):
    r"""Bernoulli(p) forward, identity gradient backward: ``z = b + (p - stop_gradient(p))``.

    Noise ``u ~ Uniform(0, 1)``; ``b = 1[u < p]``. The value is exactly ``b`` (the correction
    is exactly 0), so ``sample`` and ``rsample`` are the same Bernoulli(p) draws; the gradient
    is that of ``p`` (dz/dp = 1). The gradient reaches the parameter that was passed: ``probs``
    directly, or ``logits`` through ``p = sigmoid(logits)``.
    ``log_prob`` is the Bernoulli log mass :math:`b\log p + (1-b)\log(1-p)`.

    Args:
        probs: in [0, 1], or
        logits: real or +-inf.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.bernoulli_logits}
    param_event_ndims = {"probs": 0, "logits": 0}
    support = constraints.boolean
    has_rsample = True

    def __init__(
        self,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        one_of(type(self).__name__, probs, logits)
        bk, dtype, device, p = promote_params({"probs": probs, "logits": logits}, backend)
        xp = bk.xp
        raw = p["logits"] if logits is not None else p["probs"]
        super().__init__(bk, dtype, device, raw.shape, (), validate_args)
        self._validate_params(p)
        self._invalid = invalid_params(self, p)
        if logits is not None:
            self.logits, self.probs = raw, bk.sigmoid(raw)
        else:
            self.logits, self.probs = probs_to_logits(xp, raw), raw

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        xp = self.xp
        p = self._up(self.probs)
        b = xp.astype(self._up(noise) < p, p.dtype)
        return nan_where_invalid(self, self._down(b + (p - self._backend.stop_gradient(p))), 0)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        logits = self._up(self.logits)
        return masked_log_prob(
            self,
            value,
            self._down(
                xp.where(self._up(value) > 0, bk.log_sigmoid(logits), bk.log_sigmoid(-logits))
            ),
        )

    @property
    def mean(self) -> Array:
        return self.probs

    @property
    def variance(self) -> Array:
        return self.probs * (1 - self.probs)
