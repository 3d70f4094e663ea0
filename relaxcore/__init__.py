"""relaxcore: gradients through randomness, written once for every array framework.

``import relaxcore as rc`` imports no framework: a backend is loaded when its arrays
first reach the library.
"""

from relaxcore import bijectors, constraints, estimators, flows, functional, implicit
from relaxcore._dispatch import BACKEND_NAMES, backend_for, get_backend
from relaxcore._to_backend import to_backend
from relaxcore._validation import validate_args
from relaxcore.distribution import Distribution
from relaxcore.distributions import *  # noqa: F403
from relaxcore.distributions import __all__ as _distributions
from relaxcore.implicit import *  # noqa: F403
from relaxcore.implicit import __all__ as _implicit
from relaxcore.kl import kl_divergence, register_kl
from relaxcore.relaxations import *  # noqa: F403
from relaxcore.relaxations import __all__ as _relaxations
from relaxcore.relaxations import relaxed_kl  # noqa: F401  (registers; needs both packages)

__version__ = "0.1.0"

__all__ = [
    "BACKEND_NAMES",
    "Distribution",
    "backend_for",
    "bijectors",
    "constraints",
    "estimators",
    "flows",
    "functional",
    "get_backend",
    "implicit",
    "kl_divergence",
    "register_kl",
    "validate_args",
    "to_backend",
    *_distributions,
    *_implicit,
    *_relaxations,
]
