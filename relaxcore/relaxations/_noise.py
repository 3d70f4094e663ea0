"""Standard Gumbel and logistic noise from uniforms: the base noise of the Gumbel-Softmax
and binary Concrete families (and of the estimators built on them)."""

from __future__ import annotations


def gumbel(dist, u):
    """``-log(-log u)``, with `u` clamped into the open interval by `dist`."""
    xp = dist.xp
    return -xp.log(-xp.log(dist._open_unit(u)))


def logistic(dist, u):
    """``log u - log(1 - u)`` as one logarithm, with `u` clamped into the open interval."""
    xp = dist.xp
    u = dist._open_unit(u)
    return xp.log(u / (1.0 - u))
