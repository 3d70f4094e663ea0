"""Every distribution and bijector pickles and deep-copies on every backend, and comes back
equal: the same parameters, and the same samples and densities for the same rng.

The classes come from the fuzz probe's list (distributions) and the bijector registry, so a
new class is covered without new code here. Objects refer to their backend by name.
"""

from __future__ import annotations

import copy
import io
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from test_bijector_registry import REGISTRY

import relaxcore as rc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import fuzz_classes  # noqa: E402

SPECS = fuzz_classes.specs()
#: user functions that plain pickle cannot serialize (deepcopy still works)
LAMBDAS = {"Inline"}


def _build(h, spec):
    raw = spec.gen(np.random.default_rng(1), 2)
    return spec.make(**{k: h.asarray(v) for k, v in raw.items()}, **spec.fixed)


def _same_arrays(h, a, b):
    np.testing.assert_array_equal(h.to_numpy(a), h.to_numpy(b))


def _same_pytree(d, e):
    """JAX: the same tree structure (static part included) and equal leaves, so every
    jitted computation of the two agrees (eager JAX sampling compiles op by op: slow)."""
    import jax

    leaves_d, tree_d = jax.tree_util.tree_flatten(d)
    leaves_e, tree_e = jax.tree_util.tree_flatten(e)
    assert str(tree_d) == str(tree_e)  # static members without arrays compare by identity
    for a, b in zip(leaves_d, leaves_e, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    return len(leaves_d)


def _has_leaves(obj):
    import jax

    return bool(jax.tree_util.tree_leaves(obj))


def _assert_same_distribution(h, d, e, has_log_prob=True, draw_jax=False):
    assert type(e) is type(d)
    assert (e.batch_shape, e.event_shape, e.dtype) == (d.batch_shape, d.event_shape, d.dtype)
    assert e.backend is d.backend
    for name in d.param_event_ndims:
        if getattr(d, name, None) is not None:
            _same_arrays(h, getattr(d, name), getattr(e, name))
    if h.name == "jax":
        assert _same_pytree(d, e) > 0
        if draw_jax:
            import jax

            draw = jax.jit(lambda dist, key: dist.sample((3,), rng=key))
            _same_arrays(h, draw(d, h.rng(7)), draw(e, h.rng(7)))
        return
    z = d.sample((3,), rng=h.rng(7))
    _same_arrays(h, z, e.sample((3,), rng=h.rng(7)))
    if has_log_prob:
        _same_arrays(h, d.log_prob(z), e.log_prob(z))


def _round_trips(obj):
    return {
        "pickle": pickle.loads(pickle.dumps(obj)),
        "deepcopy": copy.deepcopy(obj),
    }


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_distribution_pickles_and_deep_copies(backend, spec):
    if not spec.numpy_ok and not backend.has_autodiff:
        pytest.skip(f"{spec.name} needs autodiff")
    d = _build(backend, spec)
    for how, e in _round_trips(d).items():
        try:
            _assert_same_distribution(backend, d, e, spec.has_log_prob)
        except AssertionError as err:
            raise AssertionError(f"{how}: {err}") from err


@pytest.mark.parametrize("entry", REGISTRY, ids=[e.name for e in REGISTRY])
def test_bijector_pickles_and_deep_copies(backend, entry):
    b = entry.make(backend)
    x = backend.asarray(entry.draw(np.random.default_rng(0), (4,) + entry.event))
    copies = {"deepcopy": copy.deepcopy(b)}
    if entry.name not in LAMBDAS:
        copies["pickle"] = pickle.loads(pickle.dumps(b))
    for c in copies.values():
        assert type(c) is type(b)
        if backend.name == "jax" and _has_leaves(b):
            _same_pytree(b, c)
            continue  # with no arrays, the outputs are compared instead
        y, log_det = b.forward_and_log_det(x)
        y2, log_det2 = c.forward_and_log_det(x)
        _same_arrays(backend, y, y2)
        _same_arrays(backend, log_det, log_det2)


def test_transformed_distribution_with_a_chain_round_trips(backend):
    B = rc.bijectors
    base = rc.Normal(backend.asarray([0.0, 1.0]), 2.0)
    flow = B.Chain([B.Shift(1.0), B.Scale(backend.asarray(2.0)), B.Tanh()])
    d = rc.TransformedDistribution(base, flow)
    for e in _round_trips(d).values():
        if backend.name == "jax":
            _same_pytree(d, e)
            continue
        z = d.sample((5,), rng=backend.rng(3))
        _same_arrays(backend, z, e.sample((5,), rng=backend.rng(3)))
        _same_arrays(backend, d.log_prob(z), e.log_prob(z))


class FaceLogistic(rc.Logistic):
    """A subclass, as the framework faces are: it must inherit pickling with no code."""

    def describe(self):
        return "face"


def test_subclasses_inherit_pickling(backend):
    d = FaceLogistic(backend.asarray([0.5, 3.0]), 2.0)
    for e in _round_trips(d).values():
        assert type(e) is FaceLogistic and e.describe() == "face"
        _assert_same_distribution(backend, d, e, draw_jax=True)


def test_face_with_a_torch_distributions_base_pickles():
    torch = pytest.importorskip("torch")

    class Face(rc.Normal, torch.distributions.Distribution):
        pass

    Face.__qualname__ = Face.__name__ = "FaceNormal"
    globals()["FaceNormal"] = Face
    d = Face(torch.tensor([0.0, 1.0]), 2.0)
    e = pickle.loads(pickle.dumps(d))
    assert isinstance(e, torch.distributions.Distribution) and type(e) is Face
    torch.testing.assert_close(e.log_prob(torch.ones(2)), d.log_prob(torch.ones(2)))


def test_torch_save_of_a_module_holding_a_distribution_and_a_bijector():
    torch = pytest.importorskip("torch")
    module = _Holder(torch)
    buffer = io.BytesIO()
    torch.save(module, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    x = torch.linspace(-1, 1, 5)
    torch.testing.assert_close(loaded.prior.log_prob(x), module.prior.log_prob(x))
    torch.testing.assert_close(loaded.flow.forward(x), module.flow.forward(x))
    ema = copy.deepcopy(module)  # EMA / target-network copies
    assert ema.prior.loc is not module.prior.loc
    torch.testing.assert_close(ema.prior.loc, module.prior.loc)


def _Holder(torch):  # noqa: N802  (builds an nn.Module class the pickler can find)
    global Holder

    class Holder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.loc = torch.nn.Parameter(torch.zeros(5))
            self.prior = rc.Normal(self.loc.detach(), 1.5)
            self.flow = rc.bijectors.Chain([rc.bijectors.Shift(0.5), rc.bijectors.Tanh()])

    return Holder()


def test_a_fresh_process_loads_what_this_one_pickled(tmp_path):
    """The unpickling process has not loaded any backend yet: the name resolves it."""
    torch = pytest.importorskip("torch")
    objs = [
        rc.Gamma(torch.tensor([0.5, 2.0], dtype=torch.float64)),
        rc.RelaxedOneHotCategorical(0.5, logits=np.zeros((2, 3))),
        rc.bijectors.Scale(torch.tensor(2.0)),
    ]
    path = tmp_path / "objs.pkl"
    path.write_bytes(pickle.dumps(objs))
    code = textwrap.dedent(
        f"""
        import pickle, sys
        objs = pickle.loads(open({str(path)!r}, "rb").read())
        print(",".join(type(o).__name__ + ":" + o._backend.name for o in objs))
        print(float(objs[0].log_prob(objs[0].sample(rng=0)).sum()) < 10)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == [
        "Gamma:torch,RelaxedOneHotCategorical:numpy,Scale:torch",
        "True",
    ]
