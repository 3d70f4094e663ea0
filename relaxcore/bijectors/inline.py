"""A bijector from user functions."""

from __future__ import annotations

from collections.abc import Callable

from relaxcore import constraints
from relaxcore._typing import Array
from relaxcore.bijectors.bijector import Bijector


class Inline(Bijector):
    """A bijector built from `forward_fn`, `inverse_fn` and one log-det function (TFP names).

    Give ``forward_log_det_jacobian_fn(x)`` or ``inverse_log_det_jacobian_fn(y)`` (or both);
    the missing one is the negative of the other at the matching point. ``condition`` is not
    passed to the functions. The functions take
    and return arrays of the user's framework; log-dets have the shape of the input without
    its last ``event_ndims_in`` (resp. ``event_ndims_out``) axes.
    """

    def __init__(
        self,
        forward_fn: Callable[..., Array],
        inverse_fn: Callable[..., Array],
        forward_log_det_jacobian_fn: Callable[..., Array] | None = None,
        inverse_log_det_jacobian_fn: Callable[..., Array] | None = None,
        *,
        event_ndims_in: int = 0,
        event_ndims_out: int | None = None,
        is_increasing: bool | None = None,
        domain: constraints.Constraint = constraints.real,
        codomain: constraints.Constraint = constraints.real,
        name: str = "Inline",
    ) -> None:
        if forward_log_det_jacobian_fn is None and inverse_log_det_jacobian_fn is None:
            raise ValueError(
                "Inline: give forward_log_det_jacobian_fn or inverse_log_det_jacobian_fn"
            )
        self._forward_fn, self._inverse_fn = forward_fn, inverse_fn
        self._fldj, self._ildj = forward_log_det_jacobian_fn, inverse_log_det_jacobian_fn
        self.event_ndims_in = event_ndims_in
        self.event_ndims_out = event_ndims_in if event_ndims_out is None else event_ndims_out
        self._increasing, self.domain, self.codomain = is_increasing, domain, codomain
        self.name = name

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        _, x = self._array(x)
        y = self._forward_fn(x)
        # one of the two is set (checked in __init__)
        log_det = self._fldj(x) if self._fldj is not None else -self._ildj(y)  # type: ignore[misc]
        return y, log_det

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        _, y = self._array(y, "y")
        x = self._inverse_fn(y)
        log_det = self._ildj(y) if self._ildj is not None else -self._fldj(x)  # type: ignore[misc]
        return x, log_det

    def is_increasing(self) -> bool:
        if self._increasing is None:
            return super().is_increasing()
        return self._increasing

    def __repr__(self):
        return f"{self.name}()"
