"""The identity map."""

from __future__ import annotations

from relaxcore._typing import Array
from relaxcore.bijectors.bijector import Bijector


class Identity(Bijector):
    """``y = x``, elementwise; log-det 0."""

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return x, bk.xp.zeros_like(x)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        return y, bk.xp.zeros_like(y)

    def is_increasing(self) -> bool:
        return True
