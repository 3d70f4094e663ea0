"""Scaling y = scale * x."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore.bijectors.bijector import Bijector

nonzero = constraints.Constraint("!= 0 (and not NaN)", lambda xp, x: (x != 0) & ~xp.isnan(x))


class Scale(Bijector):
    r"""``y = scale * x``, elementwise (scale broadcasts), scale != 0.

    .. math:: \log|dy/dx| = \log|\mathrm{scale}|

    A negative scale is a decreasing map: ``TransformedDistribution.cdf`` flips to 1 - F.
    """

    def __init__(self, scale, *, validate_args: bool = True, backend=None):
        p = self._set_params({"scale": scale}, backend)
        if validate_args:
            self._check("scale", p["scale"], nonzero)

    @property
    def param_shape(self):
        return tuple(self.scale.shape)

    def forward_and_log_det(self, x):
        bk, x = self._array(x)
        xp = bk.xp
        y = self.scale * x
        return y, xp.broadcast_to(xp.log(xp.abs(self.scale)), y.shape)

    def inverse_and_log_det(self, y):
        bk, y = self._array(y)
        xp = bk.xp
        x = y / self.scale
        return x, xp.broadcast_to(-xp.log(xp.abs(self.scale)), x.shape)

    def is_increasing(self):
        return self.scale > 0

    def __repr__(self):
        return f"Scale(shape {tuple(self.scale.shape)})"
