r"""ARSM (Yin, Yue & Zhou 2019, "ARSM: Augment-REINFORCE-Swap-Merge Estimator for Gradient
Backpropagation Through Categorical Variables", eqs. 9 and 13): the categorical counterpart
of ARM/DisARM, from swapped Dirichlet noise."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from relaxcore._surrogates import pass_through
from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import (
    count,
    expand_trailing,
    family_distribution,
    losses,
    one_hot_argmax,
    rng_streams,
    sum_trailing,
)


def _swaps(k: int):
    """The distinct swaps (c <-> j): the identity first, then the pairs c < j; and for each
    ordered (c, j) the index of its swap in that list."""
    pairs = [None, *itertools.combinations(range(k), 2)]
    where = {pair: i for i, pair in enumerate(pairs)}
    index = [[0 if c == j else where[(min(c, j), max(c, j))] for j in range(k)] for c in range(k)]
    return pairs, index


def arsm_terms(owner, f: Callable[..., Array], logits: Array, n_samples: int, rng: RNG):
    """``(dist, theta, value, coef)``: per-sample ``f(z)`` and the per-sample gradient with
    respect to the logits, ``coef``, shaped ``(n, *logits.shape)``."""
    dist = family_distribution(owner, logits, "categorical")
    n = count(owner, "n_samples", n_samples)
    xp = dist.xp
    theta = dist._up(dist.logits)
    k = int(theta.shape[-1])
    (stream,) = rng_streams(dist, rng, 1)
    exponential = -xp.log(dist._open_unit(dist._uniform_noise((n,), stream)))
    pi = exponential / xp.sum(exponential, axis=-1, keepdims=True)  # Dirichlet(1, ..., 1)
    log_pi = xp.log(exponential)  # log pi up to a per-row constant, enough for the argmin
    pairs, index = _swaps(k)
    swapped = []
    for pair in pairs:
        order = list(range(k))
        if pair is not None:
            order[pair[0]], order[pair[1]] = pair[1], pair[0]
        permuted = xp.take(log_pi, xp.asarray(order, device=dist._device), axis=-1)
        swapped.append(one_hot_argmax(xp, theta - permuted))  # argmin(log pi - theta)
    configs = xp.stack(swapped, axis=0)  # (swaps, n, *batch, K)
    flat = xp.reshape(configs, (len(pairs) * n, *configs.shape[2:]))
    log_p_shape = (len(pairs) * n, *theta.shape[:-1])
    values = losses(owner, f, dist._down(flat), 1, log_p_shape)
    values = xp.reshape(values, (len(pairs), n, *values.shape[1:]))
    grid = xp.take(values, xp.asarray(sum(index, []), device=dist._device), axis=0)
    grid = xp.reshape(grid, (k, k, *values.shape[1:]))  # f(z^{c<->j}) at [c, j]
    centered = grid - xp.mean(grid, axis=0, keepdims=True)
    centered = expand_trailing(xp, centered, 2 + theta.ndim)  # (K_c, K_j, n, *batch)
    centered = xp.permute_dims(centered, (*range(2, centered.ndim), 0, 1))
    weight = 1.0 / k - pi  # (n, *batch, K_j)
    coef = xp.sum(centered * xp.expand_dims(weight, axis=-2), axis=-1)
    return dist, theta, values[0, ...], coef


def arsm(f: Callable[..., Array], logits: Array, *, n_samples: int = 1, rng: RNG = None) -> Array:
    r"""A surrogate whose value is the estimate of :math:`E[f(z)]`, :math:`z_v \sim
    \mathrm{Categorical}(\mathrm{softmax}(\phi_v))` independent over the leading axes of the
    logits :math:`\phi`, and whose gradient with respect to :math:`\phi` is ARSM:

    .. math:: \hat g_{vc} = \sum_{j=1}^{K}\Big(f(z^{c\rightleftharpoons j})
              - \frac1K\sum_{m=1}^{K} f(z^{m\rightleftharpoons j})\Big)
              \Big(\frac1K - \pi_{vj}\Big),

    :math:`\pi_v \sim \mathrm{Dirichlet}(1_K)` per variable, :math:`z_v^{c\rightleftharpoons
    j} = \arg\min_i(\log\pi^{c\rightleftharpoons j}_{vi} - \phi_{vi})` with entries c and j of
    :math:`\pi_v` swapped in every variable at once (eq. 13), and :math:`z = z^{c
    \rightleftharpoons c}` the sample (a Gumbel-max draw). Unbiased. `f` is evaluated at the
    :math:`K(K-1)/2 + 1` distinct swaps per sample, in one batch.

    Args:
        f: loss of a sample: ``(m, *logits.shape)`` one-hot rows -> ``(m,)`` or a leading
            part of ``(m, *logits.shape[:-1])``.
        logits: (..., K), the last axis indexing the categories.
        n_samples: independent samples averaged in the estimate.
        rng: the random stream (a JAX key for JAX arrays).
    """
    dist, theta, value, coef = arsm_terms("arsm", f, logits, n_samples, rng)
    xp = dist.xp
    carried = sum_trailing(xp, coef * pass_through(dist.backend, theta), value.ndim)
    return xp.mean(value + xp.astype(carried, value.dtype), axis=0)
