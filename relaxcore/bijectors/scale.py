"""Scaling y = scale * x."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector, shape_of

nonzero = constraints.Constraint("!= 0 (and not NaN)", lambda xp, x: (x != 0) & ~xp.isnan(x))


class Scale(Bijector):
    r"""``y = scale * x``, elementwise (scale broadcasts), scale != 0.

    .. math:: \log|dy/dx| = \log|\mathrm{scale}|

    A negative scale is a decreasing map: ``TransformedDistribution.cdf`` flips to 1 - F.
    A Python-number scale adopts the framework and dtype of each input.
    """

    scale: Array

    def __init__(
        self, scale: ArrayLike, *, validate_args: bool = True, backend: str | None = None
    ) -> None:
        p = self._set_params({"scale": scale}, backend, ("scale",))
        if validate_args:
            self._check("scale", p["scale"], nonzero)

    @property
    def param_shape(self) -> Shape | None:
        return shape_of(self.scale)

    def _log_abs_scale(self, bk, x, shape):
        xp = bk.xp
        return xp.broadcast_to(xp.log(xp.abs(self._like(bk, self.scale, x))), shape)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        y = self.scale * x
        return y, self._log_abs_scale(bk, x, y.shape)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        x = y / self.scale
        return x, -self._log_abs_scale(bk, y, x.shape)

    def is_increasing(self) -> bool:
        return self.scale > 0

    def __repr__(self):
        return f"Scale(shape {shape_of(self.scale)})"
