"""StraightThroughBernoulli and StochasticTimesSmooth: the law of sample == rsample, the
log mass of that law, and the gradients the estimators define."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import relaxcore as rc

P = np.array([0.1, 0.5, 0.83, 0.0, 1.0])


def test_straight_through_law_log_prob_and_identity_gradient(backend):
    d = rc.StraightThroughBernoulli(probs=backend.asarray(P))
    z = backend.to_numpy(d.rsample((20000,), rng=backend.rng(0)))
    np.testing.assert_array_equal(z, backend.to_numpy(d.sample((20000,), rng=backend.rng(0))))
    assert set(np.unique(z)) <= {0.0, 1.0}
    assert np.all(np.abs(z.mean(0) - P) <= 5 * np.sqrt(P * (1 - P) / 20000) + 1e-9)
    for b in (0.0, 1.0):
        got = backend.to_numpy(d.log_prob(backend.asarray(np.full(5, b))))
        with np.errstate(divide="ignore"):
            np.testing.assert_allclose(got, stats.bernoulli.logpmf(b, P), rtol=1e-12)
    if backend.has_autodiff:
        xp = backend.xp
        g = backend.grad(
            lambda p: xp.sum(
                rc.StraightThroughBernoulli(probs=p).rsample((3,), rng=backend.rng(1))
            ),
            backend.asarray(P),
        )[0]
        np.testing.assert_allclose(g, 3.0)  # dz/dp = 1, also at p = 0 and 1
        logits = np.array([-2.0, 0.0, 3.0])
        g = backend.grad(
            lambda l: xp.sum(rc.StraightThroughBernoulli(logits=l).rsample(rng=backend.rng(1))),
            backend.asarray(logits),
        )[0]
        s = 1 / (1 + np.exp(-logits))
        np.testing.assert_allclose(g, s * (1 - s), rtol=1e-12)


def test_stochastic_times_smooth_law_log_prob_and_gradient(backend):
    d = rc.StochasticTimesSmooth(probs=backend.asarray(P))
    h = backend.to_numpy(d.rsample((40000,), rng=backend.rng(0)))
    np.testing.assert_array_equal(h, backend.to_numpy(d.sample((40000,), rng=backend.rng(0))))
    root = np.sqrt(P)
    assert np.all((h == 0) | np.isclose(h, root, rtol=1e-15))
    frac = (h > 0).mean(0)
    assert np.all(np.abs(frac - root) <= 5 * np.sqrt(root * (1 - root) / 40000) + 1e-9)
    assert np.all(np.abs(h.mean(0) - P) <= 5 * np.sqrt(P * (1 - P) / 40000) + 1e-9)  # E[h] = p
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(
            backend.to_numpy(d.log_prob(backend.asarray(np.zeros(5)))), np.log1p(-root), rtol=1e-12
        )
        np.testing.assert_allclose(
            backend.to_numpy(d.log_prob(backend.asarray(root))),
            np.where(P > 0, np.log(root), np.log1p(-root)),
            rtol=1e-12,
        )
    off = backend.to_numpy(d.log_prob(backend.asarray(np.full(5, 0.05))))
    assert np.all(off == -np.inf)  # not an atom of the law
    np.testing.assert_allclose(backend.to_numpy(d.variance), P**1.5 - P**2, atol=1e-15)
    if backend.has_autodiff:
        xp = backend.xp
        noise = np.random.default_rng(3).random((6, 5))
        g = backend.grad(
            lambda p: xp.sum(
                rc.StochasticTimesSmooth(probs=p).reparameterize(backend.asarray(noise))
            ),
            backend.asarray(P),
        )[0]
        b = noise < root
        want = np.where(P > 0, b / (2 * np.where(P > 0, root, 1)), 0).sum(0)
        np.testing.assert_allclose(g, want, rtol=1e-12)


def test_straight_through_validation(backend):
    for cls in (rc.StraightThroughBernoulli, rc.StochasticTimesSmooth):
        with pytest.raises(ValueError, match="probs"):
            cls(probs=backend.asarray([-0.1]))
        with pytest.raises(ValueError, match="logits"):
            cls(logits=backend.asarray([float("nan")]))
        with pytest.raises(ValueError, match="exactly one"):
            cls()
