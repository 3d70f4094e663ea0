"""Every public class at the probe's wide parameters: no NaN in samples, log-densities or
any gradient, and infinities only where they are documented (the table below).

The classes, parameter ranges and counting come from ``benchmarks/fuzz_classes.py`` (the
probe that prints the counts), here with a few sets per class so each test id stays fast:
logits to +-1e4, temperatures 1e-4..1e3, concentrations 1e-6..1e6, probabilities with
exact 0s and 1s, and a zero-size batch. JAX runs under jit, float32 only (compiles dominate).
"""

import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import fuzz_classes  # noqa: E402

SPECS = {s.name: s for s in fuzz_classes.specs()}
SETS, DRAWS = 40, 2

#: (class, output) -> why an infinity is the true value there
DOCUMENTED_INFINITIES = {
    ("Gamma", "log_prob:+inf"): "a draw that underflows to 0 (alpha < 1): the density is +inf",
    ("Beta", "log_prob:+inf"): "a draw that rounds to 0 or 1 (a or b < 1): density +inf",
    ("Dirichlet", "log_prob:+inf"): "a coordinate that underflows to 0 (alpha_k < 1)",
    ("ExpBeta", "log_prob:+inf"): "log Z rounds to 0 (Z to 1) with b < 1: density +inf",
    ("MixtureSameFamily(Gamma)", "log_prob:+inf"): "a Gamma component's draw underflows to 0",
    ("RelaxedBernoulli(probs)", "log_prob:-inf"): "probs 0 or 1: a point mass, no density",
    ("CorrelatedRelaxedBernoulli(probs)", "log_prob:-inf"): "probs 0 or 1: a point mass",
}
#: gradients of log_prob may be infinite where log_prob is, or at a value within a few
#: orders of the smallest normal number (d log z / dz = 1/z exceeds the dtype's range)
INFINITE_VALUE_GRADIENT = {
    "Gamma",
    "Beta",
    "Dirichlet",
    "ExpBeta",
    "MixtureSameFamily(Gamma)",
    "RelaxedOneHotCategorical(logits)",
    "InvertibleGaussian",
    "LogisticNormalSoftmax",
    "CorrelatedRelaxedBernoulli(logits)",
}
#: classes left out of this test, with the reason (none today: Tanh flows joined once item 5 landed)
SKIP: dict[str, str] = {}
#: jit compiles of the implicit samplers take 5-20 s each: under JAX these run in the probe
#: (benchmarks/fuzz_classes.py, jitted, 1000 sets) and on every other backend here
JAX_SLOW = {
    "Beta",
    "Dirichlet",
    "ExpBeta",
    "ExpDirichlet",
    "Gamma",
    "ExpGamma",
    "MixtureSameFamily(Gamma)",
    "StudentT",
    "VonMises",
}


def _allowed(name, key):
    if key.endswith(":nan"):
        return False
    if (name, key) in DOCUMENTED_INFINITIES:
        return True
    if key.startswith("d log_prob/"):
        return name in INFINITE_VALUE_GRADIENT
    return False


@pytest.mark.parametrize("name", sorted(SPECS))
def test_wide_parameters_give_no_nan_and_only_documented_infinities(backend, name):
    if name in SKIP:
        pytest.skip(SKIP[name])
    if backend.name == "jax" and name in JAX_SLOW:
        pytest.skip("jit compile of an implicit sampler: run by the probe under jax.jit")
    spec = SPECS[name]
    if not spec.numpy_ok and not backend.has_autodiff:
        pytest.skip("needs autodiff")
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    base = spec.gen(rng, SETS)
    params = {k: np.repeat(v, DRAWS, axis=0) for k, v in base.items()}
    runner = fuzz_classes.Runner(backend.name)
    n = SETS * DRAWS
    dtypes = ["float32", "float64"] if backend.name != "jax" else ["float32"]
    for dtype in dtypes:
        probe = spec.make(
            **{k: runner.array(v[:1], dtype) for k, v in params.items()},
            **runner.consts(spec.fixed, dtype),
        )
        w = np.random.default_rng(7).uniform(-1, 1, size=(n,) + tuple(probe.event_shape))
        counts = runner.run(spec, params, spec.fixed, w, dtype, seed=11)
        bad = {k: v for k, v in counts.items() if v and not _allowed(name, k)}
        assert not bad, (dtype, bad)
    assert runner.zero_size(spec, params, spec.fixed) is None
