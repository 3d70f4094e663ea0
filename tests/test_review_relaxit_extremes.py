"""The relaxit-style classes at extreme legal inputs: logits of +-1e4, temperatures 1e-3 and
1e3, half precisions. DecoupledStraightThroughGumbelSoftmax forms theta / tau_f in float32
(1e4 / 1e-3 overflows float16), RebarRelaxation its logit scale (lambda^2 overflows float16
at lambda = 1000)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

import relaxcore as rc

LOGITS = [[1e4, -1e4, 0.0, 1.0], [-1e4, 0.0, 1e4, -1e4]]  # the argmax: 0, then 2


def _half(backend):
    dtypes = [d for d in backend.float_dtypes if d in ("float16", "bfloat16")]
    if not dtypes:
        pytest.skip(f"{backend.name}: no half precision here")
    return dtypes


@pytest.mark.parametrize("tau_f", [1e-3, 1.0])
def test_decoupled_half_precision_large_logits(backend, tau_f):
    for dtype in _half(backend):

        def sample(lg, tf, tb, dtype=dtype):
            d = rc.DecoupledStraightThroughGumbelSoftmax(tf, tb, logits=lg)
            return d.rsample((3,), rng=backend.rng(4))

        args = [backend.asarray(LOGITS, dtype), backend.asarray(tau_f, dtype)]
        args.append(backend.asarray(0.5, dtype))
        z = sample(*args)
        assert z.dtype == backend.dtype(dtype)
        zn = backend.to_numpy(z)
        # the gap is 1e4: the draw is the argmax, exactly one-hot
        np.testing.assert_array_equal(zn, np.broadcast_to(np.eye(4)[[0, 2]], zn.shape))
        if backend.has_autodiff:
            w = backend.asarray(np.random.default_rng(5).normal(size=zn.shape))

            def total(*a, w=w, xp=backend.xp):
                return xp.sum(xp.astype(sample(*a), xp.float64) * w)

            for g in backend.grad(total, *args):
                assert np.all(np.isfinite(g)), dtype


def test_decoupled_half_precision_matches_float32_for_the_same_noise(backend):
    logits = np.random.default_rng(6).normal(size=(200, 5)) * 3
    noise = np.random.default_rng(7).uniform(size=(200, 5))
    for dtype in _half(backend):
        for tau_f in (1e-3, 0.3, 5.0):
            out = {}
            for dt in (dtype, "float32"):
                d = rc.DecoupledStraightThroughGumbelSoftmax(
                    backend.asarray(tau_f, dt), 0.5, logits=backend.asarray(logits, dt)
                )
                out[dt] = backend.to_numpy(d.reparameterize(backend.asarray(noise, dt)))
            # rounding the logits to half precision may flip near-ties only
            agree = np.mean(np.all(out[dtype] == out["float32"], axis=-1))
            assert agree > 0.95, (dtype, tau_f, agree)


def test_rebar_relaxation_half_precision_large_temperature(backend):
    theta = [0.0, 1.0, 0.5, 0.3, 1e-3]
    for dtype in _half(backend):
        for lam in (1e-3, 1.0, 1e3):
            d = rc.RebarRelaxation(backend.asarray(theta, dtype), backend.asarray(lam, dtype))
            z = d.rsample((4,), rng=backend.rng(8))
            assert z.dtype == backend.dtype(dtype)
            assert np.all(np.isfinite(backend.to_numpy(z)))
            np.testing.assert_allclose(
                backend.to_numpy(d.theta),
                backend.to_numpy(backend.asarray(theta, dtype)),
                rtol=2e-2,
                atol=1e-3,
            )
            c = lam + 1 / (lam + 1)  # (lam^2 + lam + 1) / (lam + 1)
            expected = special.expit(c * np.log(0.3 / 0.7))
            assert abs(float(backend.to_numpy(d.probs)[3]) - expected) < 2e-2, (dtype, lam)


def test_straight_through_against_categorical_is_the_closed_form(backend):
    """A straight-through value is a categorical draw: KL against Categorical is the same
    closed form as against OneHotCategorical (it was a Monte-Carlo relaxed KL, -0.76 here)."""
    p, q = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2])
    for post in (
        rc.RelaxedOneHotCategoricalStraightThrough(0.5, probs=backend.asarray(p)),
        rc.DecoupledStraightThroughGumbelSoftmax(2.0, 0.5, logits=backend.asarray(2 * np.log(p))),
    ):
        prior = rc.Categorical(probs=backend.asarray(q))
        kl = backend.to_numpy(rc.kl_divergence(post, prior, rng=backend.rng(9)))
        law = backend.to_numpy(post.probs)
        np.testing.assert_allclose(kl, stats.entropy(law, q), rtol=1e-10)
    np.testing.assert_allclose(law, p, rtol=1e-10)  # softmax(2 log p / 2): the forward law


def test_generalized_gumbel_softmax_with_repeated_values(backend):
    """Two categories with the same value: its mass is the sum of theirs (log-sum-exp, not
    the larger one), and hard draws land there with that frequency."""
    values, probs = np.array([0.0, 1.0, 1.0, 3.0]), np.array([0.1, 0.3, 0.4, 0.2])
    d = rc.GeneralizedGumbelSoftmax(
        backend.asarray(values), 0.5, probs=backend.asarray(probs), hard=True
    )
    lp = backend.to_numpy(d.log_prob(backend.asarray([0.0, 1.0, 3.0, 2.0])))
    np.testing.assert_allclose(lp[:3], np.log([0.1, 0.7, 0.2]), rtol=1e-12)
    assert lp[3] == -np.inf
    x = backend.to_numpy(d.sample((4000,), rng=backend.rng(10)))
    counts = [np.sum(x == v) for v in (0.0, 1.0, 3.0)]
    assert stats.chisquare(counts, np.array([0.1, 0.7, 0.2]) * 4000).pvalue > 1e-4
    np.testing.assert_allclose(backend.to_numpy(d.mean), probs @ values, rtol=1e-12)
