"""What a parameter may be, checked before any framework sees it, with messages that name
the class, the argument, what it got and what is allowed.

* an array of numpy, torch, jax, cupy or array_api_strict, or a real Python number;
* not a list, tuple or string (``Normal: loc must be an array or a Python number; got
  list``), not complex (the imaginary part is never dropped), not None where required;
* a NumPy scalar (``np.float64``, a 0-d array) beside arrays of another framework acts as
  a Python number, as torch and JAX themselves accept it.

The class is found from the caller's ``self`` only on the error path (never when tracing).
"""

from __future__ import annotations

import numbers
import sys
import types

from relaxcore._dispatch import framework_of


def owner_name(default: str | None = None) -> str | None:
    """Name of the distribution or bijector under construction (from the call stack)."""
    if default:
        return default
    from relaxcore._pytree import PytreeNode

    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, PytreeNode):
            return type(candidate).__name__
        frame = frame.f_back
    return None


def _prefix(owner):
    name = owner_name(owner)
    return f"{name}: " if name else ""


def _is_numpy_scalar(value) -> bool:
    return framework_of(value) == "numpy" and getattr(value, "ndim", None) == 0


def _is_complex(value) -> bool:
    if isinstance(value, complex):
        return True
    kind = getattr(getattr(value, "dtype", None), "kind", None)  # numpy dtypes
    return kind == "c" or getattr(getattr(value, "dtype", None), "is_complex", False) is True


def check_params(params: dict, owner: str | None = None, required=()) -> dict:
    """`params` checked, NumPy scalars beside another framework's arrays turned into floats."""
    for name, value in params.items():
        if value is None:
            if name in required:
                raise TypeError(
                    f"{_prefix(owner)}{name} is required; got None (pass an array or a "
                    f"Python number)"
                )
            continue
        if isinstance(value, (str, bytes, list, tuple, dict)):
            raise TypeError(
                f"{_prefix(owner)}{name} must be an array or a Python number; got "
                f"{type(value).__name__} (convert it first, e.g. with your framework's asarray)"
            )
        if _is_complex(value):
            got = repr(value) if isinstance(value, complex) else f"an array of {value.dtype}"
            raise TypeError(
                f"{_prefix(owner)}{name} must be real; got {got} (the imaginary part is not "
                f"dropped silently: pass the real part)"
            )
        if not hasattr(value, "dtype") and not isinstance(value, numbers.Real):
            raise TypeError(
                f"{_prefix(owner)}{name} must be an array or a Python number; got "
                f"{type(value).__module__}.{type(value).__qualname__}"
            )
    if all(v is None for v in params.values()) and params:
        raise TypeError(f"{_prefix(owner)}got None for every parameter of {tuple(params)}")
    frameworks = {framework_of(v) for v in params.values() if hasattr(v, "dtype")} - {None}
    if len(frameworks) > 1 and "numpy" in frameworks:
        params = {k: float(v) if _is_numpy_scalar(v) else v for k, v in params.items()}
    return params
