"""Names for the types of the public signatures.

An array of relaxcore is an array of whichever framework the caller uses (numpy, torch,
jax, cupy, array_api_strict): there is no common static type for them, so ``Array`` is
``Any`` and the names document intent. ``ArrayLike`` also admits Python numbers (promoted
to the framework and dtype of the other parameters).
"""

from __future__ import annotations

from typing import Any

#: an array of any supported framework
Array = Any
#: an array, or a Python number that adopts the framework and dtype of the other arguments
#: (``Any`` too: a union with float would reject the array methods of every framework)
ArrayLike = Any
#: a sample or batch shape
Shape = tuple[int, ...]
#: "affine", "spline", or a transformer object (``AffineTransformer``, ``SplineTransformer``)
Transformer = Any
#: ``None``, an int seed, a numpy/cupy ``Generator``, a ``torch.Generator`` or a JAX key
RNG = Any

__all__ = ["RNG", "Array", "ArrayLike", "Shape", "Transformer"]
