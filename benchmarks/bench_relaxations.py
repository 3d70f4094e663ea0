"""rsample + backward of the issue-3 relaxations (torch, CPU) against relaxit's classes and
torch.distributions where a twin exists. Prints a Markdown table of median times and
ratios ours / peer (below 1: ours is faster).

    python benchmarks/bench_relaxations.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

import relaxcore as rc

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved_medians, print_table  # noqa: E402

SHAPES = {"1024x64": (1024, 64), "1e6": (15625, 64)}


def _step(make, *params):
    """One rsample + backward of sum(z) with fresh leaves."""
    leaves = [p.detach().requires_grad_(True) for p in params]

    def run():
        z = make(*leaves).rsample()
        z.sum().backward()
        for p in leaves:
            p.grad = None

    return run


def _cases(shape):
    import relaxit.distributions as rx

    g = torch.Generator().manual_seed(0)
    n, k = shape
    logits = torch.randn(shape, generator=g, dtype=torch.float32)
    probs = torch.sigmoid(logits)
    loc, scale = torch.rand(shape, generator=g), 0.1 + torch.rand(shape, generator=g)
    t = torch.tensor(0.5)
    corr = torch.eye(k) * 0.5 + 0.5
    cat = torch.softmax(logits, -1)
    return {
        "GaussianRelaxedBernoulli": {
            "ours": _step(lambda m, s: rc.GaussianRelaxedBernoulli(m, s), loc, scale),
            "relaxit": _step(lambda m, s: rx.GaussianRelaxedBernoulli(m, s), loc, scale),
        },
        "HardConcrete": {
            "ours": _step(lambda l: rc.HardConcrete(2 / 3, logits=l), logits),
            "relaxit": _step(
                lambda l: rx.HardConcrete(
                    l.exp(), torch.tensor(2 / 3), torch.tensor(1.1), torch.tensor(-0.1)
                ),
                logits,
            ),
        },
        "StraightThroughBernoulli": {
            "ours": _step(lambda p: rc.StraightThroughBernoulli(probs=p), probs),
            "relaxit": _step(lambda p: rx.StraightThroughBernoulli(probs=p), probs),
        },
        "StochasticTimesSmooth": {
            "ours": _step(lambda p: rc.StochasticTimesSmooth(probs=p), probs),
            "relaxit": _step(lambda p: rx.StochasticTimesSmooth(probs=p), probs),
        },
        "CorrelatedRelaxedBernoulli": {
            "ours": _step(lambda p: rc.CorrelatedRelaxedBernoulli(t, corr, probs=p), probs),
            "relaxit": _step(lambda p: rx.CorrelatedRelaxedBernoulli(p, corr, t), probs),
        },
        "InvertibleGaussian": {
            "ours": _step(lambda m, s: rc.InvertibleGaussian(m, s, t), loc, scale),
            "relaxit": _step(lambda m, s: rx.InvertibleGaussian(m, s, t), loc, scale),
        },
        "GumbelSoftmaxTopK(k=4)": {
            "ours": _step(lambda l: rc.GumbelSoftmaxTopK(0.5, 4, logits=l), logits),
            "relaxit": _step(
                lambda l: _TopK(
                    rx.GumbelSoftmaxTopK(logits=l, K=torch.tensor(4), tau=t, hard=False)
                ),
                logits,
            ),
        },
        "LogisticNormalSoftmax": {
            "ours": _step(lambda m, s: rc.LogisticNormalSoftmax(m, s), loc, scale),
            "relaxit": _step(lambda m, s: rx.LogisticNormalSoftmax(m, s), loc, scale),
            "torch.distributions": _step(
                lambda m, s: torch.distributions.TransformedDistribution(
                    torch.distributions.Independent(torch.distributions.Normal(m, s), 1),
                    torch.distributions.transforms.SoftmaxTransform(),
                ),
                loc,
                scale,
            ),
        },
        "RelaxedBernoulli (reference)": {
            "ours": _step(lambda p: rc.RelaxedBernoulli(t, probs=p), probs),
            "torch.distributions": _step(
                lambda p: torch.distributions.RelaxedBernoulli(t, probs=p), probs
            ),
        },
        "RelaxedOneHotCategorical (reference)": {
            "ours": _step(lambda p: rc.RelaxedOneHotCategorical(t, probs=p), cat),
            "torch.distributions": _step(
                lambda p: torch.distributions.RelaxedOneHotCategorical(t, probs=p), cat
            ),
        },
    }


class _TopK:
    """relaxit's GumbelSoftmaxTopK.rsample takes no sample shape."""

    def __init__(self, dist):
        self.dist = dist

    def rsample(self):
        return self.dist.rsample()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for label, shape in SHAPES.items():
        for name, cases in _cases(shape).items():
            times = interleaved_medians(cases, rounds=args.rounds, warmup=1)
            for peer in (p for p in cases if p != "ours"):
                rows.append(
                    (
                        name,
                        label,
                        peer,
                        times["ours"] * 1e3,
                        times[peer] * 1e3,
                        times["ours"] / times[peer],
                    )
                )
    print(
        f"torch {torch.__version__}, CPU, 1 thread, float32, rsample + backward, "
        f"median of {args.rounds} interleaved rounds"
    )
    print_table(rows, ("class", "elements", "peer", "ours ms", "peer ms", "ratio"))


if __name__ == "__main__":
    main()
