"""RationalQuadraticSpline in float16 and bfloat16: computed in float32, returned in the
input's dtype, so the value and log-det are the float64 spline rounded once (a spline
computed in half precision is off by tens of units in the last place in bfloat16), with
finite gradients."""

from __future__ import annotations

import numpy as np
import pytest

import relaxcore as rc

B = rc.bijectors
BOUND = 3.0


def _raw(k=8):
    rng = np.random.default_rng(3)
    return [rng.standard_normal(s) for s in ((2, k), (2, k), (2, k - 1))]


def _rounded(backend, a, dtype):
    """`a` rounded to `dtype`, back in float64 NumPy."""
    return backend.to_numpy(backend.asarray(a, dtype))


@pytest.mark.parametrize("direction", ["forward", "inverse"])
def test_half_precision_is_the_float64_spline_rounded_once(backend, direction):
    dtypes = [d for d in backend.float_dtypes if d in ("float16", "bfloat16")]
    if not dtypes:
        pytest.skip(f"{backend.name} has no half precision here")
    raw = _raw()
    v = np.linspace(-3.4, 3.4, 2 * 60).reshape(60, 2)
    for dtype in dtypes:
        # the reference: the same (rounded) parameters and inputs, in float64
        raw_h = [_rounded(backend, r, dtype) for r in raw]
        v_h = _rounded(backend, v, dtype)
        ref = B.RationalQuadraticSpline(*(backend.asarray(r) for r in raw_h), BOUND)
        bij = B.RationalQuadraticSpline(*(backend.asarray(r, dtype) for r in raw_h), BOUND)
        method = "forward_and_log_det" if direction == "forward" else "inverse_and_log_det"
        out, log_det = getattr(bij, method)(backend.asarray(v_h, dtype))
        ref_out, ref_ld = (backend.to_numpy(a) for a in getattr(ref, method)(backend.asarray(v_h)))
        assert out.dtype == backend.dtype(dtype) and log_det.dtype == backend.dtype(dtype)
        eps = float(np.finfo(np.float16).eps) if dtype == "float16" else 2.0**-7
        # one rounding: half an ulp; 1 ulp allowed (bfloat16 arithmetic was ~30 ulps off)
        np.testing.assert_allclose(backend.to_numpy(out), ref_out, rtol=eps, atol=eps)
        np.testing.assert_allclose(backend.to_numpy(log_det), ref_ld, rtol=eps, atol=eps)


def test_half_precision_gradients_are_finite(backend):
    if not backend.has_autodiff:
        pytest.skip("needs autodiff")
    raw = _raw()
    v = np.concatenate([np.linspace(-3.4, 3.4, 58), [-BOUND, BOUND]]).reshape(30, 2)
    for dtype in ("float16", "bfloat16"):

        def total(w, h, d, x, dtype=dtype):
            bij = B.RationalQuadraticSpline(w, h, d, BOUND)
            y, ld = bij.forward_and_log_det(x)
            x2, ild = bij.inverse_and_log_det(y)
            xp = backend.xp
            parts = (y, ld, x2, ild)
            return sum(xp.sum(xp.astype(p, xp.float32)) for p in parts)

        args = [backend.asarray(a, dtype) for a in (*raw, v)]
        for g in backend.grad(total, *args):
            assert np.all(np.isfinite(g)), dtype


def test_spline_transformer_half_precision_is_the_float64_spline_rounded_once(backend):
    """The transformer of spline coupling and autoregressive flows, as the bijector above."""
    dtypes = [d for d in backend.float_dtypes if d in ("float16", "bfloat16")]
    if not dtypes:
        pytest.skip(f"{backend.name} has no half precision here")
    t = B.SplineTransformer(bins=8, bound=BOUND)
    rng = np.random.default_rng(5)
    raw = rng.standard_normal((40, t.n_params, 2))
    v = rng.uniform(-3.4, 3.4, (40, 2))
    bk = rc.get_backend(backend.name)
    for dtype in dtypes:
        raw_h, v_h = _rounded(backend, raw, dtype), _rounded(backend, v, dtype)
        out, ld = t.forward_and_log_det(
            bk, backend.asarray(raw_h, dtype), backend.asarray(v_h, dtype)
        )
        ref, ref_ld = t.forward_and_log_det(bk, backend.asarray(raw_h), backend.asarray(v_h))
        assert out.dtype == backend.dtype(dtype)
        eps = float(np.finfo(np.float16).eps) if dtype == "float16" else 2.0**-7
        np.testing.assert_allclose(backend.to_numpy(out), backend.to_numpy(ref), rtol=eps, atol=eps)
        np.testing.assert_allclose(
            backend.to_numpy(ld), backend.to_numpy(ref_ld), rtol=eps, atol=eps
        )
