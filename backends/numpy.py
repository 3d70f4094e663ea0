"""NumPy backend: numpy.random.Generator and scipy.special. No autodiff."""

from collections.abc import Callable
from types import ModuleType

import array_api_compat.numpy as xp
import numpy as np
import scipy.special as sc

name = "numpy"


def default_float_dtype():
    return xp.float64


# --- random numbers -------------------------------------------------------------------


def _generator_functions(
    module: ModuleType,
    framework: str,
    draw_dtype: Callable[[object], object],
    finish: Callable[[object, object, object], object],
):
    """``(as_rng, split_rng, uniform, normal, standard_gamma)`` for `module` (numpy or cupy),
    written once for the backends whose random numbers come from a NumPy-style Generator
    (numpy, cupy and array_api_strict: ``cupy.random.Generator`` shares numpy's API).

    `draw_dtype(dtype)`: the dtype the Generator draws in (float32 or float64);
    `finish(draws, dtype, device)`: the draws as arrays of the backend's `dtype`.
    """
    generator = module.random.Generator
    integers = (int, module.integer) if hasattr(module, "integer") else (int,)

    allowed = f"None, an int seed or a {module.__name__}.random.Generator for {framework} arrays"

    def as_rng(rng, device=None):
        """None -> a fresh default_rng(); an int seed; or a Generator of `module`."""
        if isinstance(rng, bool):  # an int subclass: True would silently be seed 1
            raise TypeError(f"rng must be {allowed}; got a bool")
        if isinstance(rng, integers) and rng < 0:
            raise ValueError(f"rng: an int seed must be >= 0 for {framework} arrays; got {rng}")
        if rng is None or isinstance(rng, integers):
            return module.random.default_rng(rng)
        if isinstance(rng, generator):
            return rng
        raise TypeError(f"rng must be {allowed}; got {type(rng).__name__}")

    def split_rng(rng, n):
        """A stateful generator serves every stream: the same object `n` times."""
        return [rng] * n

    def uniform(rng, shape, dtype, device=None):
        """U[0, 1) variates."""
        return finish(rng.random(tuple(shape), dtype=draw_dtype(dtype)), dtype, device)

    def normal(rng, shape, dtype, device=None):
        """Standard normal variates."""
        return finish(rng.standard_normal(tuple(shape), dtype=draw_dtype(dtype)), dtype, device)

    def standard_gamma(rng, concentration, shape, dtype, device=None):
        """Gamma(concentration, 1) variates of `shape` (concentration broadcasts to it)."""
        work = draw_dtype(dtype)
        alpha = module.broadcast_to(module.asarray(concentration, dtype=work), tuple(shape))
        return finish(rng.standard_gamma(alpha, dtype=work), dtype, device)

    return as_rng, split_rng, uniform, normal, standard_gamma


def _draw_dtype(dtype):
    return dtype if dtype in (np.float32, np.float64) else np.float32


as_rng, split_rng, uniform, normal, standard_gamma = _generator_functions(
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
