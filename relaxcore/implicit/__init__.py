"""Implicit reparameterization gradients (Figurnov, Mohamed & Mnih 2018).

Each distribution here draws with a non-differentiable sampler and computes
dz/dtheta = -(dF(z | theta)/dtheta) / p(z | theta) once, in array-API code; the framework's
adapter attaches it (torch autograd.Function, jax custom_jvp); numpy gets it explicitly
from ``value_and_partials``.
"""

from relaxcore.implicit.beta import Beta
from relaxcore.implicit.dirichlet import Dirichlet
from relaxcore.implicit.exp_beta import ExpBeta
from relaxcore.implicit.exp_dirichlet import ExpDirichlet
from relaxcore.implicit.exp_gamma import ExpGamma
from relaxcore.implicit.gamma import Gamma
from relaxcore.implicit.generic import ImplicitReparam
from relaxcore.implicit.mixture import MixtureSameFamily
from relaxcore.implicit.student_t import StudentT
from relaxcore.implicit.value_and_partials import value_and_partials
from relaxcore.implicit.von_mises import VonMises

__all__ = [
    "Beta",
    "Dirichlet",
    "ExpBeta",
    "ExpDirichlet",
    "ExpGamma",
    "Gamma",
    "ImplicitReparam",
    "MixtureSameFamily",
    "StudentT",
    "VonMises",
    "value_and_partials",
]
