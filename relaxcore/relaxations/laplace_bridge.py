"""The Laplace bridge between Dirichlet and logistic-normal laws (MacKay 1998; Hobbhahn,
Kristiadi & Hennig 2022, "Fast predictive uncertainty for classification with Bayesian
deep networks", eqs. 5-6), and closed-form KL divergences between logistic-normal laws."""

from __future__ import annotations

from relaxcore._typing import Array
from relaxcore.distribution import compute_dtype, promote_params
from relaxcore.kl import register_kl
from relaxcore.relaxations.invertible_gaussian import InvertibleGaussian
from relaxcore.relaxations.logistic_normal_softmax import LogisticNormalSoftmax


def _fail(name, allowed, got):
    raise ValueError(f"{name} must be {allowed}; got {got}")


def dirichlet_to_logistic_normal(concentration: Array) -> tuple[Array, Array]:
    r"""(loc, covariance) of the Laplace approximation of Dirichlet(alpha) in the softmax basis.

    .. math:: \mu_k = \log\alpha_k - \tfrac1K\sum_l \log\alpha_l,\qquad
              \Sigma_{kl} = \frac{\delta_{kl}}{\alpha_k}
              - \frac1K\Big(\frac1{\alpha_k} + \frac1{\alpha_l} - \frac1K\sum_u\frac1{\alpha_u}\Big)

    ``concentration``: (..., K), > 0, any backend. Returns ``loc`` (..., K) and
    ``covariance`` (..., K, K) (singular: its rows sum to 0), in the input's dtype.
    """
    bk, dtype, device, p = promote_params({"concentration": concentration})
    xp = bk.xp
    alpha = p["concentration"]
    if alpha.ndim < 1:
        _fail("concentration", "an array of shape (..., K)", "a scalar")
    if not bk.is_traced(alpha) and not bool(xp.all(alpha > 0)):
        _fail("concentration", "> 0 (and not NaN)", f"min {float(xp.min(alpha))}")
    a = xp.astype(alpha, compute_dtype(xp, dtype))
    k = a.shape[-1]
    log_a, inv = xp.log(a), 1 / a
    loc = log_a - xp.mean(log_a, axis=-1, keepdims=True)
    eye = xp.eye(k, dtype=a.dtype, device=device)
    total = xp.sum(inv, axis=-1, keepdims=True)[..., None] / k
    cov = eye * inv[..., None, :] - (inv[..., :, None] + inv[..., None, :] - total) / k
    return xp.astype(loc, dtype), xp.astype(cov, dtype)


def logistic_normal_to_dirichlet(loc: Array, covariance: Array) -> Array:
    r"""Concentration of the Dirichlet matched to N(loc, covariance) in the softmax basis.

    .. math:: \alpha_k = \frac{1}{\Sigma_{kk}}\Big(1 - \frac2K
              + \frac{e^{\mu_k}}{K^2}\sum_l e^{-\mu_l}\Big)

    Only the diagonal of ``covariance`` enters, as a variance. It inverts
    :func:`dirichlet_to_logistic_normal` exactly. ``loc``: (..., K); ``covariance``:
    (..., K, K) with a positive diagonal.
    """
    bk, dtype, device, p = promote_params({"loc": loc, "covariance": covariance})
    xp = bk.xp
    mu, cov = p["loc"], p["covariance"]
    if mu.ndim < 1 or cov.ndim < 2 or tuple(cov.shape[-2:]) != (mu.shape[-1],) * 2:
        _fail(
            "covariance",
            "of shape (..., K, K) for loc of shape (..., K)",
            f"shapes {tuple(mu.shape)} and {tuple(cov.shape)}",
        )
    ct = compute_dtype(xp, dtype)
    mu, var = xp.astype(mu, ct), xp.astype(xp.linalg.diagonal(cov), ct)
    if not bk.is_traced(var) and not bool(xp.all(var > 0)):
        _fail("covariance", "a matrix with a positive diagonal", f"min {float(xp.min(var))}")
    k = mu.shape[-1]
    cross = xp.exp(mu + bk.logsumexp(-mu, axis=-1, keepdims=True)) / k**2
    return xp.astype((1 - 2 / k + cross) / var, dtype)


def _same_event(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"kl_divergence: p and q must have the same event shape; got {p.event_shape} "
            f"and {q.event_shape}"
        )


@register_kl(LogisticNormalSoftmax, LogisticNormalSoftmax)
def _kl_logistic_normal(p, q):
    r"""KL between the laws of the simplex-valued samples z = softmax(y).

    softmax is a bijection from :math:`w = y_{1:K-1} - y_K` onto the open simplex, and KL is
    invariant under bijections, so this is the KL of the (K-1)-dimensional Gaussians of w,
    :math:`N(m, \mathrm{diag}(d) + c\,\mathbf{1}\mathbf{1}^\top)` (see
    :class:`LogisticNormalSoftmax`). It is not the KL of the K-dimensional Normals of y
    (that one is at least as large and depends on the direction softmax forgets).
    """
    _same_event(p, q)
    xp = p.xp
    m_p, d_p, c_p = p._free_gaussian()
    m_q, d_q, c_q = q._free_gaussian()
    v = 1 / d_q
    sum_v = xp.sum(v, axis=-1)
    beta = c_q / (1 + c_q * sum_v)
    trace = (
        xp.sum(d_p * v, axis=-1)
        + c_p * sum_v
        - beta * (xp.sum(v * v * d_p, axis=-1) + c_p * sum_v**2)
    )
    delta = m_q - m_p
    quad = xp.sum(delta * delta * v, axis=-1) - beta * xp.sum(delta * v, axis=-1) ** 2
    log_det_p = xp.sum(xp.log(d_p), axis=-1) + xp.log1p(c_p * xp.sum(1 / d_p, axis=-1))
    log_det_q = xp.sum(xp.log(d_q), axis=-1) + xp.log1p(c_q * sum_v)
    k1 = p.event_shape[0] - 1
    return p._down(0.5 * (trace + quad - k1 + log_det_q - log_det_p))


@register_kl(InvertibleGaussian, InvertibleGaussian)
def _kl_invertible_gaussian(p, q):
    r"""KL between the laws on the simplex, in closed form for any temperatures and deltas.

    In p's coordinates :math:`y = \tau_p(\log z_{1:K} - \log z_{K+1} + \log\delta_p)`, q's law
    is :math:`N(r\mu_q + \tau_p\log(\delta_p/\delta_q), (r\sigma_q)^2)` with
    :math:`r = \tau_p/\tau_q`; KL is invariant under that bijection, so this is a KL of
    diagonal Gaussians in R^K.
    """
    _same_event(p, q)
    xp = p.xp
    tau_p, tau_q = p._up(p.temperature)[..., None], q._up(q.temperature)[..., None]
    ratio = tau_p / tau_q
    shift = tau_p * (xp.log(p._up(p.delta)) - xp.log(q._up(q.delta)))[..., None]
    loc_q = ratio * q._up(q.loc) + shift
    scale_p, scale_q = p._up(p.scale), ratio * q._up(q.scale)
    z = (p._up(p.loc) - loc_q) / scale_q
    var_ratio = (scale_p / scale_q) ** 2
    kl = 0.5 * (var_ratio + z * z - 1 - xp.log(var_ratio))
    return p._down(xp.sum(kl, axis=-1))


__all__ = ["dirichlet_to_logistic_normal", "logistic_normal_to_dirichlet"]
