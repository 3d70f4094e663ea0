"""Extreme but legal inputs give finite samples and gradients (or documented values)."""

import numpy as np
import pytest

import relaxcore as rc


def _finite_grad(backend, make, param, noise):
    """Sample and gradient of sum(sample[..., 0]) w.r.t. `param` are finite."""
    z = make(param).reparameterize(noise)
    assert np.all(np.isfinite(backend.to_numpy(z)))
    if backend.has_autodiff:

        def f(p):
            out = make(p).reparameterize(noise)
            return backend.xp.sum(backend.xp.astype(out, backend.xp.float32) * 1.0)

        (g,) = backend.grad(f, param)
        assert np.all(np.isfinite(g)), g
    return backend.to_numpy(z)


@pytest.mark.parametrize("u", [0.0, 1.0])
def test_noise_at_the_closed_interval_end_points(backend, u):
    logits = backend.asarray([[0.0, 1.0, -1.0]])
    noise = backend.asarray(np.full((2, 1, 3), u))
    _finite_grad(backend, lambda lg: rc.RelaxedOneHotCategorical(0.5, logits=lg), logits, noise)
    _finite_grad(backend, lambda lg: rc.RelaxedBernoulli(0.5, logits=lg), logits, noise)


def test_huge_logits_and_a_masked_category(backend):
    logits = backend.asarray([[1e4, -1e4, 0.0, -np.inf], [-1e4, -1e4, -1e4, 1e4]])
    noise = backend.asarray(np.random.default_rng(0).uniform(size=(3, 2, 4)))
    z = _finite_grad(backend, lambda lg: rc.RelaxedOneHotCategorical(0.3, logits=lg), logits, noise)
    np.testing.assert_allclose(z[:, 0, 0], 1.0)
    assert np.all(z[:, 0, 3] == 0)
    d = rc.RelaxedOneHotCategorical(0.3, logits=logits)
    assert np.all(np.isfinite(backend.to_numpy(d.log_prob(d.reparameterize(noise)))))
    _finite_grad(backend, lambda lg: rc.RelaxedBernoulli(0.3, logits=lg), logits, noise)


@pytest.mark.parametrize("tau", [1e-5, 1e-3, 100.0])
def test_extreme_temperatures(backend, tau):
    logits = backend.asarray(np.array([[0.5, -0.2, 1.0]]))
    noise = backend.asarray(np.random.default_rng(1).uniform(size=(4, 1, 3)))
    temperature = backend.asarray(tau)
    for cls in (rc.RelaxedOneHotCategorical, rc.RelaxedBernoulli):
        z = _finite_grad(backend, lambda t, cls=cls: cls(t, logits=logits), temperature, noise)
        d = cls(temperature, logits=logits)
        assert np.all(np.isfinite(backend.to_numpy(d.log_prob(backend.asarray(z)))))
    if tau == 1e-5:  # the soft sample is (numerically) the hard one
        z = backend.to_numpy(
            rc.RelaxedOneHotCategorical(temperature, logits=logits).reparameterize(noise)
        )
        np.testing.assert_allclose(z.max(-1), 1.0)


def test_probabilities_zero_and_one(backend):
    probs = backend.asarray([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    noise = backend.asarray(np.random.default_rng(2).uniform(size=(5, 2, 3)))
    z = _finite_grad(backend, lambda p: rc.RelaxedOneHotCategorical(0.5, probs=p), probs, noise)
    np.testing.assert_array_equal(z[:, 0], np.tile([0.0, 1.0, 0.0], (5, 1)))
    assert np.all(z[:, 1, 2] == 0)


def test_a_thousand_categories_at_low_temperature(backend):
    logits = backend.asarray(np.random.default_rng(3).normal(size=(2, 1000)))
    noise = backend.asarray(np.random.default_rng(4).uniform(size=(3, 2, 1000)))
    z = _finite_grad(backend, lambda lg: rc.RelaxedOneHotCategorical(0.1, logits=lg), logits, noise)
    np.testing.assert_allclose(z.sum(-1), 1.0, rtol=1e-6)
    d = rc.RelaxedOneHotCategorical(0.1, logits=logits)
    assert np.all(np.isfinite(backend.to_numpy(d.log_prob(backend.asarray(z)))))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_keeps_its_dtype_and_stays_finite(backend, dtype):
    if dtype not in backend.float_dtypes:
        pytest.skip(f"{backend.name} has no {dtype}")
    logits = backend.asarray([[0.5, -3.0, 2.0], [1e4, 0.0, -1e4]], dtype)
    for cls in (
        rc.RelaxedOneHotCategorical,
        rc.RelaxedOneHotCategoricalStraightThrough,
        rc.RelaxedBernoulli,
    ):
        d = cls(0.1, logits=logits)
        z = d.rsample((64,), rng=backend.rng(5))
        assert z.dtype == backend.dtype(dtype)
        assert np.all(np.isfinite(backend.to_numpy(z)))
        assert d.log_prob(z).dtype == backend.dtype(dtype)
        noise = d.sample_noise((4,), rng=backend.rng(6))
        _finite_grad(backend, lambda lg, cls=cls: cls(0.1, logits=lg), logits, noise)


def test_zero_size_batches(backend):
    d = rc.RelaxedOneHotCategorical(0.5, logits=backend.asarray(np.zeros((0, 3))))
    z = d.rsample((2,), rng=backend.rng(0))
    assert tuple(z.shape) == (2, 0, 3) and tuple(d.log_prob(z).shape) == (2, 0)
    b = rc.RelaxedBernoulli(0.5, logits=backend.asarray(np.zeros((4, 0))))
    assert tuple(b.rsample((), rng=backend.rng(0)).shape) == (4, 0)


def test_integer_parameters_promote_to_the_default_float(backend):
    if backend.name == "array_api_strict":
        import array_api_strict as xp

        logits = xp.asarray([1, 2, 3])
    else:
        logits = backend.xp.asarray([1, 2, 3])
    d = rc.RelaxedOneHotCategorical(1, logits=logits)
    assert d.dtype == backend.bk.default_float_dtype()


def test_validation_is_skipped_when_asked(backend):
    d = rc.RelaxedBernoulli(backend.asarray(-1.0), logits=backend.asarray(0.0), validate_args=False)
    assert not d.validate_args


def test_temperature_gradient_is_finite_with_masked_categories_and_certain_probs(backend):
    if not backend.has_autodiff:
        pytest.skip(f"{backend.name} has no autodiff")
    noise = backend.asarray(np.random.default_rng(7).uniform(size=(3, 2, 3)))
    weights = backend.asarray(np.arange(18.0).reshape(3, 2, 3))
    cases = [
        lambda t: rc.RelaxedOneHotCategorical(t, logits=backend.asarray([[0.0, -np.inf, 1.0]])),
        lambda t: rc.RelaxedOneHotCategoricalStraightThrough(
            t, probs=backend.asarray([[0.5, 0.0, 0.5]])
        ),
        lambda t: rc.RelaxedBernoulli(t, probs=backend.asarray([[0.0, 0.4, 1.0]])),
    ]
    for make in cases:
        (g,) = backend.grad(
            lambda t, make=make: backend.xp.sum(weights * make(t).reparameterize(noise)),
            backend.asarray(0.7),
        )
        assert np.isfinite(g) and g != 0
