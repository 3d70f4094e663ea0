"""The relaxed Bernoulli sample that relaxit calls RebarRelaxation (after Tucker et al. 2017,
"REBAR", whose experiments scale the logits by (lambda^2 + lambda + 1) / (lambda + 1))."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array, ArrayLike
from relaxcore._validation import resolve_validate_args
from relaxcore.distribution import check_constraint, compute_dtype, promote_params
from relaxcore.relaxations._logits import one_of, probs_to_logits
from relaxcore.relaxations.relaxed_bernoulli import RelaxedBernoulli


def _scale(lam):
    """c(lambda) = (lambda^2 + lambda + 1) / (lambda + 1), written lambda + 1 / (lambda + 1):
    no lambda^2 to overflow (float16 at lambda = 1000)."""
    return lam + 1 / (lam + 1)


class RebarRelaxation(RelaxedBernoulli):
    r"""relaxit's relaxed Bernoulli sample, with a density that matches it.

    .. math:: z = \sigma\Big(\frac{1}{\lambda}\Big(\frac{\lambda^2 + \lambda + 1}{\lambda + 1}
              \,\mathrm{logit}\,\theta + \mathrm{logit}\,u\Big)\Big),
              \qquad u \sim \mathrm{Uniform}(0, 1),

    a binary Concrete (:class:`RelaxedBernoulli`) at temperature :math:`\lambda` whose logits
    are :math:`c(\lambda)\,\mathrm{logit}\,\theta`, :math:`c(\lambda) = (\lambda^2 + \lambda +
    1)/(\lambda + 1)`: :math:`P(z > 1/2) = \sigma(c\,\mathrm{logit}\,\theta)`, not
    :math:`\theta`. ``log_prob``, ``cdf``, ``logits`` and ``probs`` are those of that binary
    Concrete (relaxit's log_prob leaves :math:`c` out and so is not the density of its
    sampler). :math:`\theta` and :math:`\lambda` may carry gradients (the logit scale is
    differentiable in :math:`\lambda`). Half precisions: the scaled logits are formed in
    float32 and stored in the dtype (beyond its range they saturate to +-inf: probability 0
    or 1).

    Args:
        theta: Bernoulli mean in [0, 1], or
        logits: its logit (``logit(theta)``).
        lambd: temperature lambda > 0.
    """

    def __init__(
        self,
        theta: ArrayLike | None = None,
        lambd: ArrayLike | None = None,
        *,
        logits: ArrayLike | None = None,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        name = type(self).__name__
        one_of(name, theta, logits)
        if lambd is None:
            raise ValueError(f"{name}: lambd (the temperature, > 0) is required")
        bk, dtype, _, p = promote_params(
            {"theta": theta, "logits": logits, "lambd": lambd}, backend
        )
        xp = bk.xp
        if resolve_validate_args(validate_args):
            check_constraint(name, bk, "lambd", p["lambd"], constraints.positive)
            check_constraint(name, bk, "theta", p["theta"], constraints.unit_interval)
        logit = p["logits"] if logits is not None else probs_to_logits(xp, p["theta"])
        up = compute_dtype(xp, dtype)
        logit, lam = (a if a.dtype == up else xp.astype(a, up) for a in (logit, p["lambd"]))
        finite = xp.isfinite(logit)  # +-inf logits stay +-inf (no 0 * inf in d/dlambd)
        safe = xp.where(finite, logit, xp.zeros_like(logit))
        scaled = xp.where(finite, _scale(lam) * safe, logit + xp.zeros_like(lam))
        scaled = scaled if scaled.dtype == dtype else xp.astype(scaled, dtype)
        super().__init__(p["lambd"], logits=scaled, validate_args=validate_args, backend=bk.name)

    @property
    def lambd(self) -> Array:
        return self.temperature

    @property
    def theta(self) -> Array:
        """The Bernoulli mean: ``sigmoid(logits / c(lambd))``."""
        logits, lam = self._up(self.logits), self._up(self.temperature)
        return self._down(self._backend.sigmoid(logits / _scale(lam)))
