r"""The implicit-reparameterization contract shared by every implicit distribution.

A distribution draws a value with no gradient and computes the elementwise partials
:math:`\partial z / \partial\theta` once, in array-API code; the framework's adapter
(``relaxcore.adapters.<backend name>``, imported only when a sample is drawn) attaches them so
that :math:`dz = \sum_\theta (\partial z/\partial\theta)\, d\theta` (Figurnov, Mohamed & Mnih
2018). An adapter module provides one function,
``attach(value, params, partials) -> value``: `params` and `partials` are tuples of arrays
broadcast to ``value.shape``; the result equals `value` and carries the linear map above in
both forward and reverse mode. Backends without autodiff (array_api_strict) have no adapter
and get the value unchanged.
"""

from __future__ import annotations

from relaxcore._dispatch import get_adapter
from relaxcore.distribution import Distribution


def adapter(bk):
    """The adapter module of backend `bk`, or None where it has no autodiff."""
    return get_adapter(bk.name)


def attach(bk, value, params: dict, partials: dict, rule=None):
    """`value` with d value = sum_k partials[k] * d params[k] (params broadcast to value).

    `rule(z, params)`, where given, returns the partials (a tuple in the order of `params`)
    as differentiable array code of the sample and the parameters: the adapters
    differentiate it for second derivatives. Without it, a second derivative raises.
    """
    module = adapter(bk)
    if module is None:
        return value
    xp = bk.xp
    names = tuple(params)
    shape = value.shape
    args = (
        value,
        tuple(xp.broadcast_to(params[k], shape) for k in names),
        tuple(xp.broadcast_to(partials[k], shape) for k in names),
    )
    if hasattr(module, "cdf_gradients"):  # an autodiff adapter
        return module.attach(*args, rule)
    return module.attach(*args)


def value_rule(dist, names):
    """The rule of `dist` whose partials are a function of the value: ``implicit_partials``
    of a copy of `dist` holding the given parameters (arrays the framework differentiates)."""

    def rule(z, params):
        copy = object.__new__(type(dist))
        vars(copy).update(vars(dist))
        vars(copy).update(zip(names, params))
        out = copy.implicit_partials(z)
        return tuple(out[k] for k in names)

    return rule


class ImplicitDistribution(Distribution):
    """A distribution whose ``rsample`` carries implicit gradients.

    Subclasses implement ``_draw(sample_shape, rng) -> (value, partials)`` (no gradient
    flows through either) and ``implicit_partials(value)``; ``implicit_params`` names the
    parameters that receive gradients.
    """

    has_rsample = True
    implicit_params: tuple[str, ...] = ()
    #: True where ``_draw``'s partials equal ``implicit_partials(value)`` (a function of the
    #: sample and the parameters): rsample then has second derivatives
    partials_follow_value: bool = False

    def _draw(self, sample_shape, rng):
        raise NotImplementedError

    def implicit_partials(self, value) -> dict:
        """{parameter name: d value / d parameter} at `value`, elementwise."""
        raise NotImplementedError

    def _params(self):
        return {k: getattr(self, k) for k in self.implicit_params}

    def value_and_partials(self, sample_shape=(), *, rng=None):
        """A sample and its partials, as arrays with no gradient."""
        value, partials = self._draw(tuple(sample_shape), rng)
        return value, partials

    def rsample(self, sample_shape=(), *, rng=None):
        value, partials = self._draw(tuple(sample_shape), rng)
        params = self._params()
        rule = value_rule(self, tuple(params)) if self.partials_follow_value else None
        return attach(self._backend, value, params, partials, rule)

    def sample(self, sample_shape=(), *, rng=None):
        return self._draw(tuple(sample_shape), rng)[0]
