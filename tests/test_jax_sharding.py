"""Scale-out through JAX's own engine: logits sharded over a batch axis on two host devices."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax not installed")

SCRIPT = textwrap.dedent(
    """
    import jax, jax.numpy as jnp, numpy as np
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    import relaxcore as rc

    assert len(jax.devices()) == 2, jax.devices()
    mesh = Mesh(np.array(jax.devices()), ("batch",))
    sharding = NamedSharding(mesh, P("batch", None))
    logits = jnp.asarray(np.random.default_rng(0).normal(size=(8, 5)), dtype=jnp.float32)
    noise = jnp.asarray(np.random.default_rng(1).uniform(size=(8, 5)), dtype=jnp.float32)
    sharded_logits = jax.device_put(logits, sharding)
    sharded_noise = jax.device_put(noise, sharding)

    @jax.jit
    def step(lg, u):
        d = rc.RelaxedOneHotCategorical(0.5, logits=lg)
        z = d.reparameterize(u)
        return z, d.log_prob(z)

    @jax.jit
    def draw(lg, key):
        d = rc.RelaxedOneHotCategorical(0.5, logits=lg)
        return d.rsample((), rng=key)

    z, lp = step(sharded_logits, sharded_noise)
    z0, lp0 = step(logits, noise)
    assert z.sharding.is_equivalent_to(sharding, 2), z.sharding
    assert lp.sharding.is_equivalent_to(NamedSharding(mesh, P("batch")), 1), lp.sharding
    np.testing.assert_allclose(np.asarray(z), np.asarray(z0), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(lp), np.asarray(lp0), rtol=1e-5)
    key = jax.random.key(3)
    s1, s0 = draw(sharded_logits, key), draw(logits, key)
    assert len(s1.sharding.device_set) == 2
    np.testing.assert_allclose(np.asarray(s1), np.asarray(s0), rtol=1e-6)
    print("sharded ok")

    # eager: Python scalars (and defaults such as Gamma's rate=1.0) beside sharded parameters
    vec = NamedSharding(mesh, P("batch"))
    alpha = jax.device_put(jnp.linspace(0.5, 4.0, 8), vec)
    g = rc.Gamma(alpha)  # raised "Sharding ... only valid for values of rank at least 1"
    n = rc.Normal(alpha, 2.0)
    x = jax.device_put(jnp.linspace(0.1, 3.0, 8), vec)
    for d, ref in ((g, rc.Gamma(np.asarray(alpha))), (n, rc.Normal(np.asarray(alpha), 2.0))):
        lp = d.log_prob(x)
        assert lp.sharding.is_equivalent_to(vec, 1), lp.sharding
        np.testing.assert_allclose(np.asarray(lp), ref.log_prob(np.asarray(x)), rtol=1e-5)
    b = rc.Beta(alpha, 1.5)
    assert b.log_prob(x / 4).sharding.is_equivalent_to(vec, 1)
    print("eager scalars ok")
    """
)


def test_rsample_and_log_prob_keep_a_batch_sharding_and_scalars_broadcast_eagerly():
    env = dict(
        os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu"
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "sharded ok" in out.stdout
    assert "eager scalars ok" in out.stdout
