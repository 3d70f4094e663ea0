"""Every latent family of the harness, with the estimators that apply to it.

Written once on relaxcore and the array API: the same code runs on torch tensors and on JAX
arrays. A family turns the encoder's output ``h`` (B, encoder_size) into a posterior and
returns, per image,

- ``train(h, ctx, estimator)``: ``(surrogate, elbo)``, both (B,): the ELBO estimate and a
  surrogate of equal value whose gradient is the chosen estimator's (maximize it);
- ``evaluate(h, ctx)``: ``(z, elbo)``: one posterior draw and the one-draw ELBO of the model
  (for the discrete families: the exact discrete draw and the closed-form KL, whatever
  estimator trained the encoder);
- ``prior_draw(n, seed)``: NumPy decoder inputs drawn from the prior, for pictures.

``ctx`` (:class:`Context`) carries the decoder's log-likelihood ``loglik(z, frozen=False)``
(``frozen``: the decoder's weights held constant, for control variates), a random stream,
the current temperature and the options.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from array_api_compat import array_namespace

import relaxcore as rc

E = rc.estimators


@dataclass
class Context:
    bk: Any  # relaxcore backend module: xp, softmax, sigmoid, softplus, stop_gradient
    loglik: Callable  # (z (..., B, decoder_size), frozen=False) -> (..., B)
    next_rng: Callable[[], Any]  # a fresh torch.Generator use / JAX key per call
    asarray: Callable  # NumPy -> the framework's float32 array
    tau: Any  # the relaxation temperature now (annealed)
    opts: Any  # argparse namespace: reinmax_tau, gap, mc, k, rho, gate_tau, igr_tau
    control_variate: Callable | None = None  # RELAX's learned network, (..., B, D) -> (..., B)


def parse_shape(text: str) -> tuple[int, ...]:
    """'8x4' -> (8, 4); '10' -> (10,)."""
    try:
        shape = tuple(int(s) for s in text.lower().split("x"))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise ValueError(f"--latent-shape must look like 10 or 8x4 (positive ints); got {text!r}")
    return shape


def positive(bk, x):
    return bk.softplus(x) + 1e-3


def equicorrelation(d: int, rho: float) -> np.ndarray:
    """R = (1 - rho) I + rho 1 1^T: positive definite for -1/(d-1) < rho < 1."""
    return (1.0 - rho) * np.eye(d) + rho * np.ones((d, d))


class Latent:
    """Base: a latent of ``shape``; subclasses set ``estimators`` and ``per_latent`` (encoder
    outputs per latent variable)."""

    estimators: tuple[str, ...] = ()
    per_latent = 1

    def __init__(self, shape: tuple[int, ...], opts):
        self.shape, self.opts = shape, opts
        self.size = math.prod(shape)

    @property
    def encoder_size(self) -> int:
        return self.size * self.per_latent

    @property
    def decoder_size(self) -> int:
        return self.size

    def describe(self) -> str:
        return f"{self.name} {'x'.join(map(str, self.shape))}"

    def prior_draw(self, n: int, seed: int) -> np.ndarray:
        raise NotImplementedError


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


FAMILIES = {
    cls.name: cls
    for cls in (
        Categorical,
        Bernoulli,
        HardConcrete,
        GaussianGates,
        CorrelatedBernoulli,
        InvertibleGaussian,
        TopK,
        Gaussian,
        Gamma,
        Beta,
        VonMises,
    )
}
ESTIMATORS = (
    "relaxed",
    "st-gumbel",
    "st",
    "reinmax",
    "gst",
    "gumbel-rao",
    "rloo",
    "rebar",
    "relax",
    "disarm",
    "implicit",
    "reparam",
)
DEFAULT_SHAPES = {"categorical": "16x10", "invertible-gaussian": "16x10", "top-k": "8x8"}


def valid_pairs() -> str:
    return "; ".join(f"{name}: {', '.join(cls.estimators)}" for name, cls in FAMILIES.items())


def make(name: str, estimator: str | None, shape_text: str | None, opts):
    """The family `name` of shape `shape_text` (or its default), and the estimator (default:
    the family's first); a ValueError listing the valid pairs if they do not go together."""
    cls = FAMILIES[name]
    estimator = estimator or cls.estimators[0]
    if estimator not in cls.estimators:
        raise ValueError(
            f"estimator {estimator!r} does not apply to latent {name!r}. Valid pairs: "
            f"{valid_pairs()}"
        )
    shape = parse_shape(shape_text or DEFAULT_SHAPES.get(name, "10"))
    return cls(shape, opts), estimator
