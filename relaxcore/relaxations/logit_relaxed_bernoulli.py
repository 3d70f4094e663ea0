"""The binary Concrete in logit space (Maddison et al. 2017, section 3.3; torch's
LogitRelaxedBernoulli)."""

from __future__ import annotations

import math

from relaxcore import constraints
from relaxcore._policy import invalid_params, nan_where_invalid
from relaxcore._typing import Array, ArrayLike
from relaxcore.relaxations._binary_concrete import BinaryConcrete, logistic_log_prob
from relaxcore.relaxations._logits import tempered
from relaxcore.relaxations._noise import logistic


class LogitRelaxedBernoulli(BinaryConcrete):
    r"""The logit of a binary Concrete sample: ``y = (logits + L) / temperature``, so
    ``sigmoid(y)`` is :class:`RelaxedBernoulli`'s sample for the same noise.

    Noise: ``u ~ Uniform(0, 1)`` (clamped into the open interval), ``L = log u - log(1-u)``
    standard logistic. So ``y`` is logistic with location :math:`l/\tau` and scale
    :math:`1/\tau`:

    .. math:: \log p(y) = \log\tau - |s| - 2\,\mathrm{softplus}(-|s|),
              \quad s = l - \tau y, \qquad F(y) = \sigma(\tau y - l)

    with no :math:`\log z` or :math:`\log(1-z)` to underflow: exact at any temperature.
    ``mean`` :math:`l/\tau`, ``variance`` :math:`\pi^2/(3\tau^2)`, ``entropy``
    :math:`2 - \log\tau`.

    Probabilities 0 and 1 (logits -inf, +inf) give samples -inf and +inf: the law is then a
    point mass there, and ``log_prob`` is taken with respect to that atom (0 at the sample,
    -inf elsewhere); every other law gives -inf at +-inf. So KL divergences come out as 0
    (same atom) or +inf, never NaN.

    Half precisions are computed in float32 and returned in their dtype: in float16 a
    sample beyond +-65504 (|logits| / temperature that large) saturates to +-inf, with log
    density -inf; a gradient beyond that range is +-inf (never NaN). bfloat16 has float32's
    range.

    Args:
        temperature: > 0, scalar or batched array; may carry gradients.
        probs: in [0, 1], or
        logits: real or +-inf.
    """

    param_event_ndims = {"temperature": 0, "_tau": 0, "logits": 0}
    support = constraints.real

    def _after_init(self, params: dict) -> None:
        # the temperature in the compute dtype, cast before it is broadcast: the gradients
        # of the batch members are summed in float32 and rounded once (rounded one by one
        # in float16, +inf and -inf would sum to NaN)
        xp, tau, up = self.xp, params["temperature"], self._compute_dtype()
        self._invalid = invalid_params(self, params)  # unvalidated: NaN samples, not finite
        self._tau = xp.broadcast_to(
            tau if tau.dtype == up else xp.astype(tau, up), self.batch_shape
        )

    def reparameterize(self, noise: Array) -> Array:
        tau, logistic_noise = self._tau, logistic(self, self._up(noise))
        # probs 0 or 1: +-inf kept away from the division (NaN d/dtemperature)
        out = tempered(self.xp, self._up(self.logits), logistic_noise, tau, self._finite_logits)
        return nan_where_invalid(self, self._down(out), 0)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        tau, logits, y = self._tau, self._up(self.logits), self._up(value)
        finite = xp.isfinite(logits) & xp.isfinite(y)
        zero = xp.zeros_like(finite, dtype=y.dtype)
        # infinities kept away from the product (0 * inf = NaN in the gradient)
        s = xp.where(finite, logits, zero) - tau * xp.where(finite, y, zero)
        out = logistic_log_prob(bk, s, tau)
        atom = xp.isinf(logits) & (y == logits)  # probs 0 or 1: the point mass at +-inf
        off = xp.where(atom, xp.zeros_like(out), xp.full_like(out, -float("inf")))
        return nan_where_invalid(self, self._down(xp.where(finite, out, off)))

    def cdf(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        y = self._up(value)
        t = self._tau * y - self._up(self.logits)
        undefined = xp.isnan(t)  # y and the logit are the same infinity: F(+inf) = 1, F(-inf) = 0
        cdf = self._backend.sigmoid(xp.where(undefined, xp.zeros_like(t), t))
        return self._down(xp.where(undefined, xp.astype(y > 0, cdf.dtype), cdf))

    @property
    def mean(self) -> Array:
        return self.logits / self.temperature

    @property
    def variance(self) -> Array:
        return (math.pi**2 / 3) / self.temperature**2 + self.xp.zeros_like(self.logits)

    def entropy(self) -> Array:
        return self._down(2.0 - self.xp.log(self._tau))
