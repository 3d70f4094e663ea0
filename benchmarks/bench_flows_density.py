"""Density estimation on real data that ships offline: ours against zuko (torch) and
FlowJAX (jax), same architecture, one training run each.

Data: scikit-learn's handwritten digits (1,797 images of 8 x 8 pixels valued 0..16, in the
package, no download), dequantized with U(0, 1) noise, scaled by 1/17 and standardized
with the training split's statistics; 80/20 train/test split, fixed seed. Or
``--dataset breast_cancer`` (569 x 30, also shipped).

Flows: 4 masked autoregressive layers (reversed order between layers), MADE conditioners
with two tanh hidden layers of 128 units, standard normal base, float32; transformer
affine (MAF) or rational-quadratic spline with 8 bins on [-5, 5] (NSF). zuko:
``zuko.flows.MAF`` / ``NSF``; FlowJAX: ``masked_autoregressive_flow`` with ``Affine`` /
``RationalQuadraticSpline(knots=8, interval=5)`` (FlowJAX permutes randomly between
layers and trains its base's loc and scale too). Adam, lr 1e-3, batch 256, the same
minibatch order on every side. Reported: the test log-likelihood (nats per example, on
the standardized data) after training, the median time of a training step (forward,
backward, update; JAX steps jitted, compilation excluded) and the ratios ours / peer.
torch runs on one thread.

    python benchmarks/bench_flows_density.py [--steps 2000] [--dataset digits]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import relaxcore as rc

LAYERS, HIDDEN, BINS, BOUND, BATCH, LR = 4, (128, 128), 8, 5.0, 256, 1e-3


def load(dataset: str, seed: int = 0):
    """(train, test) float32 arrays, dequantized (digits) and standardized."""
    from sklearn import datasets

    rng = np.random.default_rng(seed)
    if dataset == "digits":
        x = datasets.load_digits().data
        x = (x + rng.uniform(size=x.shape)) / 17.0
    elif dataset == "breast_cancer":
        x = np.log1p(datasets.load_breast_cancer().data)
    else:
        raise ValueError(f"dataset must be digits or breast_cancer; got {dataset!r}")
    order = rng.permutation(len(x))
    n_test = len(x) // 5
    test, train = x[order[:n_test]], x[order[n_test:]]
    mean, std = train.mean(0), train.std(0) + 1e-6
    return ((train - mean) / std).astype(np.float32), ((test - mean) / std).astype(np.float32)


def batches(n_train, steps, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n_train, BATCH) for _ in range(steps)]


def _ours_transformer(kind):
    return rc.bijectors.SplineTransformer(BINS, BOUND) if kind == "NSF" else "affine"


def _train(step, evaluate, order, data):
    times = []
    for idx in order:
        start = time.perf_counter()
        step(data[idx])
        times.append(time.perf_counter() - start)
    return evaluate(), float(np.median(times[min(10, len(times) // 2) :]))


# --- torch: ours and zuko -------------------------------------------------------------------


def torch_run(side, kind, train, test, order):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    d = train.shape[1]
    if side == "ours":
        flow = rc.flows.masked_autoregressive_flow(
            d,
            transformer=_ours_transformer(kind),
            layers=LAYERS,
            hidden=HIDDEN,
            backend="torch",
            rng=0,
            dtype=torch.float32,
        )
        params, log_prob = rc.flows.parameters(flow), flow.log_prob
    else:
        import zuko

        extra = {"bins": BINS} if kind == "NSF" else {}
        cls = zuko.flows.NSF if kind == "NSF" else zuko.flows.MAF
        net = cls(d, transforms=LAYERS, hidden_features=HIDDEN, activation=torch.nn.Tanh, **extra)
        params, log_prob = list(net.parameters()), lambda x: net().log_prob(x)
    opt = torch.optim.Adam(params, lr=LR)
    data = torch.tensor(train)

    def step(x):
        opt.zero_grad()
        loss = -log_prob(x).mean()
        loss.backward()
        opt.step()

    def evaluate():
        with torch.no_grad():
            return float(log_prob(torch.tensor(test)).mean())

    return _train(step, evaluate, order, data)


# --- jax: ours and FlowJAX ------------------------------------------------------------------


def jax_run(side, kind, train, test, order):
    import equinox as eqx
    import jax
    import jax.numpy as jnp
    import optax

    d = train.shape[1]
    if side == "ours":
        flow = rc.flows.masked_autoregressive_flow(
            d,
            transformer=_ours_transformer(kind),
            layers=LAYERS,
            hidden=HIDDEN,
            backend="jax",
            rng=jax.random.key(0),
            dtype=jnp.float32,
        )
        params, static = flow.bijector, None

        def log_prob(params, x):
            return rc.TransformedDistribution(flow.base, params).log_prob(x)
    else:
        import paramax
        from flowjax.bijections import Affine, RationalQuadraticSpline
        from flowjax.distributions import Normal
        from flowjax.flows import masked_autoregressive_flow

        transformer = (
            RationalQuadraticSpline(knots=BINS, interval=BOUND) if kind == "NSF" else Affine()
        )
        flow = masked_autoregressive_flow(
            jax.random.key(0),
            base_dist=Normal(jnp.zeros(d)),
            transformer=transformer,
            flow_layers=LAYERS,
            nn_width=HIDDEN[0],
            nn_depth=len(HIDDEN),
            nn_activation=jnp.tanh,
        )
        params, static = eqx.partition(
            flow, eqx.is_inexact_array, is_leaf=lambda leaf: isinstance(leaf, paramax.NonTrainable)
        )

        def log_prob(params, x):
            return paramax.unwrap(eqx.combine(params, static)).log_prob(x)

    opt = optax.adam(LR)
    state = [params, opt.init(params)]

    @jax.jit
    def update(params, opt_state, x):
        grads = jax.grad(lambda p: -log_prob(p, x).mean())(params)
        updates, opt_state = opt.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state

    data = jnp.asarray(train)
    first = data[order[0]]
    jax.block_until_ready(update(*state, first))  # compile outside the timed steps

    def step(x):
        state[0], state[1] = update(state[0], state[1], x)
        jax.block_until_ready(state[0])

    def evaluate():
        return float(jax.jit(log_prob)(state[0], jnp.asarray(test)).mean())

    return _train(step, evaluate, order, data)


def main(steps=2000, dataset="digits"):
    train, test = load(dataset)
    order = batches(len(train), steps)
    print(
        f"{dataset}: {train.shape[0]} train, {test.shape[0]} test, {train.shape[1]} dims; "
        f"{steps} steps of batch {BATCH}"
    )
    header = ("flow", "framework", "peer", "ours test LL", "peer test LL", "ours ms/step")
    header += ("peer ms/step", "time ours / peer")
    rows = []
    for kind in ("MAF", "NSF"):
        for framework, peer, run in (("torch", "zuko", torch_run), ("jax", "flowjax", jax_run)):
            ours_ll, ours_t = run("ours", kind, train, test, order)
            peer_ll, peer_t = run("peer", kind, train, test, order)
            rows.append(
                (
                    kind,
                    framework,
                    peer,
                    ours_ll,
                    peer_ll,
                    ours_t * 1e3,
                    peer_t * 1e3,
                    ours_t / peer_t,
                )
            )
            print(" | ".join(str(v) if isinstance(v, str) else f"{v:.3f}" for v in rows[-1]))
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(v) if isinstance(v, str) else f"{v:.3f}" for v in row) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--dataset", default="digits", choices=["digits", "breast_cancer"])
    args = parser.parse_args()
    main(args.steps, args.dataset)
