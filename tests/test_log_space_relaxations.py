"""ExpRelaxedOneHotCategorical and LogitRelaxedBernoulli: densities against independent
references (logistic law, a Gumbel integral), exact in float32 at low temperature, samples
that are the log / logit of the simplex classes' samples."""

import numpy as np
import pytest
import scipy.integrate
import scipy.stats
from _relaxed import binary_concrete, gumbel_softmax
from scipy.special import gammaln, log_softmax, logsumexp

import relaxcore as rc

TAUS = [1e-3, 0.05, 1.0]
LOGITS = np.array([[0.3, -1.2, 2.0, 0.0], [1.0, 1.0, -0.5, 3.0]])


def exp_concrete_reference(y, logits, tau):
    """The ExpConcrete log density (Maddison et al. 2017, appendix C) in float64 NumPy."""
    k = y.shape[-1]
    s = log_softmax(logits, axis=-1) - tau * y
    return gammaln(k) + (k - 1) * np.log(tau) + s.sum(-1) - k * logsumexp(s, axis=-1)


def gumbel_integral_density(y, logits, tau):
    """log p(y) from its definition: the log-ratios u_k = y_k - y_K equal
    ((l_k - l_K) + g_k - g_K) / tau, so p(u) = tau^(K-1) int phi(g) prod_k phi(tau u_k -
    (l_k - l_K) + g) dg, with phi the standard Gumbel density. No ExpConcrete formula."""
    u = y[:-1] - y[-1]
    shift = tau * u - (logits[:-1] - logits[-1])
    gumbel = scipy.stats.gumbel_r

    def integrand(g):
        return np.exp(gumbel.logpdf(g) + gumbel.logpdf(shift + g).sum())

    centre = -np.log(1 + np.exp(-shift).sum())  # where the integrand peaks (roughly)
    value = scipy.integrate.quad(integrand, -np.inf, np.inf, points=None, epsabs=0, epsrel=1e-11)
    value2 = scipy.integrate.quad(integrand, centre - 40, centre + 40, epsabs=0, epsrel=1e-11)
    assert np.isclose(value[0], value2[0], rtol=1e-8)
    return (len(y) - 1) * np.log(tau) + np.log(value2[0])


@pytest.mark.parametrize("tau", TAUS)
def test_exp_concrete_density_matches_its_definition(backend, tau):
    d = rc.ExpRelaxedOneHotCategorical(backend.asarray(tau), logits=backend.asarray(LOGITS))
    y = d.rsample((3,), rng=backend.rng(0))
    got = backend.to_numpy(d.log_prob(y))
    yn = backend.to_numpy(y)
    want = [[gumbel_integral_density(yn[i, j], LOGITS[j], tau) for j in range(2)] for i in range(3)]
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7)
    # K = 2: y_1 - y_2 is logistic with location (l_1 - l_2) / tau and scale 1 / tau
    two = rc.ExpRelaxedOneHotCategorical(
        backend.asarray(tau), logits=backend.asarray(LOGITS[:, :2])
    )
    y = backend.to_numpy(two.rsample((5,), rng=backend.rng(1)))
    loc = (LOGITS[:, 0] - LOGITS[:, 1]) / tau
    want = scipy.stats.logistic.logpdf(y[..., 0] - y[..., 1], loc=loc, scale=1 / tau)
    np.testing.assert_allclose(backend.to_numpy(two.log_prob(backend.asarray(y))), want, rtol=1e-9)


@pytest.mark.parametrize("tau", TAUS)
def test_log_prob_is_exact_in_float32(backend, tau):
    """Against the float64 formula at the same float32 point: float32's relative precision."""
    if backend.name == "array_api_strict":
        pytest.skip("float32 parity is covered by the other backends")
    logits = np.random.default_rng(0).normal(size=(256, 50)).astype(np.float32)
    tau32 = np.float32(tau)
    d = rc.ExpRelaxedOneHotCategorical(
        backend.asarray(tau32, "float32"), logits=backend.asarray(logits, "float32")
    )
    y = d.sample(rng=backend.rng(1))
    assert y.dtype == backend.dtype("float32")
    got = backend.to_numpy(d.log_prob(y))
    want = exp_concrete_reference(backend.to_numpy(y), logits.astype(np.float64), float(tau32))
    assert np.all(np.abs(got - want) <= 1e-5 * np.maximum(1.0, np.abs(want)))
    b = rc.LogitRelaxedBernoulli(
        backend.asarray(tau32, "float32"), logits=backend.asarray(logits[:, 0], "float32")
    )
    y = b.sample((20,), rng=backend.rng(2))
    got = backend.to_numpy(b.log_prob(y))
    loc, scale = logits[:, 0].astype(np.float64) / float(tau32), 1 / float(tau32)
    want = scipy.stats.logistic.logpdf(backend.to_numpy(y), loc=loc, scale=scale)
    assert np.all(np.abs(got - want) <= 1e-5 * np.maximum(1.0, np.abs(want)))


def test_simplex_class_underflows_where_the_log_space_class_does_not(backend):
    """The documented failure of RelaxedOneHotCategorical.log_prob (tau 0.05, K 50, float32)."""
    if backend.name == "array_api_strict":
        pytest.skip("covered by the other backends")
    n, k, tau = 500, 50, np.float32(0.05)
    u = np.random.default_rng(3).uniform(size=(n, k))
    logits = np.zeros((n, k))
    y64 = log_softmax((logits - np.log(-np.log(u))) / float(tau), axis=-1)
    simplex_ref = exp_concrete_reference(y64, logits, float(tau)) - y64.sum(-1)
    log_ref = exp_concrete_reference(y64, logits, float(tau))
    args = (backend.asarray(tau, "float32"),)
    kwargs = {"logits": backend.asarray(logits, "float32")}
    noise = backend.asarray(u, "float32")
    plain = rc.RelaxedOneHotCategorical(*args, **kwargs)
    z = plain.reparameterize(noise)
    assert np.mean(backend.to_numpy(z) == 0) > 0.1  # coordinates underflowed
    plain_error = np.abs(backend.to_numpy(plain.log_prob(z)) - simplex_ref)
    assert np.mean(plain_error > 1) > 0.5 and plain_error.max() > 100
    exp = rc.ExpRelaxedOneHotCategorical(*args, **kwargs)
    y = exp.reparameterize(noise)
    np.testing.assert_allclose(np.exp(backend.to_numpy(y)), backend.to_numpy(z), atol=1e-6)
    log_error = np.abs(backend.to_numpy(exp.log_prob(y)) - log_ref)
    assert log_error.max() < 0.2  # float32 rounding of the sample itself, not underflow


def test_samples_are_the_log_and_logit_of_the_simplex_samples(backend):
    u = np.random.default_rng(4).uniform(size=(6, 2, 4))
    tau = np.array([0.4, 1.7])
    d = rc.ExpRelaxedOneHotCategorical(backend.asarray(tau), logits=backend.asarray(LOGITS))
    y = backend.to_numpy(d.reparameterize(backend.asarray(u)))
    np.testing.assert_allclose(np.exp(y), gumbel_softmax(u, LOGITS, tau), rtol=1e-12)
    np.testing.assert_allclose(logsumexp(y, axis=-1), 0.0, atol=1e-12)
    b = rc.LogitRelaxedBernoulli(backend.asarray(tau), logits=backend.asarray(LOGITS[:, 0]))
    y = backend.to_numpy(b.reparameterize(backend.asarray(u[..., 0])))
    np.testing.assert_allclose(
        scipy.special.expit(y), binary_concrete(u[..., 0], LOGITS[:, 0], tau), rtol=1e-12
    )


def test_sampling_laws(backend):
    """argmax of the ExpConcrete sample ~ Categorical; the logit sample ~ Logistic (KS)."""
    probs = np.array([0.1, 0.2, 0.0, 0.7])
    d = rc.ExpRelaxedOneHotCategorical(backend.asarray(0.3), probs=backend.asarray(probs))
    y = backend.to_numpy(d.sample((4000,), rng=backend.rng(5)))
    assert np.all(np.isneginf(y[:, 2]))
    counts = np.bincount(y.argmax(-1), minlength=4)
    assert counts[2] == 0
    assert scipy.stats.chisquare(counts[[0, 1, 3]], 4000 * probs[[0, 1, 3]]).pvalue > 1e-3
    b = rc.LogitRelaxedBernoulli(backend.asarray(0.3), logits=backend.asarray(0.8))
    y = backend.to_numpy(b.sample((4000,), rng=backend.rng(6)))
    ks = scipy.stats.kstest(y, scipy.stats.logistic(loc=0.8 / 0.3, scale=1 / 0.3).cdf)
    assert ks.pvalue > 1e-3


def test_logit_relaxed_bernoulli_closed_forms(backend):
    tau, logits = np.array([0.05, 0.5, 2.0]), np.array([1.0, -0.5, 3.0])
    d = rc.LogitRelaxedBernoulli(backend.asarray(tau), logits=backend.asarray(logits))
    law = scipy.stats.logistic(loc=logits / tau, scale=1 / tau)
    y = np.array([[-5.0, 0.0, 2.0], [30.0, -1.0, 1.5]])
    np.testing.assert_allclose(backend.to_numpy(d.cdf(backend.asarray(y))), law.cdf(y), rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(d.mean), law.mean(), rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(d.variance), law.var(), rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(d.entropy()), law.entropy(), rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(d.probs), scipy.special.expit(logits), rtol=1e-12)


def test_probabilities_zero_and_one(backend):
    probs = backend.asarray([0.0, 1.0, 0.4])
    d = rc.LogitRelaxedBernoulli(backend.asarray(0.5), probs=probs)
    y = d.sample((2,), rng=backend.rng(7))
    yn = backend.to_numpy(y)
    assert np.all(np.isneginf(yn[:, 0])) and np.all(np.isposinf(yn[:, 1]))
    lp = backend.to_numpy(d.log_prob(y))
    np.testing.assert_array_equal(lp[:, :2], 0.0)  # the atoms
    assert np.all(np.isfinite(lp[:, 2]))
    lp = backend.to_numpy(d.log_prob(backend.asarray([[1.0, -np.inf, np.inf]])))
    np.testing.assert_array_equal(lp, -np.inf)
    np.testing.assert_array_equal(backend.to_numpy(d.cdf(y))[:, :2], [[0.0, 1.0]] * 2)


@pytest.mark.parametrize("cls", [rc.ExpRelaxedOneHotCategorical, rc.LogitRelaxedBernoulli])
def test_extreme_parameters_give_finite_gradients(backend, cls):
    logits = [[1e4, -1e4, 0.0, -np.inf], [-1e4, -1e4, -1e4, 1e4]]
    if cls is rc.LogitRelaxedBernoulli:
        logits = [1e4, -1e4, 0.0, 50.0]
    dtypes = backend.float_dtypes
    if backend.name == "jax":  # float64 is covered by the other backends; compiles are slow
        dtypes = [d for d in dtypes if d != "float64"]
    for dtype in dtypes:
        for tau in (1e-3,) if backend.name == "jax" else (1e-3, 1.0):
            lg, t = backend.asarray(logits, dtype), backend.asarray(tau, dtype)

            def total(lg, t):
                d = cls(t, logits=lg)
                y = d.rsample((3,), rng=backend.rng(8))
                finite = backend.xp.isfinite(y)
                y = backend.xp.where(finite, y, backend.xp.zeros_like(y))
                return backend.xp.sum(backend.xp.astype(y, backend.xp.float32)) + backend.xp.sum(
                    backend.xp.astype(d.log_prob(d.rsample(rng=backend.rng(9))), backend.xp.float32)
                )

            def sample_and_density(lg, t):
                d = cls(t, logits=lg)
                y = d.rsample((3,), rng=backend.rng(8))
                return y, d.log_prob(y)

            if backend.name == "jax":  # one compilation instead of one per primitive
                import jax

                both = jax.jit(lambda *a: (sample_and_density(*a), jax.grad(total, (0, 1))(*a)))
                (y, lp), grads = both(lg, t)
                grads = [backend.to_numpy(g) for g in grads]
            else:
                y, lp = sample_and_density(lg, t)
                grads = backend.grad(total, lg, t) if backend.has_autodiff else []
            assert y.dtype == backend.dtype(dtype)
            yn, lp = backend.to_numpy(y), backend.to_numpy(lp)
            assert not np.any(np.isnan(yn)) and not np.any(np.isnan(lp))
            if dtype == "float16" and tau == 1e-3:  # documented: |y| > 65504 saturates
                assert np.any(np.isinf(yn[..., :3])) and np.any(np.isneginf(lp))
            elif cls is rc.ExpRelaxedOneHotCategorical:
                assert np.all(np.isneginf(yn[:, 0, 3])) and np.all(np.isfinite(yn[:, :, :3]))
                assert np.all(np.isfinite(yn[:, 1])) and np.all(np.isfinite(lp)), (dtype, tau)
            else:
                assert np.all(np.isfinite(yn)) and np.all(np.isfinite(lp)), (dtype, tau)
            for g in grads:
                assert not np.any(np.isnan(g)), (dtype, tau)
                # float16 (max 65504) cannot hold d log p / d tau ~ |y| K here
                assert dtype == "float16" or np.all(np.isfinite(g)), (dtype, tau)


def test_validation_names_the_argument(backend):
    with pytest.raises(ValueError, match="temperature must be > 0"):
        rc.ExpRelaxedOneHotCategorical(backend.asarray(0.0), logits=backend.asarray([0.0, 1.0]))
    with pytest.raises(ValueError, match="exactly one of probs or logits"):
        rc.LogitRelaxedBernoulli(backend.asarray(0.5))
    with pytest.raises(ValueError, match="probs must be in \\[0, 1\\]"):
        rc.LogitRelaxedBernoulli(backend.asarray(0.5), probs=backend.asarray(1.5))
    d = rc.ExpRelaxedOneHotCategorical(backend.asarray(0.5), logits=backend.asarray([0.0, 1.0]))
    with pytest.raises(ValueError, match="value must be the log of a probability vector"):
        d.log_prob(backend.asarray([0.3, 0.7]))  # a point of the simplex, not its log
    loose = rc.ExpRelaxedOneHotCategorical(
        backend.asarray(0.5), logits=backend.asarray([0.0, -np.inf, 1.0]), validate_args=False
    )
    values = backend.asarray(
        [[np.log(0.5), np.log(0.5), -np.inf], [np.log(0.5), -np.inf, np.log(0.5)]]
    )
    out = backend.to_numpy(loose.log_prob(values))
    assert np.isneginf(out[0]) and np.isfinite(out[1])  # mass where probs is 0: out of support


def test_jax_jit_matches_eager():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    u = jnp.asarray(np.random.default_rng(10).uniform(size=(3, 2, 4)))

    def f(logits, tau):
        d = rc.ExpRelaxedOneHotCategorical(tau, logits=logits)
        y = d.reparameterize(u)
        return y, d.log_prob(y)

    args = (jnp.asarray(LOGITS), jnp.asarray(0.05))
    for eager, jitted in zip(f(*args), jax.jit(f)(*args)):
        np.testing.assert_allclose(np.asarray(jitted), np.asarray(eager), rtol=1e-12)
