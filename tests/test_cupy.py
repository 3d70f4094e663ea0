"""CuPy on a GPU: fused kernels against the core, DLPack views, the core on cupy arrays.

Every test needs a CUDA GPU and skips with the reason otherwise (cupy missing, or no
device). The kernels must match the core's array-API path on the same inputs to dtype
tolerance, and the kernel text compiled as C on the host (``build_host_library``) on the
same Philox key; the Gamma kernel's draws must follow the law (KS, d E[z]/d alpha = 1).
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import scipy.stats as st
from test_cupy_kernel_source import DTYPES, build_host_library

import relaxcore as rc
from relaxcore.implicit import incomplete_gamma

TOL = {"float64": 1e-12, "float32": 1e-5}
LOGITS = np.array([[0.3, -1.2, 2.0, 0.0], [1.0, 1.0, -0.5, 3.0]])


@pytest.fixture(scope="module")
def cp():
    if importlib.util.find_spec("cupy") is None:
        pytest.skip("cupy is not installed")
    import cupy

    if not cupy.is_available():
        pytest.skip("cupy is installed but no CUDA GPU is available")
    return cupy


@pytest.fixture(scope="module")
def kernels(cp):
    from relaxcore.adapters import cupy as kernels

    return kernels


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    return build_host_library(tmp_path_factory.mktemp("host"))


# --- the Gamma kernel ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma_kernel_partials_match_the_core(cp, kernels, dtype):
    alpha = cp.asarray(np.geomspace(1e-2, 1e3, 12), dtype=dtype)
    z, dz = kernels.gamma_sample_and_partial(alpha, (3000, 12), rng=0)
    assert z.shape == dz.shape == (3000, 12) and z.dtype == dz.dtype == alpha.dtype
    normal = cp.asnumpy(z >= np.finfo(dtype).smallest_normal)  # the core clamps log z below
    core_cupy = rc.Gamma(alpha).implicit_partials(z)["concentration"]
    a_np = np.broadcast_to(cp.asnumpy(alpha), z.shape)
    core_numpy = incomplete_gamma.gamma_partial(rc.get_backend("numpy"), a_np, cp.asnumpy(z))
    got = cp.asnumpy(dz).astype(np.float64)
    for want in (cp.asnumpy(core_cupy), core_numpy):
        err = np.abs(got[normal] / want[normal].astype(np.float64) - 1)
        assert err.max() <= TOL[dtype], err.max()


@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma_kernel_equals_the_host_compiled_source(cp, kernels, host, dtype):
    """Same Philox key, same draws: the GPU runs the math that the CPU tests checked."""
    alpha = np.array([0.05, 0.7, 3.0, 60.0], dtype=dtype)
    n = 4 * 5000
    z, dz = kernels.gamma_sample_and_partial(cp.asarray(alpha), (5000, 4), rng=11)
    key = cp.asnumpy(cp.random.default_rng(11).integers(0, 2**32, size=2, dtype=cp.uint32))
    hz, hdz = np.empty(n, dtype=dtype), np.empty(n, dtype=dtype)
    host[dtype].t_gamma(alpha, alpha.size, int(key[0]), int(key[1]), hz, hdz, n)
    np.testing.assert_allclose(cp.asnumpy(z).ravel(), hz, rtol=10 * TOL[dtype], atol=0)
    np.testing.assert_allclose(cp.asnumpy(dz).ravel(), hdz, rtol=10 * TOL[dtype], atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha", [0.05, 0.5, 3.0, 200.0])
def test_gamma_kernel_follows_the_law(cp, kernels, dtype, alpha):
    n = 50_000
    z, dz = kernels.gamma_sample_and_partial(cp.full((n,), alpha, dtype=dtype), rng=3)
    z, dz = cp.asnumpy(z).astype(np.float64), cp.asnumpy(dz).astype(np.float64)
    assert st.kstest(z, st.gamma(alpha).cdf).pvalue > 1e-4
    assert abs(dz.mean() - 1) < 5 * dz.std() / np.sqrt(n)  # d E[z] / d alpha = 1


def test_gamma_kernel_rng_semantics(cp, kernels):
    alpha = cp.asarray([0.3, 3.0])
    a1, _ = kernels.gamma_sample_and_partial(alpha, (100, 2), rng=5)
    a2, _ = kernels.gamma_sample_and_partial(alpha, (100, 2), rng=5)
    cp.testing.assert_array_equal(a1, a2)
    gen = cp.random.default_rng(5)
    b1, _ = kernels.gamma_sample_and_partial(alpha, (100, 2), rng=gen)
    b2, _ = kernels.gamma_sample_and_partial(alpha, (100, 2), rng=gen)
    assert bool(cp.all(b1 != b2))
    with pytest.raises(TypeError, match="rng"):
        kernels.gamma_sample_and_partial(alpha, rng=np.random.default_rng(0))


def test_gamma_kernel_half_and_tiny_alpha(cp, kernels):
    z, dz = kernels.gamma_sample_and_partial(cp.asarray([0.5, 4.0], dtype=cp.float16), (64, 2))
    assert z.dtype == dz.dtype == cp.float16
    z, dz = kernels.gamma_sample_and_partial(cp.asarray(1e-3, dtype=cp.float32), (4000,), rng=0)
    assert bool(cp.all(cp.isfinite(z)) & cp.all(cp.isfinite(dz)) & cp.all(dz >= 0))


# --- the Gumbel-Softmax kernel --------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 3, 10, 32, 33, 1000])
def test_gumbel_kernel_matches_the_core(cp, kernels, host, dtype, k):
    gen = np.random.default_rng(k)
    rows = max(4, 4000 // k)
    logits = gen.normal(size=(rows, k)) * 3
    if k > 1:
        logits[gen.random((rows, k)) < 0.2] = -np.inf
        logits[:, 0] = 0.5
    u = gen.random((rows, k))
    u.flat[::7] = 0.0
    tau = np.geomspace(0.05, 5.0, rows)
    logits, u, tau = (np.ascontiguousarray(v, dtype=dtype) for v in (logits, u, tau))
    out = kernels.gumbel_softmax_forward(cp.asarray(logits), cp.asarray(u), cp.asarray(tau))
    dist = rc.RelaxedOneHotCategorical(cp.asarray(tau), logits=cp.asarray(logits))
    want = cp.asnumpy(dist.reparameterize(cp.asarray(u)))
    got = cp.asnumpy(out)
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])
    assert np.all(got[np.isneginf(logits)] == 0)
    expected = np.empty_like(logits)
    host[dtype].t_gumbel_softmax(logits, u, tau, expected, rows, k, kernels.lanes_per_row(k))
    np.testing.assert_allclose(got, expected, rtol=TOL[dtype], atol=TOL[dtype])


def test_gumbel_kernel_broadcasts_like_rsample(cp, kernels):
    """logits (B, K) and temperature (B,) against noise (S, B, K), as rsample((S,)) draws."""
    logits = cp.asarray(LOGITS)
    tau = cp.asarray([0.3, 2.0])
    dist = rc.RelaxedOneHotCategorical(tau, logits=logits)
    noise = dist.sample_noise((5,), rng=1)
    out = kernels.gumbel_softmax_forward(logits, noise, tau)
    cp.testing.assert_allclose(out, dist.reparameterize(noise), rtol=1e-12, atol=1e-12)
    out16 = kernels.gumbel_softmax_forward(logits.astype(cp.float16), noise.astype(cp.float16), 0.5)
    assert out16.dtype == cp.float16 and out16.shape == (5, 2, 4)


# --- DLPack ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA device")
    return torch


@pytest.fixture(scope="module")
def jax_gpu():
    jax = pytest.importorskip("jax")
    try:
        jax.devices("gpu")
    except RuntimeError:
        pytest.skip("jax has no GPU backend")
    return jax


def test_dlpack_torch_round_trip_shares_memory(cp, kernels, torch_cuda):
    x = cp.arange(12, dtype=cp.float32).reshape(3, 4)
    t = kernels.to_torch(x)
    assert t.data_ptr() == x.data.ptr and t.is_cuda
    x[0, 0] = 42.0
    cp.cuda.get_current_stream().synchronize()
    assert float(t[0, 0]) == 42.0
    back = kernels.from_torch(t)
    assert back.data.ptr == t.data_ptr()


def test_dlpack_jax_round_trip_shares_memory(cp, kernels, jax_gpu):
    x = cp.arange(12, dtype=cp.float32).reshape(3, 4)
    a = kernels.to_jax(x)
    assert a.unsafe_buffer_pointer() == x.data.ptr
    np.testing.assert_array_equal(np.asarray(a), cp.asnumpy(x))
    back = kernels.from_jax(a)
    assert back.data.ptr == a.unsafe_buffer_pointer()


def test_cupy_distribution_hands_samples_to_torch(cp, kernels, torch_cuda):
    """A mixed stack: relaxed sample and implicit partials drawn in cupy, used by torch."""
    z = rc.RelaxedOneHotCategorical(0.5, logits=cp.asarray(LOGITS)).rsample((3,), rng=0)
    t = kernels.to_torch(z)
    assert t.data_ptr() == z.data.ptr and tuple(t.shape) == (3, 2, 4)
    value, partials = rc.implicit.value_and_partials(rc.Gamma(cp.asarray([0.5, 2.0])), (4,), rng=0)
    grad = kernels.to_torch(partials["concentration"]).sum(0)
    np.testing.assert_allclose(grad.cpu().numpy(), cp.asnumpy(partials["concentration"].sum(0)))
    assert kernels.attach(value, (), ()) is value


# --- the core on cupy arrays ------------------------------------------------------------------


def _cases():
    bij = rc.bijectors
    return {
        "Beta": lambda a: rc.Beta(a([0.5, 2.0, 9.0]), a([1.5, 0.7, 3.0])),
        "CorrelatedRelaxedBernoulli": lambda a: rc.CorrelatedRelaxedBernoulli(
            0.5, a(np.eye(4) * 0.6 + 0.4), logits=a(LOGITS)
        ),
        "Dirichlet": lambda a: rc.Dirichlet(a([[0.3, 1.0, 4.0], [2.0, 2.0, 0.5]])),
        "Gamma": lambda a: rc.Gamma(a([0.3, 2.0, 40.0]), a([1.5, 0.5, 2.0])),
        "GaussianRelaxedBernoulli": lambda a: rc.GaussianRelaxedBernoulli(
            a([0.2, -1.0]), a([0.5, 2.0])
        ),
        "GumbelSoftmaxTopK": lambda a: rc.GumbelSoftmaxTopK(0.5, 2, logits=a(LOGITS)),
        "HardConcrete": lambda a: rc.HardConcrete(0.5, logits=a(LOGITS)),
        "InvertibleGaussian": lambda a: rc.InvertibleGaussian(a(LOGITS), a(LOGITS * 0 + 0.7), 0.5),
        "Logistic": lambda a: rc.Logistic(a([0.0, 1.0]), a([1.0, 0.3])),
        "LogisticNormalSoftmax": lambda a: rc.LogisticNormalSoftmax(
            a(LOGITS[:, :3]), a(np.full((2, 3), 0.8))
        ),
        "MultivariateNormalDiag": lambda a: rc.MultivariateNormalDiag(
            a(LOGITS), a(LOGITS * 0 + 0.5)
        ),
        "Normal": lambda a: rc.Normal(a([0.0, 1.0]), a([1.0, 0.3])),
        "RelaxedBernoulli": lambda a: rc.RelaxedBernoulli(0.5, logits=a(LOGITS)),
        "RelaxedOneHotCategorical": lambda a: rc.RelaxedOneHotCategorical(0.5, logits=a(LOGITS)),
        "RelaxedOneHotCategoricalStraightThrough": lambda a: (
            rc.RelaxedOneHotCategoricalStraightThrough(0.5, logits=a(LOGITS))
        ),
        "StochasticTimesSmooth": lambda a: rc.StochasticTimesSmooth(logits=a(LOGITS)),
        "StraightThroughBernoulli": lambda a: rc.StraightThroughBernoulli(logits=a(LOGITS)),
        "StudentT": lambda a: rc.StudentT(
            a([0.5, 3.0, 30.0]), a([0.0, 1.0, -2.0]), a([1.0, 2.0, 0.5])
        ),
        "TransformedDistribution": lambda a: rc.TransformedDistribution(
            rc.Normal(a([0.0, 1.0]), a([1.0, 0.3])), bij.Exp()
        ),
        "Uniform": lambda a: rc.Uniform(a([0.0, -1.0]), a([1.0, 3.0])),
        "VonMises": lambda a: rc.VonMises(a([0.0, 1.0, -2.0]), a([0.5, 4.0, 1000.0])),
    }


def _explicit(d):
    return type(d).reparameterize is not rc.Distribution.reparameterize


@pytest.mark.parametrize("name", sorted(_cases()))
def test_core_distribution_on_cupy_matches_numpy(cp, name):
    """Samples of the right shape and dtype; same values -> same log_prob, same noise -> same
    sample, same value -> same implicit partials, as the numpy backend."""
    make = _cases()[name]
    d_np = make(np.asarray)
    d_cp = make(lambda v: cp.asarray(np.asarray(v, dtype=np.float64)))
    z = d_cp.sample((4,), rng=0)
    assert isinstance(z, cp.ndarray) and z.dtype == cp.float64
    assert z.shape == (4, *d_np.batch_shape, *d_np.event_shape)
    assert bool(cp.all(cp.isfinite(z)))
    z_np = d_np.sample((4,), rng=0)
    try:
        lp_np = d_np.log_prob(z_np)
    except NotImplementedError:
        lp_np = None
    if lp_np is not None:
        np.testing.assert_allclose(
            cp.asnumpy(d_cp.log_prob(cp.asarray(z_np))), lp_np, rtol=1e-9, atol=1e-9
        )
    if _explicit(d_np):
        noise = d_np.sample_noise((4,), rng=0)
        np.testing.assert_allclose(
            cp.asnumpy(d_cp.reparameterize(cp.asarray(noise))),
            d_np.reparameterize(noise),
            rtol=1e-9,
            atol=1e-9,
        )
    if hasattr(d_np, "implicit_partials"):
        want = d_np.implicit_partials(z_np)
        got = d_cp.implicit_partials(cp.asarray(z_np))
        for key in want:
            np.testing.assert_allclose(cp.asnumpy(got[key]), want[key], rtol=1e-9, atol=1e-12)


def test_cupy_backend_rng_semantics(cp):
    d = rc.Normal(cp.zeros(3), cp.ones(3))
    cp.testing.assert_array_equal(d.sample((50,), rng=7), d.sample((50,), rng=7))
    cp.testing.assert_array_equal(d.sample((50,), rng=np.int64(7)), d.sample((50,), rng=7))
    gen = cp.random.default_rng(7)
    assert bool(cp.any(d.sample((50,), rng=gen) != d.sample((50,), rng=gen)))
    with pytest.raises(TypeError, match="cupy.random.Generator"):
        d.sample((2,), rng=np.random.default_rng(0))
