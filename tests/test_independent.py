"""Independent and to_event: shapes (hypothesis), sums over the reinterpreted axes, pytrees."""

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st

import relaxcore as rc


@given(data=st.data())
def test_shapes_and_sums_over_reinterpreted_axes(backend, data):
    xps = backend.xps
    batch = data.draw(xps.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=2))
    loc = data.draw(
        xps.arrays(backend.dtype("float64"), batch, elements={"min_value": -3, "max_value": 3})
    )
    n = data.draw(st.integers(0, len(batch)))
    base = rc.Normal(loc, 1.5)
    d = data.draw(st.sampled_from(["class", "to_event"]))
    d = rc.Independent(base, n) if d == "class" else base.to_event(n)
    cut = len(batch) - n
    assert d.batch_shape == batch[:cut] and d.event_shape == batch[cut:]
    sample_shape = data.draw(st.sampled_from([(), (2,)]))
    x = d.rsample(sample_shape, rng=backend.rng(0))
    assert tuple(x.shape) == sample_shape + batch
    lp = backend.to_numpy(d.log_prob(x))
    assert lp.shape == sample_shape + batch[:cut]
    per_axis = scipy.stats.norm.logpdf(backend.to_numpy(x), backend.to_numpy(loc), 1.5)
    axes = tuple(range(per_axis.ndim - n, per_axis.ndim))
    np.testing.assert_allclose(lp, per_axis.sum(axis=axes), rtol=1e-10)
    entropy = scipy.stats.norm.entropy(scale=1.5) * np.ones(batch)
    np.testing.assert_allclose(
        backend.to_numpy(d.entropy()), entropy.sum(axis=tuple(range(cut, len(batch)))), rtol=1e-12
    )
    # to_event composes: the remaining batch axes on top of an Independent
    everything = d.to_event()
    assert everything.batch_shape == () and everything.event_shape == batch
    if batch:
        assert type(everything) is rc.Independent and everything.base_dist is base
    else:
        assert everything is d  # nothing left to reinterpret
    np.testing.assert_allclose(
        backend.to_numpy(everything.log_prob(x)),
        per_axis.sum(axis=tuple(range(len(sample_shape), per_axis.ndim))),
        rtol=1e-10,
    )


@given(data=st.data())
def test_discrete_bases_and_expand(backend, data):
    xps = backend.xps
    batch = data.draw(xps.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=2))
    logits = data.draw(
        xps.arrays(
            backend.dtype("float64"), batch + (3,), elements={"min_value": -4, "max_value": 4}
        )
    )
    n = data.draw(st.integers(1, len(batch)))
    cut = len(batch) - n
    cls = data.draw(st.sampled_from([rc.Categorical, rc.OneHotCategorical]))
    base = cls(logits=logits)
    d = base.to_event(n)
    x = d.sample((2,), rng=backend.rng(1))
    assert tuple(x.shape) == (2,) + batch + base.event_shape
    assert tuple(d.log_prob(x).shape) == (2,) + batch[:cut]
    new_batch = (2,) + batch[:cut]
    e = d.expand(new_batch)
    assert e.batch_shape == new_batch and e.event_shape == d.event_shape
    assert tuple(e.sample(rng=backend.rng(1)).shape) == new_batch + d.event_shape
    with pytest.raises(NotImplementedError, match="enumerating the product"):
        d.enumerate_support()
    same = rc.Categorical(logits=logits).to_event(0)
    assert isinstance(same, rc.Categorical)  # to_event(0) is the distribution itself
    assert tuple(rc.Independent(same, 0).enumerate_support().shape) == (3,) + batch


def test_moments_and_sampling_protocol_are_the_bases(backend):
    loc, scale = backend.asarray([[0.5, -1.0]]), backend.asarray([[2.0, 0.5]])
    base = rc.Normal(loc, scale)
    d = base.to_event(1)
    assert d.has_rsample
    np.testing.assert_array_equal(backend.to_numpy(d.mean), [[0.5, -1.0]])
    np.testing.assert_array_equal(backend.to_numpy(d.variance), [[4.0, 0.25]])
    noise = d.sample_noise((3,), rng=backend.rng(2))
    np.testing.assert_array_equal(
        backend.to_numpy(d.reparameterize(noise)), backend.to_numpy(base.reparameterize(noise))
    )
    np.testing.assert_array_equal(
        backend.to_numpy(d.sample((3,), rng=backend.rng(2))),
        backend.to_numpy(base.sample((3,), rng=backend.rng(2))),
    )
    b = rc.Bernoulli(probs=backend.asarray([[0.2, 0.7]])).to_event(1)
    assert not b.has_rsample and not b.has_enumerate_support
    np.testing.assert_array_equal(backend.to_numpy(b.mode), [[0.0, 1.0]])


def test_validation(backend):
    base = rc.Normal(backend.asarray(np.zeros((2, 3))), 1.0)
    for bad in (3, -1, 1.0, True, "1"):
        with pytest.raises(ValueError, match="reinterpreted_batch_ndims must be an integer in"):
            rc.Independent(base, bad)
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims must be an integer in"):
        base.to_event(1).to_event(2)
    with pytest.raises(TypeError, match="base_distribution must be a relaxcore Distribution"):
        rc.Independent(object(), 0)
    with pytest.raises(ValueError, match="value must end in the event shape \\(3,\\)"):
        base.to_event(1).log_prob(backend.asarray(np.zeros((2, 2))))
    with pytest.raises(ValueError, match="value must be 0 or 1"):
        rc.Bernoulli(probs=backend.asarray([0.5, 0.5])).to_event(1).log_prob(
            backend.asarray([0.0, 0.5])
        )


def test_jax_pytree_jit_and_vmap():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    loc = jnp.asarray(np.arange(6.0).reshape(2, 3))
    d = rc.Normal(loc, 1.0).to_event(1)
    x = jnp.zeros(3)
    want = scipy.stats.norm.logpdf(0.0, np.arange(6.0).reshape(2, 3)).sum(-1)
    np.testing.assert_allclose(np.asarray(jax.jit(lambda d: d.log_prob(x))(d)), want)
    lanes = jax.vmap(lambda d: d.log_prob(x))(d)  # each lane: batch (), event (3,)
    np.testing.assert_allclose(np.asarray(lanes), want)
    grad = jax.grad(lambda m: rc.Normal(m, 1.0).to_event(2).log_prob(jnp.zeros((2, 3))))(loc)
    np.testing.assert_allclose(np.asarray(grad), -np.arange(6.0).reshape(2, 3))
