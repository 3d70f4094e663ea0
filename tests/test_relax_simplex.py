"""InvertibleGaussian and LogisticNormalSoftmax: densities against scipy, integration to 1
over the simplex, stability at large loc/temperature, and their closed-form KLs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

import relaxcore as rc

LOC, SCALE = np.array([0.5, -1.0]), np.array([1.0, 0.6])


def _grid_2d(n=501, width=30.0):
    """Additive-logistic grid of the 2-simplex (3 coordinates) with the numerical |det J|."""
    t = np.linspace(-width, width, n)
    t1, t2 = np.meshgrid(t, t, indexing="ij")
    z = special.softmax(np.stack([t1, t2, np.zeros_like(t1)], -1), axis=-1)
    free = z[..., :2]
    jac = np.einsum("...i,ij->...ij", free, np.eye(2)) - free[..., :, None] * free[..., None, :]
    return t, z, np.abs(np.linalg.det(jac))


def _integrate(t, f):
    return np.trapezoid(np.trapezoid(f, t, axis=1), t)


def test_invertible_gaussian_log_prob_matches_change_of_variables(backend):
    tau, delta = 0.7, 1.5
    d = rc.InvertibleGaussian(backend.asarray(LOC), backend.asarray(SCALE), tau, delta)
    assert d.event_shape == (3,)
    y = np.random.default_rng(0).normal(size=(6, 2))
    z = special.softmax(np.concatenate([y / tau, np.full((6, 1), np.log(delta))], -1), axis=-1)
    free = z[:, :2]
    jac = (np.einsum("ni,ij->nij", free, np.eye(2)) - free[:, :, None] * free[:, None, :]) / tau
    want = stats.norm.logpdf(y, LOC, SCALE).sum(-1) - np.log(np.abs(np.linalg.det(jac)))
    np.testing.assert_allclose(backend.to_numpy(d.log_prob(backend.asarray(z))), want, rtol=1e-9)
    t, zg, det = _grid_2d()
    dens = np.exp(backend.to_numpy(d.log_prob(backend.asarray(zg)))) * det
    np.testing.assert_allclose(_integrate(t, dens), 1, atol=1e-5)


def test_invertible_gaussian_is_stable_at_large_loc_over_temperature(backend):
    d = rc.InvertibleGaussian(
        backend.asarray([300.0, -250.0, 120.0]), backend.asarray([1.0, 2.0, 3.0]), 0.5
    )
    z = backend.to_numpy(d.rsample((8,), rng=backend.rng(0)))
    assert np.all(np.isfinite(z)) and np.allclose(z.sum(-1), 1) and np.all(z >= 0)
    assert np.allclose(z[:, 0], 1)
    lp = backend.to_numpy(d.log_prob(backend.asarray(np.array([[0.2, 0.3, 0.4, 0.1]]))))
    assert np.all(np.isfinite(lp))


def test_logistic_normal_log_prob_against_scipy_and_normalisation(backend):
    loc, scale = np.array([0.5, -1.0, 0.3]), np.array([1.0, 0.6, 1.5])
    d = rc.LogisticNormalSoftmax(backend.asarray(loc), backend.asarray(scale))
    z = special.softmax(np.random.default_rng(0).normal(size=(6, 3)), axis=-1)
    w = np.log(z[:, :2]) - np.log(z[:, 2:])
    cov = np.diag(scale[:2] ** 2) + scale[2] ** 2
    want = stats.multivariate_normal(loc[:2] - loc[2], cov).logpdf(w) - np.log(z).sum(-1)
    np.testing.assert_allclose(backend.to_numpy(d.log_prob(backend.asarray(z))), want, rtol=1e-9)
    t, zg, det = _grid_2d()
    dens = np.exp(backend.to_numpy(d.log_prob(backend.asarray(zg)))) * det
    np.testing.assert_allclose(_integrate(t, dens), 1, atol=1e-5)
    with pytest.raises(NotImplementedError, match="Monte Carlo|rsample"):
        _ = d.mean


def _gauss_kl(m0, s0, m1, s1):
    inv = np.linalg.inv(s1)
    k = len(m0)
    return 0.5 * (
        np.trace(inv @ s0)
        + (m1 - m0) @ inv @ (m1 - m0)
        - k
        + np.linalg.slogdet(s1)[1]
        - np.linalg.slogdet(s0)[1]
    )


def test_logistic_normal_kl_is_the_kl_of_the_simplex_laws(backend):
    lp, sp = np.array([0.5, -1.0, 0.3, 0.0]), np.array([1.0, 0.6, 1.5, 0.8])
    lq, sq = np.array([0.0, 0.2, -0.4, 1.0]), np.array([0.7, 1.1, 0.9, 1.3])
    p = rc.LogisticNormalSoftmax(backend.asarray(lp), backend.asarray(sp))
    q = rc.LogisticNormalSoftmax(backend.asarray(lq), backend.asarray(sq))
    free = lambda l, s: (l[:3] - l[3], np.diag(s[:3] ** 2) + s[3] ** 2)  # noqa: E731
    want = _gauss_kl(*free(lp, sp), *free(lq, sq))
    got = float(backend.to_numpy(rc.kl_divergence(p, q)))
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert got < _gauss_kl(lp, np.diag(sp**2), lq, np.diag(sq**2))  # not the KL of the y's
    z = p.sample((20000,), rng=backend.rng(0))
    mc = backend.to_numpy(p.log_prob(z) - q.log_prob(z))
    assert abs(mc.mean() - want) < 5 * mc.std() / np.sqrt(mc.size)
    with pytest.raises(ValueError, match="event shape"):
        rc.kl_divergence(
            p, rc.LogisticNormalSoftmax(backend.asarray(lq[:3]), backend.asarray(sq[:3]))
        )


def test_invertible_gaussian_kl_across_temperatures_and_deltas(backend):
    p = rc.InvertibleGaussian(backend.asarray(LOC), backend.asarray(SCALE), 0.5, 1.0)
    q = rc.InvertibleGaussian(backend.asarray([0.1, 0.3]), backend.asarray([0.8, 1.2]), 0.8, 2.0)
    got = float(backend.to_numpy(rc.kl_divergence(p, q)))
    z = p.sample((20000,), rng=backend.rng(0))
    mc = backend.to_numpy(p.log_prob(z) - q.log_prob(z))
    assert abs(mc.mean() - got) < 5 * mc.std() / np.sqrt(mc.size)
    same = float(backend.to_numpy(rc.kl_divergence(p, p)))
    assert abs(same) < 1e-12


def test_simplex_validation(backend):
    with pytest.raises(ValueError, match="scale"):
        rc.LogisticNormalSoftmax(backend.asarray([0.0, 1.0]), backend.asarray([1.0, -1.0]))
    with pytest.raises(ValueError, match="temperature"):
        rc.InvertibleGaussian(backend.asarray([0.0]), backend.asarray([1.0]), -0.5)
    with pytest.raises(ValueError, match="delta"):
        rc.InvertibleGaussian(backend.asarray([0.0]), backend.asarray([1.0]), 0.5, delta=0.0)
    with pytest.raises(ValueError, match="loc"):
        rc.LogisticNormalSoftmax(backend.asarray(0.0), backend.asarray(1.0))
