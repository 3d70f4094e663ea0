"""The logistic sigmoid y = 1 / (1 + exp(-x))."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array
from relaxcore.bijectors.bijector import Bijector, open_interval


class Sigmoid(Bijector):
    r"""``y = sigmoid(x)`` onto (0, 1), elementwise.

    .. math:: \log|dy/dx| = \log\sigma(x) + \log\sigma(-x)
              = -\mathrm{softplus}(-x) - \mathrm{softplus}(x),

    finite where ``sigmoid(x)`` itself rounds to 0 or 1; ``y`` is clipped into the open
    interval by one unit in the last place there (so samples of a flow stay in its
    support). Inverse ``log y - log1p(-y)``.
    """

    codomain = constraints.open_unit_interval

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        y = open_interval(bk.xp, bk.sigmoid(x), 0.0, 1.0)
        return y, -bk.softplus(-x) - bk.softplus(x)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        log_y, log_1my = xp.log(y), xp.log1p(-y)
        return log_y - log_1my, -log_y - log_1my

    def is_increasing(self) -> bool:
        return True
