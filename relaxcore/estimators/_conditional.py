r"""Perturbed logits conditioned on the discrete sample they produce.

REBAR, RELAX and Gumbel-Rao need :math:`\tilde z \sim p(z \mid H(z) = b)`, reparameterized
by fresh uniforms `v` (Tucker et al. 2017, appendix; Paulus et al. 2021, appendix).

Categorical, :math:`z = \log p + g` with Gumbel :math:`g` and :math:`b = \arg\max z`: with
:math:`E_k = -\log v_k \sim \mathrm{Exp}(1)`, the maximum is Gumbel with location
:math:`\log\sum_k p_k = 0` and the others are Gumbels truncated below it:

.. math:: \tilde z_b = -\log E_b, \qquad \tilde z_j = -\log(E_j / p_j + E_b)\quad (j \ne b).

Bernoulli, :math:`z = l + \log(u/(1-u))` and :math:`b = 1[z > 0]`: given :math:`b = 1` the
uniform is :math:`u' = 1 - p(1 - v)`, given :math:`b = 0` it is :math:`u' = v(1 - p)`, and
:math:`\tilde z = l + \mathrm{logit}(u')`, computed from :math:`\log p(1-v)` and
:math:`\log (1-p)v` (no cancellation).

Both are differentiable in the logits (the gradient REBAR and RELAX need); Gumbel-Rao stops it.
"""

from __future__ import annotations


def conditional_gumbel(bk, log_p, hard, v):
    """:math:`\\tilde z` given the one-hot `hard`, for normalized logits `log_p` (``-inf``
    allowed: such a category stays ``-inf``) and uniforms `v` in (0, 1)."""
    xp = bk.xp
    log_e = xp.log(-xp.log(v))
    log_e_hard = xp.sum(hard * log_e, axis=-1, keepdims=True)
    finite = xp.isfinite(log_p)
    safe = xp.where(finite, log_p, xp.zeros_like(log_p))
    others = -xp.logaddexp(log_e - safe, log_e_hard)
    others = xp.where(finite, others, xp.full_like(others, -float("inf")))
    return xp.where(hard > 0, -log_e_hard + xp.zeros_like(others), others)


def conditional_logistic(bk, logits, hard, v):
    """:math:`\\tilde z` given `hard` in {0, 1}, for Bernoulli `logits` and uniforms `v`."""
    xp = bk.xp
    log_a = xp.where(
        hard > 0,
        bk.log_sigmoid(logits) + xp.log1p(-v),  # log p(1 - v)
        bk.log_sigmoid(-logits) + xp.log(v),  # log (1 - p) v
    )
    log_rest = xp.log(-xp.expm1(log_a))  # log(1 - a)
    return logits + xp.where(hard > 0, log_rest - log_a, log_a - log_rest)


def conditional_perturbation(bk, family, logits, hard, v):
    """The conditional perturbed logits of `family` ("categorical" or "bernoulli")."""
    if family == "categorical":
        return conditional_gumbel(bk, logits, hard, v)
    return conditional_logistic(bk, logits, hard, v)
