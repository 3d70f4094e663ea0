"""The square y = x ** 2 on x > 0."""

from __future__ import annotations

import math

from relaxcore import constraints
from relaxcore._typing import Array
from relaxcore.bijectors.bijector import Bijector

_LOG2 = math.log(2.0)


class Square(Bijector):
    r"""``y = x ** 2`` on x > 0 onto y > 0: :math:`\log|dy/dx| = \log 2 + \log x`;
    inverse ``sqrt(y)`` with ``log|dx/dy| = -log 2 - log(y) / 2``."""

    domain = constraints.positive
    codomain = constraints.positive

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return x * x, _LOG2 + bk.xp.log(x)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        return bk.xp.sqrt(y), -_LOG2 - 0.5 * bk.xp.log(y)

    def is_increasing(self) -> bool:
        return True
