"""The trainable arrays of a flow, for optimizers that take a list (torch.optim)."""

from __future__ import annotations

from types import FunctionType, ModuleType
from typing import Any


def _is_float_array(value) -> bool:
    return hasattr(value, "shape") and "float" in str(getattr(value, "dtype", ""))


def _is_torch_module(obj) -> bool:
    return any(
        c.__name__ == "Module" and c.__module__.startswith("torch.nn") for c in type(obj).__mro__
    )


def parameters(flow: Any) -> list:
    """Every floating-point array held by the bijector of `flow` (a TransformedDistribution
    or a bijector), each once, in a fixed order: the built-in MLPs' weights, bijectors'
    array parameters, and ``parameters()`` of torch modules used as conditioners. The base
    distribution's arrays are not included (the base stays fixed).
    """
    found, seen = [], set()

    def walk(obj):
        if id(obj) in seen or isinstance(obj, (ModuleType, FunctionType, type, str)):
            return
        seen.add(id(obj))
        if _is_float_array(obj):
            found.append(obj)
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                walk(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                walk(item)
        elif _is_torch_module(obj):
            for item in obj.parameters():
                walk(item)
        elif hasattr(obj, "__dict__"):
            for key, item in vars(obj).items():
                if not key.startswith("_"):
                    walk(item)

    walk(getattr(flow, "bijector", flow))
    return found
