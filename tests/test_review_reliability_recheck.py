"""Defects found re-checking the Reliability issue (items 1-12) on every backend; each
test failed before its fix (or is marked xfail where the fix is not small)."""

import math

import numpy as np
import pytest
import scipy.stats as st

import relaxcore as rc


def _mixture_ref(x, a):
    """log of the equal-weight mixture of Gamma(a_k) densities, by SciPy."""
    return np.log(np.mean([st.gamma.pdf(x, ak) for ak in a], axis=0))


A = np.array([[0.5, 2.0], [2.0, 3.0]])  # batch 2, K = 2


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_mixture_log_prob_scalar_value_batched_numpy(value):
    # a scalar value against a batched mixture: at 0 a component density is +inf, which
    # took the safe-point path and broadcast the (2, 2) mean to the value's (1,) shape
    m = rc.MixtureSameFamily(rc.Gamma(A), mixture_logits=np.zeros(2))
    got = m.log_prob(value)
    with np.errstate(divide="ignore"):
        ref = np.array([_mixture_ref(value, a) for a in A])
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_mixture_log_prob_scalar_value_batched_torch():
    torch = pytest.importorskip("torch")
    m = rc.MixtureSameFamily(
        rc.Gamma(torch.tensor(A)), mixture_logits=torch.zeros(2, dtype=torch.float64)
    )
    got = m.log_prob(0.0).numpy()
    assert got[0] == math.inf and got[1] == -math.inf  # Gamma(0.5) density is +inf at 0
    got = m.log_prob(torch.tensor(1.0, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, [_mixture_ref(1.0, a) for a in A], rtol=1e-12)


def test_mixture_log_prob_scalar_value_batched_jax_jit():
    # under jax.jit the safe-point path always runs: every lower-rank value crashed
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    a = jnp.asarray(A, dtype=jnp.float32)
    f = jax.jit(
        lambda v: rc.MixtureSameFamily(rc.Gamma(a), mixture_logits=jnp.zeros(2)).log_prob(v)
    )
    got = np.asarray(f(1.0))
    np.testing.assert_allclose(got, [_mixture_ref(1.0, a) for a in A], rtol=1e-5)


# --- item 10: None for a parameter the class needs -------------------------------------

NONE_CASES = [
    ("RelaxedBernoulli", "temperature", lambda: rc.RelaxedBernoulli(None, logits=0.3)),
    ("LogitRelaxedBernoulli", "temperature", lambda: rc.LogitRelaxedBernoulli(None, logits=0.3)),
    (
        "RelaxedOneHotCategorical",
        "temperature",
        lambda: rc.RelaxedOneHotCategorical(None, logits=np.zeros(3)),
    ),
    (
        "ExpRelaxedOneHotCategorical",
        "temperature",
        lambda: rc.ExpRelaxedOneHotCategorical(None, logits=np.zeros(3)),
    ),
    ("HardConcrete", "temperature", lambda: rc.HardConcrete(None, logits=0.3)),
    ("GumbelSoftmaxTopK", "temperature", lambda: rc.GumbelSoftmaxTopK(None, 1, logits=np.zeros(3))),
    (
        "CorrelatedRelaxedBernoulli",
        "temperature",
        lambda: rc.CorrelatedRelaxedBernoulli(None, np.eye(2), logits=np.zeros(2)),
    ),
    (
        "CorrelatedRelaxedBernoulli",
        "correlation",
        lambda: rc.CorrelatedRelaxedBernoulli(0.5, None, logits=np.zeros(2)),
    ),
    (
        "GeneralizedGumbelSoftmax",
        "values",
        lambda: rc.GeneralizedGumbelSoftmax(None, 0.5, logits=np.zeros(3)),
    ),
    (
        "DecoupledStraightThroughGumbelSoftmax",
        "temperature_forward",
        lambda: rc.DecoupledStraightThroughGumbelSoftmax(None, 1.0, logits=np.zeros(3)),
    ),
    (
        "DecoupledStraightThroughGumbelSoftmax",
        "temperature_backward",
        lambda: rc.DecoupledStraightThroughGumbelSoftmax(1.0, None, logits=np.zeros(3)),
    ),
    ("InvertibleGaussian", "temperature", lambda: rc.InvertibleGaussian(np.zeros(2), 1.0, None)),
    ("LogisticNormalSoftmax", "scale", lambda: rc.LogisticNormalSoftmax(np.zeros(2), None)),
    ("Uniform", "low", lambda: rc.Uniform(None, 1.0)),
    ("Logistic", "scale", lambda: rc.Logistic(0.0, None)),
    ("Gamma", "rate", lambda: rc.Gamma(1.0, None)),
    ("StudentT", "loc", lambda: rc.StudentT(3.0, None)),
]


@pytest.mark.parametrize("cls, arg, make", NONE_CASES, ids=[f"{c}-{a}" for c, a, _ in NONE_CASES])
def test_none_parameter_is_a_type_error_naming_it(cls, arg, make):
    # before: accepted, or an AttributeError ("'NoneType' object has no attribute 'shape'")
    with pytest.raises(TypeError, match=rf"{cls}: {arg} is required; got None"):
        make().sample(rng=0)


# --- item 8: invalid parameters where nothing can raise give NaN, never a finite number --

# name: (make(xp, param) -> distribution, [invalid member 0, valid member 1], a value)
POLICY_CASES = {
    "Bernoulli(probs)": (lambda xp, p: rc.Bernoulli(probs=p), [1.5, 0.3], 1.0),
    "Categorical(probs)": (
        lambda xp, p: rc.Categorical(probs=xp.stack([p, 0.5 - p / 2, 0.5 - p / 2], axis=-1)),
        [-0.2, 0.2],  # member 0 [-0.2, .6, .6] (sums to 1, one negative), member 1 [.2, .4, .4]
        1,
    ),
    "OneHotCategorical(probs)": (
        lambda xp, p: rc.OneHotCategorical(probs=xp.stack([p, 0.5 - p / 2, 0.5 - p / 2], -1)),
        [-0.2, 0.2],
        [0.0, 1.0, 0.0],
    ),
    "LogitRelaxedBernoulli(temperature)": (
        lambda xp, t: rc.LogitRelaxedBernoulli(t, logits=0.3),
        [-1.0, 1.0],
        0.5,
    ),
    "ExpRelaxedOneHotCategorical(temperature)": (
        lambda xp, t: rc.ExpRelaxedOneHotCategorical(
            t[..., None], logits=xp.zeros(3, dtype=t.dtype)
        ),
        [-1.0, 1.0],
        [math.log(0.2), math.log(0.3), math.log(0.5)],
    ),
    "DecoupledStraightThroughGumbelSoftmax(temperature_forward)": (
        lambda xp, t: rc.DecoupledStraightThroughGumbelSoftmax(
            t[..., None], 1.0, logits=xp.zeros(3, dtype=t.dtype)
        ),
        [-1.0, 1.0],
        [0.0, 1.0, 0.0],
    ),
}


def _draw(d, rng):
    return d.rsample((3,), rng=rng) if d.has_rsample else d.sample((3,), rng=rng)


def _check_policy(sample, lp, one_hot_index=False):
    sample, lp = np.asarray(sample, dtype=float), np.asarray(lp, dtype=float)
    member = (slice(None), 0) if sample.ndim >= 2 else (0,)
    if not one_hot_index:  # integer samples (Categorical indices) cannot hold NaN
        assert np.all(np.isnan(sample[member])), sample
        assert np.all(np.isfinite(sample[(slice(None), 1)])), sample
    lp = lp.reshape(-1, 2) if lp.ndim else lp
    assert np.all(np.isnan(lp[..., 0])), lp
    assert np.all(np.isfinite(lp[..., 1])), lp


@pytest.mark.parametrize("name", sorted(POLICY_CASES))
def test_invalid_parameter_gives_nan_numpy_unvalidated(name):
    make, param, value = POLICY_CASES[name]
    p = np.asarray(param)
    with pytest.raises(ValueError):  # validation on: a ValueError
        make(np, p)
    with rc.validate_args(False):
        d = make(np, p)
        _check_policy(_draw(d, 0), d.log_prob(np.asarray(value)), name.startswith("Categorical"))


@pytest.mark.parametrize("name", sorted(POLICY_CASES))
def test_invalid_parameter_gives_nan_under_jax_jit(name):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    make, param, value = POLICY_CASES[name]

    @jax.jit
    def f(p):
        d = make(jnp, p)
        return _draw(d, jax.random.key(0)), d.log_prob(jnp.asarray(value))

    _check_policy(*f(jnp.asarray(param, dtype=jnp.float32)), name.startswith("Categorical"))


# --- item 10: infinite parameters are a ValueError naming them (not silent NaN) ---------


@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: rc.StudentT(math.inf), "df"),  # before: accepted, NaN samples and log_prob
        (lambda: rc.RelaxedBernoulli(math.inf, logits=0.0), "temperature"),  # NaN log_prob
        (lambda: rc.RelaxedOneHotCategorical(math.inf, logits=np.zeros(3)), "temperature"),
    ],
)
def test_infinite_parameter_is_a_value_error(make, arg):
    with pytest.raises(ValueError, match=rf": {arg} must be a finite real number; .* inf"):
        make()


# --- items 9 / 12: Beta CDF and implicit partials at large concentrations --------------


# Eagerly the continued fraction's depth follows min(a, b) (it was a fixed 40 pairs:
# Beta(1e5, 1e5).cdf(0.5) = 0.409); under tracing it stays 40 pairs and entries beyond
# its converged range are NaN, never a wrong number.
@pytest.mark.parametrize("a, b", [(2e4, 3e4), (1e5, 1e5), (3e6, 5e5)])
def test_beta_cdf_large_concentrations(a, b):
    q = np.array([0.3, 0.5, 0.7])
    z = st.beta(a, b).ppf(q)
    np.testing.assert_allclose(rc.Beta(a, b).cdf(z), q, rtol=1e-8)


def test_beta_implicit_partials_large_concentrations():
    from scipy.special import betainc, betaincinv

    a, b = 2e4, 3e4
    z = st.beta(a, b).ppf(np.array([0.45, 0.5, 0.55]))
    u, h = betainc(a, b, z), 0.5
    ref = (betaincinv(a + h, b, u) - betaincinv(a - h, b, u)) / (2 * h)
    got = rc.Beta(a, b).implicit_partials(z)["concentration1"]
    np.testing.assert_allclose(got, ref, rtol=1e-6)


def test_beta_cdf_under_jit_is_nan_beyond_the_fixed_depth():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    a, b, q = np.array([300.0, 2e4]), np.array([500.0, 3e4]), np.array([0.3, 0.5])
    z = st.beta(a, b).ppf(q)
    # float64: the test session enables jax_enable_x64 (conftest)
    f = jax.jit(lambda a, b, z: rc.Beta(a, b).cdf(z))
    got = np.asarray(f(*(jnp.asarray(v, dtype=jnp.float64) for v in (a, b, z))))
    np.testing.assert_allclose(got[0], q[0], rtol=1e-9)  # within the converged range
    assert np.isnan(got[1])  # beyond it: NaN (40 pairs give 0.4935 here)


def test_beta_cdf_large_concentrations_torch():
    torch = pytest.importorskip("torch")
    a, b = 2e4, 3e4
    z = st.beta(a, b).ppf(np.array([0.3, 0.5, 0.7]))
    got = rc.Beta(torch.tensor(a, dtype=torch.float64), b).cdf(torch.tensor(z))
    np.testing.assert_allclose(got.numpy(), [0.3, 0.5, 0.7], rtol=1e-8)


# --- item 5: simplex flows accept their own samples ------------------------------------


@pytest.mark.parametrize("bijector", ["StickBreaking", "SoftmaxCentered"])
def test_simplex_flow_log_prob_of_own_float32_samples_is_finite(bijector):
    # Normal(0, 30) in float32: a coordinate underflowed to exactly 0, and log_prob of the
    # sample raised (validation on: the inverse gave NaN) or was NaN (validation off)
    base = rc.Normal(np.zeros(3, dtype=np.float32), np.float32(30.0))
    d = rc.TransformedDistribution(base, getattr(rc.bijectors, bijector)())
    y = d.sample((4000,), rng=0)
    assert np.all(np.asarray(y) > 0)
    assert np.all(np.isfinite(d.log_prob(y)))


# --- item 10: non-broadcasting shapes name both arguments ------------------------------

SHAPE_CASES = [
    (lambda: rc.RelaxedBernoulli(np.ones(2), logits=np.zeros(3)), "logits", "temperature"),
    (
        lambda: rc.RelaxedOneHotCategorical(np.ones(2), logits=np.zeros((3, 4))),
        "logits",
        "temperature",
    ),
    (lambda: rc.HardConcrete(np.ones(2), logits=np.zeros(3)), "logits", "temperature"),
    (
        lambda: rc.CorrelatedRelaxedBernoulli(np.ones(2), np.eye(3), logits=np.zeros((3, 3))),
        "logits",
        "temperature",
    ),
    (lambda: rc.InvertibleGaussian(np.zeros((3, 2)), 1.0, np.ones(2)), "loc", "temperature"),
    (
        lambda: rc.MixtureSameFamily(rc.Gamma(np.ones((3, 2))), mixture_logits=np.zeros((2, 2))),
        "component",
        "mixture_logits",
    ),
    (lambda: rc.LogisticNormalSoftmax(np.zeros((3, 2)), np.ones((2, 2))), "loc", "scale"),
    (lambda: rc.MultivariateNormalDiag(np.zeros((3, 2)), np.ones((2, 2))), "loc", "scale_diag"),
]


@pytest.mark.parametrize("make, first, second", SHAPE_CASES)
def test_shape_clash_names_both_arguments(make, first, second):
    # before: "shapes [(3,), (2,)] do not broadcast" (no class, no argument)
    with pytest.raises(ValueError, match=rf"^\w+: {first}.* of shape .* and {second}.* of shape"):
        make()


# --- item 10: rng of the wrong kind on numpy / array_api_strict -------------------------


def test_numpy_rng_true_is_a_type_error():
    # before: True is an int, so rng=True drew silently with seed 1
    with pytest.raises(TypeError, match=r"rng must be None, an int seed .* got a bool"):
        rc.Normal(np.zeros(2), 1.0).sample(rng=True)


@pytest.mark.parametrize("seed", [-1, np.int64(-3)])
def test_numpy_negative_seed_names_rng(seed):
    # before: NumPy's own "expected non-negative integer" (no argument named)
    with pytest.raises(ValueError, match=r"rng: an int seed must be >= 0 .* got -"):
        rc.Normal(np.zeros(2), 1.0).sample(rng=seed)


def test_value_shape_clash_names_value_and_batch():
    # before: NumPy's "operands could not be broadcast together with shapes (2,) (3,)"
    with pytest.raises(ValueError, match=r"^Normal: value .* of shape \(2,\) and the batch shape"):
        rc.Normal(np.zeros(3), 1.0).log_prob(np.zeros(2))


@pytest.mark.parametrize(
    "name, arg",
    [("Scale", "scale"), ("Shift", "shift"), ("Power", "power"), ("LeakyReLU", "slope")],
)
def test_bijector_none_parameter_is_a_type_error(name, arg):
    # before: accepted, then "unsupported operand type(s) for *: 'NoneType' and 'float'"
    with pytest.raises(TypeError, match=rf"{name}: {arg} is required; got None"):
        getattr(rc.bijectors, name)(None).forward(np.ones(2))
