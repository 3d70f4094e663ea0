"""y = log(1 + x), as the inverse of Expm1."""

from __future__ import annotations

from relaxcore.bijectors.expm1 import Expm1
from relaxcore.bijectors.invert import Invert


class Log1p(Invert):
    """``y = log1p(x)`` on x > -1: ``Invert(Expm1())``."""

    def __init__(self) -> None:
        super().__init__(Expm1())

    def __repr__(self):
        return "Log1p()"
