"""Gradient estimators for discrete samples, written once on ``stop_gradient``.

Objective-style estimators take the loss `f` of a discrete sample and return a surrogate
whose value is the Monte-Carlo estimate of :math:`E[f]` and whose gradient is the estimator
(torch autograd, torch.func and jax.grad differentiate it; NumPy gets the estimate, and the
gradient through :func:`value_and_grad`): :func:`score_function`, :func:`rebar`,
:func:`relax`, :func:`disarm`, :func:`arsm`.

Sample-style estimators return a hard sample whose backward pass is the estimator:
:func:`straight_through`, :func:`reinmax`, :func:`gapped_straight_through`,
:func:`gumbel_rao`, :func:`perturbed_argmax`, :func:`perturbed_top_k`.

:func:`diagnose` measures each one's bias (against exact enumeration), variance and time.
"""

from relaxcore.estimators.arsm import arsm
from relaxcore.estimators.diagnose import Diagnosis, diagnose
from relaxcore.estimators.disarm import disarm
from relaxcore.estimators.explicit import value_and_grad
from relaxcore.estimators.gapped_straight_through import gapped_straight_through
from relaxcore.estimators.gumbel_rao import gumbel_rao
from relaxcore.estimators.perturbed import perturbed_argmax, perturbed_top_k
from relaxcore.estimators.rebar import rebar
from relaxcore.estimators.reinmax import reinmax
from relaxcore.estimators.relax import relax
from relaxcore.estimators.score_function import score_function
from relaxcore.estimators.straight_through import straight_through

__all__ = [
    "Diagnosis",
    "arsm",
    "diagnose",
    "disarm",
    "gapped_straight_through",
    "gumbel_rao",
    "perturbed_argmax",
    "perturbed_top_k",
    "rebar",
    "reinmax",
    "relax",
    "score_function",
    "straight_through",
    "value_and_grad",
]
