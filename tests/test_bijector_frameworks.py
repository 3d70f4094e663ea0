"""Bijectors meet the framework of their input (issue 10, items 2, 5 and 10): Python-number
parameters adopt it, mixed frameworks are a TypeError that names them, and a Tanh flow's
own samples have a finite log-density."""

from __future__ import annotations

import numpy as np
import pytest

import relaxcore as rc

B = rc.bijectors


def test_scalar_parameters_adopt_torch_and_its_dtype():
    torch = pytest.importorskip("torch")
    y = B.Scale(2.0).forward(torch.ones(2))
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32
    assert y.tolist() == [2.0, 2.0]
    for b in (B.Shift(1.0), B.Scale(-3.0), B.LeakyReLU(0.2), B.Power(2.0), B.ActNorm(0.5, 0.1)):
        x = torch.tensor([0.5, 2.0], dtype=torch.float64)
        out, log_det = b.forward_and_log_det(x)
        assert out.dtype == log_det.dtype == torch.float64, b
        back = b.inverse(out)
        np.testing.assert_allclose(back.numpy(), x.numpy(), rtol=1e-12)


def test_scalar_parameters_adopt_jax_and_jit():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    out = B.LeakyReLU(0.2).forward(jnp.array([-1.0, 1.0], dtype=jnp.float32))
    assert isinstance(out, jax.Array) and out.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(out), [-0.2, 1.0], rtol=1e-7)
    # the README's flow, under jit: y = tanh(x) + 1 (a Chain applies right to left)
    flow = rc.TransformedDistribution(
        rc.Normal(jnp.zeros(2), 1.0), B.Chain([B.Shift(1.0), B.Tanh()])
    )
    y = jnp.array([0.5, 0.9])
    t = np.array([0.5, 0.9]) - 1.0
    x = np.arctanh(t)
    expected = -0.5 * x**2 - 0.5 * np.log(2 * np.pi) - np.log1p(-(t**2))
    np.testing.assert_allclose(np.asarray(jax.jit(flow.log_prob)(y)), expected, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(flow.log_prob(y)), expected, rtol=1e-6)


def test_mixed_frameworks_name_the_bijector_argument_and_frameworks():
    torch = pytest.importorskip("torch")
    jnp = pytest.importorskip("jax.numpy")
    with pytest.raises(TypeError, match=r"Scale: x is a torch array .* parameters are jax"):
        B.Scale(jnp.array(2.0)).forward(torch.ones(2))
    with pytest.raises(TypeError, match=r"LeakyReLU: y is a numpy array .* are torch"):
        B.LeakyReLU(torch.tensor(0.3)).inverse(np.ones(2))
    with pytest.raises(TypeError, match=r"Chain: member 0 \(Shift\) holds torch .* member 1 "):
        B.Chain([B.Shift(torch.tensor(1.0)), B.Scale(jnp.array(2.0))])
    with pytest.raises(TypeError, match=r"Chain: x is a jax array .* are torch"):
        B.Chain([B.Tanh(), B.Shift(torch.tensor(1.0))]).forward(jnp.ones(2))
    with pytest.raises(TypeError, match="the base holds numpy arrays but the bijector"):
        rc.TransformedDistribution(rc.Normal(np.zeros(2), 1.0), B.Shift(torch.tensor(1.0)))


@pytest.mark.parametrize("bijector", ["Tanh", "Sigmoid", "NormalCDF"])
def test_saturating_flows_accept_their_own_samples(backend, bijector):
    h = backend
    base = rc.Normal(
        h.asarray(0.0, "float32"), h.asarray(5.0 if bijector != "Sigmoid" else 30.0, "float32")
    )
    td = rc.TransformedDistribution(base, getattr(B, bijector)())
    y = td.sample((1000,), rng=h.rng(0))
    lp = h.to_numpy(td.log_prob(y))  # validates: raised ValueError at +-1 before
    assert np.all(np.isfinite(lp))
    y2, lp2 = td.sample_and_log_prob((1000,), rng=h.rng(0))
    np.testing.assert_array_equal(h.to_numpy(y2), h.to_numpy(y))
    lp2 = h.to_numpy(lp2)
    assert np.all(np.isfinite(lp2))
    # where the map has not saturated, the forward-pass density is the inverse-pass one
    x = h.to_numpy(base.sample((1000,), rng=h.rng(0)))
    clear = np.abs(x) < (2.0 if bijector != "Sigmoid" else 6.0)
    assert clear.sum() > 100
    np.testing.assert_allclose(lp2[clear], lp[clear], rtol=2e-4, atol=2e-4)


def test_rsample_and_log_prob_carries_gradients(backend):
    h = backend
    noise_free = rc.Normal(h.asarray(0.0), h.asarray(1.0))

    def total(loc):
        td = rc.TransformedDistribution(noise_free, B.Chain([B.Tanh(), B.Shift(loc)]))
        y, lp = td.rsample_and_log_prob((3,), rng=h.rng(1))
        return h.xp.sum(y) + h.xp.sum(lp)

    # y = tanh(x + loc): dy/dloc = 1 - y^2; log p(y) = log N(x) - log(1 - y^2)
    x = h.to_numpy(noise_free.sample((3,), rng=h.rng(1)))
    (g,) = h.grad(total, h.asarray(0.4))
    y = np.tanh(x + 0.4)
    np.testing.assert_allclose(g, np.sum((1 - y**2) + 2 * y), rtol=1e-9)
