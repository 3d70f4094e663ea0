"""The README's demo (examples/vae_digits.py, default model) trains on both frameworks in a
tiny setting, and its per-seed summary is the mean and std of the seeds' final test -ELBO."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

DEMO = Path(__file__).resolve().parents[1] / "examples" / "vae_digits.py"


def load_demo():
    spec = importlib.util.spec_from_file_location("vae_digits", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_demo_trains_and_writes_pictures(framework, tmp_path):
    extra = ("optax",) if framework == "jax" else ()
    for name in ("sklearn", "matplotlib", "tqdm", framework, *extra):
        pytest.importorskip(name)
    result = load_demo().main(
        [
            "--framework",
            framework,
            "--epochs",
            "1",
            "--max-batches",
            "15",
            "--latent-shape",
            "8x10",
            "--lr",
            "3e-3",
            "--seeds",
            "2",
            "--out",
            str(tmp_path),
            "--variance-draws",
            "0",  # a separate compile under JAX; tests/test_examples.py covers the probe
        ]
    )
    for history in result["histories"]:
        # 15 Adam steps take the test ELBO (nats per 8x8 image) well above its value at init
        assert history["test_elbo"][-1] > history["initial_test_elbo"] + 5
        assert history["tau"][-1] < 1.0
    s = result["summary"]
    finals = [-h["test_elbo"][-1] for h in result["histories"]]
    assert s["neg_elbo_mean"] == pytest.approx(np.mean(finals))
    assert s["neg_elbo_std"] == pytest.approx(np.std(finals, ddof=1))
    (png,) = result["pngs"]
    assert Path(png).parent == tmp_path and Path(png).stat().st_size > 1000
