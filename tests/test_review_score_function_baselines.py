"""Score-function baselines per sample: the gradient is (1/n) sum_i (f(x_i) - b_i) grad log
p(x_i) with the paper's b_i, at the draws the estimator made (captured from the calls of f):
RLOO's b_i = the mean of the other n - 1 losses (Kool et al. 2019), "mean" the mean of f
over the n further draws. An unbiasedness test cannot see a wrong baseline (any baseline
independent of x_i is unbiased); this one can."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import BERN_LOGITS, CAT_LOGITS, bern_f, cat_f, grads

import relaxcore as rc

E = rc.estimators
N = 5


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _gradient(backend, law, f, logits, f_seen=None, **kwargs):
    """The estimator's gradient w.r.t. the logits: autodiff of the surrogate (torch, JAX)
    or the explicit NumPy-style gradient. `f_seen` (f recording its inputs) is called once
    on the same draws, outside any trace."""
    dist = law(logits=backend.asarray(logits))
    if backend.has_autodiff:
        if f_seen is not None:
            E.score_function(f_seen, dist, **kwargs)
        (g,) = grads(
            backend,
            lambda t: E.score_function(f, law(logits=t), **kwargs),
            backend.asarray(logits),
        )
        return g
    f = f if f_seen is None else f_seen
    return backend.to_numpy(E.value_and_grad(E.score_function, f, dist, **kwargs)[1])


@pytest.mark.parametrize("baseline", ["loo", "mean", "array", None])
@pytest.mark.parametrize("family", ["categorical", "bernoulli"])
def test_gradient_is_the_formula_at_the_captured_draws(backend, family, baseline):
    if backend.name == "jax" and (family, baseline) != ("categorical", "mean"):
        pytest.skip("JAX: the one case whose random streams differ (split keys); eager is slow")
    cat = family == "categorical"
    logits = CAT_LOGITS if cat else BERN_LOGITS
    law = rc.OneHotCategorical if cat else rc.Bernoulli
    f, f_np = (cat_f(backend.xp), cat_f(np)) if cat else (bern_f(backend.xp), bern_f(np))
    seen = []

    def f_seen(x):
        seen.append(backend.to_numpy(backend.bk.stop_gradient(x)))
        return f(x)

    b_array = np.linspace(0.5, 2.0, N)
    b_arg = backend.asarray(b_array) if baseline == "array" else baseline
    g = _gradient(backend, law, f, logits, f_seen, n_samples=N, baseline=b_arg, rng=backend.rng(31))
    x = seen[0]
    loss = f_np(x)
    if baseline == "loo":
        b = (loss.sum() - loss) / (N - 1)
    elif baseline == "mean":
        assert len(seen) == 2  # the n further draws, independent of the first n
        assert not np.array_equal(seen[0], seen[1])
        b = np.full(N, f_np(seen[1]).mean())
    elif baseline == "array":
        b = b_array
    else:
        b = np.zeros(N)
    score = x - (_softmax(logits) if cat else 1 / (1 + np.exp(-logits)))
    weight = (loss - b).reshape((N,) + (1,) * (score.ndim - 1))
    np.testing.assert_allclose(g, (weight * score).mean(0), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("baseline", ["loo", "mean"])
def test_a_constant_loss_has_gradient_exactly_zero(backend, baseline):
    """f = c: every baseline built from f is c, so every term f(x_i) - b_i is 0."""
    xp = backend.xp

    def f(x):
        return xp.zeros(x.shape[:1], dtype=x.dtype) + 2.5

    g = _gradient(
        backend,
        rc.OneHotCategorical,
        f,
        CAT_LOGITS,
        n_samples=4,
        baseline=baseline,
        rng=backend.rng(32),
    )
    np.testing.assert_array_equal(g, 0.0)
