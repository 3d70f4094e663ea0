"""The per-call preamble of the functional API, kept to a few dictionary lookups.

A functional call has no constructor to amortize its set-up over, so everything that
depends only on types is cached: the backend of an array type, and the output and compute
dtypes of a parameter dtype. What is left per call is one draw of noise and the formula.
"""

from __future__ import annotations

import math

from relaxcore import distribution
from relaxcore._dispatch import framework_of, get_backend
from relaxcore._validation import resolve_validate_args

#: array type -> backend module (a type's framework never changes)
_BACKENDS: dict = {}
#: (backend name, dtype) -> (output dtype, compute dtype, smallest normal of the compute dtype)
_DTYPES: dict = {}


def backend_of(fn: str, name: str, x):
    """The backend serving array `x`, the argument `name` of function `fn`."""
    bk = _BACKENDS.get(type(x))
    if bk is None:
        framework = framework_of(x) if hasattr(x, "dtype") else None
        if framework is None:
            raise TypeError(
                f"{fn}: {name} must be an array (numpy, torch, jax, cupy or array_api_strict); "
                f"got {type(x).__name__}"
            )
        bk = _BACKENDS[type(x)] = get_backend(framework)
    return bk


def dtypes(bk, dtype):
    """(output dtype, compute dtype, smallest normal of the compute dtype) of `dtype`.

    Floating dtypes are kept (float16 and bfloat16 compute in float32); integer and
    boolean arrays are promoted to the framework's default float.
    """
    key = (bk.name, dtype)
    found = _DTYPES.get(key)
    if found is None:
        xp = bk.xp
        out = dtype if xp.isdtype(dtype, "real floating") else bk.default_float_dtype()
        compute = distribution.compute_dtype(xp, out)
        found = _DTYPES[key] = (out, compute, float(xp.finfo(compute).smallest_normal))
    return found


def validating(validate_args, *arrays) -> bool:
    """Whether to check: `validate_args` (None: the library default), never under tracing."""
    if not resolve_validate_args(validate_args):
        return False
    return not any(a is not None and a.__class__ is not float and _traced(a) for a in arrays)


def _traced(x) -> bool:
    bk = _BACKENDS.get(type(x))
    return bk is not None and bk.is_traced(x)


def fail(fn: str, name: str, allowed: str, got) -> None:
    raise ValueError(f"{fn}: {name} must be {allowed}; got {got}")


def scalar_or_array(fn: str, name: str, bk, value, dtype, check, allowed: str, validate: bool):
    """A scalar parameter as a Python float, or an array in `dtype` of the backend `bk`.

    With `validate`, raises ValueError naming `name` and `allowed` where ``check`` fails;
    without, those values become NaN (the policy of ``relaxcore._policy``).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value)
        if not check(value):
            if validate:
                fail(fn, name, allowed, value)
            value = math.nan
        return value
    xp = bk.xp  # an array of the same framework (result_dtype checked it)
    if value.dtype != dtype:
        value = xp.astype(value, dtype)
    ok = check(value)
    if not validate or bk.is_traced(ok):
        return xp.where(ok, value, xp.full_like(value, math.nan))
    if not bool(xp.all(ok)):
        flat = xp.reshape(bk.stop_gradient(value), (-1,))
        bad = flat[xp.reshape(~ok, (-1,))]
        fail(fn, name, allowed, f"{bad.shape[0]} values such as {float(bad[0])}")
    return value


def uniform(bk, rng, shape, dtype, tiny, like):
    """U(0, 1) noise of `shape` in `dtype` on the device of array `like`, moved off 0.

    ``u + tiny`` equals ``clip(u, tiny, 1 - eps/2)`` for every value a generator returns
    (multiples of 2^-24 or finer in [0, 1), which adding `tiny` leaves unchanged; 0 becomes
    tiny): the classes' clamp, in one cheap operation.
    """
    device = device_on(bk, like)
    return bk.uniform(bk.as_rng(rng, device), shape, dtype, device) + tiny


def device_on(bk, x):
    """The device of `x` where the backend places arrays by device (numpy, jax: None)."""
    return None if bk.name in ("numpy", "jax") else x.device  # the standard's attribute


def result_dtype(fn: str, bk, dtype, params: dict):
    """`dtype` promoted with the dtypes of the array `params` (Python scalars adopt it).

    Raises TypeError where a parameter is an array of another framework than `bk`'s.
    """
    for name, p in params.items():
        if isinstance(p, (int, float)):
            continue
        if backend_of(fn, name, p) is not bk:
            raise TypeError(
                f"{fn}: {name} is a {backend_of(fn, name, p).name} array but the logits are "
                f"{bk.name}"
            )
        if p.dtype != dtype:
            dtype = bk.xp.result_type(dtype, p.dtype)
    return dtype


def check_real(fn: str, name: str, bk, x) -> bool:
    """Raise where `x` has NaN (+-inf allowed); True when every value is finite.

    One reduction decides the common case (a sum is finite only if every term is).
    """
    xp = bk.xp
    total = bk.stop_gradient(xp.sum(x))
    if bk.is_traced(total):  # constants under jit: nothing can raise
        return False
    if math.isfinite(float(total)):
        return True
    if bool(xp.any(xp.isnan(x))):
        fail(fn, name, "a real number or +-inf (not NaN)", "NaN values")
    return False


def positive(x):
    return x > 0
