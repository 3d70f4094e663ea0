"""Relaxations trained and scored as continuous models: hard concrete, Gaussian gates,
correlated relaxed Bernoulli, invertible Gaussian."""

from __future__ import annotations

import numpy as np

import relaxcore as rc

from .base import Latent, equicorrelation, positive

# --- relaxations trained as continuous models ----------------------------------------------


class Relaxed(Latent):
    """A continuous latent trained and scored as its own model: one draw z ~ q and the
    one-draw KL log q(z) - log p(z) (densities of the mixed families with respect to the same
    atoms-plus-Lebesgue measure, so the ratio is a density ratio)."""

    estimators = ("relaxed",)

    def posterior(self, h, ctx):
        raise NotImplementedError

    def prior(self, like, ctx):
        raise NotImplementedError

    def kl(self, q, z, ctx, h):
        return q.log_prob(z) - self.prior(h, ctx).log_prob(z)

    def train(self, h, ctx, estimator):
        z, elbo = self.evaluate(h, ctx)
        return elbo, elbo

    def evaluate(self, h, ctx):
        q = self.posterior(h, ctx)
        z = q.rsample(rng=ctx.next_rng())
        return self.to_decoder(z), ctx.loglik(self.to_decoder(z)) - self.kl(q, z, ctx, h)

    def to_decoder(self, z):
        return z

    def prior_draw(self, n, seed):
        zeros = np.zeros((1, self.encoder_size), np.float32)
        z = self.prior(zeros, None).sample((n,), rng=seed)
        return np.asarray(self.to_decoder(z), dtype=np.float32)


class HardConcrete(Relaxed):
    """Hard concrete gates (Louizos et al. 2018), temperature --gate-tau (2/3), stretched to
    (-0.1, 1.1); prior: the same gate at logit 0."""

    name = "hard-concrete"

    def posterior(self, h, ctx):
        return rc.HardConcrete(self.opts.gate_tau, logits=h).to_event(1)

    def prior(self, like, ctx):
        return rc.HardConcrete(self.opts.gate_tau, logits=0 * like[0]).to_event(1)


class GaussianGates(Relaxed):
    """Gaussian stochastic gates (Yamada et al. 2020): clip(mu + 0.5 eps, 0, 1), mu from the
    encoder; prior: the gate at mu = 1/2."""

    name = "gaussian-gates"

    def posterior(self, h, ctx):
        return rc.GaussianRelaxedBernoulli(h, 0.5 + 0 * h).to_event(1)

    def prior(self, like, ctx):
        return rc.GaussianRelaxedBernoulli(0 * like[0] + 0.5, 0 * like[0] + 0.5).to_event(1)


class CorrelatedBernoulli(Relaxed):
    """Correlated relaxed Bernoulli gates (Gaussian copula, Lee et al. 2022) with the
    equicorrelation R = (1 - rho) I + rho 11^T (--rho; relaxit's demo: rho = 0, R = I),
    temperature --gate-tau; prior: independent binary Concretes at logit 0.

    The KL is computed in logit space from the sample's own noise n (eps = L n, L L^T = R,
    logistic noise l_k = logit(Phi(eps_k)), logit z_k = (a_k + l_k) / tau): the density ratio
    is invariant under the elementwise logit, and there

        log q/p = sum_k [log f(l_k) - log f(l_k + a_k)] - 1/2 log det R
                  - 1/2 eps^T (R^-1 - I) eps,      f the standard logistic density,

    finite at every temperature, where log q(z) - log p(z) in z-space loses z to rounding
    (at tau = 0.1 float32 z is often exactly 0 or 1)."""

    name = "correlated-bernoulli"

    def posterior(self, h, ctx):
        r = ctx.asarray(equicorrelation(self.size, self.opts.rho))
        return rc.CorrelatedRelaxedBernoulli(self.opts.gate_tau, r, logits=h)

    def prior(self, like, ctx):
        return rc.RelaxedBernoulli(self.opts.gate_tau, logits=0 * like[0]).to_event(1)

    def evaluate(self, h, ctx):
        bk, xp = ctx.bk, ctx.bk.xp
        r = equicorrelation(self.size, self.opts.rho)
        q = self.posterior(h, ctx)
        noise = q.sample_noise(rng=ctx.next_rng())
        z = q.reparameterize(noise)
        eps = xp.matmul(noise, ctx.asarray(np.linalg.cholesky(r).T))
        logistic = bk.log_ndtr(eps) - bk.log_ndtr(-eps)

        def log_f(x):
            return -bk.softplus(x) - bk.softplus(-x)

        quad = xp.sum(
            eps * xp.matmul(eps, ctx.asarray(np.linalg.inv(r) - np.eye(self.size))), axis=-1
        )
        copula = -0.5 * float(np.linalg.slogdet(r)[1]) - 0.5 * quad
        kl = xp.sum(log_f(logistic) - log_f(logistic + h), axis=-1) + copula
        return z, ctx.loglik(z) - kl


class InvertibleGaussian(Relaxed):
    """N softmax++ latents on the K-simplex (Potapczynski et al. 2020), temperature --igr-tau;
    prior: the same map of N(0, I); the KL is closed-form (a KL of Gaussians)."""

    name = "invertible-gaussian"
    per_latent = 2

    def __init__(self, shape, opts):
        if len(shape) != 2 or shape[1] < 2:
            raise ValueError(
                f"--latent-shape for invertible-gaussian must be NxK, K >= 2; got {shape}"
            )
        super().__init__(shape, opts)

    @property
    def encoder_size(self):
        return 2 * self.shape[0] * (self.shape[1] - 1)

    def split(self, h):
        h = h.reshape((*h.shape[:-1], self.shape[0], 2, self.shape[1] - 1))
        return h[..., 0, :], h[..., 1, :]

    def posterior(self, h, ctx):
        loc, raw = self.split(h)
        return rc.InvertibleGaussian(loc, positive(ctx.bk, raw), self.opts.igr_tau).to_event(1)

    def prior(self, like, ctx):
        loc, _ = self.split(like[:1])
        return rc.InvertibleGaussian(0 * loc[0], 1 + 0 * loc[0], self.opts.igr_tau).to_event(1)

    def kl(self, q, z, ctx, h):
        return rc.kl_divergence(q, self.prior(h, ctx))

    def to_decoder(self, z):
        return z.reshape((*z.shape[:-2], self.size))
