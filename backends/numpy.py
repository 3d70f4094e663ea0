"""NumPy backend: numpy.random.Generator and scipy.special. No autodiff."""

import array_api_compat.numpy as xp
import numpy as np
import scipy.special as sc
from relaxcore.backends._generator import generator_functions

name = "numpy"


def default_float_dtype():
    return xp.float64


# --- random numbers -------------------------------------------------------------------


def _draw_dtype(dtype):
    return dtype if dtype in (np.float32, np.float64) else np.float32


as_rng, split_rng, uniform, normal, standard_gamma = generator_functions(
    np, "numpy", _draw_dtype, lambda draws, dtype, device: draws.astype(dtype, copy=False)
)


# --- autodiff hooks -------------------------------------------------------------------


def stop_gradient(x):
    return x


def is_traced(x):
    return False


# --- special functions and fused primitives --------------------------------------------


def _keep(fn):
    """Wrap a scipy ufunc so the result keeps the input's float dtype (scipy upcasts f16)."""

    def wrapped(*args, **kwargs):
        out = np.asarray(fn(*args, **kwargs))
        dtype = np.result_type(*[np.asarray(a).dtype for a in args if hasattr(a, "dtype")] or [out])
        return out.astype(dtype, copy=False) if np.issubdtype(dtype, np.floating) else out

    wrapped.__name__ = fn.__name__
    return wrapped


softmax = _keep(sc.softmax)
log_softmax = _keep(sc.log_softmax)
sigmoid = _keep(sc.expit)
log_sigmoid = _keep(sc.log_expit)
lgamma = _keep(sc.gammaln)
digamma = _keep(sc.digamma)
erf = _keep(sc.erf)
erfc = _keep(sc.erfc)
ndtr = _keep(sc.ndtr)
ndtri = _keep(sc.ndtri)
log_ndtr = _keep(sc.log_ndtr)
gammainc = _keep(sc.gammainc)
gammaincc = _keep(sc.gammaincc)
xlogy = _keep(sc.xlogy)
i0e = _keep(sc.i0e)
i1e = _keep(sc.i1e)


@_keep
def logsumexp(x, axis=-1, keepdims=False):
    return sc.logsumexp(x, axis=axis, keepdims=keepdims)


@_keep
def softplus(x):
    return np.logaddexp(0, x)
