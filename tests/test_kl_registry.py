"""KL divergences of the registry: closed forms against independent formulas and Monte-Carlo
averages; the Monte-Carlo relaxed KLs against quadrature; Independent over registered pairs."""

import numpy as np
import pytest
import scipy.integrate
import scipy.special
import scipy.stats

import relaxcore as rc

P = np.array([[0.1, 0.2, 0.0, 0.7], [0.25, 0.25, 0.25, 0.25], [0.5, 0.0, 0.0, 0.5]])
Q = np.array([[0.4, 0.3, 0.2, 0.1], [0.7, 0.1, 0.1, 0.1], [0.5, 0.5, 0.0, 0.0]])  # row 2: inf


def mc_check(estimates, want, n_sigma=5.0):
    """The mean of `estimates` (axis 0) is within n_sigma standard errors of `want`."""
    mean = estimates.mean(0)
    sem = estimates.std(0) / np.sqrt(estimates.shape[0])
    assert np.all(np.abs(mean - want) <= n_sigma * sem + 1e-12), (mean, want, sem)


@pytest.mark.parametrize("cls", [rc.Categorical, rc.OneHotCategorical])
def test_categorical_kl_closed_form_and_monte_carlo(backend, cls):
    p, q = cls(probs=backend.asarray(P)), cls(probs=backend.asarray(Q))
    want = scipy.stats.entropy(P, Q, axis=-1)  # sum p log(p / q): inf in row 2
    got = backend.to_numpy(rc.kl_divergence(p, q))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_allclose(got[:2], want[:2], rtol=1e-12)
    # Monte-Carlo: E_p[log p(x) - log q(x)], with SciPy's log-probabilities
    x = backend.to_numpy(p.sample((4000,), rng=backend.rng(0)))
    index = x.astype(int) if cls is rc.Categorical else x.argmax(-1)
    rows = np.arange(2)
    ratio = np.log(P[rows, index[:, :2]]) - np.log(Q[rows, index[:, :2]])
    mc_check(ratio, want[:2])


def test_bernoulli_kl_closed_form_and_monte_carlo(backend):
    p = np.array([0.0, 0.3, 0.9, 1.0, 0.5, 0.2])
    q = np.array([0.4, 0.6, 0.9, 0.2, 1.0, 0.0])  # the last two: +inf
    got = backend.to_numpy(
        rc.kl_divergence(
            rc.Bernoulli(probs=backend.asarray(p)), rc.Bernoulli(probs=backend.asarray(q))
        )
    )
    want = scipy.special.rel_entr(p, q) + scipy.special.rel_entr(1 - p, 1 - q)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_allclose(got[:4], want[:4], rtol=1e-12, atol=1e-300)
    logits_p, logits_q = np.array([30.0, -2.0]), np.array([-30.0, 1.0])  # 1 - p rounds in p
    got = rc.kl_divergence(
        rc.Bernoulli(logits=backend.asarray(logits_p)),
        rc.Bernoulli(logits=backend.asarray(logits_q)),
    )
    sp, sq = scipy.special.expit(logits_p), scipy.special.expit(logits_q)
    log = scipy.special.log_expit
    want = sp * (log(logits_p) - log(logits_q)) + (1 - sp) * (log(-logits_p) - log(-logits_q))
    np.testing.assert_allclose(backend.to_numpy(got), want, rtol=1e-10)
    d = rc.Bernoulli(probs=backend.asarray(p[1:3]))
    x = backend.to_numpy(d.sample((4000,), rng=backend.rng(1)))
    ratio = scipy.stats.bernoulli.logpmf(x, p[1:3]) - scipy.stats.bernoulli.logpmf(x, q[1:3])
    mc_check(ratio, (scipy.special.rel_entr(p, q) + scipy.special.rel_entr(1 - p, 1 - q))[1:3])
    assert sq[0] < 1e-12  # (keeps the logits case honest: q's P(1) is tiny, not 0)


def test_normal_and_mvn_diag_kl(backend):
    mp, sp = np.array([0.0, 1.0, -2.0]), np.array([1.0, 0.5, 3.0])
    mq, sq = np.array([0.5, 1.0, 1.0]), np.array([2.0, 0.5, 1.0 + 1e-4])
    want = np.log(sq / sp) + (sp**2 + (mp - mq) ** 2) / (2 * sq**2) - 0.5
    got = rc.kl_divergence(
        rc.Normal(backend.asarray(mp), backend.asarray(sp)),
        rc.Normal(backend.asarray(mq), backend.asarray(sq)),
    )
    np.testing.assert_allclose(backend.to_numpy(got), want, rtol=1e-10)
    x = backend.to_numpy(
        rc.Normal(backend.asarray(mp), backend.asarray(sp)).sample((4000,), rng=backend.rng(2))
    )
    ratio = scipy.stats.norm.logpdf(x, mp, sp) - scipy.stats.norm.logpdf(x, mq, sq)
    mc_check(ratio, want)
    # the matrix formula for N(mu, Sigma) with Sigma diagonal
    cov_p, cov_q = np.diag(sp**2), np.diag(sq**2)
    inv_q = np.linalg.inv(cov_q)
    diff = mq - mp
    matrix = 0.5 * (
        np.trace(inv_q @ cov_p)
        + diff @ inv_q @ diff
        - 3
        + np.linalg.slogdet(cov_q)[1]
        - np.linalg.slogdet(cov_p)[1]
    )
    mvn_p = rc.MultivariateNormalDiag(backend.asarray(mp), backend.asarray(sp))
    mvn_q = rc.MultivariateNormalDiag(backend.asarray(mq), backend.asarray(sq))
    np.testing.assert_allclose(backend.to_numpy(rc.kl_divergence(mvn_p, mvn_q)), matrix, rtol=1e-10)
    independent = rc.kl_divergence(
        rc.Normal(backend.asarray(mp), backend.asarray(sp)).to_event(1),
        rc.Normal(backend.asarray(mq), backend.asarray(sq)).to_event(1),
    )
    np.testing.assert_allclose(backend.to_numpy(independent), matrix, rtol=1e-10)
    with pytest.raises(ValueError, match="same event shape"):
        rc.kl_divergence(mvn_p, rc.MultivariateNormalDiag(backend.asarray([0.0, 1.0])))


def test_normal_kl_keeps_float32_precision_for_close_scales(backend):
    """(s_p/s_q)^2 - 1 - log((s_p/s_q)^2) cancels when the scales are close."""
    sp = 1.0 + np.array([1e-3, 1e-2, 0.1])
    want = np.log(1.0 / sp) + sp**2 / 2 - 0.5
    got = rc.kl_divergence(
        rc.Normal(0.0, backend.asarray(sp, "float32")),
        rc.Normal(0.0, backend.asarray(1.0, "float32")),
    )
    np.testing.assert_allclose(backend.to_numpy(got), want, rtol=2e-3)


def test_independent_kl_sums_any_registered_pair(backend):
    p = rc.Bernoulli(probs=backend.asarray(P[:2])).to_event(2)
    q = rc.Bernoulli(probs=backend.asarray(Q[:2])).to_event(2)
    terms = scipy.special.rel_entr(P[:2], Q[:2]) + scipy.special.rel_entr(1 - P[:2], 1 - Q[:2])
    np.testing.assert_allclose(backend.to_numpy(rc.kl_divergence(p, q)), terms.sum(), rtol=1e-12)
    cat_p = rc.Categorical(probs=backend.asarray(P[:2])).to_event(1)
    cat_q = rc.Categorical(probs=backend.asarray(Q[1])).expand((2,)).to_event(1)
    want = scipy.stats.entropy(P[:2], Q[[1, 1]], axis=-1).sum()
    np.testing.assert_allclose(backend.to_numpy(rc.kl_divergence(cat_p, cat_q)), want, rtol=1e-12)
    with pytest.raises(NotImplementedError, match="same number of batch axes"):
        rc.kl_divergence(p, rc.Bernoulli(probs=backend.asarray(Q[:2])).to_event(1))
    with pytest.raises(NotImplementedError, match="no KL divergence is registered for"):
        rc.kl_divergence(rc.Bernoulli(probs=backend.asarray(0.5)), rc.Normal(0.0, 1.0))
    with pytest.raises(ValueError, match="same number of categories"):
        rc.kl_divergence(
            rc.Categorical(probs=backend.asarray(P[0])),
            rc.Categorical(probs=backend.asarray([0.5, 0.5])),
        )


def logistic_kl(dp, dq):
    """KL(Logistic(dp, 1) || Logistic(dq, 1)) by quadrature: the KL of two binary Concretes
    (or ExpConcretes with K = 2) at any shared temperature, by invariance under scaling."""
    dist = scipy.stats.logistic

    def integrand(t):
        return dist.pdf(t) * (dist.logpdf(t) - dist.logpdf(t + dp - dq))

    return scipy.integrate.quad(integrand, -np.inf, np.inf, epsabs=1e-12)[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("tau", [0.05, 1.0])
def test_relaxed_categorical_kl_is_an_unbiased_log_space_estimate(backend, dtype, tau):
    if dtype == "float32" and backend.name == "array_api_strict":
        pytest.skip("float32 is covered by the other backends")
    n, lp, lq = 20000, np.array([1.5, 0.0]), np.array([-0.5, 0.0])
    want = logistic_kl(1.5, -0.5)
    temperature = backend.asarray(tau, dtype)
    post = rc.ExpRelaxedOneHotCategorical(temperature, logits=backend.asarray(lp, dtype))
    post = post.expand((n,))
    prior = rc.OneHotCategorical(logits=backend.asarray(lq, dtype))
    estimates = backend.to_numpy(rc.kl_divergence(post, prior, rng=backend.rng(3)))
    assert estimates.shape == (n,) and np.all(np.isfinite(estimates))
    mc_check(estimates, want)
    # the same draws through the other dispatches: a Categorical prior, the prior relaxed by
    # hand, and the simplex class (taken to log space)
    relaxed_prior = rc.ExpRelaxedOneHotCategorical(temperature, logits=backend.asarray(lq, dtype))
    simplex = rc.RelaxedOneHotCategorical(temperature, logits=backend.asarray(lp, dtype))
    for q, p in [
        (rc.Categorical(logits=backend.asarray(lq, dtype)), post),
        (relaxed_prior, post),
        (prior, simplex.expand((n,))),
        (
            rc.RelaxedOneHotCategorical(temperature, logits=backend.asarray(lq, dtype)),
            simplex.expand((n,)),
        ),
    ]:
        again = backend.to_numpy(rc.kl_divergence(p, q, rng=backend.rng(3)))
        atol = 2e-5 if dtype == "float32" else 1e-12  # differences of two log densities
        np.testing.assert_allclose(again, estimates, rtol=1e-5, atol=atol)


@pytest.mark.parametrize("tau", [0.05, 1.0])
def test_relaxed_bernoulli_kl_is_an_unbiased_log_space_estimate(backend, tau):
    n = 20000
    want = logistic_kl(-1.0, 2.0)
    post = rc.LogitRelaxedBernoulli(backend.asarray(tau), logits=backend.asarray(-1.0)).expand((n,))
    estimates = backend.to_numpy(
        rc.kl_divergence(post, rc.Bernoulli(logits=backend.asarray(2.0)), rng=backend.rng(4))
    )
    mc_check(estimates, want)
    simplex = rc.RelaxedBernoulli(backend.asarray(tau), logits=backend.asarray(-1.0)).expand((n,))
    prior = rc.RelaxedBernoulli(backend.asarray(tau), logits=backend.asarray(2.0))
    again = backend.to_numpy(rc.kl_divergence(simplex, prior, rng=backend.rng(4)))
    np.testing.assert_allclose(again, estimates, rtol=1e-10, atol=1e-12)


def test_relaxed_kl_edge_cases(backend):
    """Probabilities 0 and 1: 0 against the same atom, +inf otherwise; never NaN."""
    probs = backend.asarray([1.0, 0.0, 1.0, 0.3])
    post = rc.LogitRelaxedBernoulli(backend.asarray(0.5), probs=probs)
    prior = rc.Bernoulli(probs=backend.asarray([1.0, 0.0, 0.5, 0.0]))
    got = backend.to_numpy(rc.kl_divergence(post, prior, rng=backend.rng(5)))
    np.testing.assert_array_equal(got, [0.0, 0.0, np.inf, np.inf])
    logits = backend.asarray([[0.3, -np.inf, 1.0], [0.0, 1.0, 2.0]])
    post = rc.ExpRelaxedOneHotCategorical(backend.asarray(0.5), logits=logits)
    same_mask = rc.OneHotCategorical(logits=backend.asarray([[0.0, -np.inf, 0.0], [0.0, 0.0, 0.0]]))
    got = backend.to_numpy(rc.kl_divergence(post, same_mask, rng=backend.rng(5)))
    assert np.all(np.isfinite(got))
    self_kl = backend.to_numpy(rc.kl_divergence(post, post, rng=backend.rng(5)))
    np.testing.assert_array_equal(self_kl, 0.0)
    full = rc.OneHotCategorical(logits=backend.asarray(np.zeros((2, 3))))
    got = backend.to_numpy(rc.kl_divergence(post, full, rng=backend.rng(5)))
    assert got[0] == np.inf and np.isfinite(got[1])  # mass on a face of zero prior density


def test_relaxed_kl_gradients_and_rng(backend):
    if backend.name == "jax":
        with pytest.raises(ValueError, match="key"):
            rc.kl_divergence(
                rc.ExpRelaxedOneHotCategorical(0.5, logits=backend.asarray([0.0, 1.0])),
                rc.OneHotCategorical(logits=backend.asarray([0.0, 0.0])),
            )
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    prior = rc.Categorical(logits=backend.asarray(np.zeros(3))).expand((4,)).to_event(1)

    def kl(logits, tau):
        post = rc.ExpRelaxedOneHotCategorical(tau, logits=logits).to_event(1)
        return backend.xp.sum(rc.kl_divergence(post, prior, rng=backend.rng(6)))

    logits = backend.asarray(np.array([[0.5, 1.0, -1.0]] * 4) * [[1], [10], [100], [1e3]])
    grads = backend.grad(kl, logits, backend.asarray(0.05))
    assert all(np.all(np.isfinite(g)) for g in grads) and np.any(grads[0] != 0)


def test_straight_through_pairs_are_the_categorical_closed_form(backend):
    st_p = rc.RelaxedOneHotCategoricalStraightThrough(0.5, probs=backend.asarray(P[:2]))
    st_q = rc.RelaxedOneHotCategoricalStraightThrough(0.5, probs=backend.asarray(Q[:2]))
    want = scipy.stats.entropy(P[:2], Q[:2], axis=-1)
    for q in (st_q, rc.OneHotCategorical(probs=backend.asarray(Q[:2]))):
        np.testing.assert_allclose(backend.to_numpy(rc.kl_divergence(st_p, q)), want, rtol=1e-12)
