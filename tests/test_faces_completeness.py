"""Every public relaxcore distribution class has a face in relaxcore.torch, relaxcore.pyro and
relaxcore.numpyro, generated from the core's list (no class is written per namespace)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from _faces_examples import EXAMPLES

import relaxcore as rc

PUBLIC = sorted(
    name
    for name in rc.__all__
    if isinstance(getattr(rc, name), type)
    and issubclass(getattr(rc, name), rc.Distribution)
    and getattr(rc, name) is not rc.Distribution
)

FACES = [
    ("relaxcore.torch", "torch", "torch.distributions", "Distribution"),
    ("relaxcore.pyro", "pyro", "pyro.distributions", "TorchDistribution"),
    ("relaxcore.numpyro", "numpyro", "numpyro.distributions", "Distribution"),
]


def test_the_public_list_holds_the_distribution_classes():
    assert {"Gamma", "RelaxedOneHotCategorical", "Categorical", "Independent"} <= set(PUBLIC)
    assert len(PUBLIC) >= 30


@pytest.mark.parametrize("face, framework, base_module, base_name", FACES)
def test_every_class_is_in_the_face(face, framework, base_module, base_name):
    pytest.importorskip(framework)
    ns = importlib.import_module(face)
    base = getattr(importlib.import_module(base_module), base_name)
    missing = [name for name in PUBLIC if not hasattr(ns, name)]
    assert not missing, f"{face} lacks {missing}"
    for name in PUBLIC:
        cls = getattr(ns, name)
        assert issubclass(cls, getattr(rc, name)) and issubclass(cls, base), name
        assert cls.__module__ == face and cls.__name__ == name
    assert sorted(ns.__all__) == PUBLIC


def test_every_class_has_an_example():
    assert not set(PUBLIC) - set(EXAMPLES), "add the new class to tests/_faces_examples.py"


def test_a_new_core_class_gets_a_face_without_new_code(monkeypatch):
    torch = pytest.importorskip("torch")
    from relaxcore.adapters.faces import _generate, _torch

    class Shifted(rc.Normal):
        """A class the faces have never seen."""

    monkeypatch.setattr(rc, "Shifted", Shifted, raising=False)
    monkeypatch.setattr(rc, "__all__", [*rc.__all__, "Shifted"])
    made = _generate.face_classes(
        "relaxcore.torch",
        _torch.TorchFace,
        torch.distributions.Distribution,
        _torch.CONSTRAINTS,
        "torch",
        _torch.default_validate_args,
    )
    d = made["Shifted"](0.0, 1.0)
    assert isinstance(d, Shifted) and isinstance(d, torch.distributions.Distribution)
    assert torch.is_tensor(d.loc)  # Python numbers become torch tensors in the torch face


def test_import_relaxcore_imports_no_framework():
    code = (
        "import sys, relaxcore\n"
        "bad = {'torch', 'jax', 'pyro', 'numpyro', 'relaxcore.torch', 'relaxcore.numpyro'}\n"
        "print(sorted(bad & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def _arrays(framework):
    if framework == "numpyro":
        jnp = pytest.importorskip("jax.numpy")
        return lambda x: jnp.asarray(x, dtype=jnp.float32)
    torch = pytest.importorskip("torch")
    return lambda x: torch.tensor(x, dtype=torch.float64)


@pytest.mark.parametrize("face, framework, base_module, base_name", FACES)
def test_faces_pickle_and_deepcopy(face, framework, base_module, base_name):
    """Round trips keep the face class, the parameters and (torch) the draws and densities.
    (NumPyro draws are left out: eager JAX runs the implicit samplers op by op, slowly.)"""
    import copy
    import pickle

    pytest.importorskip(framework)
    ns = importlib.import_module(face)
    a = _arrays(framework)
    for name, make in EXAMPLES.items():
        d = make(ns, a)
        for back in (pickle.loads(pickle.dumps(d)), copy.deepcopy(d)):
            assert type(back) is type(d) and back.batch_shape == d.batch_shape, name
            if framework == "numpyro":
                tree = importlib.import_module("jax").tree_util
                pairs = zip(tree.tree_leaves(back), tree.tree_leaves(d), strict=True)
                assert all((u == v).all() for u, v in pairs), name
                continue
            x = d.sample(rng=0)
            assert (back.sample(rng=0) == x).all(), name
            if name != "GumbelSoftmaxTopK":  # it has no log_prob
                assert (back.log_prob(x) == d.log_prob(x)).all(), name
