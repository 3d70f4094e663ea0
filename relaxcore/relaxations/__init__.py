"""Relaxations of discrete distributions: one class per file."""

from relaxcore.relaxations.relaxed_bernoulli import RelaxedBernoulli
from relaxcore.relaxations.relaxed_one_hot_categorical import RelaxedOneHotCategorical
from relaxcore.relaxations.straight_through_categorical import (
    RelaxedOneHotCategoricalStraightThrough,
)

__all__ = [
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "RelaxedOneHotCategoricalStraightThrough",
]
