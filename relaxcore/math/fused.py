"""Array-API versions of the softmax family and the smooth activations.

Each is the textbook stable form (max-shifted or sign-split) and takes the namespace
`xp` first. Backends with native fused kernels never call these.
"""


def logsumexp(xp, x, axis=-1, keepdims=False):
    """log sum exp(x) over `axis`, shifted by the finite max so +-inf entries are exact."""
    m = xp.max(x, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else xp.squeeze(out, axis=axis)


def log_softmax(xp, x, axis=-1):
    return x - logsumexp(xp, x, axis=axis, keepdims=True)


def softmax(xp, x, axis=-1):
    m = xp.max(x, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    e = xp.exp(x - m)
    return e / xp.sum(e, axis=axis, keepdims=True)


def softplus(xp, x):
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|)."""
    return xp.maximum(x, xp.zeros_like(x)) + xp.log1p(xp.exp(-xp.abs(x)))


def sigmoid(xp, x):
    """1 / (1 + e^-x), evaluated without overflow on either side."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def log_sigmoid(xp, x):
    """log sigmoid(x) = -softplus(-x)."""
    return -softplus(xp, -x)
