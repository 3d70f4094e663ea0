"""Power map y = x ** power on x > 0."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector, shape_of
from relaxcore.bijectors.scale import nonzero


class Power(Bijector):
    r"""``y = x ** power`` on x > 0 onto y > 0, elementwise, power != 0.

    .. math:: \log|dy/dx| = \log|p| + (p - 1)\log x

    Inverse ``y ** (1 / power)``. A Python-number power adopts each input's framework.
    """

    power: Array

    domain = constraints.positive
    codomain = constraints.positive

    def __init__(
        self, power: ArrayLike, *, validate_args: bool = True, backend: str | None = None
    ) -> None:
        p = self._set_params({"power": power}, backend, ("power",))
        if validate_args:
            self._check("power", p["power"], nonzero)

    @property
    def param_shape(self) -> Shape | None:
        return shape_of(self.power)

    def _log_slope(self, bk, x):
        xp = bk.xp
        power = self._like(bk, self.power, x)
        return xp.log(xp.abs(power)) + (power - 1) * xp.log(x)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return x**self.power, self._log_slope(bk, x)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        x = y ** (1 / self.power)
        return x, -self._log_slope(bk, x)

    def is_increasing(self) -> bool:
        return self.power > 0

    def __repr__(self):
        return f"Power(shape {shape_of(self.power)})"
