"""Backend dispatch: chosen from the arrays, never importing a framework to look."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import relaxcore as rc


def test_backend_follows_the_array(backend):
    x = backend.asarray([0.1, 0.2], "float32")
    assert rc.backend_for(x, 0.5).name == backend.name
    d = rc.RelaxedBernoulli(0.5, logits=x)
    assert d.backend.name == backend.name


def test_python_scalars_use_numpy_unless_named():
    assert rc.backend_for(0.5, 1).name == "numpy"
    assert rc.RelaxedBernoulli(0.5, logits=0.0).backend.name == "numpy"
    torch = pytest.importorskip("torch")
    d = rc.RelaxedBernoulli(0.5, logits=0.0, backend="torch")
    assert isinstance(d.logits, torch.Tensor)


def test_mixed_frameworks_name_both():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="numpy and torch"):
        rc.RelaxedBernoulli(np.full(2, 0.5), logits=torch.zeros(2))  # 0-d would be a number


def test_backend_keyword_must_match_the_arrays():
    with pytest.raises(TypeError, match="backend='torch'"):
        rc.backend_for(np.zeros(2), backend="torch")
    with pytest.raises(ValueError, match="backend must be one of"):
        rc.get_backend("tensorflow")


def test_unknown_array_type_is_rejected():
    with pytest.raises(TypeError, match="expected an array"):
        rc.backend_for([0.1, 0.2])


def test_numpy_path_imports_no_other_framework():
    code = textwrap.dedent(
        """
        import sys, numpy as np
        import relaxcore as rc
        d = rc.RelaxedOneHotCategorical(0.5, logits=np.zeros((3, 4)))
        z = d.rsample((2,), rng=0)
        d.log_prob(z)
        rc.RelaxedBernoulli(0.5, probs=0.3).rsample((5,), rng=1)
        leaked = [m for m in ("torch", "jax", "jaxlib", "cupy", "array_api_strict")
                  if m in sys.modules]
        assert not leaked, leaked
        print("clean")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "clean" in out.stdout


def test_backends_share_their_public_names():
    """Every backend module defines the same public names (read with ast: cupy needs a GPU)."""
    import ast
    import pathlib

    import relaxcore.backends as pkg

    folder = pathlib.Path(pkg.__file__).parent
    names = {}
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        public = set()
        for node in tree.body:
            targets = []
            if isinstance(node, (ast.FunctionDef, ast.Import, ast.ImportFrom)):
                targets = (
                    [node.name]
                    if isinstance(node, ast.FunctionDef)
                    else [(a.asname or a.name) for a in node.names]
                )
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    elts = t.elts if isinstance(t, ast.Tuple) else [t]
                    targets += [e.id for e in elts if isinstance(e, ast.Name)]
            public |= {t for t in targets if not t.startswith("_")}
        names[path.stem] = public
    required = {
        "name",
        "xp",
        "default_float_dtype",
        "as_rng",
        "split_rng",
        "uniform",
        "normal",
        "standard_gamma",
        "stop_gradient",
        "is_traced",
        "softmax",
        "log_softmax",
        "logsumexp",
        "sigmoid",
        "log_sigmoid",
        "softplus",
        "lgamma",
        "digamma",
        "erf",
        "erfc",
        "ndtr",
        "ndtri",
        "log_ndtr",
        "gammainc",
        "gammaincc",
        "xlogy",
        "i0e",
        "i1e",
    }
    assert set(names) >= {"numpy", "torch", "jax", "cupy", "array_api_strict"}
    for backend_name, public in names.items():
        assert required <= public, (backend_name, sorted(required - public))
