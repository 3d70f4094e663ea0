"""Normalizing flows: log_prob + backward of MAF and RealNVP, ours against zuko and FlowJAX.

Same architecture on both sides: 4 layers, tanh MLP conditioners with two hidden layers,
affine transformers, standard normal base, float32, a batch of 512. torch runs on one
thread (the benchmark machine is shared); JAX steps are jitted on both sides.

    python benchmarks/bench_flows.py
"""

from __future__ import annotations

import numpy as np
from _timing import interleaved_medians, print_table

import relaxcore as rc

B = rc.bijectors
LAYERS, BATCH = 4, 512


def ours(kind, d, hidden, xp, init_rng, backend, dtype):
    """A flow builder taking the layers' weights, and the initial weights."""
    keys = init_rng(LAYERS)
    cls = B.MaskedAutoregressive if kind == "MAF" else B.AffineCoupling
    weights = [cls.init_params(d, hidden, rng=k, backend=backend, dtype=dtype) for k in keys]
    half = [1.0 if i < d // 2 else 0.0 for i in range(d)]
    reverse = B.Permute(list(range(d))[::-1])

    def build(ws):
        layers = []
        for w in ws:
            layers += [
                B.MaskedAutoregressive(w) if kind == "MAF" else B.AffineCoupling(half, w),
                reverse,
            ]
        return rc.TransformedDistribution(
            rc.MultivariateNormalDiag(xp.zeros(d, dtype=dtype)), B.Chain(layers[:-1])
        )

    return build, weights


def torch_cases(kind, d, hidden, x_np):
    import torch
    import zuko

    torch.set_num_threads(1)
    x = torch.tensor(x_np)
    build, weights = ours(kind, d, hidden, torch, lambda n: range(n), "torch", torch.float32)
    for w in weights:
        for p in w:
            p.requires_grad_(True)
            p.data += 0.01 * torch.randn_like(p)

    def ours_step():
        loss = -build(weights).log_prob(x).mean()
        loss.backward()

    cls = zuko.flows.MAF if kind == "MAF" else zuko.flows.RealNVP
    flow = cls(d, transforms=LAYERS, hidden_features=hidden, activation=torch.nn.Tanh)

    def zuko_step():
        loss = -flow().log_prob(x).mean()
        loss.backward()

    return ours_step, zuko_step


def jax_cases(kind, d, hidden, x_np):
    import equinox as eqx
    import jax
    import jax.numpy as jnp
    from flowjax.distributions import Normal
    from flowjax.flows import coupling_flow, masked_autoregressive_flow

    x = jnp.asarray(x_np)
    build, weights = ours(
        kind, d, hidden, jnp, lambda n: jax.random.split(jax.random.key(0), n), "jax", jnp.float32
    )
    ours_grad = jax.jit(jax.value_and_grad(lambda ws, x: -build(ws).log_prob(x).mean()))

    make = masked_autoregressive_flow if kind == "MAF" else coupling_flow
    flow = make(
        jax.random.key(1),
        base_dist=Normal(jnp.zeros(d)),
        flow_layers=LAYERS,
        nn_width=hidden[0],
        nn_depth=len(hidden),
        nn_activation=jnp.tanh,
    )
    fj_grad = eqx.filter_jit(eqx.filter_value_and_grad(lambda f, x: -f.log_prob(x).mean()))

    return (
        lambda: jax.block_until_ready(ours_grad(weights, x)),
        lambda: jax.block_until_ready(fj_grad(flow, x)),
    )


def main(rounds=15):
    rows = []
    for d, hidden in ((2, (64, 64)), (64, (128, 128))):
        x_np = np.random.default_rng(0).standard_normal((BATCH, d)).astype(np.float32)
        for kind in ("MAF", "RealNVP"):
            for framework, peer, cases in (
                ("torch", "zuko", torch_cases),
                ("jax", "flowjax", jax_cases),
            ):
                ours_fn, peer_fn = cases(kind, d, hidden, x_np)
                t = interleaved_medians({"ours": ours_fn, "peer": peer_fn}, rounds=rounds)
                rows.append(
                    (
                        f"{kind} {d}-D",
                        framework,
                        peer,
                        t["ours"] * 1e3,
                        t["peer"] * 1e3,
                        t["ours"] / t["peer"],
                    )
                )
    print_table(rows, ("flow", "framework", "peer", "ours (ms)", "peer (ms)", "ours / peer"))


if __name__ == "__main__":
    main()
