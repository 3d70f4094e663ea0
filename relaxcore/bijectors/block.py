"""A bijector applied to a slice of the event vector, the rest passed through."""

from __future__ import annotations

from array_api_compat import device as device_of

from relaxcore._typing import Array, Shape
from relaxcore.bijectors.bijector import Bijector, sum_last


class Block(Bijector):
    """``y[..., index] = b(x[..., index])``, the other entries of the last axis unchanged;
    the log-det is b's, summed over the slice.

    Args:
        bijector: acts on the selected entries (event rank 0 or 1, same size out as in).
        index: a ``slice`` of the last axis, or a sequence of distinct ints.

    ``condition=`` is passed on to `bijector`.
    """

    event_ndims_in = 1
    event_ndims_out = 1

    def __init__(self, bijector: Bijector, index) -> None:
        if bijector.event_ndims_in > 1 or bijector.event_ndims_out != bijector.event_ndims_in:
            raise ValueError(
                "Block: bijector must act elementwise or on vectors (event rank 0 or 1 in and "
                f"out); got {bijector.event_ndims_in} -> {bijector.event_ndims_out}"
            )
        if isinstance(index, slice):
            self.index: tuple = ("slice", index.start, index.stop, index.step)
        else:
            entries = tuple(int(i) for i in index)
            if len(set(entries)) != len(entries) or not entries:
                raise ValueError(f"Block: index must hold distinct ints; got {list(entries)}")
            self.index = ("entries", *entries)
        self.bijector = bijector
        self._share_backend([bijector])

    @property
    def param_shape(self) -> Shape | None:
        return self.bijector.param_shape

    def _entries(self, n: int) -> list[int]:
        kind, *rest = self.index
        entries = list(range(n))[slice(*rest)] if kind == "slice" else rest
        if not entries or any(not -n <= i < n for i in entries):
            raise ValueError(f"Block: index {self.index[1:]} does not fit a last axis of {n}")
        return [i % n for i in entries]

    def _apply(self, bk, x, condition, inverse):
        xp, n = bk.xp, int(x.shape[-1])
        inside = self._entries(n)
        outside = [i for i in range(n) if i not in inside]
        merge = [
            inside.index(i) + len(outside) if i in inside else outside.index(i) for i in range(n)
        ]
        device = device_of(x)

        def take(v, ix):
            return xp.take(v, xp.asarray(ix, dtype=xp.int32, device=device), axis=v.ndim - 1)

        b = self.bijector
        step = b.inverse_and_log_det if inverse else b.forward_and_log_det
        part, log_det = step(take(x, inside), condition=condition)
        log_det = sum_last(xp, log_det, 1 - b.event_ndims_in)
        rest = xp.broadcast_to(take(x, outside), tuple(part.shape[:-1]) + (len(outside),))
        return take(xp.concat([rest, part], axis=-1), merge), log_det

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        return self._apply(bk, x, condition, inverse=False)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        return self._apply(bk, y, condition, inverse=True)

    def __repr__(self):
        return f"Block({self.bijector!r}, {self.index[1:]})"
