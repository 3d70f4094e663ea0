"""The seed example as a test: fit PReLU(Affine(x)) by maximum likelihood (torch.optim, optax)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_spec = importlib.util.spec_from_file_location(
    "flow_prelu_fit", Path(__file__).parent.parent / "examples" / "flow_prelu_fit.py"
)
example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(example)


@pytest.mark.parametrize("fit, needs", [("fit_torch", "torch"), ("fit_optax", "optax")])
def test_prelu_affine_flow_fits_the_target(fit, needs):
    pytest.importorskip(needs)
    losses, mean, cov = getattr(example, fit)(steps=150, lr=0.05)
    data = example.target_data()
    assert losses[-1] < losses[0] - 2.0
    # the Gaussian MLE on the data: negative mean log-likelihood at its own mean and covariance
    emp_cov = np.cov(data.T, bias=True)
    best = 0.5 * np.linalg.slogdet(2 * np.pi * emp_cov)[1] + 1.0
    assert losses[-1] < best + 0.01
    np.testing.assert_allclose(mean, example.TARGET_MEAN, atol=0.12)
    np.testing.assert_allclose(cov, example.TARGET_COV, atol=0.25)
