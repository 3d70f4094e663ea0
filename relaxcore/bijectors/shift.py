"""Translation y = x + shift."""

from __future__ import annotations

from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector, shape_of


class Shift(Bijector):
    """``y = x + shift``, elementwise (shift broadcasts); log-det 0.

    A Python-number shift adopts the framework and dtype of each input.
    """

    shift: Array

    def __init__(self, shift: ArrayLike, *, backend: str | None = None) -> None:
        self._set_params({"shift": shift}, backend, ("shift",))

    @property
    def param_shape(self) -> Shape | None:
        return shape_of(self.shift)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        y = x + self.shift
        return y, bk.xp.zeros_like(y)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        x = y - self.shift
        return x, bk.xp.zeros_like(x)

    def is_increasing(self) -> bool:
        return True

    def __repr__(self):
        return f"Shift(shape {shape_of(self.shift)})"
