"""Choose the backend of a call from its arrays, without importing any framework.

A framework whose array we are handed is already imported (einops' rule), so the
array's module name is enough to pick the backend; the backend module, which does
import its framework, is loaded only then, once: later look-ups are a dict read, so
nothing is imported inside traced code (torch.compile, jax.jit) after first use.
"""

from __future__ import annotations

import importlib
import numbers
from types import ModuleType

#: array module root -> backend name
_ROOT_TO_BACKEND = {
    "numpy": "numpy",
    "torch": "torch",
    "jax": "jax",
    "jaxlib": "jax",
    "cupy": "cupy",
    "array_api_strict": "array_api_strict",
}

BACKEND_NAMES = ("numpy", "torch", "jax", "cupy", "array_api_strict")
DEFAULT_BACKEND = "numpy"


#: backend name -> its loaded module (filled on first use; objects store the name)
_LOADED: dict[str, ModuleType] = {}


def get_backend(name: str) -> ModuleType:
    """The backend module called `name` (one of BACKEND_NAMES), imported on first use."""
    module = _LOADED.get(name)
    if module is None:
        if name not in BACKEND_NAMES:
            raise ValueError(f"backend must be one of {BACKEND_NAMES}; got {name!r}")
        module = _LOADED[name] = importlib.import_module(f"relaxcore.backends.{name}")
    return module


#: backend name -> its adapter module, or None where it has none (no autodiff)
_ADAPTERS: dict[str, ModuleType | None] = {}


def get_adapter(name: str) -> ModuleType | None:
    """The adapter module of backend `name` (autodiff hooks), imported on first use."""
    if name in _ADAPTERS:
        return _ADAPTERS[name]
    try:
        module = importlib.import_module(f"relaxcore.adapters.{name}")
    except ModuleNotFoundError:
        module = None
    _ADAPTERS[name] = module
    return module


def _is_scalar(value) -> bool:
    return value is None or (
        isinstance(value, numbers.Number) and type(value).__module__ == "builtins"
    )


def framework_of(value) -> str | None:
    """Backend name for one argument: None for Python scalars, else from its type's module."""
    if _is_scalar(value):
        return None
    root = type(value).__module__.partition(".")[0]
    if root not in _ROOT_TO_BACKEND:  # a subclass defined elsewhere (Pyro's ProvenanceTensor)
        root = next(
            (
                r
                for r in (c.__module__.partition(".")[0] for c in type(value).__mro__[1:])
                if r in _ROOT_TO_BACKEND
            ),
            root,
        )
    if root not in _ROOT_TO_BACKEND:
        raise TypeError(
            f"expected an array of numpy, torch, jax, cupy or array_api_strict, "
            f"or a Python number; got {type(value).__module__}.{type(value).__qualname__}"
        )
    return _ROOT_TO_BACKEND[root]


def backend_for(*values, backend: str | None = None) -> ModuleType:
    """The one backend serving `values`; `backend` names it when all are Python scalars.

    Mixing arrays of two frameworks is an error that names both.
    """
    found = None
    for value in values:
        name = framework_of(value)
        if name is None:
            continue
        if found is not None and name != found:
            raise TypeError(
                f"arguments mix {found} and {name} arrays; convert them to one framework "
                f"(for GPU arrays, DLPack moves them without a copy)"
            )
        found = name
    if found is not None and backend is not None and backend != found:
        raise TypeError(f"backend={backend!r} was requested but the arguments are {found} arrays")
    return get_backend(found or backend or DEFAULT_BACKEND)
