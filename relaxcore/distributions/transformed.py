"""A base distribution pushed through a bijector: the density of a normalizing flow."""

from __future__ import annotations

from relaxcore._shapes import broadcast_shapes
from relaxcore.bijectors.bijector import sum_last
from relaxcore.distribution import Distribution

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
    """

    def __init__(self, base: Distribution, bijector, *, validate_args=None):
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

    @property
    def support(self):
        return self.bijector.codomain

    @property
    def has_rsample(self):
        return self.base.has_rsample

    def sample_noise(self, sample_shape=(), *, rng=None):
        return self.base.sample_noise(sample_shape, rng=rng)

    def reparameterize(self, noise):
        return self.bijector.forward(self.base.reparameterize(noise))

    def rsample(self, sample_shape=(), *, rng=None):
        """f(x) for x = base.rsample(): explicit or implicit bases alike."""
        return self.bijector.forward(self.base.rsample(sample_shape, rng=rng))

    def sample(self, sample_shape=(), *, rng=None):
        x = self.base.sample(sample_shape, rng=rng)
        return self._backend.stop_gradient(self.bijector.forward(x))

    def log_prob(self, value):
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        x, log_det = self.bijector.inverse_and_log_det(value)
        log_det = sum_last(xp, log_det, len(self.event_shape) - self.bijector.event_ndims_out)
        return sum_last(xp, self.base.log_prob(x), self._lifted) + log_det

    def cdf(self, value):
        if self.event_shape or self.bijector.event_ndims_in:
            raise NotImplementedError(
                "TransformedDistribution.cdf needs a scalar event and a scalar bijector"
            )
        value = self._as_value(value)
        base_cdf = self.base.cdf(self.bijector.inverse(value))
        increasing = self.bijector.is_increasing()
        if increasing is True:
            return base_cdf
        if increasing is False:
            return 1 - base_cdf
        return self.xp.where(increasing, base_cdf, 1 - base_cdf)

    def _after_unflatten(self) -> None:
        batch = self.base.batch_shape
        self._batch_shape = batch[: len(batch) - self._lifted]

    def expand(self, batch_shape):
        lifted = self.base.batch_shape[len(self.base.batch_shape) - self._lifted :]
        base = self.base.expand(tuple(batch_shape) + lifted)
        return type(self)(base, self.bijector, validate_args=self.validate_args)

    def __repr__(self):
        return f"TransformedDistribution({self.base!r}, {self.bijector!r})"
