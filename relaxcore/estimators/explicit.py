"""Estimates and gradients as arrays, without autodiff: the NumPy way (any backend works)."""

from __future__ import annotations

from collections.abc import Callable

from relaxcore._typing import Array
from relaxcore.distributions.bernoulli import Bernoulli
from relaxcore.distributions.categorical import Categorical
from relaxcore.distributions.independent import Independent
from relaxcore.distributions.one_hot_categorical import OneHotCategorical
from relaxcore.estimators._common import expand_trailing
from relaxcore.estimators.arsm import arsm, arsm_terms
from relaxcore.estimators.disarm import disarm, disarm_terms
from relaxcore.estimators.score_function import draws, score_function


def _score(owner, dist, x):
    """d log p(x) / d logits of the (base) distribution, shaped like its logits per sample."""
    while isinstance(dist, Independent):
        dist = dist.base_dist
    xp, bk = dist.xp, dist.backend
    if isinstance(dist, Bernoulli):
        return dist._up(x) - bk.sigmoid(dist._up(dist.logits))
    if isinstance(dist, (Categorical, OneHotCategorical)):
        probs = bk.softmax(dist._up(dist.logits), axis=-1)
        if isinstance(dist, Categorical):
            x = xp.astype(xp.expand_dims(x, axis=-1) == dist._categories(x.dtype), probs.dtype)
        return dist._up(x) - probs
    raise NotImplementedError(
        f"{owner}: the explicit score-function gradient is written for Categorical, "
        f"OneHotCategorical and Bernoulli (and Independent of them); got {type(dist).__name__}"
    )


def value_and_grad(
    estimator, f: Callable[..., Array], dist_or_logits, **kwargs
) -> tuple[Array, Array]:
    r"""``(estimate, gradient)`` of an objective-style estimator, both plain arrays.

    The gradient is that of ``sum(estimate)`` with respect to the logits (the distribution's
    logits for :func:`score_function`, normalized for the categorical ones; the `logits`
    argument for :func:`disarm` and :func:`arsm`), for the same draws, equal to what autodiff
    gives on the surrogate in torch and JAX. Supported: ``score_function`` (Categorical,
    OneHotCategorical, Bernoulli and Independent of them), ``disarm`` and ``arsm``; REBAR and
    RELAX need the gradient of `f` and of the control variate, which NumPy cannot take.

    Example: ``value, grad = value_and_grad(disarm, f, logits, n_samples=100, rng=0)``.

    Args:
        estimator: :func:`score_function`, :func:`disarm` or :func:`arsm`.
        f: the loss, as for the estimator.
        dist_or_logits: the distribution (score_function) or the logits (disarm, arsm).
        **kwargs: the estimator's keyword arguments (``n_samples``, ``baseline``, ``rng``).
    """
    if estimator is score_function:
        owner = "value_and_grad(score_function)"
        dist = dist_or_logits
        x, loss, b, _ = draws(
            owner,
            f,
            dist,
            kwargs.pop("n_samples", 1),
            kwargs.pop("baseline", None),
            kwargs.pop("rng", None),
        )
        _no_more(owner, kwargs)
        xp = dist.xp
        score = _score(owner, dist, x)
        coef = expand_trailing(xp, loss - b, score.ndim) * score
    elif estimator in (disarm, arsm):
        owner = f"value_and_grad({estimator.__name__})"
        terms = disarm_terms if estimator is disarm else arsm_terms
        n, rng = kwargs.pop("n_samples", 1), kwargs.pop("rng", None)
        _no_more(owner, kwargs)
        dist, _, loss, coef = terms(owner, f, dist_or_logits, n, rng)
        xp = dist.xp
    else:
        raise NotImplementedError(
            "value_and_grad supports score_function, disarm and arsm; got "
            f"{getattr(estimator, '__name__', estimator)!r} (REBAR, RELAX and the sample-style "
            "estimators need autodiff: use torch or JAX arrays)"
        )
    return xp.mean(loss, axis=0), xp.mean(coef, axis=0)


def _no_more(owner, kwargs):
    if kwargs:
        raise TypeError(f"{owner}: unexpected keyword arguments {sorted(kwargs)}")
