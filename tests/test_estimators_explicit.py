"""value_and_grad (the explicit path, NumPy's way to the gradient) equals what autodiff gives
on the surrogate for the same draws, and the surrogate's value is the estimate."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import BERN_LOGITS, CAT_LOGITS, bern_f, cat_f

import relaxcore as rc

E = rc.estimators


def _index_f(xp, f):
    """cat_f on category indices (for Categorical)."""

    def g(x):
        one_hot = xp.astype(xp.expand_dims(x, axis=-1) == xp.arange(3), xp.float64)
        return f(one_hot)

    return g


def _cases(backend):
    xp = backend.xp
    cat, bern = cat_f(xp), bern_f(xp)
    yield "onehot", E.score_function, cat, lambda t: rc.OneHotCategorical(logits=t), CAT_LOGITS, {}
    yield (
        "loo",
        E.score_function,
        cat,
        lambda t: rc.OneHotCategorical(logits=t),
        CAT_LOGITS,
        {
            "n_samples": 5,
            "baseline": "loo",
        },
    )
    yield (
        "mean",
        E.score_function,
        bern,
        lambda t: rc.Bernoulli(logits=t),
        BERN_LOGITS,
        {
            "n_samples": 3,
            "baseline": "mean",
        },
    )
    yield (
        "independent",
        E.score_function,
        bern,
        lambda t: rc.Bernoulli(logits=t).to_event(1),
        (BERN_LOGITS),
        {"n_samples": 4},
    )
    yield (
        "per-variable losses",
        E.score_function,
        lambda b: b * b + b,
        lambda t: rc.Bernoulli(logits=t),
        BERN_LOGITS,
        {"n_samples": 4},
    )
    yield "disarm", E.disarm, bern, lambda t: t, BERN_LOGITS, {"n_samples": 4}
    yield "arsm", E.arsm, cat, lambda t: t, CAT_LOGITS, {"n_samples": 4}


def test_explicit_gradient_equals_autodiff_of_the_surrogate(backend):
    if not backend.has_autodiff:
        pytest.skip("compares with autodiff")
    xp = backend.xp
    for label, estimator, f, make, logits, kwargs in _cases(backend):

        def surrogate(t, estimator=estimator, f=f, make=make, kwargs=kwargs):
            return estimator(f, make(t), rng=backend.rng(7), **kwargs)

        def explicit(t, estimator=estimator, f=f, make=make, kwargs=kwargs):
            return E.value_and_grad(estimator, f, make(t), rng=backend.rng(7), **kwargs)

        t = backend.asarray(logits)
        if backend.name == "jax":  # one compilation per case
            import jax

            both = jax.jit(
                lambda t, s=surrogate, e=explicit: (
                    *e(t),
                    s(t),
                    jax.grad(lambda u: xp.sum(s(u)))(t),
                )
            )
            value, grad, s, auto = both(t)
            auto = backend.to_numpy(auto)
        else:
            (value, grad), s = explicit(t), surrogate(t)
            auto = backend.grad(lambda u, s=surrogate: xp.sum(s(u)), t)[0]
        got = backend.to_numpy(grad)
        np.testing.assert_allclose(got, np.asarray(auto), rtol=1e-10, atol=1e-12, err_msg=label)
        np.testing.assert_allclose(backend.to_numpy(value), backend.to_numpy(s), rtol=1e-12)


def test_categorical_index_samples(backend):
    """Categorical (integer values) draws the same categories as OneHotCategorical from the
    same stream, and its explicit score (onehot(x) - softmax) gives the same gradient."""
    xp = backend.xp
    t = backend.asarray(CAT_LOGITS)
    kw = {"n_samples": 5, "baseline": "loo"}
    by_index = E.value_and_grad(
        E.score_function,
        _index_f(xp, cat_f(xp)),
        rc.Categorical(logits=t),
        rng=backend.rng(8),
        **kw,
    )
    by_one_hot = E.value_and_grad(
        E.score_function, cat_f(xp), rc.OneHotCategorical(logits=t), rng=backend.rng(8), **kw
    )
    for a, b in zip(by_index, by_one_hot):
        np.testing.assert_allclose(backend.to_numpy(a), backend.to_numpy(b), rtol=1e-12)
    assert np.any(backend.to_numpy(by_index[1]) != 0)


def test_value_and_grad_refuses_what_it_cannot_do(backend):
    f = cat_f(backend.xp)
    t = backend.asarray(CAT_LOGITS)
    with pytest.raises(NotImplementedError, match="need autodiff"):
        E.value_and_grad(E.rebar, f, t, temperature=0.5, rng=backend.rng(0))
    with pytest.raises(TypeError, match="unexpected keyword"):
        E.value_and_grad(E.disarm, f, t, temperature=0.5, rng=backend.rng(0))
    d = rc.Normal(backend.asarray([0.0]), 1.0)
    with pytest.raises(NotImplementedError, match="Categorical, OneHotCategorical and Bernoulli"):
        E.value_and_grad(E.score_function, lambda x: x[..., 0], d, rng=backend.rng(0))
