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

import importlib

from relaxcore.distribution import Distribution


def adapter(bk):
    """The adapter module of backend `bk`, or None where it has no autodiff."""
    try:
        return importlib.import_module(f"relaxcore.adapters.{bk.name}")
    except ModuleNotFoundError:
        return None


def attach(bk, value, params: dict, partials: dict):
    """`value` with d value = sum_k partials[k] * d params[k] (params broadcast to value)."""
    module = adapter(bk)
    if module is None:
        return value
    xp = bk.xp
    names = tuple(params)
    shape = value.shape
    return module.attach(
        value,
        tuple(xp.broadcast_to(params[k], shape) for k in names),
        tuple(xp.broadcast_to(partials[k], shape) for k in names),
    )


class ImplicitDistribution(Distribution):
    """A distribution whose ``rsample`` carries implicit gradients.

    Subclasses implement ``_draw(sample_shape, rng) -> (value, partials)`` (no gradient
    flows through either) and ``implicit_partials(value)``; ``implicit_params`` names the
    parameters that receive gradients.
    """

    has_rsample = True
    implicit_params: tuple[str, ...] = ()

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
        return attach(self._backend, value, self._params(), partials)

    def sample(self, sample_shape=(), *, rng=None):
        return self._draw(tuple(sample_shape), rng)[0]
