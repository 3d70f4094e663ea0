"""Zero-valued terms that carry a chosen derivative (DiCE style, Foerster et al. 2018).

``x - stop_gradient(x)`` is exactly 0 in value and has the identity as its derivative, so
``value + A(x - stop_gradient(x))`` evaluates to ``value`` exactly while its derivative is
the linear map ``A``: the sample-style estimators and implicit gradients written once for
every framework with ``stop_gradient`` (torch autograd, torch.func, jax.grad).
"""

from __future__ import annotations


def pass_through(bk, x):
    """0 in value, identity derivative; infinite entries of `x` (masked categories,
    probabilities 0 or 1) contribute 0, never NaN."""
    xp = bk.xp
    safe = xp.where(xp.isfinite(x), x, xp.zeros_like(x))
    return safe - bk.stop_gradient(safe)


def softmax_jacobian_surrogate(bk, p, delta):
    r""":math:`J(p)\,\delta` with :math:`J(p) = \mathrm{diag}(p) - p p^\top` (the softmax
    Jacobian at probabilities `p`, held constant): 0 in value when `delta` is a
    :func:`pass_through`, and its vector-Jacobian product is :math:`J(p)^\top g`.
    """
    xp = bk.xp
    p = bk.stop_gradient(p)
    return p * delta - p * xp.sum(p * delta, axis=-1, keepdims=True)


def tangent_projection(bk, s, delta):
    r""":math:`(\mathrm{diag}(s) - s s^\top / \sum_k s_k)\,\delta` with `s` held constant: the
    Jacobian of :math:`\sigma(x + \nu(x))` where :math:`\nu` keeps :math:`\sum\sigma` fixed
    (implicit differentiation; :math:`s = \sigma'`). 0 where every ``s`` is 0."""
    xp = bk.xp
    s = bk.stop_gradient(s)
    total = xp.sum(s, axis=-1, keepdims=True)
    total = xp.where(total > 0, total, xp.ones_like(total))
    return s * delta - s * xp.sum(s * delta, axis=-1, keepdims=True) / total
