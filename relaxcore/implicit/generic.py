r"""ImplicitReparam: implicit gradients for any scalar distribution with a differentiable CDF.

:math:`\partial z/\partial\theta = -\partial_\theta F(z \mid \theta) / p(z \mid \theta)`
(Figurnov et al. 2018, eq. 5) with :math:`\partial_\theta F` from the framework's autodiff
(torch, jax; the adapter's ``cdf_gradients``) or, where the framework has none (numpy),
from the user's ``cdf_partials(value) -> {name: dF/dtheta}``.

In the tails the ratio is taken in log space when the base has ``log_cdf`` and
``log_survival_function`` (TFP's names; Normal and Logistic do): on the left of the
median :math:`\partial z/\partial\theta = -\partial_\theta\log F\cdot e^{\log F - \log p}`,
on the right, with the survival function :math:`S = 1 - F`,
:math:`\partial z/\partial\theta = \partial_\theta\log S\cdot e^{\log S - \log p}`.
Neither F nor S rounds to 1 there, so dz/dloc stays 1 at 40 scales from the location
(where 1 - F is below float64's epsilon). Otherwise ``base.cdf`` is differentiated and the
ratio is as accurate as its derivative is in the tails.
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


def _has_log_tails(base) -> bool:
    return all(callable(getattr(base, n, None)) for n in ("log_cdf", "log_survival_function"))


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
            if _has_log_tails(base):
                return self._log_space_partials(value)
            grads = self._autodiff(lambda b: b.cdf(value), value)
        density = xp.exp(bk.stop_gradient(base.log_prob(value)))
        return {k: -bk.stop_gradient(g) / density for k, g in grads.items()}

    def _autodiff(self, f, value):
        """{name: elementwise d f(base) / d name}, by the adapter's autodiff."""
        xp, bk = self.xp, self._backend
        names = self.implicit_params
        params = tuple(
            xp.broadcast_to(bk.stop_gradient(getattr(self.base, k)), value.shape) for k in names
        )

        def fn(*p):
            return f(_with_params(self.base, dict(zip(names, p))))

        return dict(zip(names, adapter(bk).cdf_gradients(fn, params)))

    def _log_space_partials(self, value):
        """Partials from log F left of the median and log S right of it (no cancellation)."""
        xp, bk = self.xp, self._backend
        base = self.base
        log_f = bk.stop_gradient(base.log_cdf(value))
        log_s = bk.stop_gradient(base.log_survival_function(value))
        right = log_s < log_f

        def tail(b):
            return xp.where(right, b.log_survival_function(value), b.log_cdf(value))

        grads = self._autodiff(tail, value)
        log_p = bk.stop_gradient(base.log_prob(value))
        ratio = xp.exp(xp.where(right, log_s, log_f) - log_p)
        sign = xp.where(right, xp.ones_like(ratio), -xp.ones_like(ratio))
        return {k: sign * bk.stop_gradient(g) * ratio for k, g in grads.items()}

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
