"""Coupling layer (Dinh et al. 2017, RealNVP; Durkan et al. 2019 with splines)."""

from __future__ import annotations

from collections.abc import Sequence

from array_api_compat import device as device_of

from relaxcore._typing import RNG, Array, ArrayLike, Transformer
from relaxcore.bijectors._mlp import init_mlp, mlp
from relaxcore.bijectors.bijector import Bijector
from relaxcore.bijectors.transformers import as_transformer
from relaxcore.distribution import promote_params


def is_weight_list(conditioner) -> bool:
    """True for the built-in MLP's weights (a list or tuple of arrays)."""
    return isinstance(conditioner, (list, tuple))


def call_conditioner(conditioner, x: Array, condition: Array | None):
    """``conditioner(x)``, or ``conditioner(x, condition)`` when there is a condition."""
    return conditioner(x) if condition is None else conditioner(x, condition)


def check_condition(owner, condition_size: int, condition: Array | None):
    """ValueError where the condition's feature count does not match the weights'."""
    got = 0 if condition is None else int(condition.shape[-1]) if condition.ndim else 1
    if got != condition_size or (condition is not None and condition.ndim == 0):
        raise ValueError(
            f"{owner}: condition must have {condition_size} features on its last axis "
            f"(the conditioner's weights take {condition_size}); got "
            f"{None if condition is None else tuple(condition.shape)}"
        )


class Coupling(Bijector):
    r"""Coupling on vectors: the entries where ``mask`` is 1 pass through and condition an
    elementwise transformer of the others,

    .. math:: y_A = x_A, \qquad y_B = \tau(x_B;\ \theta(x_A, c)), \qquad
              \log|\det J| = \sum_{i\in B}\log|\tau'(x_i)|,

    so the inverse costs one network pass, as the forward does.

    Args:
        mask: D entries, 0 or 1 (a Python sequence).
        conditioner: either the built-in MLP's weights ``[W1, b1, ..., WL, bL]``
            (``Coupling.init_params``): W1 has D + C rows (the vector, then C condition
            features; rows of masked-out entries are unused), WL has P * D columns in P
            blocks of D (columns of fixed entries unused); or any callable
            ``conditioner(x_A)`` / ``conditioner(x_A, condition)`` (a torch ``nn.Module``,
            an equinox module, ``relaxcore.flows.MLP``) that returns (..., P * |B|) raw
            parameters, P blocks of |B|.
        transformer: ``"affine"`` (``AffineTransformer``, P = 2), ``"spline"``
            (``SplineTransformer``, P = 3K - 1) or a transformer object.

    ``condition=`` (an array with the context features on its last axis, batch axes
    broadcasting against the input's) goes to the conditioner and nowhere else.
    """

    event_ndims_in = 1
    event_ndims_out = 1

    param_shape = ()  # the weights act on the event: no batch axes

    def __init__(self, mask: ArrayLike, conditioner, transformer: Transformer = "affine") -> None:
        self.mask_list = [float(m) for m in mask]
        self.transformer = as_transformer(transformer)
        d, n_params = len(self.mask_list), self.transformer.n_params
        self._fixed = [i for i, m in enumerate(self.mask_list) if m]
        self._free = [i for i, m in enumerate(self.mask_list) if not m]
        self.params, self.conditioner = None, None
        if is_weight_list(conditioner):
            bk, dtype, _, p = promote_params(dict(enumerate(conditioner)))
            self._set_backend(bk, dtype)
            self.params = list(p.values())
            self.condition_size = int(self.params[0].shape[0]) - d
            if self.condition_size < 0 or self.params[-1].shape[0] != n_params * d:
                raise ValueError(
                    f"{type(self).__name__}: params must map {d} inputs (plus condition "
                    f"features) to {n_params * d} outputs; got {tuple(self.params[0].shape)} "
                    f"... {tuple(self.params[-1].shape)}"
                )
        elif callable(conditioner):
            self.conditioner = conditioner
        else:
            raise TypeError(
                f"{type(self).__name__}: conditioner must be a list of MLP weights or a "
                f"callable (x, condition) -> parameters; got {type(conditioner).__name__}"
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
        """Built-in MLP weights that make the layer the identity (last layer zero)."""
        n_params = as_transformer(transformer).n_params
        sizes = [event_size + condition_size, *hidden_sizes, n_params * event_size]
        return init_mlp(sizes, rng=rng, backend=backend, dtype=dtype)

    def _raw(self, bk, x, condition):
        """The transformer's raw parameters (..., P, |B|) and the free entries x_B."""
        xp, axis, k = bk.xp, x.ndim - 1, len(self._free)
        device = device_of(x)
        fixed = xp.asarray(self._fixed, dtype=xp.int32, device=device)
        x_fixed = xp.take(x, fixed, axis=axis)
        if self.params is not None:
            check_condition(type(self).__name__, self.condition_size, condition)
            d, n_params = len(self.mask_list), self.transformer.n_params
            rows = self._fixed + list(range(d, d + self.condition_size))
            cols = [j * d + i for j in range(n_params) for i in self._free]
            p = list(self.params)
            p[0] = xp.take(p[0], xp.asarray(rows, dtype=xp.int32, device=device), axis=0)
            cols = xp.asarray(cols, dtype=xp.int32, device=device)
            p[-2], p[-1] = xp.take(p[-2], cols, axis=1), xp.take(p[-1], cols, axis=0)
            out = mlp(xp, p, x_fixed, condition)
        else:
            out = call_conditioner(self.conditioner, x_fixed, condition)
        raw = xp.reshape(out, tuple(out.shape[:-1]) + (self.transformer.n_params, k))
        free = xp.asarray(self._free, dtype=xp.int32, device=device)
        return raw, xp.take(x, free, axis=axis)

    def _merge(self, bk, x, z_free):
        """`x` with its free entries replaced by `z_free`."""
        xp, d = bk.xp, len(self.mask_list)
        merge = [i if m else d + self._free.index(i) for i, m in enumerate(self.mask_list)]
        merge = xp.asarray(merge, dtype=xp.int32, device=device_of(x))
        x = xp.broadcast_to(x, tuple(z_free.shape[:-1]) + (d,))
        return xp.take(xp.concat([x, z_free], axis=-1), merge, axis=x.ndim - 1)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        raw, x_free = self._raw(bk, x, condition)
        y_free, log_det = self.transformer.forward_and_log_det(bk, raw, x_free)
        return self._merge(bk, x, y_free), bk.xp.sum(log_det, axis=-1)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        raw, y_free = self._raw(bk, y, condition)
        x_free, log_det = self.transformer.inverse_and_log_det(bk, raw, y_free)
        return self._merge(bk, y, x_free), bk.xp.sum(log_det, axis=-1)

    def __repr__(self):
        return (
            f"{type(self).__name__}(mask={[int(m) for m in self.mask_list]}, {self.transformer!r})"
        )
