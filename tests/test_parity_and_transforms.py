"""Same noise -> same sample on every backend; the frameworks' transforms compose with us."""

import numpy as np
import pytest

import relaxcore as rc

LOGITS = np.array([[0.3, -1.2, 2.0, 0.0], [1.0, 1.0, -0.5, 3.0]])
NOISE = np.random.default_rng(0).uniform(size=(3, 2, 4))
FAMILIES = {
    "categorical": (lambda lg: rc.RelaxedOneHotCategorical(0.5, logits=lg), LOGITS, NOISE),
    "straight_through": (
        lambda lg: rc.RelaxedOneHotCategoricalStraightThrough(0.5, logits=lg),
        LOGITS,
        NOISE,
    ),
    "bernoulli": (lambda lg: rc.RelaxedBernoulli(0.5, logits=lg), LOGITS, NOISE[..., :4]),
}


def _numpy_reference(family):
    make, logits, noise = FAMILIES[family]
    d = make(logits)
    z = d.reparameterize(noise)
    return z, d.log_prob(z)


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_noise_same_sample_and_log_prob(backend, family, dtype):
    make, logits, noise = FAMILIES[family]
    z_ref, lp_ref = _numpy_reference(family)
    d = make(backend.asarray(logits, dtype))
    z = d.reparameterize(backend.asarray(noise, dtype))
    rtol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(backend.to_numpy(z), z_ref, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(backend.to_numpy(d.log_prob(z)), lp_ref, rtol=rtol * 10, atol=rtol)


# --- JAX ------------------------------------------------------------------------------


@pytest.fixture
def jax():
    return pytest.importorskip("jax")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_jax_jit_equals_eager(jax, family):
    make, logits, _ = FAMILIES[family]
    d = make(jax.numpy.asarray(logits))
    key = jax.random.key(3)

    def draw(dist, k):
        z = dist.rsample((5,), rng=k)
        return z, dist.log_prob(z)

    z_e, lp_e = draw(d, key)
    z_j, lp_j = jax.jit(draw)(d, key)  # the distribution crosses jit as a pytree
    np.testing.assert_allclose(z_j, z_e, rtol=1e-12)
    np.testing.assert_allclose(lp_j, lp_e, rtol=1e-10)


def test_jax_grad_vmap_and_jit_compose(jax):
    jnp = jax.numpy
    noise = jnp.asarray(NOISE)

    def loss(logits, tau):
        z = rc.RelaxedOneHotCategorical(tau, logits=logits).reparameterize(noise)
        return jnp.sum(z[..., 0] ** 2)

    g_logits, g_tau = jax.jit(jax.grad(loss, argnums=(0, 1)))(jnp.asarray(LOGITS), 0.5)
    assert g_logits.shape == LOGITS.shape and np.isfinite(g_tau)
    per_row = jax.vmap(lambda lg: loss(lg, 0.5), in_axes=0)(jnp.stack([jnp.asarray(LOGITS)] * 3))
    np.testing.assert_allclose(per_row, loss(jnp.asarray(LOGITS), 0.5) * np.ones(3), rtol=1e-12)
    keys = jax.random.split(jax.random.key(0), 4)
    d = rc.RelaxedBernoulli(0.5, logits=jnp.asarray(LOGITS))
    batched = jax.vmap(lambda k: d.rsample((), rng=k))(keys)
    assert batched.shape == (4, *LOGITS.shape)


# --- torch ----------------------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def test_torch_func_grad_and_vmap(torch):
    from torch.func import grad, vmap

    noise = torch.tensor(NOISE)

    def loss(logits):
        z = rc.RelaxedOneHotCategorical(0.5, logits=logits).reparameterize(noise)
        return (z[..., 0] ** 2).sum()

    logits = torch.tensor(LOGITS, requires_grad=True)
    g = grad(loss)(torch.tensor(LOGITS))
    loss(logits).backward()
    torch.testing.assert_close(g, logits.grad)
    per_row = vmap(loss)(torch.stack([torch.tensor(LOGITS)] * 3))
    torch.testing.assert_close(per_row, loss(torch.tensor(LOGITS)).expand(3))


def test_torch_compile_runs_and_agrees(torch):
    noise = torch.tensor(NOISE, dtype=torch.float32)

    def step(logits):
        d = rc.RelaxedOneHotCategoricalStraightThrough(0.5, logits=logits)
        z = d.reparameterize(noise)
        return z, d.log_prob(z)

    logits = torch.tensor(LOGITS, dtype=torch.float32)
    compiled = torch.compile(step, backend="inductor")
    z_c, lp_c = compiled(logits)
    z_e, lp_e = step(logits)
    torch.testing.assert_close(z_c, z_e)
    torch.testing.assert_close(lp_c, lp_e)
