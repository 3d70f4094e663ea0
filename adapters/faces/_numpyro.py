"""relaxcore.numpyro: every relaxcore distribution as a ``numpyro.distributions.Distribution``.

NumPyro calls ``sample(key, sample_shape)`` and expects it to be differentiable where the
law is reparameterized; relaxcore calls ``sample(sample_shape, rng=key)`` (stopped) and
``rsample``. The face answers both: a call with ``rng=`` is relaxcore's (the core calls
itself that way), any other is NumPyro's and draws with ``rsample`` where it exists, so
implicit gradients (the core's ``jax.custom_jvp``) reach SVI. The classes are JAX pytrees
through relaxcore's registration (NumPyro's own is skipped: one per class). Constructors
default to JAX arrays and to NumPyro's global ``validate_args`` default
(``numpyro.enable_validation``); when on, relaxcore's checks raise ValueError (NumPyro's own
classes warn for values outside the support). ``to_event`` gives NumPyro's Independent.
"""

from __future__ import annotations

import numpyro.distributions as nd
from numpyro.distributions.kl import kl_divergence as numpyro_kl
from relaxcore.adapters.faces._constraints import ConstraintMap
from relaxcore.adapters.faces._generate import face_classes

import relaxcore as rc
from relaxcore import kl as rc_kl
from relaxcore._dispatch import get_backend

# loaded first, so relaxcore registers each face class as a pytree once, when it is made
_jax_backend = get_backend("jax")


def default_validate_args() -> bool:
    return bool(nd.Distribution._validate_args)


class NumpyroFace:
    """What differs between relaxcore's and NumPyro's distribution protocols."""

    def __init_subclass__(cls, **kwargs):
        # not super(): NumPyro's Distribution and relaxcore's PytreeNode would both
        # register the class with JAX, and JAX refuses a second registration
        _jax_backend.register_pytree(cls)

    def sample(self, key=None, sample_shape=(), *, rng=None):
        """NumPyro's ``sample(key, sample_shape)`` (differentiable where reparameterized),
        or relaxcore's ``sample(sample_shape, rng=key)`` when `rng` is given."""
        if rng is not None:
            return super().sample(sample_shape if key is None else key, rng=rng)
        if self.has_rsample:
            return super().rsample(sample_shape, rng=key)
        return super().sample(sample_shape, rng=key)

    def rsample(self, key=None, sample_shape=(), *, rng=None):
        """NumPyro's ``rsample(key, sample_shape)`` or relaxcore's ``rsample(sample_shape,
        rng=key)``."""
        if rng is not None:
            return super().rsample(sample_shape if key is None else key, rng=rng)
        return super().rsample(sample_shape, rng=key)

    def to_event(self, reinterpreted_batch_ndims=None):
        return nd.Distribution.to_event(self, reinterpreted_batch_ndims)


CONSTRAINTS = ConstraintMap(nd.constraints, _jax_backend.xp)


def _kl(p, q):
    return rc.kl_divergence(p, q)


def register_kl_pairs() -> None:
    """Register every pair of relaxcore's KL registry with NumPyro's ``kl_divergence``."""
    for type_p, type_q in list(rc_kl._REGISTRY):
        numpyro_kl.register(type_p, type_q)(_kl)


CLASSES = face_classes(
    "relaxcore.numpyro", NumpyroFace, nd.Distribution, CONSTRAINTS, "jax", default_validate_args
)
register_kl_pairs()
