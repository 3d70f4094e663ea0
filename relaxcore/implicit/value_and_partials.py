"""A sample and its implicit partials, explicitly: the numpy way to get gradients."""

from __future__ import annotations


def value_and_partials(dist, sample_shape=(), *, rng=None):
    """``(value, partials)``: a sample of `dist` and {parameter: d value / d parameter}.

    The partials are those the torch and jax adapters attach to ``rsample`` for the same
    draw (elementwise and shaped like the value; for Dirichlet, see its docstring). Chain
    them by hand: ``dloss/dtheta = sum(dloss/dvalue * partials[theta])`` over the sample and
    broadcast dimensions.
    """
    return dist.value_and_partials(sample_shape, rng=rng)
