"""ReinMax (Liu, Liu, Gao, Chen & Han 2023, "Bridging Discrete and Backpropagation:
Straight-Through and Beyond", Algorithm 2; microsoft/ReinMax): a second-order (Heun) correction
of straight-through."""

from __future__ import annotations

from relaxcore._surrogates import pass_through, softmax_jacobian_surrogate
from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import (
    categorical_inputs,
    positive,
)
from relaxcore.relaxations._logits import tempered


def reinmax(logits: Array, *, temperature: Array = 1.0, rng: RNG = None) -> Array:
    r"""A one-hot sample :math:`D \sim \mathrm{Categorical}(\mathrm{softmax}(\theta))` whose
    backward pass is ReinMax's:

    .. math:: \nabla_\theta = 2\,J(\pi_1)^\top g - \tfrac12\,J(\pi_0)^\top g,
              \quad \pi_1 = \tfrac12\big(\mathrm{softmax}(\theta/\tau) + D\big),
              \quad \pi_0 = \mathrm{softmax}(\theta),

    :math:`J(\pi) = \mathrm{diag}(\pi) - \pi\pi^\top` (held constant: no :math:`1/\tau`
    factor), :math:`g` the upstream gradient. The value is exactly one-hot. The authors
    recommend :math:`\tau \ge 1` (their implementation refuses smaller ones; here any
    :math:`\tau > 0` is accepted).

    Args:
        logits: (..., K), the last axis indexing the categories.
        temperature: tau > 0, scalar or broadcasting against the batch shape.
        rng: the random stream (a JAX key for JAX arrays).
    """
    owner = "reinmax"
    dist, theta = categorical_inputs(owner, logits)
    xp, bk = dist.xp, dist.backend
    tau = positive(owner, bk, "temperature", temperature)
    if hasattr(tau, "ndim") and tau.ndim:
        tau = xp.expand_dims(tau, axis=-1)
    hard = dist._up(dist.sample(rng=rng))
    delta = pass_through(bk, theta)
    pi0 = bk.softmax(theta, axis=-1)
    pi1 = (bk.softmax(tempered(xp, theta, xp.zeros_like(theta), tau), axis=-1) + hard) / 2
    backward = 2.0 * softmax_jacobian_surrogate(bk, pi1, delta)
    backward = backward - 0.5 * softmax_jacobian_surrogate(bk, pi0, delta)
    return dist._down(hard + backward)
