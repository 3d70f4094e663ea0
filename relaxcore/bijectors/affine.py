"""Affine map y = shift + (L + V V^T) x on vectors (TFP's old Affine)."""

from __future__ import annotations

from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import Array, ArrayLike
from relaxcore.bijectors.bijector import Bijector


class Affine(Bijector):
    r"""``y = shift + M x`` with ``M = L + V V^T`` on the last axis.

    ``L = tril(scale_tril)`` (identity when None) and ``V = scale_perturb_factor`` (D x r,
    a low-rank update; none when None). The log-det is

    .. math:: \log|\det M| = \sum_i \log|L_{ii}| \quad (V = 0),
              \qquad \log|\det(L + VV^T)| \ \text{by slogdet otherwise},

    and the inverse solves ``M x = y - shift`` (the Array API has no triangular solve).
    Parameters may carry batch axes in front and are used as given, so torch leaf tensors
    and JAX arrays train directly.
    """

    scale_perturb_factor: Array
    scale_tril: Array
    shift: Array

    event_ndims_in = 1
    event_ndims_out = 1

    def __init__(
        self,
        shift: ArrayLike | None = None,
        scale_tril: ArrayLike | None = None,
        scale_perturb_factor: ArrayLike | None = None,
        *,
        backend: str | None = None,
    ) -> None:
        p = self._set_params(
            {
                "shift": shift,
                "scale_tril": scale_tril,
                "scale_perturb_factor": scale_perturb_factor,
            },
            backend,
        )
        if all(v is None for v in p.values()):
            raise ValueError("Affine: give at least one of shift, scale_tril, scale_perturb_factor")

    def _matrix(self, xp):
        """M = L + V V^T, or None for the identity."""
        m = None if self.scale_tril is None else xp.tril(self.scale_tril)
        v = self.scale_perturb_factor
        if v is not None:
            vvt = v @ xp.matrix_transpose(v)
            m = vvt + (xp.eye(v.shape[-2], dtype=v.dtype) if m is None else m)
        return m

    def _log_det(self, xp, m, batch_shape, dtype):
        if m is None:
            log_det = xp.asarray(0.0, dtype=dtype)
        elif self.scale_perturb_factor is None:
            log_det = xp.sum(xp.log(xp.abs(xp.linalg.diagonal(m))), axis=-1)
        else:
            log_det = xp.linalg.slogdet(m)[1]
        return xp.broadcast_to(log_det, batch_shape)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        m = self._matrix(xp)
        y = x if m is None else (m @ x[..., None])[..., 0]
        if self.shift is not None:
            y = y + self.shift
        return y, self._log_det(xp, m, tuple(y.shape[:-1]), y.dtype)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        m = self._matrix(xp)
        x = y if self.shift is None else y - self.shift
        if m is not None:
            batch = broadcast_shapes(x.shape[:-1], m.shape[:-2])
            m = xp.broadcast_to(m, batch + tuple(m.shape[-2:]))
            x = xp.linalg.solve(m, xp.broadcast_to(x, batch + tuple(x.shape[-1:]))[..., None])
            x = x[..., 0]
        return x, -self._log_det(xp, m, tuple(x.shape[:-1]), x.dtype)

    def __repr__(self):
        given = [
            k
            for k in ("shift", "scale_tril", "scale_perturb_factor")
            if getattr(self, k) is not None
        ]
        return f"Affine({', '.join(given)})"
