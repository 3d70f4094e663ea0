"""rsample + backward on torch, eagerly: the cost of the dispatch and adapter plumbing.

    python benchmarks/bench_dispatch_overhead.py [--rounds 15]

Gamma(alpha = 1..10, 10 per value) with 1e4 draws (implicit gradient), and
RelaxedOneHotCategorical on 1024 x 64 logits (explicit). Prints the median milliseconds
per call (interleaved rounds). To compare two versions of the library, run this file under
each (PYTHONPATH) alternately on the same machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

import relaxcore as rc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved_medians  # noqa: E402


def cases():
    alpha = torch.linspace(1.0, 10.0, 100, dtype=torch.float32).requires_grad_(True)
    logits = torch.randn(1024, 64, generator=torch.Generator().manual_seed(0), requires_grad=True)

    def gamma():
        rc.Gamma(alpha).rsample((100,)).sum().backward()

    def gumbel_softmax():
        (rc.RelaxedOneHotCategorical(0.5, logits=logits).rsample() ** 2).sum().backward()

    return {"Gamma rsample+backward (1e4 draws)": gamma, "RelaxedOneHot 1024x64": gumbel_softmax}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    for name, seconds in interleaved_medians(cases(), rounds=args.rounds).items():
        print(f"{name:40s} {1e3 * seconds:8.3f} ms")


if __name__ == "__main__":
    main()
