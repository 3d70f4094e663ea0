"""Random variates from a NumPy-style ``Generator``: the rng handling of the numpy, cupy
and array_api_strict backends, written once.

``numpy.random.Generator`` and ``cupy.random.Generator`` share their API; each backend
binds the five functions below to its module, its dtypes and how draws become its arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType


def generator_functions(
    module: ModuleType,
    framework: str,
    draw_dtype: Callable[[object], object],
    finish: Callable[[object, object, object], object],
):
    """``(as_rng, split_rng, uniform, normal, standard_gamma)`` for `module` (numpy or cupy).

    `draw_dtype(dtype)`: the dtype the Generator draws in (float32 or float64);
    `finish(draws, dtype, device)`: the draws as arrays of the backend's `dtype`.
    """
    generator = module.random.Generator
    integers = (int, module.integer) if hasattr(module, "integer") else (int,)

    def as_rng(rng, device=None):
        """None -> a fresh default_rng(); an int seed; or a Generator of `module`."""
        if rng is None or isinstance(rng, integers):
            return module.random.default_rng(rng)
        if isinstance(rng, generator):
            return rng
        raise TypeError(
            f"rng must be None, an int seed or a {module.__name__}.random.Generator for "
            f"{framework} arrays; got {type(rng).__name__}"
        )

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
