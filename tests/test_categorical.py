"""Categorical and OneHotCategorical against SciPy, torch.distributions and exact enumeration."""

import numpy as np
import pytest
import scipy.special
import scipy.stats

import relaxcore as rc

# a row with a category of probability 0 (logit -inf), a row of huge logits
LOGITS = np.array([[0.3, -1.2, 2.0, 0.0], [1.0, -np.inf, -0.5, 3.0], [1e4, -1e4, 0.0, 5.0]])
PROBS = np.array([[0.1, 0.2, 0.0, 0.7], [0.25, 0.25, 0.25, 0.25]])
CLASSES = [rc.Categorical, rc.OneHotCategorical]


def ints(backend, values):
    """An array of the framework's default integer dtype."""
    return backend.xp.asarray(np.asarray(values).tolist())


def as_value(backend, cls, index):
    """Category indices as `cls` expects them: integers, or one-hot vectors."""
    if cls is rc.Categorical:
        return ints(backend, index)
    return backend.asarray(np.eye(4)[np.asarray(index)])


@pytest.mark.parametrize("cls", CLASSES)
def test_log_prob_entropy_and_moments_match_scipy(backend, cls):
    d = cls(logits=backend.asarray(LOGITS))
    log_p = scipy.special.log_softmax(LOGITS, axis=-1)
    index = np.arange(4)[:, None] * np.ones((1, 3), dtype=int)  # (4, 3): every category per row
    got = backend.to_numpy(d.log_prob(as_value(backend, cls, index)))
    np.testing.assert_allclose(got, log_p.T, rtol=1e-12)
    probs = np.exp(log_p)
    np.testing.assert_allclose(backend.to_numpy(d.probs), probs, rtol=1e-12, atol=1e-300)
    entropy = scipy.stats.entropy(probs, axis=-1)
    np.testing.assert_allclose(backend.to_numpy(d.entropy()), entropy, rtol=1e-12, atol=1e-300)
    if cls is rc.Categorical:  # moments of the integer label, by enumeration
        k = np.arange(4)
        mean = (probs * k).sum(-1)
        var = (probs * k**2).sum(-1) - mean**2
        np.testing.assert_allclose(backend.to_numpy(d.mean), mean, rtol=1e-12)
        np.testing.assert_allclose(backend.to_numpy(d.variance), var, rtol=1e-10, atol=1e-14)
        np.testing.assert_array_equal(backend.to_numpy(d.mode), LOGITS.argmax(-1))
    else:
        np.testing.assert_allclose(backend.to_numpy(d.mean), probs, rtol=1e-12)
        np.testing.assert_allclose(backend.to_numpy(d.variance), probs * (1 - probs), rtol=1e-12)
        np.testing.assert_array_equal(backend.to_numpy(d.mode), np.eye(4)[LOGITS.argmax(-1)])


@pytest.mark.parametrize("cls", CLASSES)
def test_matches_torch_distributions(cls):
    torch = pytest.importorskip("torch")
    twin = {rc.Categorical: torch.distributions.Categorical}.get(
        cls, torch.distributions.OneHotCategorical
    )
    ref = twin(probs=torch.tensor(PROBS))
    d = cls(probs=torch.tensor(PROBS))
    values = ref.enumerate_support()
    lp, want = d.log_prob(values), ref.log_prob(values)
    possible = want > -30  # torch clamps log(0) to log(float64 eps) = -36; ours is -inf
    torch.testing.assert_close(lp[possible], want[possible])
    assert torch.all(torch.isneginf(lp[~possible])) and bool(torch.any(~possible))
    torch.testing.assert_close(d.entropy(), ref.entropy())
    for expand in (True, False):
        got, want = d.enumerate_support(expand), ref.enumerate_support(expand)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert torch.equal(got, want)


@pytest.mark.parametrize("cls", CLASSES)
def test_sampling_law_chi_square(backend, cls):
    d = cls(probs=backend.asarray(PROBS))
    n = 4000
    x = backend.to_numpy(d.sample((n,), rng=backend.rng(0)))
    index = x.astype(int) if cls is rc.Categorical else x.argmax(-1)
    if cls is rc.OneHotCategorical:
        np.testing.assert_array_equal(x.sum(-1), 1.0)
        assert set(np.unique(x)) == {0.0, 1.0}
    for row, probs in enumerate(PROBS):
        counts = np.bincount(index[:, row], minlength=4)
        assert counts[probs == 0].sum() == 0  # a category of probability 0 is never drawn
        keep = probs > 0
        _, p_value = scipy.stats.chisquare(counts[keep], n * probs[keep])
        assert p_value > 1e-3, (row, counts)


def test_sample_dtype_and_shape_follow_the_framework(backend):
    d = rc.Categorical(logits=backend.asarray(LOGITS, "float32"))
    x = d.sample((5, 2), rng=backend.rng(1))
    assert tuple(x.shape) == (5, 2, 3)
    default_int = backend.xp.argmax(backend.xp.asarray([0.0, 1.0])).dtype
    assert x.dtype == default_int == d.enumerate_support().dtype
    assert d.log_prob(x).dtype == backend.dtype("float32")
    o = rc.OneHotCategorical(logits=backend.asarray(LOGITS, "float32"))
    assert tuple(o.sample((5,), rng=backend.rng(1)).shape) == (5, 3, 4)
    assert o.sample(rng=backend.rng(1)).dtype == backend.dtype("float32")


def test_log_prob_takes_integer_valued_floats_and_rejects_other_values(backend):
    d = rc.Categorical(logits=backend.asarray(LOGITS[0]))
    log_p = scipy.special.log_softmax(LOGITS[0])
    got = backend.to_numpy(d.log_prob(backend.asarray([0.0, 2.0, 3.0])))
    np.testing.assert_allclose(got, log_p[[0, 2, 3]], rtol=1e-12)
    for bad in ([1.5], [-1], [4]):
        value = backend.asarray(bad) if isinstance(bad[0], float) else ints(backend, bad)
        with pytest.raises(ValueError, match="value must be an integer in \\[0, 3\\]"):
            d.log_prob(value)
    loose = rc.Categorical(logits=backend.asarray(LOGITS[0]), validate_args=False)
    out = backend.to_numpy(loose.log_prob(backend.asarray([1.5, -1.0, 4.0, 1.0])))
    np.testing.assert_array_equal(out[:3], -np.inf)
    np.testing.assert_allclose(out[3], log_p[1], rtol=1e-12)
    one_hot = rc.OneHotCategorical(logits=backend.asarray(LOGITS[0]), validate_args=False)
    values = backend.asarray([[0, 0, 0, 0], [1, 1, 0, 0], [0.5, 0.5, 0, 0], [0, 0, 1, 0]])
    out = backend.to_numpy(one_hot.log_prob(values))
    np.testing.assert_array_equal(out[:3], -np.inf)
    np.testing.assert_allclose(out[3], log_p[2], rtol=1e-12)
    with pytest.raises(ValueError, match="value must be a one-hot vector"):
        rc.OneHotCategorical(logits=backend.asarray(LOGITS[0])).log_prob(values)


@pytest.mark.parametrize("cls", CLASSES)
def test_zero_probabilities_give_finite_gradients(backend, cls):
    """log_prob, entropy and KL stay finite in value (where the math is) and in gradient."""
    probs = backend.asarray(PROBS)  # zeros in row 0
    index = [[0, 1], [3, 2]]  # (2 draws, 2 rows), in the support of each row

    def total(parameter, key):
        d = cls(**{key: parameter})
        q = cls(probs=backend.asarray([0.4, 0.3, 0.2, 0.1]))
        lp = d.log_prob(as_value(backend, cls, index))
        return (
            backend.xp.sum(lp)
            + backend.xp.sum(d.entropy())
            + backend.xp.sum(rc.kl_divergence(d, q))
        )

    assert np.isfinite(backend.to_numpy(total(probs, "probs")))
    with np.errstate(divide="ignore"):
        logits = backend.asarray(np.log(PROBS))  # -inf in row 0
    assert np.isfinite(backend.to_numpy(total(logits, "logits")))
    if not backend.has_autodiff:
        return
    (g_probs,) = backend.grad(lambda p: total(p, "probs"), probs)
    (g_logits,) = backend.grad(lambda lg: total(lg, "logits"), logits)
    assert np.all(np.isfinite(g_probs)) and np.all(np.isfinite(g_logits))
    assert g_logits[0, 2] == 0  # no gradient reaches the category of probability 0
    # the same total at a strictly positive neighbour: its gradient is the limit
    near = np.where(PROBS == 0, 1e-12, PROBS)
    (g_near,) = backend.grad(lambda lg: total(lg, "logits"), backend.asarray(np.log(near)))
    np.testing.assert_allclose(g_logits[:, [0, 1, 3]], g_near[:, [0, 1, 3]], atol=1e-8)


def test_half_precision_is_computed_in_float32(backend):
    dtypes = [d for d in backend.float_dtypes if d in ("float16", "bfloat16")]
    if not dtypes:
        pytest.skip("no half precision here")
    log_p = scipy.special.log_softmax(LOGITS[:2], axis=-1)
    for dtype in dtypes:
        d = rc.Categorical(logits=backend.asarray(LOGITS[:2], dtype))
        lp = d.log_prob(ints(backend, [[0, 2], [3, 3]]))
        assert lp.dtype == backend.dtype(dtype)
        want = [[log_p[0, 0], log_p[1, 2]], [log_p[0, 3], log_p[1, 3]]]
        np.testing.assert_allclose(backend.to_numpy(lp), want, rtol=backend.tol(dtype))
        assert np.all(np.isfinite(backend.to_numpy(d.entropy())))


def test_parameter_validation_names_the_argument(backend):
    with pytest.raises(ValueError, match="exactly one of probs or logits"):
        rc.Categorical()
    with pytest.raises(ValueError, match="exactly one of probs or logits"):
        rc.OneHotCategorical(probs=backend.asarray(PROBS), logits=backend.asarray(PROBS))
    with pytest.raises(ValueError, match="probs must be a probability vector"):
        rc.Categorical(probs=backend.asarray([0.5, 0.6]))
    with pytest.raises(ValueError, match="logits must be real numbers or -inf"):
        rc.OneHotCategorical(logits=backend.asarray([0.0, np.nan]))
    with pytest.raises(ValueError, match="logits must be real numbers or -inf"):
        rc.Categorical(logits=backend.asarray([-np.inf, -np.inf]))
    with pytest.raises(ValueError, match="logits must have shape \\(..., K\\)"):
        rc.Categorical(logits=backend.asarray(0.0))


def test_expand_and_enumerate_support_shapes(backend):
    d = rc.Categorical(logits=backend.asarray(LOGITS[0]))
    e = d.expand((2, 3))
    assert e.batch_shape == (2, 3)
    assert tuple(e.sample((4,), rng=backend.rng(0)).shape) == (4, 2, 3)
    assert tuple(e.enumerate_support(expand=False).shape) == (4, 1, 1)
    support = e.enumerate_support()
    assert tuple(support.shape) == (4, 2, 3)
    assert tuple(e.log_prob(support).shape) == (4, 2, 3)
    o = rc.OneHotCategorical(logits=backend.asarray(LOGITS)).expand((2, 3))
    assert tuple(o.enumerate_support().shape) == (4, 2, 3, 4)
    np.testing.assert_allclose(
        backend.to_numpy(rc.kl_divergence(o, o)), np.zeros((2, 3)), atol=1e-12
    )


def test_jax_jit_and_vmap():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    logits = jnp.asarray(LOGITS)
    values = jnp.asarray([0, 3, 2])
    eager = rc.Categorical(logits=logits).log_prob(values)
    jitted = jax.jit(lambda lg: rc.Categorical(logits=lg).log_prob(values))(logits)
    np.testing.assert_allclose(np.asarray(jitted), np.asarray(eager), rtol=1e-12)
    lanes = jax.vmap(lambda d: d.log_prob(jnp.asarray(1)))(rc.Categorical(logits=logits))
    np.testing.assert_allclose(
        np.asarray(lanes), scipy.special.log_softmax(LOGITS, -1)[:, 1], rtol=1e-12
    )
    # out of the support under jit (no raising possible): -inf
    out = jax.jit(lambda d: d.log_prob(jnp.asarray([7, -1, 0])))(rc.Categorical(logits=logits))
    assert np.all(np.isneginf(np.asarray(out)[:2]))
