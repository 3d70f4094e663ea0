r"""DisARM (Dong, Mnih & Tucker 2020, "DisARM: An Antithetic Gradient Estimator for Binary
Latent Variables", eq. 7): antithetic pairs of factorized Bernoulli samples."""

from __future__ import annotations

from collections.abc import Callable

from relaxcore._surrogates import pass_through
from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import (
    count,
    expand_trailing,
    family_distribution,
    losses,
    rng_streams,
    sum_trailing,
)
from relaxcore.relaxations._noise import logistic


def disarm_terms(owner, f: Callable[..., Array], logits: Array, n_samples: int, rng: RNG):
    """``(dist, theta, value, coef)``: per-sample estimates ``(f(b) + f(b~)) / 2`` and the
    per-sample gradient with respect to the logits, ``coef``, shaped ``(n, *logits.shape)``."""
    dist = family_distribution(owner, logits, "bernoulli")
    n = count(owner, "n_samples", n_samples)
    xp, bk = dist.xp, dist.backend
    theta = dist._up(dist.logits)
    (stream,) = rng_streams(dist, rng, 1)
    noise = logistic(dist, dist._uniform_noise((n,), stream))  # logit(u)
    hard = xp.astype(noise < theta, theta.dtype)  # u < sigmoid(theta)
    anti = xp.astype(-noise < theta, theta.dtype)  # 1 - u < sigmoid(theta)
    f_hard = losses(owner, f, dist._down(hard), 1, hard.shape)
    f_anti = losses(owner, f, dist._down(anti), 1, hard.shape)
    half_diff = expand_trailing(xp, (f_hard - f_anti) / 2, hard.ndim)
    sign = xp.where(anti > 0, -xp.ones_like(theta), xp.ones_like(theta))
    weight = xp.where(hard != anti, sign * bk.sigmoid(xp.abs(theta)), xp.zeros_like(theta))
    return dist, theta, (f_hard + f_anti) / 2, half_diff * weight


def disarm(f: Callable[..., Array], logits: Array, *, n_samples: int = 1, rng: RNG = None) -> Array:
    r"""A surrogate whose value is the estimate of :math:`E[f(b)]`, :math:`b_i \sim
    \mathrm{Bernoulli}(\sigma(\theta_i))` independent, and whose gradient with respect to the
    logits :math:`\theta` is DisARM:

    .. math:: \hat g_i = \tfrac12\big(f(b) - f(\tilde b)\big)\,(-1)^{\tilde b_i}\,
              1[b_i \ne \tilde b_i]\,\sigma(|\theta_i|),

    with the antithetic pair :math:`b = 1[u < \sigma(\theta)]`,
    :math:`\tilde b = 1[1 - u < \sigma(\theta)]` from one uniform :math:`u` per variable. The
    value is :math:`(f(b) + f(\tilde b))/2`. Unbiased; two evaluations of `f` per sample.

    Args:
        f: loss of a sample: ``(n, *logits.shape)`` (0. and 1.) -> ``(n,)`` or a leading
            part of ``(n, *logits.shape)``.
        logits: Bernoulli logits (probabilities 0 and 1 as -inf and +inf).
        n_samples: antithetic pairs averaged in the estimate.
        rng: the random stream (a JAX key for JAX arrays).
    """
    dist, theta, value, coef = disarm_terms("disarm", f, logits, n_samples, rng)
    xp = dist.xp
    carried = sum_trailing(xp, coef * pass_through(dist.backend, theta), value.ndim)
    return xp.mean(value + xp.astype(carried, value.dtype), axis=0)
