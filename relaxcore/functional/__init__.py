"""Relaxed samples as plain functions, the way ``torch.nn.functional.gumbel_softmax`` is called.

Each function draws its noise and returns a differentiable sample of the logits' framework
and dtype, with the same value as the matching class's ``rsample`` for the same seed, but
without constructing a distribution: no promotion beyond the dtypes involved, and only
cheap checks (one reduction) when validation is on.
"""

from relaxcore.functional.gumbel_softmax import gumbel_softmax
from relaxcore.functional.hard_concrete import hard_concrete
from relaxcore.functional.relaxed_bernoulli import relaxed_bernoulli

__all__ = ["gumbel_softmax", "hard_concrete", "relaxed_bernoulli"]
