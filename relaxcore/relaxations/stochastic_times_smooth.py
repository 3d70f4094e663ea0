"""Stochastic times smooth units (Bengio, Leonard & Courville 2013, section 5)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._typing import Array, ArrayLike
from relaxcore.distribution import Distribution, promote_params
from relaxcore.math.special import log1mexp
from relaxcore.relaxations._logits import one_of, probs_to_logits, surely
from relaxcore.relaxations.straight_through_bernoulli import StraightThroughBernoulli


class StochasticTimesSmooth(StraightThroughBernoulli):
    r"""``h = b * sqrt(p)`` with ``b ~ Bernoulli(sqrt(p))``, so ``E[h] = p``.

    Noise ``u ~ Uniform(0, 1)``; ``b = 1[u < sqrt(p)]``. The gradient flows through the smooth
    factor: dh/dp = b / (2 sqrt(p)) (``b`` is treated as a constant, as in the paper).
    ``sample`` and
    ``rsample`` give the same draws. The law is two atoms:
    :math:`P(h = \sqrt p) = \sqrt p`, :math:`P(h = 0) = 1 - \sqrt p`; ``log_prob`` returns
    those log masses at ``h = 0`` and at ``h = sqrt(p)`` (to 8 ulps of the dtype), and ``-inf``
    at every other value in [0, 1]. At p = 0 (where b = 0 always) the gradient is 0.
    Built from ``probs``, ``logits`` is derived only when read (``log_prob``).

    Args:
        probs: in [0, 1], or
        logits: real or +-inf.
    """

    param_event_ndims = {"probs": 0, "_logits": 0}
    support = constraints.unit_interval

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
        Distribution.__init__(self, bk, dtype, device, raw.shape, (), validate_args)
        self._invalid = invalid_params(self, p)
        # probs in [0, 1], or logits without NaN, need no validation pass
        if not (surely(bk, p["probs"], "in [0, 1]") or surely(bk, p["logits"], "not_nan")):
            self._validate_params(p)
        self._logits = p["logits"]
        self.probs = bk.sigmoid(raw) if logits is not None else raw

    @property
    def logits(self) -> Array:
        return self._logits if self._logits is not None else probs_to_logits(self.xp, self.probs)

    def _root(self):
        """sqrt(p) in the compute dtype, with a zero (not infinite) gradient at p = 0."""
        xp = self.xp
        p = self._up(self.probs)
        positive = p > 0
        root = xp.sqrt(xp.where(positive, p, xp.ones_like(p)))
        return xp.where(positive, root, xp.zeros_like(p))

    def reparameterize(self, noise: Array) -> Array:
        xp = self.xp
        p = self._up(self.probs)
        b = xp.astype(self._up(noise) < xp.sqrt(self._backend.stop_gradient(p)), p.dtype)
        # b * sqrt(p), exactly; where b = 0 the root is taken of p + 1 >= 1, so the gradient
        # is 0 * finite = 0, also at p = 0 (no where, no 0 * inf)
        return nan_where_invalid(self, self._down(b * xp.sqrt(p + (1.0 - b))), 0)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        h = self._up(value)
        root = self._down(self._root())
        near = xp.abs(value - root) <= 8 * xp.finfo(self._dtype).eps * root
        log_p = bk.log_sigmoid(self._up(self.logits))
        # log(1 - sqrt(p)) only where h = 0 can occur (p < 1), -1 elsewhere: the untaken
        # branch's gradient (infinite at p = 1) never meets the where
        zero = (h == 0) & (log_p < 0)
        half = xp.where(zero, 0.5 * log_p, xp.full_like(log_p, -1.0))
        log_one_minus_root = xp.where(zero, log1mexp(xp, half), xp.full_like(h, -float("inf")))
        out = xp.where(
            h == 0, log_one_minus_root, xp.where(near, 0.5 * log_p, xp.full_like(h, -float("inf")))
        )
        return masked_log_prob(self, value, self._down(out))

    @property
    def variance(self) -> Array:
        """E[h^2] - E[h]^2 = p^(3/2) - p^2."""
        return self.probs * self.xp.sqrt(self.probs) - self.probs**2
