"""DisARM per sample (Dong, Mnih & Tucker 2020, eq. 7): the value is the mean of f over each
antithetic pair and the gradient the paper's formula, at the pairs the estimator drew
(captured from the calls of f); each half of a pair is a Bernoulli(sigmoid(theta)) draw, and
the pair is antithetic (b = 1[u < p], b~ = 1[1 - u < p])."""

from __future__ import annotations

import numpy as np
from _estimator_problems import BERN_LOGITS, bern_f, grads
from scipy import special, stats

import relaxcore as rc

E = rc.estimators
N = 2000


def test_disarm_value_and_gradient_at_the_captured_pairs(backend):
    seen = []
    f = bern_f(backend.xp)

    def f_seen(b):
        seen.append(backend.to_numpy(backend.bk.stop_gradient(b)))
        return f(b)

    t = backend.asarray(BERN_LOGITS)
    if backend.has_autodiff:
        value = backend.to_numpy(E.disarm(f_seen, t, n_samples=N, rng=backend.rng(41)))
        (g,) = grads(backend, lambda lg: E.disarm(f, lg, n_samples=N, rng=backend.rng(41)), t)
    else:
        value, g = (
            backend.to_numpy(a)
            for a in E.value_and_grad(E.disarm, f_seen, t, n_samples=N, rng=backend.rng(41))
        )
    b, anti = seen  # f at the draws, then at their antithetic partners
    p = special.expit(BERN_LOGITS)
    for draws in (b, anti):  # each is Bernoulli(p): two-sided binomial test per variable
        for i in range(3):
            k = int(draws[:, i].sum())
            assert stats.binomtest(k, N, p[i]).pvalue > 1e-4, (i, k / N, p[i])
    # u < p and 1 - u < p: for p > 1/2 one of them holds, for p < 1/2 at most one
    both_zero, both_one = (b == 0) & (anti == 0), (b == 1) & (anti == 1)
    assert not np.any(both_zero[:, p > 0.5]) and not np.any(both_one[:, p < 0.5])
    f_np = bern_f(np)
    fb, fa = f_np(b), f_np(anti)
    np.testing.assert_allclose(value, np.mean((fb + fa) / 2), rtol=1e-10)
    sign = np.where(anti > 0, -1.0, 1.0)
    per_pair = 0.5 * (fb - fa)[:, None] * sign * (b != anti) * special.expit(np.abs(BERN_LOGITS))
    np.testing.assert_allclose(g, per_pair.mean(0), rtol=1e-9, atol=1e-12)
