"""rsample + backward of the Gumbel-Softmax family against the libraries users would pick.

Each case builds the distribution from `logits` (gradients on), draws one sample of shape
``batch x K``, and back-propagates a weighted sum of it (fixed random weights, so the
gradient is not trivially zero). Peers:

- torch: ``torch.distributions`` (RelaxedOneHotCategorical, RelaxedBernoulli),
  ``torch.nn.functional.gumbel_softmax`` (soft and ``hard=True``), and relaxit
  (``GumbelSoftmaxTopK(K=1)``, ``DecoupledStraightThroughGumbelSoftmax`` with one temperature,
  ``HardConcrete``: the binary Concrete stretched to (-0.1, 1.1) and clipped);
- jax: the same sample hand-written with ``jax.random.gumbel`` / ``jax.random.logistic`` and
  ``jax.nn``, ``jax.jit(jax.grad(...))``, against ours under the same jit and grad.

The cases of one row run in one process, interleaved (the torch cases together, then the jax
pair); each figure is a median over rounds.
Ratios are ours / peer: below 1 we are faster. Run: ``python benchmarks/bench_gumbel.py``
(``--quick`` for the two small shapes).
"""

from __future__ import annotations

import argparse
import os
import platform

from _timing import interleaved_medians, print_table

TAU = 0.5
SHAPES = ((64, 10), (1024, 64), (4096, 1024))
ROUNDS = {64 * 10: 300, 1024 * 64: 300, 4096 * 1024: 31}
FAMILIES = ("soft", "straight-through", "bernoulli")


def _torch_cases(family, logits, weights, rc):
    """name -> zero-argument callable: rsample + backward in torch (ours first)."""
    import torch
    import torch.nn.functional as F

    try:
        import relaxit.distributions as rx
    except ImportError:
        rx = None
    tau = torch.tensor(TAU)

    def run(sample):
        return lambda: (weights * sample()).sum().backward()

    if family == "soft":
        cases = {
            "ours": run(lambda: rc.RelaxedOneHotCategorical(TAU, logits=logits).rsample()),
            "torch.distributions": run(
                lambda: torch.distributions.RelaxedOneHotCategorical(tau, logits=logits).rsample()
            ),
            "F.gumbel_softmax": run(lambda: F.gumbel_softmax(logits, tau=TAU)),
        }
        if rx is not None:
            cases["relaxit"] = run(
                lambda: rx.GumbelSoftmaxTopK(logits=logits, tau=tau, hard=False).rsample()
            )
    elif family == "straight-through":
        cases = {
            "ours": run(
                lambda: rc.RelaxedOneHotCategoricalStraightThrough(TAU, logits=logits).rsample()
            ),
            "F.gumbel_softmax": run(lambda: F.gumbel_softmax(logits, tau=TAU, hard=True)),
        }
        if rx is not None:
            cases["relaxit"] = run(
                lambda: rx.DecoupledStraightThroughGumbelSoftmax(TAU, TAU, logits=logits).rsample()
            )
    else:
        cases = {
            "ours": run(lambda: rc.RelaxedBernoulli(TAU, logits=logits).rsample()),
            "torch.distributions": run(
                lambda: torch.distributions.RelaxedBernoulli(tau, logits=logits).rsample()
            ),
        }
        if rx is not None:
            # HardConcrete draws noise of shape sample_shape + (1,): give it a trailing axis
            gamma, xi = torch.tensor(-0.1), torch.tensor(1.1)
            cases["relaxit"] = run(
                lambda: rx.HardConcrete(torch.exp(logits)[..., None], tau, xi, gamma).rsample(
                    logits.shape
                )[..., 0]
            )
    return cases


def _jax_cases(family, shape, rc):
    """name -> zero-argument callable: jax.jit(jax.grad(weighted sum of the sample))."""
    import jax
    import jax.numpy as jnp

    logits = jax.random.normal(jax.random.key(1), shape, dtype=jnp.float32)
    weights = jax.random.normal(jax.random.key(2), shape, dtype=jnp.float32)
    key = jax.random.key(0)

    def soft(lg, k):
        g = jax.random.gumbel(k, lg.shape, lg.dtype)
        return jax.nn.softmax((lg + g) / TAU, axis=-1)

    def hand(lg, k):
        if family == "soft":
            z = soft(lg, k)
        elif family == "straight-through":
            y = soft(lg, k)
            hard = jax.nn.one_hot(jnp.argmax(y, axis=-1), lg.shape[-1], dtype=lg.dtype)
            z = hard + (y - jax.lax.stop_gradient(y))
        else:
            z = jax.nn.sigmoid((lg + jax.random.logistic(k, lg.shape, lg.dtype)) / TAU)
        return jnp.sum(weights * z)

    cls = {
        "soft": rc.RelaxedOneHotCategorical,
        "straight-through": rc.RelaxedOneHotCategoricalStraightThrough,
        "bernoulli": rc.RelaxedBernoulli,
    }[family]

    def ours(lg, k):
        return jnp.sum(weights * cls(TAU, logits=lg).rsample(rng=k))

    compiled = {"jax ours": jax.jit(jax.grad(ours)), "jax hand": jax.jit(jax.grad(hand))}
    return {name: (lambda f=f: f(logits, key).block_until_ready()) for name, f in compiled.items()}


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo where there is one, else platform's guess."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ratio(cases, times, peer):
    return times["ours"] / times[peer] if peer in cases else "n/a"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="64x10 and 1024x64 only, fewer rounds")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    args, _ = parser.parse_known_args(argv)

    import jax
    import torch

    import relaxcore as rc

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    try:
        import relaxit

        relaxit_version = getattr(relaxit, "__version__", "installed")
    except ImportError:
        relaxit_version = "not installed: its column reads n/a (pip install relaxit)"
    shapes = SHAPES[:2] if args.quick else SHAPES
    print(
        f"# Gumbel-Softmax family: rsample + backward, ours / peer (lower is better)\n"
        f"machine: {cpu_name()}, {os.cpu_count()} CPUs; "
        f"torch {torch.__version__} with torch.set_num_threads({args.threads}); "
        f"jax {jax.__version__} on {jax.devices()[0].platform} (XLA's default threads); "
        f"relaxit {relaxit_version}; float32, temperature {TAU}\n"
    )
    headers = (
        "family",
        "batch x K",
        "ours torch ms",
        "/ torch.distributions",
        "/ F.gumbel_softmax",
        "/ relaxit",
        "/ fastest torch peer",
        "ours jax jit ms",
        "/ hand jax jit",
    )
    rows = []
    for family in FAMILIES:
        for shape in shapes:
            logits = torch.randn(shape, requires_grad=True)
            weights = torch.randn(shape)
            cases = _torch_cases(family, logits, weights, rc)
            rounds = ROUNDS[shape[0] * shape[1]] // (3 if args.quick else 1)
            # torch and jax apart: a call of one framework right after the other's pays
            # for waking its thread pool, which would bias whichever case comes first
            times = interleaved_medians(cases, rounds=rounds, warmup=3)
            times.update(
                interleaved_medians(_jax_cases(family, shape, rc), rounds=rounds, warmup=3)
            )
            torch_peers = [n for n in cases if n != "ours"]
            fastest = min(torch_peers, key=times.__getitem__)
            rows.append(
                (
                    family,
                    f"{shape[0]}x{shape[1]}",
                    times["ours"] * 1e3,
                    _ratio(cases, times, "torch.distributions"),
                    _ratio(cases, times, "F.gumbel_softmax"),
                    _ratio(cases, times, "relaxit"),
                    f"{times['ours'] / times[fastest]:.3g} ({fastest})",
                    times["jax ours"] * 1e3,
                    times["jax ours"] / times["jax hand"],
                )
            )
            print(f"  {family} {shape[0]}x{shape[1]}: {rounds} rounds", flush=True)
    print()
    print_table(rows, headers)
    print(
        "\nrelaxit's soft peer is GumbelSoftmaxTopK(K=1, hard=False); its Bernoulli peer is "
        "HardConcrete (stretched and clipped binary Concrete). torch.distributions has no "
        "straight-through class."
    )
    return rows


if __name__ == "__main__":
    main()
