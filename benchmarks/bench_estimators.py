"""Time per gradient of relaxcore.estimators (torch, CPU) against storchastic and
microsoft/ReinMax where they are installed. Prints a Markdown table of median times and ratios
ours / peer (below 1: ours is faster).

Each case is one estimate and its backward pass into the logits, for a batch of `batch` rows
of `K` categories (or Bernoulli variables) and the loss ``((x * w).sum(-1) - 0.5) ** 2``
summed over the rows. storchastic's REBAR always runs its variance step for eta and the
temperature (a second, create_graph backward pass), so ours is timed with the same step.

    pip install storchastic reinmax     # optional peers
    python benchmarks/bench_estimators.py [--rounds 15] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import torch

import relaxcore as rc

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved_medians, print_table  # noqa: E402

E = rc.estimators
SHAPES = {"64x10": (64, 10), "1024x64": (1024, 64)}


def _problem(shape):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(shape, generator=g).requires_grad_(True)
    w = torch.randn(shape, generator=g)

    def f(x):
        return ((x * w).sum(-1) - 0.5) ** 2

    return logits, f


def _ours(shape):
    logits, f = _problem(shape)
    eta = torch.tensor(1.0, requires_grad=True)
    log_tau = torch.tensor(-0.7, requires_grad=True)
    gen = torch.Generator().manual_seed(1)

    def step(surrogate):
        def run():
            surrogate().sum().backward()
            logits.grad = None

        return run

    def rebar_with_variance_step():
        s = E.rebar(f, logits, temperature=log_tau.exp(), eta=eta, rng=gen).sum()
        (g,) = torch.autograd.grad(s, logits, create_graph=True)
        (g**2).sum().backward()
        eta.grad = log_tau.grad = None

    return {
        "score function, 4 samples, LOO": step(
            lambda: E.score_function(
                f, rc.OneHotCategorical(logits=logits), n_samples=4, baseline="loo", rng=gen
            )
        ),
        "DisARM": step(lambda: E.disarm(lambda b: f(b), logits, rng=gen)),
        "REBAR + variance step": rebar_with_variance_step,
        "ReinMax": step(lambda: f(E.reinmax(logits, temperature=1.5, rng=gen))),
    }


def _storchastic(shape):
    import storch
    from storch.method import REBAR, DisARM, ScoreFunction
    from torch.distributions import Bernoulli, OneHotCategorical

    logits, f = _problem(shape)

    def step(method, dist):
        def run():
            z = method(dist())
            storch.add_cost(f(z).sum(-1), "f")
            storch.backward()
            logits.grad = None

        return run

    return {
        "score function, 4 samples, LOO": step(
            ScoreFunction("z", n_samples=4, baseline_factory="batch_average"),
            lambda: OneHotCategorical(logits=logits),
        ),
        "DisARM": step(DisARM("z", n_samples=1), lambda: Bernoulli(logits=logits)),
        # storchastic's REBAR reads the gradient of `probs` (KeyError with logits)
        "REBAR + variance step": step(
            REBAR("z", n_samples=1), lambda: OneHotCategorical(probs=torch.softmax(logits, -1))
        ),
    }


def _microsoft_reinmax(shape):
    import reinmax

    logits, f = _problem(shape)

    def run():
        f(reinmax.reinmax(logits, 1.5)[0]).sum().backward()
        logits.grad = None

    return {"ReinMax": run}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    torch.set_num_threads(1)
    peers = {
        name: make
        for name, module, make in (
            ("storchastic", "storch", _storchastic),
            ("microsoft/ReinMax", "reinmax", _microsoft_reinmax),
        )
        if importlib.util.find_spec(module) is not None
    }
    missing = {"storchastic", "microsoft/ReinMax"} - set(peers)
    if missing:
        print(f"not installed, skipped: {', '.join(sorted(missing))}")
    rows = []
    for label, shape in SHAPES.items():
        ours = _ours(shape)
        for peer, make in peers.items():
            theirs = make(shape)
            for case in theirs:
                t = interleaved_medians({"ours": ours[case], "peer": theirs[case]}, rounds=rounds)
                rows.append(
                    (case, label, peer, 1e3 * t["ours"], 1e3 * t["peer"], t["ours"] / t["peer"])
                )
    print_table(rows, ("estimator", "batch x K", "peer", "ours ms", "peer ms", "ours / peer"))


if __name__ == "__main__":
    main()
