"""Mixed stacks (Framework faces issue, item 5): NumPy scalars beside torch and JAX arrays,
and ``rc.to_backend(obj, name)`` / ``obj.to_backend(name)`` moving distributions and
bijectors between frameworks by DLPack."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import relaxcore as rc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import fuzz_classes  # noqa: E402

B = rc.bijectors
SPECS = [s for s in fuzz_classes.specs() if s.numpy_ok and s.has_log_prob]


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_distribution_moves_from_numpy_with_the_same_density(backend, spec):
    raw = spec.gen(np.random.default_rng(2), 2)
    d = spec.make(**raw, **spec.fixed)
    z = d.sample((3,), rng=0)
    moved = rc.to_backend(d, backend.name)
    assert type(moved) is type(d) and moved.backend.name == backend.name
    assert (moved.batch_shape, moved.event_shape) == (d.batch_shape, d.event_shape)
    for name in d.param_event_ndims:
        if getattr(d, name, None) is not None:
            np.testing.assert_array_equal(backend.to_numpy(getattr(moved, name)), getattr(d, name))
    lp = backend.to_numpy(moved.log_prob(backend.asarray(z)))
    # the same parameters; special functions differ across frameworks in the last digits
    np.testing.assert_allclose(lp, d.log_prob(z), rtol=1e-7)


def test_numpy_to_torch_is_zero_copy_and_back():
    torch = pytest.importorskip("torch")
    loc = np.array([0.0, 1.0, 2.0])
    d = rc.Normal(loc, np.full(3, 2.0)).to_backend("torch")
    assert isinstance(d.loc, torch.Tensor) and d.dtype == torch.float64
    assert np.shares_memory(d.loc.numpy(), loc)  # the same buffer, no copy
    back = rc.to_backend(d, "numpy")
    assert isinstance(back.loc, np.ndarray) and back.backend.name == "numpy"
    moved = rc.to_backend(d, "torch", device="cpu")
    assert moved.loc.device.type == "cpu"


def test_a_torch_flow_moves_to_jax_and_runs_under_jit():
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    shift = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)  # detached
    flow = B.Chain([B.Shift(shift), B.Scale(2.0), B.Tanh()])
    d = rc.TransformedDistribution(rc.Normal(torch.zeros(2, dtype=torch.float64), 1.0), flow)
    x = np.array([0.1, -0.3])
    expected = d.log_prob(torch.tensor(x)).detach().numpy()
    moved = d.to_backend("jax")
    assert moved.bijector.bijectors[0].shift.__class__.__module__.startswith("jax")
    out = jax.jit(lambda dist, v: dist.log_prob(v))(moved, jax.numpy.asarray(x))
    np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-12)
    bij = rc.to_backend(flow, "jax")
    np.testing.assert_allclose(
        np.asarray(bij.forward(jax.numpy.asarray(x))),
        flow.forward(torch.tensor(x)).detach().numpy(),
        rtol=1e-12,
    )


def test_to_backend_rejects_unknown_names_and_objects():
    with pytest.raises(ValueError, match="backend must be one of"):
        rc.to_backend(rc.Normal(0.0, 1.0), "tensorflow")
    with pytest.raises(TypeError, match="expected a relaxcore distribution or bijector; got list"):
        rc.to_backend([1.0], "numpy")


@pytest.mark.parametrize("scalar", [np.float64(2.0), np.array(2.0)], ids=["float64", "0-d"])
def test_numpy_scalars_beside_torch_and_jax_act_as_numbers(scalar):
    torch = pytest.importorskip("torch")
    d = rc.Normal(torch.zeros(2), scalar)  # torch.zeros(2) + np.float64(2.0) is float32
    assert d.backend.name == "torch" and d.scale.dtype == torch.float32
    np.testing.assert_allclose(d.scale.numpy(), 2.0)
    jnp = pytest.importorskip("jax").numpy
    g = rc.Gamma(jnp.ones(2, dtype=jnp.float32), scalar)
    assert g.backend.name == "jax" and g.rate.dtype == jnp.float32
    with pytest.raises(TypeError, match="mix torch and numpy"):
        rc.Normal(torch.zeros(2), np.ones(2))  # a NumPy array of rank 1 is not a number
