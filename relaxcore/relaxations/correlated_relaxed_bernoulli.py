"""Correlated relaxed Bernoulli gates through a Gaussian copula (Lee, Imrie & van der
Schaar 2022, "Self-supervision enhanced feature selection with correlated gates", sec. 4)."""

from __future__ import annotations

import math

from relaxcore import constraints
from relaxcore._policy import invalid_params, masked_log_prob, nan_where_invalid
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import RNG, Array, ArrayLike, Shape
from relaxcore.distribution import Distribution, promote_params
from relaxcore.relaxations._binary_concrete import binary_concrete_log_prob
from relaxcore.relaxations._logits import (
    clamped,
    one_of,
    tempered,
    validated_logits,
)


class CorrelatedRelaxedBernoulli(Distribution):
    r"""K relaxed Bernoulli gates whose uniforms are coupled by a Gaussian copula.

    Noise ``n ~ N(0, I_K)`` (shape ``sample_shape + batch_shape + (K,)``); with ``L`` the
    Cholesky factor of the correlation ``R``:

    .. math:: \epsilon = L n,\quad u_k = \Phi(\epsilon_k),\quad
              z_k = \sigma\big((l_k + \log u_k - \log(1-u_k))/\tau\big)

    (``logit(u)`` is computed as ``log(Phi(eps) / Phi(-eps))`` with ``Phi`` through ``erfc``,
    accurate in both tails; ``|eps|`` is clipped where ``Phi(-|eps|)`` would leave the normal
    range (beyond 33.9 sigma in float64, 11.9 in float32), so it is finite for every noise).
    ``L`` is factorised once, at construction.
    Each ``z_k`` is a binary Concrete with logits ``l_k``, so ``b_k = 1[z_k > 1/2]`` has
    ``P(b_k = 1) = pi_k``, and
    ``P(b_j = 1, b_k = 1) = Phi_2(Phi^{-1}(pi_j), Phi^{-1}(pi_k); R_jk)``.

    Each ``z_k`` is a strictly increasing function of ``eps_k``, so the density exists:
    the Gaussian copula density times the binary Concrete marginals,

    .. math:: \log p(z) = \sum_k \log p_k(z_k) - \tfrac12\log\det R
              - \tfrac12\,\epsilon^\top (R^{-1} - I)\,\epsilon,\quad
              \epsilon_k = \Phi^{-1}(\sigma(\tau\,\mathrm{logit}(z_k) - l_k))

    (finite logits; ``Phi^{-1}`` is evaluated on the smaller tail for accuracy).

    Args:
        temperature: > 0.
        correlation: (..., K, K) symmetric positive definite; a covariance is normalised to
            unit diagonal. Not positive definite is a ValueError (checked eagerly, also with
            ``validate_args=False``, except under tracing).
        probs: (..., K) in [0, 1], or logits: (..., K) real or +-inf.
    """

    arg_constraints = {
        "temperature": constraints.positive,
        "probs": constraints.unit_interval,
        "logits": constraints.bernoulli_logits,
    }
    param_event_ndims = {"temperature": 0, "logits": 1, "correlation": 2}
    support = constraints.Constraint(
        "in [0, 1] elementwise", lambda xp, x: xp.all((x >= 0) & (x <= 1), axis=-1), 1
    )
    has_rsample = True

    def __init__(
        self,
        temperature: ArrayLike,
        correlation: ArrayLike,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        one_of(type(self).__name__, probs, logits)
        bk, dtype, device, p = promote_params(
            {
                "temperature": temperature,
                "correlation": correlation,
                "probs": probs,
                "logits": logits,
            },
            backend,
            type(self).__name__,
            type(self)._required_params,
        )
        xp = bk.xp
        raw = p["logits"] if logits is not None else p["probs"]
        cov = p["correlation"]
        k = raw.shape[-1] if raw.ndim else 0
        if raw.ndim < 1 or cov.ndim < 2 or tuple(cov.shape[-2:]) != (k, k):
            raise ValueError(
                f"{type(self).__name__}: correlation must have shape (..., K, K) matching the "
                f"K = {k} gates of {'logits' if logits is not None else 'probs'}; got "
                f"{tuple(cov.shape)}"
            )
        batch_shape = broadcast_shapes(
            raw.shape[:-1],
            cov.shape[:-2],
            p["temperature"].shape,
            names=[
                f"{'logits' if logits is not None else 'probs'} (batch axes, before K)",
                "correlation (batch axes, before K, K)",
                "temperature",
            ],
            owner=type(self).__name__,
        )
        super().__init__(bk, dtype, device, batch_shape, (k,), validate_args)
        self._invalid = invalid_params(self, p)
        logit, self._finite_logits = validated_logits(self, p)
        self.logits = xp.broadcast_to(logit, batch_shape + (k,))
        self.temperature = xp.broadcast_to(p["temperature"], batch_shape)
        corr = self._normalise(cov)
        self.correlation = xp.broadcast_to(corr, batch_shape + (k, k))
        # unbroadcast, so that one matrix product serves the whole batch
        self._scale_tril = self._cholesky(self._up(corr))

    def _normalise(self, cov):
        xp = self.xp
        diag = xp.linalg.diagonal(cov)
        if self._validate_args:
            self._check(
                "correlation",
                diag,
                constraints.Constraint(
                    "symmetric positive definite (its diagonal > 0)", lambda xp, x: x > 0
                ),
            )
            tol = 1e-6 if cov.dtype == xp.float64 else 1e-2
            size = math.prod(diag.shape)  # a zero-size batch has no largest entry
            biggest = xp.max(xp.abs(diag)) if size else xp.asarray(0.0, dtype=cov.dtype)
            self._check(
                "correlation",
                cov - xp.matrix_transpose(cov),
                constraints.Constraint("symmetric", lambda xp, x: xp.abs(x) <= tol * biggest),
            )
        root = xp.sqrt(diag)
        return cov / (root[..., :, None] * root[..., None, :])

    def _cholesky(self, corr):
        xp = self.xp
        message = (
            f"{type(self).__name__}: correlation must be symmetric positive definite; "
            f"its Cholesky factorisation failed"
        )
        try:
            tril = xp.linalg.cholesky(corr)
        except (ValueError, RuntimeError) as err:  # numpy LinAlgError, torch _LinAlgError
            raise ValueError(message) from err
        if not self._backend.is_traced(tril) and not bool(xp.all(xp.isfinite(tril))):
            raise ValueError(message)
        return tril

    @property
    def probs(self) -> Array:
        return self._backend.sigmoid(self.logits)

    def sample_noise(self, sample_shape: Shape = (), *, rng: RNG = None) -> Array:
        return self._normal_noise(sample_shape, rng)

    def reparameterize(self, noise: Array) -> Array:
        xp, bk = self.xp, self._backend
        tril = self._scale_tril
        eps = xp.matmul(self._up(noise)[..., None, :], xp.matrix_transpose(tril))[..., 0, :]
        bound = math.sqrt(-2 * math.log(xp.finfo(tril.dtype).smallest_normal)) * 0.9
        eps = xp.clip(eps, -bound, bound)
        logistic = xp.log(bk.ndtr(eps) / bk.ndtr(-eps))
        tau = xp.expand_dims(self._up(self.temperature), axis=-1)
        # probs 0 or 1: +-inf kept away from the division (NaN d/dtemperature)
        scaled = tempered(xp, self._up(self.logits), logistic, tau, self._finite_logits)
        return nan_where_invalid(self, self._down(bk.sigmoid(scaled)), 1)

    def log_prob(self, value: ArrayLike) -> Array:
        value = self._as_value(value)
        self._validate_sample(value)
        xp, bk = self.xp, self._backend
        finfo = xp.finfo(self._compute_dtype())
        z = clamped(xp, self._up(value), finfo.smallest_normal, 1.0 - finfo.eps / 2)
        log_z, log_1mz = xp.log(z), xp.log1p(-z)
        tau = xp.expand_dims(self._up(self.temperature), axis=-1)
        logits = self._up(self.logits)
        a = tau * (log_z - log_1mz) - logits  # logit(u_k)
        marginal = binary_concrete_log_prob(bk, logits, tau, log_z, log_1mz)
        lower_tail = clamped(xp, bk.sigmoid(-xp.abs(a)), finfo.smallest_normal, 0.5)
        eps = xp.where(a > 0, -bk.ndtri(lower_tail), bk.ndtri(lower_tail))
        solved = xp.matmul(xp.linalg.inv(self._up(self.correlation)), eps[..., None])[..., 0]
        log_det = 2 * xp.sum(xp.log(xp.linalg.diagonal(self._up(self._scale_tril))), axis=-1)
        copula = -0.5 * log_det - 0.5 * xp.sum(eps * (solved - eps), axis=-1)
        return masked_log_prob(self, value, self._down(xp.sum(marginal, axis=-1) + copula))
