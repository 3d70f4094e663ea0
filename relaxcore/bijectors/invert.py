"""The inverse of a bijector: forward and inverse swapped."""

from __future__ import annotations

from relaxcore._typing import Array, Shape
from relaxcore.bijectors.bijector import Bijector


class Invert(Bijector):
    """``Invert(b)`` maps y to ``b.inverse(y)``; its log-det is b's inverse log-det.

    ``condition=`` is passed on to ``b``.
    """

    def __init__(self, bijector: Bijector) -> None:
        self.bijector = bijector
        self._share_backend([bijector])
        self.event_ndims_in = bijector.event_ndims_out
        self.event_ndims_out = bijector.event_ndims_in

    # derived, not stored: constraints hold functions, and the object pickles by its members
    @property
    def domain(self):  # type: ignore[override]  # Bijector's class attribute, derived here
        return self.bijector.codomain

    @property
    def codomain(self):  # type: ignore[override]
        return self.bijector.domain

    @property
    def param_shape(self) -> Shape | None:
        return self.bijector.param_shape

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        return self.bijector.inverse_and_log_det(x, condition=condition)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        return self.bijector.forward_and_log_det(y, condition=condition)

    def forward_event_shape(self, shape: Shape) -> Shape:
        return self.bijector.inverse_event_shape(shape)

    def inverse_event_shape(self, shape: Shape) -> Shape:
        return self.bijector.forward_event_shape(shape)

    def is_increasing(self) -> bool:
        return self.bijector.is_increasing()

    def __repr__(self):
        return f"Invert({self.bijector!r})"
