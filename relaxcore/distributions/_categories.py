"""What Categorical and OneHotCategorical share: K probabilities, Gumbel-max draws, entropy
and the KL divergence."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params
from relaxcore.distribution import Distribution, compute_dtype, promote_params
from relaxcore.relaxations._logits import log_probs, one_of, validate_unless_finite


def finite_or_zero(xp, x):
    """`x` with its infinite entries replaced by 0 (the safe branch of a double ``where``)."""
    return xp.where(xp.isfinite(x), x, xp.zeros_like(x))


class Categories(Distribution):
    """Base of the distributions over K categories, parameterized by ``probs`` or ``logits``.

    ``logits`` is stored normalized (log-probabilities, ``-inf`` for a category of
    probability 0); ``probs`` is its softmax. Subclasses fix the value's form (an index or a
    one-hot vector).
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.category_logits}
    param_event_ndims = {"logits": 1}
    has_enumerate_support = True

    def __init__(self, probs, logits, validate_args, backend, one_hot: bool):
        name = type(self).__name__
        one_of(name, probs, logits)
        bk, dtype, device, p = promote_params({"probs": probs, "logits": logits}, backend)
        xp = bk.xp
        raw = p["logits"] if logits is not None else p["probs"]
        if raw.ndim < 1:
            raise ValueError(
                f"{name}: {'logits' if logits is not None else 'probs'} must have shape "
                f"(..., K), the last axis indexing the K categories; got a scalar"
            )
        batch, k = raw.shape[:-1], raw.shape[-1:]
        super().__init__(bk, dtype, device, batch, k if one_hot else (), validate_args)
        validate_unless_finite(self, p, raw if logits is not None else None)
        # unvalidated invalid probs (negative, unnormalized, NaN): NaN log_prob (and NaN
        # one-hot samples), not a silently renormalized law
        self._invalid = invalid_params(self, p)
        up = compute_dtype(xp, dtype)
        log_p = raw if logits is not None else log_probs(xp, raw)
        log_p = log_p if log_p.dtype == up else xp.astype(log_p, up)
        self.logits = self._down(bk.log_softmax(log_p, axis=-1))

    @property
    def num_categories(self) -> int:
        return int(self.logits.shape[-1])

    @property
    def probs(self):
        return self._down(self._backend.softmax(self._up(self.logits), axis=-1))

    def _index_sample(self, sample_shape, rng):
        """Category indices by Gumbel-max: ``argmax_k(logits_k + g_k)``, ``g`` Gumbel(0, 1),
        shape ``sample_shape + batch_shape``, in the dtype of ``xp.argmax``."""
        bk, xp = self._backend, self.xp
        shape = tuple(sample_shape) + self._batch_shape + (self.num_categories,)
        u = bk.uniform(bk.as_rng(rng, self._device), shape, self._compute_dtype(), self._device)
        gumbel = -xp.log(-xp.log(self._open_unit(u)))
        return xp.argmax(self._up(self.logits) + gumbel, axis=-1)

    def _categories(self, dtype=None):
        """0, ..., K-1 in `dtype` (default: the framework's default integer, argmax's dtype)."""
        return self.xp.arange(self.num_categories, dtype=dtype, device=self._device)

    def entropy(self):
        r""":math:`-\sum_k p_k \log p_k`, with ``0 log 0 = 0`` (zero gradient there)."""
        xp = self.xp
        logits = self._up(self.logits)
        p = self._backend.softmax(logits, axis=-1)
        return self._down(-xp.sum(p * finite_or_zero(xp, logits), axis=-1))


def kl_categories(p, q):
    r""":math:`\sum_k p_k (\log p_k - \log q_k)`: 0 where :math:`p_k = 0`, +inf where
    :math:`q_k = 0 < p_k`."""
    if p.num_categories != q.num_categories:
        raise ValueError(
            f"kl_divergence: p and q must have the same number of categories; got "
            f"{p.num_categories} and {q.num_categories}"
        )
    xp = p.xp
    lp, lq = p._up(p.logits), p._up(q.logits)
    has_mass = lp > -float("inf")
    zero = xp.zeros_like(lp)
    lp_safe, lq_safe = xp.where(has_mass, lp, zero), xp.where(has_mass, lq, zero)
    terms = p._backend.softmax(lp, axis=-1) * (lp_safe - lq_safe)
    return p._down(xp.sum(xp.where(has_mass, terms, zero), axis=-1))
