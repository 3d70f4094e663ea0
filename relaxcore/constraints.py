"""Declarative constraints: what values a parameter or a sample may take.

Each constraint names its allowed range in words, so a failed check can say which
argument was wrong and what was allowed (torch.distributions.constraints, with messages).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Constraint:
    """`check(xp, x)` is True elementwise (or per event) where `x` is allowed."""

    description: str
    check: Callable
    event_ndims: int = 0


def _not_nan(xp, x):
    return ~xp.isnan(x)


real = Constraint("a real number (not NaN)", _not_nan)
finite = Constraint("a finite real number", lambda xp, x: xp.isfinite(x))
positive = Constraint("> 0", lambda xp, x: x > 0)
nonnegative = Constraint(">= 0", lambda xp, x: x >= 0)
unit_interval = Constraint("in [0, 1]", lambda xp, x: (x >= 0) & (x <= 1))
open_unit_interval = Constraint("in (0, 1)", lambda xp, x: (x > 0) & (x < 1))
boolean = Constraint("0 or 1", lambda xp, x: (x == 0) | (x == 1))
bernoulli_logits = Constraint("a real number or +-inf (not NaN)", _not_nan)


def _simplex(xp, x):
    total = xp.sum(x, axis=-1)
    tol = 1e-6 if x.dtype == xp.float64 else 1e-3
    return xp.all(x >= 0, axis=-1) & (xp.abs(total - 1) <= tol)


simplex = Constraint("a probability vector (entries >= 0 that sum to 1)", _simplex, 1)


def _category_logits(xp, x):
    # NaN fails `x < inf`, so two reductions check all three conditions
    return xp.all(x < float("inf"), axis=-1) & xp.any(x > -float("inf"), axis=-1)


category_logits = Constraint(
    "real numbers or -inf (not NaN, not +inf), at least one finite per event",
    _category_logits,
    1,
)


def _one_hot(xp, x):
    return xp.all((x == 0) | (x == 1), axis=-1) & (xp.sum(x, axis=-1) == 1)


one_hot = Constraint("a one-hot vector (0s and a single 1)", _one_hot, 1)


def integer_interval(low: int, high: int) -> Constraint:
    return Constraint(
        f"an integer in [{low}, {high}]",
        lambda xp, x: (x >= low) & (x <= high) & (x == xp.round(x)),
    )
