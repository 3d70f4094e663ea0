"""TransformedDistribution: the seed example's numbers, normalization, closed forms, event dims."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import relaxcore as rc

B = rc.bijectors


def _normal(h, loc=0.0, scale=1.0):
    return rc.Normal(h.asarray(loc), h.asarray(scale))


def test_seed_normal_cdf_through_uniform(backend):
    h = backend
    td = rc.TransformedDistribution(
        rc.Uniform(h.asarray(0.0), h.asarray(1.0)), B.Invert(B.NormalCDF())
    )
    lp = h.to_numpy(td.log_prob(h.asarray(2.01)))
    np.testing.assert_allclose(lp, -2.938989, atol=5e-7)
    np.testing.assert_allclose(lp, stats.norm.logpdf(2.01), rtol=1e-12)


def test_seed_affine_scale_two(backend):
    h = backend
    expected = [-1.6120857, -1.7370857, -2.1120858]
    x = np.array([0.0, 0.5, 1.0])
    td = rc.TransformedDistribution(_normal(h), B.Scale(h.asarray(2.0)))
    lp = td.log_prob(td.bijector.forward(h.asarray(x)))
    np.testing.assert_allclose(h.to_numpy(lp), expected, atol=1e-7)
    base = rc.MultivariateNormalDiag(h.asarray([0.0]))
    td = rc.TransformedDistribution(base, B.Affine(scale_tril=h.asarray([[2.0]])))
    lp = td.log_prob(h.asarray(2 * x[:, None]))
    np.testing.assert_allclose(h.to_numpy(lp), expected, atol=1e-7)


# (name, make bijector, base, grid u -> y, dy/du): the integral runs over u in [-30, 30]
_GRIDS = {
    "real": (lambda u: u, lambda u: np.ones_like(u)),
    "positive": (np.exp, np.exp),
    "unit": (
        lambda u: 1 / (1 + np.exp(-u)),
        lambda u: np.exp(-np.abs(u)) / (1 + np.exp(-np.abs(u))) ** 2,
    ),
    "pm1": (np.tanh, lambda u: 1 / np.cosh(u) ** 2),
    "wide": (np.sinh, np.cosh),
}
NORMALIZED = [
    ("LogNormal", lambda h: B.Exp(), "positive"),
    ("logit-normal", lambda h: B.Sigmoid(), "unit"),
    ("tanh-normal", lambda h: B.Tanh(), "pm1"),
    (
        "softplus",
        lambda h: B.Chain([B.Softplus(), B.Scale(h.asarray(-1.5)), B.Shift(h.asarray(0.3))]),
        "positive",
    ),
    ("prelu", lambda h: B.LeakyReLU(h.asarray(0.2)), "real"),
    ("normal-cdf", lambda h: B.NormalCDF(), "unit"),
    (
        "inline-sinh",
        lambda h: B.Inline(h.xp.sinh, h.xp.asinh, lambda x: h.xp.log(h.xp.cosh(x))),
        "wide",
    ),
]


@pytest.mark.parametrize("name, make, grid", NORMALIZED, ids=[n[0] for n in NORMALIZED])
def test_log_prob_integrates_to_one(backend, name, make, grid):
    h = backend
    to_y, dy_du = _GRIDS[grid]
    u = np.linspace(-30, 30, 30001)
    y = to_y(u)
    keep = (np.isfinite(y)) & (y != 0) & (np.abs(y) != 1)
    td = rc.TransformedDistribution(_normal(h, 0.4, 1.3), make(h))
    density = np.exp(h.to_numpy(td.log_prob(h.asarray(y[keep]))))
    total = np.trapezoid(density * dy_du(u[keep]), u[keep])
    np.testing.assert_allclose(total, 1.0, atol=1e-5)  # a kink (prelu) costs O(step)


def test_lognormal_closed_form(backend):
    h = backend
    mu, sigma = 0.3, 0.8
    td = rc.TransformedDistribution(_normal(h, mu, sigma), B.Exp())
    y = np.array([1e-3, 0.2, 1.0, 3.5, 40.0])
    ref = stats.lognorm(s=sigma, scale=np.exp(mu))
    np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(y))), ref.logpdf(y), rtol=1e-12)
    np.testing.assert_allclose(h.to_numpy(td.cdf(h.asarray(y))), ref.cdf(y), rtol=1e-10)
    draws = h.to_numpy(td.sample((4000,), rng=h.rng(0)))
    assert draws.shape == (4000,)
    assert stats.kstest(draws, ref.cdf).pvalue > 1e-3


def test_cdf_of_decreasing_maps(backend):
    h = backend
    y = np.array([-3.0, -0.5, 0.0, 1.2])
    td = rc.TransformedDistribution(_normal(h, 0.5), B.Scale(h.asarray(-2.0)))
    # Y = -2X: P(Y <= y) = P(X >= -y/2)
    np.testing.assert_allclose(
        h.to_numpy(td.cdf(h.asarray(y))), stats.norm(0.5).sf(-y / 2), rtol=1e-12
    )
    s = np.array([2.0, -2.0, 2.0, -2.0])
    mixed = rc.TransformedDistribution(_normal(h, 0.5), B.Scale(h.asarray(s)))
    ref = np.where(s > 0, stats.norm(0.5).cdf(y / s), stats.norm(0.5).sf(y / s))
    np.testing.assert_allclose(h.to_numpy(mixed.cdf(h.asarray(y))), ref, rtol=1e-12)
    chain = rc.TransformedDistribution(
        _normal(h), B.Chain([B.Scale(h.asarray(-1.0)), B.Exp(), B.Scale(h.asarray(-1.0))])
    )
    # y = -exp(-x) is increasing in x: P(Y <= y) = P(x <= -log(-y))
    yneg = np.array([-3.0, -1.0, -0.2])
    np.testing.assert_allclose(
        h.to_numpy(chain.cdf(h.asarray(yneg))), stats.norm.cdf(-np.log(-yneg)), rtol=1e-12
    )
    vector = rc.TransformedDistribution(rc.MultivariateNormalDiag(h.asarray([0.0, 0.0])), B.Exp())
    with pytest.raises(NotImplementedError, match="scalar"):
        vector.cdf(h.asarray([1.0, 1.0]))


def test_affine_of_independent_normals_is_multivariate_normal(backend):
    h = backend
    rng = np.random.default_rng(0)
    tril = np.tril(rng.standard_normal((3, 3))) + 2 * np.eye(3)
    v = 0.5 * rng.standard_normal((3, 1))
    shift = np.array([1.0, -2.0, 0.5])
    bij = B.Affine(
        shift=h.asarray(shift), scale_tril=h.asarray(tril), scale_perturb_factor=h.asarray(v)
    )
    base = rc.Normal(h.asarray(np.zeros(3)), h.asarray(1.0))  # batch (3,) -> one event (3,)
    td = rc.TransformedDistribution(base, bij)
    assert (td.batch_shape, td.event_shape) == ((), (3,))
    m = tril + v @ v.T
    y = rng.standard_normal((5, 3))
    ref = stats.multivariate_normal(shift, m @ m.T).logpdf(y)
    np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(y))), ref, rtol=1e-10)
    assert tuple(td.sample((7,), rng=h.rng(1)).shape) == (7, 3)


def test_elementwise_bijector_on_a_vector_event(backend):
    h = backend
    base = rc.MultivariateNormalDiag(h.asarray(np.zeros((2, 3))), h.asarray(np.full((2, 3), 0.7)))
    td = rc.TransformedDistribution(base, B.Tanh())
    assert (td.batch_shape, td.event_shape) == ((2,), (3,))
    y = np.tanh(np.random.default_rng(1).standard_normal((4, 2, 3)))
    x = np.arctanh(y)
    ref = stats.norm(0, 0.7).logpdf(x).sum(-1) - np.log1p(-y * y).sum(-1)
    np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(y))), ref, rtol=1e-10)
    assert tuple(td.rsample((5,), rng=h.rng(2)).shape) == (5, 2, 3)


def test_logistic_normal_on_the_simplex(backend):
    h = backend
    loc, scale = np.array([0.3, -0.4]), np.array([0.8, 1.2])
    base = rc.MultivariateNormalDiag(h.asarray(loc), h.asarray(scale))
    y = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    # density of y[:2] when log(y[:2] / y[2]) ~ N(loc, diag(scale^2)): Aitchison's logistic normal
    ref = stats.norm(loc, scale).logpdf(np.log(y[:, :2] / y[:, 2:])).sum(-1) - np.log(y).sum(-1)
    td = rc.TransformedDistribution(base, B.SoftmaxCentered())
    assert td.event_shape == (3,)
    np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(y))), ref, rtol=1e-10)
    draws = h.to_numpy(
        rc.TransformedDistribution(base, B.StickBreaking()).sample((10,), rng=h.rng(0))
    )
    np.testing.assert_allclose(draws.sum(-1), 1.0, rtol=1e-12)
    assert np.all(draws > 0)


def test_stick_breaking_of_uniform_sticks(backend):
    h = backend
    # x_i ~ Logistic(log(K + 1 - i)) makes each stick fraction z_i ~ U(0, 1); then
    # y_i = z_i r_i with r_i = 1 - y_1 - ... - y_(i-1), a triangular map: p(y) = 1 / prod r_i
    k = 3
    base = rc.Logistic(h.asarray(np.log(k - np.arange(k))), h.asarray(1.0))
    td = rc.TransformedDistribution(base, B.StickBreaking())
    y = stats.dirichlet(np.ones(k + 1)).rvs(5, random_state=0)
    r = 1 - np.concatenate([np.zeros((5, 1)), np.cumsum(y[:, :-2], axis=1)], axis=1)
    np.testing.assert_allclose(
        h.to_numpy(td.log_prob(h.asarray(y))), -np.log(r).sum(-1), rtol=1e-9, atol=1e-9
    )


def test_rsample_carries_gradients(backend):
    h = backend
    noise = h.asarray(np.random.default_rng(0).standard_normal(6))

    def mean_of_samples(loc, scale):
        td = rc.TransformedDistribution(rc.Normal(loc, scale), B.Exp())
        return h.xp.sum(td.reparameterize(noise))

    loc, scale = h.asarray(0.2), h.asarray(0.5)
    g_loc, g_scale = h.grad(mean_of_samples, loc, scale)
    eps = h.to_numpy(noise)
    y = np.exp(0.2 + 0.5 * eps)
    np.testing.assert_allclose(g_loc, y.sum(), rtol=1e-12)
    np.testing.assert_allclose(g_scale, (y * eps).sum(), rtol=1e-12)


def test_expand_and_shapes(backend):
    h = backend
    td = rc.TransformedDistribution(_normal(h, h.to_numpy(h.asarray([0.0, 1.0]))), B.Exp())
    big = td.expand((3, 2))
    assert (big.batch_shape, big.event_shape) == ((3, 2), ())
    assert tuple(big.log_prob(h.asarray(np.ones((3, 2)))).shape) == (3, 2)
    with pytest.raises(ValueError, match="needs 1 event axes"):
        rc.TransformedDistribution(_normal(h), B.Permute([1, 0]))
    with pytest.raises(ValueError, match="value must end in the event shape"):
        rc.TransformedDistribution(
            rc.MultivariateNormalDiag(h.asarray([0.0, 0.0])), B.Exp()
        ).log_prob(h.asarray([1.0]))
