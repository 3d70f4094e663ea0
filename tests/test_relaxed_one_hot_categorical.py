"""RelaxedOneHotCategorical and its straight-through variant."""

import numpy as np
import pytest
import scipy.integrate
import scipy.stats
from _relaxed import concrete_log_density, gumbel_softmax
from hypothesis import given
from hypothesis import strategies as st

import relaxcore as rc

LOGITS = np.array([[0.3, -1.2, 2.0, 0.0], [1.0, 1.0, -0.5, 3.0]])


@given(data=st.data(), straight_through=st.booleans())
def test_shapes_support_and_finiteness(backend, data, straight_through):
    """Array-API strategies draw logits and temperatures in the backend's own arrays."""
    xps = backend.xps
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    batch = data.draw(xps.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    k = data.draw(st.integers(1, 4))
    logits = data.draw(
        xps.arrays(backend.dtype(dtype), batch + (k,), elements={"min_value": -10, "max_value": 10})
    )
    if data.draw(st.booleans()):  # a temperature per batch element, broadcast from the right
        temp_shape = batch[data.draw(st.integers(0, len(batch))) :]
        temp = data.draw(
            xps.arrays(
                backend.dtype(dtype), temp_shape, elements={"min_value": 0.0625, "max_value": 5}
            )
        )
    else:
        temp = data.draw(st.floats(0.05, 5.0))
    sample_shape = data.draw(st.sampled_from([(), (2,)]))
    cls = (
        rc.RelaxedOneHotCategoricalStraightThrough
        if straight_through
        else rc.RelaxedOneHotCategorical
    )
    d = cls(temp, logits=logits)
    assert d.batch_shape == batch
    assert d.event_shape == (k,)
    z = d.rsample(sample_shape, rng=backend.rng(0))
    assert tuple(z.shape) == sample_shape + batch + (k,)
    assert z.dtype == backend.dtype(dtype)
    zn = backend.to_numpy(z)
    assert np.all(zn >= 0) and np.all(zn <= 1)
    np.testing.assert_allclose(zn.sum(-1), 1.0, atol=1e-5)
    if straight_through:
        assert set(np.unique(zn)) <= {0.0, 1.0}
    lp = d.log_prob(z)
    assert tuple(lp.shape) == sample_shape + batch
    assert np.all(np.isfinite(backend.to_numpy(lp)))


def test_log_prob_matches_the_paper_formula(backend):
    u = np.random.default_rng(0).uniform(size=(5, 2, 4))
    tau = np.array([0.4, 1.7])
    z = gumbel_softmax(u, LOGITS, tau)
    d = rc.RelaxedOneHotCategorical(backend.asarray(tau), logits=backend.asarray(LOGITS))
    np.testing.assert_allclose(
        backend.to_numpy(d.reparameterize(backend.asarray(u))), z, rtol=1e-12
    )
    np.testing.assert_allclose(
        backend.to_numpy(d.log_prob(backend.asarray(z))),
        concrete_log_density(z, LOGITS, tau),
        rtol=1e-10,
    )


def test_log_prob_matches_torch_distributions(backend):
    torch = pytest.importorskip("torch")
    from torch.distributions import RelaxedOneHotCategorical as TorchROHC

    # torch.distributions takes one temperature per distribution (a batched one fails there)
    ref = TorchROHC(torch.tensor(0.4, dtype=torch.float64), logits=torch.tensor(LOGITS))
    with torch.random.fork_rng():  # seeded, and the global generator left as it was
        torch.manual_seed(0)
        z = ref.sample((6,)).clamp_min(1e-30)
    z = z / z.sum(-1, keepdim=True)
    d = rc.RelaxedOneHotCategorical(0.4, logits=backend.asarray(LOGITS))
    np.testing.assert_allclose(
        backend.to_numpy(d.log_prob(backend.asarray(z.numpy()))), ref.log_prob(z).numpy(), rtol=1e-9
    )


def test_density_integrates_to_one_for_two_categories():
    d = rc.RelaxedOneHotCategorical(0.6, logits=np.array([0.7, -0.4]))
    density = lambda t: np.exp(d.log_prob(np.array([t, 1 - t])))  # noqa: E731
    total, _ = scipy.integrate.quad(density, 0, 1, limit=200, points=[1e-6, 1 - 1e-6])
    assert abs(total - 1) < 1e-6


def test_argmax_follows_the_categorical_law(backend):
    probs = np.array([0.1, 0.2, 0.3, 0.4, 0.0])
    d = rc.RelaxedOneHotCategorical(0.3, probs=backend.asarray(probs))
    z = backend.to_numpy(d.sample((20000,), rng=backend.rng(1)))
    counts = np.bincount(z.argmax(-1), minlength=5)
    assert counts[4] == 0
    _, p = scipy.stats.chisquare(counts[:4], 20000 * probs[:4])
    assert p > 1e-3


def test_straight_through_value_is_one_hot_and_gradient_is_soft(backend):
    logits = backend.asarray(LOGITS)
    noise = backend.asarray(np.random.default_rng(2).uniform(size=(3, 2, 4)))
    st_d = rc.RelaxedOneHotCategoricalStraightThrough(0.5, logits=logits)
    soft_d = rc.RelaxedOneHotCategorical(0.5, logits=logits)
    hard = backend.to_numpy(st_d.reparameterize(noise))
    soft = backend.to_numpy(soft_d.reparameterize(noise))
    np.testing.assert_array_equal(hard, np.eye(4)[soft.argmax(-1)])
    np.testing.assert_allclose(
        backend.to_numpy(st_d.log_prob(backend.asarray(hard))),
        (scipy.special.log_softmax(LOGITS, -1) * hard).sum(-1),
        rtol=1e-12,
    )
    if backend.has_autodiff:
        weights = backend.asarray(np.arange(24.0).reshape(3, 2, 4))

        def loss(cls):
            return lambda lg: backend.xp.sum(weights * cls(0.5, logits=lg).reparameterize(noise))

        g_st = backend.grad(loss(rc.RelaxedOneHotCategoricalStraightThrough), logits)[0]
        g_soft = backend.grad(loss(rc.RelaxedOneHotCategorical), logits)[0]
        np.testing.assert_allclose(g_st, g_soft, rtol=1e-12)


def test_gradients_match_finite_differences(backend):
    """d/dlogits and d/dtemperature of a weighted sum of the sample, at fixed noise."""
    noise = backend.asarray(np.random.default_rng(3).uniform(size=(3, 2, 4)))
    weights = np.random.default_rng(4).normal(size=(3, 2, 4))

    def f_np(logits, tau):
        return np.sum(weights * gumbel_softmax(backend.to_numpy(noise), logits, tau))

    def f(logits, tau):
        d = rc.RelaxedOneHotCategorical(tau, logits=logits)
        return backend.xp.sum(backend.asarray(weights) * d.reparameterize(noise))

    tau = np.array([0.4, 1.7])
    g_logits, g_tau = backend.grad(f, backend.asarray(LOGITS), backend.asarray(tau))
    h = 1e-6
    fd_logits = np.zeros_like(LOGITS)
    for idx in np.ndindex(LOGITS.shape):
        e = np.zeros_like(LOGITS)
        e[idx] = h
        fd_logits[idx] = (f_np(LOGITS + e, tau) - f_np(LOGITS - e, tau)) / (2 * h)
    fd_tau = np.array(
        [(f_np(LOGITS, tau + h * e) - f_np(LOGITS, tau - h * e)) / (2 * h) for e in np.eye(2)]
    )
    np.testing.assert_allclose(g_logits, fd_logits, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(g_tau, fd_tau, rtol=1e-5, atol=1e-8)


def test_masked_category_is_exactly_zero_and_density_drops_it(backend):
    logits = np.array([0.5, -np.inf, 1.0])
    d = rc.RelaxedOneHotCategorical(0.7, logits=backend.asarray(logits))
    z = backend.to_numpy(d.rsample((50,), rng=backend.rng(5)))
    assert np.all(z[:, 1] == 0)
    lp = backend.to_numpy(d.log_prob(backend.asarray(z)))
    ref = concrete_log_density(z[:, [0, 2]], logits[[0, 2]], 0.7)
    np.testing.assert_allclose(lp, ref, rtol=1e-9)


def test_expand(backend):
    d = rc.RelaxedOneHotCategorical(0.5, logits=backend.asarray(LOGITS[0]))
    e = d.expand((3, 2))
    assert e.batch_shape == (3, 2) and e.event_shape == (4,)
    assert tuple(e.rsample((5,), rng=backend.rng(0)).shape) == (5, 3, 2, 4)
    with pytest.raises(ValueError, match="expand"):
        rc.RelaxedOneHotCategorical(0.5, logits=backend.asarray(LOGITS)).expand((3,))


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(temperature=0.0, logits=[0.0, 1.0]), "temperature must be > 0"),
        (dict(temperature=-1.0, logits=[0.0, 1.0]), "temperature must be > 0"),
        (dict(temperature=1.0, probs=[0.5, 0.7]), "probs must be a probability vector"),
        (dict(temperature=1.0, probs=[-0.1, 1.1]), "probs must be a probability vector"),
        (dict(temperature=1.0, logits=[np.nan, 1.0]), "logits must be real numbers"),
        (dict(temperature=1.0, logits=[-np.inf, -np.inf]), "at least one finite"),
    ],
)
def test_invalid_parameters_name_the_argument(backend, kwargs, message):
    kwargs = {k: backend.asarray(v) for k, v in kwargs.items()}
    with pytest.raises(ValueError, match=message):
        rc.RelaxedOneHotCategorical(**kwargs)


def test_probs_and_logits_are_exclusive():
    with pytest.raises(ValueError, match="exactly one of probs or logits"):
        rc.RelaxedOneHotCategorical(1.0, probs=np.ones(2) / 2, logits=np.zeros(2))
    with pytest.raises(ValueError, match="exactly one of probs or logits"):
        rc.RelaxedOneHotCategorical(1.0)


def test_value_outside_the_simplex_is_rejected(backend):
    d = rc.RelaxedOneHotCategorical(1.0, logits=backend.asarray([0.0, 0.0]))
    with pytest.raises(ValueError, match="value must be a probability vector"):
        d.log_prob(backend.asarray([0.7, 0.7]))
    with pytest.raises(ValueError, match="event shape"):
        d.log_prob(backend.asarray([0.2, 0.3, 0.5]))
