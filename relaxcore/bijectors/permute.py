"""Permutation of the last axis."""

from __future__ import annotations

from array_api_compat import device as device_of

from relaxcore._typing import Array, ArrayLike
from relaxcore.bijectors.bijector import Bijector


class Permute(Bijector):
    """``y[..., i] = x[..., permutation[i]]``: reorders the event vector; log-det 0.

    Flows interleave it between coupling or autoregressive layers so that every
    coordinate gets transformed.
    """

    event_ndims_in = 1
    event_ndims_out = 1

    def __init__(self, permutation: ArrayLike) -> None:
        perm = [int(i) for i in permutation]
        if sorted(perm) != list(range(len(perm))):
            raise ValueError(
                f"Permute: permutation must hold each of 0..{len(perm) - 1} once; got {perm}"
            )
        inverse = [0] * len(perm)
        for i, p in enumerate(perm):
            inverse[p] = i
        self.permutation, self._inverse_perm = tuple(perm), tuple(inverse)

    def _take(self, bk, x, perm):
        xp = bk.xp
        if x.shape[-1] != len(perm):
            raise ValueError(
                f"Permute: the last axis must have size {len(perm)}; got shape {tuple(x.shape)}"
            )
        index = xp.asarray(perm, device=device_of(x))
        y = xp.take(x, index, axis=x.ndim - 1)
        return y, xp.zeros(x.shape[:-1], dtype=x.dtype, device=device_of(x))

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return self._take(bk, x, self.permutation)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        return self._take(bk, y, self._inverse_perm)

    def __repr__(self):
        return f"Permute({list(self.permutation)})"
