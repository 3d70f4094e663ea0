"""Straight-through Gumbel-Softmax (Jang et al. 2017, section 2.2)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import masked_log_prob, nan_where_invalid
from relaxcore._typing import Array, ArrayLike
from relaxcore.relaxations.relaxed_one_hot_categorical import RelaxedOneHotCategorical


class RelaxedOneHotCategoricalStraightThrough(RelaxedOneHotCategorical):
    """Hard one-hot forward, Gumbel-Softmax gradient backward.

    ``z = hard + (soft - stop_gradient(soft))``: the value is exactly the one-hot
    ``argmax(logits + g)`` (the correction is exactly 0), the gradient is that of the soft
    sample. The one-hot value is a Categorical(probs) draw, so ``log_prob`` is the
    categorical log-probability of the one-hot value.
    Same parameters and noise as :class:`RelaxedOneHotCategorical`.
    """

    support = constraints.one_hot

    def reparameterize(self, noise: Array) -> Array:
        xp = self.xp
        soft = self._soft(noise)
        index = xp.argmax(soft, axis=-1, keepdims=True)
        categories = xp.arange(soft.shape[-1], device=self._device)
        hard = xp.astype(categories == index, soft.dtype)
        return nan_where_invalid(
            self, self._down(hard + (soft - self._backend.stop_gradient(soft))), 1
        )

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        logits = self._up(self.logits)
        chosen = self._up(value) > 0
        picked = xp.where(chosen, logits, xp.zeros_like(logits))
        return masked_log_prob(self, value, self._down(xp.sum(picked, axis=-1)))
