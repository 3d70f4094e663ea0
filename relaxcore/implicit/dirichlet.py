r"""Dirichlet(concentration) through K Gammas, normalized in log space.

:math:`z = \mathrm{softmax}(\log G)`, :math:`G_k \sim \Gamma(\alpha_k, 1)` drawn in log space,
so concentrations down to 1e-37 in float32 give finite samples (tiny coordinates are 0,
the rest sum to 1) and finite gradients. ``rsample`` attaches each
:math:`\partial\log G_k/\partial\alpha_k` (elementwise) and lets the framework differentiate
the softmax (Figurnov et al. 2018, section 3.4). The per-sample Jacobian is

.. math:: \frac{\partial z_i}{\partial\alpha_j} = z_i(\delta_{ij} - z_j)\,
          \frac{\partial\log G_j}{\partial\alpha_j}.

It depends on the latent Gammas, not on z alone: ``value_and_partials`` returns it
({"concentration": array of shape (..., K, K)}, [..., i, j] = dz_i/dalpha_j).
``implicit_partials(z)`` returns a Jacobian of the same shape that is a function of z alone:
the implicit gradient of the stick-breaking (Rosenblatt) transform, whose conditionals
:math:`v_k = z_k / \sum_{j\ge k} z_j \sim \mathrm{Beta}(\alpha_k, \sum_{j>k}\alpha_j)` are
independent; each :math:`v_k` gets its Beta CDF partials, and the chain rule through
:math:`z_i = v_i \prod_{j<i}(1-v_j)` gives :math:`\partial z/\partial\alpha`. Both are unbiased;
they differ per sample.
"""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore.distribution import promote_params
from relaxcore.implicit import incomplete_beta
from relaxcore.implicit._protocol import ImplicitDistribution, attach
from relaxcore.implicit.gamma import log_standard_gamma
from relaxcore.kl import register_kl


class Dirichlet(ImplicitDistribution):
    r"""Dirichlet on the simplex.

    Density :math:`\Gamma(\alpha_0) \prod_k z_k^{\alpha_k-1} / \prod_k \Gamma(\alpha_k)`.
    """

    arg_constraints = {"concentration": constraints.positive}
    param_event_ndims = {"concentration": 1}
    support = constraints.simplex
    implicit_params = ("concentration",)

    def __init__(self, concentration, *, validate_args=None, backend=None):
        bk, dtype, device, p = promote_params({"concentration": concentration}, backend)
        alpha = p["concentration"]
        if alpha.ndim < 1:
            raise ValueError("Dirichlet: concentration must have at least one dimension (K)")
        super().__init__(bk, dtype, device, alpha.shape[:-1], alpha.shape[-1:], validate_args)
        self._validate_params(p)
        self._invalid = invalid_params(self, p)
        self.concentration = alpha

    def _log_gammas(self, sample_shape, rng):
        bk = self._backend
        shape = self._extended_shape(sample_shape)
        alpha = self._up(bk.stop_gradient(self.concentration))  # unbroadcast (see the callee)
        return log_standard_gamma(self, alpha, shape, rng)

    def _draw(self, sample_shape, rng):
        bk = self._backend
        log_g, dlog = self._log_gammas(tuple(sample_shape), rng)
        z = bk.softmax(log_g, axis=-1)
        return nan_where_invalid(self, self._down(z), 1), {
            "concentration": self._down(self._jacobian(z, dlog))
        }

    def _jacobian(self, z, dlog):
        xp = self.xp
        eye = xp.eye(z.shape[-1], dtype=z.dtype)
        zi, zj = z[..., :, None], z[..., None, :]
        return zi * (eye - zj) * dlog[..., None, :]

    def rsample(self, sample_shape=(), *, rng=None):
        bk = self._backend
        log_g, dlog = self._log_gammas(tuple(sample_shape), rng)
        alpha = self._up(self.concentration)
        log_g = attach(bk, log_g, {"concentration": alpha}, {"concentration": dlog})
        return nan_where_invalid(self, self._down(bk.softmax(log_g, axis=-1)), 1)

    def sample(self, sample_shape=(), *, rng=None):
        log_g, _ = self._log_gammas(tuple(sample_shape), rng)
        return nan_where_invalid(self, self._down(self._backend.softmax(log_g, axis=-1)), 1)

    def implicit_partials(self, value):
        value = self._as_value(value)
        xp, bk = self.xp, self._backend
        z = self._up(value)
        alpha = xp.broadcast_to(self._up(self.concentration), z.shape)
        k = z.shape[-1]
        rest = xp.flip(xp.cumulative_sum(xp.flip(z, axis=-1), axis=-1), axis=-1)  # sum_{j>=i}
        rest_a = xp.flip(xp.cumulative_sum(xp.flip(alpha, axis=-1), axis=-1), axis=-1)
        tiny = xp.finfo(z.dtype).smallest_normal
        r, r_next = xp.clip(rest[..., :-1], tiny, None), rest[..., 1:]
        v = xp.clip(z[..., :-1] / r, 0.0, 1.0)
        v_a, v_b = incomplete_beta.beta_partials(
            bk, alpha[..., :-1], rest_a[..., 1:], v, xp.clip(r_next / r, 0.0, 1.0)
        )
        i = xp.arange(k)[:, None]
        j = xp.arange(k - 1)[None, :]
        # dz_i/dv_j: r_i on the diagonal, -z_i / (1 - v_j) = -z_i r_j / r_{j+1} below it
        below = -z[..., :, None] * (r / xp.clip(r_next, tiny, None))[..., None, :]
        dz_dv = xp.where(i == j, rest[..., :, None], xp.where(j < i, below, xp.zeros_like(below)))
        m = xp.arange(k)[None, :]
        jj = xp.arange(k - 1)[:, None]
        zero = xp.zeros_like(v_a)[..., :, None]
        dv_da = xp.where(m == jj, v_a[..., :, None], xp.where(m > jj, v_b[..., :, None], zero))
        return {"concentration": self._down(xp.matmul(dz_dv, dv_da))}

    def log_prob(self, value):
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        alpha, z = self._up(self.concentration), self._up(value)
        norm = bk.lgamma(xp.sum(alpha, axis=-1)) - xp.sum(bk.lgamma(alpha), axis=-1)
        return masked_log_prob(
            self, value, self._down(xp.sum(bk.xlogy(alpha - 1.0, z), axis=-1) + norm)
        )

    @property
    def mean(self):
        return self.concentration / self.xp.sum(self.concentration, axis=-1, keepdims=True)

    @property
    def variance(self):
        total = self.xp.sum(self.concentration, axis=-1, keepdims=True)
        m = self.concentration / total
        return m * (1.0 - m) / (total + 1.0)

    def entropy(self):
        xp, bk = self.xp, self._backend
        alpha = self._up(self.concentration)
        total = xp.sum(alpha, axis=-1)
        k = alpha.shape[-1]
        log_b = xp.sum(bk.lgamma(alpha), axis=-1) - bk.lgamma(total)
        out = (
            log_b
            + (total - k) * bk.digamma(total)
            - xp.sum((alpha - 1.0) * bk.digamma(alpha), axis=-1)
        )
        return self._down(out)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    """KL(Dir(a) || Dir(b)) = log B(b) - log B(a) + sum (a - b)(psi(a) - psi(a0))."""
    xp, bk = p.xp, p._backend
    a, b = p._up(p.concentration), p._up(q.concentration)
    a0, b0 = xp.sum(a, axis=-1), xp.sum(b, axis=-1)
    log_b_a = xp.sum(bk.lgamma(a), axis=-1) - bk.lgamma(a0)
    log_b_b = xp.sum(bk.lgamma(b), axis=-1) - bk.lgamma(b0)
    out = log_b_b - log_b_a + xp.sum((a - b) * (bk.digamma(a) - bk.digamma(a0)[..., None]), axis=-1)
    return p._down(out)
