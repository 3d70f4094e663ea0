"""Uniform, Logistic and MultivariateNormalDiag against scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import relaxcore as rc


def _cases(h):
    return [
        (
            rc.Uniform(h.asarray([-1.0, 0.5]), h.asarray([2.0, 0.75])),
            stats.uniform([-1.0, 0.5], [3.0, 0.25]),
            [[0.3, 0.6]],
        ),
        (
            rc.Logistic(h.asarray([0.0, -2.0]), h.asarray([1.0, 0.3])),
            stats.logistic([0.0, -2.0], [1.0, 0.3]),
            [[-40.0, -2.1], [3.0, 35.0]],
        ),
    ]


def test_scalar_families_match_scipy(backend):
    h = backend
    for dist, ref, values in _cases(h):
        v = np.asarray(values)
        np.testing.assert_allclose(
            h.to_numpy(dist.log_prob(h.asarray(v))), ref.logpdf(v), rtol=1e-12
        )
        np.testing.assert_allclose(
            h.to_numpy(dist.cdf(h.asarray(v))), ref.cdf(v), rtol=1e-12, atol=1e-300
        )
        np.testing.assert_allclose(h.to_numpy(dist.mean), ref.mean(), rtol=1e-12)
        np.testing.assert_allclose(h.to_numpy(dist.variance), ref.var(), rtol=1e-12)
        np.testing.assert_allclose(h.to_numpy(dist.entropy()), ref.entropy(), rtol=1e-12)
        q = np.array([[1e-3, 0.9]])
        np.testing.assert_allclose(h.to_numpy(dist.icdf(h.asarray(q))), ref.ppf(q), rtol=1e-10)
        draws = h.to_numpy(dist.sample((3000,), rng=h.rng(0)))
        assert draws.shape == (3000, 2)
        for j in range(2):
            cdf = lambda x, j=j, ref=ref: ref.cdf(np.stack([x, x], -1))[..., j]  # noqa: E731
            assert stats.kstest(draws[:, j], cdf).pvalue > 1e-3


def test_uniform_outside_support_and_validation(backend):
    h = backend
    lax = rc.Uniform(h.asarray(0.0), h.asarray(1.0), validate_args=False)
    np.testing.assert_array_equal(
        h.to_numpy(lax.log_prob(h.asarray([-0.1, 1.5]))), [-np.inf, -np.inf]
    )
    with pytest.raises(ValueError, match="value must be in \\[low, high\\]"):
        rc.Uniform(h.asarray(0.0), h.asarray(1.0)).log_prob(h.asarray(1.5))
    with pytest.raises(ValueError, match="low must be < high"):
        rc.Uniform(h.asarray(1.0), h.asarray(1.0))
    with pytest.raises(ValueError, match="scale must be > 0"):
        rc.Logistic(h.asarray(0.0), h.asarray(-1.0))


def test_logistic_extreme_noise_is_finite(backend):
    h = backend
    d = rc.Logistic(h.asarray(0.0), h.asarray(2.0))
    z = h.to_numpy(d.reparameterize(h.asarray([0.0, 1.0, 0.5])))
    assert np.all(np.isfinite(z)) and z[2] == 0.0


def test_multivariate_normal_diag(backend):
    h = backend
    loc = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]])
    scale = np.array([0.3, 1.0, 2.5])
    d = rc.MultivariateNormalDiag(h.asarray(loc), h.asarray(scale))
    assert (d.batch_shape, d.event_shape) == ((2,), (3,))
    y = np.random.default_rng(0).standard_normal((4, 2, 3))
    ref = np.stack(
        [stats.multivariate_normal(loc[i], np.diag(scale**2)).logpdf(y[:, i]) for i in range(2)], -1
    )
    np.testing.assert_allclose(h.to_numpy(d.log_prob(h.asarray(y))), ref, rtol=1e-12)
    np.testing.assert_allclose(
        h.to_numpy(d.entropy()),
        stats.multivariate_normal(loc[0], np.diag(scale**2)).entropy(),
        rtol=1e-12,
    )
    draws = h.to_numpy(d.sample((4000,), rng=h.rng(1)))
    assert draws.shape == (4000, 2, 3)
    np.testing.assert_allclose(draws.mean(0), loc, atol=4 * 2.5 / np.sqrt(4000))
    np.testing.assert_allclose(draws.std(0)[0], scale, rtol=0.05)
    unit = rc.MultivariateNormalDiag(h.asarray([1.0, 2.0]))
    np.testing.assert_allclose(h.to_numpy(unit.stddev), [1.0, 1.0])
    with pytest.raises(ValueError, match="scale_diag must be > 0"):
        rc.MultivariateNormalDiag(h.asarray([0.0]), h.asarray([0.0]))
    with pytest.raises(ValueError, match="at least one axis"):
        rc.MultivariateNormalDiag(h.asarray(0.0))
