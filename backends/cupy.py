"""CuPy backend: cupy.random.Generator and cupyx.scipy.special. No autodiff.

Imported only when a CuPy array reaches the library. Unverified until run on a GPU
(tests skip unless ``cupy.is_available()``).
"""

import array_api_compat.cupy as xp
import cupy
import cupyx.scipy.special as sc
import numpy as np

name = "cupy"


def default_float_dtype():
    return xp.float64


# --- random numbers -------------------------------------------------------------------


def as_rng(rng, device=None):
    """None -> a fresh default_rng(); an int seed; or a cupy.random.Generator."""
    if rng is None or isinstance(rng, (int, np.integer)):
        return cupy.random.default_rng(rng)
    if isinstance(rng, cupy.random.Generator):
        return rng
    raise TypeError(
        f"rng must be None, an int seed or a cupy.random.Generator for cupy arrays; "
        f"got {type(rng).__name__}"
    )


def split_rng(rng, n):
    return [rng] * n


def _draw_dtype(dtype):
    return dtype if dtype in (cupy.float32, cupy.float64) else cupy.float32


def uniform(rng, shape, dtype, device=None):
    """U[0, 1) variates."""
    return rng.random(tuple(shape), dtype=_draw_dtype(dtype)).astype(dtype, copy=False)


def normal(rng, shape, dtype, device=None):
    return rng.standard_normal(tuple(shape), dtype=_draw_dtype(dtype)).astype(dtype, copy=False)


def standard_gamma(rng, concentration, shape, dtype, device=None):
    alpha = cupy.broadcast_to(cupy.asarray(concentration, dtype=_draw_dtype(dtype)), tuple(shape))
    return rng.standard_gamma(alpha, dtype=_draw_dtype(dtype)).astype(dtype, copy=False)


# --- autodiff hooks -------------------------------------------------------------------


def stop_gradient(x):
    return x


def is_traced(x):
    return False


# --- special functions and fused primitives --------------------------------------------


def softmax(x, axis=-1):
    return sc.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return sc.log_softmax(x, axis=axis)


def logsumexp(x, axis=-1, keepdims=False):
    return sc.logsumexp(x, axis=axis, keepdims=keepdims)


sigmoid = sc.expit
log_sigmoid = sc.log_expit
lgamma = sc.gammaln
digamma = sc.digamma
erf = sc.erf
erfc = sc.erfc
ndtr = sc.ndtr
ndtri = sc.ndtri
log_ndtr = sc.log_ndtr
gammainc = sc.gammainc
gammaincc = sc.gammaincc
xlogy = sc.xlogy
i0e = sc.i0e
i1e = sc.i1e


def softplus(x):
    return cupy.logaddexp(0, x)
