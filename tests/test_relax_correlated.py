"""CorrelatedRelaxedBernoulli: marginals and pairwise joints of the thresholded gates follow
the Gaussian copula (scipy's bivariate normal CDF), the copula density is right (scipy) and
integrates to 1, covariances are normalised, non-positive-definite is a ValueError."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

import relaxcore as rc

R = np.array([[1.0, 0.7, -0.4], [0.7, 1.0, 0.1], [-0.4, 0.1, 1.0]])
PI = np.array([0.3, 0.6, 0.8])


def test_thresholded_gates_follow_the_copula(backend):
    d = rc.CorrelatedRelaxedBernoulli(0.5, backend.asarray(R), probs=backend.asarray(PI))
    b = backend.to_numpy(d.rsample((40000,), rng=backend.rng(0))) > 0.5
    n = b.shape[0]
    assert np.all(np.abs(b.mean(0) - PI) < 5 * np.sqrt(PI * (1 - PI) / n))
    q = stats.norm.ppf(PI)
    for j, k in ((0, 1), (0, 2), (1, 2)):
        both = stats.multivariate_normal([0, 0], [[1, R[j, k]], [R[j, k], 1]]).cdf([q[j], q[k]])
        independent = PI[j] * PI[k]
        assert abs((b[:, j] & b[:, k]).mean() - both) < 5 * np.sqrt(both * (1 - both) / n)
        if abs(R[j, k]) >= 0.4:  # the test can tell correlated from independent gates
            assert abs(both - independent) > 10 * np.sqrt(both * (1 - both) / n)


def _reference_log_prob(z, tau, logits, corr):
    """Sklar: Gaussian copula density at u times binary Concrete marginal densities (scipy)."""
    a = tau * special.logit(z) - logits
    u = special.expit(a)
    eps = stats.norm.ppf(u)
    marg = stats.logistic.logpdf(a) + np.log(tau) - np.log(z) - np.log1p(-z)
    cop = stats.multivariate_normal(np.zeros(len(logits)), corr).logpdf(eps) - stats.norm.logpdf(
        eps
    ).sum(-1)
    return marg.sum(-1) + cop


def test_log_prob_against_scipy_and_normalisation(backend):
    logits, tau = np.array([0.4, -0.7, 1.2]), 0.7
    d = rc.CorrelatedRelaxedBernoulli(tau, backend.asarray(3.0 * R), logits=backend.asarray(logits))
    z = np.random.default_rng(1).uniform(0.05, 0.95, size=(7, 3))
    np.testing.assert_allclose(
        backend.to_numpy(d.log_prob(backend.asarray(z))),
        _reference_log_prob(z, tau, logits, R),
        rtol=1e-9,
    )
    # K = 2 density integrates to 1: trapezoid on logit coordinates, dz = z (1 - z) dt
    d2 = rc.CorrelatedRelaxedBernoulli(
        tau, backend.asarray(R[:2, :2]), logits=backend.asarray(logits[:2])
    )
    t = np.linspace(-25, 25, 601)
    t1, t2 = np.meshgrid(t, t, indexing="ij")
    zz = special.expit(np.stack([t1, t2], -1))
    dens = np.exp(backend.to_numpy(d2.log_prob(backend.asarray(zz)))) * np.prod(zz * (1 - zz), -1)
    np.testing.assert_allclose(np.trapezoid(np.trapezoid(dens, t, axis=1), t), 1, atol=1e-6)


def test_covariance_is_normalised_and_validation(backend):
    noise = backend.asarray(np.random.default_rng(0).normal(size=(5, 3)))
    a = rc.CorrelatedRelaxedBernoulli(0.5, backend.asarray(R), probs=backend.asarray(PI))
    cov = R * np.outer([2.0, 0.5, 3.0], [2.0, 0.5, 3.0])
    b = rc.CorrelatedRelaxedBernoulli(0.5, backend.asarray(cov), probs=backend.asarray(PI))
    np.testing.assert_allclose(
        backend.to_numpy(b.reparameterize(noise)),
        backend.to_numpy(a.reparameterize(noise)),
        rtol=1e-12,
    )
    bad = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])  # eigenvalue < 0
    for validate in (True, False):
        with pytest.raises(ValueError, match="positive definite"):
            rc.CorrelatedRelaxedBernoulli(
                0.5, backend.asarray(bad), probs=backend.asarray(PI), validate_args=validate
            )
    with pytest.raises(ValueError, match="symmetric"):
        rc.CorrelatedRelaxedBernoulli(
            0.5, backend.asarray(R + np.triu(np.ones((3, 3)), 1) * 0.1), probs=backend.asarray(PI)
        )
    with pytest.raises(ValueError, match="correlation must have shape"):
        rc.CorrelatedRelaxedBernoulli(0.5, backend.asarray(R[:2, :2]), probs=backend.asarray(PI))
    with pytest.raises(ValueError, match="temperature"):
        rc.CorrelatedRelaxedBernoulli(0.0, backend.asarray(R), probs=backend.asarray(PI))


def test_gradient_reaches_the_correlation(backend):
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    noise = backend.asarray(np.random.default_rng(0).normal(size=(5, 3)))
    xp = backend.xp
    g = backend.grad(
        lambda c: xp.sum(
            rc.CorrelatedRelaxedBernoulli(0.5, c, probs=backend.asarray(PI)).reparameterize(noise)
        ),
        backend.asarray(R),
    )[0]
    assert np.all(np.isfinite(g)) and np.any(np.abs(g) > 1e-6)
