"""Batch normalization as a bijector, with running statistics (Dinh et al. 2017, RealNVP)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector, shape_of


class BatchNorm(Bijector):
    r"""RealNVP's batch normalization, in the density direction (data to noise):

    .. math:: x = \frac{y - \mu}{\sqrt{\sigma^2 + \epsilon}}\,e^{\gamma} + \beta, \qquad
              \log|dx/dy| = \gamma - \tfrac12\log(\sigma^2 + \epsilon),

    elementwise, the parameters broadcasting against the input (one per feature). The
    forward map (noise to data) is its inverse.

    ``mean``/``var`` are the running statistics. With ``training=True`` the inverse uses the
    batch's own mean and (biased) variance over every axis but the last, as RealNVP does
    while training (the log-det treats them as constants); the forward, which has no data
    batch, uses the running statistics. The object is immutable: ``updated(y)`` returns a
    BatchNorm whose running statistics moved towards the batch's by ``momentum``
    (``(1 - m) old + m batch``, the unbiased variance, as torch.nn.BatchNorm1d), without
    gradient. ``log_scale`` (gamma) and ``shift`` (beta) are optional trainable arrays.
    """

    log_scale: Array
    mean: Array
    shift: Array
    var: Array

    def __init__(
        self,
        mean: ArrayLike,
        var: ArrayLike,
        log_scale: ArrayLike | None = None,
        shift: ArrayLike | None = None,
        *,
        training: bool = False,
        momentum: float = 0.1,
        eps: float = 1e-5,
        validate_args: bool = True,
        backend: str | None = None,
    ) -> None:
        params = {"mean": mean, "var": var, "log_scale": log_scale, "shift": shift}
        p = self._set_params(params, backend)
        self.training, self.momentum, self.eps = bool(training), float(momentum), float(eps)
        if not 0 <= self.momentum <= 1:
            raise ValueError(f"BatchNorm: momentum must be in [0, 1]; got {momentum}")
        if not self.eps > 0:
            raise ValueError(f"BatchNorm: eps must be > 0; got {eps}")
        if validate_args:
            self._check("var", p["var"], constraints.nonnegative)

    @property
    def param_shape(self) -> Shape | None:
        names = ("mean", "var", "log_scale", "shift")
        return broadcast_shapes(*(shape_of(getattr(self, k)) for k in names))

    def _batch_statistics(self, xp, y):
        axis = tuple(range(y.ndim - 1))
        return xp.mean(y, axis=axis), xp.var(y, axis=axis)

    def _affine(self, bk, v, mean, var):
        """(log e^gamma / sqrt(var + eps), beta, mean) as arrays of v's kind."""
        xp = bk.xp
        log_scale = -0.5 * xp.log(self._like(bk, var, v) + self.eps)
        if self.log_scale is not None:
            log_scale = log_scale + self.log_scale
        shift = 0.0 if self.shift is None else self.shift
        return log_scale, shift, mean

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, y = self._array(y, "y")
        xp = bk.xp
        mean, var = self._batch_statistics(xp, y) if self.training else (self.mean, self.var)
        log_scale, shift, mean = self._affine(bk, y, mean, var)
        x = (y - mean) * xp.exp(log_scale) + shift
        return x, xp.broadcast_to(log_scale, x.shape)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        bk, x = self._array(x)
        xp = bk.xp
        log_scale, shift, mean = self._affine(bk, x, self.mean, self.var)
        y = (x - shift) * xp.exp(-log_scale) + mean
        return y, xp.broadcast_to(-log_scale, y.shape)

    def updated(self, y: Array):
        """This BatchNorm with running statistics moved towards those of the batch `y`."""
        bk, y = self._array(y, "y")
        xp = bk.xp
        y = bk.stop_gradient(y)
        n = 1
        for size in y.shape[:-1]:
            n *= int(size)
        batch_mean, batch_var = self._batch_statistics(xp, y)
        m = self.momentum
        new = object.__new__(type(self))
        vars(new).update(vars(self))
        new._set_backend(bk, self._dtype or y.dtype)
        new.mean = (1 - m) * self.mean + m * batch_mean
        new.var = (1 - m) * self.var + m * batch_var * (n / max(n - 1, 1))
        return new

    def is_increasing(self) -> bool:
        return True

    def __repr__(self):
        return f"BatchNorm(shape {self.param_shape}, training={self.training})"
