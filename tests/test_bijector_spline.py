"""RationalQuadraticSpline: the paper's formulas, the bound (at, near, beyond), broadcasting,
float32 round trips and finite gradients everywhere."""

from __future__ import annotations

import numpy as np
import pytest

import relaxcore as rc

B = rc.bijectors
BOUND = 3.0


def _raw(seed, k=6, scale=1.0, batch=()):
    rng = np.random.default_rng(seed)
    shapes = (batch + (k,), batch + (k,), batch + (k - 1,))
    return [scale * rng.standard_normal(s) for s in shapes]


def _reference(x, widths, heights, slopes, bound, min_bin=1e-3, min_slope=1e-3):
    """Durkan et al. (2019) eq. 4 and its derivative, one scalar at a time (float64)."""
    k = len(widths)

    def knots(raw):
        e = np.exp(raw - raw.max())
        frac = min_bin + (1 - min_bin * k) * e / e.sum()
        return np.concatenate([[-bound], -bound + 2 * bound * np.cumsum(frac)[:-1], [bound]])

    xs, ys = knots(widths), knots(heights)
    d = np.concatenate([[1.0], min_slope + np.log1p(np.exp(slopes)), [1.0]])
    out, log_det = [], []
    for v in np.ravel(x):
        if not -bound <= v <= bound:
            out.append(v)
            log_det.append(0.0)
            continue
        i = min(int(np.searchsorted(xs, v, side="right")) - 1, k - 1)
        w, h = xs[i + 1] - xs[i], ys[i + 1] - ys[i]
        s, xi = h / w, (v - xs[i]) / w
        den = s + (d[i + 1] + d[i] - 2 * s) * xi * (1 - xi)
        out.append(ys[i] + h * (s * xi**2 + d[i] * xi * (1 - xi)) / den)
        num = s**2 * (d[i + 1] * xi**2 + 2 * s * xi * (1 - xi) + d[i] * (1 - xi) ** 2)
        log_det.append(np.log(num / den**2))
    return np.reshape(out, np.shape(x)), np.reshape(log_det, np.shape(x))


def _spline(h, raw, dtype="float64", bound=BOUND):
    return B.RationalQuadraticSpline(*(h.asarray(r, dtype) for r in raw), bound)


def test_matches_the_papers_formulas(backend):
    h = backend
    raw = _raw(0)
    x = np.concatenate([np.linspace(-3.5, 3.5, 141), [-BOUND, BOUND, 0.0]])
    y, log_det = _spline(h, raw).forward_and_log_det(h.asarray(x))
    ref_y, ref_ld = _reference(x, *raw, BOUND)
    np.testing.assert_allclose(h.to_numpy(y), ref_y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h.to_numpy(log_det), ref_ld, rtol=1e-10, atol=1e-12)
    x_back, inv_ld = _spline(h, raw).inverse_and_log_det(h.asarray(ref_y))
    np.testing.assert_allclose(h.to_numpy(x_back), x, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(h.to_numpy(inv_ld), -ref_ld, rtol=1e-9, atol=1e-10)


def test_identity_outside_with_log_det_exactly_zero(backend):
    h = backend
    eps = 1e-6
    x = np.array([BOUND + eps, -BOUND - eps, 10.0, -1e4, 1e30, -1e30])
    spline = _spline(h, _raw(1))
    for step in (spline.forward_and_log_det, spline.inverse_and_log_det):
        y, log_det = step(h.asarray(x))
        np.testing.assert_array_equal(h.to_numpy(y), x)
        np.testing.assert_array_equal(h.to_numpy(log_det), np.zeros(6))
    # continuous at the bound: the spline ends at +-bound with slope 1
    y, log_det = spline.forward_and_log_det(h.asarray([-BOUND, BOUND]))
    np.testing.assert_allclose(h.to_numpy(y), [-BOUND, BOUND], rtol=1e-14)
    np.testing.assert_allclose(h.to_numpy(log_det), [0.0, 0.0], atol=1e-12)


EDGE = [
    -BOUND,
    BOUND,
    BOUND - 1e-6,
    -BOUND + 1e-6,
    BOUND + 1e-6,
    -BOUND - 1e-6,
    50.0,
    -1e4,
    0.0,
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("direction", ["forward", "inverse"])
def test_gradients_are_finite_at_and_beyond_the_bound(backend, dtype, direction):
    h = backend
    raw = _raw(2, scale=2.0)

    def loss(x, w, ht, s):
        spline = B.RationalQuadraticSpline(w, ht, s, BOUND)
        step = spline.forward_and_log_det if direction == "forward" else spline.inverse_and_log_det
        y, log_det = step(x)
        return h.xp.sum(y * y) + h.xp.sum(log_det)

    # mixed; all tails (1e30 overflows xi**2 in float32: the unsanitized branch is inf/inf)
    for x in (np.array(EDGE), np.array([5.0, -7.0, 1e6, 1e30, -1e30, -BOUND - 1e-3])):
        grads = h.grad(loss, h.asarray(x, dtype), *(h.asarray(r, dtype) for r in raw))
        for g in grads:
            assert np.all(np.isfinite(g)), (x, grads)
    # all tails: the parameters get exactly zero gradient, the input that of y = x
    tails = np.array([5.0, -7.0, 1e6])
    gx, *gp = h.grad(loss, h.asarray(tails, dtype), *(h.asarray(r, dtype) for r in raw))
    np.testing.assert_allclose(gx, 2 * tails, rtol=1e-6)
    assert all(np.all(g == 0) for g in gp)


def test_float32_round_trip(backend):
    h = backend
    x = np.concatenate([np.linspace(-3.2, 3.2, 801), EDGE])
    for seed in range(5):
        spline = _spline(h, _raw(seed, k=8, scale=0.3, batch=(x.size,)), "float32")
        xf = h.asarray(x, "float32")
        back = h.to_numpy(spline.inverse(spline.forward(xf)))
        np.testing.assert_allclose(back, h.to_numpy(xf), rtol=0, atol=1e-6)
        again = h.to_numpy(spline.forward(spline.inverse(xf)))
        np.testing.assert_allclose(again, h.to_numpy(xf), rtol=0, atol=1e-6)


def test_float32_round_trip_is_limited_by_conditioning_only(backend):
    """With rough parameters (slopes down to ~1e-3) x -> y -> x loses what rounding y
    to float32 loses, a few ulp(y) / slope (rounding in the knots and both formulas)."""
    h = backend
    x = np.linspace(-3.0, 3.0, 1201)
    spline = _spline(h, _raw(7, k=8, scale=1.5, batch=(x.size,)), "float32")
    y, log_det = spline.forward_and_log_det(h.asarray(x, "float32"))
    back = h.to_numpy(spline.inverse(y))
    slope = np.exp(h.to_numpy(log_det))
    allowed = 1e-6 + 16 * np.spacing(np.float32(3.0)) / np.minimum(slope, 1.0)
    assert np.all(np.abs(back - x) <= allowed)


def test_parameters_broadcast_against_the_input(backend):
    h = backend
    raw = _raw(3, batch=(3, 1))
    x = np.linspace(-2.5, 2.5, 4)
    y = h.to_numpy(_spline(h, raw).forward(h.asarray(x)))
    assert y.shape == (3, 4)
    for i in range(3):
        ref, _ = _reference(x, *(r[i, 0] for r in raw), BOUND)
        np.testing.assert_allclose(y[i], ref, rtol=1e-12)
    spline = _spline(h, raw)
    assert spline.param_shape == (3, 1)
    base = rc.Normal(h.asarray(np.zeros(4)), h.asarray(1.0))
    assert rc.TransformedDistribution(base, spline).batch_shape == (3, 4)


def test_spline_flow_normalizes(backend):
    h = backend
    base = rc.Normal(h.asarray(0.3), h.asarray(1.2))
    td = rc.TransformedDistribution(base, _spline(h, _raw(4, scale=0.7)))
    y = np.linspace(-12, 12, 96001)
    density = np.exp(h.to_numpy(td.log_prob(h.asarray(y))))
    np.testing.assert_allclose(np.trapezoid(density, y), 1.0, atol=1e-5)


def test_validation(backend):
    h = backend
    w, ht, s = (h.asarray(r) for r in _raw(5, k=4))
    with pytest.raises(ValueError, match="knot_slopes in K - 1"):
        B.RationalQuadraticSpline(w, ht, w, BOUND)
    with pytest.raises(ValueError, match="bound must be > 0"):
        B.RationalQuadraticSpline(w, ht, s, 0.0)
    with pytest.raises(ValueError, match="min_bin_size must be in"):
        B.RationalQuadraticSpline(w, ht, s, BOUND, min_bin_size=0.3)
    with pytest.raises(ValueError, match="bin_widths must be a finite"):
        B.RationalQuadraticSpline(h.asarray([0.0, np.nan, 1.0, 2.0]), ht, s, BOUND)


def test_spline_transformer_starts_as_identity(backend):
    h = backend
    t = B.SplineTransformer(bins=5, bound=2.0)
    assert t.n_params == 14
    x = h.asarray(np.linspace(-3, 3, 13))
    raw = h.xp.zeros((14, 13), dtype=x.dtype)
    y, log_det = t.forward_and_log_det(h.bk, raw, x)
    np.testing.assert_allclose(h.to_numpy(y), h.to_numpy(x), atol=1e-12)
    np.testing.assert_allclose(h.to_numpy(log_det), 0.0, atol=1e-12)
