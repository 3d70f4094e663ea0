"""The leaky ReLU (PReLU when the slope is trained): y = x for x >= 0, slope * x below."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore.bijectors.bijector import Bijector


class LeakyReLU(Bijector):
    r"""``y = x`` for x >= 0 and ``slope * x`` for x < 0, elementwise; slope > 0.

    .. math:: \log|dy/dx| = \log(\mathrm{slope})\,[x < 0]

    The slope may be a trainable array of the user's framework (He et al. 2015, PReLU).
    """

    def __init__(self, slope, *, validate_args: bool = True, backend=None):
        p = self._set_params({"slope": slope}, backend)
        if validate_args:
            self._check("slope", p["slope"], constraints.positive)

    @property
    def param_shape(self):
        return tuple(self.slope.shape)

    def forward_and_log_det(self, x):
        bk, x = self._array(x)
        xp = bk.xp
        neg = x < 0
        y = xp.where(neg, self.slope * x, x)
        log_det = xp.where(neg, xp.log(self.slope), xp.zeros_like(y))
        return y, log_det

    def inverse_and_log_det(self, y):
        bk, y = self._array(y)
        xp = bk.xp
        neg = y < 0
        x = xp.where(neg, y / self.slope, y)
        log_det = xp.where(neg, -xp.log(self.slope), xp.zeros_like(x))
        return x, log_det

    def is_increasing(self):
        return True

    def __repr__(self):
        return f"LeakyReLU(slope shape {tuple(self.slope.shape)})"
