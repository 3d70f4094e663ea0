"""The exponential map y = exp(x)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array
from relaxcore.bijectors.bijector import Bijector


class Exp(Bijector):
    r"""``y = exp(x)``, elementwise: :math:`\log|dy/dx| = x`, inverse ``log y``."""

    codomain = constraints.positive

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return bk.xp.exp(x), x

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        x = bk.xp.log(y)
        return x, -x

    def is_increasing(self) -> bool:
        return True
