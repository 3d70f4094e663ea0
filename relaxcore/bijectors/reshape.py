"""Reshape of the event: the same numbers on a new event shape."""

from __future__ import annotations

import math

from array_api_compat import device as device_of

from relaxcore._typing import Array, Shape
from relaxcore.bijectors.bijector import Bijector


class Reshape(Bijector):
    """Reshapes the event from `event_shape_in` to `event_shape_out` (same size); log-det 0."""

    def __init__(self, event_shape_out: Shape, event_shape_in: Shape) -> None:
        self.event_shape_out = tuple(int(n) for n in event_shape_out)
        self.event_shape_in = tuple(int(n) for n in event_shape_in)
        if math.prod(self.event_shape_out) != math.prod(self.event_shape_in):
            raise ValueError(
                f"Reshape: event_shape_out {self.event_shape_out} and event_shape_in "
                f"{self.event_shape_in} must have the same number of elements"
            )
        self.event_ndims_in = len(self.event_shape_in)
        self.event_ndims_out = len(self.event_shape_out)

    def _reshape(self, bk, x, shape_from, shape_to):
        n = len(shape_from)
        if tuple(x.shape[x.ndim - n :]) != shape_from or x.ndim < n:
            raise ValueError(
                f"Reshape: input must end in the event shape {shape_from}; got {tuple(x.shape)}"
            )
        batch = tuple(x.shape[: x.ndim - n])
        xp = bk.xp
        zeros = xp.zeros(batch, dtype=x.dtype, device=device_of(x))
        return xp.reshape(x, batch + shape_to), zeros

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return self._reshape(bk, x, self.event_shape_in, self.event_shape_out)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        return self._reshape(bk, y, self.event_shape_out, self.event_shape_in)

    def forward_event_shape(self, shape: Shape) -> Shape:
        return tuple(shape[: len(shape) - self.event_ndims_in]) + self.event_shape_out

    def inverse_event_shape(self, shape: Shape) -> Shape:
        return tuple(shape[: len(shape) - self.event_ndims_out]) + self.event_shape_in

    def __repr__(self):
        return f"Reshape({self.event_shape_out}, {self.event_shape_in})"
