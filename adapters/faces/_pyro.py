"""relaxcore.pyro: every relaxcore distribution as a ``pyro.distributions.TorchDistribution``.

The torch face's adaptations (``relaxcore.torch``) plus Pyro's mixin: ``pyro.sample`` calls
the object (``rsample`` where it exists), and ``to_event``, ``mask``, ``expand_by`` are
Pyro's (``to_event`` gives ``pyro.distributions.Independent``). KL pairs are the ones
registered with torch by the torch face.
"""

from __future__ import annotations

from pyro.distributions import TorchDistribution
from pyro.distributions.torch_distribution import TorchDistributionMixin
from relaxcore.adapters.faces._generate import face_classes
from relaxcore.adapters.faces._torch import CONSTRAINTS, TorchFace, default_validate_args


class PyroFace(TorchFace):
    """The torch face, with Pyro's ``to_event`` (Pyro's Independent, which its inference
    code recognizes) instead of relaxcore's."""

    to_event = TorchDistributionMixin.to_event


CLASSES = face_classes(
    "relaxcore.pyro", PyroFace, TorchDistribution, CONSTRAINTS, "torch", default_validate_args
)
