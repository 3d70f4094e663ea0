"""The logistic sigmoid y = 1 / (1 + exp(-x))."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore.bijectors.bijector import Bijector


class Sigmoid(Bijector):
    r"""``y = sigmoid(x)`` onto (0, 1), elementwise.

    .. math:: \log|dy/dx| = \log\sigma(x) + \log\sigma(-x)
              = -\mathrm{softplus}(-x) - \mathrm{softplus}(x),

    finite where ``y`` itself rounds to 0 or 1. Inverse ``log y - log1p(-y)``.
    """

    codomain = constraints.open_unit_interval

    def forward_and_log_det(self, x):
        bk, x = self._array(x)
        return bk.sigmoid(x), -bk.softplus(-x) - bk.softplus(x)

    def inverse_and_log_det(self, y):
        bk, y = self._array(y)
        xp = bk.xp
        log_y, log_1my = xp.log(y), xp.log1p(-y)
        return log_y - log_1my, -log_y - log_1my

    def is_increasing(self):
        return True
