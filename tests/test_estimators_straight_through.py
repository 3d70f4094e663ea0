"""Sample-style estimators: the forward value is exactly one-hot and a Categorical draw; the
backward pass is the paper's rule, computed here in NumPy for the same sample (straight-through,
ReinMax, gapped straight-through), or its expectation given the sample (Gumbel-Rao, by
rejection sampling here); Gumbel-Rao has lower variance than straight-through Gumbel-Softmax;
perturbed optimizers match closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import CAT_LOGITS, cat_f, gradient_draws, grads, replicated
from scipy import special, stats

import relaxcore as rc

E = rc.estimators
LOGITS = np.random.default_rng(0).normal(size=(400, 4)) * 1.5


def _jvp(p, w):
    """J(p) w with J(p) = diag(p) - p p^T, row by row."""
    return p * w - p * np.sum(p * w, axis=-1, keepdims=True)


def _forward_and_backward(backend, sample, logits, seed, same_w=False):
    """The value and the gradient of sum(w * value) for a random w, one per row or the same
    for every row (to average a Monte-Carlo Jacobian over rows). JAX: jitted."""
    w = np.random.default_rng(seed).normal(size=logits.shape[-1:] if same_w else logits.shape)
    w = np.broadcast_to(w, logits.shape)
    t = backend.asarray(logits)
    xp = backend.xp

    def forward(lg):
        return sample(lg, backend.rng(seed))

    def objective(lg):
        return xp.sum(forward(lg) * backend.asarray(w))

    if backend.name == "jax":
        import jax

        forward, gradient = jax.jit(forward), jax.jit(jax.grad(objective))
        return backend.to_numpy(forward(t)), w, backend.to_numpy(gradient(t))
    value = backend.to_numpy(forward(t))
    return value, w, backend.grad(objective, t)[0] if backend.has_autodiff else None


def _assert_categorical_one_hot(value, logits):
    assert set(np.unique(value)) <= {0.0, 1.0}
    np.testing.assert_array_equal(value.sum(-1), 1.0)
    # pooled over rows: the expected count of each category is the sum of its probabilities
    p = special.softmax(logits, axis=-1)
    counts, expected = value.sum(0), p.sum(0)
    assert stats.chisquare(counts, expected * counts.sum() / expected.sum()).pvalue > 1e-4


def _straight_through_rule(logits, hard, w):
    return _jvp(special.softmax(logits, axis=-1), w)


def _reinmax_rule(logits, hard, w, tau=2.0):
    pi0 = special.softmax(logits, axis=-1)
    pi1 = (special.softmax(logits / tau, axis=-1) + hard) / 2
    return 2 * _jvp(pi1, w) - 0.5 * _jvp(pi0, w)


def _gapped_rule(logits, hard, w, tau=0.7, gap=1.0):
    top = logits.max(-1, keepdims=True)
    perturbed = np.where(hard > 0, top, np.minimum(logits, top - gap))
    return _jvp(special.softmax(perturbed / tau, axis=-1), w) / tau


CASES = {
    "straight_through": (lambda t, r: E.straight_through(t, rng=r), _straight_through_rule),
    "reinmax": (lambda t, r: E.reinmax(t, temperature=2.0, rng=r), _reinmax_rule),
    "gapped_straight_through": (
        lambda t, r: E.gapped_straight_through(t, temperature=0.7, gap=1.0, rng=r),
        _gapped_rule,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_one_hot_and_backward_rule(backend, name):
    sample, rule = CASES[name]
    value, w, grad = _forward_and_backward(backend, sample, LOGITS, seed=11)
    _assert_categorical_one_hot(value, LOGITS)
    if grad is not None:
        np.testing.assert_allclose(grad, rule(LOGITS, value, w), rtol=1e-9, atol=1e-12)


def test_gumbel_rao_forward_and_conditional_expectation(backend):
    """Backward = E[d softmax((theta + G) / tau) / d theta | argmax = D]^T w: the conditional
    expectation is estimated here by rejection sampling (unconditional Gumbels, kept where
    their argmax is the sampled category)."""
    tau, m = 0.6, 20000
    logits = np.tile(CAT_LOGITS[:1], (6, 1))  # 6 rows, K = 3
    sample = lambda t, r: E.gumbel_rao(t, temperature=tau, n_samples=m, rng=r)  # noqa: E731
    value, w, grad = _forward_and_backward(backend, sample, logits, seed=12)
    assert set(np.unique(value)) <= {0.0, 1.0} and np.all(value.sum(-1) == 1)
    if grad is None:
        return
    g = np.random.default_rng(1).gumbel(size=(400000, 3)) + logits[0]
    winner = g.argmax(-1)
    for row in range(len(logits)):
        kept = g[winner == value[row].argmax()]
        per_draw = _jvp(special.softmax(kept / tau, axis=-1), w[row]) / tau
        mean, sd = per_draw.mean(0), per_draw.std(0)
        se = sd * np.sqrt(1 / len(kept) + 1 / m)
        assert np.all(np.abs(grad[row] - mean) < 5 * se + 1e-12), (row, grad[row], mean, se)


def test_gumbel_rao_has_lower_variance_than_straight_through_gumbel_softmax(backend):
    if not backend.has_autodiff:
        pytest.skip("gradient variance needs autodiff")
    f, n, tau = cat_f(backend.xp), 4000, 0.5
    lg = replicated(backend, CAT_LOGITS, n)

    def loss(sample):
        return lambda t: f(sample(t))

    stgs = gradient_draws(
        backend,
        loss(
            lambda t: rc.RelaxedOneHotCategoricalStraightThrough(tau, logits=t).rsample(
                rng=backend.rng(13)
            )
        ),
        lg,
    )
    rao = gradient_draws(
        backend,
        loss(lambda t: E.gumbel_rao(t, temperature=tau, n_samples=10, rng=backend.rng(14))),
        lg,
    )
    v_stgs, v_rao = stgs.var(0).sum(), rao.var(0).sum()
    assert v_rao < 0.8 * v_stgs, (v_rao, v_stgs)
    # same estimator in expectation (Rao-Blackwellization keeps the mean)
    se = np.sqrt(stgs.var(0) / n + rao.var(0) / n)
    assert np.all(np.abs(stgs.mean(0) - rao.mean(0)) < 5 * se)


def test_perturbed_argmax_with_gumbel_noise_is_softmax(backend):
    """With Gumbel noise E[argmax(theta + sigma G)] = softmax(theta / sigma), whose Jacobian is
    J(softmax(theta / sigma)) / sigma (Berthet et al. 2020, section 3)."""
    sigma, rows, m = 0.8, 200, 200
    theta = CAT_LOGITS[0]
    logits = np.tile(theta, (rows, 1))
    sample = lambda t, r: E.perturbed_argmax(  # noqa: E731
        t, n_samples=m, sigma=sigma, noise="gumbel", rng=r
    )
    value, w, grad = _forward_and_backward(backend, sample, logits, seed=15, same_w=True)
    p = special.softmax(theta / sigma)
    np.testing.assert_allclose(value.sum(-1), 1.0, rtol=1e-12)
    se = np.sqrt(p * (1 - p) / (rows * m))
    assert np.all(np.abs(value.mean(0) - p) < 5 * se)
    if grad is not None:
        exact = _jvp(p, w) / sigma
        per_row_se = (grad - exact).std(0) / np.sqrt(rows)
        assert np.all(np.abs((grad - exact).mean(0)) < 5 * per_row_se)


def test_perturbed_argmax_normal_noise_two_categories(backend):
    """K = 2: E[y_0] = Phi(d / (sigma sqrt 2)), d = theta_0 - theta_1, and its derivative."""
    sigma, rows, m = 1.3, 300, 100
    theta = np.array([0.4, -0.3])
    logits = np.tile(theta, (rows, 1))
    sample = lambda t, r: E.perturbed_argmax(t, n_samples=m, sigma=sigma, rng=r)  # noqa: E731
    value, w, grad = _forward_and_backward(backend, sample, logits, seed=16, same_w=True)
    s = sigma * np.sqrt(2)
    p0 = stats.norm.cdf((theta[0] - theta[1]) / s)
    assert abs(value[:, 0].mean() - p0) < 5 * np.sqrt(p0 * (1 - p0) / (rows * m))
    if grad is not None:
        slope = stats.norm.pdf((theta[0] - theta[1]) / s) / s
        exact = (w[:, 0] - w[:, 1])[:, None] * slope * np.array([1.0, -1.0])
        se = (grad - exact).std(0) / np.sqrt(rows)
        assert np.all(np.abs((grad - exact).mean(0)) < 5 * se)


def test_perturbed_top_k_is_one_minus_the_bottom_argmax(backend):
    """Normal noise is symmetric: top-(K-1)(theta + sigma Z) = 1 - argmax(-theta + sigma Z')
    in law, so the values and the Jacobians agree in expectation."""
    sigma, rows, m = 0.9, 300, 100
    logits = np.tile(CAT_LOGITS[1], (rows, 1))
    top = lambda t, r: E.perturbed_top_k(t, 2, n_samples=m, sigma=sigma, rng=r)  # noqa: E731
    bottom = lambda t, r: E.perturbed_argmax(t, n_samples=m, sigma=sigma, rng=r)  # noqa: E731
    v_top, w, g_top = _forward_and_backward(backend, top, logits, seed=17, same_w=True)
    v_bot, _, g_bot = _forward_and_backward(backend, bottom, -logits, seed=17, same_w=True)
    np.testing.assert_allclose(v_top.sum(-1), 2.0, rtol=1e-12)
    assert v_top.min() >= 0 and v_top.max() <= 1
    diff = v_top - (1 - v_bot)
    assert np.all(np.abs(diff.mean(0)) < 5 * diff.std(0) / np.sqrt(rows) + 1e-12)
    if g_top is not None:
        diff = g_top - g_bot
        assert np.all(np.abs(diff.mean(0)) < 5 * diff.std(0) / np.sqrt(rows))


def test_sample_estimators_validate_and_handle_masked_categories(backend):
    t = backend.asarray(np.array([[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf]]))
    for name, (sample, _) in CASES.items():
        value = backend.to_numpy(sample(t, backend.rng(3)))
        assert np.all(value[:, [1, 2]][[0, 1], [0, 1]] == 0), name  # masked never drawn
        if backend.has_autodiff:
            g = grads(backend, lambda lg, s=sample: backend.xp.sum(s(lg, backend.rng(3)) ** 2), t)
            assert np.all(np.isfinite(g[0])), name
    value = backend.to_numpy(E.gumbel_rao(t, temperature=0.5, n_samples=3, rng=backend.rng(3)))
    assert value[0, 1] == 0 and value[1, 2] == 0
    with pytest.raises(ValueError, match="temperature must be > 0"):
        E.reinmax(t, temperature=0.0, rng=backend.rng(0))
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
        E.gumbel_rao(t, temperature=0.5, n_samples=0, rng=backend.rng(0))
    with pytest.raises(ValueError, match="gap must be a number >= 0"):
        E.gapped_straight_through(t, temperature=0.5, gap=-1.0, rng=backend.rng(0))
    with pytest.raises(ValueError, match="k must be an integer in"):
        E.perturbed_top_k(t, 4, rng=backend.rng(0))
    with pytest.raises(ValueError, match="noise must be one of"):
        E.perturbed_argmax(t, noise="laplace", rng=backend.rng(0))
    with pytest.raises(ValueError, match="shape"):
        E.straight_through(backend.asarray(1.0), rng=backend.rng(0))
