"""The epoch loop shared by both frameworks: shuffled batches, dynamically binarized, a tqdm
bar over steps and a one-line summary per epoch (train ELBO, test ELBO, seconds)."""

from __future__ import annotations

import math
import time

import numpy as np

from .data import binarize


def temperature(step: int, rate: float, floor: float) -> float:
    """Jang et al.'s schedule tau = max(floor, exp(-rate * step))."""
    return max(floor, math.exp(-rate * step))


def batches_per_epoch(n_train: int, args) -> int:
    n = n_train // args.batch_size
    return min(n, args.max_batches or n)


def fit(model, train, test, args, seed, bar) -> dict:
    """Train `model` for ``args.epochs``; returns the history (test ELBO before training and
    after each epoch, train ELBO and seconds of training per epoch, the final temperature and
    the encoder's gradient variance at the end)."""
    rng = np.random.default_rng(seed)
    per_epoch = batches_per_epoch(len(train), args)
    rate = args.anneal_rate
    if rate is None:  # tau reaches the floor halfway through training
        rate = math.log(1.0 / args.tau_min) / max(1.0, 0.5 * args.epochs * per_epoch)
    history = {"initial_test_elbo": model.evaluate(test), "train_elbo": [], "test_elbo": []}
    history.update(seconds=[], tau=[])
    step = 0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(len(train))
        values = []
        for b in range(per_epoch):
            idx = order[b * args.batch_size : (b + 1) * args.batch_size]
            tau = temperature(step, rate, args.tau_min)
            values.append(model.step(binarize(train[idx], rng), tau))
            step += 1
            bar.update()
            bar.set_postfix(elbo=f"{values[-1]:.1f}", tau=f"{tau:.2f}")
        history["seconds"].append(time.perf_counter() - start)
        history["train_elbo"].append(float(np.mean(values)))
        history["test_elbo"].append(model.evaluate(test))
        history["tau"].append(tau)
        bar.write(
            f"seed {seed} epoch {epoch:3d}: train ELBO {history['train_elbo'][-1]:8.2f}  "
            f"test ELBO {history['test_elbo'][-1]:8.2f}  tau {tau:.3f}  "
            f"{history['seconds'][-1]:.1f} s"
        )
    history["grad_variance"] = float("nan")
    if args.variance_draws > 1:
        probe = test[: args.variance_batch]
        history["grad_variance"] = model.grad_variance(probe, tau, args.variance_draws)
    return history
