"""Objects that cross JAX transformation boundaries (jit, vmap, grad) as pytrees.

Distributions and bijectors derive from ``PytreeNode``. When the JAX backend is loaded it
registers every subclass (and any defined later): the attributes that hold JAX arrays,
directly or nested in other nodes or lists, become children; the rest is static.
"""

import sys


class PytreeNode:
    def _after_unflatten(self) -> None:
        """Re-derive what depends on the children's shapes (JAX rebuilt the node from them)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        jax_backend = sys.modules.get("relaxcore.backends.jax")
        if jax_backend is not None:
            jax_backend.register_pytree(cls)
