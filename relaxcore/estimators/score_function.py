r"""The score-function estimator (REINFORCE; Williams 1992; Glynn 1990) with baselines,
leave-one-out included (RLOO; Kool, van Hoof & Welling 2019)."""

from __future__ import annotations

from collections.abc import Callable

from relaxcore._dispatch import framework_of
from relaxcore._typing import RNG, Array
from relaxcore.distribution import Distribution
from relaxcore.estimators._common import count, losses, rng_streams, sum_trailing

BASELINES = (None, "mean", "loo")


def _check_baseline(owner, dist, baseline, n):
    if isinstance(baseline, str) or baseline is None:
        if baseline not in BASELINES:
            raise ValueError(
                f"{owner}: baseline must be None, 'mean', 'loo' or an array; got {baseline!r}"
            )
        if baseline == "loo" and n < 2:
            raise ValueError(
                f"{owner}: baseline='loo' needs n_samples >= 2 (it averages the other "
                f"samples' losses); got n_samples={n}"
            )
        return
    name = framework_of(baseline)
    if name not in (None, dist.backend.name):
        raise TypeError(
            f"{owner}: baseline is a {name} array but the distribution holds "
            f"{dist.backend.name} arrays"
        )


def draws(
    owner, f: Callable[..., Array], dist: Distribution, n_samples: int, baseline: Array, rng: RNG
):
    """``(samples, losses, baselines, log_prob)`` of one score-function estimate.

    `log_prob` is summed over the axes beyond ``f``'s output, `baselines` has the shape of
    the losses (stopped where drawn by the estimator itself).
    """
    if not isinstance(dist, Distribution):
        raise TypeError(
            f"{owner}: dist must be a relaxcore distribution with sample and log_prob; "
            f"got {type(dist).__name__}"
        )
    n = count(owner, "n_samples", n_samples)
    _check_baseline(owner, dist, baseline, n)
    xp, bk = dist.xp, dist.backend
    sample_rng, baseline_rng = rng_streams(dist, rng, 2)
    x = bk.stop_gradient(dist.sample((n,), rng=sample_rng))
    log_p = dist.log_prob(x)
    loss = losses(owner, f, x, 1, log_p.shape)
    log_p = sum_trailing(xp, log_p, loss.ndim)
    if baseline is None:
        b = xp.zeros_like(loss)
    elif isinstance(baseline, str) and baseline == "mean":
        extra = bk.stop_gradient(dist.sample((n,), rng=baseline_rng))
        b = xp.mean(bk.stop_gradient(f(extra)), axis=0) + xp.zeros_like(loss)
    elif isinstance(baseline, str):  # "loo"
        held = bk.stop_gradient(loss)
        b = (xp.sum(held, axis=0) - held) / (n - 1)
    else:
        b = baseline + xp.zeros_like(loss)
    return x, loss, b, log_p


def score_function(
    f: Callable[..., Array],
    dist: Distribution,
    *,
    n_samples: int = 1,
    baseline: str | Array | None = None,
    rng: RNG = None,
) -> Array:
    r"""A surrogate whose value is the estimate :math:`\frac1n\sum_i f(x_i)` of
    :math:`E[f(x)]` and whose gradient with respect to the parameters of `dist` is

    .. math:: \hat g = \frac1n \sum_{i=1}^n \big(f(x_i) - b_i\big)\,\nabla\log p(x_i)
              \;\big(+\ \nabla f(x_i)\text{ where } f \text{ has parameters}\big),

    :math:`x_i` independent draws. Surrogate: ``f(x) + (f(x) - b) (log p(x) - sg(log p(x)))``
    (``sg`` = stop_gradient): exactly ``f(x)`` in value. Baselines, all unbiased:

    - ``None``: :math:`b = 0`;
    - ``"mean"``: :math:`b` = the mean of `f` over `n_samples` further independent draws (the
      same for every :math:`x_i`, independent of them: costs n more evaluations of `f`);
    - ``"loo"``: :math:`b_i = \frac{1}{n-1}\sum_{j\ne i} f(x_j)` (RLOO, Kool et al. 2019;
      needs ``n_samples >= 2``; free);
    - an array broadcasting against ``f``'s output ``(n, ...)``: a baseline computed by the
      caller, independent of the draws (e.g. a learned one: its parameters get the gradient of
      the variance objective through the gradient of the surrogate, as in :func:`relax`).

    Args:
        f: loss of a sample: maps ``(n, *batch_shape, *event_shape)`` samples to ``(n,)`` or a
            leading part of ``log_prob``'s shape ``(n, *batch_shape)``; the log-probability is
            summed over the axes `f` reduced (the joint law of what each loss depends on).
        dist: any relaxcore distribution with ``sample`` and ``log_prob`` (Categorical,
            OneHotCategorical, Bernoulli, Independent, ...).
        n_samples: number of draws.
        baseline: None, "mean", "loo" or an array.
        rng: the random stream (a JAX key for JAX arrays).

    Returns: the surrogate, shape of ``f``'s output without the sample axis. For NumPy, whose
    arrays have no gradient, :func:`relaxcore.estimators.value_and_grad` returns the estimate
    and the gradient with respect to the logits.
    """
    owner = "score_function"
    _, loss, b, log_p = draws(owner, f, dist, n_samples, baseline, rng)
    xp, sg = dist.xp, dist.backend.stop_gradient
    return xp.mean(loss + (loss - b) * (log_p - sg(log_p)), axis=0)
