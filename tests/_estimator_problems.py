"""The small problems the estimator tests share, with their exact gradients by enumeration
(itertools + NumPy, independent of the library)."""

from __future__ import annotations

import itertools

import numpy as np

CAT_LOGITS = np.array([[0.3, -0.5, 1.1], [-1.0, 0.4, 0.2]])  # 2 variables, 3 categories
BERN_LOGITS = np.array([0.5, -1.2, 2.0])  # 3 Bernoulli variables
W0, W1 = np.array([1.0, -2.0, 0.5]), np.array([0.7, 1.5, -1.0])


def cat_f(xp):
    """A nonlinear loss of two one-hot (or relaxed) rows: x (..., 2, 3) -> (...)."""
    w0, w1 = xp.asarray(W0), xp.asarray(W1)

    def f(x):
        a = xp.sum(x[..., 0, :] * xp.astype(w0, x.dtype), axis=-1)
        c = xp.sum(x[..., 1, :] * xp.astype(w1, x.dtype), axis=-1)
        return (a - c + 0.3) ** 2 + 0.5 * a * c + xp.exp(0.3 * a)

    return f


def bern_f(xp):
    """A nonlinear loss of three bits (or values in (0, 1)): b (..., 3) -> (...)."""

    def f(b):
        s = b[..., 0] + 2.0 * b[..., 1] - 1.5 * b[..., 2] - 0.3
        return s**2 + 0.8 * b[..., 0] * b[..., 2] + 0.5 * b[..., 1]

    return f


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def exact_categorical_gradient(logits=CAT_LOGITS):
    """E[f] and d E[f] / d logits: sum over the 9 configurations of p(x) f(x) score(x)."""
    f = cat_f(np)
    p = _softmax(logits)
    value, grad = 0.0, np.zeros_like(logits)
    for i, j in itertools.product(range(3), repeat=2):
        x = np.zeros((2, 3))
        x[0, i] = x[1, j] = 1.0
        mass = p[0, i] * p[1, j]
        value += mass * f(x)
        grad += mass * f(x) * (x - p)
    return value, grad


def exact_bernoulli_gradient(logits=BERN_LOGITS):
    """E[f] and d E[f] / d logits over the 8 configurations."""
    f = bern_f(np)
    p = 1 / (1 + np.exp(-logits))
    value, grad = 0.0, np.zeros_like(logits)
    for bits in itertools.product((0.0, 1.0), repeat=3):
        b = np.array(bits)
        mass = np.prod(np.where(b == 1, p, 1 - p))
        value += mass * f(b)
        grad += mass * f(b) * (b - p)
    return value, grad


def replicated(backend, logits, n):
    """`logits` repeated along a new leading axis: one independent gradient draw per row."""
    return backend.asarray(np.broadcast_to(logits, (n, *logits.shape)).copy())


def assert_unbiased(draws, exact, z=5.0):
    """Every coordinate of the mean of the draws within `z` standard errors of `exact`."""
    draws = np.asarray(draws)
    mean = draws.mean(0)
    se = draws.std(0, ddof=1) / np.sqrt(len(draws))
    worst = np.max(np.abs(mean - exact) / se)
    assert worst < z, f"mean {mean} vs exact {exact}: {worst:.1f} standard errors (se {se})"
    return se


def gradient_draws(backend, surrogate, logits):
    """Per-row gradients of ``sum(surrogate(logits))`` (one independent draw per row), as
    NumPy; JAX under ``jit`` (which also checks that the estimators trace)."""
    xp = backend.xp
    if backend.name == "jax":
        import jax

        return backend.to_numpy(jax.jit(jax.grad(lambda lg: xp.sum(surrogate(lg))))(logits))
    return backend.grad(lambda lg: xp.sum(surrogate(lg)), logits)[0]


def jitted(backend, fn):
    """`fn` under ``jax.jit`` for JAX (one compilation instead of one per eager op)."""
    if backend.name == "jax":
        import jax

        return jax.jit(fn)
    return fn


def grads(backend, fn, *args):
    """NumPy gradients of the scalar ``fn(*args)`` w.r.t. every arg; JAX under ``jit``."""
    if backend.name == "jax":
        import jax

        out = jax.jit(jax.grad(fn, argnums=tuple(range(len(args)))))(*args)
        return [backend.to_numpy(g) for g in out]
    return backend.grad(fn, *args)
