"""What a framework face costs: construction + rsample + backward through ``relaxcore.torch``
and ``relaxcore.pyro`` classes against the plain relaxcore class (torch, CPU, float32).
Prints a Markdown table of median times and ratios face / plain (the face must stay
within 5%, i.e. <= 1.05).

    python benchmarks/bench_faces.py [--rounds 31] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import relaxcore.pyro
import relaxcore.torch
import torch

import relaxcore as rc

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved_medians, print_table  # noqa: E402


def _step(make, params, sample_shape=()):
    """Build the distribution from fresh leaves, rsample, backward of the sum."""
    leaves = [p.detach().requires_grad_(True) for p in params]

    def run():
        make(*leaves).rsample(sample_shape).sum().backward()
        for p in leaves:
            p.grad = None

    return run


def _cases():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(1024, 64, generator=g)
    tau = torch.tensor(0.5)
    alpha = torch.rand(1, generator=g) * 3 + 0.5
    return {
        "RelaxedOneHotCategorical 1024x64": {
            ns: _step(lambda t, lg, ns=ns: ns.RelaxedOneHotCategorical(t, logits=lg), (tau, logits))
            for ns in (rc, rc.torch, rc.pyro)
        },
        "Gamma 1e4 draws": {
            ns: _step(lambda a, ns=ns: ns.Gamma(a), (alpha,), (10_000,))
            for ns in (rc, rc.torch, rc.pyro)
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--quick", action="store_true", help="5 rounds")
    args, _ = parser.parse_known_args(argv)
    torch.set_num_threads(1)
    rows = []
    for case, fns in _cases().items():
        named = {f"{ns.__name__}": fn for ns, fn in fns.items()}
        t = interleaved_medians(named, rounds=5 if args.quick else args.rounds, warmup=3)
        plain = t["relaxcore"]
        rows.append((case, plain * 1e3, t["relaxcore.torch"] / plain, t["relaxcore.pyro"] / plain))
    print_table(rows, ("case", "plain ms", "relaxcore.torch / plain", "relaxcore.pyro / plain"))


if __name__ == "__main__":
    main()
