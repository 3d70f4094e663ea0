"""Distributions built inside ``jax.jit`` from arrays captured in a closure: the parameters
are concrete, but every reduction on them is staged into the trace, so the "surely valid"
fast paths must not ask a tracer for its truth value (TracerBoolConversionError before)."""

import numpy as np
import pytest

import relaxcore as rc

LOGITS = [0.1, 0.5, -1.0]


@pytest.mark.parametrize(
    "make",
    [
        lambda l: rc.RelaxedOneHotCategorical(0.5, logits=l),
        lambda l: rc.RelaxedBernoulli(0.5, logits=l),
        lambda l: rc.LogitRelaxedBernoulli(0.5, logits=l),
        lambda l: rc.ExpRelaxedOneHotCategorical(0.5, logits=l),
        lambda l: rc.HardConcrete(0.5, logits=l),
        lambda l: rc.Bernoulli(logits=l),
        lambda l: rc.OneHotCategorical(logits=l),
    ],
    ids=lambda f: "",
)
def test_closure_constants_under_jit_equal_eager(make):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    logits = jnp.asarray(LOGITS)

    def f(key):
        d = make(logits)
        x = d.sample(rng=key)
        return x, d.log_prob(x)

    key = jax.random.key(3)
    (x_jit, lp_jit), (x, lp) = jax.jit(f)(key), f(key)
    np.testing.assert_allclose(np.asarray(x_jit), np.asarray(x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(lp_jit), np.asarray(lp), rtol=1e-5, atol=1e-6)
