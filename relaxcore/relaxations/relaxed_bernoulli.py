"""Binary Concrete / relaxed Bernoulli (Maddison et al. 2017, section 3.3)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._typing import Array, ArrayLike
from relaxcore.relaxations._binary_concrete import BinaryConcrete, binary_concrete_log_prob
from relaxcore.relaxations._logits import clamped, tempered
from relaxcore.relaxations._noise import logistic


class RelaxedBernoulli(BinaryConcrete):
    r"""Relaxed Bernoulli on (0, 1): ``z = sigmoid((logits + L) / temperature)``.

    Noise: ``u ~ Uniform(0, 1)`` (clamped into the open interval), ``L = log u - log(1-u)``
    is standard logistic. So ``logit(z)`` is logistic with location ``logits/tau`` and scale
    ``1/tau``, which gives the closed forms

    .. math:: \log p(z) = \log\tau - |s| - 2\,\mathrm{softplus}(-|s|) - \log z - \log(1-z),
              \quad s = l - \tau\,\mathrm{logit}(z)

    .. math:: F(z) = \sigma(\tau\,\mathrm{logit}(z) - l), \qquad P(z > 1/2) = \sigma(l).

    Probabilities 0 and 1 (logits -inf, +inf) give samples exactly 0 and 1 and a log
    density of -inf inside (0, 1). ``log_prob`` clamps ``z`` into the open interval.

    Args:
        temperature: > 0, scalar or batched array; may carry gradients.
        probs: in [0, 1], or
        logits: real or +-inf.
    """

    support = constraints.unit_interval

    def _after_init(self, params: dict) -> None:
        self._invalid = invalid_params(self, params)

    def reparameterize(self, noise: Array) -> Array:
        tau = self._up(self.temperature)
        logistic_noise = logistic(self, self._up(noise))
        scaled = tempered(self.xp, self._up(self.logits), logistic_noise, tau, self._finite_logits)
        return nan_where_invalid(self, self._down(self._backend.sigmoid(scaled)), 0)

    def _log_z_and_log_1mz(self, value):
        xp = self.xp
        finfo = xp.finfo(value.dtype)
        z = clamped(xp, value, finfo.smallest_normal, 1.0 - finfo.eps / 2)
        return xp.log(z), xp.log1p(-z)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        log_z, log_1mz = self._log_z_and_log_1mz(self._up(value))
        tau = self._up(self.temperature)
        out = binary_concrete_log_prob(self._backend, self._up(self.logits), tau, log_z, log_1mz)
        return masked_log_prob(self, value, self._down(out))

    def cdf(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        z = self._up(value)
        logit_z = xp.log(z) - xp.log1p(-z)
        tau = self._up(self.temperature)
        return self._down(self._backend.sigmoid(tau * logit_z - self._up(self.logits)))

    def entropy(self) -> Array:
        raise NotImplementedError(
            "the binary Concrete has no closed-form entropy; estimate it as "
            "-log_prob(rsample(n)).mean()"
        )
