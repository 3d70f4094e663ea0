"""Gapped straight-through (Fan, Chi, Rudnicky & Ramadge 2022, "Training Discrete Deep
Generative Models via Gapped Straight-Through Estimator", GST-1.0): the Gumbel-Softmax
backward pass at a deterministic perturbation instead of resampled Gumbels."""

from __future__ import annotations

from relaxcore._surrogates import pass_through
from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import categorical_inputs, positive
from relaxcore.relaxations._logits import tempered


def gapped_straight_through(
    logits: Array, *, temperature: Array, gap: Array = 1.0, rng: RNG = None
) -> Array:
    r"""A one-hot sample :math:`D \sim \mathrm{Categorical}(\mathrm{softmax}(\theta))` whose
    backward pass is that of :math:`\mathrm{softmax}((\theta + m)/\tau)`, with the perturbation
    :math:`m` held constant and chosen so that the perturbed logits are

    .. math:: (\theta + m)_D = \max_k \theta_k, \qquad
              (\theta + m)_j = \min\big(\theta_j,\ \max_k \theta_k - \kappa\big)\ (j \ne D),

    i.e. the sampled category is lifted to the largest logit (consistency with the sample) and
    every other one is at least the gap :math:`\kappa` below it: the properties of
    straight-through Gumbel-Softmax that Fan et al. keep, without drawing Gumbel noise.
    :math:`\nabla_\theta = J(s)^\top g/\tau`, :math:`s = \mathrm{softmax}((\theta+m)/\tau)`.
    The value is exactly one-hot.

    Args:
        logits: (..., K), the last axis indexing the categories.
        temperature: tau > 0, scalar or broadcasting against the batch shape.
        gap: kappa >= 0.
        rng: the random stream (a JAX key for JAX arrays).
    """
    owner = "gapped_straight_through"
    dist, theta = categorical_inputs(owner, logits)
    xp, bk = dist.xp, dist.backend
    tau = positive(owner, bk, "temperature", temperature)
    if hasattr(tau, "ndim") and tau.ndim:
        tau = xp.expand_dims(tau, axis=-1)
    if not hasattr(gap, "dtype") and not (isinstance(gap, (int, float)) and gap >= 0):
        raise ValueError(f"{owner}: gap must be a number >= 0; got {gap!r}")
    hard = dist._up(dist.sample(rng=rng))
    held = bk.stop_gradient(theta)
    top = xp.max(held, axis=-1, keepdims=True)
    target = xp.where(hard > 0, top + xp.zeros_like(held), xp.minimum(held, top - gap))
    scores = target + pass_through(bk, theta)  # value: target; derivative: identity
    soft = bk.softmax(tempered(xp, scores, xp.zeros_like(scores), tau), axis=-1)
    return dist._down(hard + (soft - bk.stop_gradient(soft)))
