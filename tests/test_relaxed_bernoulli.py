"""RelaxedBernoulli (binary Concrete)."""

import numpy as np
import pytest
import scipy.integrate
import scipy.stats
from _relaxed import binary_concrete, binary_concrete_cdf, binary_concrete_log_density
from hypothesis import given
from hypothesis import strategies as st

import relaxcore as rc

LOGITS = np.array([-2.0, -0.3, 0.0, 1.5, 4.0])


@given(data=st.data())
def test_shapes_support_and_finiteness(backend, data):
    xps = backend.xps
    dtype = backend.dtype(data.draw(st.sampled_from(["float32", "float64"])))
    batch = data.draw(xps.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    logits = data.draw(xps.arrays(dtype, batch, elements={"min_value": -20, "max_value": 20}))
    temp = data.draw(
        xps.arrays(dtype, batch[len(batch) // 2 :], elements={"min_value": 0.0625, "max_value": 5})
    )
    sample_shape = data.draw(st.sampled_from([(), (3,)]))
    d = rc.RelaxedBernoulli(temp, logits=logits)
    assert d.batch_shape == batch and d.event_shape == ()
    z = d.rsample(sample_shape, rng=backend.rng(0))
    assert tuple(z.shape) == sample_shape + batch and z.dtype == dtype
    zn = backend.to_numpy(z)
    assert np.all((zn >= 0) & (zn <= 1))
    lp = backend.to_numpy(d.log_prob(z))
    assert lp.shape == sample_shape + batch and np.all(np.isfinite(lp))


def test_reparameterize_log_prob_and_cdf_match_the_paper(backend):
    u = np.random.default_rng(0).uniform(0.01, 0.99, size=(6, 5))
    tau = 0.7
    z = binary_concrete(u, LOGITS, tau)
    d = rc.RelaxedBernoulli(tau, logits=backend.asarray(LOGITS))
    np.testing.assert_allclose(
        backend.to_numpy(d.reparameterize(backend.asarray(u))), z, rtol=1e-12
    )
    np.testing.assert_allclose(
        backend.to_numpy(d.log_prob(backend.asarray(z))),
        binary_concrete_log_density(z, LOGITS, tau),
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        backend.to_numpy(d.cdf(backend.asarray(z))), binary_concrete_cdf(z, LOGITS, tau), rtol=1e-10
    )


def test_log_prob_matches_torch_distributions(backend):
    torch = pytest.importorskip("torch")
    from torch.distributions import RelaxedBernoulli as TorchRB

    ref = TorchRB(torch.tensor(0.4, dtype=torch.float64), logits=torch.tensor(LOGITS))
    with torch.random.fork_rng():  # seeded, and the global generator left as it was
        torch.manual_seed(0)
        z = ref.sample((7,)).clamp(1e-6, 1 - 1e-6)
    d = rc.RelaxedBernoulli(0.4, logits=backend.asarray(LOGITS))
    np.testing.assert_allclose(
        backend.to_numpy(d.log_prob(backend.asarray(z.numpy()))), ref.log_prob(z).numpy(), rtol=1e-9
    )


@pytest.mark.parametrize("tau", [0.3, 1.0, 2.5])
def test_density_integrates_to_one_and_cdf_is_its_integral(tau):
    d = rc.RelaxedBernoulli(tau, logits=0.8)
    density = lambda t: float(np.exp(d.log_prob(np.float64(t))))  # noqa: E731
    total, _ = scipy.integrate.quad(density, 0, 1, limit=200)
    assert abs(total - 1) < 1e-6
    part, _ = scipy.integrate.quad(density, 0, 0.3, limit=200)
    assert abs(part - float(d.cdf(np.float64(0.3)))) < 1e-7


@pytest.mark.parametrize("tau", [0.1, 0.5, 1.0, 3.0])
def test_probability_above_one_half_is_sigmoid_of_logits(backend, tau):
    d = rc.RelaxedBernoulli(tau, logits=backend.asarray(LOGITS))
    z = backend.to_numpy(d.sample((20000,), rng=backend.rng(int(tau * 10))))
    p = scipy.special.expit(LOGITS)
    se = np.sqrt(p * (1 - p) / 20000)
    assert np.all(np.abs((z > 0.5).mean(0) - p) < 5 * se)


@pytest.mark.parametrize("tau", [0.3, 2.0])
def test_samples_pass_a_ks_test_against_the_closed_form_cdf(backend, tau):
    d = rc.RelaxedBernoulli(tau, logits=backend.asarray(1.2))
    z = backend.to_numpy(d.sample((5000,), rng=backend.rng(3)))
    result = scipy.stats.kstest(z, lambda t: binary_concrete_cdf(t, 1.2, tau))
    assert result.pvalue > 1e-3


def test_batch_elements_are_independent(backend):
    d = rc.RelaxedBernoulli(0.5, logits=backend.asarray(np.zeros(2)))
    z = backend.to_numpy(d.sample((20000,), rng=backend.rng(4)))
    r = np.corrcoef(z[:, 0], z[:, 1])[0, 1]
    assert abs(r) < 4 / np.sqrt(20000)


def test_probs_zero_and_one_give_exact_atoms_and_finite_gradients(backend):
    probs = backend.asarray([0.0, 0.3, 1.0])
    d = rc.RelaxedBernoulli(0.5, probs=probs)
    z = backend.to_numpy(d.rsample((100,), rng=backend.rng(5)))
    assert np.all(z[:, 0] == 0) and np.all(z[:, 2] == 1)
    lp = backend.to_numpy(d.log_prob(backend.asarray([0.5, 0.5, 0.5])))
    assert lp[0] == -np.inf and lp[2] == -np.inf and np.isfinite(lp[1])
    if backend.has_autodiff:
        noise = backend.asarray(np.full((4, 3), 0.3))

        def f(p):
            return backend.xp.sum(rc.RelaxedBernoulli(0.5, probs=p).reparameterize(noise))

        assert np.all(np.isfinite(backend.grad(f, probs)[0]))


def test_gradients_match_finite_differences(backend):
    u = np.random.default_rng(6).uniform(size=(4, 5))
    w = np.random.default_rng(7).normal(size=(4, 5))
    tau = np.full(5, 0.6)

    def f(logits, t):
        d = rc.RelaxedBernoulli(t, logits=logits)
        return backend.xp.sum(backend.asarray(w) * d.reparameterize(backend.asarray(u)))

    g_l, g_t = backend.grad(f, backend.asarray(LOGITS), backend.asarray(tau))
    h = 1e-6
    ref = lambda lg, t: np.sum(w * binary_concrete(u, lg, t))  # noqa: E731
    fd_l = [(ref(LOGITS + h * e, tau) - ref(LOGITS - h * e, tau)) / (2 * h) for e in np.eye(5)]
    fd_t = [(ref(LOGITS, tau + h * e) - ref(LOGITS, tau - h * e)) / (2 * h) for e in np.eye(5)]
    np.testing.assert_allclose(g_l, fd_l, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(g_t, fd_t, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(temperature=0.0, logits=0.0), "temperature must be > 0"),
        (dict(temperature=1.0, probs=1.2), r"probs must be in \[0, 1\]"),
        (dict(temperature=1.0, probs=-0.2), r"probs must be in \[0, 1\]"),
        (dict(temperature=1.0, logits=np.nan), "logits must be a real number"),
    ],
)
def test_invalid_parameters_name_the_argument(backend, kwargs, message):
    kwargs = {k: backend.asarray(v) for k, v in kwargs.items()}
    with pytest.raises(ValueError, match=message):
        rc.RelaxedBernoulli(**kwargs)


def test_value_outside_the_support_is_rejected(backend):
    d = rc.RelaxedBernoulli(1.0, logits=backend.asarray(0.0))
    with pytest.raises(ValueError, match=r"value must be in \[0, 1\]"):
        d.log_prob(backend.asarray(1.5))
    assert np.isfinite(
        backend.to_numpy(
            rc.RelaxedBernoulli(1.0, logits=backend.asarray(0.0), validate_args=False).log_prob(
                backend.asarray(0.5)
            )
        )
    )
