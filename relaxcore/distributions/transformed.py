"""A base distribution pushed through a bijector: the density of a normalizing flow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import sum_last
from relaxcore.distribution import Distribution

if TYPE_CHECKING:  # bijectors import this module: the name is for annotations only
    from relaxcore.bijectors.bijector import Bijector

#: how many batch axes a bijector's parameters may add to the base's
_MAX_BIJECTOR_BATCH_NDIM = 8


def _broadcast_batch(base, bijector, batch, event_in, event_out):
    """Batch shape of f(x): the base's, broadcast with the bijector parameters' batch axes.

    An empty value with spare leading axes of size 1 is pulled back through the bijector
    (the density direction: one pass, also for autoregressive flows); a Shift by 3 values
    over a scalar base gives (3,). Spare axes left at 1 are dropped.
    """
    known = bijector.param_shape
    if known is not None:  # declared: no probe needed
        return broadcast_shapes(tuple(batch), known[: max(len(known) - len(event_in), 0)])
    spare = _MAX_BIJECTOR_BATCH_NDIM
    shape = (0,) + (1,) * spare + tuple(batch) + tuple(event_out)
    x = bijector.inverse(base.xp.zeros(shape, dtype=base.dtype, device=base._device))
    full = tuple(x.shape[1 : x.ndim - len(event_in)])
    extra = full[:spare]
    first = next((i for i, n in enumerate(extra) if n != 1), spare)
    return extra[first:] + full[spare:]


class TransformedDistribution(Distribution):
    r"""The law of ``y = f(x)``, ``x ~ base``, for a bijector ``f``.

    .. math:: \log p_Y(y) = \log p_X(f^{-1}(y)) + \log|\det J_{f^{-1}}(y)|

    Event dims as in TFP: when the bijector acts on more axes (``event_ndims_in``) than
    the base's event has, the rightmost batch axes of the base become event axes and its
    log-density is summed over them; when it acts on fewer, its log-det is summed over the
    rest of the event. ``rsample`` exists when the base has one (noise: the base's noise);
    ``cdf`` exists for monotone scalar bijectors (``1 - F`` where decreasing). ``support`` is
    the bijector's codomain: with ``validate_args`` a value outside it raises ValueError;
    without, its log-density is NaN or -inf, never a clipped number.

    Conditional flows: every method takes ``condition=`` (an array, context features on
    its last axis), handed to the bijector and by it to its conditioners; the condition's
    batch axes broadcast with the distribution's, so a batch of conditions draws one sample
    per condition. The base is unconditional.

    ``sample_and_log_prob`` / ``rsample_and_log_prob`` take the log-density from the forward
    pass, ``log p_X(x) - log|det J_f(x)|`` (no inverse: one pass, also for autoregressive
    flows, and exact where ``f`` saturates in floating point).
    """

    def __init__(
        self, base: Distribution, bijector: Bijector, *, validate_args: bool | None = None
    ) -> None:
        held = getattr(bijector, "_backend", None)
        if held is not None and held.name != base.backend.name:
            raise TypeError(
                f"TransformedDistribution: the base holds {base.backend.name} arrays but the "
                f"bijector {bijector!r} holds {held.name} arrays; use one framework"
            )
        self.base = base
        self.bijector = bijector
        batch, event = base.batch_shape, base.event_shape
        lifted = max(bijector.event_ndims_in - len(event), 0)
        if lifted > len(batch):
            raise ValueError(
                f"TransformedDistribution: the bijector needs {bijector.event_ndims_in} event "
                f"axes but the base has batch shape {batch} and event shape {event}"
            )
        self._lifted = lifted
        event_in = batch[len(batch) - lifted :] + event
        batch = batch[: len(batch) - lifted]
        event_out = bijector.forward_event_shape(event_in)
        batch = _broadcast_batch(base, bijector, batch, event_in, event_out)
        if batch != base.batch_shape[: len(base.batch_shape) - lifted]:
            self.base = base.expand(batch + event_in[:lifted])
        super().__init__(base.backend, base.dtype, base._device, batch, event_out, validate_args)

    @property  # the base's class attribute, per instance here
    def support(self):  # type: ignore[override]
        return self.bijector.codomain

    @property  # the base's class attribute, per instance here
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base.has_rsample

    def _base_for(self, condition):
        """The base, expanded over the condition's batch axes where they add any."""
        if condition is None:
            return self.base
        batch = broadcast_shapes(self._batch_shape, tuple(condition.shape[:-1]))
        if batch == self._batch_shape:
            return self.base
        base_batch = self.base.batch_shape
        lifted = base_batch[len(base_batch) - self._lifted :]
        return self.base.expand(batch + lifted)

    def _log_det_sum(self, log_det):
        return sum_last(self.xp, log_det, len(self.event_shape) - self.bijector.event_ndims_out)

    def sample_noise(
        self, sample_shape: Shape = (), *, rng: RNG = None, condition: Array | None = None
    ) -> Array:
        return self._base_for(condition).sample_noise(sample_shape, rng=rng)

    def reparameterize(self, noise: Array, *, condition: Array | None = None) -> Array:
        x = self._base_for(condition).reparameterize(noise)
        return self.bijector.forward(x, condition=condition)

    def rsample(
        self, sample_shape: Shape = (), *, rng: RNG = None, condition: Array | None = None
    ) -> Array:
        """f(x) for x = base.rsample(): explicit or implicit bases alike."""
        x = self._base_for(condition).rsample(sample_shape, rng=rng)
        return self.bijector.forward(x, condition=condition)

    def sample(
        self, sample_shape: Shape = (), *, rng: RNG = None, condition: Array | None = None
    ) -> Array:
        x = self._base_for(condition).sample(sample_shape, rng=rng)
        return self._backend.stop_gradient(self.bijector.forward(x, condition=condition))

    def rsample_and_log_prob(
        self, sample_shape: Shape = (), *, rng: RNG = None, condition: Array | None = None
    ) -> tuple[Array, Array]:
        """``(y, log p(y))`` for a differentiable sample y = f(x), the log-density from the
        forward pass: ``log p_X(x) - log|det J_f(x)|``."""
        base = self._base_for(condition)
        x = base.rsample(sample_shape, rng=rng)
        return self._push_forward(base, x, condition)

    def sample_and_log_prob(
        self, sample_shape: Shape = (), *, rng: RNG = None, condition: Array | None = None
    ) -> tuple[Array, Array]:
        """``(y, log p(y))`` as ``rsample_and_log_prob``, gradients stopped."""
        base = self._base_for(condition)
        x = base.sample(sample_shape, rng=rng)
        y, log_prob = self._push_forward(base, x, condition)
        stop = self._backend.stop_gradient
        return stop(y), stop(log_prob)

    def _push_forward(self, base, x, condition):
        y, log_det = self.bijector.forward_and_log_det(x, condition=condition)
        log_base = sum_last(self.xp, base.log_prob(x), self._lifted)
        return y, log_base - self._log_det_sum(log_det)

    def log_prob(self, value: ArrayLike, *, condition: Array | None = None) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        x, log_det = self.bijector.inverse_and_log_det(value, condition=condition)
        return sum_last(self.xp, self.base.log_prob(x), self._lifted) + self._log_det_sum(log_det)

    def cdf(self, value: ArrayLike, *, condition: Array | None = None) -> Array:
        if self.event_shape or self.bijector.event_ndims_in:
            raise NotImplementedError(
                "TransformedDistribution.cdf needs a scalar event and a scalar bijector"
            )
        value = self._as_value(value)
        base_cdf = self.base.cdf(self.bijector.inverse(value, condition=condition))
        increasing = self.bijector.is_increasing()
        if increasing is True:
            return base_cdf
        if increasing is False:
            return 1 - base_cdf
        return self.xp.where(increasing, base_cdf, 1 - base_cdf)

    def _after_unflatten(self) -> None:
        batch = self.base.batch_shape
        self._batch_shape = batch[: len(batch) - self._lifted]

    def expand(self, batch_shape: Shape) -> Distribution:
        lifted = self.base.batch_shape[len(self.base.batch_shape) - self._lifted :]
        base = self.base.expand(tuple(batch_shape) + lifted)
        return type(self)(base, self.bijector, validate_args=self.validate_args)

    def __repr__(self):
        return f"TransformedDistribution({self.base!r}, {self.bijector!r})"
