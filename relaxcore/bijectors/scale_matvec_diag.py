"""Diagonal linear map y = diag(d) x on vectors (TFP's ScaleMatvecDiag)."""

from __future__ import annotations

from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector
from relaxcore.bijectors.scale import nonzero


class ScaleMatvecDiag(Bijector):
    r"""``y = scale_diag * x`` on the last axis (event rank 1), nonzero entries.

    .. math:: \log|\det J| = \sum_i \log|d_i|
    """

    scale_diag: Array

    event_ndims_in = 1
    event_ndims_out = 1

    def __init__(
        self, scale_diag: ArrayLike, *, validate_args: bool = True, backend: str | None = None
    ) -> None:
        p = self._set_params({"scale_diag": scale_diag}, backend, ("scale_diag",))
        if getattr(p["scale_diag"], "ndim", 0) < 1:
            raise ValueError("ScaleMatvecDiag: scale_diag must have at least one axis")
        if validate_args:
            self._check("scale_diag", p["scale_diag"], nonzero)

    @property
    def param_shape(self) -> Shape | None:
        return tuple(self.scale_diag.shape)

    def _log_det(self, xp, batch):
        return xp.broadcast_to(xp.sum(xp.log(xp.abs(self.scale_diag)), axis=-1), batch)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        y = self.scale_diag * x
        return y, self._log_det(bk.xp, tuple(y.shape[:-1]))

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        x = y / self.scale_diag
        return x, -self._log_det(bk.xp, tuple(x.shape[:-1]))

    def __repr__(self):
        return f"ScaleMatvecDiag(shape {tuple(self.scale_diag.shape)})"
