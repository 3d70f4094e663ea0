"""RELAX and REBAR per sample: the gradient of the surrogate equals the paper's estimator
(Grathwohl et al. 2018, Algorithm 2; Tucker et al. 2017, eq. 5) evaluated by hand at the very
perturbations the estimator used (z, the conditional z~ and b = H(z), captured from the
calls of `f` and of the control variate), with the derivatives of z and z~ in the logits
written from the conditional-Gumbel / conditional-logistic formulas; and REBAR is RELAX with
the control variate eta * f(squash(z / temperature)) (same rng, same numbers)."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import BERN_LOGITS, CAT_LOGITS, bern_f, cat_f, grads

import relaxcore as rc

E = rc.estimators
N = 6  # samples per call (the reference is exact per sample: a few are enough)
A_CAT = np.array([[0.7, -1.3, 0.4], [0.2, 0.9, -0.6]])  # the linear control variate
A_BERN = np.array([0.8, -0.5, 1.2])


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _linear_cv(backend, a, axes):
    xp = backend.xp
    w = backend.asarray(a)
    return lambda z: xp.sum(z * xp.astype(w, z.dtype), axis=axes)


def _captured(backend, family, logits, f, cv, seed):
    """The hard samples and the perturbations (z, z~) of one call, as NumPy arrays."""
    seen = {"b": [], "z": []}
    stop = backend.bk.stop_gradient

    def f_seen(b):
        seen["b"].append(backend.to_numpy(stop(b)))
        return f(b)

    def cv_seen(z):
        seen["z"].append(backend.to_numpy(stop(z)))
        return cv(z)

    E.relax(
        f_seen, backend.asarray(logits), cv_seen, family=family, n_samples=N, rng=backend.rng(seed)
    )
    (b,), (z, z_tilde) = seen["b"], seen["z"]  # relax calls cv at z, then at z~
    return b, z, z_tilde


def _reference_categorical(logits, f, a, b, z, z_tilde):
    p = _softmax(logits)
    fb = f(b)
    c_tilde = np.sum(z_tilde * a, axis=(-2, -1))
    score = b - p  # d log p(b) / d logits
    # z = log softmax(logits) + g: dz_k / dlogit_j = delta_kj - p_j
    grad_cz = a - p * a.sum(-1, keepdims=True)
    # z~_j = -log(E_j / p_j + E_b) (j != b), z~_b = -log E_b: dz~_j / dlog p_j = 1 - e^(z~_j - z~_b)
    zb = np.sum(b * z_tilde, axis=-1, keepdims=True)
    r = np.where(b > 0, 0.0, 1.0 - np.exp(z_tilde - zb))
    grad_ctilde = a * r - p * np.sum(a * r, axis=-1, keepdims=True)
    per_sample = (fb - c_tilde)[:, None, None] * score + grad_cz - grad_ctilde
    return per_sample.mean(0)


def _reference_bernoulli(logits, f, a, b, z, z_tilde):
    p = 1 / (1 + np.exp(-logits))
    fb = f(b)
    c_tilde = np.sum(z_tilde * a, axis=-1)
    score = b - p
    u_cond = 1 / (1 + np.exp(-(z_tilde - logits)))  # the conditional uniform u'
    # b = 1: u' = 1 - p (1 - v); b = 0: u' = (1 - p) v; z~ = logits + logit(u')
    dz_tilde = np.where(b > 0, 1 - (1 - p) / u_cond, 1 - p / (1 - u_cond))
    per_sample = (fb - c_tilde)[:, None] * score + a - a * dz_tilde
    return per_sample.mean(0)


@pytest.mark.parametrize("family", ["categorical", "bernoulli"])
def test_relax_gradient_is_the_papers_estimator_at_the_same_draws(backend, family):
    if backend.name == "jax" and family == "bernoulli":
        pytest.skip("JAX: the categorical case covers the shared code (eager JAX is slow)")
    if not backend.has_autodiff:
        pytest.skip("RELAX differentiates the control variate: torch and JAX")
    xp = backend.xp
    cat = family == "categorical"
    logits, a = (CAT_LOGITS, A_CAT) if cat else (BERN_LOGITS, A_BERN)
    f = cat_f(xp) if cat else bern_f(xp)
    cv = _linear_cv(backend, a, (-2, -1) if cat else (-1,))
    b, z, z_tilde = _captured(backend, family, logits, f, cv, seed=21)
    # the captured perturbations are consistent with the sample
    if cat:
        np.testing.assert_array_equal(np.argmax(z, -1), np.argmax(b, -1))
        np.testing.assert_array_equal(np.argmax(z_tilde, -1), np.argmax(b, -1))
    else:
        np.testing.assert_array_equal(z > 0, b > 0)
        np.testing.assert_array_equal(z_tilde > 0, b > 0)
    (g,) = grads(
        backend,
        lambda t: E.relax(f, t, cv, family=family, n_samples=N, rng=backend.rng(21)),
        backend.asarray(logits),
    )
    ref = (_reference_categorical if cat else _reference_bernoulli)(
        logits, (cat_f if cat else bern_f)(np), a, b, z, z_tilde
    )
    np.testing.assert_allclose(g, ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("family", ["categorical", "bernoulli"])
def test_rebar_is_relax_with_the_concrete_control_variate(backend, family):
    if backend.name == "jax" and family == "bernoulli":
        pytest.skip("JAX: the categorical case covers the shared code (eager JAX is slow)")
    if not backend.has_autodiff:
        pytest.skip("REBAR differentiates f: torch and JAX")
    xp, bk = backend.xp, backend.bk
    cat = family == "categorical"
    logits, f = (CAT_LOGITS, cat_f(xp)) if cat else (BERN_LOGITS, bern_f(xp))
    eta, tau = 0.7, 0.4
    squash = (lambda s: bk.softmax(s, axis=-1)) if cat else bk.sigmoid

    def via_relax(t):
        cv = lambda z: eta * f(squash(z / tau))  # noqa: E731
        return E.relax(f, t, cv, family=family, n_samples=N, rng=backend.rng(22))

    def via_rebar(t):
        return E.rebar(
            f, t, temperature=tau, eta=eta, family=family, n_samples=N, rng=backend.rng(22)
        )

    t = backend.asarray(logits)
    np.testing.assert_allclose(
        backend.to_numpy(via_rebar(t)), backend.to_numpy(via_relax(t)), rtol=1e-12
    )
    np.testing.assert_allclose(
        grads(backend, via_rebar, t)[0], grads(backend, via_relax, t)[0], rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("family", ["categorical", "bernoulli"])
def test_relax_returns_the_logits_dtype_for_half_precision(backend, family):
    """The control variate sees z in float32 (the compute dtype) and returns float32; the
    surrogate still comes back in the logits' dtype, as every other estimator's does."""
    if backend.name != "torch":
        pytest.skip("half precision with gradients: torch (JAX runs the same code)")
    xp = backend.xp
    cat = family == "categorical"
    logits, f = (CAT_LOGITS, cat_f(xp)) if cat else (BERN_LOGITS, bern_f(xp))
    cv = _linear_cv(backend, A_CAT if cat else A_BERN, (-2, -1) if cat else (-1,))
    for dtype in ("float16", "bfloat16"):
        t = backend.asarray(logits, dtype, requires_grad=True)
        out = E.relax(f, t, cv, family=family, n_samples=N, rng=backend.rng(23))
        assert out.dtype == t.dtype, (dtype, out.dtype)
        out.float().sum().backward()
        assert bool(xp.all(xp.isfinite(t.grad)))
