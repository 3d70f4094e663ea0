"""array_api_strict backend: proves the core uses the standard and nothing else.

Its special functions are the core's own (relaxcore.math); random variates come from a
numpy Generator (drawing needs no gradient, so the round trip cuts nothing).
"""

import array_api_strict as xp
import numpy as np

from relaxcore.math import fused, special

name = "array_api_strict"

_NP_DTYPES = {xp.float32: np.float32, xp.float64: np.float64}


def default_float_dtype():
    return xp.float64


# --- random numbers -------------------------------------------------------------------


def as_rng(rng, device=None):
    """None -> a fresh default_rng(); an int seed; or a numpy.random.Generator."""
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"rng must be None, an int seed or a numpy.random.Generator for array_api_strict "
        f"arrays; got {type(rng).__name__}"
    )


def split_rng(rng, n):
    return [rng] * n


def _to_xp(values, dtype, device):
    return xp.asarray(values, dtype=dtype, device=device)


def uniform(rng, shape, dtype, device=None):
    """U[0, 1) variates."""
    return _to_xp(rng.random(tuple(shape), dtype=_NP_DTYPES[dtype]), dtype, device)


def normal(rng, shape, dtype, device=None):
    return _to_xp(rng.standard_normal(tuple(shape), dtype=_NP_DTYPES[dtype]), dtype, device)


def standard_gamma(rng, concentration, shape, dtype, device=None):
    alpha = np.broadcast_to(np.asarray(concentration, dtype=_NP_DTYPES[dtype]), tuple(shape))
    return _to_xp(rng.standard_gamma(alpha, dtype=_NP_DTYPES[dtype]), dtype, device)


# --- autodiff hooks -------------------------------------------------------------------


def stop_gradient(x):
    return x


def is_traced(x):
    return False


# --- special functions and fused primitives: the core's own ------------------------------


def _bind(module, fn_name):
    fn = getattr(module, fn_name)

    def bound(*args, **kwargs):
        return fn(xp, *args, **kwargs)

    bound.__name__ = fn_name
    return bound


softmax, log_softmax, logsumexp, sigmoid, log_sigmoid, softplus = (
    _bind(fused, n)
    for n in ("softmax", "log_softmax", "logsumexp", "sigmoid", "log_sigmoid", "softplus")
)
lgamma, digamma, erf, erfc, ndtr, ndtri, log_ndtr, xlogy, i0e, i1e = (
    _bind(special, n)
    for n in (
        "lgamma",
        "digamma",
        "erf",
        "erfc",
        "ndtr",
        "ndtri",
        "log_ndtr",
        "xlogy",
        "i0e",
        "i1e",
    )
)


def gammainc(a, x):
    """P(a, x): the core's array-API version (relaxcore.implicit.incomplete_gamma)."""
    import sys

    from relaxcore.implicit import incomplete_gamma

    return incomplete_gamma.gammainc(sys.modules[__name__], a, x)


def gammaincc(a, x):
    """Q(a, x) = 1 - P(a, x), computed without cancellation."""
    import sys

    from relaxcore.implicit import incomplete_gamma

    return incomplete_gamma.gammaincc(sys.modules[__name__], a, x)
