"""Numerical edge cases of the bijectors, and what happens outside their domains."""

from __future__ import annotations

import numpy as np
import pytest

import relaxcore as rc

B = rc.bijectors


def test_tanh_log_det_in_the_tail(backend):
    h = backend
    x = h.asarray([20.0, -20.0, 400.0])
    log_det = h.to_numpy(B.Tanh().forward_log_det_jacobian(x))
    # log(1 - tanh(x)^2) = log(4) - 2|x| - 2 log1p(exp(-2|x|)), a closed form in |x|
    expected = np.log(4.0) - 2 * np.abs([20.0, -20.0, 400.0]) - 2 * np.log1p(np.exp(-40.0))
    np.testing.assert_allclose(log_det, expected, rtol=1e-13)
    np.testing.assert_allclose(log_det[0], -38.613705638880, rtol=0, atol=1e-11)
    with np.errstate(divide="ignore"):
        assert np.log(1 - np.tanh(20.0) ** 2) == -np.inf  # the naive formula


def test_softplus_inverse_small_and_large(backend):
    h = backend
    y = h.asarray([1e-6, 1e-12, 30.0, 700.0])
    x, ildj = B.Softplus().inverse_and_log_det(y)
    x = h.to_numpy(x)
    np.testing.assert_allclose(x[0], np.log(np.expm1(1e-6)), rtol=1e-14)
    np.testing.assert_allclose(x[1], np.log(np.expm1(1e-12)), rtol=1e-14)
    np.testing.assert_allclose(x[2], 30.0 + np.log1p(-np.exp(-30.0)), rtol=1e-15)
    assert x[3] == 700.0
    # dx/dy = 1 / sigmoid(x) = 1 / (1 - exp(-y))
    np.testing.assert_allclose(
        h.to_numpy(ildj)[:2], -np.log(-np.expm1(-np.array([1e-6, 1e-12]))), rtol=1e-13
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_saturating_maps_have_finite_log_dets(backend, dtype):
    h = backend
    big = 800.0 if dtype == "float64" else 100.0
    x = h.asarray([-big, -40.0, 40.0, big], dtype)
    for b in (B.Sigmoid(), B.Tanh(), B.Softplus(), B.NormalCDF()):
        y, log_det = b.forward_and_log_det(x)
        assert np.all(np.isfinite(h.to_numpy(log_det))), b
        assert h.to_numpy(log_det)[1] < -30, b  # not silently 0
    # sigmoid(x) is about exp(-|x|) in the tails: log-det -|x| - 2 log1p(exp(-|x|))
    log_det = h.to_numpy(B.Sigmoid().forward_log_det_jacobian(x))
    np.testing.assert_allclose(log_det, -np.abs(h.to_numpy(x)), rtol=1e-6)


def test_tanh_inverse_near_one_is_accurate(backend):
    h = backend
    y = h.asarray([1 - 1e-12, -(1 - 1e-12)])
    x, ildj = B.Tanh().inverse_and_log_det(y)
    yy = np.array([1 - 1e-12, -(1 - 1e-12)])
    np.testing.assert_allclose(h.to_numpy(x), np.arctanh(yy), rtol=1e-12)
    np.testing.assert_allclose(h.to_numpy(ildj), -np.log1p(-yy) - np.log1p(yy), rtol=1e-12)


OUTSIDE = [
    ("Exp", lambda: B.Exp(), [-1.0, 0.0], "> 0"),
    ("Sigmoid", lambda: B.Sigmoid(), [1.5, -0.1, 1.0], "in \\(0, 1\\)"),
    ("Tanh", lambda: B.Tanh(), [-2.0, 1.0], "in \\(-1, 1\\)"),
    ("Softplus", lambda: B.Softplus(), [-1.0, 0.0], "> 0"),
    ("NormalCDF", lambda: B.NormalCDF(), [0.0, 1.2], "in \\(0, 1\\)"),
]


# illegal input on purpose: NumPy warns of the log of a negative number on the way to -inf
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name, make, values, allowed", OUTSIDE, ids=[o[0] for o in OUTSIDE])
def test_values_outside_the_domain(backend, name, make, values, allowed):
    h = backend
    y = h.asarray(values)
    base = rc.Normal(h.asarray(0.0), h.asarray(1.0), validate_args=False)
    lp = h.to_numpy(rc.TransformedDistribution(base, make(), validate_args=False).log_prob(y))
    assert np.all(np.isnan(lp) | (lp == -np.inf)), lp  # never a clipped finite number
    with pytest.raises(ValueError, match=f"value must be {allowed}"):
        rc.TransformedDistribution(base, make(), validate_args=True).log_prob(y)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # illegal input on purpose
def test_off_simplex_values(backend):
    h = backend
    base = rc.MultivariateNormalDiag(h.asarray([0.0, 0.0]), validate_args=False)
    td = rc.TransformedDistribution(base, B.StickBreaking(), validate_args=False)
    lp = h.to_numpy(td.log_prob(h.asarray([[0.5, 0.7, -0.2], [-0.5, 0.5, 1.0]])))
    assert np.all(np.isnan(lp) | (lp == -np.inf)), lp
    with pytest.raises(ValueError, match="value must be a probability vector"):
        rc.TransformedDistribution(base, B.StickBreaking()).log_prob(h.asarray([0.5, 0.7, -0.2]))


def test_parameter_validation(backend):
    h = backend
    with pytest.raises(ValueError, match="slope must be > 0"):
        B.LeakyReLU(h.asarray(-0.5))
    with pytest.raises(ValueError, match="scale must be != 0"):
        B.Scale(h.asarray([1.0, 0.0]))
    with pytest.raises(ValueError, match="permutation must hold each of 0..2 once"):
        B.Permute([0, 2, 2])
    with pytest.raises(ValueError, match="same number of elements"):
        B.Reshape((2, 2), (5,))
    with pytest.raises(ValueError, match="at least one of shift"):
        B.Affine()
    with pytest.raises(ValueError, match="non-empty"):
        B.Chain([])


def test_leaky_relu_is_piecewise_linear(backend):
    h = backend
    b = B.LeakyReLU(h.asarray(0.25))
    y, log_det = b.forward_and_log_det(h.asarray([-4.0, -1e-300, 0.0, 3.0]))
    np.testing.assert_array_equal(h.to_numpy(y), [-1.0, -0.25e-300, 0.0, 3.0])
    np.testing.assert_allclose(h.to_numpy(log_det), [np.log(0.25), np.log(0.25), 0.0, 0.0])


def test_chain_event_ranks_and_order(backend):
    h = backend
    chain = B.Chain([B.Exp(), B.Shift(h.asarray(1.0))])  # exp(x + 1): right to left
    np.testing.assert_allclose(h.to_numpy(chain.forward(h.asarray([0.0]))), [np.e])
    mixed = B.Chain([B.Tanh(), B.Permute([1, 0]), B.Exp()])
    assert (mixed.event_ndims_in, mixed.event_ndims_out) == (1, 1)
    x = h.asarray([[0.1, -0.3]])
    expected = 0.1 - 0.3 + np.sum(np.log1p(-(np.tanh(np.exp([0.1, -0.3])) ** 2)))
    np.testing.assert_allclose(
        h.to_numpy(mixed.forward_log_det_jacobian(x)), [expected], rtol=1e-12
    )
    shapes = B.Chain([B.Reshape((2, 3), (6,)), B.SoftmaxCentered()])
    assert (shapes.event_ndims_in, shapes.event_ndims_out) == (1, 2)
    assert shapes.forward_event_shape((5,)) == (2, 3)
    assert shapes.inverse_event_shape((2, 3)) == (5,)


def test_inline_derives_the_missing_log_det(backend):
    h = backend
    xp = h.xp
    only_forward = B.Inline(
        xp.sinh, xp.asinh, forward_log_det_jacobian_fn=lambda x: xp.log(xp.cosh(x))
    )
    only_inverse = B.Inline(
        xp.sinh, xp.asinh, inverse_log_det_jacobian_fn=lambda y: -0.5 * xp.log1p(y * y)
    )
    x, y = np.array([0.5, -2.0]), np.sinh([0.5, -2.0])
    np.testing.assert_allclose(
        h.to_numpy(only_forward.inverse_log_det_jacobian(h.asarray(y))),
        -0.5 * np.log1p(y * y),
        rtol=1e-13,
    )
    np.testing.assert_allclose(
        h.to_numpy(only_inverse.forward_log_det_jacobian(h.asarray(x))),
        np.log(np.cosh(x)),
        rtol=1e-13,
    )
    with pytest.raises(NotImplementedError, match="not a monotone scalar"):
        only_forward.is_increasing()
    with pytest.raises(ValueError, match="give forward_log_det_jacobian_fn"):
        B.Inline(xp.sinh, xp.asinh)
