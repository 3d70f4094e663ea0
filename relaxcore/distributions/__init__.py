"""Base distributions with closed forms: Normal, the bases that flows need, the discrete laws
(Categorical, OneHotCategorical, Bernoulli) and Independent."""

from relaxcore.distributions import gaussian_kl  # noqa: F401  (registers the normal KLs)
from relaxcore.distributions.bernoulli import Bernoulli
from relaxcore.distributions.categorical import Categorical
from relaxcore.distributions.independent import Independent
from relaxcore.distributions.logistic import Logistic
from relaxcore.distributions.multivariate_normal_diag import MultivariateNormalDiag
from relaxcore.distributions.normal import Normal
from relaxcore.distributions.one_hot_categorical import OneHotCategorical
from relaxcore.distributions.transformed import TransformedDistribution
from relaxcore.distributions.uniform import Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Independent",
    "Logistic",
    "MultivariateNormalDiag",
    "Normal",
    "OneHotCategorical",
    "TransformedDistribution",
    "Uniform",
]
