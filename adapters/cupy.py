r"""CuPy adapter: no autodiff, fused CUDA kernels for the hot paths, DLPack exchange.

* ``attach`` returns the value unchanged: CuPy has no autodiff, so, as for numpy, the
  gradient comes explicitly from ``value_and_partials`` (``rc.implicit.value_and_partials``).
* ``gamma_sample_and_partial``: :math:`z \sim \mathrm{Gamma}(\alpha, 1)` and
  :math:`\partial z/\partial\alpha` in one pass: Marsaglia & Tsang (2000) in log space with
  :math:`\log G_\alpha = \log G_{\alpha+1} + \log(U)/\alpha` for :math:`\alpha < 1`, then
  the implicit partial of Figurnov, Mohamed & Mnih (2018), ported from
  ``relaxcore.implicit.incomplete_gamma`` (same regimes, same fixed iteration counts).
* ``gumbel_softmax_forward``: :math:`\mathrm{softmax}((l - \log(-\log u))/\tau)` along the
  last axis, one pass over each row (online max and sum), one warp or sub-warp per row.
* ``to_torch``, ``to_jax``, ``from_torch``, ``from_jax``: zero-copy DLPack views.

``KERNEL_SOURCE`` is one text for two compilers: NVRTC (CuPy's ``RawModule``) and nvcc
compile it as CUDA; gcc compiles it as C99 with the CUDA qualifiers defined away, so the
tests check the kernel math on a CPU (``tests/test_cupy_kernel_source.py``). ``-DRC_SINGLE``
selects float. The kernels compile on first use, once per dtype. Random numbers are
Philox4x32-10 (Salmon et al. 2011), keyed by two words drawn from the caller's
``cupy.random.Generator`` and countered by the element index and attempt: the same seed
gives the same samples, on any grid size.
"""

from __future__ import annotations

import numpy as np

from relaxcore.implicit import incomplete_gamma as _ig
from relaxcore.implicit._temme_coefficients import E as _TEMME_E
from relaxcore.implicit.value_and_partials import value_and_partials

__all__ = [
    "KERNEL_SOURCE",
    "attach",
    "from_jax",
    "from_torch",
    "gamma_sample_and_partial",
    "gumbel_softmax_forward",
    "to_jax",
    "to_torch",
    "value_and_partials",
]

#: Marsaglia-Tsang proposals per element before giving up with NaN: each accepts with
#: probability > 0.95 (alpha >= 1), so 32 rejections in a row have probability < 1e-41
MAX_ATTEMPTS = 32
_BLOCK = 256


def _temme_table() -> str:
    """e_k(eta) coefficients as C rows for the float64 step counts (the widest); order k
    keeps degree ``degree - k`` as in the core, the dropped entries are 0."""
    _, _, orders, degree = _ig.STEPS_FLOAT64
    rows = []
    for k, row in enumerate(_TEMME_E[:orders]):
        used = degree + 1 - k
        coefs = [f"-RC_C({-c!r})" if c < 0 else f"RC_C({c!r})" for c in row[:used]]
        rows.append("  {" + ", ".join(coefs + ["RC_C(0.0)"] * (degree + 1 - used)) + "}")
    return ",\n".join(rows)


_STEP_NAMES = ("SERIES_TERMS", "FRACTION_DEPTH", "TEMME_ORDERS", "TEMME_DEGREE")


def _render(template: str) -> str:
    """The template with the core's constants and Temme table filled in."""
    values = {
        **{f"{name}_64": n for name, n in zip(_STEP_NAMES, _ig.STEPS_FLOAT64)},
        **{f"{name}_32": n for name, n in zip(_STEP_NAMES, _ig.STEPS_FLOAT32)},
        "TEMME_MIN_A": repr(float(_ig.TEMME_MIN_A)),
        "LAMBDA_LOW": repr(_ig._LAMBDA_LOW),
        "LAMBDA_HIGH": repr(_ig._LAMBDA_HIGH),
        "MAX_ATTEMPTS": MAX_ATTEMPTS,
        "TEMME_E": _temme_table(),
    }
    for name, value in values.items():
        template = template.replace(f"@{name}@", str(value))
    return template


KERNEL_SOURCE = _render(r"""
#ifdef __CUDACC__
#define RC_FN __device__ static
#define RC_TABLE static __constant__ const
#else
#include <math.h>
#define RC_FN static
#define RC_TABLE static const
#endif

typedef unsigned int rc_u32;
typedef unsigned long long rc_u64;

#ifdef RC_SINGLE
typedef float real;
#define RC_C(x) x##f
#define rc_exp expf
#define rc_log logf
#define rc_sqrt sqrtf
#define rc_cos cosf
#define rc_fabs fabsf
#define RC_MAX 3.4028234663852886e38f
#define RC_TINY 1.1754943508222875e-38f
#define RC_EPS 1.1920928955078125e-07f
#define RC_SERIES_REACH 0.0f
#else
typedef double real;
#define RC_C(x) x
#define rc_exp exp
#define rc_log log
#define rc_sqrt sqrt
#define rc_cos cos
#define rc_fabs fabs
#define RC_MAX 1.7976931348623157e308
#define RC_TINY 2.2250738585072014e-308
#define RC_EPS 2.220446049250313e-16
#define RC_SERIES_REACH 2.0
#endif

#ifdef __CUDACC__
#ifdef RC_SINGLE
#define RC_INF __int_as_float(0x7f800000)
#define RC_NAN __int_as_float(0x7fffffff)
#else
#define RC_INF __longlong_as_double(0x7ff0000000000000ULL)
#define RC_NAN __longlong_as_double(0x7fffffffffffffffULL)
#endif
#else
#define RC_INF ((real)INFINITY)
#define RC_NAN ((real)NAN)
#endif

/* fixed step counts, per precision, as the core's STEPS_FLOAT32 / STEPS_FLOAT64 */
#ifdef RC_SINGLE
#define RC_SERIES_TERMS @SERIES_TERMS_32@
#define RC_FRACTION_DEPTH @FRACTION_DEPTH_32@
#define RC_TEMME_ORDERS @TEMME_ORDERS_32@
#define RC_TEMME_DEGREE @TEMME_DEGREE_32@
#else
#define RC_SERIES_TERMS @SERIES_TERMS_64@
#define RC_FRACTION_DEPTH @FRACTION_DEPTH_64@
#define RC_TEMME_ORDERS @TEMME_ORDERS_64@
#define RC_TEMME_DEGREE @TEMME_DEGREE_64@
#endif
#define RC_TABLE_ORDERS @TEMME_ORDERS_64@
#define RC_TABLE_DEGREE @TEMME_DEGREE_64@
#define RC_TEMME_MIN_A RC_C(@TEMME_MIN_A@)
#define RC_LAMBDA_LOW RC_C(@LAMBDA_LOW@)
#define RC_LAMBDA_HIGH RC_C(@LAMBDA_HIGH@)
#define RC_MAX_ATTEMPTS @MAX_ATTEMPTS@

/* e_k(eta), row k: coefficients of eta^0 .. eta^(RC_TABLE_DEGREE - k) */
RC_TABLE real rc_temme_e[RC_TABLE_ORDERS][RC_TABLE_DEGREE + 1] = {
@TEMME_E@
};

/* ---- special functions ----------------------------------------------------------------- */

/* digamma(x), x > 0: recurrence up to x >= 10, then the asymptotic series to x^-14
   (NaN for x <= 0, where the recurrence would not end) */
RC_FN real rc_digamma(real x) {
  if (!(x > 0)) return RC_NAN;
  real acc = 0;
  while (x < RC_C(10.0)) {
    acc -= 1 / x;
    x += 1;
  }
  real inv = 1 / x, inv2 = inv * inv;
  real tail = inv2 * (RC_C(-1.0) / 12 + inv2 * (RC_C(1.0) / 120 + inv2 * (RC_C(-1.0) / 252
      + inv2 * (RC_C(1.0) / 240 + inv2 * (RC_C(-1.0) / 132 + inv2 * (RC_C(691.0) / 32760
      + inv2 * (RC_C(-1.0) / 12)))))));
  return acc + rc_log(x) - RC_C(0.5) * inv + tail;
}

/* ---- d log(x)/da for x ~ Gamma(a, 1): incomplete_gamma.gamma_log_partial ------------------ */

/* S = sum_n x^n / ((a+1)..(a+n)) and dS/da, RC_SERIES_TERMS terms */
RC_FN void rc_series(real a, real x, real *s, real *ds) {
  real term = 1, harmonic = 0;
  *s = 1;
  *ds = 0;
  for (int n = 1; n <= RC_SERIES_TERMS; ++n) {
    real inv = 1 / (a + (real)n);
    term *= x * inv;
    harmonic -= inv;
    *s += term;
    *ds += term * harmonic;
  }
}

/* Legendre's fraction C and dC/da, evaluated backwards from depth RC_FRACTION_DEPTH */
RC_FN void rc_fraction(real a, real x, real *c, real *dc) {
  real t = x + (real)(2 * RC_FRACTION_DEPTH + 1) - a;
  real dt = -1;
  for (int n = RC_FRACTION_DEPTH; n > 0; --n) {
    real inv_t = 1 / t;
    real ratio = (real)n * (a - (real)n) * inv_t;
    dt = -1 + ((real)n - ratio * dt) * inv_t;
    t = x + (real)(2 * n - 1) - a + ratio;
  }
  *c = 1 / t;
  *dc = -dt * *c * *c;
}

/* lambda - 1 - log(lambda), with s - log1p(s) = s t - 2 t^3 (1/3 + t^2/5 + ...) near 1 */
RC_FN real rc_half_eta_sq(real lam) {
  real s = lam - 1;
  if (rc_fabs(s) >= RC_C(0.25)) return s - rc_log(lam);
  real t = s / (2 + s), t2 = t * t, acc = 0;
  for (int j = 13; j >= 0; --j) acc = acc * t2 + 1 / (real)(2 * j + 3);
  return s * t - 2 * t * t2 * acc;
}

RC_FN real rc_temme_log_partial(real a, real x) {
  real lam = x / a;
  real h = rc_half_eta_sq(lam);
  real eta = rc_sqrt(2 * (h > 0 ? h : 0));
  if (lam < 1) eta = -eta;
  real inv_a = 1 / a, out = 0;
  for (int k = RC_TEMME_ORDERS - 1; k >= 0; --k) {
    real poly = 0;
    for (int j = RC_TEMME_DEGREE - k; j >= 0; --j)
      poly = poly * eta + rc_temme_e[k][j];
    out = out * inv_a + poly;
  }
  return out * inv_a;
}

/* d log(x) / da for x ~ Gamma(a, 1), given x and log(x) (x may underflow to 0) */
RC_FN real rc_gamma_log_partial(real a, real x, real log_x) {
  real lam = x / a;
  int big = a >= RC_TEMME_MIN_A;
  if (big && lam >= RC_LAMBDA_LOW && lam <= RC_LAMBDA_HIGH) return rc_temme_log_partial(a, x);
  if ((big && lam < RC_LAMBDA_LOW) || (!big && (x < a + 1 || x < RC_SERIES_REACH))) {
    real s, ds;
    rc_series(a, x, &s, &ds);
    return -(s * (log_x - rc_digamma(a + 1)) + ds) / a;
  }
  real c, dc;
  rc_fraction(a, x, &c, &dc);
  return c * (rc_log(x) - rc_digamma(a)) + dc;
}

/* ---- Philox4x32-10 and the variates built on it --------------------------------------- */

RC_FN void rc_philox(rc_u32 ctr[4], rc_u32 k0, rc_u32 k1) {
  for (int round = 0; round < 10; ++round) {
    if (round) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    rc_u64 p0 = (rc_u64)0xD2511F53u * ctr[0], p1 = (rc_u64)0xCD9E8D57u * ctr[2];
    rc_u32 c1 = ctr[1], c3 = ctr[3];
    ctr[0] = (rc_u32)(p1 >> 32) ^ c1 ^ k0;
    ctr[1] = (rc_u32)p1;
    ctr[2] = (rc_u32)(p0 >> 32) ^ c3 ^ k1;
    ctr[3] = (rc_u32)p0;
  }
}

/* four uniforms in (0, 1] for proposal `attempt` of element `idx` (24 or 53 random bits) */
RC_FN void rc_uniforms(rc_u32 k0, rc_u32 k1, rc_u64 idx, rc_u32 attempt, real u[4]) {
#ifdef RC_SINGLE
  rc_u32 w[4] = {(rc_u32)idx, (rc_u32)(idx >> 32), attempt, 0};
  rc_philox(w, k0, k1);
  for (int i = 0; i < 4; ++i) u[i] = ((real)(w[i] >> 8) + RC_C(0.5)) * RC_C(5.9604644775390625e-08);
#else
  for (rc_u32 half = 0; half < 2; ++half) {
    rc_u32 w[4] = {(rc_u32)idx, (rc_u32)(idx >> 32), attempt, half};
    rc_philox(w, k0, k1);
    for (int i = 0; i < 2; ++i) {
      real bits = (real)(w[2 * i] >> 5) * 67108864.0 + (real)(w[2 * i + 1] >> 6);
      u[2 * half + i] = (bits + 0.5) * 1.1102230246251565e-16;
    }
  }
#endif
}

/* log G, G ~ Gamma(alpha, 1): Marsaglia-Tsang on alpha (or alpha + 1 with the log-space boost
   for alpha < 1; its uniform is the fourth of the accepting proposal, unused by the test) */
RC_FN real rc_log_standard_gamma(real alpha, rc_u32 k0, rc_u32 k1, rc_u64 idx) {
  int boost = alpha < 1;
  real d = (boost ? alpha + 1 : alpha) - RC_C(1.0) / 3;
  real c = 1 / rc_sqrt(9 * d);
  for (rc_u32 attempt = 0; attempt < RC_MAX_ATTEMPTS; ++attempt) {
    real u[4];
    rc_uniforms(k0, k1, idx, attempt, u);
    real x = rc_sqrt(-2 * rc_log(u[0])) * rc_cos(RC_C(6.283185307179586) * u[1]);
    real v = 1 + c * x;
    if (v <= 0) continue;
    real log_v = 3 * rc_log(v), x2 = x * x;
    if (u[2] < 1 - RC_C(0.0331) * x2 * x2
        || rc_log(u[2]) < RC_C(0.5) * x2 + d * (1 - rc_exp(log_v) + log_v)) {
      real log_g = rc_log(d) + log_v;
      return boost ? log_g + rc_log(u[3]) / alpha : log_g;
    }
  }
  return RC_NAN;
}

/* z ~ Gamma(alpha, 1) and dz/dalpha (NaN for alpha <= 0 or NaN); the log partial is clipped
   to the dtype's range (it overflows only where z underflows to 0, so z * partial stays
   finite and 0 there) */
RC_FN void rc_gamma_sample_and_partial(real alpha, rc_u32 k0, rc_u32 k1, rc_u64 idx,
                                       real *z, real *dz) {
  if (!(alpha > 0)) {
    *z = *dz = RC_NAN;
    return;
  }
  real log_g = rc_log_standard_gamma(alpha, k0, k1, idx);
  real g = rc_exp(log_g);
  real dlog = rc_gamma_log_partial(alpha, g, log_g);
  dlog = dlog > RC_MAX ? RC_MAX : (dlog < -RC_MAX ? -RC_MAX : dlog);
  *z = g;
  *dz = g * dlog;
}

/* ---- Gumbel-Softmax forward, one row split over `lanes` lanes ------------------------- */

RC_FN real rc_gumbel_score(real logit, real u, real tau) {
  u = u < RC_TINY ? RC_TINY : (u > 1 - RC_EPS / 2 ? 1 - RC_EPS / 2 : u);
  return (logit - rc_log(-rc_log(u))) / tau;
}

/* merge the online log-sum-exp state (m, s) with (m2, s2); -inf scores contribute 0 */
RC_FN void rc_lse_merge(real *m, real *s, real m2, real s2) {
  if (m2 > *m) {
    *s = *s * rc_exp(*m - m2) + s2;
    *m = m2;
  } else if (m2 > -RC_INF) {
    *s += s2 * rc_exp(m2 - *m);
  }
}

RC_FN void rc_gumbel_lane_state(const real *logits, const real *u, real tau, long long k,
                                int lane, int lanes, real *m, real *s) {
  *m = -RC_INF;
  *s = 0;
  for (long long j = lane; j < k; j += lanes)
    rc_lse_merge(m, s, rc_gumbel_score(logits[j], u[j], tau), 1);
}

RC_FN void rc_gumbel_lane_write(const real *logits, const real *u, real tau, long long k,
                                int lane, int lanes, real m, real s, real *out) {
  for (long long j = lane; j < k; j += lanes)
    out[j] = rc_exp(rc_gumbel_score(logits[j], u[j], tau) - m) / s;
}

/* ---- kernels ------------------------------------------------------------------------- */
#ifdef __CUDACC__

/* alpha has m elements; element i of the output uses alpha[i % m] (trailing broadcast) */
extern "C" __global__ void rc_gamma_sample_and_partial_kernel(
    const real *alpha, long long m, const rc_u32 *key, real *z, real *dz, long long n) {
  rc_u32 k0 = key[0], k1 = key[1];
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
       i += (long long)gridDim.x * blockDim.x) {
    rc_gamma_sample_and_partial(alpha[i % m], k0, k1, (rc_u64)i, z + i, dz + i);
  }
}

/* `lanes` (a power of 2 <= 32) threads per row; logits, u and tau repeat every
   l_rows, u_rows and t_rows rows (trailing broadcast); out is rows x k */
extern "C" __global__ void rc_gumbel_softmax_kernel(
    const real *logits, long long l_rows, const real *u, long long u_rows,
    const real *tau, long long t_rows, real *out, long long rows, long long k, int lanes) {
  long long thread = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  long long step = (long long)gridDim.x * blockDim.x / lanes;
  int lane = threadIdx.x % lanes;
  /* whole warps iterate together so that every lane joins the shuffles */
  for (long long first = (thread - threadIdx.x % 32) / lanes, row = thread / lanes; first < rows;
       first += step, row += step) {
    int live = row < rows;
    long long r = live ? row : 0, kk = live ? k : 0;
    const real *lrow = logits + (r % l_rows) * k, *urow = u + (r % u_rows) * k;
    real t = tau[r % t_rows], m, s;
    rc_gumbel_lane_state(lrow, urow, t, kk, lane, lanes, &m, &s);
    for (int offset = lanes / 2; offset > 0; offset /= 2) {
      real m2 = __shfl_xor_sync(0xffffffffu, m, offset, lanes);
      real s2 = __shfl_xor_sync(0xffffffffu, s, offset, lanes);
      rc_lse_merge(&m, &s, m2, s2);
    }
    m = __shfl_sync(0xffffffffu, m, 0, lanes);
    s = __shfl_sync(0xffffffffu, s, 0, lanes);
    if (live) rc_gumbel_lane_write(lrow, urow, t, kk, lane, lanes, m, s, out + r * k);
  }
}

#endif
""")


def lanes_per_row(k: int) -> int:
    """Threads per softmax row: the smallest power of 2 >= k, at most a warp (32)."""
    lanes = 1
    while lanes < min(k, 32):
        lanes *= 2
    return lanes


def attach(value, params, partials):
    """The value unchanged: CuPy has no autodiff (use ``value_and_partials``)."""
    return value


# --- kernels ------------------------------------------------------------------------------

_MODULES: dict = {}


def _function(dtype, name):
    """Kernel `name` compiled for float32 or float64 (on first use)."""
    import cupy

    key = cupy.dtype(dtype).name
    if key not in _MODULES:
        options = ("-DRC_SINGLE",) if key == "float32" else ()
        _MODULES[key] = cupy.RawModule(code=KERNEL_SOURCE, options=options)
    return _MODULES[key].get_function(name)


def _compute_dtype(dtype):
    import cupy

    dtype = cupy.dtype(dtype)
    if dtype in (cupy.float32, cupy.float64):
        return dtype
    return cupy.dtype(cupy.float32 if dtype == cupy.float16 else cupy.float64)


def _trailing(x, shape, dtype):
    """`x` as a contiguous array whose flat index i % x.size is element i of `shape`."""
    import cupy

    x = cupy.asarray(x, dtype=dtype)
    if x.ndim > len(shape) or tuple(x.shape) != tuple(shape[len(shape) - x.ndim :]):
        x = cupy.broadcast_to(x, shape)
    return cupy.ascontiguousarray(x)


def _grid(n, per_block):
    return (max(1, min(-(-n // per_block), 2**31 - 1)),)


def gamma_sample_and_partial(alpha, shape=None, *, rng=None):
    r"""``(z, dz/dalpha)`` with :math:`z \sim \mathrm{Gamma}(\alpha, 1)` of `shape`, one kernel.

    `alpha` broadcasts to `shape` (default ``alpha.shape``); ``rng``: None, an int seed or a
    ``cupy.random.Generator`` (two key words are drawn from it). For Gamma(alpha, rate) use
    ``z / rate`` and ``dz / rate``. Float32 and float64 compute in their dtype, float16 in
    float32 (results cast back). alpha <= 0 or NaN gives NaN.
    """
    import cupy
    from relaxcore.backends import cupy as bk

    alpha = cupy.asarray(alpha)
    shape = tuple(alpha.shape if shape is None else shape)
    given, dtype = alpha.dtype, _compute_dtype(alpha.dtype)
    alpha = _trailing(alpha, shape, dtype)
    key = bk.as_rng(rng).integers(0, 2**32, size=2, dtype=cupy.uint32)
    z = cupy.empty(shape, dtype=dtype)
    dz = cupy.empty(shape, dtype=dtype)
    if z.size:
        kernel = _function(dtype, "rc_gamma_sample_and_partial_kernel")
        kernel(
            _grid(z.size, _BLOCK),
            (_BLOCK,),
            (alpha, np.int64(max(alpha.size, 1)), key, z, dz, np.int64(z.size)),
        )
    if given == cupy.float16:
        return z.astype(given), dz.astype(given)
    return z, dz


def gumbel_softmax_forward(logits, uniform_noise, temperature):
    r"""``softmax((logits - log(-log u)) / temperature)`` along the last axis, one fused pass.

    The result has the broadcast shape of `logits` and `uniform_noise` (``(..., K)``);
    `temperature` broadcasts to its batch shape ``(...)``. ``u`` is clamped into the open
    interval like the core's ``reparameterize``; logits of -inf give exact zeros. Equals
    ``RelaxedOneHotCategorical(temperature, logits=logits).reparameterize(uniform_noise)``.
    """
    import cupy

    logits, noise = cupy.asarray(logits), cupy.asarray(uniform_noise)
    shape = np.broadcast_shapes(logits.shape, noise.shape)
    if not shape:
        raise ValueError("gumbel_softmax_forward: logits need a last axis (the K categories)")
    given = cupy.result_type(logits.dtype, noise.dtype)
    dtype = _compute_dtype(given)
    k = shape[-1]
    rows = 1
    for n in shape[:-1]:
        rows *= n
    logits = _trailing(logits, shape, dtype)
    noise = _trailing(noise, shape, dtype)
    tau = _trailing(temperature, shape[:-1], dtype)
    out = cupy.empty(shape, dtype=dtype)
    if out.size:
        lanes = lanes_per_row(k)
        kernel = _function(dtype, "rc_gumbel_softmax_kernel")
        kernel(
            _grid(rows * lanes, _BLOCK),
            (_BLOCK,),
            (
                logits,
                np.int64(logits.size // k),
                noise,
                np.int64(noise.size // k),
                tau,
                np.int64(max(tau.size, 1)),
                out,
                np.int64(rows),
                np.int64(k),
                np.int32(lanes),
            ),
        )
    return out.astype(given) if given == cupy.float16 else out


# --- DLPack: zero-copy views between frameworks on the same GPU ---------------------------


def to_torch(x):
    """A torch tensor sharing `x`'s memory (``torch.from_dlpack``)."""
    import torch

    return torch.from_dlpack(x)


def from_torch(t):
    """A cupy array sharing `t`'s memory; a tensor that requires grad must be detached first."""
    import cupy

    return cupy.from_dlpack(t)


def to_jax(x):
    """A jax array sharing `x`'s memory (``jax.dlpack.from_dlpack``); JAX treats it as
    immutable, so do not write to `x` while the jax array is alive."""
    import jax.dlpack

    return jax.dlpack.from_dlpack(x, copy=False)


def from_jax(a):
    """A cupy array sharing `a`'s memory (``cupy.from_dlpack``); do not write to it."""
    import cupy

    return cupy.from_dlpack(a)
