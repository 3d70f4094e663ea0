"""relaxcore.torch: every relaxcore distribution as a ``torch.distributions.Distribution``.

``rc.torch.Gamma(alpha)`` is an ``rc.Gamma`` and a ``torch.distributions.Distribution``:
torch-valued ``support`` / ``arg_constraints`` (``biject_to`` works), ``torch.Size`` shapes,
``expand(batch_shape, _instance=None)``, ``rsample(sample_shape)`` with torch's global
generator by default (``rng=`` still accepted), and torch's global ``validate_args`` default.
Every pair of relaxcore's KL registry is registered with ``torch.distributions.kl``.
"""

from __future__ import annotations

import torch
import torch.distributions as td
from relaxcore.adapters.faces._constraints import ConstraintMap
from relaxcore.adapters.faces._generate import face_classes

import relaxcore as rc
from relaxcore import kl as rc_kl
from relaxcore._dispatch import get_backend


def default_validate_args() -> bool:
    """torch's global default (``td.Distribution.set_default_validate_args``, Pyro's
    ``enable_validation``)."""
    return bool(td.Distribution._validate_args)


class TorchFace:
    """What differs between relaxcore's and torch's distribution protocols."""

    #: {name: face class} of the namespace (set when the classes are made)
    _faces: dict = {}

    @property
    def batch_shape(self) -> torch.Size:
        return torch.Size(self._batch_shape)

    @property
    def event_shape(self) -> torch.Size:
        return torch.Size(self._event_shape)

    def expand(self, batch_shape, _instance=None):
        """relaxcore's ``expand`` (views of the parameters); `_instance` is torch's and unused."""
        return super().expand(batch_shape)

    def to_event(self, reinterpreted_batch_ndims=None):
        """``Independent(self, n)`` of this namespace (all batch axes when `n` is None)."""
        n = (
            len(self._batch_shape)
            if reinterpreted_batch_ndims is None
            else reinterpreted_batch_ndims
        )
        return self if n == 0 else self._faces["Independent"](self, n)


CONSTRAINTS = ConstraintMap(td.constraints, get_backend("torch").xp)


def _kl(p, q):
    return rc.kl_divergence(p, q)


def register_kl_pairs() -> None:
    """Register every pair of relaxcore's KL registry with torch's (by the relaxcore
    classes, so the torch and Pyro faces, and their subclasses, all dispatch to it)."""
    for type_p, type_q in list(rc_kl._REGISTRY):
        td.kl.register_kl(type_p, type_q)(_kl)


CLASSES = face_classes(
    "relaxcore.torch", TorchFace, td.Distribution, CONSTRAINTS, "torch", default_validate_args
)
TorchFace._faces = CLASSES
register_kl_pairs()
