"""Independent: batch axes of a distribution reinterpreted as event axes."""

from __future__ import annotations

import operator

from relaxcore import constraints
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import sum_last
from relaxcore.distribution import Distribution
from relaxcore.kl import kl_divergence, register_kl


def _axis_count(owner: str, n, available: tuple) -> int:
    """`n` as an int in [0, len(available)], else ValueError naming reinterpreted_batch_ndims."""
    try:
        count = None if isinstance(n, bool) else operator.index(n)
    except TypeError:
        count = None
    if count is None or not 0 <= count <= len(available):
        raise ValueError(
            f"{owner}: reinterpreted_batch_ndims must be an integer in [0, {len(available)}] "
            f"(the batch shape is {available}); got {n!r}"
        )
    return count


def _reinterpreted_support(support: constraints.Constraint, n: int) -> constraints.Constraint:
    def check(xp, x):
        return xp.all(support.check(xp, x), axis=tuple(range(-n, 0)))

    return constraints.Constraint(support.description, check, support.event_ndims + n)


class Independent(Distribution):
    r"""The rightmost `reinterpreted_batch_ndims` batch axes of `base_distribution` become
    event axes (torch.distributions / TFP ``Independent``):

    .. math:: \log p(x) = \sum_{i \in \text{reinterpreted axes}} \log p_{\text{base}}(x_i)

    batch shape ``base.batch_shape[:-n]``, event shape ``base.batch_shape[-n:] +
    base.event_shape``. Sampling, ``sample_noise`` / ``reparameterize``, ``mean``, ``variance``
    and ``mode`` are the base's; ``log_prob`` and ``entropy`` are summed over the `n` axes.
    ``enumerate_support`` exists only for ``n = 0`` (the product over axes is not enumerated).

    Args:
        base_distribution: any relaxcore distribution.
        reinterpreted_batch_ndims: an integer in ``[0, len(base_distribution.batch_shape)]``.
        validate_args: default: the base's setting.
    """

    def __init__(
        self,
        base_distribution: Distribution,
        reinterpreted_batch_ndims: int,
        *,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(base_distribution, Distribution):
            raise TypeError(
                f"Independent: base_distribution must be a relaxcore Distribution; "
                f"got {type(base_distribution).__name__}"
            )
        batch = base_distribution.batch_shape
        n = _axis_count("Independent", reinterpreted_batch_ndims, batch)
        if validate_args is None:
            validate_args = base_distribution.validate_args
        cut = len(batch) - n
        super().__init__(
            base_distribution.backend,
            base_distribution.dtype,
            base_distribution._device,
            batch[:cut],
            batch[cut:] + base_distribution.event_shape,
            validate_args,
        )
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n

    @property  # the base's class attribute, per instance here
    def support(self):  # type: ignore[override]
        return _reinterpreted_support(self.base_dist.support, self.reinterpreted_batch_ndims)

    @property  # the base's class attribute, per instance here
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self) -> bool:
        base = getattr(self.base_dist, "has_enumerate_support", False)
        return base and self.reinterpreted_batch_ndims == 0

    def _after_unflatten(self) -> None:
        batch = self.base_dist.batch_shape
        self._batch_shape = batch[: len(batch) - self.reinterpreted_batch_ndims]

    # --- sampling: the base's ------------------------------------------------------------

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self.base_dist.sample_noise(sample_shape, rng=rng)

    def reparameterize(self, noise: Array) -> Array:
        return self.base_dist.reparameterize(noise)

    def rsample(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self.base_dist.rsample(sample_shape, rng=rng)

    def sample(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self.base_dist.sample(sample_shape, rng=rng)

    # --- densities and moments -----------------------------------------------------------

    def _validate_sample(self, value) -> None:
        """The event shape here; the support is checked by the base's ``log_prob``."""
        n = len(self._event_shape)
        if self._validate_args and (
            value.ndim < n or tuple(value.shape[value.ndim - n :]) != self._event_shape
        ):
            raise ValueError(
                f"Independent: value must end in the event shape {self._event_shape}; "
                f"got shape {tuple(value.shape)}"
            )

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        return sum_last(self.xp, self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Array:
        return sum_last(self.xp, self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    @property
    def mean(self) -> Array:
        return self.base_dist.mean

    @property
    def variance(self) -> Array:
        return self.base_dist.variance

    @property
    def stddev(self) -> Array:
        return self.base_dist.stddev

    @property
    def mode(self) -> Array:
        return self.base_dist.mode  # type: ignore[attr-defined]  # AttributeError: no mode

    def enumerate_support(self, expand: bool = True) -> Array:
        if self.reinterpreted_batch_ndims:
            raise NotImplementedError(
                "Independent.enumerate_support: enumerating the product over "
                f"{self.reinterpreted_batch_ndims} reinterpreted axes is not implemented"
            )
        return self.base_dist.enumerate_support(expand=expand)  # type: ignore[attr-defined]

    # --- shapes ----------------------------------------------------------------------------

    def expand(self, batch_shape: Shape) -> Distribution:
        n = self.reinterpreted_batch_ndims
        batch = self.base_dist.batch_shape
        base = self.base_dist.expand(tuple(batch_shape) + batch[len(batch) - n :])
        return type(self)(base, n, validate_args=self._validate_args)

    def to_event(self, reinterpreted_batch_ndims: int | None = None):
        """One ``Independent`` over the base, with ``n`` more reinterpreted axes."""
        n = reinterpreted_batch_ndims
        n = len(self._batch_shape) if n is None else n
        n = _axis_count("Independent.to_event", n, self._batch_shape)
        if n == 0:
            return self
        return type(self)(
            self.base_dist, self.reinterpreted_batch_ndims + n, validate_args=self._validate_args
        )

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"


@register_kl(Independent, Independent)
def _kl_independent(p, q, *, rng=None):
    """KL of the bases (any registered pair), summed over the reinterpreted axes."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            "kl_divergence(Independent, Independent): both must reinterpret the same number "
            f"of batch axes; got {p.reinterpreted_batch_ndims} and "
            f"{q.reinterpreted_batch_ndims}"
        )
    kl = kl_divergence(p.base_dist, q.base_dist, rng=rng)
    return sum_last(p.xp, kl, p.reinterpreted_batch_ndims)
