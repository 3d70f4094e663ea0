r"""REBAR (Tucker, Mnih, Maddison, Lawson & Sohl-Dickstein 2017): the score function with the
concrete relaxation of `f` as control variate, evaluated at conditional noise."""

from __future__ import annotations

from collections.abc import Callable

from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import family_distribution, positive
from relaxcore.estimators.relax import control_variate_surrogate
from relaxcore.relaxations._logits import tempered


def rebar(
    f: Callable[..., Array],
    logits: Array,
    *,
    temperature: Array,
    eta: Array = 1.0,
    family: str = "categorical",
    n_samples: int = 1,
    rng: RNG = None,
) -> Array:
    r"""A surrogate whose value is the estimate of :math:`E[f(b)]` and whose gradient with
    respect to `logits` is the REBAR estimator (Tucker et al. 2017, eq. 5)

    .. math:: \hat g = \big(f(b) - \eta f(\sigma_\lambda(\tilde z))\big)\nabla\log p(b)
              + \eta\,\nabla f(\sigma_\lambda(z)) - \eta\,\nabla f(\sigma_\lambda(\tilde z)),

    :math:`\sigma_\lambda(z) = \mathrm{softmax}(z/\lambda)` ("categorical") or
    :math:`\mathrm{sigmoid}(z/\lambda)` ("bernoulli"), :math:`z`, :math:`b = H(z)` and the
    conditional :math:`\tilde z \sim p(z \mid b)` as in :func:`relax`, of which this is the
    case :math:`c(z) = \eta f(\sigma_\lambda(z))`. Unbiased for every :math:`\eta` and
    :math:`\lambda`.

    `f` is evaluated three times: at the hard sample and at the two relaxed ones, so it must
    accept relaxed inputs (points of the simplex, or of (0, 1)) and be differentiable there.

    `eta` and `temperature` may be arrays carrying gradients (e.g. ``temperature =
    exp(log_temperature)``): the variance objective of Tucker et al. (section 3.3),
    :math:`E[\hat g^2]`, is differentiable in them through the gradient of the surrogate
    (``create_graph=True`` in torch, nested ``jax.grad``), as :func:`relax` shows.

    Args:
        f: loss of a sample: ``(n, *logits.shape)`` -> ``(n,)`` or a leading part of the log
            probability's shape; also called on relaxed samples.
        logits: "categorical": last axis = categories; "bernoulli": elementwise.
        temperature: lambda > 0, scalar or an array broadcasting against the batch shape.
        eta: control-variate scale, broadcasting against ``f``'s output.
        family: "categorical" or "bernoulli".
        n_samples: independent samples averaged in the estimate.
        rng: the random stream (a JAX key for JAX arrays).
    """
    owner = "rebar"
    dist = family_distribution(owner, logits, family)
    bk, xp = dist.backend, dist.xp
    tau = positive(owner, bk, "temperature", temperature)
    if family == "categorical" and hasattr(tau, "ndim") and tau.ndim:
        tau = xp.expand_dims(tau, axis=-1)
    squash = bk.softmax if family == "categorical" else bk.sigmoid

    def relaxed_f(z):
        scaled = tempered(xp, z, xp.zeros_like(z), tau)  # infinite entries kept out of z / tau
        return eta * f(dist._down(squash(scaled)))

    return control_variate_surrogate(owner, f, dist, family, relaxed_f, n_samples, rng)
