"""relaxit's remaining classes, correct: DecoupledStraightThroughGumbelSoftmax (both
temperatures take effect), GeneralizedGumbelSoftmax (a relaxed law on finitely many values,
here a truncated Poisson), RebarRelaxation (relaxit's sample, with its true density)."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import grads
from scipy import integrate, special, stats

import relaxcore as rc

THETA = np.array([1.0, -0.5, 0.3, 0.0])


def _gumbel(u):
    u = np.clip(u, np.finfo(float).tiny, 1 - np.finfo(float).eps / 2)
    return -np.log(-np.log(u))


def test_decoupled_forward_law_uses_the_forward_temperature(backend):
    for tau_f in (0.5, 2.0):
        d = rc.DecoupledStraightThroughGumbelSoftmax(tau_f, 1.0, logits=backend.asarray(THETA))
        z = backend.to_numpy(d.rsample((20000,), rng=backend.rng(0)))
        assert set(np.unique(z)) <= {0.0, 1.0} and np.all(z.sum(-1) == 1)
        expected = special.softmax(THETA / tau_f) * 20000
        assert stats.chisquare(z.sum(0), expected).pvalue > 1e-4
        assert stats.chisquare(z.sum(0), special.softmax(THETA) * 20000).pvalue < 1e-10
        lp = backend.to_numpy(d.log_prob(backend.asarray(np.eye(4))))
        np.testing.assert_allclose(lp, special.log_softmax(THETA / tau_f), rtol=1e-12)


def test_decoupled_backward_pass_uses_the_backward_temperature(backend):
    tau_f, tau_b = 0.7, 1.9
    u = np.random.default_rng(1).random((30, 4))
    w = np.random.default_rng(2).normal(size=(30, 4))
    y = THETA / tau_f + _gumbel(u)
    hard = np.eye(4)[y.argmax(-1)]
    d = rc.DecoupledStraightThroughGumbelSoftmax(tau_f, tau_b, logits=backend.asarray(THETA))
    np.testing.assert_array_equal(backend.to_numpy(d.reparameterize(backend.asarray(u))), hard)
    if backend.has_autodiff:
        xp = backend.xp

        def objective(t):
            d = rc.DecoupledStraightThroughGumbelSoftmax(tau_f, tau_b, logits=t)
            return xp.sum(d.reparameterize(backend.asarray(u)) * backend.asarray(w))

        grad = grads(backend, objective, backend.asarray(THETA))[0]
        s = special.softmax(y / tau_b, axis=-1)
        expected = (s * w - s * np.sum(s * w, -1, keepdims=True)).sum(0) / (tau_b * tau_f)
        np.testing.assert_allclose(grad, expected, rtol=1e-9)
    same = rc.RelaxedOneHotCategoricalStraightThrough(tau_b, logits=backend.asarray(THETA))
    plain = rc.DecoupledStraightThroughGumbelSoftmax(1.0, tau_b, logits=backend.asarray(THETA))
    np.testing.assert_array_equal(
        backend.to_numpy(plain.reparameterize(backend.asarray(u))),
        backend.to_numpy(same.reparameterize(backend.asarray(u))),
    )
    with pytest.raises(ValueError, match="temperature_forward must be > 0"):
        rc.DecoupledStraightThroughGumbelSoftmax(0.0, 1.0, logits=backend.asarray(THETA))
    with pytest.raises(ValueError, match="temperature must be > 0"):
        rc.DecoupledStraightThroughGumbelSoftmax(1.0, -1.0, logits=backend.asarray(THETA))
    masked = rc.DecoupledStraightThroughGumbelSoftmax(
        0.5, 1.0, probs=backend.asarray([0.5, 0.0, 0.5, 0.0])
    )
    assert np.all(backend.to_numpy(masked.sample((500,), rng=backend.rng(3)))[:, [1, 3]] == 0)


def _truncated_poisson(rate, k):
    values = np.arange(k, dtype=float)
    return values, stats.poisson.logpmf(values, rate)


def test_generalized_gumbel_softmax_truncated_poisson(backend):
    values, logits = _truncated_poisson(3.0, 12)
    law = np.exp(logits - special.logsumexp(logits))
    hard = rc.GeneralizedGumbelSoftmax(
        backend.asarray(values), 0.5, logits=backend.asarray(logits), hard=True
    )
    x = backend.to_numpy(hard.rsample((20000,), rng=backend.rng(4)))
    assert set(np.unique(x)) <= set(values)
    counts = np.array([(x == v).sum() for v in values])
    keep = law * 20000 > 5  # chi-square cells with enough mass; the rest pooled
    observed = np.append(counts[keep], counts[~keep].sum())
    expected = np.append(law[keep], law[~keep].sum()) * 20000
    assert stats.chisquare(observed, expected).pvalue > 1e-4
    lp = backend.to_numpy(hard.log_prob(backend.asarray(values)))
    np.testing.assert_allclose(lp, np.log(law), rtol=1e-10)
    assert backend.to_numpy(hard.log_prob(backend.asarray(2.5))) == -np.inf
    np.testing.assert_allclose(backend.to_numpy(hard.mean), law @ values, rtol=1e-12)
    var = law @ (values - law @ values) ** 2
    np.testing.assert_allclose(backend.to_numpy(hard.variance), var, rtol=1e-12)


def test_generalized_gumbel_softmax_soft_sample_and_gradient(backend):
    values, logits = _truncated_poisson(2.0, 6)
    tau = 0.8
    u = np.random.default_rng(5).random((40, 6))
    weights = special.softmax((logits - special.logsumexp(logits) + _gumbel(u)) / tau, axis=-1)
    soft = rc.GeneralizedGumbelSoftmax(backend.asarray(values), tau, logits=backend.asarray(logits))
    got = backend.to_numpy(soft.reparameterize(backend.asarray(u)))
    np.testing.assert_allclose(got, weights @ values, rtol=1e-10)
    if backend.has_autodiff:
        xp = backend.xp

        def objective(t, hard):
            d = rc.GeneralizedGumbelSoftmax(backend.asarray(values), tau, logits=t, hard=hard)
            return xp.sum(d.reparameterize(backend.asarray(u)) ** 2)

        t = backend.asarray(logits)
        g_soft = grads(backend, lambda t: objective(t, False), t)[0]
        # d/dlogits of sum(x^2), x = w . v: 2 x v^T J(w) / tau, summed over rows
        x = weights @ values
        jv = weights * values - weights * (weights @ values)[:, None]
        np.testing.assert_allclose(g_soft, (2 * x[:, None] * jv).sum(0) / tau, rtol=1e-9)
        assert np.all(np.isfinite(grads(backend, lambda t: objective(t, True), t)[0]))
    with pytest.raises(ValueError, match="values must have shape"):
        rc.GeneralizedGumbelSoftmax(
            backend.asarray(values[:4]), tau, logits=backend.asarray(logits)
        )


def _rebar_scale(lam):
    return (lam**2 + lam + 1) / (lam + 1)


def test_rebar_relaxation_sample_is_relaxits_and_density_is_its_own(backend):
    theta, lam = np.array([0.2, 0.5, 0.9]), np.array([0.5, 1.0, 2.0])
    u = np.random.default_rng(6).random((50, 3))
    d = rc.RebarRelaxation(backend.asarray(theta), backend.asarray(lam))
    z = backend.to_numpy(d.reparameterize(backend.asarray(u)))
    a = _rebar_scale(lam) * special.logit(theta)
    np.testing.assert_allclose(z, special.expit((a + special.logit(u)) / lam), rtol=1e-10)
    np.testing.assert_allclose(backend.to_numpy(d.theta), theta, rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(d.lambd), lam)
    draws = backend.to_numpy(d.sample((5000,), rng=backend.rng(7)))
    for i in range(3):  # the draws follow the cdf sigma(lambda logit z - a)
        cdf = lambda x, i=i: special.expit(lam[i] * special.logit(x) - a[i])  # noqa: E731
        assert stats.kstest(draws[:, i], cdf).pvalue > 1e-4
        density = lambda x, i=i: float(  # noqa: E731
            np.exp(backend.to_numpy(d.log_prob(backend.asarray(np.full(3, x))))[i])
        )
        total, _ = integrate.quad(density, 0, 1, limit=200)
        assert abs(total - 1) < 1e-6


def test_rebar_relaxation_gradients_and_validation(backend):
    with pytest.raises(ValueError, match="lambd must be > 0"):
        rc.RebarRelaxation(backend.asarray([0.3]), backend.asarray([0.0]))
    with pytest.raises(ValueError, match="theta must be in"):
        rc.RebarRelaxation(backend.asarray([1.3]), backend.asarray([1.0]))
    with pytest.raises(ValueError, match="lambd"):
        rc.RebarRelaxation(backend.asarray([0.3]))
    if not backend.has_autodiff:
        return
    xp = backend.xp

    def objective(theta, lam):
        d = rc.RebarRelaxation(theta, lam)
        return xp.sum(d.rsample((20,), rng=backend.rng(8)))

    g = grads(backend, objective, backend.asarray([0.0, 0.4, 1.0]), backend.asarray([0.7] * 3))
    assert all(np.all(np.isfinite(gi)) for gi in g)
    assert np.all(g[1][[0, 2]] == 0)  # probabilities 0 and 1: z is 0 or 1 at any lambda
