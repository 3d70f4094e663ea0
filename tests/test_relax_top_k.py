"""GumbelSoftmaxTopK: the hard subsets follow sampling without replacement (exact subset
masses), the soft sample matches a plain NumPy transcription of Xie & Ermon's Algorithm 1,
sums to k, is >= 0 (and, as in the paper, not bounded by 1 near ties), and k is validated."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import special, stats

import relaxcore as rc

P = np.array([0.4, 0.3, 0.2, 0.1])


def _subset_mass(p, subset):
    """P(unordered subset) under successive draws without replacement: sum over orderings."""
    total = 0.0
    for order in itertools.permutations(subset):
        left, mass = 1.0, 1.0
        for i in order:
            mass *= p[i] / left
            left -= p[i]
        total += mass
    return total


def test_hard_subsets_follow_sampling_without_replacement(backend):
    d = rc.GumbelSoftmaxTopK(0.5, 2, probs=backend.asarray(P), hard=True)
    z = backend.to_numpy(d.rsample((20000,), rng=backend.rng(0)))
    assert set(np.unique(z)) <= {0.0, 1.0} and np.all(z.sum(-1) == 2)
    subsets = list(itertools.combinations(range(4), 2))
    counts = [np.sum(np.all(z[:, list(s)] == 1, axis=1)) for s in subsets]
    expected = np.array([_subset_mass(P, s) for s in subsets]) * len(z)
    assert stats.chisquare(counts, expected).pvalue > 1e-4


def _xie_ermon(logits, u, tau, k):
    alpha = logits - np.log(-np.log(u))
    khot = np.zeros_like(alpha)
    for _ in range(k):
        a = special.softmax(alpha / tau, axis=-1)
        khot += a
        alpha = alpha + np.log(1 - a)
    return khot


def test_soft_sample_matches_the_algorithm_and_sums_to_k(backend):
    logits = np.log(np.array([0.05, 0.3, 0.15, 0.4, 0.1]))
    u = np.random.default_rng(0).random((200, 5))
    for tau, k in ((0.5, 2), (0.3, 3), (0.1, 4), (1.0, 3)):
        d = rc.GumbelSoftmaxTopK(tau, k, logits=backend.asarray(logits))
        z = backend.to_numpy(d.reparameterize(backend.asarray(u)))
        np.testing.assert_allclose(z, _xie_ermon(logits, u, tau, k), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(z.sum(-1), k, rtol=1e-12)
        assert z.min() >= 0
        if tau == 1.0:  # documented: near-ties can put more than 1 on one entry
            assert z.max() > 1.05
    cold = rc.GumbelSoftmaxTopK(1e-3, 2, logits=backend.asarray(logits))
    hard = rc.GumbelSoftmaxTopK(1e-3, 2, logits=backend.asarray(logits), hard=True)
    soft_cold = backend.to_numpy(cold.reparameterize(backend.asarray(u)))
    assert np.all(np.isfinite(soft_cold))
    close = np.all(
        np.abs(soft_cold - backend.to_numpy(hard.reparameterize(backend.asarray(u)))) < 1e-3,
        axis=-1,
    )
    assert close.mean() > 0.95  # all but near-ties of the perturbed logits


def test_k_is_validated(backend):
    with pytest.raises(ValueError, match="k must be an integer in"):
        rc.GumbelSoftmaxTopK(0.5, 5, probs=backend.asarray(P))
    with pytest.raises(ValueError, match="k must be an integer in"):
        rc.GumbelSoftmaxTopK(0.5, 0, probs=backend.asarray(P))
    with pytest.raises(ValueError, match="k = 3 exceeds"):
        rc.GumbelSoftmaxTopK(0.5, 3, probs=backend.asarray([0.5, 0.5, 0.0, 0.0]))
    with pytest.raises(ValueError, match="temperature"):
        rc.GumbelSoftmaxTopK(-0.5, 2, probs=backend.asarray(P))
    with pytest.raises(NotImplementedError, match="k!"):
        rc.GumbelSoftmaxTopK(0.5, 2, probs=backend.asarray(P)).log_prob(backend.asarray(P))
