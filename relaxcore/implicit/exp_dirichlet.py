r"""ExpDirichlet: the law of log Z for Z ~ Dirichlet(alpha), sampled in log space.

:math:`y = \log\mathrm{softmax}(\log G)`, :math:`G_k \sim \Gamma(\alpha_k)` drawn in log
space: coordinates whose Z underflows to 0 (alpha = 1e-4 in float32) keep a finite log.
``rsample`` attaches each :math:`\partial\log G_k/\partial\alpha_k` and lets the framework
differentiate the log-softmax, :math:`\partial y_i/\partial\alpha_j =
(\delta_{ij} - z_j)\,\partial\log G_j/\partial\alpha_j` (``value_and_partials`` returns this
(..., K, K) Jacobian). ``log_prob`` is the density of the free coordinates
:math:`(y_1, \dots, y_{K-1})` (``y_K = \log(1 - \sum_{k<K} e^{y_k})``) with respect to
Lebesgue measure, the Dirichlet density times the Jacobian :math:`\prod_{k<K} z_k`:

.. math:: \log p(y) = \sum_{k<K}\alpha_k y_k + (\alpha_K - 1)\,y_K - \log B(\alpha).

For K = 2 it is ExpBeta's density of :math:`y_1`. (Maddison et al.'s ExpConcrete convention,
the product over all K, differs from it by :math:`e^{y_K}`; both give the same KL
estimates.) ``implicit_partials`` is not available: use ``value_and_partials``.
"""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import masked_log_prob, nan_where_invalid
from relaxcore.implicit._protocol import attach
from relaxcore.implicit.dirichlet import Dirichlet


def _log_simplex(xp, y):
    total = xp.sum(xp.exp(y), axis=-1)
    tol = 1e-6 if y.dtype == xp.float64 else 1e-3
    return xp.all(y <= 0, axis=-1) & (xp.abs(total - 1) <= tol)


class ExpDirichlet(Dirichlet):
    """log Z, Z ~ Dirichlet(concentration), on the log-simplex (logsumexp(y) = 0)."""

    support = constraints.Constraint(
        "the log of a probability vector (entries <= 0 whose exps sum to 1)", _log_simplex, 1
    )

    def _draw(self, sample_shape, rng):
        xp, bk = self.xp, self._backend
        log_g, dlog = self._log_gammas(tuple(sample_shape), rng)
        z = bk.softmax(log_g, axis=-1)
        y = bk.log_softmax(log_g, axis=-1)
        eye = xp.eye(z.shape[-1], dtype=z.dtype)
        jacobian = (eye - z[..., None, :]) * dlog[..., None, :]
        return nan_where_invalid(self, self._down(y), 1), {"concentration": self._down(jacobian)}

    def rsample(self, sample_shape=(), *, rng=None):
        bk = self._backend
        log_g, dlog = self._log_gammas(tuple(sample_shape), rng)
        alpha = self._up(self.concentration)
        log_g = attach(bk, log_g, {"concentration": alpha}, {"concentration": dlog})
        return nan_where_invalid(self, self._down(bk.log_softmax(log_g, axis=-1)), 1)

    def sample(self, sample_shape=(), *, rng=None):
        log_g, _ = self._log_gammas(tuple(sample_shape), rng)
        return nan_where_invalid(self, self._down(self._backend.log_softmax(log_g, axis=-1)), 1)

    def implicit_partials(self, value):
        raise NotImplementedError(
            "ExpDirichlet has no z-only implicit partials; use value_and_partials or rsample"
        )

    def log_prob(self, value):
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        alpha, y = self._up(self.concentration), self._up(value)
        norm = bk.lgamma(xp.sum(alpha, axis=-1)) - xp.sum(bk.lgamma(alpha), axis=-1)
        last = (alpha[..., -1] - 1.0) * y[..., -1]
        return masked_log_prob(
            self, value, self._down(xp.sum(alpha[..., :-1] * y[..., :-1], axis=-1) + last + norm)
        )

    @property
    def mean(self):
        """digamma(alpha_k) - digamma(sum alpha)."""
        xp, bk = self.xp, self._backend
        alpha = self._up(self.concentration)
        return self._down(bk.digamma(alpha) - bk.digamma(xp.sum(alpha, axis=-1, keepdims=True)))

    @property
    def variance(self):
        raise NotImplementedError("ExpDirichlet has no closed-form variance here")

    def entropy(self):
        raise NotImplementedError("ExpDirichlet has no closed-form entropy here")
