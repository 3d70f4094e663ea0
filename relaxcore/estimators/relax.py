r"""RELAX (Grathwohl et al. 2018, "Backpropagation through the Void", Algorithm 2): the score
function with a learned control variate evaluated at the relaxed noise, unbiased for any
control variate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relaxcore._typing import RNG, Array
from relaxcore.estimators._common import (
    count,
    family_distribution,
    losses,
    one_hot_argmax,
    rng_streams,
    sum_trailing,
)
from relaxcore.estimators._conditional import conditional_perturbation
from relaxcore.relaxations._noise import gumbel, logistic


def relax(
    f: Callable[..., Array],
    logits: Array,
    control_variate: Callable[..., Array],
    *,
    family: str = "categorical",
    n_samples: int = 1,
    rng: RNG = None,
) -> Array:
    r"""A surrogate whose value is the estimate of :math:`E[f(b)]` and whose gradient with
    respect to `logits` is the RELAX estimator

    .. math:: \hat g = \big(f(b) - c(\tilde z)\big)\,\nabla \log p(b)
              + \nabla c(z) - \nabla c(\tilde z),

    with :math:`z` the perturbed logits (``log p + Gumbel`` for "categorical", ``logits +
    logistic`` for "bernoulli"), :math:`b = H(z)` the discrete sample (one-hot argmax, or
    ``1[z > 0]``) and :math:`\tilde z \sim p(z \mid b)` (``_conditional``), both
    reparameterized in the logits. Unbiased for every control variate :math:`c`, since
    :math:`z` and :math:`\tilde z` have the same law.

    Surrogate: ``f(b) + (f(b) - c(z~)) (log p(b) - sg) + (c(z) - sg) - (c(z~) - sg)``, with
    ``sg`` the stopped value of the term before it: its value is exactly ``f(b)`` averaged over
    the samples, and its derivative with respect to the control variate's parameters, taken
    through the gradient, is that of the estimate. So the variance objective of Grathwohl et
    al. (minimize :math:`E[\hat g^2]` over the control variate's parameters) is, in torch::

        s = relax(f, logits, cv, rng=g)
        (g_hat,) = torch.autograd.grad(s.sum(), logits, create_graph=True)
        variance_loss = (g_hat ** 2).sum()   # backward into cv's parameters

    and in JAX ``variance_loss = sum(jax.grad(lambda l: relax(f, l, cv, rng=key).sum())(logits)
    ** 2)``, differentiated with respect to the control variate's parameters.

    Args:
        f: the loss of a discrete sample: maps ``(n, *logits.shape)`` samples (one-hot rows for
            "categorical", 0./1. for "bernoulli") to ``(n,)`` or a leading part of the log
            probability's shape (per-variable losses). Called once, on the hard samples.
        logits: unnormalized log-probabilities; "categorical": last axis = categories.
        control_variate: an array function of the perturbed logits ``z`` (same shape as the
            samples) returning the shape of ``f``'s output; differentiable (a network, or
            REBAR's ``eta * f(softmax(z / temperature))``: see :func:`rebar`). Called twice,
            at ``z`` then at ``z~``, in the compute dtype (float32 for half-precision logits;
            the surrogate is returned in the logits' dtype).
        family: "categorical" or "bernoulli".
        n_samples: independent samples averaged in the estimate.
        rng: the random stream (a JAX key for JAX arrays).

    Returns: the surrogate, shape of ``f``'s output without the sample axis. NumPy has no
    autodiff: the value is the estimate.
    """
    owner = "relax"
    dist = family_distribution(owner, logits, family)
    if not callable(control_variate):
        raise TypeError(
            f"{owner}: control_variate must be a callable of the perturbed logits; "
            f"got {type(control_variate).__name__}"
        )
    return control_variate_surrogate(owner, f, dist, family, control_variate, n_samples, rng)


def control_variate_surrogate(
    owner,
    f: Callable[..., Array],
    dist: Any,  # a Bernoulli or OneHotCategorical (anything with logits)
    family: str,
    control_variate: Callable[..., Array],
    n_samples: int,
    rng: RNG,
):
    """The RELAX surrogate of ``relax``'s docstring for the distribution `dist`."""
    n = count(owner, "n_samples", n_samples)
    xp, bk = dist.xp, dist.backend
    u_rng, v_rng = rng_streams(dist, rng, 2)
    theta = dist._up(dist.logits)
    u = dist._uniform_noise((n,), u_rng)
    v = dist._open_unit(dist._uniform_noise((n,), v_rng))
    if family == "categorical":
        z = theta + gumbel(dist, u)
        hard = one_hot_argmax(xp, bk.stop_gradient(z))
    else:
        z = theta + logistic(dist, u)
        hard = xp.astype(bk.stop_gradient(z) > 0, z.dtype)
    z_tilde = conditional_perturbation(bk, family, theta, hard, v)
    log_p = dist.log_prob(dist._down(hard))
    loss = losses(owner, f, dist._down(hard), 1, log_p.shape)
    log_p = sum_trailing(xp, log_p, loss.ndim)
    c_z, c_tilde = control_variate(z), control_variate(z_tilde)
    for name, c in (("control_variate(z)", c_z), ("control_variate(z~)", c_tilde)):
        if tuple(getattr(c, "shape", ())) != tuple(loss.shape):
            raise ValueError(
                f"{owner}: {name} must have the shape of f's output {tuple(loss.shape)}; "
                f"got {tuple(getattr(c, 'shape', ()))}"
            )
    sg = bk.stop_gradient
    surrogate = (
        loss + (loss - c_tilde) * (log_p - sg(log_p)) + (c_z - sg(c_z)) - (c_tilde - sg(c_tilde))
    )
    return dist._down(xp.mean(surrogate, axis=0))
