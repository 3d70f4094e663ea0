"""Transformers of coupling and autoregressive layers: elementwise maps whose parameters a
conditioner network emits (the "transformer" of Papamakarios et al. 2021, sec. 3.1).

A transformer reads raw (unconstrained) parameters of shape (..., P, n), P per
coordinate, in P blocks of n, as a network's last layer lays them out, and maps the n
coordinates elementwise. A conditioner whose last layer is zero gives raw parameters 0,
at which each transformer below is the identity.
"""

from __future__ import annotations

import math

from relaxcore._typing import Array
from relaxcore.bijectors.rational_quadratic_spline import rational_quadratic, spline_knots
from relaxcore.distribution import compute_dtype


class AffineTransformer:
    r"""``y = x e^{s} + t``, ``log|dy/dx| = s``, from raw ``(t, s_raw)`` with
    ``s = bound * tanh(s_raw / bound)`` (scales within exp(+-bound); RealNVP, MAF)."""

    n_params = 2

    def __init__(self, log_scale_bound: float = 5.0) -> None:
        self.log_scale_bound = float(log_scale_bound)

    def _shift_and_log_scale(self, xp, raw):
        bound = self.log_scale_bound
        return raw[..., 0, :], bound * xp.tanh(raw[..., 1, :] / bound)

    def forward_and_log_det(self, bk, raw, x: Array) -> tuple[Array, Array]:
        shift, log_scale = self._shift_and_log_scale(bk.xp, raw)
        return x * bk.xp.exp(log_scale) + shift, log_scale

    def inverse_and_log_det(self, bk, raw, y: Array) -> tuple[Array, Array]:
        shift, log_scale = self._shift_and_log_scale(bk.xp, raw)
        return (y - shift) * bk.xp.exp(-log_scale), -log_scale

    def __repr__(self):
        return f"AffineTransformer(log_scale_bound={self.log_scale_bound})"


class SplineTransformer:
    r"""A rational-quadratic spline with `bins` bins on [-bound, bound], identity outside
    (``RationalQuadraticSpline``; neural spline flows, Durkan et al. 2019). Raw parameters:
    K widths, K heights, K - 1 interior slopes (P = 3K - 1); the slopes are offset by
    ``log(expm1(1 - min_slope))`` so that raw 0 gives slope 1 and the identity."""

    def __init__(
        self, bins: int = 8, bound: float = 5.0, *, min_bin_size=1e-3, min_slope=1e-3
    ) -> None:
        if int(bins) < 1:
            raise ValueError(f"SplineTransformer: bins must be >= 1; got {bins}")
        self.bins, self.bound = int(bins), float(bound)
        self.min_bin_size, self.min_slope = float(min_bin_size), float(min_slope)
        self.n_params = 3 * self.bins - 1
        self._slope_offset = math.log(math.expm1(1.0 - self.min_slope))

    def _knots(self, bk, raw):
        xp, k = bk.xp, self.bins
        per_dim = xp.matrix_transpose(raw)  # (..., n, P)
        return spline_knots(
            bk,
            per_dim[..., :k],
            per_dim[..., k : 2 * k],
            per_dim[..., 2 * k :] + self._slope_offset,
            self.bound,
            self.min_bin_size,
            self.min_slope,
        )

    def _apply(self, bk, raw, v, inverse):
        """The spline at `v`, in float32 for half precisions (as RationalQuadraticSpline:
        knots a few ulps apart in half precision give bins of width 0), returned in the
        dtype of `v` and `raw` promoted together."""
        xp = bk.xp
        dtype = xp.result_type(v.dtype, raw.dtype)
        up = compute_dtype(xp, dtype)

        def cast(a, to):
            return a if a.dtype == to else xp.astype(a, to)

        out, log_det = rational_quadratic(
            bk, cast(v, up), self._knots(bk, cast(raw, up)), self.bound, inverse
        )
        return cast(out, dtype), cast(log_det, dtype)

    def forward_and_log_det(self, bk, raw, x: Array) -> tuple[Array, Array]:
        return self._apply(bk, raw, x, inverse=False)

    def inverse_and_log_det(self, bk, raw, y: Array) -> tuple[Array, Array]:
        return self._apply(bk, raw, y, inverse=True)

    def __repr__(self):
        return f"SplineTransformer(bins={self.bins}, bound={self.bound})"


def as_transformer(spec):
    """A transformer from ``"affine"``, ``"spline"`` or a transformer object."""
    if spec == "affine":
        return AffineTransformer()
    if spec == "spline":
        return SplineTransformer()
    if hasattr(spec, "n_params") and hasattr(spec, "forward_and_log_det"):
        return spec
    raise ValueError(
        f"transformer must be 'affine', 'spline' or a transformer object; got {spec!r}"
    )
