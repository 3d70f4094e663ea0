"""Bias, variance and cost of gradient estimators against the exact gradient."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from array_api_compat import array_namespace

from relaxcore._typing import RNG, Array
from relaxcore.distribution import Distribution
from relaxcore.distributions.bernoulli import Bernoulli
from relaxcore.distributions.independent import Independent
from relaxcore.distributions.one_hot_categorical import OneHotCategorical
from relaxcore.estimators._common import count, rng_streams
from relaxcore.estimators.arsm import arsm
from relaxcore.estimators.disarm import disarm
from relaxcore.estimators.explicit import _score, value_and_grad
from relaxcore.estimators.gapped_straight_through import gapped_straight_through
from relaxcore.estimators.gumbel_rao import gumbel_rao
from relaxcore.estimators.rebar import rebar
from relaxcore.estimators.reinmax import reinmax
from relaxcore.estimators.score_function import score_function
from relaxcore.estimators.straight_through import straight_through
from relaxcore.implicit._protocol import adapter
from relaxcore.relaxations.straight_through_categorical import (
    RelaxedOneHotCategoricalStraightThrough,
)

#: name -> (estimator, keyword arguments) of the objective-style defaults
OBJECTIVE: dict[str, tuple[Callable[..., Array], dict[str, Any]]] = {
    "score_function": (score_function, {}),
    "score_function_mean": (score_function, {"baseline": "mean"}),
    "score_function_loo": (score_function, {"n_samples": 2, "baseline": "loo"}),
    "rebar": (rebar, {"temperature": 0.5}),
    "disarm": (disarm, {}),
    "arsm": (arsm, {}),
}

#: name -> one-hot sample of the logits whose backward pass is the estimator
SAMPLE = {
    "straight_through": lambda logits, rng: straight_through(logits, rng=rng),
    "st_gumbel_softmax": lambda logits, rng: RelaxedOneHotCategoricalStraightThrough(
        0.5, logits=logits
    ).rsample(rng=rng),
    "reinmax": lambda logits, rng: reinmax(logits, temperature=1.0, rng=rng),
    "gapped_straight_through": lambda logits, rng: gapped_straight_through(
        logits, temperature=0.5, rng=rng
    ),
    "gumbel_rao": lambda logits, rng: gumbel_rao(logits, temperature=0.5, n_samples=10, rng=rng),
}

MAX_ENUMERATION = 4096


@dataclass(frozen=True)
class EstimatorReport:
    """One estimator's figures; arrays are shaped like the logits."""

    name: str
    mean: Array  #: mean gradient over the draws
    bias: Array  #: mean minus the reference gradient
    variance: Array  #: variance of one draw, per coordinate
    seconds_per_draw: float
    n_draws: int

    @property
    def bias_norm(self) -> float:
        """Euclidean norm of the bias."""
        return _float(self.bias * self.bias, math.sqrt)

    @property
    def total_variance(self) -> float:
        """Trace of the covariance of one draw (sum of the per-coordinate variances)."""
        return _float(self.variance)

    @property
    def bias_z(self) -> float:
        """Largest |bias| in units of its standard error (about 5 or less: no bias seen)."""
        xp = array_namespace(self.bias)
        se = xp.sqrt(self.variance / self.n_draws)
        tiny = xp.finfo(se.dtype).smallest_normal
        return float(xp.max(xp.abs(self.bias) / xp.maximum(se, xp.full_like(se, tiny))))


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` returns: the reference gradient, how it was obtained, and one
    :class:`EstimatorReport` per estimator (in the order given)."""

    reference: object
    reference_kind: str
    reports: dict

    def table(self) -> str:
        """A Markdown table: bias norm, largest bias in standard errors, total variance and
        microseconds per draw."""
        lines = [
            f"reference gradient: {self.reference_kind}",
            "",
            "| estimator | bias norm | max bias / s.e. | total variance | us per draw |",
            "|---|---|---|---|---|",
        ]
        for r in self.reports.values():
            lines.append(
                f"| {r.name} | {r.bias_norm:.4g} | {r.bias_z:.1f} | {r.total_variance:.4g} "
                f"| {1e6 * r.seconds_per_draw:.1f} |"
            )
        return "\n".join(lines)


def _float(x, then=float) -> float:
    return then(float(array_namespace(x).sum(x)))


def _base(owner, dist):
    base = dist.base_dist if isinstance(dist, Independent) else dist
    if not isinstance(base, (OneHotCategorical, Bernoulli)):
        raise TypeError(
            f"{owner}: dist must be a OneHotCategorical or a Bernoulli (or Independent of one), "
            f"so that every estimator passes f the same one-hot or 0/1 samples; got "
            f"{type(dist).__name__}"
        )
    return base


def _enumerate(base):
    """Every joint configuration of the base's batch: ``(M, *batch, [K])``, or None if more
    than MAX_ENUMERATION."""
    xp = base.xp
    cells = math.prod(base.batch_shape)
    k = base.num_categories if isinstance(base, OneHotCategorical) else 2
    if k**cells > MAX_ENUMERATION:
        return None
    rows = list(itertools.product(range(k), repeat=cells))
    index = xp.asarray(rows, device=base._device)
    index = xp.reshape(index, (len(rows), *base.batch_shape))
    if isinstance(base, Bernoulli):
        return xp.astype(index, base.dtype)
    return xp.astype(xp.expand_dims(index, axis=-1) == base._categories(index.dtype), base.dtype)


def _exact_gradient(f, base):
    """Sum over the support of ``p(x) sum(f(x)) d log p(x) / d logits``, or None."""
    configs = _enumerate(base)
    if configs is None:
        return None
    xp = base.xp
    log_p = base.log_prob(configs)
    log_p = xp.sum(xp.reshape(log_p, (log_p.shape[0], -1)), axis=-1)
    values = f(configs)
    values = xp.sum(xp.reshape(values, (values.shape[0], -1)), axis=-1)
    weight = xp.exp(log_p) * values
    score = _score("diagnose", base, configs)
    weight = xp.reshape(weight, (weight.shape[0],) + (1,) * (score.ndim - 1))
    return xp.sum(weight * score, axis=0)


def _replicated(base, logits):
    return type(base)(logits=logits)


def _gradient_draws(owner, name, spec, f, base, n_draws, rng):
    """``n_draws`` independent gradients, ``(n_draws, *logits.shape)``: the logits are
    replicated along a new leading batch axis, one draw each."""
    bk = base.backend
    xp = bk.xp
    held = bk.stop_gradient(base._up(base.logits))
    logits = held + xp.zeros((n_draws, *held.shape), dtype=held.dtype, device=base._device)
    family = "categorical" if isinstance(base, OneHotCategorical) else "bernoulli"
    if name in OBJECTIVE:
        estimator, kwargs = OBJECTIVE[name]
        if estimator is arsm and family != "categorical":
            raise ValueError(f"{owner}: arsm applies to categorical logits, not {family}")
        if estimator is disarm and family != "bernoulli":
            raise ValueError(f"{owner}: disarm applies to Bernoulli logits, not {family}")
        if estimator is rebar:
            kwargs = {**kwargs, "family": family}
        if estimator is score_function:

            def surrogate(lg):
                return estimator(f, _replicated(base, lg), rng=rng, **kwargs)
        else:

            def surrogate(lg):
                return estimator(f, lg, rng=rng, **kwargs)
    elif name in SAMPLE:
        if family != "categorical":
            raise ValueError(f"{owner}: {name} applies to categorical logits, not {family}")

        def surrogate(lg):
            return f(xp.expand_dims(SAMPLE[name](lg, rng), axis=0))[0, ...]
    elif callable(spec):

        def surrogate(lg):
            return spec(f, lg, rng)
    else:
        raise ValueError(
            f"{owner}: unknown estimator {name!r}; use one of {sorted(OBJECTIVE) + sorted(SAMPLE)}"
            " or a (name, callable) pair"
        )
    module = adapter(bk)
    if module is not None and hasattr(module, "cdf_gradients"):
        (grads,) = module.cdf_gradients(surrogate, (logits,))
        return grads
    if name in OBJECTIVE and OBJECTIVE[name][0] in (score_function, disarm, arsm):
        estimator, kwargs = OBJECTIVE[name]
        target = _replicated(base, logits) if estimator is score_function else logits
        return value_and_grad(estimator, f, target, rng=rng, **kwargs)[1]
    raise NotImplementedError(
        f"{owner}: {name} needs autodiff; the {bk.name} backend supports score_function, "
        "score_function_mean, score_function_loo, disarm and arsm (explicit gradients)"
    )


def diagnose(
    f: Callable[..., Array],
    dist: Distribution,
    estimators,
    *,
    n_draws: int = 1000,
    rng: RNG = None,
) -> Diagnosis:
    r"""Mean, bias, variance and time per draw of gradient estimators of
    :math:`\nabla_\theta E_{x \sim p_\theta}[\sum f(x)]`, :math:`\theta` the logits of `dist`.

    The reference gradient is exact, :math:`\sum_x p(x) f(x) \nabla\log p(x)` over the whole
    support, when it has at most 4096 points; otherwise the score function with the
    leave-one-out baseline and 100 * `n_draws` samples.

    Each estimator gives `n_draws` independent gradients in one vectorized call (the logits
    replicated along a new leading axis, so `f` must treat leading axes as batch axes, e.g.
    index with ``...``); the time per draw is that call's wall time (after one warm-up call)
    over `n_draws`. Timings include the framework's eager dispatch.

    Args:
        f: loss of samples ``(n, *batch, [K])`` -> ``(n,)`` or a leading part of
            ``(n, *batch)``; one-hot rows for categorical, 0./1. for Bernoulli; relaxed values
            for REBAR.
        dist: a OneHotCategorical or a Bernoulli (or Independent of one).
        estimators: names (``"score_function"``, ``"score_function_mean"``,
            ``"score_function_loo"``, ``"rebar"``, ``"disarm"``, ``"arsm"``,
            ``"straight_through"``, ``"st_gumbel_softmax"``, ``"reinmax"``,
            ``"gapped_straight_through"``, ``"gumbel_rao"``) or ``(name, fn)`` pairs with
            ``fn(f, logits, rng)`` returning a surrogate of ``f``'s output shape without the
            sample axis. NumPy and array_api_strict (no autodiff) take the score-function
            names, ``"disarm"`` and ``"arsm"``.
        n_draws: gradients drawn per estimator.
        rng: the random stream (a JAX key for JAX arrays).

    Returns: a :class:`Diagnosis` (``.table()`` formats it).
    """
    owner = "diagnose"
    base = _base(owner, dist)
    n_draws = count(owner, "n_draws", n_draws, least=2)
    specs = [(s, s) if isinstance(s, str) else tuple(s) for s in estimators]
    xp = base.xp
    streams = rng_streams(base, rng, 2 * len(specs) + 1)
    reference = _exact_gradient(f, base)
    kind = "exact enumeration"
    if reference is None:
        n_ref = 100 * n_draws
        kind = f"score function, leave-one-out baseline, {n_ref} samples"
        reference = value_and_grad(
            score_function, f, base, n_samples=n_ref, baseline="loo", rng=streams[-1]
        )[1]
    reports = {}
    for i, (name, spec) in enumerate(specs):
        _gradient_draws(owner, name, spec, f, base, n_draws, streams[2 * i])  # warm-up
        start = time.perf_counter()
        grads = _gradient_draws(owner, name, spec, f, base, n_draws, streams[2 * i + 1])
        float(xp.sum(grads))  # waits for asynchronous frameworks
        seconds = (time.perf_counter() - start) / n_draws
        mean = xp.mean(grads, axis=0)
        variance = xp.sum((grads - mean) ** 2, axis=0) / (n_draws - 1)
        reports[name] = EstimatorReport(name, mean, mean - reference, variance, seconds, n_draws)
    return Diagnosis(reference, kind, reports)
