"""Masked autoregressive flow layer: MAF (Papamakarios, Pavlakou and Murray 2017)."""

from __future__ import annotations

from collections.abc import Sequence

from relaxcore._typing import RNG, Array, Transformer
from relaxcore.bijectors._mlp import hidden_sizes_of, init_mlp, made_masks, mlp
from relaxcore.bijectors.bijector import Bijector
from relaxcore.bijectors.coupling import call_conditioner, check_condition, is_weight_list
from relaxcore.bijectors.transformers import AffineTransformer, as_transformer
from relaxcore.distribution import promote_params


class MaskedAutoregressive(Bijector):
    r"""Autoregressive map with a MADE conditioner (Germain et al. 2015):

    .. math:: y_i = \tau(x_i;\ \theta_i(y_{<i}, c)), \qquad
              \log|\det J| = \sum_i \log|\tau'(x_i)|,

    affine by default, ``y_i = x_i e^{s_i} + t_i`` with ``s = bound * tanh(s_raw / bound)``.
    The inverse (the density direction) is one network pass,
    ``x_i = \tau^{-1}(y_i; \theta_i(y_{<i}, c))``; the forward (sampling) takes D passes.
    Interleave ``Permute`` between layers to vary the order.

    Args:
        params: the built-in MADE's weights ``[W1, b1, ..., WL, bL]``
            (``MaskedAutoregressive.init_params``): D inputs then C condition features
            (seen by every unit), P * D outputs in P blocks of D (for the affine
            transformer: shifts, then log-scales); arrays of the user's framework. Or any
            callable ``conditioner(y)`` / ``conditioner(y, condition)`` that is
            autoregressive in y and returns (..., P * D) raw parameters.
        log_scale_bound: the soft bound on |s| of the default affine transformer.
        transformer: ``"affine"``, ``"spline"`` or a transformer object (overrides
            `log_scale_bound`).

    ``condition=`` goes to the conditioner and nowhere else.
    """

    event_ndims_in = 1
    event_ndims_out = 1

    param_shape = ()  # the weights act on the event: no batch axes

    def __init__(
        self, params, *, log_scale_bound: float = 5.0, transformer: Transformer | None = None
    ) -> None:
        if transformer is None:
            self.transformer = AffineTransformer(log_scale_bound)
        else:
            self.transformer = as_transformer(transformer)
        n_params = self.transformer.n_params
        self.params, self.conditioner, self.event_size = None, None, None
        if is_weight_list(params):
            bk, dtype, _, p = promote_params(dict(enumerate(params)))
            self._set_backend(bk, dtype)
            self.params = list(p.values())
            n_out = int(self.params[-1].shape[0])
            self.event_size = n_out // n_params
            self.condition_size = int(self.params[0].shape[0]) - self.event_size
            if n_out % n_params or self.condition_size < 0:
                raise ValueError(
                    f"MaskedAutoregressive: params must map D inputs (plus condition "
                    f"features) to {n_params} * D outputs; got {tuple(self.params[0].shape)} "
                    f"... {tuple(self.params[-1].shape)}"
                )
        elif callable(params):
            self.conditioner = params
        else:
            raise TypeError(
                "MaskedAutoregressive: params must be a list of MADE weights or a callable "
                f"(y, condition) -> parameters; got {type(params).__name__}"
            )

    @staticmethod
    def init_params(
        event_size: int,
        hidden_sizes: Sequence[int] = (64, 64),
        *,
        condition_size: int = 0,
        transformer: Transformer = "affine",
        rng: RNG = None,
        backend: str | None = "numpy",
        dtype=None,
    ):
        """MADE weights that make the layer the identity (last layer zero)."""
        n_params = as_transformer(transformer).n_params
        sizes = [event_size + condition_size, *hidden_sizes, n_params * event_size]
        return init_mlp(sizes, rng=rng, backend=backend, dtype=dtype)

    def _network(self, bk, x, condition):
        """``y -> raw (..., P, D)``: the masked MADE weights (masked once per call, not per
        pass), or the user's conditioner."""
        xp, n_params = bk.xp, self.transformer.n_params
        d = int(x.shape[-1])
        if self.params is None:

            def conditioned(y):
                out = call_conditioner(self.conditioner, y, condition)
                return xp.reshape(out, tuple(out.shape[:-1]) + (n_params, d))

            return conditioned
        check_condition("MaskedAutoregressive", self.condition_size, condition)
        if d != self.event_size:
            raise ValueError(
                f"MaskedAutoregressive: the last axis must have size {self.event_size}; "
                f"got shape {tuple(x.shape)}"
            )
        masks = made_masks(
            xp, d, self.condition_size, hidden_sizes_of(self.params), n_params, self._dtype, x
        )
        p = list(self.params)
        for i, m in enumerate(masks):
            p[2 * i] = p[2 * i] * m

        def net(y):
            out = mlp(xp, p, y, condition)
            return xp.reshape(out, tuple(out.shape[:-1]) + (n_params, d))

        return net

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        net = self._network(bk, x, condition)
        y = xp.zeros_like(x)
        for _ in range(x.shape[-1]):
            y, log_det = self.transformer.forward_and_log_det(bk, net(y), x)
        return y, xp.sum(log_det, axis=-1)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        x, log_det = self.transformer.inverse_and_log_det(bk, self._network(bk, y, condition)(y), y)
        return x, bk.xp.sum(log_det, axis=-1)

    def __repr__(self):
        return f"MaskedAutoregressive(event_size={self.event_size}, {self.transformer!r})"
