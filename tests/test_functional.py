"""relaxcore.functional: the classes' samples without a constructor, on every backend.

Values against the classes' rsample for the same seed and against the NumPy references of
tests/_relaxed.py from the same noise; gradients at extreme logits and temperatures;
half precision; straight-through; validation messages and the NaN policy when off.
"""

from __future__ import annotations

import numpy as np
import pytest

import relaxcore as rc
import relaxcore.functional as RF
from tests._relaxed import binary_concrete, gumbel_softmax

LOGITS = np.array([[0.3, -1.2, 2.0, 0.0], [1.5, 0.2, -0.7, -3.0], [0.0, 0.0, 0.0, 0.0]])


def _draws(backend, fn, cls, *args, n=3):
    """(functional, class) samples for the seeds 0..n-1 (JAX: keys), eagerly (under JAX,
    cheaper than compiling both samplers: eager operations share compiled kernels)."""
    pairs = [(fn(backend.rng(s), *args), cls(*args).rsample(rng=backend.rng(s))) for s in range(n)]
    return [backend.to_numpy(a) for a, _ in pairs], [backend.to_numpy(b) for _, b in pairs]


def _grad(backend, f, *args):
    """backend.grad, compiled once under JAX (jit of grad)."""
    if backend.name != "jax":
        return backend.grad(f, *args)
    import jax

    grads = jax.jit(jax.grad(f, argnums=tuple(range(len(args)))))(*args)
    return [backend.to_numpy(g) for g in grads]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_values_equal_the_classes_for_the_same_seed(backend, dtype):
    lg = backend.asarray(LOGITS, dtype)
    tau = backend.asarray([0.5, 1.0, 2.0], dtype)
    cases = [  # (functional, class), each a function of (rng, logits, temperature array)
        (
            lambda r, x, t: RF.gumbel_softmax(x, 0.5, rng=r),
            lambda x, t: rc.RelaxedOneHotCategorical(0.5, logits=x),
        ),
        (
            lambda r, x, t: RF.gumbel_softmax(x, t, rng=r),
            lambda x, t: rc.RelaxedOneHotCategorical(t, logits=x),
        ),
        (
            lambda r, x, t: RF.gumbel_softmax(x, 0.5, hard=True, rng=r),
            lambda x, t: rc.RelaxedOneHotCategoricalStraightThrough(0.5, logits=x),
        ),
        (
            lambda r, x, t: RF.relaxed_bernoulli(x, 0.7, rng=r),
            lambda x, t: rc.RelaxedBernoulli(0.7, logits=x),
        ),
    ]
    # equal on numpy and torch; XLA may divide by a constant as a product with its inverse,
    # an ulp that the sigmoid of a large argument can magnify
    eps = np.finfo(dtype).eps
    for fn, cls in cases:
        got, want = _draws(backend, fn, cls, lg, tau)
        np.testing.assert_allclose(got, want, rtol=16 * eps, atol=0)
    # the stretch (high - low) is rounded once in the class, in double here: a few ulps
    got, want = _draws(
        backend,
        lambda r, x, t: RF.hard_concrete(x, 0.4, limits=(-0.2, 1.3), rng=r),
        lambda x, t: rc.HardConcrete(0.4, logits=x, low=-0.2, high=1.3),
        lg,
        tau,
    )
    np.testing.assert_allclose(got, want, rtol=0, atol=4 * eps)
    assert any(np.any(g == 0) for g in got) and any(np.any(g == 1) for g in got)


def test_values_match_the_reference_formulas_from_the_same_noise():
    """NumPy: the generator's uniforms through tests/_relaxed.py (no relaxcore code)."""
    u = np.random.default_rng(5).random(LOGITS.shape)
    np.testing.assert_allclose(
        RF.gumbel_softmax(LOGITS, 0.5, rng=5), gumbel_softmax(u, LOGITS, 0.5), rtol=1e-13
    )
    np.testing.assert_allclose(
        RF.relaxed_bernoulli(LOGITS, 0.5, rng=5), binary_concrete(u, LOGITS, 0.5), rtol=1e-13
    )
    s = binary_concrete(u, LOGITS, 2 / 3) * 1.2 - 0.1
    np.testing.assert_allclose(RF.hard_concrete(LOGITS, rng=5), np.clip(s, 0, 1), rtol=1e-13)


def test_dim_selects_the_categories_axis(backend):
    lg = backend.asarray(np.stack([LOGITS, -LOGITS]).transpose(0, 2, 1))  # categories on axis 1
    tau = backend.asarray([[0.5, 1.0, 2.0], [1.0, 1.0, 3.0]])  # batch (2, 3): axes 0 and 2
    for hard in (False, True):
        z = backend.to_numpy(RF.gumbel_softmax(lg, tau, hard=hard, dim=1, rng=backend.rng(1)))
        assert z.shape == (2, 4, 3)
        np.testing.assert_allclose(z.sum(axis=1), 1.0, rtol=1e-12)
        assert np.all((z == 0) | (z == 1)) == hard


def test_dim_values_match_the_reference_on_moved_axes():
    lg = np.stack([LOGITS, -LOGITS]).transpose(0, 2, 1)  # (2, 4, 3), categories on axis 1
    tau = np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 3.0]])
    u = np.random.default_rng(7).random(lg.shape)
    want = gumbel_softmax(u.transpose(0, 2, 1), lg.transpose(0, 2, 1), tau).transpose(0, 2, 1)
    np.testing.assert_allclose(RF.gumbel_softmax(lg, tau, dim=-2, rng=7), want, rtol=1e-13)


def test_hard_is_one_hot_with_the_soft_gradient(backend):
    lg = backend.asarray(LOGITS)
    w = backend.asarray(np.arange(12.0).reshape(3, 4) - 5)
    z = backend.to_numpy(RF.gumbel_softmax(lg, 0.3, hard=True, rng=backend.rng(4)))
    assert np.all((z == 0) | (z == 1)) and np.all(z.sum(-1) == 1)
    b = backend.to_numpy(RF.relaxed_bernoulli(lg, 0.3, hard=True, rng=backend.rng(4)))
    assert np.all((b == 0) | (b == 1))
    if not backend.has_autodiff:
        return
    for fn in (RF.gumbel_softmax, RF.relaxed_bernoulli):
        (hard,) = _grad(
            backend, lambda x, f=fn: (w * f(x, 1.0, hard=True, rng=backend.rng(4))).sum(), lg
        )
        (soft,) = _grad(backend, lambda x, f=fn: (w * f(x, 1.0, rng=backend.rng(4))).sum(), lg)
        np.testing.assert_allclose(hard, soft, rtol=1e-12)
        assert np.abs(soft).max() > 0.05


@pytest.mark.parametrize("fn", ["gumbel_softmax", "relaxed_bernoulli", "hard_concrete"])
def test_gradients_finite_at_extreme_logits_and_temperature(backend, fn):
    if not backend.has_autodiff:
        pytest.skip(f"{backend.name} has no autodiff")
    f = getattr(RF, fn)
    rows = [[1e4, -1e4, 0.0, 1e4], [-1e4, -1e4, 1e4, 3.0]]
    lg = backend.asarray(rows + rows, "float32")
    taus = [1e-3, 1e-3, 1e3, 1e3]  # per row
    tau = backend.asarray(taus if fn == "gumbel_softmax" else [[t] for t in taus], "float32")
    for kw in ({}, {"hard": True}) if fn != "hard_concrete" else ({},):
        g_l, g_t = _grad(
            backend, lambda x, t, kw=kw: (f(x, t, rng=backend.rng(0), **kw) ** 2).sum(), lg, tau
        )
        assert np.all(np.isfinite(g_l)) and np.all(np.isfinite(g_t)), kw
        assert np.any(g_l != 0), kw


def test_masked_categories_keep_the_temperature_gradient_finite(backend):
    if not backend.has_autodiff:
        pytest.skip(f"{backend.name} has no autodiff")
    lg = backend.asarray([[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf]])
    masked = backend.to_numpy(lg) == -np.inf
    for f in (RF.gumbel_softmax, RF.relaxed_bernoulli, RF.hard_concrete):
        z = f(lg, backend.asarray(0.5), rng=backend.rng(0))
        assert np.all(backend.to_numpy(z)[masked] == 0)
        g = _grad(
            backend,
            lambda x, t, f=f: (f(x, t, rng=backend.rng(0)) ** 2).sum(),
            lg,
            backend.asarray(0.5),
        )
        assert np.all(np.isfinite(g[1])) and np.all(np.isfinite(g[0])), f.__name__


def test_half_precision_is_finite_and_keeps_its_dtype(backend):
    for dtype in backend.float_dtypes:
        lg = backend.asarray([[1e4, -1e4, 0.0], [0.1, 0.2, 0.3]], dtype)
        for f, kw in (
            (RF.gumbel_softmax, {}),
            (RF.gumbel_softmax, {"hard": True}),
            (RF.relaxed_bernoulli, {}),
            (RF.hard_concrete, {}),
        ):
            z = f(lg, 1e-3, rng=backend.rng(0), **kw)
            assert z.dtype == lg.dtype, (dtype, f.__name__)
            assert np.all(np.isfinite(backend.to_numpy(z))), (dtype, f.__name__)


def test_integer_logits_are_promoted(backend):
    lg = backend.xp.asarray([[1, 2, 3]])
    z = RF.gumbel_softmax(lg, 1.0, rng=backend.rng(0))
    assert z.dtype == backend.bk.default_float_dtype()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda lg, b: RF.gumbel_softmax(lg, 0.0), "temperature must be > 0; got 0.0"),
        (lambda lg, b: RF.gumbel_softmax(lg, b.asarray([1.0, -1.0, 1.0])), "temperature must"),
        (lambda lg, b: RF.gumbel_softmax(lg * np.nan, 1.0), "logits must be real numbers or -inf"),
        (lambda lg, b: RF.gumbel_softmax(lg - np.inf, 1.0), "at least one category"),
        (lambda lg, b: RF.gumbel_softmax(lg, 1.0, dim=2), "dim must be in"),
        (lambda lg, b: RF.relaxed_bernoulli(lg * np.nan, 1.0), "logits must be a real number"),
        (lambda lg, b: RF.relaxed_bernoulli(lg, -2), "temperature must be > 0"),
        (lambda lg, b: RF.hard_concrete(lg, limits=(0.1, 1.1)), r"limits\[0\] must be < 0"),
        (lambda lg, b: RF.hard_concrete(lg, limits=(-0.1, 0.9)), r"limits\[1\] must be > 1"),
        (lambda lg, b: RF.hard_concrete(lg * np.nan), "log_alpha must be a real number"),
    ],
)
def test_validation_names_the_argument_and_range(backend, call, match):
    lg = backend.asarray(LOGITS)
    with pytest.raises(ValueError, match=match):
        call(lg, backend)


def test_invalid_arguments_give_nan_without_validation(backend):
    lg = backend.asarray(LOGITS)
    bad = backend.asarray([[0.3, np.nan, 2.0, 0.0], [1.5, 0.2, -0.7, -3.0], [0.0] * 4])
    z = backend.to_numpy(RF.gumbel_softmax(bad, 0.5, rng=backend.rng(0), validate_args=False))
    assert np.all(np.isnan(z[0])) and np.all(np.isfinite(z[1:]))
    tau = backend.asarray([0.5, -1.0, 1.0])
    z = backend.to_numpy(RF.gumbel_softmax(lg, tau, rng=backend.rng(0), validate_args=False))
    assert not np.all(np.isfinite(z[1]))


def test_argument_types_are_checked():
    import torch

    with pytest.raises(TypeError, match="logits must be an array"):
        RF.gumbel_softmax([0.0, 1.0], 1.0)
    with pytest.raises(TypeError, match="temperature is a torch array but the logits are numpy"):
        RF.relaxed_bernoulli(LOGITS, torch.tensor(1.0))


def test_jax_jit_skips_validation_and_matches_eager():
    jax = pytest.importorskip("jax")
    lg, key = jax.numpy.asarray(LOGITS), jax.random.key(3)
    for f in (RF.gumbel_softmax, RF.relaxed_bernoulli, RF.hard_concrete):
        jitted = jax.jit(lambda x, t, k, f=f: f(x, t, rng=k))
        np.testing.assert_allclose(jitted(lg, 0.5, key), f(lg, 0.5, rng=key), rtol=1e-12)
        assert np.all(np.isnan(jitted(lg * np.nan, 0.5, key)))
