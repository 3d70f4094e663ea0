"""GaussianRelaxedBernoulli and HardConcrete: exact values of the mixed measures (atoms at
0 and 1, density inside) against scipy, their laws, independence, validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

import relaxcore as rc

MU, SIGMA = np.array([0.3, -0.2, 0.9, 0.5]), np.array([0.4, 0.5, 0.3, 2.0])
LOGA, BETA, GAMMA, ZETA = (
    np.array([0.5, -1.0, 2.0, 0.0]),
    np.array([2 / 3, 0.5, 1.0, 0.3]),
    -0.1,
    1.1,
)


def _grb(h):
    return rc.GaussianRelaxedBernoulli(h.asarray(MU), h.asarray(SIGMA))


def _hc(h, **kw):
    return rc.HardConcrete(h.asarray(BETA), logits=h.asarray(LOGA), **kw)


def test_gaussian_gate_log_prob_at_atoms_and_inside(backend):
    d = _grb(backend)
    for z, ref in (
        (0.0, stats.norm.logcdf(-MU / SIGMA)),
        (1.0, stats.norm.logsf((1 - MU) / SIGMA)),
        (0.37, stats.norm.logpdf(0.37, MU, SIGMA)),
    ):
        got = backend.to_numpy(d.log_prob(backend.asarray(np.full(4, z))))
        np.testing.assert_allclose(got, ref, rtol=1e-10)
    total = [
        integrate.quad(lambda z, m=m, s=s: stats.norm.pdf(z, m, s), 0, 1)[0]
        + np.exp(stats.norm.logcdf(-m / s))
        + np.exp(stats.norm.logsf((1 - m) / s))
        for m, s in zip(MU, SIGMA)
    ]
    np.testing.assert_allclose(total, 1, rtol=1e-10)  # the measure the docstring names sums to 1
    mean = [
        integrate.quad(
            lambda x, m=m, s=s: np.clip(x, 0, 1) * stats.norm.pdf(x, m, s),
            m - 12 * s,
            m + 12 * s,
            points=[0, 1],
            limit=200,
        )[0]
        for m, s in zip(MU, SIGMA)
    ]
    np.testing.assert_allclose(backend.to_numpy(d.mean), mean, rtol=1e-8)
    np.testing.assert_allclose(
        backend.to_numpy(d.prob_nonzero()), stats.norm.sf(-MU / SIGMA), rtol=1e-10
    )


def test_gaussian_gate_law(backend):
    z = backend.to_numpy(_grb(backend).rsample((20000,), rng=backend.rng(0)))
    n = z.shape[0]
    for frac, p in (
        ((z == 0).mean(0), stats.norm.cdf(-MU / SIGMA)),
        ((z == 1).mean(0), stats.norm.sf((1 - MU) / SIGMA)),
    ):
        assert np.all(np.abs(frac - p) < 5 * np.sqrt(p * (1 - p) / n) + 1e-3)
    inside = z[:, 0][(z[:, 0] > 0) & (z[:, 0] < 1)]
    lo, hi = stats.norm.cdf(0, MU[0], SIGMA[0]), stats.norm.cdf(1, MU[0], SIGMA[0])
    cdf = lambda x: (stats.norm.cdf(x, MU[0], SIGMA[0]) - lo) / (hi - lo)  # noqa: E731
    assert stats.kstest(inside, cdf).pvalue > 1e-4


def _hc_reference():
    """Atoms and interior density from the logistic law of log u - log(1-u), written anew."""
    logit = lambda s: np.log(s) - np.log1p(-s)  # noqa: E731
    width = ZETA - GAMMA
    p0 = stats.logistic.cdf(BETA * logit(-GAMMA / width) - LOGA)
    p1 = stats.logistic.sf(BETA * logit((1 - GAMMA) / width) - LOGA)
    cdf = lambda z: stats.logistic.cdf(BETA * logit((z - GAMMA) / width) - LOGA)  # noqa: E731
    return p0, p1, cdf


def test_hard_concrete_atoms_density_and_l0(backend):
    d = _hc(backend)
    p0, p1, cdf = _hc_reference()
    for z, ref in ((0.0, np.log(p0)), (1.0, np.log(p1))):
        np.testing.assert_allclose(
            backend.to_numpy(d.log_prob(backend.asarray(np.full(4, z)))), ref, rtol=1e-10
        )
    for z in (0.05, 0.5, 0.93):
        fd = (cdf(z + 1e-6) - cdf(z - 1e-6)) / 2e-6
        got = np.exp(backend.to_numpy(d.log_prob(backend.asarray(np.full(4, z)))))
        np.testing.assert_allclose(got, fd, rtol=1e-6)
    np.testing.assert_allclose(backend.to_numpy(d.prob_nonzero()), 1 - p0, rtol=1e-10)
    grid = np.linspace(0, 1, 200001)[1:-1]
    dens = np.exp(backend.to_numpy(d.log_prob(backend.asarray(np.repeat(grid[:, None], 4, 1)))))
    total = integrate.simpson(dens, x=grid, axis=0) + p0 + p1
    np.testing.assert_allclose(total, 1, atol=2e-4)
    np.testing.assert_allclose(
        backend.to_numpy(d.cdf(backend.asarray(np.full(4, 0.4)))), cdf(0.4), rtol=1e-10
    )


def test_hard_concrete_law_and_independent_elements(backend):
    d = _hc(backend)
    z = backend.to_numpy(d.rsample((20000,), rng=backend.rng(1)))
    p0, p1, _ = _hc_reference()
    n = z.shape[0]
    for frac, p in (((z == 0).mean(0), p0), ((z == 1).mean(0), p1)):
        assert np.all(np.abs(frac - p) < 5 * np.sqrt(p * (1 - p) / n) + 1e-3)
    same = rc.HardConcrete(0.5, logits=backend.asarray(np.zeros(3)))  # identical parameters
    w = backend.to_numpy(same.rsample((4000,), rng=backend.rng(2)))
    assert not np.any(np.all(w[:, :1] == w, axis=1) & (w[:, 0] > 0) & (w[:, 0] < 1))
    corr = np.corrcoef(w.T)[np.triu_indices(3, 1)]
    assert np.all(np.abs(corr) < 0.08)


def test_gates_validation(backend):
    with pytest.raises(ValueError, match="scale"):
        rc.GaussianRelaxedBernoulli(backend.asarray([0.5]), backend.asarray([0.0]))
    with pytest.raises(ValueError, match="temperature"):
        rc.HardConcrete(backend.asarray([-1.0]), logits=backend.asarray([0.0]))
    with pytest.raises(ValueError, match="low"):
        rc.HardConcrete(0.5, logits=backend.asarray([0.0]), low=0.1)
    with pytest.raises(ValueError, match="high"):
        rc.HardConcrete(0.5, logits=backend.asarray([0.0]), high=0.9)
    with pytest.raises(ValueError, match="probs"):
        rc.HardConcrete(0.5, probs=backend.asarray([1.5]))
    with pytest.raises(ValueError, match="value"):
        _hc(backend).log_prob(backend.asarray(np.full(4, 1.5)))
