"""Seed example: fit y = PReLU(Affine(x)), x ~ N(0, I_2), to data from N((1, 1), 2 I).

Maximum likelihood with torch.optim and with optax; the flow's parameters are plain arrays
of each framework. Prints the loss falling and the fitted mean and covariance (sampled).

    python examples/flow_prelu_fit.py
"""

from __future__ import annotations

import numpy as np

import relaxcore as rc

B = rc.bijectors
TARGET_MEAN, TARGET_COV = np.array([1.0, 1.0]), 2.0 * np.eye(2)


def target_data(n=2000, seed=0):
    return np.random.default_rng(seed).multivariate_normal(TARGET_MEAN, TARGET_COV, size=n)


def make_flow(base, params, xp):
    """PReLU(Affine(x)); the slope is exp(log_slope) so that it stays positive."""
    affine = B.Affine(shift=params["shift"], scale_tril=params["scale_tril"])
    return rc.TransformedDistribution(
        base, B.Chain([B.LeakyReLU(xp.exp(params["log_slope"])), affine])
    )


def _moments(draws):
    draws = np.asarray(draws, dtype=np.float64)
    return draws.mean(0), np.cov(draws.T)


def fit_torch(steps=400, lr=0.05, seed=0):
    """Returns (losses, fitted mean, fitted covariance)."""
    import torch

    data = torch.tensor(target_data(seed=seed))
    params = {
        "shift": torch.zeros(2, dtype=torch.float64, requires_grad=True),
        "scale_tril": torch.eye(2, dtype=torch.float64, requires_grad=True),
        "log_slope": torch.tensor(-1.0, dtype=torch.float64, requires_grad=True),
    }
    base = rc.MultivariateNormalDiag(torch.zeros(2, dtype=torch.float64))
    opt = torch.optim.Adam(params.values(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = -make_flow(base, params, torch).log_prob(data).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        draws = make_flow(base, params, torch).sample((20000,), rng=seed + 1)
    return losses, *_moments(draws.numpy())


def fit_optax(steps=400, lr=0.05, seed=0):
    """Returns (losses, fitted mean, fitted covariance)."""
    import jax
    import jax.numpy as jnp
    import optax

    data = jnp.asarray(target_data(seed=seed))
    params = {"shift": jnp.zeros(2), "scale_tril": jnp.eye(2), "log_slope": jnp.asarray(-1.0)}
    base = rc.MultivariateNormalDiag(jnp.zeros(2))
    opt = optax.adam(lr)

    @jax.jit
    def step(params, state, data):
        loss, grads = jax.value_and_grad(lambda p: -make_flow(base, p, jnp).log_prob(data).mean())(
            params
        )
        updates, state = opt.update(grads, state)
        return optax.apply_updates(params, updates), state, loss

    state, losses = opt.init(params), []
    for _ in range(steps):
        params, state, loss = step(params, state, data)
        losses.append(float(loss))
    draws = make_flow(base, params, jnp).sample((20000,), rng=jax.random.key(seed + 1))
    return losses, *_moments(draws)


def main():
    data = target_data()
    print(f"target: mean {TARGET_MEAN}, covariance {TARGET_COV.tolist()}")
    print(f"data:   mean {data.mean(0).round(3)}, covariance {np.cov(data.T).round(3).tolist()}")
    for name, fit in (("torch.optim", fit_torch), ("optax", fit_optax)):
        losses, mean, cov = fit()
        trace = ", ".join(f"{losses[i]:.3f}" for i in (0, 50, 100, 200, len(losses) - 1))
        print(f"{name:12s} loss {trace}")
        print(f"{'':12s} fitted mean {mean.round(3)}, covariance {cov.round(3).tolist()}")


if __name__ == "__main__":
    main()
