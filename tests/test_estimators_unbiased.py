"""The unbiased estimators (score function with every baseline, REBAR, RELAX, DisARM, ARSM)
match the exact gradient, by enumeration of 3^2 categorical and 2^3 Bernoulli
configurations, within 5 standard errors; torch and JAX differentiate the surrogate, NumPy
and array_api_strict go through the explicit gradients."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import (
    BERN_LOGITS,
    CAT_LOGITS,
    assert_unbiased,
    bern_f,
    cat_f,
    exact_bernoulli_gradient,
    exact_categorical_gradient,
    gradient_draws,
    replicated,
)

import relaxcore as rc

E = rc.estimators
N = 20000


@pytest.mark.parametrize("baseline", [None, "mean", "loo", "array"])
@pytest.mark.parametrize("family", ["categorical", "bernoulli"])
def test_score_function_is_unbiased(backend, family, baseline):
    xp = backend.xp
    logits, f = (CAT_LOGITS, cat_f(xp)) if family == "categorical" else (BERN_LOGITS, bern_f(xp))
    exact = (exact_categorical_gradient if family == "categorical" else exact_bernoulli_gradient)()
    law = rc.OneHotCategorical if family == "categorical" else rc.Bernoulli
    n = 2 if baseline == "loo" else 1
    b = backend.asarray(np.full((n, N), 1.7)) if baseline == "array" else baseline
    kwargs = {"n_samples": n, "baseline": b, "rng": backend.rng(1)}
    lg = replicated(backend, logits, N)
    if backend.has_autodiff:
        g = gradient_draws(backend, lambda t: E.score_function(f, law(logits=t), **kwargs), lg)
    else:
        g = backend.to_numpy(E.value_and_grad(E.score_function, f, law(logits=lg), **kwargs)[1])
    assert_unbiased(g, exact[1])


@pytest.mark.parametrize("family", ["categorical", "bernoulli"])
def test_rebar_is_unbiased(backend, family):
    if not backend.has_autodiff:
        pytest.skip("REBAR differentiates f: torch and JAX only")
    xp = backend.xp
    logits, f = (CAT_LOGITS, cat_f(xp)) if family == "categorical" else (BERN_LOGITS, bern_f(xp))
    exact = (exact_categorical_gradient if family == "categorical" else exact_bernoulli_gradient)()

    def surrogate(t):
        return E.rebar(f, t, temperature=0.5, eta=0.9, family=family, rng=backend.rng(2))

    assert_unbiased(gradient_draws(backend, surrogate, replicated(backend, logits, N)), exact[1])


@pytest.mark.parametrize("family", ["categorical", "bernoulli"])
def test_relax_is_unbiased_for_any_control_variate(backend, family):
    if not backend.has_autodiff:
        pytest.skip("RELAX differentiates the control variate: torch and JAX only")
    xp, bk = backend.xp, backend.bk
    logits, f = (CAT_LOGITS, cat_f(xp)) if family == "categorical" else (BERN_LOGITS, bern_f(xp))
    exact = (exact_categorical_gradient if family == "categorical" else exact_bernoulli_gradient)()
    axes = (-2, -1) if family == "categorical" else (-1,)
    squash = bk.softmax if family == "categorical" else bk.sigmoid

    def control_variate(z):  # a REBAR-like term plus an unrelated one
        return 0.8 * f(squash(z / 0.7)) + 0.05 * xp.sum(xp.tanh(z), axis=axes)

    def surrogate(t):
        return E.relax(f, t, control_variate, family=family, rng=backend.rng(3))

    assert_unbiased(gradient_draws(backend, surrogate, replicated(backend, logits, N)), exact[1])


def test_disarm_is_unbiased(backend):
    f = bern_f(backend.xp)
    lg = replicated(backend, BERN_LOGITS, N)
    if backend.has_autodiff:
        g = gradient_draws(backend, lambda t: E.disarm(f, t, rng=backend.rng(4)), lg)
    else:
        g = backend.to_numpy(E.value_and_grad(E.disarm, f, lg, rng=backend.rng(4))[1])
    assert_unbiased(g, exact_bernoulli_gradient()[1])


def test_arsm_is_unbiased(backend):
    f = cat_f(backend.xp)
    lg = replicated(backend, CAT_LOGITS, N)
    if backend.has_autodiff:
        g = gradient_draws(backend, lambda t: E.arsm(f, t, rng=backend.rng(5)), lg)
    else:
        g = backend.to_numpy(E.value_and_grad(E.arsm, f, lg, rng=backend.rng(5))[1])
    assert_unbiased(g, exact_categorical_gradient()[1])


@pytest.mark.parametrize("name", ["score_function", "rebar", "relax", "disarm", "arsm"])
def test_value_is_the_monte_carlo_estimate(backend, name):
    """The surrogate's value is an unbiased estimate of E[f] too."""
    xp = backend.xp
    bernoulli = name == "disarm"
    logits = BERN_LOGITS if bernoulli else CAT_LOGITS
    f = bern_f(xp) if bernoulli else cat_f(xp)
    exact = (exact_bernoulli_gradient if bernoulli else exact_categorical_gradient)()[0]
    rng = backend.rng(6)

    def estimate(t):
        if name == "score_function":
            return E.score_function(f, rc.OneHotCategorical(logits=t), n_samples=N, rng=rng)
        if name == "rebar":
            return E.rebar(f, t, temperature=0.5, n_samples=N, rng=rng)
        if name == "relax":
            return E.relax(f, t, lambda z: xp.sum(z, axis=(-2, -1)), n_samples=N, rng=rng)
        return getattr(E, name)(f, t, n_samples=N, rng=rng)

    if backend.name == "jax":
        import jax

        estimate = jax.jit(estimate)
    s = estimate(backend.asarray(logits))
    # the loss is at most about 12 here: 12 / sqrt(N) bounds 1 standard error
    assert abs(float(backend.to_numpy(s)) - exact) < 5 * 12 / np.sqrt(N)
