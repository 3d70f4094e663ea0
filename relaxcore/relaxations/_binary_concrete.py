r"""The binary Concrete (Maddison et al. 2017, section 3.3), written once for the classes
that share it: RelaxedBernoulli, LogitRelaxedBernoulli, HardConcrete (stretched) and
CorrelatedRelaxedBernoulli (its marginals).

``y = (l + L) / tau`` with standard logistic ``L`` is logistic with location ``l / tau``
and scale ``1 / tau``; ``z = sigmoid(y)`` is the binary Concrete.
"""

from __future__ import annotations

from typing import Any

from relaxcore import constraints
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.relaxations._logits import one_of, probs_to_logits, validate_unless_finite


def logistic_log_prob(bk, s, temperature):
    r"""Log density of ``y`` at :math:`s = l - \tau y`: :math:`\log\tau - |s| -
    2\,\mathrm{softplus}(-|s|)` (the logistic density, symmetric in `s`)."""
    xp = bk.xp
    a = xp.abs(s)
    return xp.log(temperature) - a - 2 * bk.softplus(-a)


def binary_concrete_log_prob(bk, logits, temperature, log_z, log_1mz):
    r"""Log density of ``z = sigmoid(y)`` from :math:`\log z` and :math:`\log(1-z)`:

    .. math:: \log p(z) = \log\tau - |s| - 2\,\mathrm{softplus}(-|s|) - \log z - \log(1-z),
              \quad s = l - \tau(\log z - \log(1 - z)).
    """
    s = logits - temperature * (log_z - log_1mz)
    return logistic_log_prob(bk, s, temperature) - log_z - log_1mz


class BinaryConcrete(Distribution):
    """Parameters, constructor and noise shared by RelaxedBernoulli and LogitRelaxedBernoulli
    (the same law in z and in logit(z)): ``temperature`` > 0, and ``probs`` in [0, 1] or
    ``logits`` real or +-inf; uniform noise. Subclasses add the sample and its density."""

    logits: Array
    temperature: Array
    _finite_logits: bool

    arg_constraints = {
        "temperature": constraints.positive,
        "probs": constraints.unit_interval,
        "logits": constraints.bernoulli_logits,
    }
    param_event_ndims = {"temperature": 0, "logits": 0}
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
        p = init_binary(self, temperature, probs, logits, backend, validate_args)
        self._after_init(p)

    def _after_init(self, params: dict) -> None:
        """Hook for what a subclass derives from the promoted parameters (nothing here)."""

    @property
    def probs(self) -> Array:
        return self._backend.sigmoid(self.logits)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._uniform_noise(sample_shape, rng)


def init_binary(dist: Any, temperature, probs, logits, backend, validate_args) -> dict:
    """Constructor body shared by the binary Concrete classes: exactly one of probs/logits,
    one backend and dtype, the batch shape of logits and temperature, validation (skipped
    for logits that are surely finite), and the attributes ``logits``, ``temperature`` and
    ``_finite_logits``. Returns the promoted parameters as given."""
    one_of(type(dist).__name__, probs, logits)
    bk, dtype, device, p = promote_params(
        {"temperature": temperature, "probs": probs, "logits": logits},
        backend,
        type(dist).__name__,
        ("temperature",),
    )
    xp = bk.xp
    raw = p["logits"] if logits is not None else p["probs"]
    batch_shape = broadcast_shapes(
        raw.shape,
        p["temperature"].shape,
        names=["logits" if logits is not None else "probs", "temperature"],
        owner=type(dist).__name__,
    )
    Distribution.__init__(dist, bk, dtype, device, batch_shape, (), validate_args)
    logit = raw if logits is not None else probs_to_logits(xp, raw)
    dist._finite_logits = validate_unless_finite(dist, p, logit)
    dist.logits = xp.broadcast_to(logit, batch_shape)
    dist.temperature = xp.broadcast_to(p["temperature"], batch_shape)
    return p
