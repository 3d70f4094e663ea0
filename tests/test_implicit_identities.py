"""Expectation identities: the mean of the attached partials is d/dtheta of a closed form.

Each test draws n samples with a fixed seed, takes the per-sample partials from
``value_and_partials`` (on autodiff backends the gradient of rsample must equal their
mean, which test_implicit_adapters checks) and asks their mean to lie within 5 standard
errors (computed from the same partials) of the closed-form derivative.
"""

import math

import numpy as np
import pytest
import scipy.special as sc

import relaxcore as rc

N = 40_000


def _mean_within(partials, expected, n_se=5.0):
    partials = np.asarray(partials, dtype=np.float64)
    mean = partials.mean(0)
    se = partials.std(0) / math.sqrt(partials.shape[0])
    assert np.all(np.isfinite(partials))
    assert np.all(np.abs(mean - expected) <= n_se * se + 1e-12), (mean, expected, se)


def test_gamma_mean_identity(backend):
    alpha = np.array([0.05, 0.5, 1.0, 7.0, 300.0])
    d = rc.Gamma(backend.asarray(alpha), backend.asarray(2.0))
    _, p = rc.implicit.value_and_partials(d, (N,), rng=backend.rng(0))
    _mean_within(backend.to_numpy(p["concentration"]), 0.5)  # d/dalpha alpha/beta
    _mean_within(backend.to_numpy(p["rate"]), -alpha / 4.0)  # d/dbeta alpha/beta


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_beta_mean_identity(backend, dtype):
    a = np.array([0.01, 0.5, 2.0, 50.0])
    b = np.array([0.01, 3.0, 2.0, 5.0])
    d = rc.Beta(backend.asarray(a, dtype), backend.asarray(b, dtype))
    z, p = rc.implicit.value_and_partials(d, (N,), rng=backend.rng(1))
    z = backend.to_numpy(z)
    assert np.mean(z[:, 0] == 0.5) == 0.0  # no atom at 0.5 for a = b = 0.01
    _mean_within(backend.to_numpy(p["concentration1"]), b / (a + b) ** 2)
    _mean_within(backend.to_numpy(p["concentration0"]), -a / (a + b) ** 2)


def test_dirichlet_mean_identity(backend):
    alpha = np.array([0.3, 1.0, 2.0, 6.0])
    d = rc.Dirichlet(backend.asarray(alpha))
    _, p = rc.implicit.value_and_partials(d, (N,), rng=backend.rng(2))
    jac = backend.to_numpy(p["concentration"])
    a0 = alpha.sum()
    expected = (np.eye(4) * a0 - alpha[:, None]) / a0**2  # d E[z_i] / d alpha_j
    _mean_within(jac.reshape(N, -1), expected.ravel())


def test_dirichlet_z_only_jacobian_identity(backend):
    """implicit_partials(z) (stick-breaking Beta CDFs) is also unbiased."""
    alpha = np.array([0.3, 1.0, 2.0, 6.0])
    d = rc.Dirichlet(backend.asarray(alpha))
    z = d.sample((N,), rng=backend.rng(3))
    jac = backend.to_numpy(d.implicit_partials(z)["concentration"])
    a0 = alpha.sum()
    _mean_within(jac.reshape(N, -1), ((np.eye(4) * a0 - alpha[:, None]) / a0**2).ravel())


def test_von_mises_mean_cos_identity(backend):
    kappa = np.array([0.5, 2.0, 11.0, 1000.0])
    d = rc.VonMises(backend.asarray([0.0, 1.0, -1.0, 3.0]), backend.asarray(kappa))
    z, p = rc.implicit.value_and_partials(d, (N,), rng=backend.rng(4))
    x = backend.to_numpy(z) - np.array([0.0, 1.0, -1.0, 3.0])
    # d/dkappa E[cos X] = d/dkappa A(kappa), A = I1/I0:  A' = 1 - A/kappa - A^2
    ratio = sc.i1e(kappa) / sc.i0e(kappa)
    expected = 1.0 - ratio / kappa - ratio**2
    _mean_within(-np.sin(x) * backend.to_numpy(p["concentration"]), expected)


def test_student_t_scale_and_df_identity(backend):
    """d/dnu E|t|: E|t| = 2 sqrt(nu) Gamma((nu+1)/2) / (sqrt(pi) (nu-1) Gamma(nu/2))."""
    nu = np.array([3.0, 8.0])
    d = rc.StudentT(backend.asarray(nu), 0.0, 1.0)
    z, p = rc.implicit.value_and_partials(d, (4 * N,), rng=backend.rng(5))
    z = backend.to_numpy(z)

    def mean_abs(v):
        log_ratio = sc.gammaln((v + 1) / 2) - sc.gammaln(v / 2)
        return 2 * np.sqrt(v) * np.exp(log_ratio) / (np.sqrt(np.pi) * (v - 1))

    h = 1e-6
    expected = (mean_abs(nu + h) - mean_abs(nu - h)) / (2 * h)
    _mean_within(np.sign(z) * backend.to_numpy(p["df"]), expected)
