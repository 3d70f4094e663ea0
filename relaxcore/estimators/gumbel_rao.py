"""Gumbel-Rao (Paulus, Maddison & Krause 2021, "Rao-Blackwellizing the Straight-Through
Gumbel-Softmax Gradient Estimator"): straight-through Gumbel-Softmax averaged over the
Gumbels given the sampled category."""

from __future__ import annotations

from relaxcore._surrogates import pass_through
from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import (
    categorical_inputs,
    count,
    positive,
    rng_streams,
)
from relaxcore.estimators._conditional import conditional_gumbel
from relaxcore.relaxations._logits import tempered


def gumbel_rao(logits: Array, *, temperature: Array, n_samples: int = 1, rng: RNG = None) -> Array:
    r"""A one-hot sample :math:`D \sim \mathrm{Categorical}(\mathrm{softmax}(\theta))` whose
    backward pass is the straight-through Gumbel-Softmax Jacobian averaged over Gumbel noise
    conditioned on the sample:

    .. math:: \nabla_\theta = \frac1M\sum_{m=1}^M
              \frac{\partial\,\mathrm{softmax}((\theta + G_m)/\tau)}{\partial\theta}^\top g,
              \qquad \theta + G_m \sim p(\theta + G \mid \arg\max(\theta + G) = D),

    each :math:`G_m` held constant (drawn as in ``_conditional``, Paulus et al. appendix). The
    expectation over :math:`G` given :math:`D` is the Rao-Blackwellization of ST-GS: same
    mean, lower variance. The value is exactly one-hot.

    Noise: the sample by Gumbel-max from the first stream of `rng`, then uniforms of shape
    ``(n_samples, *logits.shape)`` for the conditional Gumbels from the second.

    Args:
        logits: (..., K), the last axis indexing the categories.
        temperature: tau > 0, scalar or broadcasting against the batch shape.
        n_samples: M, conditional Gumbel draws averaged in the backward pass.
        rng: the random stream (a JAX key for JAX arrays).
    """
    owner = "gumbel_rao"
    dist, theta = categorical_inputs(owner, logits)
    xp, bk = dist.xp, dist.backend
    m = count(owner, "n_samples", n_samples)
    tau = positive(owner, bk, "temperature", temperature)
    if hasattr(tau, "ndim") and tau.ndim:
        tau = xp.expand_dims(tau, axis=-1)
    hard_rng, noise_rng = rng_streams(dist, rng, 2)
    hard = dist._up(dist.sample(rng=hard_rng))
    v = dist._open_unit(dist._uniform_noise((m,), noise_rng))
    log_p = bk.stop_gradient(dist._up(dist.logits))
    perturbed = conditional_gumbel(bk, log_p, hard, v)  # held constant
    scores = perturbed + pass_through(bk, theta)  # derivative: identity (shift-invariant)
    soft = bk.softmax(tempered(xp, scores, xp.zeros_like(scores), tau), axis=-1)
    soft = xp.mean(soft, axis=0)
    return dist._down(hard + (soft - bk.stop_gradient(soft)))
