"""Stick breaking: R^K onto the interior of the K-simplex in R^(K+1)."""

from __future__ import annotations

import math

from array_api_compat import device as device_of

from relaxcore import constraints
from relaxcore._typing import Array, Shape
from relaxcore.bijectors.bijector import Bijector, open_interval


class StickBreaking(Bijector):
    r"""Stick breaking: ``z_i = sigmoid(x_i - log(K + 1 - i))``, ``y_i = z_i prod_{j<i}(1 - z_j)``,
    ``y_{K+1} = prod_j (1 - z_j)`` (i = 1..K; the offsets send x = 0 to the simplex centre).

    Log-det with respect to the first K coordinates of ``y`` (as ``SoftmaxCentered``; the
    Jacobian is triangular):

    .. math:: \log|\det \partial y_{1:K}/\partial x| = \sum_{i=1}^{K}
              \bigl(\log\sigma(x'_i) + \log\sigma(-x'_i) + \log r_i\bigr),

    with ``x' = x - log(K + 1 - i)`` and ``r_i = prod_{j<i} (1 - z_j)`` the stick left
    before step i, all in log space. Inverse ``x_i = log y_i - log(1 - sum_{j<=i} y_j) +
    log(K + 1 - i)``, the stick sums taken from the tail
    (as torch.distributions.StickBreakingTransform).
    """

    event_ndims_in = 1
    event_ndims_out = 1
    codomain = constraints.simplex

    def _offset(self, xp, x, k):
        return xp.asarray([math.log(k - i) for i in range(k)], dtype=x.dtype, device=device_of(x))

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        k = x.shape[-1]
        shifted = x - self._offset(xp, x, k)
        log_z, log_1mz = bk.log_sigmoid(shifted), bk.log_sigmoid(-shifted)
        log_left = xp.cumulative_sum(log_1mz, axis=-1, include_initial=True)
        log_y = xp.concat([log_z + log_left[..., :-1], log_left[..., -1:]], axis=-1)
        log_det = xp.sum(log_z + log_1mz + log_left[..., :-1], axis=-1)
        # a coordinate that underflows to 0 (|x| ~ 100 in float32) is kept at the smallest
        # normal number: the inverse of an own sample then has finite logs (no -inf - -inf)
        return open_interval(xp, xp.exp(log_y), 0.0, 1.0), log_det

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        k = y.shape[-1] - 1
        y_head = y[..., :-1]
        # stick left after step i: sum_{j>i} y_j, summed from the tail (no 1 - cumsum)
        left_after = xp.flip(xp.cumulative_sum(xp.flip(y[..., 1:], axis=-1), axis=-1), axis=-1)
        log_y, log_after = xp.log(y_head), xp.log(left_after)
        x = log_y - log_after + self._offset(xp, y, k)
        log_before = xp.concat([xp.zeros_like(log_after[..., :1]), log_after[..., :-1]], axis=-1)
        # log sigma(x') = log y - log r_before, log sigma(-x') = log r_after - log r_before
        log_det = xp.sum(log_y + log_after - log_before, axis=-1)
        return x, -log_det

    def forward_event_shape(self, shape: Shape) -> Shape:
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_event_shape(self, shape: Shape) -> Shape:
        return tuple(shape[:-1]) + (shape[-1] - 1,)
