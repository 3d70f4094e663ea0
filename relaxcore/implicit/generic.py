r"""ImplicitReparam: implicit gradients for any scalar distribution with a differentiable CDF.

:math:`\partial z/\partial\theta = -\partial_\theta F(z \mid \theta) / p(z \mid \theta)`
(Figurnov et al. 2018, eq. 5) with :math:`\partial_\theta F` from the framework's autodiff
of ``base.cdf`` (torch, jax; the adapter's ``cdf_gradients``) or, where the framework has
none (numpy), from the user's ``cdf_partials(value) -> {name: dF/dtheta}``.
The density is ``exp(base.log_prob)``; the ratio is as accurate as the base's CDF
derivative is in the tails.
"""

from __future__ import annotations

from relaxcore.distribution import Distribution
from relaxcore.implicit._protocol import ImplicitDistribution, adapter


def _with_params(base, params: dict):
    """A shallow copy of `base` with some parameter arrays replaced (no validation)."""
    new = object.__new__(type(base))
    vars(new).update(vars(base))
    vars(new).update(params)
    return new


class ImplicitReparam(ImplicitDistribution):
    """Wrap `base` (scalar events, a ``sample``, ``cdf`` and ``log_prob``) with implicit rsample.

    Args:
        base: a relaxcore distribution whose ``cdf`` is implemented.
        params: names of `base`'s array attributes to differentiate (default: every name in
            ``base.param_event_ndims`` that holds an array).
        cdf_partials: callable ``value -> {name: dF/dparam}``, required on frameworks
            without autodiff (numpy, array_api_strict), optional elsewhere.

    Raises ValueError at construction when `base` has no usable CDF.
    """

    def __init__(self, base, *, params=None, cdf_partials=None):
        if not isinstance(base, Distribution) or base.event_shape != ():
            raise ValueError("ImplicitReparam: base must be a distribution with scalar events")
        if type(base).cdf is Distribution.cdf:
            raise ValueError(
                f"ImplicitReparam: {type(base).__name__} has no cdf, so there is no implicit "
                f"gradient; implement cdf(value) (differentiable in its parameters)"
            )
        bk = base.backend
        if cdf_partials is None and not hasattr(adapter(bk), "cdf_gradients"):
            raise ValueError(
                f"ImplicitReparam: the {bk.name} backend has no autodiff; pass "
                f"cdf_partials=lambda value: {{name: dF/dparam}}"
            )
        super().__init__(bk, base.dtype, base._device, base.batch_shape, (), base.validate_args)
        if params is None:
            params = [k for k in base.param_event_ndims if getattr(base, k, None) is not None]
        self.base = base
        self.implicit_params = tuple(params)
        self._cdf_partials = cdf_partials

    def _params(self):
        return {k: getattr(self.base, k) for k in self.implicit_params}

    def implicit_partials(self, value):
        value = self._as_value(value)
        xp, bk = self.xp, self._backend
        base = self.base
        if self._cdf_partials is not None:
            grads = self._cdf_partials(value)
        else:
            names = self.implicit_params
            params = tuple(
                xp.broadcast_to(bk.stop_gradient(getattr(base, k)), value.shape) for k in names
            )

            def cdf(*p):
                return _with_params(base, dict(zip(names, p))).cdf(value)

            grads = dict(zip(names, adapter(bk).cdf_gradients(cdf, params)))
        density = xp.exp(bk.stop_gradient(base.log_prob(value)))
        return {k: -bk.stop_gradient(g) / density for k, g in grads.items()}

    def _draw(self, sample_shape, rng):
        value = self._backend.stop_gradient(self.base.sample(sample_shape, rng=rng))
        return value, self.implicit_partials(value)

    def log_prob(self, value):
        return self.base.log_prob(value)

    def cdf(self, value):
        return self.base.cdf(value)

    @property
    def mean(self):
        return self.base.mean

    @property
    def variance(self):
        return self.base.variance

    def entropy(self):
        return self.base.entropy()
