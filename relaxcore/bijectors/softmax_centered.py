"""Softmax of (x, 0): R^K onto the interior of the K-simplex in R^(K+1)."""

from __future__ import annotations

from array_api_compat import device as device_of

from relaxcore import constraints
from relaxcore._typing import Array, Shape
from relaxcore.bijectors.bijector import Bijector, open_interval


class SoftmaxCentered(Bijector):
    r"""``y = softmax([x, 0])``: R^K onto the open simplex {y in R^(K+1): y > 0, sum y = 1}.

    The simplex is K-dimensional, so the log-det is taken with respect to the first K
    coordinates of ``y`` (the measure in which Dirichlet densities are written; TFP instead
    uses the embedded volume, which adds ``log(K + 1) / 2``):

    .. math:: \log|\det \partial y_{1:K}/\partial x| = \sum_{i=1}^{K+1} \log y_i

    Inverse ``x = log y[:K] - log y[K]``.
    """

    event_ndims_in = 1
    event_ndims_out = 1
    codomain = constraints.simplex

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        zero = xp.zeros(x.shape[:-1] + (1,), dtype=x.dtype, device=device_of(x))
        log_y = bk.log_softmax(xp.concat([x, zero], axis=-1), axis=-1)
        # kept off the faces (a coordinate that underflows to 0 is the smallest normal): the
        # log-density of the distribution's own samples stays finite, as for Tanh
        return open_interval(xp, xp.exp(log_y), 0.0, 1.0), xp.sum(log_y, axis=-1)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        log_y = xp.log(y)
        return log_y[..., :-1] - log_y[..., -1:], -xp.sum(log_y, axis=-1)

    def forward_event_shape(self, shape: Shape) -> Shape:
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_event_shape(self, shape: Shape) -> Shape:
        return tuple(shape[:-1]) + (shape[-1] - 1,)
