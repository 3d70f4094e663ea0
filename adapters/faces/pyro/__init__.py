"""relaxcore.pyro: relaxcore's distributions as ``pyro.distributions.TorchDistribution``
objects. Same class names as ``relaxcore``; see ``relaxcore.adapters.faces._pyro``."""

from relaxcore.adapters.faces._pyro import CLASSES

globals().update(CLASSES)
__all__ = sorted(CLASSES)
