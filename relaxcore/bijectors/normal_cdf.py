"""The standard normal CDF y = Phi(x)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array
from relaxcore.bijectors.bijector import Bijector, open_interval
from relaxcore.math.special import HALF_LOG_2PI


class NormalCDF(Bijector):
    r"""``y = Phi(x)`` onto (0, 1), elementwise.

    .. math:: \log|dy/dx| = \log\varphi(x) = -x^2/2 - \tfrac12\log 2\pi

    ``Phi(x)`` rounds to 1 for x > 5.4 in float32; ``y`` is clipped into the open interval by
    one unit in the last place. Inverse ``ndtri(y)``.
    ``TransformedDistribution(Uniform(0, 1), Invert(NormalCDF()))`` is the standard normal.
    """

    codomain = constraints.open_unit_interval

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return open_interval(bk.xp, bk.ndtr(x), 0.0, 1.0), -0.5 * x * x - HALF_LOG_2PI

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        x = bk.ndtri(y)
        return x, 0.5 * x * x + HALF_LOG_2PI

    def is_increasing(self) -> bool:
        return True
