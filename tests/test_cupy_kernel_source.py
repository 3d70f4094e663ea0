"""The CUDA kernels' math, compiled as C on the CPU and checked against the core and mpmath.

``relaxcore.adapters.cupy.KERNEL_SOURCE`` compiles as CUDA (NVRTC, nvcc) and as C (gcc):
here gcc builds it, with loops standing in for the kernels' grids (the softmax loop also
replays the warp's butterfly merge lane by lane), into a shared library called through
ctypes, once per dtype. The Gamma partial is compared with the committed 50-digit mpmath
table and with the core's array-API path (numpy backend) on a grid covering its three
regimes; the sampler with scipy.stats (KS, moments) and with the identity
d E[z] / d alpha = 1; the Gumbel-Softmax forward with ``RelaxedOneHotCategorical``. With
nvcc on PATH the CUDA text is compiled too. No GPU and no cupy needed.
"""

from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st
from relaxcore.adapters.cupy import KERNEL_SOURCE, lanes_per_row

import relaxcore as rc
from relaxcore.implicit import incomplete_gamma

TABLE = json.loads((Path(__file__).parent / "data" / "gamma_reference.json").read_text())["rows"]
NUMPY = rc.get_backend("numpy")
DTYPES = ("float64", "float32")

#: what the tests below add to the kernel text: the kernels' loops, without a GPU
HOST_LOOPS = r"""
void t_log_partial(const real *a, const real *x, const real *log_x, real *out, long long n) {
  for (long long i = 0; i < n; ++i) out[i] = rc_gamma_log_partial(a[i], x[i], log_x[i]);
}

void t_philox(rc_u32 *ctr, rc_u32 k0, rc_u32 k1) { rc_philox(ctr, k0, k1); }

void t_gamma(const real *alpha, long long m, rc_u32 k0, rc_u32 k1, real *z, real *dz,
             long long n) {
  for (long long i = 0; i < n; ++i)
    rc_gamma_sample_and_partial(alpha[i % m], k0, k1, (rc_u64)i, z + i, dz + i);
}

void t_gumbel_softmax(const real *logits, const real *u, const real *tau, real *out,
                      long long rows, long long k, int lanes) {
  for (long long r = 0; r < rows; ++r) {
    real m[32], s[32], m2[32], s2[32];
    for (int lane = 0; lane < lanes; ++lane)
      rc_gumbel_lane_state(logits + r * k, u + r * k, tau[r], k, lane, lanes, m + lane, s + lane);
    for (int offset = lanes / 2; offset > 0; offset /= 2) {
      for (int lane = 0; lane < lanes; ++lane) { m2[lane] = m[lane]; s2[lane] = s[lane]; }
      for (int lane = 0; lane < lanes; ++lane)
        rc_lse_merge(m + lane, s + lane, m2[lane ^ offset], s2[lane ^ offset]);
    }
    for (int lane = 0; lane < lanes; ++lane)
      rc_gumbel_lane_write(logits + r * k, u + r * k, tau[r], k, lane, lanes, m[0], s[0],
                           out + r * k);
  }
}
"""


def build_host_library(folder: Path) -> dict:
    """dtype name -> ctypes library of KERNEL_SOURCE + HOST_LOOPS compiled by gcc in `folder`.

    Skips the calling test when there is no C compiler.
    """
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler (gcc or cc) on PATH")
    source = folder / "kernels.c"
    source.write_text(KERNEL_SOURCE + HOST_LOOPS)
    libs = {}
    for dtype in DTYPES:
        out = folder / f"kernels_{dtype}.so"
        flags = ["-DRC_SINGLE"] if dtype == "float32" else []
        subprocess.run(
            [cc, "-std=c99", "-O2", "-fPIC", "-shared", *flags, "-o", str(out), str(source), "-lm"],
            check=True,
            capture_output=True,
        )
        libs[dtype] = _bind(ctypes.CDLL(str(out)), np.dtype(dtype))
    return libs


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return build_host_library(tmp_path_factory.mktemp("kernels"))


def _bind(handle, dtype):
    arr = np.ctypeslib.ndpointer(dtype=dtype, flags="C_CONTIGUOUS")
    u32 = np.ctypeslib.ndpointer(dtype=np.uint32, flags="C_CONTIGUOUS")
    i64, c32, i32 = ctypes.c_longlong, ctypes.c_uint32, ctypes.c_int
    signatures = {
        "t_log_partial": [arr, arr, arr, arr, i64],
        "t_philox": [u32, c32, c32],
        "t_gamma": [arr, i64, c32, c32, arr, arr, i64],
        "t_gumbel_softmax": [arr, arr, arr, arr, i64, i64, i32],
    }
    for name, args in signatures.items():
        getattr(handle, name).argtypes = args
        getattr(handle, name).restype = None
    handle.dtype = dtype
    return handle


def _log_partial(lib, a, x, log_x):
    a, x, log_x = (
        np.ascontiguousarray(v, dtype=lib.dtype) for v in np.broadcast_arrays(a, x, log_x)
    )
    out = np.empty_like(a)
    lib.t_log_partial(a, x, log_x, out, a.size)
    return out


def _sample(lib, alpha, n, key=(1234, 5678)):
    alpha = np.ascontiguousarray(np.atleast_1d(alpha), dtype=lib.dtype)
    z, dz = np.empty(n, dtype=lib.dtype), np.empty(n, dtype=lib.dtype)
    lib.t_gamma(alpha, alpha.size, key[0], key[1], z, dz, n)
    return z, dz


def _core_log_partial(a, x, log_x):
    return incomplete_gamma.gamma_log_partial(NUMPY, a, x, log_x)


def _rel(got, want):
    return np.abs(got.astype(np.float64) / want.astype(np.float64) - 1)


# --- the implicit partial ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_partial_matches_mpmath_table(lib, dtype):
    """The port meets the core's targets (1e-12 / 5e-6) against the 50-digit table."""
    target = {"float64": 1e-12, "float32": 5e-6}[dtype]
    col = {k: np.array([row[dtype][k] for row in TABLE]) for k in ("alpha", "z", "log_z")}
    ref = np.array([float(row[dtype]["dlogz_dalpha"]) for row in TABLE])
    got = _log_partial(lib[dtype], col["alpha"], col["z"], col["log_z"])
    err = _rel(got, ref)
    assert err.max() <= target, (err.max(), TABLE[int(err.argmax())]["alpha"])


def _grid(dtype):
    """(a, x) over alpha 1e-3 .. 1e4 and quantiles 1e-6 .. 1 - 1e-6, x > 0 in `dtype`."""
    tails = np.geomspace(1e-6, 0.1, 12)
    a, q = np.meshgrid(
        np.geomspace(1e-3, 1e4, 61), np.concatenate([tails, np.linspace(0.15, 0.85, 15), 1 - tails])
    )
    a, q = a.ravel(), q.ravel()
    x = np.where(q < 0.5, sc.gammaincinv(a, q), sc.gammainccinv(a, 1 - q)).astype(dtype)
    keep = x > 0
    return a.astype(dtype)[keep], x[keep]


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_partial_matches_core_on_every_regime(lib, dtype):
    a, x = _grid(dtype)
    series, fraction, temme = incomplete_gamma._regimes(np, a, x)
    assert min(series.sum(), fraction.sum(), temme.sum()) >= 100  # the grid covers each regime
    log_x = np.log(x)
    got = _log_partial(lib[dtype], a, x, log_x)
    want = _core_log_partial(a, x, log_x)
    # relative to the size of dz/dalpha's terms: |dlog| and 1/a (near log x = psi(a) the
    # fraction's two terms cancel, in both codes alike)
    err = np.abs(got.astype(np.float64) - want) / (np.abs(want) + 1 / a)
    assert err.max() <= {"float64": 1e-13, "float32": 2e-6}[dtype], err.max()


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_partial_where_x_underflows(lib, dtype):
    """x = 0 with a finite log x (alpha << 1): the log-space partial is finite and agrees."""
    a = np.array([1e-4, 1e-3, 1e-2, 0.05], dtype=dtype)
    log_x = np.array([-2e4, -1e3, -800.0, -750.0], dtype=dtype)
    got = _log_partial(lib[dtype], a, np.zeros_like(a), log_x)
    want = _core_log_partial(a, np.zeros_like(a), log_x)
    assert np.all(np.isfinite(got))
    assert _rel(got, want).max() <= {"float64": 1e-13, "float32": 1e-6}[dtype]


# --- the sampler ---------------------------------------------------------------------------


def test_philox_known_answers(lib):
    """Random123's published Philox4x32-10 vectors (kat_vectors)."""
    cases = [
        ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
        ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
        (
            (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
            (0xA4093822, 0x299F31D0),
            (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
        ),
    ]
    for ctr, key, want in cases:
        words = np.array(ctr, dtype=np.uint32)
        lib["float64"].t_philox(words, *key)
        assert tuple(int(w) for w in words) == want


ALPHAS = (0.05, 0.4, 1.0, 2.5, 20.0, 700.0)
N = 40_000


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_samples_follow_gamma_and_partials_match_core(lib, dtype, alpha):
    z, dz = _sample(lib[dtype], alpha, N, key=(7, int(alpha * 1000)))
    z64 = z.astype(np.float64)
    assert st.kstest(z64, st.gamma(alpha).cdf).pvalue > 1e-4
    assert abs(z64.mean() - alpha) < 5 * np.sqrt(alpha / N)
    # d E[z] / d alpha = 1 (rate 1), from the partials alone
    assert abs(dz.astype(np.float64).mean() - 1) < 5 * dz.astype(np.float64).std() / np.sqrt(N)
    # the partial at each draw is the core's implicit partial at that value (where z is
    # normal: below, the core's gamma_partial clamps log z; the kernel keeps the exact log)
    normal = z >= np.finfo(dtype).smallest_normal
    a = np.full(int(normal.sum()), alpha, dtype=dtype)
    want = incomplete_gamma.gamma_partial(NUMPY, a, z[normal])
    err = _rel(dz[normal], want)
    assert err.max() <= {"float64": 1e-12, "float32": 1e-5}[dtype], err.max()


@pytest.mark.parametrize("dtype", DTYPES)
def test_tiny_alpha_is_finite_in_log_space(lib, dtype):
    """alpha = 1e-3: many draws underflow to 0, as often as the law says; z, dz finite."""
    n = 4000
    z, dz = _sample(lib[dtype], 1e-3, n)
    assert np.all(np.isfinite(z)) and np.all(np.isfinite(dz)) and np.all(dz >= 0)
    p = st.gamma(1e-3).cdf(float(np.finfo(dtype).smallest_subnormal))  # 0.48 and 0.90
    assert abs((z == 0).mean() - p) < 5 * np.sqrt(p * (1 - p) / n)


def test_same_key_same_draws_other_key_other_draws(lib):
    alpha = np.array([0.3, 3.0, 30.0])
    z1, dz1 = _sample(lib["float64"], alpha, 300, key=(1, 2))
    z2, dz2 = _sample(lib["float64"], alpha, 300, key=(1, 2))
    z3, _ = _sample(lib["float64"], alpha, 300, key=(1, 3))
    np.testing.assert_array_equal(z1, z2)
    np.testing.assert_array_equal(dz1, dz2)
    assert np.all(z1 != z3)


def test_broadcast_alpha_repeats_along_the_flat_index(lib):
    """Element i uses alpha[i % m]: per-column means follow the column's alpha.

    A Gamma(alpha) mean of n draws has standard error sqrt(alpha / n): 5 of them bound each
    column (a correct kernel fails with probability 5.7e-7 per column, two-sided normal
    tail), so swapped or shifted columns (alpha off by 10x) fail by hundreds of errors.
    """
    alpha = np.array([0.5, 5.0, 50.0])
    n = 20_000
    z, _ = _sample(lib["float64"], alpha, 3 * n)
    means = z.reshape(-1, 3).mean(0)
    assert np.all(np.abs(means - alpha) <= 5 * np.sqrt(alpha / n)), (means, alpha)


@pytest.mark.parametrize("alpha", [np.nan, 0.0, -1e30, -np.inf])
def test_invalid_alpha_gives_nan_and_returns(lib, alpha):
    """No loop depends on an invalid alpha (digamma's recurrence would not end at -1e30)."""
    z, dz = _sample(lib["float64"], alpha, 4)
    assert np.all(np.isnan(z)) and np.all(np.isnan(dz))


# --- Gumbel-Softmax forward ----------------------------------------------------------------


def _gumbel_case(k, rows, dtype, seed):
    gen = np.random.default_rng(seed)
    logits = gen.normal(size=(rows, k)) * 3
    if k > 1:
        logits[gen.random((rows, k)) < 0.2] = -np.inf  # categories of probability 0
        logits[:, 0] = gen.normal(size=rows)  # at least one finite per row
    u = gen.random((rows, k))
    u.flat[::7] = 0.0  # the end points, clamped into (0, 1) by both codes
    u.flat[3::11] = np.nextafter(1.0, 0.0)
    tau = np.geomspace(0.05, 5.0, rows)
    return (np.ascontiguousarray(v, dtype=dtype) for v in (logits, u, tau))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 2, 3, 10, 31, 32, 33, 100, 1000])
def test_gumbel_softmax_matches_relaxed_one_hot_categorical(lib, dtype, k):
    logits, u, tau = _gumbel_case(k, rows=max(4, 2000 // k), dtype=dtype, seed=k)
    out = np.empty_like(logits)
    lib[dtype].t_gumbel_softmax(logits, u, tau, out, logits.shape[0], k, lanes_per_row(k))
    dist = rc.RelaxedOneHotCategorical(tau, logits=logits, validate_args=False)
    want = dist.reparameterize(u)
    np.testing.assert_array_equal(out[np.isneginf(logits)], 0)
    tol = {"float64": 1e-13, "float32": 2e-6}[dtype]
    np.testing.assert_allclose(out, want, rtol=tol, atol=tol)
    np.testing.assert_allclose(out.sum(-1), 1, rtol=0, atol=10 * tol)


def test_lanes_per_row():
    assert [lanes_per_row(k) for k in (1, 2, 3, 9, 32, 33, 5000)] == [1, 2, 4, 16, 32, 32, 32]


# --- the CUDA text -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_cuda_source_compiles_with_nvcc(tmp_path, dtype):
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        pytest.skip("nvcc is not on PATH")
    source = tmp_path / "kernels.cu"
    source.write_text(KERNEL_SOURCE)
    flags = ["-DRC_SINGLE"] if dtype == "float32" else []
    done = subprocess.run(
        [nvcc, "-c", "-arch=sm_90", *flags, "-o", str(tmp_path / "k.o"), str(source)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    nm = shutil.which("nm")
    if nm is not None:  # the host stubs carry the kernels' extern "C" names
        names = subprocess.run([nm, str(tmp_path / "k.o")], capture_output=True, text=True).stdout
        assert "rc_gamma_sample_and_partial_kernel" in names
        assert "rc_gumbel_softmax_kernel" in names
