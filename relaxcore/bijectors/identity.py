"""The identity map."""

from __future__ import annotations

from relaxcore.bijectors.bijector import Bijector


class Identity(Bijector):
    """``y = x``, elementwise; log-det 0."""

    def forward_and_log_det(self, x, *, condition=None):
        bk, x = self._array(x)
        return x, bk.xp.zeros_like(x)

    def inverse_and_log_det(self, y, *, condition=None):
        bk, y = self._array(y, "y")
        return y, bk.xp.zeros_like(y)

    def is_increasing(self):
        return True
