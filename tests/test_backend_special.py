"""Every backend's special functions and fused primitives agree with scipy."""

import numpy as np
import pytest
import scipy.special as sc

X = np.array([-30.0, -5.0, -1.0, -1e-3, 0.0, 0.5, 2.0, 10.0, 40.0])
POS = np.array([1e-6, 0.1, 0.5, 1.0, 2.5, 10.0, 150.0])
UNIT = np.array([1e-12, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9])

UNARY = [
    ("sigmoid", X, sc.expit),
    ("log_sigmoid", X, sc.log_expit),
    ("softplus", X, lambda x: np.logaddexp(0, x)),
    ("lgamma", POS, sc.gammaln),
    ("digamma", POS, sc.digamma),
    ("erf", X / 5, sc.erf),
    ("erfc", X / 5, sc.erfc),
    ("ndtr", X / 3, sc.ndtr),
    ("log_ndtr", X, sc.log_ndtr),
    ("ndtri", UNIT, sc.ndtri),
    ("i0e", X, sc.i0e),
    ("i1e", X, sc.i1e),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,grid,ref", UNARY, ids=[u[0] for u in UNARY])
def test_unary(backend, dtype, name, grid, ref):
    fn = getattr(backend.bk, name)
    out = fn(backend.asarray(grid, dtype))
    assert out.dtype == backend.dtype(dtype)
    exact = grid.astype(dtype).astype(np.float64)  # the grid as the backend sees it
    rtol, atol = (1e-12, 1e-300) if dtype == "float64" else (2e-5, 1e-6 * (name == "lgamma"))
    np.testing.assert_allclose(backend.to_numpy(out), ref(exact), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family(backend, name):
    x = np.array([[1.0, 2.0, -np.inf, 1e4], [0.0, 0.0, 0.0, -3.0]])
    out = backend.to_numpy(getattr(backend.bk, name)(backend.asarray(x), axis=-1))
    np.testing.assert_allclose(out, getattr(sc, name)(x, axis=-1), rtol=1e-12)
    lse = backend.to_numpy(backend.bk.logsumexp(backend.asarray(x), axis=-1))
    np.testing.assert_allclose(lse, sc.logsumexp(x, axis=-1), rtol=1e-12)


def test_xlogy(backend):
    x, y = np.array([0.0, 0.0, 2.0]), np.array([0.0, 3.0, 5.0])
    out = backend.to_numpy(backend.bk.xlogy(backend.asarray(x), backend.asarray(y)))
    np.testing.assert_allclose(out, sc.xlogy(x, y), rtol=1e-12)


def test_stop_gradient_cuts_the_gradient(backend):
    x = backend.asarray([1.0, 2.0])
    grad = backend.grad(lambda v: backend.xp.sum(backend.bk.stop_gradient(v) * v), x)[0]
    np.testing.assert_allclose(grad, [1.0, 2.0])
