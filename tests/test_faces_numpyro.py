"""relaxcore.numpyro: relaxcore's classes as NumPyro distributions: pytrees under jit and
vmap, differentiable ``sample(key, shape)``, SVI (through the Beta's implicit gradients) and
NUTS. (Compiling relaxcore's implicit samplers under jit takes most of this file's time.)

Known answers: the conjugate posteriors of a Beta-Bernoulli, Gamma-Poisson and
Dirichlet-Categorical model. Tolerances: about 4 Monte-Carlo standard
errors for NUTS (300 draws, effective sizes >= 200 measured with keys 1-3, errors <= 1.3
standard errors there) and 3 times the largest SVI error over keys 0-2 (0.011).
"""

from __future__ import annotations

import pytest

jax = pytest.importorskip("jax")
numpyro = pytest.importorskip("numpyro")
rcn = pytest.importorskip("relaxcore.numpyro")

import jax.numpy as jnp  # noqa: E402
import numpyro.distributions as nd  # noqa: E402
import optax  # noqa: E402
from numpyro.infer import MCMC, NUTS, SVI, Predictive, Trace_ELBO  # noqa: E402

import relaxcore as rc  # noqa: E402


def test_numpyro_classes_and_constraints():
    d = rcn.Gamma(jnp.array([1.0, 2.0, 3.0]))
    assert isinstance(d, nd.Distribution) and isinstance(d, rc.Gamma)
    assert isinstance(d.support, nd.constraints.Constraint)
    assert d.support(jnp.array([-1.0, 0.5, 2.0])).tolist() == [False, True, True]
    y = nd.transforms.biject_to(d.support)(jnp.array([-3.0, 0.0, 3.0]))
    assert bool(d.support.check(rc.get_backend("jax").xp, y).all())  # relaxcore's own test
    ind = d.to_event(1)
    assert isinstance(ind, nd.Independent) and ind.event_shape == (3,)
    assert type(d.expand((2, 3))) is rcn.Gamma
    assert isinstance(rcn.Beta(2.0, 2.0).concentration1, jax.Array)  # numbers become JAX arrays


def test_validate_args_follows_numpyro():
    from numpyro.distributions.distribution import validation_enabled

    with validation_enabled(True):
        with pytest.raises(ValueError, match="concentration"):
            rcn.Gamma(-1.0)
    with validation_enabled(False):
        d = rcn.Gamma(-1.0)
        assert not d.validate_args
        assert bool(jnp.isnan(d.log_prob(1.0)))  # invalid parameters give NaN, never a number


def test_pytree_under_jit_and_vmap():
    d = rcn.Gamma(jnp.array([1.0, 2.0, 3.0]), 2.0)
    x = jnp.array([0.5, 1.0, 1.5])
    eager = d.log_prob(x)
    assert jnp.allclose(jax.jit(lambda dist, v: dist.log_prob(v))(d, x), eager)
    lanes = jax.vmap(lambda dist, v: dist.log_prob(v))(d, x)  # one scalar Gamma per lane
    assert jnp.allclose(lanes, eager)
    leaves, treedef = jax.tree_util.tree_flatten(d)
    back = jax.tree_util.tree_unflatten(treedef, leaves)
    assert type(back) is rcn.Gamma and back.batch_shape == (3,)

    def model():
        numpyro.sample("z", rcn.RelaxedOneHotCategorical(0.5, logits=jnp.array([0.0, 1.0, 2.0])))

    draws = Predictive(model, num_samples=4, parallel=True)(jax.random.key(0))["z"]  # vmap
    assert draws.shape == (4, 3) and jnp.allclose(draws.sum(-1), 1.0)
    assert not jnp.allclose(draws[0], draws[1])  # one key per lane


def test_numpyro_sample_is_reparameterized_relaxcore_sample_is_stopped():
    key = jax.random.key(0)
    # NumPyro calls sample(key, shape) and differentiates through it: d/dloc sum(z) = 10
    grad = jax.grad(lambda m: rcn.Normal(m, 1.0).sample(key, (10,)).sum())(0.5)
    assert float(grad) == pytest.approx(10.0)
    # relaxcore's call (rng=), which the core makes on itself, keeps relaxcore's meaning
    stopped = jax.grad(lambda m: rcn.Normal(m, 1.0).sample((10,), rng=key).sum())(0.5)
    assert float(stopped) == 0.0
    both = rcn.Normal(0.5, 1.0)
    assert jnp.array_equal(both.sample(key, (3,)), both.sample((3,), rng=key))


DATA = jnp.array([1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0])  # Beta(2+8, 2+2)


def _beta_bernoulli_model():
    p = numpyro.sample("p", rcn.Beta(2.0, 2.0))
    with numpyro.plate("data", DATA.shape[0]):
        numpyro.sample("y", rcn.Bernoulli(probs=p), obs=DATA)


def test_svi_beta_bernoulli_posterior_mean():
    def guide():
        c1 = numpyro.param("c1", 1.0, constraint=nd.constraints.positive)
        c0 = numpyro.param("c0", 1.0, constraint=nd.constraints.positive)
        numpyro.sample("p", rcn.Beta(c1, c0))

    schedule = optax.exponential_decay(0.1, 200, 0.1)
    svi = SVI(_beta_bernoulli_model, guide, optax.adam(schedule), Trace_ELBO(num_particles=8))
    result = svi.run(jax.random.key(0), 200, progress_bar=False)
    c1, c0 = float(result.params["c1"]), float(result.params["c0"])
    assert abs(c1 / (c1 + c0) - 10 / 14) < 0.03
    assert c1 > c0 > 1.5


COUNTS = jnp.array([3.0, 5.0, 4.0, 6.0])  # Poisson data: Gamma(2 + 18, 1 + 4)
LABELS = jnp.array([0, 0, 1, 2, 2, 2, 2])  # Categorical data: Dirichlet(1 + [2, 1, 4])


def _conjugate_model():
    _beta_bernoulli_model()
    rate = numpyro.sample("rate", rcn.Gamma(2.0, 1.0))
    with numpyro.plate("counts", COUNTS.shape[0]):
        numpyro.sample("n", nd.Poisson(rate), obs=COUNTS)
    w = numpyro.sample("w", rcn.Dirichlet(jnp.ones(3)))
    with numpyro.plate("labels", LABELS.shape[0]):
        numpyro.sample("c", rcn.Categorical(probs=w), obs=LABELS)


def test_nuts_conjugate_posteriors():
    mcmc = MCMC(NUTS(_conjugate_model), num_warmup=300, num_samples=300, progress_bar=False)
    mcmc.run(jax.random.key(1))
    s = mcmc.get_samples()
    # posterior sds: 0.117 (p), 0.89 (rate), <= 0.15 (w); 4 standard errors at 200 draws
    assert float(s["p"].mean()) == pytest.approx(10 / 14, abs=0.035)
    assert float(s["rate"].mean()) == pytest.approx(20 / 5, abs=0.25)
    assert jnp.allclose(s["w"].mean(0), jnp.array([3.0, 2.0, 5.0]) / 10, atol=0.045)
    assert float(s["p"].std()) == pytest.approx(0.117, rel=0.3)
