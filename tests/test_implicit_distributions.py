"""Per-sample partials against independent references, closed forms, robustness, KL."""

import math

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st

import relaxcore as rc


def _fd_quantile(ppf, q, theta, h=1e-6):
    return (ppf(q, theta * (1 + h)) - ppf(q, theta * (1 - h))) / (2 * theta * h)


# --- per-sample partials against references -------------------------------------------


def test_beta_partials_match_betaincinv_finite_differences(backend):
    a, b, q = (
        t.ravel() for t in np.meshgrid([0.5, 2.0, 30.0], [0.7, 5.0], [0.01, 0.2, 0.5, 0.8, 0.99])
    )
    z = sc.betaincinv(a, b, q)
    p = rc.Beta(backend.asarray(a), backend.asarray(b)).implicit_partials(backend.asarray(z))
    ref_a = _fd_quantile(lambda q, t: sc.betaincinv(t, b, q), q, a)
    ref_b = _fd_quantile(lambda q, t: sc.betaincinv(a, t, q), q, b)
    np.testing.assert_allclose(backend.to_numpy(p["concentration1"]), ref_a, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(backend.to_numpy(p["concentration0"]), ref_b, rtol=1e-6, atol=1e-9)


def test_student_t_partials_match_quantile_finite_differences(backend):
    q = np.array([1e-3, 0.1, 0.4, 0.6, 0.9, 0.999])
    for df in (0.5, 3.0, 12.0):
        t = 1.0 + 2.0 * st.t.ppf(q, df)
        p = rc.StudentT(backend.asarray(np.full(6, df)), 1.0, 2.0).implicit_partials(
            backend.asarray(t)
        )
        ref = 2.0 * _fd_quantile(lambda q, v: st.t.ppf(q, v), q, df)
        np.testing.assert_allclose(backend.to_numpy(p["df"]), ref, rtol=1e-6)
        np.testing.assert_allclose(backend.to_numpy(p["scale"]), (t - 1.0) / 2.0, rtol=1e-12)


@pytest.fixture(scope="module")
def von_mises_reference():
    """dx/dkappa = -int_{-pi}^x dp/dkappa / p(x), dp/dkappa = p (cos t - I1/I0), by mpmath quad."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 25
    rows = []
    for kappa in (0.5, 4.0, 30.0, 1000.0):
        k = mp.mpf(kappa)
        ratio = mp.besseli(1, k) / mp.besseli(0, k)
        norm = 2 * mp.pi * mp.besseli(0, k) * mp.exp(-k)

        def pdf(t, k=k, norm=norm):
            return mp.exp(k * (mp.cos(t) - 1)) / norm

        for q in (0.01, 0.3, 0.7, 0.99):
            x = mp.mpf(float(st.vonmises.ppf(q, kappa)))
            dF = mp.quad(
                lambda t, pdf=pdf, r=ratio: pdf(t) * (mp.cos(t) - r), [-mp.pi, min(x, 0), x]
            )
            rows.append((kappa, float(x), float(-dF / pdf(x))))
    return np.array(rows)


def test_von_mises_partials_match_quadrature(backend, von_mises_reference):
    kappa, x, ref = von_mises_reference.T
    d = rc.VonMises(backend.asarray(np.full_like(x, 0.25)), backend.asarray(kappa))
    got = backend.to_numpy(d.implicit_partials(backend.asarray(x + 0.25))["concentration"])
    # Hill's normal approximation (kappa >= 10.5) limits the accuracy to ~1e-8 at kappa = 30
    tol = np.where(kappa < 10.5, 1e-12, 1e-7)
    assert np.all(np.abs(got / ref - 1) <= tol), np.abs(got / ref - 1)


def test_mixture_mean_identity_and_location_weights(backend):
    loc, scale, w = np.array([-2.0, 0.5, 3.0]), np.array([0.5, 1.0, 0.7]), np.array([0.2, 0.5, 0.3])
    comp = rc.Normal(backend.asarray(loc), backend.asarray(scale))
    d = rc.MixtureSameFamily(comp, mixture_probs=backend.asarray(w))
    _, p = rc.implicit.value_and_partials(d, (40_000,), rng=backend.rng(0))
    got = backend.to_numpy(p["loc"])
    se = got.std(0) / math.sqrt(got.shape[0])
    assert np.all(np.abs(got.mean(0) - w) <= 5 * se)  # d E[X] / d mu_k = w_k
    lg = backend.to_numpy(p["mixture_logits"])
    expected = w * (loc - (w * loc).sum())  # d E[X] / d logit_k
    assert np.all(np.abs(lg.mean(0) - expected) <= 5 * lg.std(0) / math.sqrt(lg.shape[0]))


def test_mixture_cdf_and_log_prob(backend):
    loc, w = np.array([-1.0, 2.0]), np.array([0.4, 0.6])
    d = rc.MixtureSameFamily(rc.Normal(backend.asarray(loc), 1.0), mixture_probs=backend.asarray(w))
    x = np.array([-2.0, 0.3, 2.5])
    ref = sum(wk * st.norm.cdf(x, lk) for wk, lk in zip(w, loc))
    np.testing.assert_allclose(backend.to_numpy(d.cdf(backend.asarray(x))), ref, rtol=1e-10)
    ref = np.log(sum(wk * st.norm.pdf(x, lk) for wk, lk in zip(w, loc)))
    np.testing.assert_allclose(backend.to_numpy(d.log_prob(backend.asarray(x))), ref, rtol=1e-10)


def test_implicit_reparam_matches_closed_form_normal(backend):
    loc, scale = backend.asarray([0.0, 1.0]), backend.asarray([1.0, 3.0])
    z = backend.asarray([[0.3, -2.0], [1.5, 4.0]])
    if backend.has_autodiff:
        d = rc.ImplicitReparam(rc.Normal(loc, scale))
    else:
        with pytest.raises(ValueError, match="cdf_partials"):
            rc.ImplicitReparam(rc.Normal(loc, scale))

        def partials(v):
            w = (v - loc) / scale
            dens = backend.xp.exp(-0.5 * w * w) / math.sqrt(2 * math.pi)
            return {"loc": -dens / scale, "scale": -dens * w / scale}

        d = rc.ImplicitReparam(rc.Normal(loc, scale), cdf_partials=partials)
    p = d.implicit_partials(z)
    ref = (backend.to_numpy(z) - np.array([0.0, 1.0])) / np.array([1.0, 3.0])
    np.testing.assert_allclose(
        backend.to_numpy(p["scale"]), ref, rtol=1e-6 if backend.name == "jax" else 1e-12
    )
    np.testing.assert_allclose(backend.to_numpy(p["loc"]), 1.0, rtol=1e-12)


def test_implicit_reparam_needs_a_cdf():
    class NoCdf(rc.Normal):
        cdf = rc.Distribution.cdf

    with pytest.raises(ValueError, match="no cdf"):
        rc.ImplicitReparam(NoCdf(np.zeros(2), 1.0))


# --- robustness -------------------------------------------------------------------------


def _finite(backend, *arrays):
    return all(np.all(np.isfinite(backend.to_numpy(a))) for a in arrays)


def test_dirichlet_tiny_concentration_float32(backend):
    alpha = backend.asarray([1e-37, 1e-3, 1.0], "float32")
    z, p = rc.implicit.value_and_partials(rc.Dirichlet(alpha), (2000,), rng=backend.rng(0))
    zn = backend.to_numpy(z)
    assert _finite(backend, z, p["concentration"])
    np.testing.assert_allclose(zn.sum(-1), 1.0, rtol=1e-5)
    assert np.mean(zn[:, 0] > 0) < 0.01 and np.mean(zn[:, 2] == 1.0) < 0.99
    if backend.has_autodiff:
        alpha = backend.asarray([1e-37, 1e-3, 1.0], "float32")
        g = backend.grad(
            lambda a: (rc.Dirichlet(a).rsample((2000,), rng=backend.rng(0)) ** 2).sum(), alpha
        )
        assert np.all(np.isfinite(g[0]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_beta_extreme_concentrations(backend, dtype):
    a, b = float(2**16 + 1039), 1.5
    d = rc.Beta(backend.asarray([a, 0.01], dtype), backend.asarray([b, 0.01], dtype))
    z, p = rc.implicit.value_and_partials(d, (4000,), rng=backend.rng(1))
    assert _finite(backend, z, p["concentration1"], p["concentration0"])
    zn = backend.to_numpy(z)
    assert np.mean(zn[:, 1] == 0.5) == 0.0 and np.all((zn >= 0) & (zn <= 1))
    assert abs(zn[:, 0].mean() - a / (a + b)) < 1e-5


@pytest.mark.parametrize("alpha", [1e-4, 1e-3])
def test_gamma_tiny_concentration_low_precision(backend, alpha):
    for dtype in [t for t in backend.float_dtypes if t != "float64"]:
        d = rc.Gamma(backend.asarray([alpha], dtype))
        z, p = rc.implicit.value_and_partials(d, (4000,), rng=backend.rng(2))
        assert _finite(backend, z, p["concentration"]), dtype
        assert np.all(backend.to_numpy(z) >= 0)
        log_z, dlog = _log_space_gamma(backend, alpha)
        assert np.all(np.isfinite(log_z)) and np.all(np.isfinite(dlog))
        # no atoms in log space; float32 rounding of log z allows rare pairs (birthday effect)
        assert np.unique(log_z, return_counts=True)[1].max() <= 2


def _log_space_gamma(backend, alpha):
    from relaxcore.implicit.gamma import log_standard_gamma

    d = rc.Gamma(backend.asarray([alpha], "float32"))
    a = backend.xp.broadcast_to(d.concentration, (4000, 1))
    log_g, dlog = log_standard_gamma(d, a, (4000, 1), backend.rng(3))
    return backend.to_numpy(log_g), backend.to_numpy(dlog)


def test_student_t_tiny_df(backend):
    for dtype in ("float32", "float64"):
        d = rc.StudentT(backend.asarray([0.05], dtype), 0.0, 1.0)
        z, p = rc.implicit.value_and_partials(d, (4000,), rng=backend.rng(4))
        assert _finite(backend, z, p["df"], p["scale"])
        assert len(np.unique(backend.to_numpy(z))) > 3900


# --- closed forms against scipy ------------------------------------------------------------


def test_closed_forms_against_scipy(backend):
    x = np.array([0.05, 0.7, 2.5])
    g = rc.Gamma(backend.asarray([0.5, 2.0, 9.0]), backend.asarray([1.0, 2.0, 0.5]))
    ref = st.gamma([0.5, 2.0, 9.0], scale=[1.0, 0.5, 2.0])
    np.testing.assert_allclose(
        backend.to_numpy(g.log_prob(backend.asarray(x))), ref.logpdf(x), rtol=1e-10
    )
    np.testing.assert_allclose(backend.to_numpy(g.cdf(backend.asarray(x))), ref.cdf(x), rtol=1e-9)
    np.testing.assert_allclose(backend.to_numpy(g.entropy()), ref.entropy(), rtol=1e-10)
    np.testing.assert_allclose(backend.to_numpy(g.variance), ref.var(), rtol=1e-12)

    u = np.array([0.05, 0.4, 0.93])
    b = rc.Beta(backend.asarray([0.5, 2.0, 9.0]), backend.asarray([3.0, 2.0, 0.5]))
    ref = st.beta([0.5, 2.0, 9.0], [3.0, 2.0, 0.5])
    np.testing.assert_allclose(
        backend.to_numpy(b.log_prob(backend.asarray(u))), ref.logpdf(u), rtol=1e-10
    )
    np.testing.assert_allclose(backend.to_numpy(b.cdf(backend.asarray(u))), ref.cdf(u), rtol=1e-10)
    np.testing.assert_allclose(backend.to_numpy(b.entropy()), ref.entropy(), rtol=1e-10)
    np.testing.assert_allclose(backend.to_numpy(b.mean), ref.mean(), rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(b.variance), ref.var(), rtol=1e-12)

    t = rc.StudentT(backend.asarray([0.7, 3.0, 30.0]), 1.0, 2.0)
    ref = st.t([0.7, 3.0, 30.0], 1.0, 2.0)
    np.testing.assert_allclose(
        backend.to_numpy(t.log_prob(backend.asarray(x))), ref.logpdf(x), rtol=1e-10
    )
    np.testing.assert_allclose(backend.to_numpy(t.cdf(backend.asarray(x))), ref.cdf(x), rtol=1e-10)
    np.testing.assert_allclose(backend.to_numpy(t.entropy()), ref.entropy(), rtol=1e-10)

    v = rc.VonMises(backend.asarray([0.3, 0.3]), backend.asarray([2.0, 40.0]))
    np.testing.assert_allclose(
        backend.to_numpy(v.log_prob(backend.asarray([0.9, 0.2]))),
        st.vonmises.logpdf([0.9, 0.2], [2.0, 40.0], loc=0.3),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        backend.to_numpy(v.entropy()), st.vonmises.entropy([2.0, 40.0]), rtol=1e-10
    )
    np.testing.assert_allclose(
        backend.to_numpy(v.cdf(backend.asarray([0.9, 0.2]))),
        st.vonmises.cdf([0.9, 0.2], [2.0, 40.0], loc=0.3),
        rtol=1e-7,
    )

    alpha = np.array([0.5, 2.0, 4.0])
    p = np.array([0.2, 0.3, 0.5])
    dirichlet = rc.Dirichlet(backend.asarray(alpha))
    np.testing.assert_allclose(
        backend.to_numpy(dirichlet.log_prob(backend.asarray(p))),
        st.dirichlet.logpdf(p, alpha),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        backend.to_numpy(dirichlet.entropy()), st.dirichlet.entropy(alpha), rtol=1e-10
    )


def test_kl_divergences_against_torch(backend):
    torch = pytest.importorskip("torch")
    D = torch.distributions
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    a1, a2 = [0.5, 2.0, 7.0], [1.5, 0.3, 7.5]
    got = rc.kl_divergence(rc.Dirichlet(backend.asarray(a1)), rc.Dirichlet(backend.asarray(a2)))
    ref = D.kl_divergence(D.Dirichlet(t(a1)), D.Dirichlet(t(a2)))
    np.testing.assert_allclose(backend.to_numpy(got), ref.numpy(), rtol=1e-10)
    got = rc.kl_divergence(
        rc.Gamma(backend.asarray(a1), backend.asarray(a2)),
        rc.Gamma(backend.asarray(a2), backend.asarray(a1)),
    )
    ref = D.kl_divergence(D.Gamma(t(a1), t(a2)), D.Gamma(t(a2), t(a1)))
    np.testing.assert_allclose(backend.to_numpy(got), ref.numpy(), rtol=1e-10)
    got = rc.kl_divergence(
        rc.Beta(backend.asarray(a1), backend.asarray(a2)),
        rc.Beta(backend.asarray(a2), backend.asarray(a1)),
    )
    ref = D.kl_divergence(D.Beta(t(a1), t(a2)), D.Beta(t(a2), t(a1)))
    np.testing.assert_allclose(backend.to_numpy(got), ref.numpy(), rtol=1e-10)


def test_validation_names_the_argument(backend):
    with pytest.raises(ValueError, match="concentration must be > 0"):
        rc.Gamma(backend.asarray([1.0, -1.0]))
    with pytest.raises(ValueError, match="df must be > 0"):
        rc.StudentT(backend.asarray([0.0]))
    with pytest.raises(ValueError, match="concentration0 must be > 0"):
        rc.Beta(backend.asarray([1.0]), backend.asarray([0.0]))
