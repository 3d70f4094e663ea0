"""The discrete families: categorical, Bernoulli and top-k subsets, with their estimators."""

from __future__ import annotations

import itertools
import math

import numpy as np

import relaxcore as rc

from .base import Latent

E = rc.estimators


# --- categorical: N variables of K categories ------------------------------------------------


class Categorical(Latent):
    """N one-hot latents of K categories (Jang et al. 2017; the ReinMax protocol), uniform
    prior. Relaxed: the Concrete ELBO of Maddison et al. (2017) in log space, the KL a one-draw
    estimate against the prior relaxed at the same temperature; every other estimator: the
    discrete ELBO with the closed-form categorical KL."""

    name = "categorical"
    estimators = ("relaxed", "st-gumbel", "st", "reinmax", "gst", "gumbel-rao", "rloo", "rebar")
    estimators += ("relax",)

    def __init__(self, shape, opts):
        if len(shape) != 2:
            raise ValueError(f"--latent-shape for categorical must be NxK (e.g. 8x4); got {shape}")
        super().__init__(shape, opts)

    def logits(self, h):
        return h.reshape((h.shape[0], *self.shape))

    def flat(self, z):
        return z.reshape((*z.shape[:-2], self.size))

    def kl(self, ctx, logits):
        prior = rc.OneHotCategorical(logits=ctx.bk.xp.zeros_like(logits[0])).to_event(1)
        return rc.kl_divergence(rc.OneHotCategorical(logits=logits).to_event(1), prior)

    def hard_sample(self, estimator, logits, ctx):
        o, rng = self.opts, ctx.next_rng()
        if estimator == "st-gumbel":
            return rc.RelaxedOneHotCategoricalStraightThrough(ctx.tau, logits=logits).rsample(
                rng=rng
            )
        if estimator == "st":
            return E.straight_through(logits, rng=rng)
        if estimator == "reinmax":
            return E.reinmax(logits, temperature=o.reinmax_tau, rng=rng)
        if estimator == "gst":
            return E.gapped_straight_through(logits, temperature=ctx.tau, gap=o.gap, rng=rng)
        return E.gumbel_rao(logits, temperature=ctx.tau, n_samples=o.rao_samples, rng=rng)

    def train(self, h, ctx, estimator):
        xp, logits = ctx.bk.xp, self.logits(h)
        if estimator == "relaxed":
            q = rc.ExpRelaxedOneHotCategorical(ctx.tau, logits=logits).to_event(1)
            z = xp.exp(q.rsample(rng=ctx.next_rng()))
            prior = rc.OneHotCategorical(logits=xp.zeros_like(logits[0])).to_event(1)
            elbo = ctx.loglik(self.flat(z)) - rc.kl_divergence(q, prior, rng=ctx.next_rng())
            return elbo, elbo
        rec = self.reconstruction(estimator, logits, ctx, relaxed=ctx.bk.softmax)
        elbo = rec - self.kl(ctx, logits)
        return elbo, elbo

    def reconstruction(self, estimator, logits, ctx, relaxed, family="categorical"):
        """A surrogate of E_q[log p(x | z)] for the hard-sample and score-function estimators."""
        if estimator in ("st-gumbel", "st", "reinmax", "gst", "gumbel-rao"):
            return ctx.loglik(self.flat(self.hard_sample(estimator, logits, ctx)))

        def f(b):
            return ctx.loglik(self.flat(b))

        if estimator == "rloo":
            law = rc.OneHotCategorical if family == "categorical" else rc.Bernoulli
            return E.score_function(
                f,
                law(logits=logits),
                n_samples=self.opts.rloo_samples,
                baseline="loo",
                rng=ctx.next_rng(),
            )
        if estimator == "disarm":
            return E.disarm(f, logits, rng=ctx.next_rng())

        def rebar_cv(z):  # eta f(sigma(z / tau)), the decoder held constant (Tucker et al.)
            return ctx.loglik(self.flat(relaxed(z / ctx.tau)), frozen=True)

        cv = rebar_cv
        if estimator == "relax":

            def cv(z):
                return rebar_cv(z) + ctx.control_variate(self.flat(z))

        return E.relax(f, logits, cv, family=family, rng=ctx.next_rng())

    def evaluate(self, h, ctx):
        logits = self.logits(h)
        z = rc.OneHotCategorical(logits=logits).sample(rng=ctx.next_rng())
        return self.flat(z), ctx.loglik(self.flat(z)) - self.kl(ctx, logits)

    def prior_draw(self, n, seed):
        n_var, k = self.shape
        idx = np.random.default_rng(seed).integers(0, k, (n, n_var))
        return np.eye(k, dtype=np.float32)[idx].reshape(n, -1)


# --- Bernoulli: D binary latents -------------------------------------------------------------


class Bernoulli(Categorical):
    """D binary latents, prior Bernoulli(1/2). Relaxed: binary Concrete in log space
    (LogitRelaxedBernoulli), one-draw KL against the relaxed prior; the others: the discrete
    ELBO with the closed-form Bernoulli KL."""

    name = "bernoulli"
    estimators = ("relaxed", "st-gumbel", "st", "rloo", "rebar", "relax", "disarm")

    def __init__(self, shape, opts):
        Latent.__init__(self, shape, opts)

    def logits(self, h):
        return h

    def flat(self, z):
        return z

    def kl(self, ctx, logits):
        prior = rc.Bernoulli(logits=ctx.bk.xp.zeros_like(logits[0])).to_event(1)
        return rc.kl_divergence(rc.Bernoulli(logits=logits).to_event(1), prior)

    def train(self, h, ctx, estimator):
        bk, xp = ctx.bk, ctx.bk.xp
        if estimator in ("relaxed", "st-gumbel"):
            q = rc.LogitRelaxedBernoulli(ctx.tau, logits=h).to_event(1)
            y = q.rsample(rng=ctx.next_rng())
            z = bk.sigmoid(y)
            if estimator == "st-gumbel":
                z = xp.astype(y > 0, z.dtype) + (z - bk.stop_gradient(z))
            else:
                prior = rc.Bernoulli(logits=xp.zeros_like(h[0])).to_event(1)
                elbo = ctx.loglik(z) - rc.kl_divergence(q, prior, rng=ctx.next_rng())
                return elbo, elbo
            rec = ctx.loglik(z)
        elif estimator == "st":
            rec = ctx.loglik(rc.StraightThroughBernoulli(logits=h).rsample(rng=ctx.next_rng()))
        else:
            rec = self.reconstruction(estimator, h, ctx, relaxed=bk.sigmoid, family="bernoulli")
        elbo = rec - self.kl(ctx, h)
        return elbo, elbo

    def evaluate(self, h, ctx):
        z = rc.Bernoulli(logits=h).sample(rng=ctx.next_rng())
        return z, ctx.loglik(z) - self.kl(ctx, h)

    def prior_draw(self, n, seed):
        return (np.random.default_rng(seed).random((n, self.size)) < 0.5).astype(np.float32)


class TopK(Categorical):
    """N k-hot subsets of K (Gumbel-top-k, straight-through through the relaxed top-k of
    Xie & Ermon 2019), uniform prior over subsets. The KL is the one-draw estimate
    log q(S) - log p(S), q(S) the Plackett-Luce mass of the unordered subset (a sum over its k!
    orderings), trained with its score-function gradient; the ELBO is exact in expectation."""

    name = "top-k"
    estimators = ("st",)

    def log_mass(self, ctx, logits, z):
        """log q(S) of the k-hot rows z (..., K): log sum over orderings of prod_j
        p_{s_j} / (1 - sum_{i<j} p_{s_i})."""
        xp, bk, k = ctx.bk.xp, ctx.bk, self.opts.k
        log_p = bk.log_softmax(logits, axis=-1)
        order = xp.argsort(-bk.stop_gradient(z), axis=-1)[..., :k]
        pick = xp.astype(order[..., None] == xp.arange(z.shape[-1]), log_p.dtype)
        chosen = xp.sum(pick * log_p[..., None, :], axis=-1)  # (..., k)
        terms = []
        for first, *rest in itertools.permutations(range(k)):
            total, used = chosen[..., first], xp.exp(chosen[..., first])
            for j in rest:
                total = total + chosen[..., j] - xp.log1p(-used)
                used = used + xp.exp(chosen[..., j])
            terms.append(total)
        return bk.logsumexp(xp.stack(terms, axis=-1), axis=-1)

    def log_prior(self):
        n_var, k_all = self.shape
        return -n_var * math.log(math.comb(k_all, self.opts.k))

    def draw(self, logits, ctx):
        d = rc.GumbelSoftmaxTopK(ctx.tau, self.opts.k, logits=logits, hard=True)
        return d.rsample(rng=ctx.next_rng())

    def train(self, h, ctx, estimator):
        sg, logits = ctx.bk.stop_gradient, self.logits(h)
        z = self.draw(logits, ctx)
        log_q = ctx.bk.xp.sum(self.log_mass(ctx, logits, z), axis=-1)
        kl = log_q - self.log_prior()
        kl_surrogate = kl + sg(kl) * (log_q - sg(log_q))  # score-function gradient of E[kl]
        rec = ctx.loglik(self.flat(z))
        return rec - kl_surrogate, sg(rec - kl)

    def evaluate(self, h, ctx):
        logits = self.logits(h)
        z = ctx.bk.stop_gradient(self.draw(logits, ctx))
        kl = ctx.bk.xp.sum(self.log_mass(ctx, logits, z), axis=-1) - self.log_prior()
        return self.flat(z), ctx.loglik(self.flat(z)) - kl

    def prior_draw(self, n, seed):
        n_var, k_all = self.shape
        rng = np.random.default_rng(seed)
        z = np.zeros((n, n_var, k_all), np.float32)
        for i, j in itertools.product(range(n), range(n_var)):
            z[i, j, rng.choice(k_all, self.opts.k, replace=False)] = 1.0
        return z.reshape(n, -1)
