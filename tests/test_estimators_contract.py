"""The estimators' contract: the variance objective of REBAR/RELAX is differentiable in eta,
the temperature and the control variate's parameters; torch.func differentiates the
surrogates; inputs are validated with messages that name them; extreme logits give finite
values and gradients."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import BERN_LOGITS, CAT_LOGITS, bern_f, cat_f, jitted

import relaxcore as rc

E = rc.estimators


def _gradient_in_logits(backend, surrogate, logits, create_graph):
    """d sum(surrogate(logits)) / d logits, kept differentiable (torch create_graph)."""
    if backend.name == "torch":
        import torch

        (g,) = torch.autograd.grad(surrogate(logits).sum(), logits, create_graph=create_graph)
        return g
    import jax

    return jax.grad(lambda t: surrogate(t).sum())(logits)


@pytest.mark.parametrize("family", ["categorical", "bernoulli"])
def test_rebar_variance_objective_is_differentiable_in_eta(backend, family):
    """For fixed noise the estimate is linear in eta, g(eta) = A + eta B, so
    d sum(g^2) / d eta = 2 sum(g B) with B = g(1) - g(0)."""
    if not backend.has_autodiff:
        pytest.skip("autodiff")
    xp = backend.xp
    logits, f = (CAT_LOGITS, cat_f(xp)) if family == "categorical" else (BERN_LOGITS, bern_f(xp))

    def estimate(eta, create_graph=False):
        t = backend.asarray(logits, requires_grad=True)

        def surrogate(lg):
            return E.rebar(
                f, lg, temperature=0.6, eta=eta, family=family, n_samples=3, rng=backend.rng(9)
            )

        return _gradient_in_logits(backend, surrogate, t, create_graph)

    run = jitted(backend, estimate)  # JAX: one compilation for both etas
    g0 = backend.to_numpy(run(backend.asarray(0.0)))
    g1 = backend.to_numpy(run(backend.asarray(1.0)))
    eta = 0.4
    g = g0 + eta * (g1 - g0)
    expected = 2 * np.sum(g * (g1 - g0))
    if backend.name == "torch":
        e = backend.asarray(eta, requires_grad=True)
        (d_eta,) = __import__("torch").autograd.grad((estimate(e, True) ** 2).sum(), e)
    else:
        import jax

        d_eta = jax.jit(jax.grad(lambda e: (estimate(e) ** 2).sum()))(backend.asarray(eta))
    np.testing.assert_allclose(backend.to_numpy(d_eta), expected, rtol=1e-8)
    assert abs(expected) > 1e-6


def test_relax_variance_objective_reaches_control_variate_and_temperature(backend):
    if not backend.has_autodiff:
        pytest.skip("autodiff")
    xp, bk = backend.xp, backend.bk
    f = cat_f(xp)

    def estimate(phi, tau, create_graph=False):
        t = backend.asarray(CAT_LOGITS, requires_grad=True)

        def cv(z):
            return phi * f(bk.softmax(z / tau, axis=-1))

        def surrogate(lg):
            return E.relax(f, lg, cv, n_samples=2, rng=backend.rng(10))

        return _gradient_in_logits(backend, surrogate, t, create_graph)

    phi, tau = 0.7, 0.5
    run = jitted(backend, estimate)
    g0 = backend.to_numpy(run(backend.asarray(0.0), backend.asarray(tau)))
    g1 = backend.to_numpy(run(backend.asarray(1.0), backend.asarray(tau)))
    g = g0 + phi * (g1 - g0)
    if backend.name == "torch":
        import torch

        p = backend.asarray(phi, requires_grad=True)
        t = backend.asarray(tau, requires_grad=True)
        d_phi, d_tau = torch.autograd.grad((estimate(p, t, True) ** 2).sum(), (p, t))
    else:
        import jax

        objective = jax.jit(jax.grad(lambda p, t: (estimate(p, t) ** 2).sum(), argnums=(0, 1)))
        d_phi, d_tau = objective(backend.asarray(phi), backend.asarray(tau))
    np.testing.assert_allclose(backend.to_numpy(d_phi), 2 * np.sum(g * (g1 - g0)), rtol=1e-8)
    assert np.isfinite(backend.to_numpy(d_tau)) and backend.to_numpy(d_tau) != 0


def test_torch_func_differentiates_the_surrogates(backend):
    if backend.name != "torch":
        pytest.skip("torch.func")
    import torch
    from torch.func import grad, vmap

    f = cat_f(backend.xp)
    t = backend.asarray(CAT_LOGITS)
    cases = {
        "score_function": lambda lg: E.score_function(f, rc.OneHotCategorical(logits=lg), rng=1),
        "rebar": lambda lg: E.rebar(f, lg, temperature=0.5, rng=1),
        "arsm": lambda lg: E.arsm(f, lg, rng=1),
        "reinmax": lambda lg: f(E.reinmax(lg, temperature=1.5, rng=1)),
        "gumbel_rao": lambda lg: f(E.gumbel_rao(lg, temperature=0.5, n_samples=4, rng=1)),
    }
    for name, fn in cases.items():
        g_func = grad(lambda lg, fn=fn: fn(lg).sum())(t)
        leaf = t.clone().requires_grad_(True)
        (g_eager,) = torch.autograd.grad(fn(leaf).sum(), leaf)
        torch.testing.assert_close(g_func, g_eager, msg=name)
    lg = backend.asarray(np.stack([CAT_LOGITS] * 3))
    fb = bern_f(backend.xp)
    g = vmap(grad(lambda lg: E.disarm(fb, lg[0], rng=2).sum()), randomness="different")(lg)
    assert g.shape == lg.shape and torch.all(torch.isfinite(g))


def test_objective_estimators_validate_their_arguments(backend):
    xp = backend.xp
    f, t = cat_f(xp), backend.asarray(CAT_LOGITS)
    d = rc.OneHotCategorical(logits=t)
    rng = backend.rng(0)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1; got 0"):
        E.score_function(f, d, n_samples=0, rng=rng)
    with pytest.raises(ValueError, match="baseline='loo' needs n_samples >= 2"):
        E.score_function(f, d, baseline="loo", rng=rng)
    with pytest.raises(ValueError, match="baseline must be None, 'mean', 'loo' or an array"):
        E.score_function(f, d, baseline="median", rng=rng)
    with pytest.raises(TypeError, match="dist must be a relaxcore distribution"):
        E.score_function(f, t, rng=rng)
    with pytest.raises(ValueError, match="f must return an array of shape"):
        E.score_function(lambda x: xp.sum(x), d, rng=rng)
    with pytest.raises(ValueError, match="family must be one of"):
        E.rebar(f, t, temperature=0.5, family="poisson", rng=rng)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        E.rebar(f, t, temperature=-1.0, rng=rng)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        E.rebar(f, t, temperature=backend.asarray([0.5, 0.0]), rng=rng)
    with pytest.raises(TypeError, match="control_variate must be a callable"):
        E.relax(f, t, 1.0, rng=rng)
    with pytest.raises(ValueError, match=r"control_variate\(z\) must have the shape"):
        E.relax(f, t, lambda z: xp.sum(z), rng=rng)
    with pytest.raises(ValueError, match="logits must be"):
        E.disarm(bern_f(xp), backend.asarray([0.0, np.nan, 1.0]), rng=rng)
    with pytest.raises(ValueError, match="shape"):
        E.arsm(f, backend.asarray(1.0), rng=rng)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_extreme_logits_give_finite_values_and_gradients(backend, dtype):
    xp = backend.xp
    cat = np.array([[1e4, -1e4, 0.0], [-np.inf, 3.0, -1e4]])
    bern = np.array([1e4, -1e4, -np.inf])
    f, fb = cat_f(xp), bern_f(xp)
    rng = backend.rng(4)
    cases = [
        (cat, lambda t: E.score_function(f, rc.OneHotCategorical(logits=t), n_samples=4, rng=rng)),
        (bern, lambda t: E.score_function(fb, rc.Bernoulli(logits=t), n_samples=4, rng=rng)),
        (cat, lambda t: E.rebar(f, t, temperature=1e-3, n_samples=4, rng=rng)),
        (
            bern,
            lambda t: E.rebar(fb, t, temperature=1e-3, family="bernoulli", n_samples=4, rng=rng),
        ),
        (bern, lambda t: E.disarm(fb, t, n_samples=4, rng=rng)),
        (cat, lambda t: E.arsm(f, t, n_samples=4, rng=rng)),
        (cat, lambda t: f(E.reinmax(t, temperature=1e-3, rng=rng))),
        (cat, lambda t: f(E.gapped_straight_through(t, temperature=1e-3, rng=rng))),
        (cat, lambda t: f(E.gumbel_rao(t, temperature=1e-3, n_samples=3, rng=rng))),
        (cat, lambda t: xp.sum(E.perturbed_argmax(t, n_samples=5, rng=rng), axis=-1)),
    ]
    if backend.name == "jax":
        if dtype == "float64":
            pytest.skip("the float32 trace covers JAX (each case compiles once per dtype)")
        cases = [cases[i] for i in (2, 3, 4, 6, 8)]  # one per distinct primitive path
    for i, (logits, fn) in enumerate(cases):
        t = backend.asarray(logits, dtype=dtype)
        if backend.name == "jax":
            import jax

            value, g = jax.jit(jax.value_and_grad(lambda lg, fn=fn: xp.sum(fn(lg))))(t)
            assert np.isfinite(float(value)) and np.all(np.isfinite(backend.to_numpy(g))), i
            continue
        assert np.all(np.isfinite(backend.to_numpy(fn(t)))), i
        if backend.has_autodiff:
            g = backend.grad(lambda lg, fn=fn: xp.sum(fn(lg)), t)[0]
            assert np.all(np.isfinite(g)), (i, g)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_keeps_its_dtype_and_stays_finite(backend, dtype):
    if backend.name != "torch":
        pytest.skip("half precision with gradients: torch (JAX runs the same code)")
    xp = backend.xp
    f, fb = cat_f(xp), bern_f(xp)
    cases = [
        (CAT_LOGITS, lambda t: E.score_function(f, rc.OneHotCategorical(logits=t), rng=1)),
        (CAT_LOGITS, lambda t: E.rebar(f, t, temperature=0.5, rng=1)),
        (BERN_LOGITS, lambda t: E.disarm(fb, t, rng=1)),
        (CAT_LOGITS, lambda t: E.arsm(f, t, rng=1)),
        (CAT_LOGITS, lambda t: E.reinmax(t, rng=1)),
        (CAT_LOGITS, lambda t: E.gumbel_rao(t, temperature=0.5, n_samples=3, rng=1)),
        (CAT_LOGITS, lambda t: E.perturbed_argmax(t, rng=1)),
    ]
    for i, (logits, fn) in enumerate(cases):
        t = backend.asarray(logits, dtype=dtype, requires_grad=True)
        out = fn(t)
        assert out.dtype == t.dtype, (i, out.dtype)
        out.float().sum().backward()
        assert bool(xp.all(xp.isfinite(out))) and bool(xp.all(xp.isfinite(t.grad))), i
