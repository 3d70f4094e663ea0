"""Objects that cross JAX transformation boundaries (jit, vmap, grad) as pytrees, and
process boundaries (pickle, ``copy.deepcopy``, ``torch.save``) by value.

Distributions and bijectors derive from ``PytreeNode``. When the JAX backend is loaded it
registers every subclass (and any defined later): the attributes that hold JAX arrays,
directly or nested in other nodes or lists, become children; the rest is static.

Pickling keeps the arrays and refers to modules (the backend) by name: ``__getstate__``
swaps each module attribute for a ``ModuleName``, ``__setstate__`` swaps it back through
the backend registry. Subclasses, framework faces included, inherit it.
"""

import importlib
import sys
from types import ModuleType


class ModuleName(str):
    """A module attribute in a pickled state: the module's import name."""


def _load(name: str) -> ModuleType:
    from relaxcore._dispatch import get_backend

    prefix = "relaxcore.backends."
    if name.startswith(prefix):
        return get_backend(name[len(prefix) :])
    return importlib.import_module(name)


class PytreeNode:
    def _after_unflatten(self) -> None:
        """Re-derive what depends on the children's shapes (JAX rebuilt the node from them)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        jax_backend = sys.modules.get("relaxcore.backends.jax")
        if jax_backend is not None:
            jax_backend.register_pytree(cls)

    def to_backend(self, backend: str, device=None):
        """This object with its arrays moved to framework `backend` by DLPack (zero copy
        where the device allows); see ``relaxcore.to_backend``."""
        from relaxcore._to_backend import to_backend

        return to_backend(self, backend, device)

    def __getstate__(self):
        state = dict(vars(self))
        for key, value in state.items():
            if isinstance(value, ModuleType):
                state[key] = ModuleName(value.__name__)
        return state

    def __setstate__(self, state):
        vars(self).update((k, _load(v) if type(v) is ModuleName else v) for k, v in state.items())
