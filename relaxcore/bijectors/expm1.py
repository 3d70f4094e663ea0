"""y = exp(x) - 1, accurate near 0."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array
from relaxcore.bijectors.bijector import Bijector

greater_than_minus_one = constraints.Constraint("> -1", lambda xp, y: y > -1)


class Expm1(Bijector):
    r"""``y = expm1(x)`` onto (-1, inf): :math:`\log|dy/dx| = x`; inverse ``log1p(y)``.

    ``expm1`` rounds to -1 for x < -17 in float32 (-37 in float64); the output is clipped to
    the next number above -1 there, so a flow's own samples stay in its support.
    """

    codomain = greater_than_minus_one

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        floor = -1 + xp.finfo(x.dtype).eps / 2
        return xp.clip(xp.expm1(x), floor, None), x

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        x = bk.xp.log1p(y)
        return x, -x

    def is_increasing(self) -> bool:
        return True
