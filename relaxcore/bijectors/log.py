"""The logarithm, as the inverse of Exp."""

from __future__ import annotations

from relaxcore.bijectors.exp import Exp
from relaxcore.bijectors.invert import Invert


class Log(Invert):
    """``y = log(x)`` on x > 0: ``Invert(Exp())``."""

    def __init__(self) -> None:
        super().__init__(Exp())

    def __repr__(self):
        return "Log()"
