"""FillTriangular, ScaleMatvecTriL/Diag, Power, Square, Expm1, Block, ActNorm and BatchNorm
against closed forms: TFP's fill order, scipy densities, batch statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import relaxcore as rc

B = rc.bijectors


def test_fill_triangular_in_tfps_order(backend):
    h = backend
    x = h.asarray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    lower = h.to_numpy(B.FillTriangular().forward(x))
    np.testing.assert_array_equal(lower, [[4, 0, 0], [6, 5, 0], [3, 2, 1]])  # TFP's docstring
    upper = h.to_numpy(B.FillTriangular(upper=True).forward(x))
    np.testing.assert_array_equal(upper, [[1, 2, 3], [0, 5, 6], [0, 0, 4]])
    batch = h.asarray(np.arange(20.0).reshape(2, 10))
    y = B.FillTriangular().forward(batch)
    assert tuple(y.shape) == (2, 4, 4)
    np.testing.assert_array_equal(h.to_numpy(y), np.tril(h.to_numpy(y)))
    np.testing.assert_array_equal(h.to_numpy(B.FillTriangular().inverse(y)), h.to_numpy(batch))
    assert B.FillTriangular().forward_event_shape((10,)) == (4, 4)
    assert B.FillTriangular().inverse_event_shape((4, 4)) == (10,)
    with pytest.raises(ValueError, match="n\\(n \\+ 1\\)/2 entries"):
        B.FillTriangular().forward(h.asarray([1.0, 2.0]))
    with pytest.raises(ValueError, match="square matrix"):
        B.FillTriangular().inverse(h.asarray(np.ones((2, 3))))


def test_seed_affine_with_fill_triangular_is_a_gaussian(backend):
    """The seed's layer: Affine(scale_tril = FillTriangular(L), perturbation V, shift)."""
    h = backend
    rng = np.random.default_rng(0)
    vec, v, shift = rng.standard_normal(3), 0.5 * rng.standard_normal((2, 1)), [1.0, -1.0]
    vec[[0, 2]] = np.abs(vec[[0, 2]]) + 0.5  # the diagonal, in TFP's order
    tril = h.to_numpy(B.FillTriangular().forward(h.asarray(vec)))
    np.testing.assert_array_equal(tril, [[vec[2], 0], [vec[1], vec[0]]])
    m = tril + v @ v.T
    affine = B.Affine(
        shift=h.asarray(shift), scale_tril=h.asarray(tril), scale_perturb_factor=h.asarray(v)
    )
    td = rc.TransformedDistribution(rc.MultivariateNormalDiag(h.asarray([0.0, 0.0])), affine)
    y = rng.standard_normal((4, 2))
    ref = stats.multivariate_normal(shift, m @ m.T).logpdf(y)
    np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(y))), ref, rtol=1e-10)


def test_scale_matvec_maps_are_gaussians(backend):
    h = backend
    tril = np.array([[1.5, 0.0, 0.0], [0.4, -0.7, 0.0], [0.2, 0.3, 2.0]])
    base = rc.MultivariateNormalDiag(h.asarray(np.zeros(3)))
    y = np.random.default_rng(1).standard_normal((5, 3))
    # entries above the diagonal are ignored
    noisy = tril + np.triu(np.full((3, 3), 7.0), 1)
    td = rc.TransformedDistribution(base, B.ScaleMatvecTriL(h.asarray(noisy)))
    ref = stats.multivariate_normal(np.zeros(3), tril @ tril.T).logpdf(y)
    np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(y))), ref, rtol=1e-10)
    d = np.array([2.0, -0.5, 1.5])
    td = rc.TransformedDistribution(base, B.ScaleMatvecDiag(h.asarray(d)))
    ref = stats.multivariate_normal(np.zeros(3), np.diag(d**2)).logpdf(y)
    np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(y))), ref, rtol=1e-12)
    batched = B.ScaleMatvecTriL(h.asarray(np.stack([tril, 2 * tril])))  # batch axes broadcast
    td = rc.TransformedDistribution(base, batched)
    assert (td.batch_shape, td.event_shape) == ((2,), (3,))
    ref = [stats.multivariate_normal(np.zeros(3), k * k * tril @ tril.T).logpdf(y) for k in (1, 2)]
    np.testing.assert_allclose(
        h.to_numpy(td.log_prob(h.asarray(y[:, None]))), np.stack(ref, -1), rtol=1e-10
    )
    with pytest.raises(ValueError, match="scale_tril must be != 0 on the diagonal"):
        B.ScaleMatvecTriL(h.asarray(np.diag([1.0, 0.0])))
    with pytest.raises(ValueError, match="scale_diag must be != 0"):
        B.ScaleMatvecDiag(h.asarray([1.0, 0.0]))


def test_power_and_square_of_lognormals(backend):
    h = backend
    # x ~ LogNormal(mu, s): x**p ~ LogNormal(p mu, |p| s)
    mu, s = 0.3, 0.5
    lognormal = rc.TransformedDistribution(rc.Normal(h.asarray(mu), h.asarray(s)), B.Exp())
    y = np.array([0.2, 1.0, 3.0])
    for p, b in ((2.0, B.Square()), (2.5, B.Power(2.5)), (-0.5, B.Power(h.asarray(-0.5)))):
        td = rc.TransformedDistribution(lognormal, b)
        ref = stats.lognorm(s=abs(p) * s, scale=np.exp(p * mu)).logpdf(y)
        np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(y))), ref, rtol=1e-10)
    with pytest.raises(ValueError, match="power must be != 0"):
        B.Power(0.0)


def test_expm1_and_log1p(backend):
    h = backend
    x = np.array([-1e-10, 1e-8, 0.5, -40.0])
    y = h.to_numpy(B.Expm1().forward(h.asarray(x)))
    np.testing.assert_allclose(y[:3], np.expm1(x[:3]), rtol=1e-14)
    assert -1.0 < y[3] < -1.0 + 1e-15  # clipped above -1: the codomain is open
    np.testing.assert_allclose(
        h.to_numpy(B.Log1p().forward(h.asarray([1e-12, 2.0]))), np.log1p([1e-12, 2.0]), rtol=1e-14
    )
    # Y = expm1(X), X ~ N(0, 1): p(y) = phi(log1p(y)) / (1 + y)
    td = rc.TransformedDistribution(rc.Normal(h.asarray(0.0), h.asarray(1.0)), B.Expm1())
    yy = np.array([-0.9, 0.0, 3.0])
    ref = stats.norm.logpdf(np.log1p(yy)) - np.log1p(yy)
    np.testing.assert_allclose(h.to_numpy(td.log_prob(h.asarray(yy))), ref, rtol=1e-12)


def test_block_transforms_its_slice_only(backend):
    h = backend
    x = np.array([[0.1, -0.5, 2.0, 0.7], [1.0, 0.0, -1.0, 3.0]])
    y, log_det = B.Block(B.Exp(), slice(1, 3)).forward_and_log_det(h.asarray(x))
    expected = x.copy()
    expected[:, 1:3] = np.exp(x[:, 1:3])
    np.testing.assert_allclose(h.to_numpy(y), expected, rtol=1e-14)
    np.testing.assert_allclose(h.to_numpy(log_det), x[:, 1:3].sum(-1), rtol=1e-14)
    y, log_det = B.Block(B.Permute([1, 0]), [3, 0]).forward_and_log_det(h.asarray(x))
    np.testing.assert_array_equal(h.to_numpy(y), x[:, [3, 1, 2, 0]])
    np.testing.assert_array_equal(h.to_numpy(log_det), [0.0, 0.0])
    with pytest.raises(ValueError, match="distinct ints"):
        B.Block(B.Exp(), [1, 1])
    with pytest.raises(ValueError, match="does not fit a last axis of 4"):
        B.Block(B.Exp(), [7]).forward(h.asarray(x))


def test_act_norm_data_dependent_init(backend):
    h = backend
    data = np.random.default_rng(2).normal([1.0, -3.0], [0.5, 4.0], size=(500, 2))
    act = B.ActNorm.from_data(h.asarray(data))
    z, log_det = act.inverse_and_log_det(h.asarray(data))
    z = h.to_numpy(z)
    np.testing.assert_allclose(z.mean(0), 0.0, atol=1e-10)
    np.testing.assert_allclose(z.std(0), 1.0, atol=1e-5)
    np.testing.assert_allclose(h.to_numpy(log_det)[0], -np.log(data.std(0) + 1e-6), rtol=1e-10)
    np.testing.assert_allclose(h.to_numpy(act.forward(h.asarray(z))), data, rtol=1e-10)


def test_batch_norm_training_statistics_and_update(backend):
    h = backend
    y = np.random.default_rng(3).normal([2.0, -1.0], [3.0, 0.5], size=(64, 2))
    bn = B.BatchNorm(h.asarray([0.0, 0.0]), h.asarray([1.0, 1.0]), training=True, momentum=0.2)
    x, log_det = bn.inverse_and_log_det(h.asarray(y))
    var = y.var(0)
    np.testing.assert_allclose(h.to_numpy(x), (y - y.mean(0)) / np.sqrt(var + 1e-5), rtol=1e-10)
    np.testing.assert_allclose(h.to_numpy(log_det)[0], -0.5 * np.log(var + 1e-5), rtol=1e-12)
    new = bn.updated(h.asarray(y))
    np.testing.assert_allclose(h.to_numpy(new.mean), 0.2 * y.mean(0), rtol=1e-12)
    np.testing.assert_allclose(h.to_numpy(new.var), 0.8 + 0.2 * y.var(0, ddof=1), rtol=1e-12)
    # evaluation mode uses the running statistics: an affine map, exactly invertible
    ev = B.BatchNorm(new.mean, new.var, h.asarray([0.3, -0.2]), h.asarray([1.0, 0.0]))
    x, log_det = ev.inverse_and_log_det(h.asarray(y))
    scale = np.exp([0.3, -0.2]) / np.sqrt(h.to_numpy(new.var) + 1e-5)
    np.testing.assert_allclose(
        h.to_numpy(x), (y - h.to_numpy(new.mean)) * scale + [1.0, 0.0], rtol=1e-10
    )
    np.testing.assert_allclose(h.to_numpy(log_det)[0], np.log(scale), rtol=1e-12)
    np.testing.assert_allclose(h.to_numpy(ev.forward(x)), y, rtol=1e-10)
    with pytest.raises(ValueError, match="var must be >= 0"):
        B.BatchNorm(h.asarray(0.0), h.asarray(-1.0))
