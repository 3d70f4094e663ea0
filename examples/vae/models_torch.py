"""The VAE in torch: MLP encoder and decoder (ELU), a Bernoulli likelihood, Adam; RELAX's
control-variate network trained on the variance of the encoder-output gradient."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch.func import functional_call

import relaxcore as rc

from .latents import Context


def mlp(dims):
    layers = []
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
        layers += [torch.nn.Linear(a, b)] + ([torch.nn.ELU()] if i < len(dims) - 2 else [])
    return torch.nn.Sequential(*layers)


class TorchVAE:
    """``step(x, tau)`` trains on one binary batch and returns its mean ELBO estimate;
    ``evaluate(x)`` the mean one-draw test ELBO; ``grad_variance(x, tau)`` the mean over the
    encoder's weights of the variance of their gradient across independent draws."""

    def __init__(self, latent, estimator, data_dim, args, seed):
        torch.set_num_threads(args.threads)
        torch.manual_seed(seed)
        self.latent, self.estimator, self.args = latent, estimator, args
        hidden = list(args.hidden)
        self.encoder = mlp([data_dim, *hidden, latent.encoder_size])
        self.decoder = mlp([latent.decoder_size, *hidden[::-1], data_dim])
        params = [*self.encoder.parameters(), *self.decoder.parameters()]
        self.params = params
        self.opt = torch.optim.Adam(params, lr=args.lr)
        self.cv = None
        if estimator == "relax":  # c(z) = REBAR's term + a small network of z (Grathwohl et al.)
            self.cv = mlp([latent.decoder_size, args.cv_hidden, 1])
            self.cv_opt = torch.optim.Adam(self.cv.parameters(), lr=args.lr)
        self.gen = torch.Generator().manual_seed(seed)
        self.bk = rc.get_backend("torch")

    def context(self, x, tau):
        frozen_weights = {k: v.detach() for k, v in self.decoder.named_parameters()}

        def loglik(z, frozen=False):
            logits = functional_call(self.decoder, frozen_weights, (z,)) if frozen else None
            logits = self.decoder(z) if logits is None else logits
            target = x.expand_as(logits)
            return -F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(-1)

        control = None if self.cv is None else (lambda z: self.cv(z)[..., 0])
        return Context(
            self.bk,
            loglik,
            lambda: self.gen,
            lambda a: torch.as_tensor(a, dtype=torch.float32),
            tau,
            self.args,
            control,
        )

    def step(self, x, tau):
        x = torch.from_numpy(x)
        h = self.encoder(x)
        surrogate, elbo = self.latent.train(h, self.context(x, tau), self.estimator)
        self.opt.zero_grad()
        (-surrogate.mean()).backward(inputs=self.params, retain_graph=self.cv is not None)
        if self.cv is not None:  # minimize E[g^2], g = d surrogate / d h (the estimator)
            (g,) = torch.autograd.grad(surrogate.sum(), h, create_graph=True)
            self.cv_opt.zero_grad()
            (g**2).sum().div(len(x)).backward(inputs=list(self.cv.parameters()))
            self.cv_opt.step()
        self.opt.step()
        return elbo.mean().item()

    def evaluate(self, x):
        with torch.no_grad():
            x = torch.from_numpy(x)
            _, elbo = self.latent.evaluate(self.encoder(x), self.context(x, 1.0))
            return float(elbo.mean())

    def grad_variance(self, x, tau, draws):
        x = torch.from_numpy(x)
        weights = list(self.encoder.parameters())
        grads = []
        for _ in range(draws):
            surrogate, _ = self.latent.train(self.encoder(x), self.context(x, tau), self.estimator)
            g = torch.autograd.grad(-surrogate.mean(), weights)
            grads.append(torch.cat([gi.reshape(-1) for gi in g]))
        return float(torch.stack(grads).var(0).mean())

    def reconstruct(self, x):
        with torch.no_grad():
            x = torch.from_numpy(x)
            z, _ = self.latent.evaluate(self.encoder(x), self.context(x, 1.0))
            return torch.sigmoid(self.decoder(z)).numpy()

    def decode(self, z):
        with torch.no_grad():
            return torch.sigmoid(self.decoder(torch.from_numpy(np.asarray(z)))).numpy()
