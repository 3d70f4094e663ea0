"""The JAX backend's Gamma sampler (Marsaglia-Tsang, fixed masked rounds) against scipy."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402
from relaxcore.backends import jax as bk  # noqa: E402
from scipy import stats  # noqa: E402

import relaxcore as rc  # noqa: E402

N = 20_000
P_MIN = 1e-3


@jax.jit
def _draw32(key, alpha):
    return bk.standard_gamma(key, alpha, (N,), jnp.float32)


@jax.jit
def _draw64(key, alpha):
    return bk.standard_gamma(key, alpha, (N,), jnp.float64)


DRAW = {"float32": _draw32, "float64": _draw64}


def _check_gamma(z, alpha):
    z = np.asarray(z, dtype=np.float64)
    assert np.all(np.isfinite(z)) and np.all(z >= 0.0)
    assert stats.kstest(z, stats.gamma(alpha).cdf).pvalue > P_MIN
    # Gamma(alpha, 1): mean alpha, variance alpha, fourth central moment 3 alpha (alpha + 2)
    assert abs(z.mean() - alpha) < 5.0 * np.sqrt(alpha / N)
    var_se = np.sqrt((3.0 * alpha * (alpha + 2.0) - alpha**2) / N)
    assert abs(z.var() - alpha) < 5.0 * var_se


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("alpha", [1.0, 1.5, 7.0, 300.0])
def test_matches_scipy_gamma(alpha, dtype):
    z = DRAW[dtype](jax.random.key(11), jnp.asarray(alpha, dtype=dtype))
    assert z.dtype == jnp.dtype(dtype) and z.shape == (N,)
    _check_gamma(z, alpha)


@pytest.mark.parametrize("alpha", [0.01, 0.3])
def test_alpha_below_one_boosted_inside(alpha):
    """standard_gamma itself is exact below 1 (float64 keeps Gamma(0.01) above underflow)."""
    _check_gamma(_draw64(jax.random.key(12), jnp.float64(alpha)), alpha)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("alpha", [0.01, 0.3])
def test_core_gamma_log_space_boost(alpha, dtype):
    """rc.Gamma(alpha < 1) boosts to alpha + 1 in the core; compare log z (no underflow)."""
    dist = rc.Gamma(jnp.asarray(alpha, dtype=dtype))
    z = np.asarray(dist.rsample((N,), rng=jax.random.key(13)), dtype=np.float64)
    if dtype == "float64":
        _check_gamma(z, alpha)
    # log z > log(smallest normal) keeps its value in float32; below it z is flushed
    log_z = np.log(z[z > np.finfo(dtype).smallest_normal])
    cut = np.log(np.finfo(dtype).smallest_normal)
    ref = stats.gamma(alpha)
    p_cut = ref.cdf(np.exp(cut))
    cdf = lambda t: (ref.cdf(np.exp(t)) - p_cut) / (1.0 - p_cut)  # noqa: E731
    assert stats.kstest(log_z, cdf).pvalue > P_MIN


def test_tail_loop_is_the_same_chain():
    """Extra rounds in the while_loop continue the fixed rounds' key chain: with no fixed
    rounds at all the samples agree (to rounding: XLA fuses the loop body differently), so
    the exact tail is tested at full size."""
    key, alpha = jax.random.key(14), jnp.float32(1.0)
    fixed = _draw32(key, alpha)
    rounds = bk._GAMMA_ROUNDS
    try:
        bk._GAMMA_ROUNDS = 0
        tail_only = jax.jit(lambda k, a: bk.standard_gamma(k, a, (N,), jnp.float32))(key, alpha)
    finally:
        bk._GAMMA_ROUNDS = rounds
    np.testing.assert_allclose(np.asarray(fixed), np.asarray(tail_only), rtol=1e-4)


def test_vmap_and_jit_match_single_draws():
    keys = jax.random.split(jax.random.key(15), 3)
    alphas = jnp.asarray([0.5, 1.5, 40.0], dtype=jnp.float32)
    batched = jax.jit(jax.vmap(lambda k, a: bk.standard_gamma(k, a, (N,), jnp.float32)))
    out = batched(keys, alphas)
    assert out.shape == (3, N)
    for i, a in enumerate([0.5, 1.5, 40.0]):
        np.testing.assert_allclose(out[i], _draw32(keys[i], alphas[i]), rtol=1e-4)
        _check_gamma(out[i], a)


def test_same_key_same_samples_elementwise_alpha():
    alpha = jnp.asarray([[1.0], [3.0], [9.0]], dtype=jnp.float64)
    a = bk.standard_gamma(jax.random.key(16), alpha, (3, 5), jnp.float64)
    b = bk.standard_gamma(jax.random.key(16), alpha, (3, 5), jnp.float64)
    c = bk.standard_gamma(jax.random.key(17), alpha, (3, 5), jnp.float64)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.any(np.asarray(a) == np.asarray(c))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_computed_in_float32(dtype):
    z = bk.standard_gamma(jax.random.key(18), 4.0, (1000,), dtype)
    assert z.dtype == jnp.dtype(dtype)
    z = np.asarray(z, dtype=np.float64)
    assert np.all(np.isfinite(z)) and abs(z.mean() - 4.0) < 5.0 * np.sqrt(4.0 / 1000)


def test_invalid_concentration_gives_nan():
    alpha = jnp.asarray([0.0, -1.0, jnp.nan, 2.0], dtype=jnp.float32)
    z = np.asarray(bk.standard_gamma(jax.random.key(19), alpha, (4,), jnp.float32))
    assert np.all(np.isnan(z[:3])) and np.isfinite(z[3])
