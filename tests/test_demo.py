"""The VAE demo (examples/vae_digits.py) trains on both frameworks in a tiny setting."""

import importlib.util
import math
from pathlib import Path

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
    history = load_demo().main(
        [
            "--framework",
            framework,
            "--epochs",
            "1",
            "--max-batches",
            "15",
            "--latents",
            "8",
            "--lr",
            "3e-3",
            "--out",
            str(tmp_path),
        ]
    )
    elbos = [history["initial_test_elbo"], *history["train_elbo"], *history["test_elbo"]]
    assert all(math.isfinite(e) for e in elbos)
    # 15 Adam steps take the test ELBO (nats per 8x8 image) well above its value at init
    assert history["test_elbo"][-1] > history["initial_test_elbo"] + 5
    assert history["tau"][-1] < 1.0
    for path in history["pngs"]:
        assert Path(path).parent == tmp_path and Path(path).stat().st_size > 1000
