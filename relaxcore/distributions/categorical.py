"""The categorical distribution over the integers 0, ..., K-1."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distributions._categories import Categories, kl_categories
from relaxcore.kl import register_kl


class Categorical(Categories):
    r"""Categorical(probs) on :math:`\{0, \dots, K-1\}`: :math:`P(x = k) = p_k`.

    Values are integer arrays of shape ``sample_shape + batch_shape``, in the dtype of the
    framework's ``argmax`` (its default integer: int64 in NumPy and PyTorch, int32 in JAX
    unless ``jax_enable_x64``). ``log_prob`` takes integer arrays, or real arrays holding
    integers; any other value has log-probability -inf. Draws: Gumbel-max,
    :math:`x = \arg\max_k (\log p_k + g_k)`, :math:`g_k` standard Gumbel.

    Probabilities of 0 (logits -inf) are allowed: such a category is never drawn, has
    log-probability -inf, and contributes 0 (with a zero gradient) to the entropy.
    ``mean`` and ``variance`` are the moments of the integer label (meaningful when the
    categories are ordered; torch.distributions returns NaN instead).

    Args:
        probs: event of K probabilities (zeros allowed), or
        logits: event of K unnormalized log-probabilities (-inf allowed).
    """

    def __init__(
        self,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        super().__init__(probs, logits, validate_args, backend, one_hot=False)

    @property  # the base's class attribute, per instance here
    def support(self):  # type: ignore[override]
        return constraints.integer_interval(0, self.num_categories - 1)

    def sample(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._index_sample(sample_shape, rng)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        logits = self._up(self.logits)
        hit = xp.expand_dims(value, axis=-1) == self._categories(value.dtype)
        picked = xp.sum(xp.where(hit, logits, xp.zeros_like(logits)), axis=-1)
        inside = xp.any(hit, axis=-1)  # False for non-integers and integers outside [0, K-1]
        out = self._down(xp.where(inside, picked, xp.full_like(picked, -float("inf"))))
        return nan_where_invalid(self, out)

    @property
    def mode(self) -> Array:
        return self.xp.argmax(self.logits, axis=-1)

    @property
    def mean(self) -> Array:
        xp = self.xp
        return xp.sum(self.probs * self._categories(self._dtype), axis=-1)

    @property
    def variance(self) -> Array:
        xp = self.xp
        k = self._categories(self._dtype)
        return xp.sum(self.probs * (k - xp.expand_dims(self.mean, axis=-1)) ** 2, axis=-1)

    def enumerate_support(self, expand: bool = True) -> Array:
        """The K values, shape ``(K,) + (1,) * len(batch_shape)``, or with `expand`
        ``(K,) + batch_shape`` (torch.distributions' layout, as Pyro enumerates)."""
        xp = self.xp
        values = self._categories()
        values = xp.reshape(values, (self.num_categories,) + (1,) * len(self._batch_shape))
        if expand:
            values = xp.broadcast_to(values, (self.num_categories,) + self._batch_shape)
        return values


register_kl(Categorical, Categorical)(kl_categories)
