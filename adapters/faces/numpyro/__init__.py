"""relaxcore.numpyro: relaxcore's distributions as ``numpyro.distributions.Distribution``
objects. Same class names as ``relaxcore``; see ``relaxcore.adapters.faces._numpyro``."""

from relaxcore.adapters.faces._numpyro import CLASSES

globals().update(CLASSES)
__all__ = sorted(CLASSES)
