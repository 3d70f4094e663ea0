"""The categorical distribution on one-hot vectors."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distributions._categories import Categories, finite_or_zero, kl_categories
from relaxcore.kl import register_kl


class OneHotCategorical(Categories):
    r"""Categorical(probs) on the one-hot vectors :math:`e_0, \dots, e_{K-1}` of length K.

    .. math:: \log p(x) = \sum_k x_k \log p_k \quad (x \text{ one-hot})

    Values have the distribution's float dtype and shape ``sample_shape + batch_shape +
    (K,)``; a value that is not one-hot has log-probability -inf. The gradient of
    ``log_prob`` reaches the value too (it is ``log p``, with -inf entries read as 0), as in
    torch.distributions, for straight-through estimators. Draws: Gumbel-max.
    ``mean`` is ``probs`` and ``variance`` ``probs (1 - probs)``. Probabilities of 0
    (logits -inf) are allowed, as in :class:`relaxcore.Categorical`.

    Args:
        probs: event of K probabilities (zeros allowed), or
        logits: event of K unnormalized log-probabilities (-inf allowed).
    """

    support = constraints.one_hot

    def __init__(
        self,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        super().__init__(probs, logits, validate_args, backend, one_hot=True)

    def _one_hot(self, index):
        xp = self.xp
        return xp.astype(xp.expand_dims(index, axis=-1) == self._categories(), self._dtype)

    def sample(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return nan_where_invalid(self, self._one_hot(self._index_sample(sample_shape, rng)), 1)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        logits, x = self._up(self.logits), self._up(value)
        out = xp.sum(x * finite_or_zero(xp, logits), axis=-1)
        one_hot = xp.all((x == 0) | (x == 1), axis=-1) & (xp.sum(x, axis=-1) == 1)
        on_a_zero = xp.any((x != 0) & ~xp.isfinite(logits), axis=-1)  # picks a probability 0
        out = xp.where(one_hot & ~on_a_zero, out, xp.full_like(out, -float("inf")))
        return nan_where_invalid(self, self._down(out))

    @property
    def mode(self) -> Array:
        return self._one_hot(self.xp.argmax(self.logits, axis=-1))

    @property
    def mean(self) -> Array:
        return self.probs

    @property
    def variance(self) -> Array:
        p = self.probs
        return p * (1.0 - p)

    def enumerate_support(self, expand: bool = True) -> Array:
        """The K one-hot vectors, shape ``(K,) + (1,) * len(batch_shape) + (K,)``, or with
        `expand` ``(K,) + batch_shape + (K,)`` (torch.distributions' layout)."""
        xp = self.xp
        k = self.num_categories
        values = xp.eye(k, dtype=self._dtype, device=self._device)
        values = xp.reshape(values, (k,) + (1,) * len(self._batch_shape) + (k,))
        if expand:
            values = xp.broadcast_to(values, (k,) + self._batch_shape + (k,))
        return values


register_kl(OneHotCategorical, OneHotCategorical)(kl_categories)
