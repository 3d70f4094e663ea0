"""ExpConcrete: the Gumbel-Softmax / Concrete sample in log space (Maddison et al. 2017,
appendix C; TFP's ExpRelaxedOneHotCategorical)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution
from relaxcore.relaxations._logits import (
    log_probs,
    promote_categorical,
    tempered,
    validate_unless_finite,
)
from relaxcore.relaxations._noise import gumbel


def _log_simplex(xp, y):
    m = xp.max(y, axis=-1, keepdims=True)
    total = m[..., 0] + xp.log(xp.sum(xp.exp(y - m), axis=-1))  # NaN when all are -inf
    tol = 1e-6 if y.dtype == xp.float64 else 1e-3
    finite_max = xp.isfinite(m[..., 0])
    return finite_max & ~xp.any(xp.isnan(y), axis=-1) & (xp.abs(total) <= tol)


log_simplex = constraints.Constraint(
    "the log of a probability vector (entries < +inf or -inf, logsumexp over the last axis 0)",
    _log_simplex,
    1,
)


class ExpRelaxedOneHotCategorical(Distribution):
    r"""The log of a Concrete sample: ``y = log_softmax((logits + g) / temperature)``, so
    ``exp(y)`` is :class:`RelaxedOneHotCategorical`'s sample for the same noise.

    Noise: ``u ~ Uniform(0, 1)`` of shape ``sample_shape + batch_shape + (K,)`` (clamped into
    the open interval), Gumbel ``g = -log(-log u)``. The log-space sample never underflows:
    at a temperature of 1e-3 its entries reach -1e4 where the simplex sample is exactly 0.

    Density (the ExpConcrete density, Maddison et al. 2017, appendix C), with normalized
    logits :math:`l`:

    .. math:: \log p(y) = \log\Gamma(K) + (K-1)\log\tau + \sum_k (l_k - \tau y_k)
              - K\,\mathrm{logsumexp}_k(l_k - \tau y_k)

    It is the Lebesgue density of the log-ratios :math:`(y_k - y_K)_{k<K}`, which are
    :math:`((l_k - l_K) + g_k - g_K)/\tau`. Every term is a difference of logits and
    :math:`\tau y`, so ``log_prob`` keeps float32's relative precision at any temperature.
    KL divergences between two such laws (and against a categorical prior relaxed at the same
    temperature) are Monte-Carlo estimates in this space: see
    :mod:`relaxcore.relaxations.relaxed_kl`.

    Categories with probability 0 (logit -inf) are -inf in every sample and are left out of
    the density (that of the ExpConcrete on the other categories); a value that is finite
    there, or -inf at a category of positive probability, has log density -inf.

    Half precisions are computed in float32 and returned in their dtype: float16 holds no
    log z below -65504 (its range), so such a coordinate (|logit gaps| / temperature that
    large) saturates to -inf and its log density is -inf; a gradient beyond that range is
    +-inf (never NaN: a temperature shared by a batch sums its members' gradients in
    float32 before the one rounding). bfloat16 has float32's range.

    Args:
        temperature: > 0, scalar or batched array; may carry gradients (learnable).
        probs: event of K probabilities (zeros allowed), or
        logits: event of K unnormalized log-probabilities (-inf allowed).
    """

    arg_constraints = {
        "temperature": constraints.positive,
        "probs": constraints.simplex,
        "logits": constraints.category_logits,
    }
    param_event_ndims = {"temperature": 0, "_tau": 0, "_logits": 1}
    support = log_simplex
    has_rsample = True

    def __init__(
        self,
        temperature: ArrayLike,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        bk, dtype, device, p, raw, batch_shape = promote_categorical(
            type(self).__name__, temperature, probs, logits, backend
        )
        xp = bk.xp
        super().__init__(bk, dtype, device, batch_shape, raw.shape[-1:], validate_args)
        log_p = raw if logits is not None else log_probs(xp, raw)
        self._finite_logits = validate_unless_finite(self, p, log_p)
        self._invalid = invalid_params(self, p)  # unvalidated: NaN samples, not finite
        # stored as given: log_softmax is shift-invariant, so sampling needs no normalization
        self._logits = xp.broadcast_to(log_p, batch_shape + raw.shape[-1:])
        self.temperature = xp.broadcast_to(p["temperature"], batch_shape)
        # the temperature in the compute dtype, cast before it is broadcast: the
        # gradients of the batch members are summed in float32 and rounded once
        # (rounded one by one in float16, +inf and -inf would sum to NaN)
        tau, up = p["temperature"], self._compute_dtype()
        self._tau = xp.broadcast_to(tau if tau.dtype == up else xp.astype(tau, up), batch_shape)

    @property
    def logits(self) -> Array:
        """Normalized logits: log-probabilities of the categories."""
        return self._backend.log_softmax(self._logits, axis=-1)

    @property
    def probs(self) -> Array:
        return self._backend.softmax(self._logits, axis=-1)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        xp = self.xp
        tau = xp.expand_dims(self._tau, axis=-1)
        # masked categories: -inf kept away from the division (NaN d/dtemperature)
        scores = tempered(
            xp, self._up(self._logits), gumbel(self, self._up(noise)), tau, self._finite_logits
        )
        return nan_where_invalid(self, self._down(self._backend.log_softmax(scores, axis=-1)), 1)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        y = self._up(value)
        logits = self._up(self.logits)
        tau = self._tau
        active = logits > -float("inf")
        usable = active & xp.isfinite(y)
        masked_but_finite = ~active & (y > -float("inf"))
        off_support = xp.any(active != usable, axis=-1) | xp.any(masked_but_finite, axis=-1)
        zero = xp.zeros_like(usable, dtype=y.dtype)
        k = xp.sum(xp.astype(active, y.dtype), axis=-1)
        score = xp.where(usable, logits, zero) - xp.expand_dims(tau, -1) * xp.where(usable, y, zero)
        terms = xp.sum(xp.where(usable, score, zero), axis=-1)
        log_norm = bk.logsumexp(xp.where(usable, score, xp.full_like(zero, -float("inf"))))
        out = bk.lgamma(k) + (k - 1) * xp.log(tau) + terms - k * log_norm
        out = self._down(xp.where(off_support, xp.full_like(out, -float("inf")), out))
        return nan_where_invalid(self, out)

    def entropy(self) -> Array:
        raise NotImplementedError(
            "the ExpConcrete distribution has no closed-form entropy; estimate it as "
            "-log_prob(rsample(n)).mean()"
        )
