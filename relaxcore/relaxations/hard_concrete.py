"""Hard concrete gates (Louizos, Welling & Kingma 2018, "Learning sparse neural networks
through L0 regularization", section 4)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.relaxations._binary_concrete import binary_concrete_log_prob
from relaxcore.relaxations._logits import one_of, tempered, validated_logits
from relaxcore.relaxations._noise import logistic


class HardConcrete(Distribution):
    r"""A binary Concrete stretched to (low, high) and clipped to [0, 1].

    Noise ``u ~ Uniform(0, 1)`` per element (clamped into the open interval):

    .. math:: s = \sigma\big((\log u - \log(1-u) + \log\alpha)/\beta\big),\quad
              z = \min(1, \max(0, s(\zeta-\gamma) + \gamma))

    with ``logits`` = log alpha, ``temperature`` = beta, ``low`` = gamma < 0,
    ``high`` = zeta > 1. The law is mixed: atoms

    .. math:: P(z=0) = \sigma(\beta\log(-\gamma/\zeta) - \log\alpha),\quad
              P(z=1) = \sigma(\log\alpha - \beta\log((1-\gamma)/(\zeta-1)))

    and inside (0, 1) the binary Concrete density of :math:`s = (z-\gamma)/(\zeta-\gamma)`
    divided by :math:`\zeta-\gamma`. ``log_prob`` is the log density with respect to
    :math:`\delta_0 + \mathrm{Lebesgue}_{(0,1)} + \delta_1`: log mass at exactly 0 and 1,
    log density strictly inside. ``prob_nonzero`` is the expected L0 penalty
    :math:`P(z \ne 0) = \sigma(\log\alpha - \beta\log(-\gamma/\zeta))` (the paper's eq. 12).

    Args:
        temperature: > 0 (beta; the paper uses 2/3).
        logits: log alpha, real or +-inf; or
        probs: in [0, 1], log alpha = logit(probs) (0 and 1 give gates always 0 / always 1).
        low: gamma < 0 (default -0.1). high: zeta > 1 (default 1.1).
    """

    arg_constraints = {
        "temperature": constraints.positive,
        "logits": constraints.bernoulli_logits,
        "probs": constraints.unit_interval,
        "low": constraints.Constraint("< 0", lambda xp, x: x < 0),
        "high": constraints.Constraint("> 1", lambda xp, x: x > 1),
    }
    param_event_ndims = {"temperature": 0, "logits": 0, "low": 0, "high": 0}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(
        self,
        temperature: ArrayLike,
        logits: ArrayLike | None = None,
        probs: ArrayLike | None = None,
        low: ArrayLike = -0.1,
        high: ArrayLike = 1.1,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        one_of(type(self).__name__, probs, logits)
        bk, dtype, device, p = promote_params(
            {
                "temperature": temperature,
                "logits": logits,
                "probs": probs,
                "low": low,
                "high": high,
            },
            backend,
            type(self).__name__,
            type(self)._required_params,
        )
        xp = bk.xp
        raw = p["logits"] if logits is not None else p["probs"]
        batch_shape = broadcast_shapes(
            raw.shape,
            p["temperature"].shape,
            p["low"].shape,
            p["high"].shape,
            names=["logits" if logits is not None else "probs", "temperature", "low", "high"],
            owner=type(self).__name__,
        )
        super().__init__(bk, dtype, device, batch_shape, (), validate_args)
        self._invalid = invalid_params(self, p)
        logit, self._finite_logits = validated_logits(self, p)
        self.logits = xp.broadcast_to(logit, batch_shape)
        self.temperature = xp.broadcast_to(p["temperature"], batch_shape)
        self.low = xp.broadcast_to(p["low"], batch_shape)
        self.high = xp.broadcast_to(p["high"], batch_shape)
        # unbroadcast stretch (often scalars): high - low is not an elementwise pass per draw
        self._stretch = (p["low"], p["high"] - p["low"])

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        xp, bk = self.xp, self._backend
        logits, beta = self._up(self.logits), self._up(self.temperature)
        # probs 0 or 1: +-inf kept away from the division (NaN d/dtemperature)
        scaled = tempered(xp, logits, logistic(self, self._up(noise)), beta, self._finite_logits)
        low, width = (self._up(v) for v in self._stretch)
        x = bk.sigmoid(scaled) * width + low
        z = xp.clip(bk.stop_gradient(x), 0.0, 1.0)
        # clip's gradient (1 on [0, 1], else 0) as a product with a mask: fewer and cheaper
        # passes than a differentiated clip, whose backward is a select (torch's `where`)
        return nan_where_invalid(
            self, self._down(z + (x - bk.stop_gradient(x)) * xp.astype(z == x, x.dtype)), 0
        )

    def _atom_scores(self):
        """Logits of P(z != 0) and of P(z = 1)."""
        xp = self.xp
        logits, beta = self._up(self.logits), self._up(self.temperature)
        low, high = self._up(self.low), self._up(self.high)
        nonzero = logits - beta * (xp.log(-low) - xp.log(high))
        one = logits - beta * (xp.log1p(-low) - xp.log(high - 1))
        return nonzero, one

    def prob_nonzero(self) -> Array:
        """P(z != 0), the expected L0 norm of the gate, in closed form."""
        return self._down(self._backend.sigmoid(self._atom_scores()[0]))

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        z = self._up(value)
        logits, beta = self._up(self.logits), self._up(self.temperature)
        low, high = self._up(self.low), self._up(self.high)
        nonzero, one = self._atom_scores()
        # binary Concrete log density at s = (z - low)/(high - low), in (0, 1) for z in [0, 1]
        width = high - low
        log_s, log_1ms = xp.log(z - low) - xp.log(width), xp.log(high - z) - xp.log(width)
        inside = binary_concrete_log_prob(bk, logits, beta, log_s, log_1ms) - xp.log(width)
        out = xp.where(
            z <= 0, bk.log_sigmoid(-nonzero), xp.where(z >= 1, bk.log_sigmoid(one), inside)
        )
        return masked_log_prob(self, value, self._down(out))

    def cdf(self, value: ArrayLike) -> Array:
        """P(z <= value) = sigma(beta logit(s) - log alpha), s = (value - low) / (high - low).

        0 below 0 and 1 from 1 on (the atoms).
        """
        value = self._as_value(value)
        xp = self.xp
        z = self._up(value)
        logits, beta = self._up(self.logits), self._up(self.temperature)
        low, high = self._up(self.low), self._up(self.high)
        zc = xp.clip(z, 0.0, 1.0)
        out = self._backend.sigmoid(beta * (xp.log(zc - low) - xp.log(high - zc)) - logits)
        out = xp.where(z < 0, xp.zeros_like(out), xp.where(z >= 1, xp.ones_like(out), out))
        return self._down(out)
