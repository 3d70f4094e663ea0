"""MixtureSameFamily over every implicit component, factorized mixtures, and bad weights."""

import math

import numpy as np
import pytest
import scipy.special as sc

import relaxcore as rc


def test_gamma_mixture_samples_on_every_backend(backend):
    """The reported case: a broadcast error on main, on every backend."""
    d = rc.MixtureSameFamily(
        rc.Gamma(backend.asarray([0.5, 2.0])), mixture_logits=backend.asarray([0.0, 0.0])
    )
    z = d.rsample((4,), rng=backend.rng(0))
    assert tuple(z.shape) == (4,) and np.all(backend.to_numpy(z) > 0)


# component -> (make(theta), theta, d E[component k] / d theta_k)
COMPONENTS = {
    "Gamma": (lambda a: rc.Gamma(a, 2.0), [0.5, 3.0], lambda a: np.full(2, 0.5)),
    "Beta": (lambda a: rc.Beta(a, 2.0), [0.5, 3.0], lambda a: 2.0 / (a + 2.0) ** 2),
    "StudentT": (lambda m: rc.StudentT(4.0, m, 1.5), [-1.0, 2.0], lambda m: np.ones(2)),
    # a user CDF: its parameters live on the base (a gap found in review)
    "ImplicitReparam(Logistic)": (
        lambda m: rc.ImplicitReparam(rc.Logistic(m, 1.5)),
        [-1.0, 2.0],
        lambda m: np.ones(2),
    ),
}
NEEDS_AUTODIFF = {"ImplicitReparam(Logistic)"}  # its CDF partials come from autodiff


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_mixture_partials_satisfy_the_mean_identity(backend, name):
    """d E[z] / d theta_k = w_k d E_k / d theta_k, averaged over the partials of the draws."""
    if name in NEEDS_AUTODIFF and not backend.has_autodiff:
        pytest.skip("no autodiff")
    make, theta, d_mean = COMPONENTS[name]
    w = np.array([0.3, 0.7])
    d = rc.MixtureSameFamily(make(backend.asarray(theta)), mixture_probs=backend.asarray(w))
    _, partials = rc.implicit.value_and_partials(d, (40_000,), rng=backend.rng(1))
    key = d.implicit_params[1] if name != "StudentT" else "loc"
    got = backend.to_numpy(partials[key])
    se = got.std(0) / math.sqrt(got.shape[0])
    want = w * d_mean(np.array(theta))
    assert np.all(np.abs(got.mean(0) - want) <= 5 * se + 1e-3), (got.mean(0), want)


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_mixture_autodiff_gradient_equals_its_partials(backend, name):
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    make, theta, _ = COMPONENTS[name]
    logits = backend.asarray([0.2, -0.4])

    def build(t, lg):
        return rc.MixtureSameFamily(make(t), mixture_logits=lg)

    t0 = backend.asarray(theta)
    _, partials = rc.implicit.value_and_partials(build(t0, logits), (500,), rng=backend.rng(2))
    g_theta, g_logits = backend.grad(
        lambda t, lg: build(t, lg).rsample((500,), rng=backend.rng(2)).sum(), t0, logits
    )
    key = build(t0, logits).implicit_params[1] if name != "StudentT" else "loc"
    np.testing.assert_allclose(g_theta, backend.to_numpy(partials[key]).sum(0), rtol=1e-9)
    np.testing.assert_allclose(
        g_logits, backend.to_numpy(partials["mixture_logits"]).sum(0), rtol=1e-9, atol=1e-9
    )


def test_factorized_mixture_gradients_match_closed_forms(backend):
    """E[z0 z1 + z1^2] = sum_k w_k (m_k0 m_k1 + m_k1^2 + s_k1^2) for a diagonal-normal mixture:
    the cross terms through the conditional weights of coordinate 1 are needed."""
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    m = np.array([[0.0, 1.0], [3.0, -2.0]])
    s = np.array([[1.0, 0.5], [0.7, 2.0]])
    lg = np.array([0.3, -0.2])
    xp = backend.xp

    def f(loc, scale, logits):
        d = rc.MixtureSameFamily(
            rc.MultivariateNormalDiag(loc, scale), mixture_logits=logits, event_ndims=1
        )
        z = d.rsample((100_000,), rng=backend.rng(3))
        return xp.mean(z[:, 0] * z[:, 1] + z[:, 1] ** 2)

    g_m, g_s, g_l = backend.grad(f, *(backend.asarray(v) for v in (m, s, lg)))
    w = sc.softmax(lg)
    per = m[:, 0] * m[:, 1] + m[:, 1] ** 2 + s[:, 1] ** 2
    np.testing.assert_allclose(
        g_m, np.stack([w * m[:, 1], w * (m[:, 0] + 2 * m[:, 1])], 1), atol=0.05
    )
    np.testing.assert_allclose(g_s, np.stack([0 * w, 2 * w * s[:, 1]], 1), atol=0.06)
    np.testing.assert_allclose(g_l, w * (per - (w * per).sum()), atol=0.03)


def test_factorized_mixture_density_and_shapes(backend):
    loc = backend.asarray([[0.0, 1.0], [3.0, -2.0]])
    scale = backend.asarray([[1.0, 0.5], [0.7, 2.0]])
    d = rc.MixtureSameFamily(
        rc.Normal(loc, scale), mixture_probs=backend.asarray([0.4, 0.6]), event_ndims=1
    )
    assert d.batch_shape == () and d.event_shape == (2,)
    z = d.sample((3,), rng=backend.rng(0))
    assert tuple(z.shape) == (3, 2)
    x = np.array([[0.5, -1.0], [2.0, 0.3]])
    lp = backend.to_numpy(d.log_prob(backend.asarray(x)))
    ln = lambda x, m, s: -0.5 * ((x - m) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)  # noqa: E731
    mn, sn = np.array([[0.0, 1.0], [3.0, -2.0]]), np.array([[1.0, 0.5], [0.7, 2.0]])
    ref = np.log(sum(wk * np.exp(ln(x, mn[k], sn[k]).sum(-1)) for k, wk in enumerate([0.4, 0.6])))
    np.testing.assert_allclose(lp, ref, rtol=1e-10)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mixture_probs": [-0.2, 1.2]}, "mixture_probs must be a probability vector"),
        ({"mixture_probs": [0.2, 0.2]}, "mixture_probs must be a probability vector"),
        ({"mixture_logits": [math.nan, 0.0]}, "mixture_logits must be real numbers or -inf"),
        ({"mixture_logits": 0.0}, r"mixture_logits must have shape \(..., K\)"),
        ({"mixture_logits": [0.0, 1.0, 2.0]}, "K = 2 components"),
    ],
)
def test_bad_mixture_weights_raise_naming_the_argument(backend, kwargs, message):
    comp = rc.Normal(backend.asarray([0.0, 1.0]), 1.0)
    kwargs = {k: backend.asarray(v) for k, v in kwargs.items()}
    with pytest.raises(ValueError, match=message):
        rc.MixtureSameFamily(comp, **kwargs)


def test_bad_mixture_weights_without_validation_give_nan(backend):
    comp = rc.Normal(backend.asarray([[0.0, 1.0], [0.0, 1.0]]), 1.0, validate_args=False)
    probs = backend.asarray([[-0.2, 1.2], [0.3, 0.7]])
    d = rc.MixtureSameFamily(comp, mixture_probs=probs, validate_args=False)
    z = backend.to_numpy(d.sample((5,), rng=backend.rng(0)))
    assert np.all(np.isnan(z[:, 0])) and np.all(np.isfinite(z[:, 1]))
    lp = backend.to_numpy(d.log_prob(backend.asarray([0.3, 0.3])))
    assert np.isnan(lp[0]) and np.isfinite(lp[1])


def test_mixture_support_is_the_components_support():
    """NUTS and biject_to read `support`: positive components give a positive mixture."""
    gamma = rc.Gamma(np.array([0.5, 2.0]))
    m = rc.MixtureSameFamily(gamma, mixture_logits=np.zeros(2))
    assert m.support is gamma.support
    assert (
        rc.MixtureSameFamily(rc.Normal(np.zeros(2), 1.0), mixture_logits=np.zeros(2)).support
        is rc.Normal(0.0, 1.0).support
    )
