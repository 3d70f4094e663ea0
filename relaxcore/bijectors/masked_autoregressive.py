"""Masked autoregressive flow layer: MAF (Papamakarios, Pavlakou and Murray 2017)."""

from __future__ import annotations

from relaxcore.bijectors._mlp import hidden_sizes_of, init_mlp, made_masks, mlp
from relaxcore.bijectors.bijector import Bijector
from relaxcore.distribution import promote_params


class MaskedAutoregressive(Bijector):
    r"""Affine autoregressive map with a MADE conditioner (Germain et al. 2015):

    .. math:: y_i = x_i\,e^{s_i(y_{<i})} + t_i(y_{<i}), \qquad
              \log|\det J| = \sum_i s_i,

    with ``(t, s_raw) = MADE(y)`` and ``s = bound * tanh(s_raw / bound)``. The inverse
    (the density direction) is one network pass, ``x = (y - t(y)) e^{-s(y)}``; the forward
    (sampling) takes D passes. Interleave ``Permute`` between layers to vary the order.

    Args:
        params: MADE weights ``[W1, b1, ..., WL, bL]`` (``MaskedAutoregressive.init_params``),
            arrays of the user's framework, D inputs and 2D outputs (shifts, then log-scales).
        log_scale_bound: the soft bound on |s|.
    """

    event_ndims_in = 1
    event_ndims_out = 1

    param_shape = ()  # the weights act on the event: no batch axes

    def __init__(self, params, *, log_scale_bound: float = 5.0):
        bk, self._dtype, device, p = promote_params(dict(enumerate(params)))
        self._backend, self.params = bk, list(p.values())
        self.event_size = int(self.params[0].shape[0])
        if self.params[-1].shape[0] != 2 * self.event_size:
            raise ValueError(
                f"MaskedAutoregressive: params must map {self.event_size} inputs to "
                f"{2 * self.event_size} outputs; got {tuple(self.params[-1].shape)} at the end"
            )
        self._masks = made_masks(
            bk, self.event_size, hidden_sizes_of(self.params), 2, self._dtype, device
        )
        self.log_scale_bound = float(log_scale_bound)

    @staticmethod
    def init_params(
        event_size: int, hidden_sizes=(64, 64), *, rng=None, backend="numpy", dtype=None
    ):
        """MADE weights that make the layer the identity (last layer zero)."""
        sizes = [event_size, *hidden_sizes, 2 * event_size]
        return init_mlp(sizes, rng=rng, backend=backend, dtype=dtype)

    def _masked_params(self):
        """The MADE weights with their masks applied (once per call, not per pass)."""
        p = list(self.params)
        for i, m in enumerate(self._masks):
            p[2 * i] = p[2 * i] * m
        return p

    def _shift_and_log_scale(self, xp, params, y):
        d = self.event_size
        out = mlp(xp, params, y)
        bound = self.log_scale_bound
        return out[..., :d], bound * xp.tanh(out[..., d:] / bound)

    def forward_and_log_det(self, x):
        bk, x = self._array(x)
        xp = bk.xp
        params = self._masked_params()
        y = xp.zeros_like(x)
        for _ in range(self.event_size):
            shift, log_scale = self._shift_and_log_scale(xp, params, y)
            y = x * xp.exp(log_scale) + shift
        return y, xp.sum(log_scale, axis=-1)

    def inverse_and_log_det(self, y):
        bk, y = self._array(y)
        xp = bk.xp
        shift, log_scale = self._shift_and_log_scale(xp, self._masked_params(), y)
        return (y - shift) * xp.exp(-log_scale), -xp.sum(log_scale, axis=-1)

    def __repr__(self):
        return f"MaskedAutoregressive(event_size={self.event_size})"
