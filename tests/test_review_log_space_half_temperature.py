"""ExpRelaxedOneHotCategorical and LogitRelaxedBernoulli with a learnable half-precision
temperature shared by a batch: d/dtemperature at 1e-3 is beyond float16's range per batch
member (about 1e6), and their sum must come back as a number or +-inf, never NaN (the
documented policy): the contributions are summed in float32, then rounded once. They were
rounded to float16 member by member and summed there, +inf + -inf = NaN."""

from __future__ import annotations

import numpy as np
import pytest
from _estimator_problems import grads

import relaxcore as rc


@pytest.mark.parametrize("cls", [rc.ExpRelaxedOneHotCategorical, rc.LogitRelaxedBernoulli])
def test_shared_half_temperature_gradient_is_never_nan(backend, cls):
    if not backend.has_autodiff:
        pytest.skip("gradients")
    xp = backend.xp
    k = 4 if cls is rc.ExpRelaxedOneHotCategorical else 1
    logits = np.random.default_rng(0).normal(size=(64, k)) if k > 1 else np.zeros(64)
    w = backend.asarray(np.random.default_rng(1).normal(size=(2,) + logits.shape))  # +-

    def total(lg, t):
        d = cls(t, logits=lg)
        y = d.rsample((2,), rng=backend.rng(2))
        y = xp.where(xp.isfinite(y), y, xp.zeros_like(y))
        return xp.sum(xp.astype(y, xp.float64) * w)

    cases = [(d, t) for d in ("float16", "bfloat16") for t in (1e-3, 0.3)]
    if backend.name == "jax":  # one compilation: the case that overflowed (same code)
        cases = cases[:1]
    for dtype, tau in cases:
        g_logits, g_tau = grads(
            backend, total, backend.asarray(logits, dtype), backend.asarray(tau, dtype)
        )
        assert not np.isnan(g_tau), (dtype, tau)
        assert np.all(np.isfinite(g_logits)), (dtype, tau)
        if tau == 0.3:  # in range: the float32 computation, rounded once
            g32 = backend.grad(
                total, backend.asarray(logits, "float32"), backend.asarray(tau, "float32")
            )[1]
            rel = 1e-2 if dtype == "float16" else 5e-2
            assert abs(g_tau - g32) <= rel * abs(g32) + 1e-3, (dtype, g_tau, g32)
