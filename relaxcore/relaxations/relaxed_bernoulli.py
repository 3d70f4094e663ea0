"""Binary Concrete / relaxed Bernoulli (Maddison et al. 2017, section 3.3)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.relaxations._logits import (
    all_finite,
    clamped,
    one_of,
    probs_to_logits,
    tempered,
)


class RelaxedBernoulli(Distribution):
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

    arg_constraints = {
        "temperature": constraints.positive,
        "probs": constraints.unit_interval,
        "logits": constraints.bernoulli_logits,
    }
    param_event_ndims = {"temperature": 0, "logits": 0}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(
        self,
        temperature: ArrayLike,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        one_of(type(self).__name__, probs, logits)
        bk, dtype, device, p = promote_params(
            {"temperature": temperature, "probs": probs, "logits": logits}, backend
        )
        xp = bk.xp
        raw = p["logits"] if logits is not None else p["probs"]
        batch_shape = broadcast_shapes(raw.shape, p["temperature"].shape)
        super().__init__(bk, dtype, device, batch_shape, (), validate_args)
        logit = raw if logits is not None else probs_to_logits(xp, raw)
        self._finite_logits = all_finite(bk, logit)
        # finite logits are valid logits: the full check runs only when some are not
        self._validate_params(
            {k: v for k, v in p.items() if not (k == "logits" and self._finite_logits)}
        )
        self._invalid = invalid_params(self, p)
        self.logits = xp.broadcast_to(logit, batch_shape)
        self.temperature = xp.broadcast_to(p["temperature"], batch_shape)

    @property
    def probs(self) -> Array:
        return self._backend.sigmoid(self.logits)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)

    def _logistic(self, noise):
        xp = self.xp
        u = self._open_unit(self._up(noise))
        return xp.log(u / (1.0 - u))  # one logarithm: log u - log(1 - u)

    def reparameterize(self, noise: Array) -> Array:
        logits, logistic = self._up(self.logits), self._logistic(noise)
        tau = self._up(self.temperature)
        if self._finite_logits:
            scaled = (logits + logistic) / tau
        else:  # probs 0 or 1: keep +-inf away from the division (NaN d/dtemperature)
            scaled = tempered(self.xp, logits, logistic, tau)
        return nan_where_invalid(self, self._down(self._backend.sigmoid(scaled)), 0)

    def _log_z_and_log_1mz(self, value):
        xp = self.xp
        finfo = xp.finfo(value.dtype)
        z = clamped(xp, value, finfo.smallest_normal, 1.0 - finfo.eps / 2)
        return xp.log(z), xp.log1p(-z)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        log_z, log_1mz = self._log_z_and_log_1mz(self._up(value))
        tau = self._up(self.temperature)
        s = xp.abs(self._up(self.logits) - tau * (log_z - log_1mz))
        out = xp.log(tau) - s - 2 * bk.softplus(-s) - log_z - log_1mz
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
