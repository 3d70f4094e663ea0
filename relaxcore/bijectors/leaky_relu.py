"""The leaky ReLU (PReLU when the slope is trained): y = x for x >= 0, slope * x below."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector, shape_of


class LeakyReLU(Bijector):
    r"""``y = x`` for x >= 0 and ``slope * x`` for x < 0, elementwise; slope > 0.

    .. math:: \log|dy/dx| = \log(\mathrm{slope})\,[x < 0]

    The slope may be a trainable array of the user's framework (He et al. 2015, PReLU);
    a Python-number slope adopts the framework and dtype of each input.
    """

    slope: Array

    def __init__(
        self, slope: ArrayLike, *, validate_args: bool = True, backend: str | None = None
    ) -> None:
        p = self._set_params({"slope": slope}, backend, ("slope",))
        if validate_args:
            self._check("slope", p["slope"], constraints.positive)

    @property
    def param_shape(self) -> Shape | None:
        return shape_of(self.slope)

    def _map(self, bk, v, sign):
        xp = bk.xp
        slope = self._like(bk, self.slope, v)
        neg = v < 0
        out = xp.where(neg, v * slope if sign > 0 else v / slope, v)
        log_det = xp.where(neg, sign * xp.log(slope), xp.zeros_like(out))
        return out, log_det

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return self._map(bk, x, 1.0)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        return self._map(bk, y, -1.0)

    def is_increasing(self) -> bool:
        return True

    def __repr__(self):
        return f"LeakyReLU(slope shape {shape_of(self.slope)})"
