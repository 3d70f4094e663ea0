"""CuPy backend: cupy.random.Generator and cupyx.scipy.special. No autodiff.

Imported only when a CuPy array reaches the library. Unverified until run on a GPU
(tests skip unless ``cupy.is_available()``).
"""

import array_api_compat.cupy as xp
import cupy
import cupyx.scipy.special as sc
from relaxcore.backends.numpy import _generator_functions

name = "cupy"


def default_float_dtype():
    return xp.float64


# --- random numbers -------------------------------------------------------------------


def _draw_dtype(dtype):
    return dtype if dtype in (cupy.float32, cupy.float64) else cupy.float32


as_rng, split_rng, uniform, normal, standard_gamma = _generator_functions(
    cupy, "cupy", _draw_dtype, lambda draws, dtype, device: draws.astype(dtype, copy=False)
)


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
