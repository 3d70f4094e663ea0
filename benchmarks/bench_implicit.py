"""Implicit gradients: our partials and rsample+backward against torch and jax's own.

    python benchmarks/bench_implicit.py [--n 1000000] [--rounds 5] [--compile]

Float32, CPU, one process, interleaved medians (benchmarks/_timing.py). Rows:
* partials: d z / d alpha of Gamma for n values: torch's C++ kernel
  (torch._standard_gamma_grad), JAX's (jax.lax.random_gamma_grad under jit), ours on
  torch eager, on JAX under jit, on numpy (and torch.compile with --compile);
* rsample+backward of sum(z): ours (torch eager; JAX under jit) against
  torch.distributions and jax.random under jit where they have a reparameterized sampler.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved_medians, print_table  # noqa: E402

import relaxcore as rc  # noqa: E402
from relaxcore.implicit import incomplete_gamma  # noqa: E402

TD = torch.distributions


def _block(x):
    return jax.block_until_ready(x)


def partial_cases(alpha, n, compile_torch):
    """Timing cases for the Gamma partial at concentration `alpha` (closures bind locals)."""
    torch_bk, jax_bk, np_bk = (rc.get_backend(b) for b in ("torch", "jax", "numpy"))
    a_t = torch.full((n,), alpha)
    x_t = torch._standard_gamma(a_t)
    a_j, x_j = jnp.asarray(a_t.numpy()), jnp.asarray(x_t.numpy())
    a_n, x_n = a_t.numpy(), x_t.numpy()
    ours_jax = jax.jit(lambda a, x: incomplete_gamma.gamma_partial(jax_bk, a, x))
    jax_own = jax.jit(jax.lax.random_gamma_grad)
    cases = {
        "torch kernel": lambda: torch._standard_gamma_grad(a_t, x_t),
        "ours torch": lambda: incomplete_gamma.gamma_partial(torch_bk, a_t, x_t),
        "jax kernel (jit)": lambda: _block(jax_own(a_j, x_j)),
        "ours jax (jit)": lambda: _block(ours_jax(a_j, x_j)),
        "ours numpy": lambda: incomplete_gamma.gamma_partial(np_bk, a_n, x_n),
    }
    if compile_torch:
        compiled = torch.compile(lambda a, x: incomplete_gamma.gamma_partial(torch_bk, a, x))
        cases["ours torch.compile"] = lambda: compiled(a_t, x_t)
    return cases


def _torch_backward(make, params, n, ours=True):
    leaves = [p.clone().requires_grad_(True) for p in params]

    def run():
        d = make(*leaves)
        z = d.rsample((n,)) if not ours else d.rsample((n,), rng=None)
        z.sum().backward()

    return run


def _jax_backward(make, params, n):
    def loss(p, key):
        return make(*p).rsample((n,), rng=key).sum()

    g = jax.jit(jax.grad(loss))
    key = jax.random.key(0)
    return lambda: _block(g(params, key))


def rsample_cases(n):
    def f(*v):
        return [torch.tensor(x, dtype=torch.float32) for x in v]

    def j(*v):
        return tuple(jnp.asarray(x, dtype=jnp.float32) for x in v)

    cases = {}
    for alpha in (0.1, 1.0, 10.0, 1000.0):

        def jax_gamma(a, key):
            return (jax.random.gamma(key, a, (n,), dtype=jnp.float32)).sum()

        jg = jax.jit(jax.grad(jax_gamma))
        a_j = jnp.float32(alpha)
        cases[f"Gamma({alpha:g})"] = {
            "ours torch": _torch_backward(rc.Gamma, f(alpha), n),
            "torch.distributions": _torch_backward(TD.Gamma, f(alpha, 1.0), n, ours=False),
            "ours jax (jit)": _jax_backward(rc.Gamma, j(alpha), n),
            "jax.random (jit)": lambda jg=jg, a_j=a_j: _block(jg(a_j, jax.random.key(0))),
        }
    cases["Beta(0.5, 2)"] = {
        "ours torch": _torch_backward(rc.Beta, f(0.5, 2.0), n),
        "torch.distributions": _torch_backward(TD.Beta, f(0.5, 2.0), n, ours=False),
        "ours jax (jit)": _jax_backward(rc.Beta, j(0.5, 2.0), n),
    }
    alpha10 = np.linspace(0.2, 3.0, 10)
    cases["Dirichlet(K=10)"] = {
        "ours torch": _torch_backward(rc.Dirichlet, f(alpha10), n // 10),
        "torch.distributions": _torch_backward(TD.Dirichlet, f(alpha10), n // 10, ours=False),
        "ours jax (jit)": _jax_backward(rc.Dirichlet, j(alpha10), n // 10),
    }
    cases["StudentT(3)"] = {
        "ours torch": _torch_backward(rc.StudentT, f(3.0), n),
        "torch.distributions": _torch_backward(TD.StudentT, f(3.0), n, ours=False),
        "ours jax (jit)": _jax_backward(rc.StudentT, j(3.0), n),
    }
    for kappa in (1.0, 1000.0):
        cases[f"VonMises({kappa:g})"] = {
            "ours torch": _torch_backward(rc.VonMises, f(0.0, kappa), n),
            "ours jax (jit)": _jax_backward(rc.VonMises, j(0.0, kappa), n),
        }

    def mix(loc, scale, logits):
        return rc.MixtureSameFamily(rc.Normal(loc, scale), mixture_logits=logits)

    m = ([-1.0, 0.0, 2.0], [0.5, 1.0, 0.3], [0.0, 0.5, -0.5])
    cases["Mixture(3 normals)"] = {
        "ours torch": _torch_backward(mix, f(*m), n),
        "ours jax (jit)": _jax_backward(mix, j(*m), n),
    }
    return cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--skip-rsample", action="store_true")
    args = parser.parse_args()

    rows = []
    for alpha in (0.1, 1.0, 10.0, 1000.0):
        cases = partial_cases(alpha, args.n, args.compile)
        t = interleaved_medians(cases, rounds=args.rounds, warmup=1)
        base = t["torch kernel"]
        for name, sec in t.items():
            rows.append((f"partials Gamma({alpha:g})", name, sec * 1e3, sec / base))
    print(f"### Gamma partials, {args.n} values, float32 (ratio: / torch's kernel)\n")
    print_table(rows, ("case", "implementation", "ms", "ratio"))
    if args.skip_rsample:
        return
    rows = []
    for label, cases in rsample_cases(args.n).items():
        t = interleaved_medians(cases, rounds=args.rounds, warmup=1)
        peer = t.get("torch.distributions", t.get("jax.random (jit)"))
        for name, sec in t.items():
            ratio = sec / peer if peer else float("nan")
            rows.append((label, name, sec * 1e3, ratio))
    print(
        f"\n### rsample + backward, {args.n} values (Dirichlet: n/10 draws of K=10), float32"
        " (ratio: / torch.distributions)\n"
    )
    print_table(rows, ("case", "implementation", "ms", "ratio"))


if __name__ == "__main__":
    jax.config.update("jax_platforms", "cpu")
    main()
