"""The logistic-normal distribution in the softmax basis (Aitchison & Shen 1980)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.math.special import HALF_LOG_2PI
from relaxcore.relaxations._logits import log_clipped


class LogisticNormalSoftmax(Distribution):
    r"""``z = softmax(y)``, ``y ~ N(loc, diag(scale^2))`` in R^K: a law on the K-simplex.

    Noise ``eps ~ N(0, I_K)``, ``y = loc + scale * eps``.

    softmax forgets the common shift of y, so z has K-1 degrees of freedom and its law is
    that of the additive logistic map of :math:`w = y_{1:K-1} - y_K`, which is Gaussian,
    :math:`w \sim N(m, S)` with :math:`m_k = \mu_k - \mu_K` and
    :math:`S = \mathrm{diag}(\sigma_{1:K-1}^2) + \sigma_K^2 \mathbf{1}\mathbf{1}^\top`.
    ``log_prob`` is the exact density of the free coordinates (z_1..z_{K-1}) with respect to
    Lebesgue measure (Jacobian of the additive logistic map: :math:`\prod_{k=1}^K z_k`):

    .. math:: \log p(z) = \log N(w; m, S) - \sum_{k=1}^K \log z_k,
              \quad w_k = \log z_k - \log z_K

    evaluated in O(K) with the matrix determinant lemma and Sherman-Morrison. It integrates
    to 1 over the simplex. Different (loc, scale) can give the same law (only m and S
    matter). ``mean`` has no closed form (estimate it as ``rsample(n).mean(0)``).

    Args:
        loc: (..., K) real. scale: (..., K) or broadcastable, > 0.
    """

    arg_constraints = {"loc": constraints.finite, "scale": constraints.positive}
    param_event_ndims = {"loc": 1, "scale": 1}
    support = constraints.simplex
    has_rsample = True

    def __init__(
        self,
        loc: ArrayLike,
        scale: ArrayLike,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        bk, dtype, device, p = promote_params(
            {"loc": loc, "scale": scale}, backend, type(self).__name__, type(self)._required_params
        )
        if p["loc"].ndim < 1:
            raise ValueError(f"{type(self).__name__}: loc must have shape (..., K); got a scalar")
        shape = broadcast_shapes(
            p["loc"].shape, p["scale"].shape, names=["loc", "scale"], owner=type(self).__name__
        )
        super().__init__(bk, dtype, device, shape[:-1], shape[-1:], validate_args)
        self._validate_params(p)
        self._invalid = invalid_params(self, p)
        self.loc = bk.xp.broadcast_to(p["loc"], shape)
        self.scale = bk.xp.broadcast_to(p["scale"], shape)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._normal_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        y = self._up(self.loc) + self._up(self.scale) * self._up(noise)
        return nan_where_invalid(self, self._down(self._backend.softmax(y, axis=-1)), 1)

    def _free_gaussian(self):
        """m, diag d and rank-one weight c of S = diag(d) + c 11^T, in the compute dtype."""
        loc, var = self._up(self.loc), self._up(self.scale) ** 2
        return loc[..., :-1] - loc[..., -1:], var[..., :-1], var[..., -1]

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp = self.xp
        z = self._up(value)
        log_z = log_clipped(xp, z)
        m, d, c = self._free_gaussian()
        r = log_z[..., :-1] - log_z[..., -1:] - m
        s = 1 + c * xp.sum(1 / d, axis=-1)
        log_det = xp.sum(xp.log(d), axis=-1) + xp.log(s)
        quad = xp.sum(r * r / d, axis=-1) - c * xp.sum(r / d, axis=-1) ** 2 / s
        k1 = self._event_shape[0] - 1
        log_normal = -0.5 * quad - 0.5 * log_det - k1 * HALF_LOG_2PI
        return masked_log_prob(self, value, self._down(log_normal - xp.sum(log_z, axis=-1)))

    @property
    def mean(self) -> Array:
        raise NotImplementedError(
            "the logistic-normal mean E[softmax(y)] has no closed form; estimate it as "
            "rsample(n).mean(0), or use logistic_normal_to_dirichlet for the Laplace "
            "bridge approximation"
        )
