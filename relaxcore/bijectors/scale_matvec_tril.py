"""Lower-triangular linear map y = L x (TFP's ScaleMatvecTriL)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector

_nonzero = constraints.Constraint("!= 0 on the diagonal", lambda xp, d: (d != 0) & ~xp.isnan(d))


class ScaleMatvecTriL(Bijector):
    r"""``y = L x`` on the last axis, ``L = tril(scale_tril)`` (entries above the diagonal
    are ignored), nonzero diagonal.

    .. math:: \log|\det L| = \sum_i \log|L_{ii}|

    The inverse solves ``L x = y``. Batch axes of ``scale_tril`` (before the matrix)
    broadcast against the input's.
    """

    scale_tril: Array

    event_ndims_in = 1
    event_ndims_out = 1

    def __init__(
        self, scale_tril: ArrayLike, *, validate_args: bool = True, backend: str | None = None
    ) -> None:
        p = self._set_params({"scale_tril": scale_tril}, backend, ("scale_tril",))
        tril = p["scale_tril"]
        if getattr(tril, "ndim", 0) < 2 or tril.shape[-1] != tril.shape[-2]:
            raise ValueError(
                "ScaleMatvecTriL: scale_tril must end in a square matrix; got shape "
                f"{tuple(getattr(tril, 'shape', ()))}"
            )
        if validate_args:
            assert self._backend is not None  # set by _set_params
            self._check("scale_tril", self._backend.xp.linalg.diagonal(tril), _nonzero)

    @property
    def param_shape(self) -> Shape | None:
        return tuple(self.scale_tril.shape[:-1])  # batch axes, then the event's

    def _log_det(self, xp, tril, batch):
        log_det = xp.sum(xp.log(xp.abs(xp.linalg.diagonal(tril))), axis=-1)
        return xp.broadcast_to(log_det, batch)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        tril = xp.tril(self.scale_tril)
        y = (tril @ x[..., None])[..., 0]
        return y, self._log_det(xp, tril, tuple(y.shape[:-1]))

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        tril = xp.tril(self.scale_tril)
        batch = broadcast_shapes(y.shape[:-1], tril.shape[:-2])
        tril_b = xp.broadcast_to(tril, batch + tuple(tril.shape[-2:]))
        x = xp.linalg.solve(tril_b, xp.broadcast_to(y, batch + tuple(y.shape[-1:]))[..., None])
        return x[..., 0], -self._log_det(xp, tril, batch)

    def __repr__(self):
        return f"ScaleMatvecTriL(shape {tuple(self.scale_tril.shape)})"
