"""Generalized Gumbel-Softmax (Joo, Kim, Kim & Moon 2020, "Generalized Gumbel-Softmax Gradient
Estimator for Generic Discrete Random Variables"): a relaxed draw of a law on finitely many
values."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.relaxations.relaxed_one_hot_categorical import RelaxedOneHotCategorical
from relaxcore.relaxations.straight_through_categorical import (
    RelaxedOneHotCategoricalStraightThrough,
)


class GeneralizedGumbelSoftmax(Distribution):
    r"""A relaxed sample of the law :math:`P(X = v_k) = p_k` on the values
    :math:`v_1, \dots, v_K`: the Gumbel-Softmax weights projected on the values,

    .. math:: X = \sum_k w_k v_k, \qquad w = \mathrm{softmax}((\log p + g)/\tau),

    with Gumbel noise :math:`g` (Joo et al. 2020, eq. 5, the linear transformation of a
    relaxed one-hot sample). With ``hard=True`` the weights are the one-hot argmax with the
    soft weights' gradient, so :math:`X` is exactly one of the values and follows the law.
    For a distribution with infinite support, truncate it first, e.g. a Poisson(rate) on
    ``values = arange(K)`` with ``logits = values * log(rate) - lgamma(values + 1)``.

    ``log_prob`` is the log-mass of the discrete law at the value (``logsumexp`` of the
    log-probabilities of the equal values, -inf off the values): exact for hard samples; a
    soft sample generally lies between the values and has log-mass -inf (its density is
    intractable). ``mean`` and ``variance`` are the discrete law's.

    Args:
        values: (..., K) real values, broadcasting with the logits.
        temperature: > 0, scalar or batched; may carry gradients.
        probs: (..., K) on the simplex, or logits: (..., K) (-inf allowed).
        hard: straight-through: exact values forward, relaxed gradient backward.
    """

    arg_constraints = {"values": constraints.real}
    param_event_ndims = {"values": 1}
    support = constraints.real
    has_rsample = True

    def __init__(
        self,
        values: ArrayLike,
        temperature: ArrayLike,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        hard: bool = False,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        cls = RelaxedOneHotCategoricalStraightThrough if hard else RelaxedOneHotCategorical
        weights = cls(
            temperature, probs=probs, logits=logits, validate_args=validate_args, backend=backend
        )
        bk = weights.backend
        _, _, _, p = promote_params(
            {"values": values, "like": weights.temperature},
            bk.name,
            "GeneralizedGumbelSoftmax",
            ("values",),
        )
        v = p["values"]
        if v.ndim < 1 or (v.shape[-1] != weights.event_shape[0] and v.shape[-1] != 1):
            raise ValueError(
                f"GeneralizedGumbelSoftmax: values must have shape (..., K) with K = "
                f"{weights.event_shape[0]} (one value per category); got {tuple(v.shape)}"
            )
        batch = broadcast_shapes(
            v.shape[:-1],
            weights.batch_shape,
            names=["values (batch axes, before K)", "the batch of temperature and logits/probs"],
            owner="GeneralizedGumbelSoftmax",
        )
        super().__init__(bk, weights.dtype, weights._device, batch, (), weights.validate_args)
        self._validate_params({"values": v})
        self.values = bk.xp.broadcast_to(v, batch + weights.event_shape)
        self.weights = weights.expand(batch)
        self.hard = bool(hard)

    @property
    def logits(self) -> Array:
        return self.weights.logits

    @property
    def probs(self) -> Array:
        return self.weights.probs

    @property
    def temperature(self) -> Array:
        return self.weights.temperature

    def weights_to_values(self, weights: Array) -> Array:
        """``sum_k weights_k * values_k``: relaxed (or one-hot) weights to a value."""
        return self.xp.sum(weights * self.values, axis=-1)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self.weights.sample_noise(sample_shape, rng=rng)

    def reparameterize(self, noise: Array) -> Array:
        return self.weights_to_values(self.weights.reparameterize(noise))

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        logits = self._up(self.logits)
        hit = xp.expand_dims(self._up(value), axis=-1) == self._up(self.values)
        picked = xp.where(hit, logits, xp.full_like(logits, -float("inf")))
        return self._down(bk.logsumexp(picked, axis=-1))

    @property
    def mean(self) -> Array:
        return self.xp.sum(self.probs * self.values, axis=-1)

    @property
    def variance(self) -> Array:
        xp = self.xp
        centered = self.values - xp.expand_dims(self.mean, axis=-1)
        return xp.sum(self.probs * centered**2, axis=-1)

    def expand(self, batch_shape: Shape) -> Distribution:
        batch_shape = tuple(int(n) for n in batch_shape)
        new = super().expand(batch_shape)
        new.weights = self.weights.expand(batch_shape)
        return new
