"""Base distributions with closed forms (Normal, and the bases that flows need)."""

from relaxcore.distributions.logistic import Logistic
from relaxcore.distributions.multivariate_normal_diag import MultivariateNormalDiag
from relaxcore.distributions.normal import Normal
from relaxcore.distributions.transformed import TransformedDistribution
from relaxcore.distributions.uniform import Uniform

__all__ = ["Logistic", "MultivariateNormalDiag", "Normal", "TransformedDistribution", "Uniform"]
