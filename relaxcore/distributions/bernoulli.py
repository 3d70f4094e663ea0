"""The Bernoulli distribution on {0, 1}."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, nan_where_invalid
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.kl import register_kl
from relaxcore.relaxations._logits import one_of, probs_to_logits, validate_unless_finite


class Bernoulli(Distribution):
    r"""Bernoulli(p): :math:`P(x = 1) = p = \sigma(l)`, values 0. and 1. in the float dtype.

    .. math:: \log p(x) = x \log\sigma(l) + (1 - x) \log\sigma(-l)

    computed as one ``log_sigmoid`` per value (no :math:`0 \cdot \infty`), so probabilities 0
    and 1 (logits -inf, +inf) give log-probabilities 0 and -inf, never NaN, and finite
    gradients. A value other than 0 or 1 has log-probability -inf (torch.distributions
    instead returns the cross-entropy of a value in [0, 1]). Draws: ``x = 1[u < p]``,
    ``u ~ Uniform(0, 1)`` (the value of :class:`relaxcore.StraightThroughBernoulli` at the
    same noise). ``mode`` is ``1[p > 1/2]`` (0 at a tie).

    Args:
        probs: in [0, 1], or
        logits: real or +-inf.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.bernoulli_logits}
    param_event_ndims = {"logits": 0}
    support = constraints.boolean
    has_enumerate_support = True

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
        raw = p["logits"] if logits is not None else p["probs"]
        super().__init__(bk, dtype, device, raw.shape, (), validate_args)
        validate_unless_finite(self, p, raw if logits is not None else None)
        # unvalidated invalid probs (> 1, < 0, NaN): NaN samples and log_prob, not a clip
        self._invalid = invalid_params(self, p)
        self.logits = raw if logits is not None else probs_to_logits(bk.xp, raw)

    @property
    def probs(self) -> Array:
        return self._backend.sigmoid(self.logits)

    def sample(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        xp = self.xp
        u = self._uniform_noise(sample_shape, rng)
        probs = self._backend.sigmoid(self._up(self.logits))
        return nan_where_invalid(self, xp.astype(u < probs, self._dtype))

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        logits, x = self._up(self.logits), self._up(value)
        out = bk.log_sigmoid(xp.where(x == 1, logits, -logits))
        out = xp.where((x == 0) | (x == 1), out, xp.full_like(out, -float("inf")))
        return nan_where_invalid(self, self._down(out))

    def entropy(self) -> Array:
        r""":math:`\mathrm{softplus}(-|l|) + |l|\,\sigma(-|l|)`; 0 at :math:`l = \pm\infty`."""
        xp, bk = self.xp, self._backend
        logits = self._up(self.logits)
        finite = xp.isfinite(logits)
        a = xp.abs(xp.where(finite, logits, xp.zeros_like(logits)))
        out = bk.softplus(-a) + a * bk.sigmoid(-a)
        return self._down(xp.where(finite, out, xp.zeros_like(out)))

    @property
    def mode(self) -> Array:
        return self.xp.astype(self.logits > 0, self._dtype)

    @property
    def mean(self) -> Array:
        return self.probs

    @property
    def variance(self) -> Array:
        # p (1 - p) = sigma(l) sigma(-l): no cancellation near p = 1
        bk = self._backend
        return bk.sigmoid(self.logits) * bk.sigmoid(-self.logits)

    def enumerate_support(self, expand: bool = True) -> Array:
        """``[0., 1.]`` of shape ``(2,) + (1,) * len(batch_shape)``, or with `expand`
        ``(2,) + batch_shape`` (torch.distributions' layout)."""
        xp = self.xp
        values = xp.asarray([0.0, 1.0], dtype=self._dtype, device=self._device)
        values = xp.reshape(values, (2,) + (1,) * len(self._batch_shape))
        if expand:
            values = xp.broadcast_to(values, (2,) + self._batch_shape)
        return values


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli(p, q):
    r""":math:`p \log(p/q) + (1-p) \log((1-p)/(1-q))` from logits:
    :math:`\log p = \log\sigma(l)`, :math:`1 - p = \sigma(-l)`; a term with weight 0 is 0,
    a term with weight > 0 and :math:`q = 0` is +inf."""
    xp, bk = p.xp, p._backend
    lp, lq = p._up(p.logits), p._up(q.logits)
    zero = xp.zeros_like(lp)
    some_one, some_zero = lp > -float("inf"), lp < float("inf")  # P(1) > 0, P(0) > 0
    lp1, lp0 = xp.where(some_one, lp, zero), xp.where(some_zero, lp, zero)
    lq1, lq0 = xp.where(some_one, lq, zero), xp.where(some_zero, lq, zero)
    ones = bk.sigmoid(lp1) * (bk.log_sigmoid(lp1) - bk.log_sigmoid(lq1))
    zeros = bk.sigmoid(-lp0) * (bk.log_sigmoid(-lp0) - bk.log_sigmoid(-lq0))
    out = xp.where(some_one, ones, zero) + xp.where(some_zero, zeros, zero)
    return p._down(out)
