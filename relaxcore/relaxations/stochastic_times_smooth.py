"""Stochastic times smooth units (Bengio, Leonard & Courville 2013, section 5)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore.relaxations.straight_through_bernoulli import StraightThroughBernoulli


class StochasticTimesSmooth(StraightThroughBernoulli):
    r"""``h = b * sqrt(p)`` with ``b ~ Bernoulli(sqrt(p))``, so ``E[h] = p``.

    Noise ``u ~ Uniform(0, 1)``; ``b = 1[u < sqrt(p)]``. The gradient flows through the smooth
    factor: dh/dp = b / (2 sqrt(p)) (``b`` is treated as a constant, as in the paper). ``sample`` and
    ``rsample`` give the same draws. The law is two atoms:
    :math:`P(h = \sqrt p) = \sqrt p`, :math:`P(h = 0) = 1 - \sqrt p`; ``log_prob`` returns
    those log masses at ``h = 0`` and at ``h = sqrt(p)`` (to 8 ulps of the dtype), and ``-inf``
    at every other value in [0, 1]. At p = 0 (where b = 0 always) the gradient is 0.

    Args:
        probs: in [0, 1], or
        logits: real or +-inf.
    """

    support = constraints.unit_interval

    def _root(self):
        """sqrt(p) in the compute dtype, with a zero (not infinite) gradient at p = 0."""
        xp = self.xp
        p = self._up(self.probs)
        positive = p > 0
        root = xp.sqrt(xp.where(positive, p, xp.ones_like(p)))
        return xp.where(positive, root, xp.zeros_like(p))

    def reparameterize(self, noise):
        xp = self.xp
        root = self._root()
        b = xp.astype(self._up(noise) < root, root.dtype)
        return self._down(b * root)

    def log_prob(self, value):
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        h = self._up(value)
        root = self._down(self._root())
        near = xp.abs(value - root) <= 8 * xp.finfo(self._dtype).eps * root
        log_p = bk.log_sigmoid(self._up(self.logits))
        log_one_minus_root = xp.log1p(-xp.exp(0.5 * log_p))
        out = xp.where(h == 0, log_one_minus_root,
                       xp.where(near, 0.5 * log_p, xp.full_like(h, -float("inf"))))
        return self._down(out)

    @property
    def variance(self):
        """E[h^2] - E[h]^2 = p^(3/2) - p^2."""
        return self.probs * self.xp.sqrt(self.probs) - self.probs**2
