"""Defects found re-checking the Reliability issue (items 1-12) on every backend; each
test failed before its fix (or is marked xfail where the fix is not small)."""

import math

import numpy as np
import pytest
import scipy.stats as st

import relaxcore as rc


def _mixture_ref(x, a):
    """log of the equal-weight mixture of Gamma(a_k) densities, by SciPy."""
    return np.log(np.mean([st.gamma.pdf(x, ak) for ak in a], axis=0))


A = np.array([[0.5, 2.0], [2.0, 3.0]])  # batch 2, K = 2


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_mixture_log_prob_scalar_value_batched_numpy(value):
    # a scalar value against a batched mixture: at 0 a component density is +inf, which
    # took the safe-point path and broadcast the (2, 2) mean to the value's (1,) shape
    m = rc.MixtureSameFamily(rc.Gamma(A), mixture_logits=np.zeros(2))
    got = m.log_prob(value)
    with np.errstate(divide="ignore"):
        ref = np.array([_mixture_ref(value, a) for a in A])
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_mixture_log_prob_scalar_value_batched_torch():
    torch = pytest.importorskip("torch")
    m = rc.MixtureSameFamily(rc.Gamma(torch.tensor(A)), mixture_logits=torch.zeros(2, dtype=torch.float64))
    got = m.log_prob(0.0).numpy()
    assert got[0] == math.inf and got[1] == -math.inf  # Gamma(0.5) density is +inf at 0
    got = m.log_prob(torch.tensor(1.0, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, [_mixture_ref(1.0, a) for a in A], rtol=1e-12)


def test_mixture_log_prob_scalar_value_batched_jax_jit():
    # under jax.jit the safe-point path always runs: every lower-rank value crashed
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    a = jnp.asarray(A, dtype=jnp.float32)
    f = jax.jit(lambda v: rc.MixtureSameFamily(rc.Gamma(a), mixture_logits=jnp.zeros(2)).log_prob(v))
    got = np.asarray(f(1.0))
    np.testing.assert_allclose(got, [_mixture_ref(1.0, a) for a in A], rtol=1e-5)
