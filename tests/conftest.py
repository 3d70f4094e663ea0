"""Backend harness: every test that takes the `backend` fixture runs once per framework.

Frameworks are those installed (numpy, torch, jax, array_api_strict; cupy only when a
GPU is present). ``RELAXCORE_TEST_BACKENDS=torch,numpy`` restricts the run (nox uses it).
"""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "relaxcore",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=int(os.environ.get("RELAXCORE_HYPOTHESIS_EXAMPLES", "30")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("relaxcore")

if importlib.util.find_spec("jax") is not None:
    import jax

    jax.config.update("jax_enable_x64", True)


def _cupy_skip_reason():
    if importlib.util.find_spec("cupy") is None:
        return "cupy is not installed"
    import cupy

    if not cupy.is_available():
        return "cupy is installed but no CUDA GPU is available"
    return None


def _available():
    names = []
    for name in ("numpy", "torch", "jax", "array_api_strict"):
        if importlib.util.find_spec(name) is not None:
            names.append(name)
    if importlib.util.find_spec("cupy") is not None:
        names.append("cupy")
    wanted = os.environ.get("RELAXCORE_TEST_BACKENDS")
    if wanted:
        names = [n for n in names if n in wanted.split(",")]
    return names


class Harness:
    """What a test needs to know about one framework, behind the same names."""

    def __init__(self, name: str):
        import relaxcore

        self.name = name
        self.bk = relaxcore.get_backend(name)
        self.xp = self.bk.xp
        self.has_autodiff = name in ("torch", "jax")

    # dtypes -----------------------------------------------------------------------------
    @property
    def float_dtypes(self) -> list[str]:
        half = ["float16", "bfloat16"] if self.name in ("torch", "jax") else ["float16"]
        return ["float32", "float64"] + (half if self.name != "array_api_strict" else [])

    def dtype(self, name: str):
        return getattr(self.xp, name)

    def tol(self, dtype_name: str) -> float:
        return {"float64": 1e-10, "float32": 1e-4, "float16": 1e-2, "bfloat16": 5e-2}[dtype_name]

    # conversion -------------------------------------------------------------------------
    def asarray(self, values, dtype: str = "float64", requires_grad: bool = False):
        arr = np.asarray(values, dtype=np.float64)
        if self.name == "torch":
            import torch

            out = torch.tensor(arr).to(getattr(torch, dtype))
            return out.requires_grad_(requires_grad)
        if dtype == "bfloat16":
            return self.xp.asarray(arr.astype(np.float32)).astype(self.xp.bfloat16)
        return self.xp.asarray(arr.astype(dtype))

    def to_numpy(self, x) -> np.ndarray:
        if self.name == "torch":
            return x.detach().to(dtype=__import__("torch").float64).cpu().numpy()
        if self.name == "cupy":
            return x.get().astype(np.float64)
        if self.name == "jax":
            return np.asarray(x.astype("float64") if x.dtype.name != "bool" else x)
        return np.asarray(x).astype(np.float64)

    def rng(self, seed: int):
        if self.name == "jax":
            import jax

            return jax.random.key(seed)
        return seed

    # autodiff ---------------------------------------------------------------------------
    def grad(self, f, *args):
        """Gradients of the scalar f(*args) w.r.t. every arg, as numpy arrays."""
        if self.name == "torch":
            import torch

            leaves = [a.detach().clone().requires_grad_(True) for a in args]
            grads = torch.autograd.grad(f(*leaves), leaves, allow_unused=True)
            return [
                np.zeros(a.shape) if g is None else self.to_numpy(g) for a, g in zip(leaves, grads)
            ]
        if self.name == "jax":
            import jax

            grads = jax.grad(f, argnums=tuple(range(len(args))))(*args)
            return [self.to_numpy(g) for g in grads]
        pytest.skip(f"{self.name} has no autodiff")

    @property
    def xps(self):
        """hypothesis.extra.array_api strategies for this framework's namespace."""
        from hypothesis.extra.array_api import make_strategies_namespace

        return make_strategies_namespace(self.xp)

    def __repr__(self):
        return self.name


@pytest.fixture(params=_available())
def backend(request) -> Harness:
    if request.param == "cupy":
        reason = _cupy_skip_reason()
        if reason:
            pytest.skip(reason)
    return Harness(request.param)


def pytest_sessionfinish(session, exitstatus):
    """Stop garbage collection and its callbacks once the session is over.

    Hypothesis (its GC timer) and JAX (``_xla_gc_callback``) hook ``gc.callbacks``.
    pytest-xdist stops a worker by interrupting its main thread; when that
    KeyboardInterrupt lands inside a callback, Python reports it as an unraisable
    exception: a traceback at the end of ``pytest -n 2``, although every test passed.
    The process is about to exit, so nothing needs collecting any more.
    """
    import gc

    gc.callbacks.clear()
    gc.disable()


#: an xdist worker's resident memory above which JAX's compiled code is released (MB)
_RSS_LIMIT_MB = float(os.environ.get("RELAXCORE_TEST_RSS_MB", "1500"))


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0  # not Linux: nothing to measure, nothing released


@pytest.fixture(autouse=True)
def _bounded_jax_memory():
    """Keep a worker's RSS bounded: JAX keeps every compiled executable (about 8 MB each
    here: the registry of bijectors alone grew one process to 2.8 GB). Past the limit, drop
    them (jax.clear_caches) and hand the freed pages back to the OS (glibc's malloc_trim;
    without it RSS does not fall). Later tests recompile what they need."""
    yield
    jax_module = sys.modules.get("jax")
    if jax_module is None or _rss_mb() < _RSS_LIMIT_MB:
        return
    jax_module.clear_caches()
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
