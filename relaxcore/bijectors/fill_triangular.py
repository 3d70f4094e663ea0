"""Vector to lower-triangular matrix, in TFP's order (the seed's ``tfb_fill_triangular``)."""

from __future__ import annotations

import math

from array_api_compat import device as device_of

from relaxcore._typing import Array, Shape
from relaxcore.bijectors.bijector import Bijector


def _side(m: int) -> int | None:
    """n with n(n + 1)/2 = m, or None."""
    n = int((math.isqrt(8 * m + 1) - 1) // 2)
    return n if n * (n + 1) // 2 == m else None


def fill_order(n: int, upper: bool = False):
    """``(positions, sources)``: entry ``positions[j]`` of the flattened n x n matrix holds
    vector entry ``sources[j]``, for the triangle's entries in row-major order. TFP's
    clockwise spiral: the lower triangle is ``tril(reshape(concat([x[n:], reverse(x)])))``
    and the upper ``triu(reshape(concat([x, reverse(x[n:])])))``."""
    m = n * (n + 1) // 2
    positions, sources = [], []
    for k in range(n * n):
        row, col = divmod(k, n)
        if upper and col >= row:
            sources.append(k if k < m else 2 * m - 1 - k)
        elif not upper and col <= row:
            sources.append(n + k if k < m - n else m - 1 - (k - (m - n)))
        else:
            continue
        positions.append(k)
    return positions, sources


class FillTriangular(Bijector):
    """Vector of n(n + 1)/2 entries -> n x n lower (or upper) triangular matrix; log-det 0.

    The order is TFP's ``fill_triangular``: ``[1, 2, 3, 4, 5, 6]`` fills
    ``[[4, 0, 0], [6, 5, 0], [3, 2, 1]]`` (``upper=True``: ``[[1, 2, 3], [0, 5, 6],
    [0, 0, 4]]``), so a flow written with the seed's ``tfb_fill_triangular()`` gives the
    same matrices here. Volume is measured on the triangle's entries, so the log-det is 0.
    """

    event_ndims_in = 1
    event_ndims_out = 2

    def __init__(self, upper: bool = False) -> None:
        self.upper = bool(upper)

    def _n(self, m) -> int:
        n = _side(int(m))
        if n is None:
            raise ValueError(
                f"FillTriangular: x must end in n(n + 1)/2 entries (1, 3, 6, 10, ...); got {m}"
            )
        return n

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        n = self._n(x.shape[-1])
        positions, sources = fill_order(n, self.upper)
        index = [len(sources)] * (n * n)  # the appended zero
        for p, s in zip(positions, sources, strict=True):
            index[p] = s
        batch = tuple(x.shape[:-1])
        padded = xp.concat([x, xp.zeros_like(x[..., :1])], axis=-1)
        index = xp.asarray(index, dtype=xp.int32, device=device_of(x))
        y = xp.reshape(xp.take(padded, index, axis=x.ndim - 1), batch + (n, n))
        return y, xp.zeros(batch, dtype=x.dtype, device=device_of(x))

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        if y.ndim < 2 or y.shape[-1] != y.shape[-2]:
            raise ValueError(
                f"FillTriangular: y must end in a square matrix; got shape {tuple(y.shape)}"
            )
        n = int(y.shape[-1])
        positions, sources = fill_order(n, self.upper)
        order = [p for _, p in sorted(zip(sources, positions, strict=True))]
        batch = tuple(y.shape[:-2])
        flat = xp.reshape(y, batch + (n * n,))
        index = xp.asarray(order, dtype=xp.int32, device=device_of(y))
        x = xp.take(flat, index, axis=flat.ndim - 1)
        return x, xp.zeros(batch, dtype=y.dtype, device=device_of(y))

    def forward_event_shape(self, shape: Shape) -> Shape:
        n = self._n(shape[-1])
        return tuple(shape[:-1]) + (n, n)

    def inverse_event_shape(self, shape: Shape) -> Shape:
        n = int(shape[-1])
        return tuple(shape[:-2]) + (n * (n + 1) // 2,)

    def __repr__(self):
        return f"FillTriangular(upper={self.upper})"
