"""Conditional flows and the flow constructors: the condition reaches every conditioner by
one argument through Chain, Invert, Block, coupling and autoregressive layers; densities
integrate to 1 per condition; pluggable conditioners train with torch.optim and optax."""

from __future__ import annotations

import numpy as np
import pytest

import relaxcore as rc

B = rc.bijectors


def _perturbed(h, flow, seed, scale=0.15):
    """The flow with every weight moved off its identity start (so the condition matters)."""
    rng = np.random.default_rng(seed)
    bijector = flow.bijector
    for b in bijector.bijectors:
        if getattr(b, "params", None) is not None:
            b.params = [
                h.asarray(h.to_numpy(p) + scale * rng.standard_normal(tuple(p.shape)))
                for p in b.params
            ]
    return rc.TransformedDistribution(flow.base, bijector)


CONSTRUCTORS = [
    ("coupling-spline", rc.flows.coupling_flow, "spline"),
    ("maf-affine", rc.flows.masked_autoregressive_flow, "affine"),
    ("coupling-affine", rc.flows.coupling_flow, "affine"),
]


@pytest.mark.parametrize("name, make, transformer", CONSTRUCTORS, ids=[c[0] for c in CONSTRUCTORS])
def test_conditional_density_integrates_to_one(backend, name, make, transformer):
    h = backend
    flow = make(
        2,
        condition_dim=3,
        transformer=transformer,
        layers=3,
        hidden=(8,),
        backend=h.name,
        rng=h.rng(0),
        dtype=h.dtype("float64"),
    )
    flow = _perturbed(h, flow, 1)
    g = np.linspace(-10, 10, 401)
    xx, yy = np.meshgrid(g, g)
    grid = h.asarray(np.stack([xx.ravel(), yy.ravel()], -1))
    densities = []
    log_prob = lambda v, c: flow.log_prob(v, condition=c)  # noqa: E731
    if h.name == "jax":  # one compiled pass instead of eager dispatch over 160k points
        log_prob = __import__("jax").jit(log_prob)
    for c in ([1.5, -0.5, 0.3], [-2.0, 1.0, 0.0]):
        lp = h.to_numpy(log_prob(grid, h.asarray(c)))
        density = np.exp(lp).reshape(xx.shape)
        total = np.trapezoid(np.trapezoid(density, g, axis=1), g)
        np.testing.assert_allclose(total, 1.0, atol=2e-3)
        densities.append(density)
    assert np.abs(densities[0] - densities[1]).max() > 1e-2  # the condition matters
    # a batch of conditions: one density per condition, broadcast against the values
    both = h.asarray([[1.5, -0.5, 0.3], [-2.0, 1.0, 0.0]])
    pts = h.asarray([[0.3, -0.2], [1.0, 1.0]])
    batched = h.to_numpy(flow.log_prob(pts, condition=both))
    single = [h.to_numpy(flow.log_prob(pts[i, ...], condition=both[i, ...])) for i in range(2)]
    np.testing.assert_allclose(batched, single, rtol=1e-10)


class Recorder:
    """A conditioner that records the condition it is called with; `uses_x` False makes
    it (trivially) autoregressive."""

    def __init__(self, h, n_out, uses_x=True):
        self.h, self.n_out, self.uses_x, self.seen = h, n_out, uses_x, []

    def __call__(self, x, condition=None):
        self.seen.append(condition)
        xp = self.h.xp
        shift = xp.sum(condition, axis=-1, keepdims=True) + 0 * x[..., :1]
        if self.uses_x:
            shift = shift + xp.sum(x, axis=-1, keepdims=True)
        return xp.concat([0.1 * shift] * self.n_out, axis=-1)


def test_condition_reaches_every_conditioner_by_one_argument(backend):
    h = backend
    first, second, third = Recorder(h, 2), Recorder(h, 4, uses_x=False), Recorder(h, 2)
    flow = B.Invert(
        B.Chain(
            [
                B.Coupling([1, 0], first),
                B.Block(B.MaskedAutoregressive(second), slice(0, 2)),
                B.Invert(B.Coupling([0, 1], third)),
                B.Tanh(),  # takes condition= and ignores it
            ]
        )
    )
    c = h.asarray([0.5, -1.0])
    x = h.asarray([[0.2, 0.4]])
    y, log_det = flow.forward_and_log_det(x, condition=c)
    back, inv_log_det = flow.inverse_and_log_det(y, condition=c)
    np.testing.assert_allclose(h.to_numpy(back), h.to_numpy(x), rtol=1e-10)
    np.testing.assert_allclose(h.to_numpy(inv_log_det), -h.to_numpy(log_det), rtol=1e-10)
    for r in (first, second, third):
        assert r.seen and all(s is c for s in r.seen)
    other = h.to_numpy(flow.forward(x, condition=h.asarray([2.0, 0.0])))
    assert np.abs(other - h.to_numpy(y)).max() > 1e-3


def test_conditional_sampling_shapes_and_log_prob(backend):
    h = backend
    flow = rc.flows.masked_autoregressive_flow(
        3,
        condition_dim=2,
        transformer="spline",
        layers=2,
        hidden=(8,),
        backend=h.name,
        rng=h.rng(0),
        dtype=h.dtype("float64"),
    )
    flow = _perturbed(h, flow, 2, scale=0.2)
    c = h.asarray(np.random.default_rng(0).standard_normal((5, 2)))
    y = flow.sample((4,), rng=h.rng(1), condition=c)
    assert tuple(y.shape) == (4, 5, 3)
    y2, lp = flow.sample_and_log_prob((4,), rng=h.rng(1), condition=c)
    assert tuple(lp.shape) == (4, 5)
    np.testing.assert_allclose(h.to_numpy(y2), h.to_numpy(y), rtol=1e-12)
    np.testing.assert_allclose(
        h.to_numpy(lp), h.to_numpy(flow.log_prob(y2, condition=c)), rtol=1e-8, atol=1e-8
    )
    with pytest.raises(ValueError, match="condition must have 2 features"):
        flow.log_prob(y2)


def test_constructor_validation():
    with pytest.raises(ValueError, match="dim must be >= 1"):
        rc.flows.coupling_flow(0)
    with pytest.raises(ValueError, match="layers must be >= 1"):
        rc.flows.masked_autoregressive_flow(2, layers=0)
    with pytest.raises(ValueError, match="transformer must be 'affine', 'spline'"):
        rc.flows.coupling_flow(2, transformer="cubic")


def _moons(n, seed):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    pts = np.stack(
        [np.where(upper, np.cos(t), 1 - np.cos(t)), np.where(upper, np.sin(t), -np.sin(t))], -1
    )
    return (pts + 0.05 * rng.standard_normal((n, 2))).astype(np.float32), upper[:, None]


@pytest.mark.parametrize("plug", ["builtin", "module"])
def test_torch_optim_trains_a_conditional_spline_flow(plug):
    torch = pytest.importorskip("torch")
    x, label = _moons(512, 0)
    data, cond = torch.tensor(x), torch.tensor(label, dtype=torch.float32)

    conditioner = None if plug == "builtin" else (lambda i, c, o: _torch_net(torch, i, c, o))
    flow = rc.flows.coupling_flow(
        2,
        condition_dim=1,
        transformer="spline",
        layers=2,
        hidden=(16,),
        backend="torch",
        rng=0,
        conditioner=conditioner,
    )
    params = rc.flows.parameters(flow)
    assert params and all(p.requires_grad for p in params)
    opt = torch.optim.Adam(params, lr=1e-2)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = -flow.log_prob(data, condition=cond).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.5


def _torch_net(torch, n_in, n_cond, n_out):
    """A torch nn.Module conditioner taking (x_A, condition)."""

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = torch.nn.Linear(n_in + n_cond, 16)
            self.out = torch.nn.Linear(16, n_out)

        def forward(self, x, condition):
            c = condition.expand(x.shape[:-1] + condition.shape[-1:])
            return self.out(torch.tanh(self.hidden(torch.cat([x, c], -1))))

    return Net()


@pytest.mark.parametrize("plug", ["builtin", "equinox"])
def test_optax_trains_a_conditional_flow(plug):
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    jnp = jax.numpy
    x, label = _moons(512, 1)
    data, cond = jnp.asarray(x), jnp.asarray(label, dtype=jnp.float32)
    opt = optax.adam(1e-2)
    if plug == "builtin":
        flow = rc.flows.masked_autoregressive_flow(
            2,
            condition_dim=1,
            layers=2,
            hidden=(16,),
            backend="jax",
            rng=jax.random.key(0),
            dtype=jnp.float32,
        )
        params = flow.bijector  # a pytree of the weights

        def build(params):
            return rc.TransformedDistribution(flow.base, params)
    else:
        eqx = pytest.importorskip("equinox")

        class Net(eqx.Module):
            mlp: eqx.nn.MLP

            def __init__(self, n_in, n_out, key):
                self.mlp = eqx.nn.MLP(n_in, n_out, 16, 1, jnp.tanh, key=key)

            def __call__(self, xa, c):
                c = jnp.broadcast_to(c, xa.shape[:-1] + c.shape[-1:])
                return jax.vmap(self.mlp)(jnp.concatenate([xa, c], -1))

        keys = jax.random.split(jax.random.key(3), 2)
        nets = [Net(1 + 1, 2, k) for k in keys]  # x_A and the condition -> (shift, log-scale)
        params, static = eqx.partition(nets, eqx.is_inexact_array)

        def build(params):
            it = iter(eqx.combine(params, static))
            return rc.flows.coupling_flow(
                2,
                condition_dim=1,
                layers=2,
                backend="jax",
                dtype=jnp.float32,
                conditioner=lambda n_in, n_cond, n_out: next(it),
            )

    @jax.jit
    def step(params, state):
        loss = lambda p: -build(p).log_prob(data, condition=cond).mean()  # noqa: E731
        value, grads = jax.value_and_grad(loss)(params)
        updates, state = opt.update(grads, state)
        return optax.apply_updates(params, updates), state, value

    state, losses = opt.init(params), []
    for _ in range(60):
        params, state, value = step(params, state)
        losses.append(float(value))
    assert losses[-1] < losses[0] - 0.5
