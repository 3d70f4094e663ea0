"""The VAE in JAX + optax, the same model as ``models_torch``: one jitted update per step,
weights initialized in NumPy as torch.nn.Linear does (no compiles at start-up)."""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax

import relaxcore as rc

from .latents import Context


def init(rng, dims):
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights and biases, as torch.nn.Linear."""
    layers = []
    for a, b in zip(dims[:-1], dims[1:], strict=True):
        bound = 1.0 / math.sqrt(a)
        w, c = rng.uniform(-bound, bound, (a, b)), rng.uniform(-bound, bound, b)
        layers.append((jnp.asarray(w, jnp.float32), jnp.asarray(c, jnp.float32)))
    return layers


def mlp(layers, h):
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        h = jax.nn.elu(h) if i < len(layers) - 1 else h
    return h


def key_stream(key):
    """A callable returning a fresh subkey per call (inside or outside jit)."""
    state = [key]

    def next_key():
        state[0], sub = jax.random.split(state[0])
        return sub

    return next_key


class JaxVAE:
    """The interface of ``models_torch.TorchVAE`` on JAX arrays."""

    def __init__(self, latent, estimator, data_dim, args, seed):
        self.latent, self.estimator, self.args = latent, estimator, args
        self.bk = rc.get_backend("jax")
        rng = np.random.default_rng(seed)
        hidden = list(args.hidden)
        self.params = {
            "encoder": init(rng, [data_dim, *hidden, latent.encoder_size]),
            "decoder": init(rng, [latent.decoder_size, *hidden[::-1], data_dim]),
        }
        self.cv = (
            init(rng, [latent.decoder_size, args.cv_hidden, 1]) if estimator == "relax" else None
        )
        self.opt = optax.adam(args.lr)
        self.opt_state = self.opt.init(self.params)
        self.cv_state = self.opt.init(self.cv) if self.cv is not None else None
        self.key = jax.random.key(seed)
        # The seeds of a run share one latent object: compile once for all of them (the jitted
        # functions read only latent, estimator, args and the optimizer's settings from self).
        programs = latent.__dict__.setdefault("jax_programs", {})
        if estimator not in programs:
            programs[estimator] = (
                jax.jit(self._update_impl),
                jax.jit(lambda p, x, k: self.latent.evaluate(*self._encode(p, x, k, 1.0))),
                jax.jit(self._encoder_grad),
            )
        self._update, self._evaluate, self._grads = programs[estimator]

    def context(self, params, cv, x, tau, key):
        def loglik(z, frozen=False):
            weights = jax.lax.stop_gradient(params["decoder"]) if frozen else params["decoder"]
            return -optax.sigmoid_binary_cross_entropy(mlp(weights, z), x).sum(-1)

        control = None if cv is None else (lambda z: mlp(cv, z)[..., 0])
        asarray = partial(jnp.asarray, dtype=jnp.float32)
        return Context(self.bk, loglik, key_stream(key), asarray, tau, self.args, control)

    def _encode(self, params, x, key, tau, cv=None):
        return mlp(params["encoder"], x), self.context(params, cv, x, tau, key)

    def _surrogate(self, params, cv, x, tau, key):
        h, ctx = self._encode(params, x, key, tau, cv)
        surrogate, elbo = self.latent.train(h, ctx, self.estimator)
        return -surrogate.mean(), elbo.mean()

    def _update_impl(self, params, opt_state, cv, cv_state, x, tau, key):
        (_, elbo), grads = jax.value_and_grad(self._surrogate, has_aux=True)(
            params, jax.lax.stop_gradient(cv) if cv is not None else None, x, tau, key
        )
        if cv is not None:  # minimize E[g^2], g = d surrogate / d h, over the network's weights
            h = jax.lax.stop_gradient(mlp(params["encoder"], x))

            def variance(cv):
                def total(h):
                    return self.latent.train(h, self.context(params, cv, x, tau, key), "relax")[
                        0
                    ].sum()

                return (jax.grad(total)(h) ** 2).sum() / x.shape[0]

            updates, cv_state = self.opt.update(jax.grad(variance)(cv), cv_state, cv)
            cv = optax.apply_updates(cv, updates)
        updates, opt_state = self.opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, cv, cv_state, elbo

    def next_key(self):
        self.key, sub = jax.random.split(self.key)
        return sub

    def step(self, x, tau):
        self.params, self.opt_state, self.cv, self.cv_state, elbo = self._update(
            self.params,
            self.opt_state,
            self.cv,
            self.cv_state,
            jnp.asarray(x),
            jnp.float32(tau),
            self.next_key(),
        )
        return float(elbo)

    def evaluate(self, x):
        return float(self._evaluate(self.params, jnp.asarray(x), self.next_key())[1].mean())

    def _encoder_grad(self, params, cv, x, tau, key):
        grads = jax.grad(lambda p: self._surrogate(p, cv, x, tau, key)[0])(params)
        return jnp.concatenate([g.reshape(-1) for g in jax.tree.leaves(grads["encoder"])])

    def grad_variance(self, x, tau, draws):
        x = jnp.asarray(x)
        grads = [
            self._grads(self.params, self.cv, x, jnp.float32(tau), self.next_key())
            for _ in range(draws)
        ]
        return float(jnp.stack(grads).var(0, ddof=1).mean())

    def reconstruct(self, x):
        z, _ = self._evaluate(self.params, jnp.asarray(x), self.next_key())
        return np.asarray(jax.nn.sigmoid(mlp(self.params["decoder"], z)))

    def decode(self, z):
        return np.asarray(jax.nn.sigmoid(mlp(self.params["decoder"], jnp.asarray(z))))
