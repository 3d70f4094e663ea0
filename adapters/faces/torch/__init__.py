"""relaxcore.torch: relaxcore's distributions as ``torch.distributions.Distribution`` objects.

Same class names as ``relaxcore``; see ``relaxcore.adapters.faces._torch``.
"""

from relaxcore.adapters.faces._torch import CLASSES

globals().update(CLASSES)
__all__ = sorted(CLASSES)
