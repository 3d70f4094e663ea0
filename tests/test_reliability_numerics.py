"""Regressions from the adversarial probe: tails, NaN gradients, zero-size batches,
differentiable CDFs, log-space samplers and the float32 Beta partial."""

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st

import relaxcore as rc

# --- implicit partials in the tails ---------------------------------------------------


def test_implicit_reparam_partials_in_the_tails(backend):
    if not backend.has_autodiff:
        pytest.skip("ImplicitReparam differentiates the CDF by autodiff")
    z = np.array([-40.0, -3.0, 0.3, 3.0, 40.0])
    d = rc.ImplicitReparam(rc.Logistic(backend.asarray(0.0), backend.asarray(1.0)))
    p = d.implicit_partials(backend.asarray(z))
    np.testing.assert_allclose(backend.to_numpy(p["loc"]), 1.0, rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(p["scale"]), z, rtol=1e-12)
    z32 = np.array([-15.0, 0.3, 15.0])
    d = rc.ImplicitReparam(
        rc.Normal(backend.asarray(0.0, "float32"), backend.asarray(2.0, "float32"))
    )
    p = d.implicit_partials(backend.asarray(2 * z32, "float32"))
    np.testing.assert_allclose(backend.to_numpy(p["loc"]), 1.0, rtol=1e-5)
    np.testing.assert_allclose(backend.to_numpy(p["scale"]), z32, rtol=1e-5)


# --- finite log_prob gradients at the probe's cases ---------------------------------------


def _log_prob_grads(backend, make, params, value, dtype):
    args = [backend.asarray(v, dtype) for v in params]
    return backend.grad(
        lambda *a: backend.xp.sum(make(*a[:-1]).log_prob(a[-1])),
        *args,
        backend.asarray(value, dtype),
    )


CASES = {
    "StochasticTimesSmooth": (
        lambda lg: rc.StochasticTimesSmooth(logits=lg),
        [[20.0, 40.0, 800.0]],
        [1.0, 1.0, 1.0],
    ),
    "GaussianRelaxedBernoulli": (
        rc.GaussianRelaxedBernoulli,
        [[1076.4886, -500.0, 0.5], [0.0055192, 0.001, 1e-3]],
        [1.0, 0.0, 1.0],
    ),
    "StudentT": (rc.StudentT, [[1.5e-3, 1e-3], [-0.008, 3.0], [0.022, 1.0]], [4e306, -1e300]),
    "LogisticNormalSoftmax": (
        rc.LogisticNormalSoftmax,
        [[140.0, -68.0, -170.0, 6069.0], [220.0, 6.3, 597.0, 3.6]],
        [0.0, 0.0, 0.0, 1.0],
    ),
    "RelaxedBernoulli": (
        lambda t, lg: rc.RelaxedBernoulli(t, logits=lg),
        [[1e-3, 1e-3], [50.0, -50.0]],
        [1.0, 0.0],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_prob_gradients_are_finite_where_the_probe_found_nan(backend, name, dtype):
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    make, params, value = CASES[name]
    for g in _log_prob_grads(backend, make, params, value, dtype):
        assert not np.any(np.isnan(g)), (name, g)


def test_correlated_relaxed_bernoulli_log_prob_gradient_at_exact_end_points(backend):
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    corr = backend.asarray([[1.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 1.0]])

    def f(t, lg, v):
        return backend.xp.sum(rc.CorrelatedRelaxedBernoulli(t, corr, logits=lg).log_prob(v))

    grads = backend.grad(
        f,
        backend.asarray(0.01),
        backend.asarray([300.0, -2.0, 0.5]),
        backend.asarray([1.0, 0.0, 0.7]),
    )
    assert all(not np.any(np.isnan(g)) for g in grads)


def test_student_t_log_prob_is_finite_at_clipped_draws(backend):
    d = rc.StudentT(backend.asarray([1e-3, 0.05]), 0.0, 1.0)
    x = np.array([1.7e308, -1e300])
    lp = backend.to_numpy(d.log_prob(backend.asarray(x)))
    # log1p(x^2/df) by hand in log space (scipy overflows here)
    df = np.array([1e-3, 0.05])
    ref = (
        sc.gammaln((df + 1) / 2)
        - sc.gammaln(df / 2)
        - 0.5 * np.log(df * np.pi)
        - (df + 1) / 2 * (2 * np.log(np.abs(x)) - np.log(df))
    )
    np.testing.assert_allclose(lp, ref, rtol=1e-12)


# --- zero-size batches ---------------------------------------------------------------------


def test_zero_size_batches_top_k_and_correlated(backend):
    d = rc.GumbelSoftmaxTopK(0.5, 2, logits=backend.asarray(np.zeros((0, 3))))
    assert tuple(d.rsample((2,), rng=backend.rng(0)).shape) == (2, 0, 3)
    corr = backend.asarray(np.broadcast_to(np.eye(3), (0, 3, 3)).copy())
    c = rc.CorrelatedRelaxedBernoulli(0.5, corr, logits=backend.asarray(np.zeros((0, 3))))
    z = c.rsample((2,), rng=backend.rng(0))
    assert tuple(z.shape) == (2, 0, 3) and tuple(c.log_prob(z).shape) == (2, 0)


# --- differentiable CDFs ---------------------------------------------------------------------


def _fd(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


CDFS = {
    "Gamma": (rc.Gamma, [0.7, 1.5], 0.9, lambda p, z: sc.gammainc(p[0], p[1] * z)),
    "Beta": (rc.Beta, [2.0, 0.5], 0.3, lambda p, z: sc.betainc(p[0], p[1], z)),
    "StudentT": (rc.StudentT, [3.0, 1.0, 2.0], -0.5, lambda p, z: st.t.cdf(z, p[0], p[1], p[2])),
}


@pytest.mark.parametrize("name", sorted(CDFS))
def test_cdf_is_differentiable_in_value_and_every_parameter(backend, name):
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    cls, params, z, ref = CDFS[name]
    args = [backend.asarray(v) for v in params] + [backend.asarray(z)]
    got = backend.grad(lambda *a: cls(*a[:-1]).cdf(a[-1]), *args)
    for i in range(len(params)):
        want = _fd(lambda t, i=i: ref([*params[:i], t, *params[i + 1 :]], z), params[i])
        np.testing.assert_allclose(got[i], want, rtol=1e-6)
    np.testing.assert_allclose(got[-1], _fd(lambda t: ref(params, t), z), rtol=1e-6)


def test_cdf_boundary_values(backend):
    g = rc.Gamma(backend.asarray([0.5, 2.0, 0.5]))
    np.testing.assert_array_equal(
        backend.to_numpy(g.cdf(backend.asarray([-1.0, 0.0, np.inf]))), [0, 0, 1]
    )
    b = rc.Beta(backend.asarray(0.5), backend.asarray(2.0))
    np.testing.assert_array_equal(
        backend.to_numpy(b.cdf(backend.asarray([-1.0, 0.0, 1.0, 2.0]))), [0, 0, 1, 1]
    )
    t = rc.StudentT(backend.asarray(3.0))
    np.testing.assert_allclose(
        backend.to_numpy(t.cdf(backend.asarray([-np.inf, 0.0, np.inf]))), [0, 0.5, 1]
    )
    if backend.has_autodiff:
        (ga,) = backend.grad(
            lambda a: backend.xp.sum(rc.Gamma(a).cdf(backend.asarray([-1.0, 0.0]))),
            backend.asarray([0.5, 0.5]),
        )
        np.testing.assert_array_equal(ga, [0.0, 0.0])


# --- log-space samplers ----------------------------------------------------------------------


def test_exp_gamma_beta_dirichlet_log_prob_against_scipy(backend):
    y = np.linspace(-60.0, -1e-3, 6)
    got = rc.ExpGamma(backend.asarray(0.3), backend.asarray(1.7)).log_prob(backend.asarray(y))
    ref = st.gamma(0.3, scale=1 / 1.7).logpdf(np.exp(y)) + y
    np.testing.assert_allclose(backend.to_numpy(got), ref, rtol=1e-10)
    got = rc.ExpBeta(backend.asarray(0.3), backend.asarray(2.5)).log_prob(backend.asarray(y))
    np.testing.assert_allclose(
        backend.to_numpy(got), st.beta(0.3, 2.5).logpdf(np.exp(y)) + y, rtol=1e-10
    )
    alpha, z = np.array([0.5, 2.0, 3.0]), np.array([0.2, 0.3, 0.5])
    got = rc.ExpDirichlet(backend.asarray(alpha)).log_prob(backend.asarray(np.log(z)))
    ref = st.dirichlet.logpdf(z, alpha) + np.log(z[:-1]).sum()  # Jacobian of the free coords
    np.testing.assert_allclose(backend.to_numpy(got), ref, rtol=1e-10)


def test_log_space_samplers_stay_finite_where_gamma_underflows(backend):
    alpha = backend.asarray([1e-4, 1e-4], "float32")
    g = backend.to_numpy(rc.Gamma(alpha).sample((2000,), rng=backend.rng(0)))
    assert np.mean(g == 0) > 0.9  # the defect: the Gamma's own samples underflow
    for d in (
        rc.ExpGamma(alpha),
        rc.ExpBeta(alpha, backend.asarray(1.0, "float32")),
        rc.ExpDirichlet(backend.asarray([1e-4, 1e-4, 1.0], "float32")),
    ):
        y = d.rsample((2000,), rng=backend.rng(0))
        assert np.all(np.isfinite(backend.to_numpy(y))) and np.all(
            np.isfinite(backend.to_numpy(d.log_prob(y)))
        )
        _, partials = rc.implicit.value_and_partials(d, (2000,), rng=backend.rng(0))
        assert all(np.all(np.isfinite(backend.to_numpy(v))) for v in partials.values())


def test_exp_gamma_partials_satisfy_the_mean_identity(backend):
    """E[log G] = digamma(alpha) - log(rate), so d/dalpha = trigamma(alpha)."""
    alpha = np.array([1e-3, 0.5, 7.0])
    d = rc.ExpGamma(backend.asarray(alpha), backend.asarray(2.0))
    _, p = rc.implicit.value_and_partials(d, (40_000,), rng=backend.rng(5))
    got = backend.to_numpy(p["concentration"])
    se = got.std(0) / np.sqrt(got.shape[0])
    assert np.all(np.abs(got.mean(0) - sc.polygamma(1, alpha)) <= 5 * se), (got.mean(0), se)


def test_exp_beta_implicit_partials_are_beta_partials_over_z(backend):
    a, b = np.array([0.5, 30.0, 0.01]), np.array([3.0, 2.0, 100.0])
    z = st.beta(a, b).ppf(0.3)
    pb = rc.Beta(backend.asarray(a), backend.asarray(b)).implicit_partials(backend.asarray(z))
    pe = rc.ExpBeta(backend.asarray(a), backend.asarray(b)).implicit_partials(
        backend.asarray(np.log(z))
    )
    for k in pb:
        np.testing.assert_allclose(backend.to_numpy(pe[k]), backend.to_numpy(pb[k]) / z, rtol=1e-9)
    # where z underflows: the limits -(y - 1/a - psi(a) + psi(a+b))/a, -(psi(a+b) - psi(b))/a
    y = np.array([-1e5])
    pe = rc.ExpBeta(backend.asarray([1e-4]), backend.asarray([1.0])).implicit_partials(
        backend.asarray(y)
    )
    want_a = -(y - 1e4 - sc.digamma(1e-4) + sc.digamma(1.0001)) / 1e-4
    np.testing.assert_allclose(backend.to_numpy(pe["concentration1"]), want_a, rtol=1e-6)
    want_b = -(sc.digamma(1.0001) - sc.digamma(1.0)) / 1e-4
    np.testing.assert_allclose(backend.to_numpy(pe["concentration0"]), want_b, rtol=1e-6)


# --- the float32 Beta partial ------------------------------------------------------------------


def test_beta_partials_float32_accuracy_at_tiny_a_large_b(backend):
    a, b = np.array([0.01, 0.01]), np.array([100.0, 100.0])
    z = np.array([1.5e-7, 1e-3])
    h = 1e-6  # central differences of the quantile at fixed probability, in float64 (scipy)
    q = sc.betainc(a, b, z)
    ref_a = (sc.betaincinv(a * (1 + h), b, q) - sc.betaincinv(a * (1 - h), b, q)) / (2 * a * h)
    ref_b = (sc.betaincinv(a, b * (1 + h), q) - sc.betaincinv(a, b * (1 - h), q)) / (2 * b * h)
    d = rc.Beta(backend.asarray(a, "float32"), backend.asarray(b, "float32"))
    p = d.implicit_partials(backend.asarray(z, "float32"))
    assert np.all(np.abs(backend.to_numpy(p["concentration1"]) / ref_a - 1) < 1e-4)
    assert np.all(np.abs(backend.to_numpy(p["concentration0"]) / ref_b - 1) < 1e-4)


def test_digamma_difference_against_mpmath():
    from relaxcore.math.special import digamma_difference

    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    x = np.array([1e-6, 0.01, 0.5, 3.0, 100.0, 1e6, 2.0])
    h = np.array([1e-6, 100.0, 2.0, 0.01, 0.01, 5.0, 1e-9])
    ref = np.array(
        [float(mp.digamma(mp.mpf(a) + mp.mpf(b)) - mp.digamma(mp.mpf(a))) for a, b in zip(x, h)]
    )
    np.testing.assert_allclose(digamma_difference(np, x, h), ref, rtol=1e-14)
    got32 = digamma_difference(np, x.astype(np.float32), h.astype(np.float32))
    np.testing.assert_allclose(got32, ref, rtol=3e-6)
