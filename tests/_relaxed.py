"""Independent NumPy/SciPy references for the Gumbel-Softmax family (no relaxcore code)."""

import numpy as np
from scipy.special import expit, gammaln, log_softmax, logsumexp


def concrete_log_density(z, logits, tau):
    """Maddison et al. 2017, the log of
    Gamma(K) tau^(K-1) prod(pi_k z_k^(-tau-1)) / (sum pi_k z_k^-tau)^K."""
    k = z.shape[-1]
    log_pi = log_softmax(logits, axis=-1)
    tau = np.asarray(tau)[..., None]
    return (
        gammaln(k)
        + (k - 1) * np.log(tau[..., 0])
        + np.sum(log_pi - (tau + 1) * np.log(z), axis=-1)
        - k * logsumexp(log_pi - tau * np.log(z), axis=-1)
    )


def gumbel_softmax(u, logits, tau):
    g = -np.log(-np.log(u))
    x = (logits + g) / np.asarray(tau)[..., None]
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def binary_concrete(u, logits, tau):
    return expit((logits + np.log(u) - np.log1p(-u)) / tau)


def binary_concrete_log_density(z, logits, tau):
    """Maddison et al. 2017, section 3.3, the log of
    tau a z^(-tau-1) (1-z)^(-tau-1) / (a z^-tau + (1-z)^-tau)^2."""
    a = np.exp(logits)
    return (
        np.log(tau)
        + np.log(a)
        + (-tau - 1) * (np.log(z) + np.log1p(-z))
        - 2 * np.log(a * z**-tau + (1 - z) ** -tau)
    )


def binary_concrete_cdf(z, logits, tau):
    # z = 0 and 1 (samples that rounded there) give logit(z) = -inf and +inf, F = 0 and 1
    with np.errstate(divide="ignore"):
        return expit(tau * (np.log(z) - np.log1p(-z)) - logits)
