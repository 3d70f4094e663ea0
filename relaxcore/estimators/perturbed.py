r"""Perturbed optimizers (Berthet, Blondel, Teboul, Cuturi, Vert & Bach 2020, "Learning with
Differentiable Perturbed Optimizers", Proposition 3.1): the mean of argmaxes (or top-k sets)
of randomly perturbed logits, with its Monte-Carlo Jacobian."""

from __future__ import annotations

from relaxcore._surrogates import pass_through
from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import (
    categorical_inputs,
    count,
    one_hot_argmax,
    positive,
    rng_streams,
    top_k_indicator,
)
from relaxcore.relaxations._noise import gumbel

NOISES = ("normal", "gumbel")


def _perturbed(owner, logits, maximizer, n_samples, sigma, noise, rng):
    dist, theta = categorical_inputs(owner, logits)
    xp, bk = dist.xp, dist.backend
    n = count(owner, "n_samples", n_samples)
    sigma = positive(owner, bk, "sigma", sigma)
    if noise not in NOISES:
        raise ValueError(f"{owner}: noise must be one of {NOISES}; got {noise!r}")
    (stream,) = rng_streams(dist, rng, 1)
    if noise == "normal":
        z = dist._normal_noise((n,), stream)
        score = z  # grad of nu(z) = |z|^2 / 2
    else:
        z = gumbel(dist, dist._uniform_noise((n,), stream))
        score = 1.0 - xp.exp(-z)  # grad of nu(z) = z + exp(-z)
    held = bk.stop_gradient(theta)
    hard = maximizer(xp, xp.where(xp.isfinite(held), held + sigma * z, held))
    carried = xp.sum(score * pass_through(bk, theta), axis=-1, keepdims=True) / sigma
    return dist._down(xp.mean(hard + hard * carried, axis=0))


def perturbed_argmax(
    logits: Array,
    *,
    n_samples: int = 100,
    sigma: Array = 1.0,
    noise: str = "normal",
    rng: RNG = None,
) -> Array:
    r"""The perturbed argmax :math:`y_\sigma(\theta) = E[\mathrm{onehot}(\arg\max(\theta +
    \sigma Z))]`, estimated by the mean of `n_samples` perturbed argmaxes, with the Jacobian of
    Berthet et al. (Prop. 3.1) estimated on the same draws:

    .. math:: \partial_\theta y_\sigma = \frac{1}{\sigma}\,
              E\big[\mathrm{onehot}(\arg\max(\theta + \sigma Z))\,\nabla\nu(Z)^\top\big],

    :math:`\nu` the negative log density of the noise: :math:`\nabla\nu(z) = z` for "normal",
    :math:`1 - e^{-z}` for "gumbel" (whose :math:`y_\sigma` is exactly
    :math:`\mathrm{softmax}(\theta/\sigma)`). The value is a point of the simplex (soft),
    not one-hot, for ``n_samples > 1``.

    Args:
        logits: (..., K), the last axis indexing the categories.
        n_samples: perturbations averaged (value and Jacobian).
        sigma: noise scale > 0.
        noise: "normal" or "gumbel".
        rng: the random stream (a JAX key for JAX arrays).
    """
    return _perturbed("perturbed_argmax", logits, one_hot_argmax, n_samples, sigma, noise, rng)


def perturbed_top_k(
    logits: Array,
    k: int,
    *,
    n_samples: int = 100,
    sigma: Array = 1.0,
    noise: str = "normal",
    rng: RNG = None,
) -> Array:
    r"""The perturbed top-k indicator :math:`E[\mathrm{topk}(\theta + \sigma Z)]` (k ones at the
    k largest entries), estimated and differentiated as :func:`perturbed_argmax` (Berthet et
    al. 2020, section 5.1). The value's rows sum to k, entries in [0, 1]. ``n_samples``,
    ``sigma``, ``noise`` and ``rng`` are as in :func:`perturbed_argmax`.

    Args:
        logits: (..., K), the last axis indexing the categories.
        k: integer in [1, K].
    """
    owner = "perturbed_top_k"
    size = int(logits.shape[-1]) if getattr(logits, "ndim", 0) else 0
    k = count(owner, "k", k)
    if size and k > size:
        raise ValueError(f"{owner}: k must be an integer in [1, K] = [1, {size}]; got {k}")

    def top_k(xp, scores):
        return top_k_indicator(xp, scores, k)

    return _perturbed(owner, logits, top_k, n_samples, sigma, noise, rng)
