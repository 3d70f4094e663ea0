"""Where nothing can raise (validate_args=False, or under jax.jit), invalid parameters give
NaN samples and log-densities, and values outside the support give log_prob -inf: never a
finite wrong number (relaxcore/_policy.py)."""

import math

import numpy as np
import pytest

import relaxcore as rc

NAN = math.nan


def _eye(xp):
    return xp.eye(3)


# name: (make(xp, **params), valid params, {param: invalid value}, value outside the support)
CASES = {
    "Normal": (
        lambda xp, **k: rc.Normal(**k),
        {"loc": [0.0, 1.0], "scale": [1.0, 2.0]},
        {"scale": [-1.0, 2.0]},
        None,
    ),
    "Logistic": (
        lambda xp, **k: rc.Logistic(**k),
        {"loc": [0.0, 1.0], "scale": [1.0, 2.0]},
        {"scale": [-1.0, 2.0]},
        None,
    ),
    "Uniform": (
        lambda xp, **k: rc.Uniform(**k),
        {"low": [0.0, 1.0], "high": [1.0, 2.0]},
        {"high": [-1.0, 2.0]},
        5.0,
    ),
    "MultivariateNormalDiag": (
        lambda xp, **k: rc.MultivariateNormalDiag(**k),
        {"loc": [[0.0, 1.0], [0.0, 1.0]], "scale_diag": [[1.0, 2.0], [1.0, 2.0]]},
        {"scale_diag": [[-1.0, 2.0], [1.0, 2.0]]},
        None,
    ),
    "Gamma": (
        lambda xp, **k: rc.Gamma(**k),
        {"concentration": [0.5, 2.0], "rate": [1.0, 2.0]},
        {"concentration": [-1.0, 2.0]},
        -1.0,
    ),
    "ExpGamma": (
        lambda xp, **k: rc.ExpGamma(**k),
        {"concentration": [0.5, 2.0], "rate": [1.0, 2.0]},
        {"rate": [-1.0, 2.0]},
        None,
    ),
    "Beta": (
        lambda xp, **k: rc.Beta(**k),
        {"concentration1": [0.5, 2.0], "concentration0": [1.0, 2.0]},
        {"concentration1": [-1.0, 2.0]},
        1.5,
    ),
    "ExpBeta": (
        lambda xp, **k: rc.ExpBeta(**k),
        {"concentration1": [0.5, 2.0], "concentration0": [1.0, 2.0]},
        {"concentration0": [NAN, 2.0]},
        0.5,
    ),
    "Dirichlet": (
        lambda xp, **k: rc.Dirichlet(**k),
        {"concentration": [[0.5, 2.0, 1.0]] * 2},
        {"concentration": [[-1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]},
        [0.5, 0.6, 0.2],
    ),
    "ExpDirichlet": (
        lambda xp, **k: rc.ExpDirichlet(**k),
        {"concentration": [[0.5, 2.0, 1.0]] * 2},
        {"concentration": [[0.0, 1.0, 1.0], [1.0, 1.0, 1.0]]},
        [0.5, -0.6, -0.2],
    ),
    "StudentT": (
        lambda xp, **k: rc.StudentT(**k),
        {"df": [0.5, 2.0], "loc": [0.0, 1.0], "scale": [1.0, 2.0]},
        {"df": [-1.0, 2.0]},
        None,
    ),
    "VonMises": (
        lambda xp, **k: rc.VonMises(**k),
        {"loc": [0.0, 1.0], "concentration": [1.0, 2.0]},
        {"concentration": [-1.0, 2.0]},
        None,
    ),
    "RelaxedBernoulli": (
        lambda xp, **k: rc.RelaxedBernoulli(**k),
        {"temperature": [0.5, 1.0], "logits": [0.0, 1.0]},
        {"temperature": [-1.0, 1.0]},
        1.5,
    ),
    "RelaxedBernoulli(probs)": (
        lambda xp, **k: rc.RelaxedBernoulli(**k),
        {"temperature": [0.5, 1.0], "probs": [0.3, 0.6]},
        {"probs": [-0.5, 0.6]},
        1.5,
    ),
    "RelaxedOneHotCategorical": (
        lambda xp, **k: rc.RelaxedOneHotCategorical(**k),
        {"temperature": [0.5, 0.5], "logits": [[0.0, 1.0, 2.0]] * 2},
        {"logits": [[NAN, 0.0, 1.0], [0.0, 1.0, 2.0]]},
        [0.5, 0.6, 0.2],
    ),
    "RelaxedOneHotCategorical(probs)": (
        lambda xp, **k: rc.RelaxedOneHotCategorical(**k),
        {"temperature": [0.5, 0.5], "probs": [[0.2, 0.3, 0.5]] * 2},
        {"probs": [[-0.2, 0.7, 0.5], [0.2, 0.3, 0.5]]},
        [0.5, 0.6, 0.2],
    ),
    "RelaxedOneHotCategoricalStraightThrough": (
        lambda xp, **k: rc.RelaxedOneHotCategoricalStraightThrough(**k),
        {"temperature": [0.5, 0.5], "logits": [[0.0, 1.0, 2.0]] * 2},
        {"temperature": [-1.0, 0.5]},
        [0.5, 0.5, 0.0],
    ),
    "HardConcrete": (
        lambda xp, **k: rc.HardConcrete(**k),
        {"temperature": [0.5, 1.0], "logits": [0.0, 1.0]},
        {"temperature": [-1.0, 1.0]},
        1.5,
    ),
    "GaussianRelaxedBernoulli": (
        lambda xp, **k: rc.GaussianRelaxedBernoulli(**k),
        {"loc": [0.3, 0.5], "scale": [1.0, 2.0]},
        {"scale": [-1.0, 2.0]},
        1.5,
    ),
    "StraightThroughBernoulli": (
        lambda xp, **k: rc.StraightThroughBernoulli(**k),
        {"probs": [0.3, 0.5]},
        {"probs": [1.5, 0.5]},
        0.5,
    ),
    "StochasticTimesSmooth": (
        lambda xp, **k: rc.StochasticTimesSmooth(**k),
        {"probs": [0.3, 0.5]},
        {"probs": [1.5, 0.5]},
        1.5,
    ),
    "CorrelatedRelaxedBernoulli": (
        lambda xp, **k: rc.CorrelatedRelaxedBernoulli(correlation=_eye(xp), **k),
        {"temperature": [0.5, 0.5], "logits": [[0.0, 1.0, 2.0]] * 2},
        {"temperature": [-1.0, 0.5]},
        [0.5, 1.5, 0.2],
    ),
    "InvertibleGaussian": (
        lambda xp, **k: rc.InvertibleGaussian(**k),
        {"loc": [[0.0, 1.0]] * 2, "scale": [[1.0, 2.0]] * 2, "temperature": [0.5, 0.5]},
        {"scale": [[-1.0, 1.0], [1.0, 2.0]]},
        [0.5, 0.6, 0.2],
    ),
    "LogisticNormalSoftmax": (
        lambda xp, **k: rc.LogisticNormalSoftmax(**k),
        {"loc": [[0.0, 1.0]] * 2, "scale": [[1.0, 2.0]] * 2},
        {"scale": [[-1.0, 1.0], [1.0, 2.0]]},
        [0.5, 0.6],
    ),
    "GumbelSoftmaxTopK": (
        lambda xp, **k: rc.GumbelSoftmaxTopK(k=2, **k),
        {"temperature": [0.5, 0.5], "logits": [[0.0, 1.0, 2.0]] * 2},
        {"temperature": [-1.0, 0.5]},
        None,
    ),
    "MixtureSameFamily": (
        lambda xp, **k: rc.MixtureSameFamily(rc.Normal(xp.zeros(2), 1.0, validate_args=False), **k),
        {"mixture_logits": [[0.0, 1.0]] * 2},
        {"mixture_logits": [[NAN, 0.0], [0.0, 1.0]]},
        None,
    ),
}
NAMES = sorted(CASES)


def _check_invalid(backend, z, lp, event):
    """Batch member 0 is invalid (all NaN), member 1 valid (finite)."""
    z, lp = backend.to_numpy(z), backend.to_numpy(lp) if lp is not None else None
    idx = (slice(None), 0) if not event else (slice(None), 0, Ellipsis)
    ok = (slice(None), 1) if not event else (slice(None), 1, Ellipsis)
    assert np.all(np.isnan(z[idx])) and np.all(np.isfinite(z[ok]))
    if lp is not None:
        assert np.all(np.isnan(lp[:, 0])) and not np.any(np.isnan(lp[:, 1]))


def _params(backend, valid, invalid, key):
    kw = {k: backend.asarray(v) for k, v in valid.items()}
    kw[key] = backend.asarray(invalid[key])
    return kw


# illegal input on purpose: NumPy warns on its way to the NaN / -inf the policy promises
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", NAMES)
def test_invalid_parameters_give_nan_without_validation(backend, name):
    make, valid, invalid, _ = CASES[name]
    for key in invalid:
        d = make(backend.xp, validate_args=False, **_params(backend, valid, invalid, key))
        z = d.sample((3,), rng=backend.rng(0))
        lp = None if name == "GumbelSoftmaxTopK" else d.log_prob(d.sample((3,), rng=backend.rng(1)))
        _check_invalid(backend, z, lp, bool(d.event_shape))


# illegal input on purpose: NumPy warns on its way to the NaN / -inf the policy promises
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", [n for n in NAMES if CASES[n][3] is not None])
def test_values_outside_the_support_give_minus_inf_without_validation(backend, name):
    make, valid, _, outside = CASES[name]
    d = make(backend.xp, validate_args=False, **{k: backend.asarray(v) for k, v in valid.items()})
    lp = backend.to_numpy(d.log_prob(backend.asarray(outside)))
    assert np.all(lp == -np.inf), lp
    with pytest.raises(ValueError, match="value must be"):
        make(backend.xp, **{k: backend.asarray(v) for k, v in valid.items()}).log_prob(
            backend.asarray(outside)
        )


def test_the_policy_holds_under_jax_jit():
    """log_prob of every class, and samples of the explicitly reparameterized ones, jitted
    (the implicit samplers share the eager code path tested above; their compiles are slow)."""
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    from tests.conftest import Harness

    h = Harness("jax")
    for name in NAMES:
        make, valid, invalid, outside = CASES[name]
        plain = make(jnp, **{k: h.asarray(v) for k, v in valid.items()})
        value = plain.sample((3,), rng=jax.random.key(1))
        explicit = not isinstance(plain, rc.implicit._protocol.ImplicitDistribution)
        for key in invalid:

            @jax.jit
            def run(kw, make=make, name=name, explicit=explicit, value=value):
                d = make(jnp, **kw)
                z = d.rsample((3,), rng=jax.random.key(0)) if explicit else value
                return z, None if name == "GumbelSoftmaxTopK" else d.log_prob(value)

            z, lp = run(_params(h, valid, invalid, key))
            if explicit:
                _check_invalid(h, z, lp, bool(plain.event_shape))
            elif lp is not None:
                lp = np.asarray(lp)
                assert np.all(np.isnan(lp[:, 0])) and not np.any(np.isnan(lp[:, 1])), name
        if outside is not None:
            kw = {k: h.asarray(v) for k, v in valid.items()}
            lp = jax.jit(lambda kw, v, make=make: make(jnp, **kw).log_prob(v))(
                kw, h.asarray(outside)
            )
            assert np.all(np.asarray(lp) == -np.inf), (name, lp)
