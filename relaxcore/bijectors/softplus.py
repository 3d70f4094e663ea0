"""The softplus y = log(1 + exp(x)), with a stable inverse."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array
from relaxcore.bijectors.bijector import Bijector


class Softplus(Bijector):
    r"""``y = log(1 + e^x)`` onto (0, inf), elementwise.

    .. math:: \log|dy/dx| = \log\sigma(x) = -\mathrm{softplus}(-x)

    Inverse :math:`x = \log(\mathrm{expm1}(y)) = y + \log(-\mathrm{expm1}(-y))`: the second
    form neither overflows for large y nor loses digits for small y (``expm1`` keeps them),
    and ``log|dx/dy| = -log(-expm1(-y))``.
    """

    codomain = constraints.positive

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return bk.softplus(x), -bk.softplus(-x)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        log_slope = xp.log(-xp.expm1(-y))
        return y + log_slope, -log_slope

    def is_increasing(self) -> bool:
        return True
