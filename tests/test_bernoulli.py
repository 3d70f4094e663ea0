"""Bernoulli against SciPy, torch.distributions and the straight-through class."""

import numpy as np
import pytest
import scipy.special
import scipy.stats

import relaxcore as rc

PROBS = np.array([0.0, 0.02, 0.3, 0.5, 0.9, 1.0])


def test_log_prob_entropy_moments_match_scipy(backend):
    d = rc.Bernoulli(probs=backend.asarray(PROBS))
    values = np.array([[0.0], [1.0]]) * np.ones_like(PROBS)
    got = backend.to_numpy(d.log_prob(backend.asarray(values)))
    want = scipy.stats.bernoulli.logpmf(values, PROBS)
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want))
    np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)], rtol=1e-12)
    np.testing.assert_allclose(
        backend.to_numpy(d.entropy()), scipy.stats.bernoulli.entropy(PROBS), rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(backend.to_numpy(d.mean), PROBS, rtol=1e-12)
    np.testing.assert_allclose(
        backend.to_numpy(d.variance), scipy.stats.bernoulli.var(PROBS), rtol=1e-12, atol=1e-300
    )
    np.testing.assert_array_equal(backend.to_numpy(d.mode), PROBS > 0.5)
    logits = np.array([-1e4, -30.0, 0.0, 2.0, 1e4])  # p = sigmoid(l), also where 1 - p rounds
    d = rc.Bernoulli(logits=backend.asarray(logits))
    one = backend.to_numpy(d.log_prob(backend.asarray(np.ones(5))))
    zero = backend.to_numpy(d.log_prob(backend.asarray(np.zeros(5))))
    np.testing.assert_allclose(one, scipy.special.log_expit(logits), rtol=1e-12)
    np.testing.assert_allclose(zero, scipy.special.log_expit(-logits), rtol=1e-12)


def test_values_other_than_zero_and_one(backend):
    with pytest.raises(ValueError, match="value must be 0 or 1"):
        rc.Bernoulli(probs=backend.asarray(0.3)).log_prob(backend.asarray(0.5))
    d = rc.Bernoulli(probs=backend.asarray(0.3), validate_args=False)
    out = backend.to_numpy(d.log_prob(backend.asarray([0.5, -1.0, 2.0])))
    np.testing.assert_array_equal(out, -np.inf)


def test_matches_torch_distributions():
    torch = pytest.importorskip("torch")
    probs = torch.tensor(PROBS[1:-1])
    ref, d = torch.distributions.Bernoulli(probs=probs), rc.Bernoulli(probs=probs)
    values = ref.enumerate_support()
    torch.testing.assert_close(d.log_prob(values), ref.log_prob(values))
    torch.testing.assert_close(d.entropy(), ref.entropy())
    for expand in (True, False):
        assert torch.equal(d.enumerate_support(expand), ref.enumerate_support(expand))


def test_sampling_law_and_straight_through_parity(backend):
    d = rc.Bernoulli(probs=backend.asarray(PROBS))
    n = 4000
    x = backend.to_numpy(d.sample((n,), rng=backend.rng(0)))
    assert x.shape == (n, 6) and set(np.unique(x)) <= {0.0, 1.0}
    assert np.all(x[:, 0] == 0) and np.all(x[:, -1] == 1)
    for j, p in enumerate(PROBS[1:-1], start=1):
        assert scipy.stats.binomtest(int(x[:, j].sum()), n, p).pvalue > 1e-3, (p, x[:, j].mean())
    st = rc.StraightThroughBernoulli(probs=backend.asarray(PROBS))
    np.testing.assert_array_equal(x, backend.to_numpy(st.sample((n,), rng=backend.rng(0))))


def test_probabilities_zero_and_one_give_finite_gradients(backend):
    probs = backend.asarray(PROBS)
    q = rc.Bernoulli(probs=backend.asarray(0.4))
    values = [0.0, 1.0, 1.0, 0.0, 1.0, 1.0]  # each possible under its p

    def total(p):
        d = rc.Bernoulli(probs=p)
        xp = backend.xp
        x = backend.asarray(values[1:-1] if p.shape[0] == 4 else values)
        return xp.sum(d.log_prob(x)) + xp.sum(d.entropy()) + xp.sum(rc.kl_divergence(d, q))

    assert np.isfinite(backend.to_numpy(total(probs)))
    if not backend.has_autodiff:
        return
    (g,) = backend.grad(total, probs)
    assert np.all(np.isfinite(g)) and g[0] == 0 and g[-1] == 0
    (g_inside,) = backend.grad(total, backend.asarray(PROBS[1:-1]))  # no zero gradients inside
    assert np.all(g_inside != 0)

    def entropy_and_kl(logits):
        d = rc.Bernoulli(logits=logits)
        return backend.xp.sum(d.entropy()) + backend.xp.sum(rc.kl_divergence(d, q))

    (g,) = backend.grad(entropy_and_kl, backend.asarray([-np.inf, np.inf, 0.3]))
    assert np.all(np.isfinite(g)) and g[2] != 0


def test_parameter_validation_names_the_argument(backend):
    with pytest.raises(ValueError, match="exactly one of probs or logits"):
        rc.Bernoulli()
    with pytest.raises(ValueError, match="probs must be in \\[0, 1\\]"):
        rc.Bernoulli(probs=backend.asarray([0.5, 1.5]))
    with pytest.raises(ValueError, match="logits must be a real number or \\+-inf"):
        rc.Bernoulli(logits=backend.asarray([0.0, np.nan]))


def test_half_precision_and_shapes(backend):
    for dtype in backend.float_dtypes:
        d = rc.Bernoulli(logits=backend.asarray([[0.5, -2.0, 40.0]], dtype))
        x = d.sample((3,), rng=backend.rng(0))
        assert tuple(x.shape) == (3, 1, 3) and x.dtype == backend.dtype(dtype)
        lp = d.log_prob(x)
        assert lp.dtype == backend.dtype(dtype)
        assert np.all(np.isfinite(backend.to_numpy(lp)))
    e = rc.Bernoulli(probs=backend.asarray(0.3)).expand((2, 5))
    assert e.batch_shape == (2, 5)
    assert tuple(e.enumerate_support().shape) == (2, 2, 5)
    assert tuple(e.enumerate_support(expand=False).shape) == (2, 1, 1)
