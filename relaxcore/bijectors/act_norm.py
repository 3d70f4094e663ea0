"""Activation normalization with data-dependent initialization (Kingma and Dhariwal 2018)."""

from __future__ import annotations

from relaxcore._dispatch import backend_for
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector, shape_of


class ActNorm(Bijector):
    r"""``y = x e^{\mathrm{log\_scale}} + \mathrm{shift}``, elementwise, the parameters
    broadcasting against the input (one per feature, say): Glow's actnorm.

    .. math:: \log|dy/dx| = \mathrm{log\_scale}

    ``ActNorm.from_data(x)`` (or ``init_params``) sets them from a first batch so that
    ``inverse`` maps it to zero mean and unit variance per feature (Glow's data-dependent
    initialization); afterwards they are ordinary trainable arrays.
    """

    log_scale: Array
    shift: Array

    def __init__(
        self, shift: ArrayLike, log_scale: ArrayLike, *, backend: str | None = None
    ) -> None:
        self._set_params({"shift": shift, "log_scale": log_scale}, backend)

    @staticmethod
    def init_params(
        data: Array, *, axis: int | tuple[int, ...] | None = None, eps: float = 1e-6
    ) -> dict[str, Array]:
        """``{"shift", "log_scale"}`` from `data` (no gradient): statistics over `axis`
        (default every axis but the last), so that ``inverse(data)`` has zero mean and
        unit standard deviation: ``log_scale = log(std + eps)``, ``shift = mean``."""
        bk = backend_for(data)
        xp = bk.xp
        data = bk.stop_gradient(data)
        axis = tuple(range(data.ndim - 1)) if axis is None else axis
        mean = xp.mean(data, axis=axis)
        std = xp.std(data, axis=axis)
        return {"shift": mean, "log_scale": xp.log(std + eps)}

    @classmethod
    def from_data(cls, data: Array, *, axis: int | None = None, eps: float = 1e-6):
        """An ActNorm initialized from `data` (``init_params``)."""
        return cls(**cls.init_params(data, axis=axis, eps=eps))

    @property
    def param_shape(self) -> Shape | None:
        return broadcast_shapes(shape_of(self.shift), shape_of(self.log_scale))

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        log_scale = self._like(bk, self.log_scale, x)
        y = x * xp.exp(log_scale) + self.shift
        return y, xp.broadcast_to(log_scale, y.shape)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        log_scale = self._like(bk, self.log_scale, y)
        x = (y - self.shift) * xp.exp(-log_scale)
        return x, xp.broadcast_to(-log_scale, x.shape)

    def is_increasing(self) -> bool:
        return True

    def __repr__(self):
        return f"ActNorm(shape {self.param_shape})"
