"""array_api_strict backend: proves the core uses the standard and nothing else.

Its special functions are the core's own (relaxcore.math); random variates come from a
numpy Generator (drawing needs no gradient, so the round trip cuts nothing).
"""

import array_api_strict as xp
import numpy as np
from relaxcore.backends.numpy import _generator_functions

from relaxcore.math import fused, special

name = "array_api_strict"

_NP_DTYPES = {xp.float32: np.float32, xp.float64: np.float64}


def default_float_dtype():
    return xp.float64


# --- random numbers -------------------------------------------------------------------


as_rng, split_rng, uniform, normal, standard_gamma = _generator_functions(
    np,
    "array_api_strict",
    _NP_DTYPES.__getitem__,
    lambda draws, dtype, device: xp.asarray(draws, dtype=dtype, device=device),
)


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
