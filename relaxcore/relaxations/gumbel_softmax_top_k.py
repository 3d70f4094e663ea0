"""Relaxed k-hot subsets: Gumbel-top-k (Kool, van Hoof & Welling 2019) relaxed by k
successive softmaxes (Xie & Ermon 2019, "Reparameterizable subset sampling via continuous
relaxations", Algorithm 1; Plotz & Roth 2018)."""

from __future__ import annotations

import math

from relaxcore import constraints
from relaxcore._policy import invalid_params, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution
from relaxcore.relaxations._logits import log_probs, promote_categorical, tempered
from relaxcore.relaxations.lml_top_k import threshold_top_k


class GumbelSoftmaxTopK(Distribution):
    r"""A relaxed k-hot vector: k of K categories without replacement.

    Noise ``u ~ Uniform(0, 1)`` per category; ``alpha = logits + g`` with Gumbel
    ``g = -log(-log u)``. The top-k indices of ``alpha`` are an exact sample of k categories
    without replacement (Gumbel-top-k). The soft sample is

    .. math:: a_j = \mathrm{softmax}(\alpha_j/\tau),\quad
              \alpha_{j+1} = \alpha_j + \log(1 - a_j),\quad z = \sum_{j=1}^k a_j,

    so ``z`` sums to exactly k and tends to the top-k indicator as tau -> 0. The masking
    ``log(1 - a_j)`` is taken in log space (``log1p(-a)`` for the entries with a <= 1/2,
    ``logsumexp`` of the other entries minus ``logsumexp`` of all for the largest), with
    no large constants: finite for temperatures down to 1e-3 and below.
    Entries of the soft ``z`` are >= 0 but are NOT bounded by 1: when two perturbed logits
    are within about tau of each other, the first step splits its mass between them and
    the second step then puts nearly 1 more on one of them (up to about 1.5 at K = 5,
    k = 2, at every temperature; the tests show it). This is the paper's algorithm, kept
    as written; use ``hard=True`` where values must be in {0, 1}, ``method="threshold"``
    where they must stay in [0, 1].

    ``hard=True`` returns the exact k-hot top-k indicator (exactly k ones) with the soft
    sample's gradient (straight-through). ``log_prob`` is not implemented: the soft sample
    has no tractable density, and the mass of an unordered k-subset is a sum over its k!
    orderings (Kool et al. 2019, eq. 5 ff.).

    Args:
        temperature: > 0. k: int, 1 <= k <= K, and at most the number of categories with
            positive probability. probs: (..., K) on the simplex, or logits: (..., K).
        hard: exact k-hot values (straight-through) instead of the soft relaxation.
        method: "successive" (the default: the k softmaxes above, entries may exceed 1) or
            "threshold": ``z = sigmoid(alpha / tau + nu)`` with ``nu`` such that ``z`` sums to
            k, entries in [0, 1] (LML; :func:`relaxcore.relaxations.lml_top_k.threshold_top_k`,
            gradient by implicit differentiation).
    """

    arg_constraints = {
        "temperature": constraints.positive,
        "probs": constraints.simplex,
        "logits": constraints.category_logits,
    }
    param_event_ndims = {"temperature": 0, "logits": 1}
    support = constraints.Constraint(">= 0 elementwise", lambda xp, x: xp.all(x >= 0, axis=-1), 1)
    has_rsample = True

    def __init__(
        self,
        temperature: ArrayLike,
        k: int,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        hard: bool = False,
        method: str = "successive",
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        name = type(self).__name__
        bk, dtype, device, p, raw, batch_shape = promote_categorical(
            name, temperature, probs, logits, backend
        )
        xp = bk.xp
        n = raw.shape[-1]
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n:
            raise ValueError(f"{name}: k must be an integer in [1, K] = [1, {n}]; got {k!r}")
        super().__init__(bk, dtype, device, batch_shape, (n,), validate_args)
        self._validate_params(p)
        self._invalid = invalid_params(self, p)
        log_p = raw if logits is not None else log_probs(xp, raw)
        log_p = log_p - bk.logsumexp(log_p, axis=-1, keepdims=True)
        if self._validate_args and not bk.is_traced(log_p) and math.prod(batch_shape):
            positive = int(xp.min(xp.sum(xp.astype(log_p > -float("inf"), xp.int32), axis=-1)))
            if positive < k:
                raise ValueError(
                    f"{name}: k = {k} exceeds the number of categories with "
                    f"positive probability ({positive})"
                )
        self.logits = xp.broadcast_to(log_p, batch_shape + (n,))
        self.temperature = xp.broadcast_to(p["temperature"], batch_shape)
        self.k = k
        self.hard = bool(hard)
        if method not in ("successive", "threshold"):
            raise ValueError(f"{name}: method must be 'successive' or 'threshold'; got {method!r}")
        self.method = method

    @property
    def probs(self) -> Array:
        return self._backend.softmax(self.logits, axis=-1)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)

    def _log1m_softmax(self, x, lse):
        """log(1 - softmax(x)) from x and its logsumexp, without cancellation."""
        xp, bk = self.xp, self._backend
        n = x.shape[-1]
        is_max = xp.arange(n, device=self._device) == xp.argmax(x, axis=-1, keepdims=True)
        rest = (
            bk.logsumexp(
                xp.where(is_max, xp.full_like(x, -float("inf")), x), axis=-1, keepdims=True
            )
            - lse
        )
        log_a = xp.where(is_max, xp.full_like(x, -1.0), x - lse)  # <= -log 2 off the max
        return xp.where(is_max, rest, xp.log1p(-xp.exp(log_a)))

    def reparameterize(self, noise: Array) -> Array:
        xp, bk = self.xp, self._backend
        u = self._open_unit(self._up(noise))
        gumbel = -xp.log(-xp.log(u))
        alpha = self._up(self.logits) + gumbel
        tau = xp.expand_dims(self._up(self.temperature), axis=-1)
        x = tempered(xp, self._up(self.logits), gumbel, tau)
        threshold = self.method == "threshold"
        soft = threshold_top_k(bk, x, self.k) if threshold else xp.zeros_like(x)
        for step in range(0 if threshold else self.k):
            lse = bk.logsumexp(x, axis=-1, keepdims=True)
            soft = soft + xp.exp(x - lse)
            if step + 1 < self.k:
                x = x + self._log1m_softmax(x, lse) / tau
        if not self.hard:
            return nan_where_invalid(self, self._down(soft), 1)
        kth = xp.sort(alpha, axis=-1, descending=True)[..., self.k - 1 : self.k]
        hard = xp.astype(alpha >= kth, soft.dtype)
        return nan_where_invalid(self, self._down(hard + (soft - bk.stop_gradient(soft))), 1)

    def log_prob(self, value: ArrayLike) -> Array:
        raise NotImplementedError(
            "GumbelSoftmaxTopK has no tractable log_prob: the relaxed k-hot sample has no "
            "closed-form density, and the mass of an unordered k-subset is a sum over its "
            "k! orderings (Kool et al. 2019)"
        )
