"""GumbelSoftmaxTopK(method="threshold"): entries in [0, 1] summing to k, equal to an
independent root-finding solution (scipy brentq), gradient equal to finite differences of
that solution, cold limit = the top-k indicator, masked categories 0."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, special

import relaxcore as rc

LOGITS = np.log(np.array([0.05, 0.3, 0.15, 0.4, 0.1]))


def _lml(x, k):
    """sigmoid(x + nu) with sum = k, nu by brentq (independent of the library)."""
    finite = np.isfinite(x)
    nu = optimize.brentq(
        lambda v: special.expit(x[finite] + v).sum() - k,
        -1e3 - x.max(),
        1e3 - x[finite].min(),
        xtol=1e-14,
    )
    return np.where(finite, special.expit(x + nu), 0.0)


def _scores(logits, u, tau):
    return (logits - np.log(-np.log(u))) / tau


@pytest.mark.parametrize(("tau", "k"), [(0.5, 2), (1.0, 3), (0.2, 1), (2.0, 4)])
def test_matches_root_finding_and_is_bounded(backend, tau, k):
    u = np.random.default_rng(0).random((50, 5))
    d = rc.GumbelSoftmaxTopK(tau, k, logits=backend.asarray(LOGITS), method="threshold")
    z = backend.to_numpy(d.reparameterize(backend.asarray(u)))
    expected = np.stack([_lml(row, k) for row in _scores(LOGITS, u, tau)])
    np.testing.assert_allclose(z, expected, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(z.sum(-1), k, rtol=1e-10)
    assert z.min() >= 0 and z.max() <= 1


def test_gradient_equals_finite_differences_of_the_solution(backend):
    if not backend.has_autodiff:
        pytest.skip("gradient")
    tau, k = 0.7, 2
    u = np.random.default_rng(1).random(5)
    w = np.random.default_rng(2).normal(size=5)
    xp = backend.xp

    def objective(lg):
        d = rc.GumbelSoftmaxTopK(tau, k, logits=lg, method="threshold")
        return xp.sum(d.reparameterize(backend.asarray(u)) * backend.asarray(w))

    grad = backend.grad(objective, backend.asarray(LOGITS))[0]  # eager: the bisection unrolls
    h, fd = 1e-6, np.zeros(5)
    for i in range(5):
        step = np.eye(5)[i] * h
        up, down = _lml(_scores(LOGITS + step, u, tau), k), _lml(_scores(LOGITS - step, u, tau), k)
        fd[i] = w @ (up - down) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)


def test_cold_limit_hard_and_masked(backend):
    u = np.random.default_rng(3).random((200, 5))
    probs = backend.asarray(np.array([0.3, 0.0, 0.3, 0.4, 0.0]))
    cold = rc.GumbelSoftmaxTopK(1e-3, 2, logits=backend.asarray(LOGITS), method="threshold")
    hard = rc.GumbelSoftmaxTopK(1e-3, 2, logits=backend.asarray(LOGITS), hard=True)
    z = backend.to_numpy(cold.reparameterize(backend.asarray(u)))
    h = backend.to_numpy(hard.reparameterize(backend.asarray(u)))
    assert np.all(np.isfinite(z)) and z.min() >= 0 and z.max() <= 1
    assert np.mean(np.all(np.abs(z - h) < 1e-3, axis=-1)) > 0.95
    both = rc.GumbelSoftmaxTopK(
        0.5, 2, logits=backend.asarray(LOGITS), hard=True, method="threshold"
    )
    hz = backend.to_numpy(both.reparameterize(backend.asarray(u)))
    assert set(np.unique(hz)) <= {0.0, 1.0} and np.all(hz.sum(-1) == 2)
    masked = rc.GumbelSoftmaxTopK(0.5, 3, probs=probs, method="threshold")
    mz = backend.to_numpy(masked.reparameterize(backend.asarray(u)))
    assert np.all(mz[:, [1, 4]] == 0)
    np.testing.assert_allclose(mz.sum(-1), 3, rtol=1e-5)  # k = K': every finite entry ~1
    with pytest.raises(ValueError, match="method must be"):
        rc.GumbelSoftmaxTopK(0.5, 2, logits=backend.asarray(LOGITS), method="lml")


def test_float32_and_gradient_finite_at_low_temperature(backend):
    if "float32" not in backend.float_dtypes:
        pytest.skip("float32")
    u = np.random.default_rng(4).random((100, 5))
    lg = backend.asarray(LOGITS, dtype="float32")
    d = rc.GumbelSoftmaxTopK(1e-3, 2, logits=lg, method="threshold")
    z = backend.to_numpy(d.reparameterize(backend.asarray(u, dtype="float32")))
    assert np.all((z >= 0) & (z <= 1))
    np.testing.assert_allclose(z.sum(-1), 2, rtol=1e-3)
    if backend.has_autodiff:
        xp = backend.xp

        def objective(t):
            d = rc.GumbelSoftmaxTopK(1e-3, 2, logits=t, method="threshold")
            return xp.sum(d.reparameterize(backend.asarray(u, dtype="float32"))[:, 0])

        assert np.all(np.isfinite(backend.grad(objective, lg)[0]))
