r"""Differentiable CDFs of implicit distributions, from their implicit partials.

At fixed :math:`F(z \mid \theta)`, :math:`dz/d\theta = -\partial_\theta F / p`, so the CDF's
derivatives are :math:`\partial_\theta F = -p(z)\,\partial z/\partial\theta` and
:math:`\partial_z F = p(z)`: every implicit distribution's ``implicit_partials`` gives them,
with no autodiff through special functions that frameworks cannot differentiate (torch's
``igamma`` has no gradient in its first argument).
"""

from __future__ import annotations

from relaxcore.implicit._protocol import attach


def differentiable_cdf(dist, value, cdf, inside):
    """`cdf` (the value of F at `value`) with d F = sum_theta dF/dtheta d theta + p d value.

    `inside`: True where `value` is inside the support's interior; elsewhere the CDF is
    constant (0 or 1) and every partial is 0.
    """
    bk, xp = dist.backend, dist.xp
    quiet = object.__new__(type(dist))
    vars(quiet).update(vars(dist))
    quiet._validate_args = False  # the density outside the support is masked below
    z = bk.stop_gradient(value)
    safe = inside & xp.isfinite(z)
    density = xp.exp(bk.stop_gradient(quiet._up(quiet.log_prob(z))))
    density = xp.where(safe, density, xp.zeros_like(density))
    density = xp.where(xp.isfinite(density), density, xp.zeros_like(density))
    shape = cdf.shape
    params = {"value": value}
    partials = {"value": density}
    for name, dz in quiet.implicit_partials(z).items():
        dz = quiet._up(bk.stop_gradient(dz))
        d_f = xp.where(density > 0, -density * dz, xp.zeros_like(density))
        params[name] = getattr(dist, name)
        partials[name] = xp.where(xp.isfinite(d_f), d_f, xp.zeros_like(d_f))
    partials = {k: xp.astype(xp.broadcast_to(v, shape), cdf.dtype) for k, v in partials.items()}
    return attach(bk, cdf, params, partials)
