"""Relaxations of discrete distributions: one class per file."""

from relaxcore.relaxations.correlated_relaxed_bernoulli import CorrelatedRelaxedBernoulli
from relaxcore.relaxations.decoupled_straight_through import (
    DecoupledStraightThroughGumbelSoftmax,
)
from relaxcore.relaxations.exp_relaxed_one_hot_categorical import ExpRelaxedOneHotCategorical
from relaxcore.relaxations.gaussian_relaxed_bernoulli import GaussianRelaxedBernoulli
from relaxcore.relaxations.generalized_gumbel_softmax import GeneralizedGumbelSoftmax
from relaxcore.relaxations.gumbel_softmax_top_k import GumbelSoftmaxTopK
from relaxcore.relaxations.hard_concrete import HardConcrete
from relaxcore.relaxations.invertible_gaussian import InvertibleGaussian
from relaxcore.relaxations.laplace_bridge import (
    dirichlet_to_logistic_normal,
    logistic_normal_to_dirichlet,
)
from relaxcore.relaxations.logistic_normal_softmax import LogisticNormalSoftmax
from relaxcore.relaxations.logit_relaxed_bernoulli import LogitRelaxedBernoulli
from relaxcore.relaxations.rebar_relaxation import RebarRelaxation
from relaxcore.relaxations.relaxed_bernoulli import RelaxedBernoulli
from relaxcore.relaxations.relaxed_one_hot_categorical import RelaxedOneHotCategorical
from relaxcore.relaxations.schedules import exponential_temperature, jang_temperature
from relaxcore.relaxations.stochastic_times_smooth import StochasticTimesSmooth
from relaxcore.relaxations.straight_through_bernoulli import StraightThroughBernoulli
from relaxcore.relaxations.straight_through_categorical import (
    RelaxedOneHotCategoricalStraightThrough,
)

__all__ = [
    "CorrelatedRelaxedBernoulli",
    "DecoupledStraightThroughGumbelSoftmax",
    "ExpRelaxedOneHotCategorical",
    "GaussianRelaxedBernoulli",
    "GeneralizedGumbelSoftmax",
    "GumbelSoftmaxTopK",
    "HardConcrete",
    "InvertibleGaussian",
    "LogisticNormalSoftmax",
    "LogitRelaxedBernoulli",
    "RebarRelaxation",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "RelaxedOneHotCategoricalStraightThrough",
    "StochasticTimesSmooth",
    "StraightThroughBernoulli",
    "dirichlet_to_logistic_normal",
    "exponential_temperature",
    "jang_temperature",
    "logistic_normal_to_dirichlet",
]
