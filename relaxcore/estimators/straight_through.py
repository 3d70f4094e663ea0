"""The straight-through estimator for categorical samples (Bengio, Leonard & Courville 2013;
Jang et al. 2017, section 2.2, without the Gumbel relaxation)."""

from __future__ import annotations

from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import categorical_inputs


def straight_through(logits: Array, *, rng: RNG = None) -> Array:
    r"""A one-hot sample :math:`D \sim \mathrm{Categorical}(\mathrm{softmax}(\theta))` whose
    backward pass is that of :math:`\pi_0 = \mathrm{softmax}(\theta)`:

    .. math:: \nabla_\theta = J(\pi_0)^\top g,
              \qquad J(\pi) = \mathrm{diag}(\pi) - \pi\pi^\top,

    for the upstream gradient :math:`g`. Value ``D + (pi0 - stop_gradient(pi0))``: exactly
    one-hot. Biased (it is the gradient of :math:`E[f]` only for linear `f`).

    Args:
        logits: (..., K), the last axis indexing the categories.
        rng: the random stream (a JAX key for JAX arrays).

    Returns: one sample of shape ``logits.shape``. NumPy: the sample (no gradient).
    """
    dist, theta = categorical_inputs("straight_through", logits)
    bk = dist.backend
    hard = dist._up(dist.sample(rng=rng))
    probs = bk.softmax(theta, axis=-1)
    return dist._down(hard + (probs - bk.stop_gradient(probs)))
