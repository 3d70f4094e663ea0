"""Closed-form KL divergences between normal distributions (diagonal covariances)."""

from __future__ import annotations

from relaxcore._typing import Array
from relaxcore.distributions.multivariate_normal_diag import MultivariateNormalDiag
from relaxcore.distributions.normal import Normal
from relaxcore.kl import register_kl


def normal_kl(xp, loc_p: Array, scale_p: Array, loc_q: Array, scale_q: Array):
    r"""Elementwise :math:`\mathrm{KL}(N(\mu_p, \sigma_p^2) \,\|\, N(\mu_q, \sigma_q^2))
    = \tfrac12\bigl(((\mu_p - \mu_q)/\sigma_q)^2 + r - 1 - \log r\bigr)`,
    :math:`r = (\sigma_p/\sigma_q)^2`, with :math:`r - 1 - \log r` as
    ``expm1(2s) - 2s``, :math:`s = \log\sigma_p - \log\sigma_q` (no cancellation in 1 - 1)."""
    s = xp.log(scale_p) - xp.log(scale_q)
    w = (loc_p - loc_q) / scale_q
    return 0.5 * (w * w + xp.expm1(2.0 * s) - 2.0 * s)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    xp, up = p.xp, p._up
    return p._down(normal_kl(xp, up(p.loc), up(p.scale), up(q.loc), up(q.scale)))


@register_kl(MultivariateNormalDiag, MultivariateNormalDiag)
def _kl_mvn_diag(p, q):
    """The elementwise normal KL summed over the event axis."""
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"kl_divergence: p and q must have the same event shape; got {p.event_shape} "
            f"and {q.event_shape}"
        )
    xp, up = p.xp, p._up
    kl = normal_kl(xp, up(p.loc), up(p.scale_diag), up(q.loc), up(q.scale_diag))
    return p._down(xp.sum(kl, axis=-1))
