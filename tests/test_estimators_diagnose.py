"""diagnose: the exact reference gradient by enumeration (checked against an independent one),
no bias found for unbiased estimators, the bias of straight-through found, the sampled
reference for large supports, and its refusals."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import CAT_LOGITS, bern_f, cat_f, exact_categorical_gradient

import relaxcore as rc

E = rc.estimators


def test_reference_bias_variance_and_table(backend):
    names = ["score_function_loo", "arsm"]
    if backend.has_autodiff:  # diagnose runs eagerly: JAX compiles op by op, so fewer there
        names = ["score_function_loo", "rebar", "straight_through"][backend.name == "jax" :]
    d = rc.OneHotCategorical(logits=backend.asarray(CAT_LOGITS))
    result = E.diagnose(cat_f(backend.xp), d, names, n_draws=2000, rng=backend.rng(0))
    assert result.reference_kind == "exact enumeration"
    np.testing.assert_allclose(
        backend.to_numpy(result.reference), exact_categorical_gradient()[1], rtol=1e-10
    )
    for name in {"score_function_loo", "arsm", "rebar"} & set(names):
        assert result.reports[name].bias_z < 5, name
    if backend.has_autodiff:
        assert result.reports["straight_through"].bias_z > 10  # f is far from linear
    for r in result.reports.values():
        assert r.total_variance > 0 and r.seconds_per_draw > 0 and np.isfinite(r.bias_norm)
    table = result.table()
    assert all(f"| {name} |" in table for name in names)


def test_large_support_uses_a_sampled_reference(backend):
    if backend.name == "jax":
        pytest.skip("array-API code shared with the other backends; JAX runs it eagerly (slow)")
    n_vars = 13  # 2^13 configurations: more than diagnose enumerates
    logits = np.linspace(-1.0, 1.0, n_vars)
    xp = backend.xp

    def f(b):
        return bern_f(xp)(b[..., :3]) + 0.1 * xp.sum(b, axis=-1)

    d = rc.Bernoulli(logits=backend.asarray(logits))
    result = E.diagnose(f, d, ["disarm"], n_draws=400, rng=backend.rng(1))
    assert result.reference_kind.startswith("score function")
    assert result.reports["disarm"].bias_z < 5


def test_diagnose_refusals(backend):
    f = cat_f(backend.xp)
    t = backend.asarray(CAT_LOGITS)
    with pytest.raises(TypeError, match="OneHotCategorical or a Bernoulli"):
        E.diagnose(f, rc.Categorical(logits=t), ["arsm"], rng=backend.rng(0))
    d = rc.OneHotCategorical(logits=t)
    with pytest.raises(ValueError, match="unknown estimator"):
        E.diagnose(f, d, ["reinforce"], rng=backend.rng(0))
    with pytest.raises(ValueError, match="disarm applies to Bernoulli"):
        E.diagnose(f, d, ["disarm"], rng=backend.rng(0))
    with pytest.raises(ValueError, match="n_draws must be an integer >= 2"):
        E.diagnose(f, d, ["arsm"], n_draws=1, rng=backend.rng(0))
    if not backend.has_autodiff:
        with pytest.raises(NotImplementedError, match="needs autodiff"):
            E.diagnose(f, d, ["rebar"], n_draws=10, rng=backend.rng(0))


def test_custom_estimator_pairs(backend):
    if not backend.has_autodiff:
        pytest.skip("a callable estimator is differentiated by autodiff")
    xp = backend.xp
    f = cat_f(xp)

    def relax_estimator(f, logits, rng):
        return E.relax(f, logits, lambda z: 0.5 * xp.sum(z, axis=(-2, -1)), rng=rng)

    d = rc.OneHotCategorical(logits=backend.asarray(CAT_LOGITS))
    result = E.diagnose(f, d, [("relax", relax_estimator)], n_draws=2000, rng=backend.rng(2))
    assert result.reports["relax"].bias_z < 5
