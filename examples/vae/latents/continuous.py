"""The implicit-reparameterization posteriors of Figurnov et al. (2018), Table 4."""

from __future__ import annotations

import math

import numpy as np
from array_api_compat import array_namespace

import relaxcore as rc

from .base import positive
from .relaxed import Relaxed

# --- the implicit-reparameterization posteriors (Figurnov et al. 2018, Table 4) --------------


class Continuous(Relaxed):
    """D continuous latents with the closed-form KL to the prior (the von Mises one: the
    one-draw estimate against the uniform circle). Two encoder outputs per latent."""

    per_latent = 2
    estimators = ("implicit",)

    def split(self, h):
        h = h.reshape((*h.shape[:-1], 2, self.size))
        return h[..., 0, :], h[..., 1, :]

    def kl(self, q, z, ctx, h):
        return rc.kl_divergence(q, self.prior(h, ctx))


class Gaussian(Continuous):
    """q = N(mu, softplus(s)), prior N(0, 1): the explicit reparameterization."""

    name = "gaussian"
    estimators = ("reparam",)

    def posterior(self, h, ctx):
        loc, raw = self.split(h)
        return rc.Normal(loc, positive(ctx.bk, raw)).to_event(1)

    def prior(self, like, ctx):
        zero = 0 * self.split(like[:1])[0][0]
        return rc.Normal(zero, zero + 1).to_event(1)


class Gamma(Continuous):
    """q = Gamma(softplus(a), softplus(b)), prior Gamma(0.3, 0.3) (irt's setting)."""

    name = "gamma"

    def posterior(self, h, ctx):
        a, b = self.split(h)
        return rc.Gamma(positive(ctx.bk, a), positive(ctx.bk, b)).to_event(1)

    def prior(self, like, ctx):
        zero = 0 * self.split(like[:1])[0][0]
        return rc.Gamma(zero + 0.3, zero + 0.3).to_event(1)


class Beta(Continuous):
    """q = Beta(softplus(a), softplus(b)), prior Beta(1, 1) (uniform)."""

    name = "beta"

    def posterior(self, h, ctx):
        a, b = self.split(h)
        return rc.Beta(positive(ctx.bk, a), positive(ctx.bk, b)).to_event(1)

    def prior(self, like, ctx):
        zero = 0 * self.split(like[:1])[0][0]
        return rc.Beta(zero + 1, zero + 1).to_event(1)


class VonMises(Continuous):
    """q = VonMises(mu, softplus(k)), prior uniform on the circle; the decoder sees
    (cos z, sin z), so 2D inputs; KL = E_q[log q(z)] + log(2 pi), one draw."""

    name = "von-mises"

    @property
    def decoder_size(self):
        return 2 * self.size

    def posterior(self, h, ctx):
        loc, raw = self.split(h)
        return rc.VonMises(loc, positive(ctx.bk, raw)).to_event(1)

    def kl(self, q, z, ctx, h):
        return q.log_prob(z) + self.size * math.log(2 * math.pi)

    def to_decoder(self, z):
        xp = array_namespace(z)
        return xp.concat([xp.cos(z), xp.sin(z)], axis=-1)

    def prior_draw(self, n, seed):
        z = np.random.default_rng(seed).uniform(-np.pi, np.pi, (n, self.size))
        return np.concatenate([np.cos(z), np.sin(z)], -1).astype(np.float32)
