"""Temperature annealing schedules for relaxed samplers, as plain functions of the step."""

from __future__ import annotations

import math

from relaxcore._typing import Array, ArrayLike


def _check(name, value, ok, allowed):
    if not ok:
        raise ValueError(f"{name} must be {allowed}; got {value!r}")


def exponential_temperature(
    step: ArrayLike, initial: ArrayLike = 1.0, rate: ArrayLike = 1e-4
) -> Array:
    """tau = initial * exp(-rate * step): exponential decay towards 0."""
    _check("step", step, step >= 0, ">= 0")
    _check("initial", initial, initial > 0, "> 0")
    _check("rate", rate, rate >= 0, ">= 0")
    return initial * math.exp(-rate * step)


def jang_temperature(
    step: ArrayLike,
    initial: ArrayLike = 1.0,
    rate: ArrayLike = 1e-4,
    minimum: ArrayLike = 0.5,
    every: int = 1,
) -> Array:
    """tau = max(minimum, initial * exp(-rate * t)), t = step rounded down to a multiple of
    ``every`` (Jang, Gu & Poole 2017, section 4.1: tau0 = 1, r in {1e-5, 1e-4}, updated every
    N = 500 steps, minimum 0.5)."""
    _check("minimum", minimum, minimum >= 0, ">= 0")
    _check("every", every, isinstance(every, int) and every >= 1, "an integer >= 1")
    _check("step", step, step >= 0, ">= 0")
    t = (step // every) * every
    return max(minimum, exponential_temperature(t, initial, rate))
