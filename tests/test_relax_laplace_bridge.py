"""The Laplace bridge (Hobbhahn et al. 2022, eqs. 5-6 written out in loops here) and the
temperature schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest

import relaxcore as rc

ALPHA = np.array([[0.5, 2.0, 7.0, 1.3], [1.0, 1.0, 1.0, 1.0]])


def _reference(alpha):
    k = len(alpha)
    mu = np.array([math.log(a) - sum(math.log(b) for b in alpha) / k for a in alpha])
    s = sum(1 / a for a in alpha)
    cov = np.array(
        [
            [(i == j) / alpha[i] - (1 / alpha[i] + 1 / alpha[j] - s / k) / k for j in range(k)]
            for i in range(k)
        ]
    )
    return mu, cov


def test_dirichlet_to_logistic_normal_against_the_formulas(backend):
    loc, cov = rc.dirichlet_to_logistic_normal(backend.asarray(ALPHA))
    for row, a in enumerate(ALPHA):
        mu, sigma = _reference(a)
        np.testing.assert_allclose(backend.to_numpy(loc)[row], mu, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(backend.to_numpy(cov)[row], sigma, rtol=1e-12, atol=1e-14)


def test_round_trip_is_exact_and_the_diagonal_is_a_variance(backend):
    loc, cov = rc.dirichlet_to_logistic_normal(backend.asarray(ALPHA))
    back = backend.to_numpy(rc.logistic_normal_to_dirichlet(loc, cov))
    np.testing.assert_allclose(back, ALPHA, rtol=1e-12)
    mu, var = np.array([0.2, -0.5, 0.3]), np.array([0.4, 0.9, 0.25])
    want = [
        (1 - 2 / 3 + math.exp(m) * sum(math.exp(-n) for n in mu) / 9) / v for m, v in zip(mu, var)
    ]
    got = rc.logistic_normal_to_dirichlet(backend.asarray(mu), backend.asarray(np.diag(var)))
    np.testing.assert_allclose(backend.to_numpy(got), want, rtol=1e-12)


def test_bridge_keeps_dtype_and_validates(backend):
    loc, cov = rc.dirichlet_to_logistic_normal(backend.asarray(ALPHA, "float32"))
    assert loc.dtype == backend.dtype("float32") and cov.dtype == backend.dtype("float32")
    with pytest.raises(ValueError, match="concentration"):
        rc.dirichlet_to_logistic_normal(backend.asarray([1.0, 0.0]))
    with pytest.raises(ValueError, match="covariance"):
        rc.logistic_normal_to_dirichlet(
            backend.asarray([0.0, 0.0]), backend.asarray(np.zeros((2, 2)))
        )
    with pytest.raises(ValueError, match="covariance"):
        rc.logistic_normal_to_dirichlet(backend.asarray([0.0, 0.0]), backend.asarray(np.eye(3)))


def test_temperature_schedules():
    assert rc.exponential_temperature(0, 2.0, 0.1) == 2.0
    assert math.isclose(rc.exponential_temperature(10, 2.0, 0.1), 2.0 * math.exp(-1.0))
    assert math.isclose(rc.jang_temperature(1000, 1.0, 1e-4), math.exp(-0.1))
    assert rc.jang_temperature(10**6, 1.0, 1e-4) == 0.5
    assert rc.jang_temperature(1499, 1.0, 1e-3, every=500) == rc.jang_temperature(1000, 1.0, 1e-3)
    for kwargs, name in (({"initial": 0.0}, "initial"), ({"rate": -1.0}, "rate")):
        with pytest.raises(ValueError, match=name):
            rc.exponential_temperature(1, **kwargs)
    with pytest.raises(ValueError, match="every"):
        rc.jang_temperature(1, every=0)
