"""NumPy has no autodiff: the sample and its partials are returned explicitly.

``value_and_partials(dist, sample_shape, rng=...)`` is ``rc.implicit.value_and_partials``;
``attach`` returns the value unchanged (there is no graph to attach to).
"""

from relaxcore.implicit.value_and_partials import value_and_partials

__all__ = ["attach", "value_and_partials"]


def attach(value, params, partials, rule=None):
    return value
