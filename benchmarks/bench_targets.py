"""Every ratio that issue 15 sets a target for, in one run, as one table.

    python benchmarks/bench_targets.py [--quick] [--n 1000000] [--rounds 7]

Rows (float32, CPU, one process; each group interleaved, median of rounds):

* implicit, torch eager: rsample + backward of ``sum(z)``, ours / ``torch.distributions``
  for Gamma(alpha) at alpha 0.1, 1, 10, 1000, Beta(0.5, 2), Dirichlet (K = 10, n/10 draws),
  StudentT(3); target <= 1.1. Under ``jax.jit``: ours / ``jax.random.gamma`` with its
  gradient (target <= 1.0) and ours under jit / ours in torch eager (target <= 1.5).
* functional: ``relaxcore.functional.gumbel_softmax`` / ``torch.nn.functional.gumbel_softmax``,
  rsample + backward of a weighted sum, at 64x10 (target <= 1.2), 1024x64 and 4096x1024
  (target <= 0.8); soft and ``hard=True``.
* compiled: ``RelaxedOneHotCategorical`` rsample + backward under ``torch.compile`` and
  ``jax.jit`` at 1024x64 and 4096x1024, against the memory-traffic time: the 20 bytes per
  element a fused kernel must move (read logits, write z; read the cotangent and z, write
  the gradient) divided by the copy bandwidth measured here (a STREAM-like copy of 256 MB);
  target <= 3.

``--quick``: small sizes and few rounds, torch.compile left out (a smoke run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved_medians, print_table  # noqa: E402

TAU = 0.5
HEADERS = ("goal", "case", "ratio of", "ours ms", "reference ms", "ratio", "target", "met")
#: bytes a fused Gumbel-Softmax rsample + backward moves per float32 element
BYTES_PER_ELEMENT = 20


def copy_bandwidth(megabytes=256, rounds=7):
    """Bytes per second of a large array copy (read + write counted), numpy, one thread."""
    import numpy as np

    src = np.ones(megabytes * 2**20 // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best = []
    for _ in range(rounds):
        start = time.perf_counter()
        np.copyto(dst, src)
        best.append(time.perf_counter() - start)
    best.sort()
    return 2 * src.nbytes / best[len(best) // 2]


def implicit_rows(n, rounds):
    import jax
    import jax.numpy as jnp
    import numpy as np
    import torch

    import relaxcore as rc

    td = torch.distributions

    def torch_case(make, params, shape):
        leaves = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params]
        return lambda: make(*leaves).rsample(shape).sum().backward()

    def jax_case(make, params, shape):
        grad = jax.jit(jax.grad(lambda p, k: make(*p).rsample(shape, rng=k).sum()))
        p = tuple(jnp.asarray(v, dtype=jnp.float32) for v in params)
        return lambda: jax.block_until_ready(grad(p, jax.random.key(0)))

    def jax_gamma(alpha):
        grad = jax.jit(jax.grad(lambda a, k: jax.random.gamma(k, a, (n,), jnp.float32).sum()))
        a = jnp.float32(alpha)
        return lambda: jax.block_until_ready(grad(a, jax.random.key(0)))

    alphas = np.linspace(0.2, 3.0, 10)
    groups = {f"Gamma({a:g})": ([a], [a, 1.0], rc.Gamma, td.Gamma, (n,)) for a in (0.1, 1, 10, 1e3)}
    groups["Beta(0.5, 2)"] = ([0.5, 2.0], [0.5, 2.0], rc.Beta, td.Beta, (n,))
    groups["Dirichlet(K=10)"] = ([alphas], [alphas], rc.Dirichlet, td.Dirichlet, (n // 10,))
    groups["StudentT(3)"] = ([3.0], [3.0], rc.StudentT, td.StudentT, (n,))
    rows = []
    for label, (ours_p, peer_p, ours, peer, shape) in groups.items():
        cases = {"ours": torch_case(ours, ours_p, shape), "peer": torch_case(peer, peer_p, shape)}
        t = interleaved_medians(cases, rounds=rounds, warmup=1)
        rows.append(("implicit", label, "torch eager / torch.distributions", t, "peer", 1.1))
        if label.startswith("Gamma"):
            jt = interleaved_medians(
                {"ours": jax_case(ours, ours_p, shape), "peer": jax_gamma(ours_p[0])},
                rounds=rounds,
                warmup=1,
            )
            rows.append(("implicit", label, "jax.jit / jax.random.gamma", jt, "peer", 1.0))
            rows.append(
                (
                    "implicit",
                    label,
                    "jax.jit / ours torch eager",
                    {"ours": jt["ours"], "peer": t["ours"]},
                    "peer",
                    1.5,
                )
            )
    return rows


def functional_rows(shapes, rounds, calls=None):
    import torch
    import torch.nn.functional as F

    import relaxcore.functional as RF

    rows = []
    for shape in shapes:
        logits = torch.randn(shape, requires_grad=True)
        w = torch.randn(shape)
        target = 1.2 if shape[0] * shape[1] <= 640 else 0.8
        per_round = calls or max(1, 20_000 // (shape[0] * shape[1]))  # calls per timed repeat

        def repeat(fn, k=per_round, w=w):
            def run():
                for _ in range(k):
                    (w * fn()).sum().backward()

            return run

        for hard in (False, True):
            cases = {
                "ours": repeat(lambda h=hard, x=logits: RF.gumbel_softmax(x, TAU, hard=h)),
                "peer": repeat(lambda h=hard, x=logits: F.gumbel_softmax(x, tau=TAU, hard=h)),
            }
            t = interleaved_medians(cases, rounds=rounds, warmup=2)
            t = {k: v / per_round for k, v in t.items()}
            name = f"{shape[0]}x{shape[1]}" + (" hard" if hard else "")
            rows.append(("functional", name, "ours / F.gumbel_softmax", t, "peer", target))
    return rows


def compiled_rows(shapes, rounds, bandwidth, with_torch_compile):
    import jax
    import jax.numpy as jnp
    import torch

    import relaxcore as rc

    rows = []
    for shape in shapes:
        limit = BYTES_PER_ELEMENT * shape[0] * shape[1] / bandwidth
        name = f"{shape[0]}x{shape[1]}"
        w = jax.random.normal(jax.random.key(2), shape, jnp.float32)
        lg = jax.random.normal(jax.random.key(1), shape, jnp.float32)

        def loss(x, k, w=w):
            return jnp.sum(w * rc.RelaxedOneHotCategorical(TAU, logits=x).rsample(rng=k))

        grad = jax.jit(jax.grad(loss))
        cases = {"jax.jit": lambda g=grad, x=lg: jax.block_until_ready(g(x, jax.random.key(0)))}
        if with_torch_compile:
            logits = torch.randn(shape, requires_grad=True)
            wt = torch.randn(shape)

            def step(x, wt=wt):
                z = rc.RelaxedOneHotCategorical(TAU, logits=x).rsample()
                (wt * z).sum().backward()

            # static shapes: each size compiles its own graph (a dynamic-shape recompile
            # reaches torch.rand with a symbolic shape, which fails in torch 2.13)
            compiled = torch.compile(step, dynamic=False)
            try:
                compiled(logits)
                cases["torch.compile"] = lambda f=compiled, x=logits: f(x)
            except Exception as err:  # report, keep the other rows
                print(f"torch.compile {name}: failed ({type(err).__name__}: {err})"[:300])
        t = interleaved_medians(cases, rounds=rounds, warmup=2)
        for framework, sec in t.items():
            rows.append(
                (
                    "compiled",
                    name,
                    f"{framework} / memory traffic",
                    {"ours": sec, "peer": limit},
                    "peer",
                    3.0,
                )
            )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, no torch.compile")
    parser.add_argument("--n", type=int, default=None, help="implicit draws (default 1e6)")
    parser.add_argument("--rounds", type=int, default=None)
    args, _ = parser.parse_known_args(argv)

    import jax
    import torch

    jax.config.update("jax_platforms", "cpu")
    torch.set_num_threads(1)
    n = args.n or (2_000 if args.quick else 1_000_000)
    rounds = args.rounds or (3 if args.quick else 7)
    fshapes = ((64, 10),) if args.quick else ((64, 10), (1024, 64), (4096, 1024))
    cshapes = ((64, 64),) if args.quick else ((1024, 64), (4096, 1024))
    bandwidth = copy_bandwidth(16 if args.quick else 256)
    print(
        f"# issue 15 targets: ours / reference (lower is better)\n"
        f"{os.cpu_count()} CPUs; torch {torch.__version__} (1 thread), jax {jax.__version__}; "
        f"float32; copy bandwidth {bandwidth / 1e9:.2f} GB/s\n",
        flush=True,
    )
    table = []
    for section in (
        lambda: implicit_rows(n, rounds),
        lambda: functional_rows(fshapes, rounds * 3),
        lambda: compiled_rows(cshapes, rounds, bandwidth, with_torch_compile=not args.quick),
    ):
        rows = [
            (
                goal,
                case,
                versus,
                t["ours"] * 1e3,
                t[peer] * 1e3,
                t["ours"] / t[peer],
                f"<= {target:g}",
                "yes" if t["ours"] / t[peer] <= target else "no",
            )
            for goal, case, versus, t, peer, target in section()
        ]
        print_table(rows, HEADERS)  # each section as it ends
        print(flush=True)
        table += rows
    return table


if __name__ == "__main__":
    main()
