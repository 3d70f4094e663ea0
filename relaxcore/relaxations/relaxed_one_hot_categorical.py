"""Gumbel-Softmax / Concrete (Jang et al. 2017; Maddison et al. 2017)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution
from relaxcore.relaxations._logits import (
    log_clipped,
    log_probs,
    promote_categorical,
    tempered,
    validate_unless_finite,
)
from relaxcore.relaxations._noise import gumbel


class RelaxedOneHotCategorical(Distribution):
    r"""Relaxed one-hot categorical on the (K-1)-simplex.

    ``z = softmax((logits + g) / temperature)`` with Gumbel noise ``g = -log(-log u)``.

    Noise: ``u ~ Uniform(0, 1)`` of shape ``sample_shape + batch_shape + (K,)``, clamped
    into the open interval, so ``reparameterize`` is finite at 0 and 1.

    Density (Maddison et al. 2017, eq. of the Concrete density), in log space with
    :math:`x_k = \log z_k`:

    .. math:: \log p(z) = \log\Gamma(K) + (K-1)\log\tau + \sum_k (l_k - (\tau+1) x_k)
              - K\,\mathrm{logsumexp}_k(l_k - \tau x_k)

    with normalized logits :math:`l`. Categories with probability 0 (logit -inf) are masked:
    they are exactly 0 in every sample and the density is that of the Concrete on the
    remaining categories. ``log_prob`` clamps ``z`` at the smallest normal number, so a
    coordinate that underflowed at a low temperature still gives a finite value.

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
    param_event_ndims = {"temperature": 0, "_logits": 1}
    support = constraints.simplex
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
        self._invalid = invalid_params(self, p)
        # stored as given: softmax is shift-invariant, so sampling needs no normalization
        self._logits = xp.broadcast_to(log_p, batch_shape + raw.shape[-1:])
        self.temperature = xp.broadcast_to(p["temperature"], batch_shape)

    @property
    def logits(self) -> Array:
        """Normalized logits: log-probabilities of the categories."""
        return self._backend.log_softmax(self._logits, axis=-1)

    @property
    def probs(self) -> Array:
        return self._backend.softmax(self._logits, axis=-1)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)

    def _soft(self, noise):
        """The relaxed sample in the compute dtype.

        Uses the logits as given, not normalized (softmax is shift-invariant): finite while
        |logits| / temperature stays below the largest float (3.4e38 in float32).
        """
        xp = self.xp
        tau = xp.expand_dims(self._up(self.temperature), axis=-1)
        # masked categories: -inf kept away from the division (NaN d/dtemperature)
        scores = tempered(
            xp, self._up(self._logits), gumbel(self, self._up(noise)), tau, self._finite_logits
        )
        return self._backend.softmax(scores, axis=-1)

    def reparameterize(self, noise: Array) -> Array:
        return nan_where_invalid(self, self._down(self._soft(noise)), 1)

    def log_prob(self, value: ArrayLike) -> Array:
        """The Concrete log density at `value` (class docstring).

        Underflow: at a low temperature a coordinate of the sample falls below the smallest
        normal number or rounds to 0 (float32, K = 50, equal logits, temperature 0.05: a
        fifth of the coordinates are exactly 0). ``log z`` is then clamped to
        ``log(smallest normal)`` (about -87.3 in float32), so the result stays finite but is
        not the density of the sample that was drawn: in that setting it is off by more than
        1 nat on 9 rows in 10, by hundreds of nats typically. Where that matters (KL terms,
        importance weights), work in log space: :class:`ExpRelaxedOneHotCategorical` draws
        ``log z`` directly, and its ``log_prob`` is exact at any temperature.
        """
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        z = self._up(value)
        logits = self._up(self.logits)
        tau = self._up(self.temperature)
        x = log_clipped(xp, z)
        active = logits > -float("inf")
        k = xp.sum(xp.astype(active, z.dtype), axis=-1)
        safe_logits = xp.where(active, logits, xp.zeros_like(logits))
        tau_k = xp.expand_dims(tau, axis=-1)
        terms = xp.where(active, safe_logits - (tau_k + 1) * x, xp.zeros_like(x))
        scores = xp.where(active, safe_logits - tau_k * x, xp.full_like(x, -float("inf")))
        log_norm = bk.lgamma(k) + (k - 1) * xp.log(tau)
        out = log_norm + xp.sum(terms, axis=-1) - k * bk.logsumexp(scores, axis=-1)
        return masked_log_prob(self, value, self._down(out))

    def entropy(self) -> Array:
        raise NotImplementedError(
            "the Concrete distribution has no closed-form entropy; estimate it as "
            "-log_prob(rsample(n)).mean()"
        )
