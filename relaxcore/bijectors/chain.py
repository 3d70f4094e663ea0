"""Composition of bijectors, applied right to left as in TFP."""

from __future__ import annotations

from collections.abc import Sequence

from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import Array, Shape
from relaxcore.bijectors.bijector import Bijector, sum_last


class Chain(Bijector):
    r"""``Chain([f, g, h])(x) = f(g(h(x)))``; log-dets add:

    .. math:: \log|\det J_{f\circ g}(x)| = \log|\det J_f(g(x))| + \log|\det J_g(x)|.

    The chain's event ranks are the least that every member sees its own: an elementwise
    map after a rank-1 one acts on rank 1 and its log-det is summed over that axis.
    ``condition=`` reaches every member (the same array, by that argument). Members of
    two frameworks are a TypeError that names both.
    """

    def __init__(self, bijectors: Sequence[Bijector]) -> None:
        self.bijectors = tuple(bijectors)
        if not self.bijectors:
            raise ValueError("Chain: bijectors must be a non-empty list")
        self._share_backend(self.bijectors)
        # walk in application order, raising the input rank where a member needs more;
        # then record the rank each member sees when the chain gets that input rank
        need_in, rank = 0, 0
        for b in reversed(self.bijectors):
            if rank < b.event_ndims_in:
                need_in += b.event_ndims_in - rank
                rank = b.event_ndims_in
            rank += b.event_ndims_out - b.event_ndims_in
        self._ranks, rank = [], need_in
        for b in reversed(self.bijectors):
            self._ranks.append(rank)
            rank += b.event_ndims_out - b.event_ndims_in
        self.event_ndims_in, self.event_ndims_out = need_in, rank

    # derived, not stored: constraints hold functions, and the object pickles by its members
    @property
    def domain(self):  # type: ignore[override]  # Bijector's class attribute, derived here
        return self.bijectors[-1].domain

    @property
    def codomain(self):  # type: ignore[override]
        return self.bijectors[0].codomain

    @property
    def param_shape(self) -> Shape | None:
        shapes = [b.param_shape for b in self.bijectors]
        return None if None in shapes else broadcast_shapes(*shapes)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        total = 0.0
        for b, rank in zip(reversed(self.bijectors), self._ranks, strict=True):
            x, log_det = b.forward_and_log_det(x, condition=condition)
            total = total + sum_last(bk.xp, log_det, rank - b.event_ndims_in)
        return x, total

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        total = 0.0
        for b, rank in zip(self.bijectors, reversed(self._ranks), strict=True):
            rank_out = rank + b.event_ndims_out - b.event_ndims_in
            y, log_det = b.inverse_and_log_det(y, condition=condition)
            total = total + sum_last(bk.xp, log_det, rank_out - b.event_ndims_out)
        return y, total

    def forward_event_shape(self, shape: Shape) -> Shape:
        for b in reversed(self.bijectors):
            shape = b.forward_event_shape(shape)
        return tuple(shape)

    def inverse_event_shape(self, shape: Shape) -> Shape:
        for b in self.bijectors:
            shape = b.inverse_event_shape(shape)
        return tuple(shape)

    def is_increasing(self) -> bool:
        increasing = True
        for b in self.bijectors:
            increasing = increasing == b.is_increasing()
        return increasing

    def __repr__(self):
        return f"Chain([{', '.join(repr(b) for b in self.bijectors)}])"
