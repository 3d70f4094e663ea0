"""The eager (gather-by-regime, blocked) Gamma partial equals the traced (where) path."""

import numpy as np
import pytest

import relaxcore as rc
from relaxcore.implicit import incomplete_gamma


def test_eager_blocks_match_the_jit_path_on_mixed_regimes():
    jax = pytest.importorskip("jax")
    rng = np.random.default_rng(0)
    n = 3 * incomplete_gamma._BLOCK + 17  # several blocks and a ragged end
    a = np.exp(rng.uniform(np.log(1e-3), np.log(1e4), n))
    x = rng.gamma(a)  # every regime: series, continued fraction, Temme
    x = np.where(x > 0, x, np.finfo(np.float64).smallest_normal)
    log_x = np.log(x)
    eager = incomplete_gamma.gamma_log_partial(rc.get_backend("numpy"), a, x, log_x)
    jbk = rc.get_backend("jax")
    traced = jax.jit(lambda *v: incomplete_gamma.gamma_log_partial(jbk, *v))(
        *(jax.numpy.asarray(v) for v in (a, x, log_x))
    )
    series, fraction, temme = (np.asarray(m) for m in incomplete_gamma._regimes(np, a, x))
    assert min(series.sum(), fraction.sum(), temme.sum()) > 1000
    np.testing.assert_allclose(eager, np.asarray(traced), rtol=1e-12, atol=1e-300)


def _fixed_steps(bk, a, x, log_x):
    """The partial on slices below the adaptive threshold: fixed step counts, array `a`."""
    step = incomplete_gamma._ADAPT_MIN - 1
    parts = [
        incomplete_gamma.gamma_log_partial(
            bk, a[i : i + step], x[i : i + step], log_x[i : i + step]
        )
        for i in range(0, x.shape[0], step)
    ]
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_adaptive_steps_and_scalar_alpha_match_the_fixed_steps(dtype):
    """One alpha for the batch (polynomials with scalar coefficients) and block-adapted
    step counts are as accurate as the fixed-step path, in every regime: float64 agrees
    with it to 1e-13; float32's error against float64 grows by at most a quarter."""
    bk = rc.get_backend("numpy")
    rng = np.random.default_rng(1)
    cases = [np.full(20_000, alpha) for alpha in (0.05, 0.7, 1.0, 3.0, 7.9, 8.0, 12.0, 300.0, 5e3)]
    cases.append(np.repeat(np.linspace(0.2, 3.0, 10), 2_000))  # a Dirichlet's few alphas
    for alpha in cases:
        a = alpha.astype(dtype)
        x = np.maximum(rng.gamma(alpha), np.finfo(dtype).smallest_normal).astype(dtype)
        log_x = np.log(x)
        got = np.asarray(incomplete_gamma.gamma_log_partial(bk, a, x, log_x), dtype=np.float64)
        fixed = _fixed_steps(bk, a, x, log_x)
        if dtype == "float64":
            np.testing.assert_allclose(got, fixed, rtol=1e-13, err_msg=f"alpha {alpha[0]}")
            continue
        exact = _fixed_steps(bk, *(v.astype(np.float64) for v in (a, x, log_x)))
        err, err_fixed = (np.max(np.abs(v / exact - 1)) for v in (got, fixed))
        assert err <= 1.25 * err_fixed + 1e-7, (alpha[0], err, err_fixed)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_one_pass_per_alpha_column_matches_the_fixed_steps(dtype, monkeypatch):
    """Dirichlet(alpha (K,)).rsample((n,)) and Gamma(alpha (K,)).rsample((n,)): the K alphas
    are taken one at a time as Python floats (column j of x at alpha_j), as accurately as
    the fixed-step array path, in every regime (the same criteria as above)."""
    bk = rc.get_backend("numpy")
    taken = []
    by_column = incomplete_gamma._log_partial_by_column
    monkeypatch.setattr(
        incomplete_gamma,
        "_log_partial_by_column",
        lambda *args: taken.append(args[-1]) or by_column(*args),
    )
    alphas = np.array([0.05, 0.7, 3.0, 7.9, 8.0, 12.0, 300.0, 5e3])
    rows = 2 * incomplete_gamma._ADAPT_MIN
    x = np.random.default_rng(2).gamma(alphas, size=(rows, alphas.size))
    x = np.maximum(x, np.finfo(dtype).smallest_normal).astype(dtype)
    a, log_x = alphas.astype(dtype), np.log(x)
    got = np.asarray(incomplete_gamma.gamma_log_partial(bk, a, x, log_x), dtype=np.float64)
    assert taken == [alphas.size] and got.shape == x.shape
    flat = [np.reshape(np.broadcast_to(v, x.shape), -1) for v in (a, x, log_x)]
    fixed = _fixed_steps(bk, *flat).reshape(x.shape)
    if dtype == "float64":
        np.testing.assert_allclose(got, fixed, rtol=1e-13)
        return
    exact = _fixed_steps(bk, *(v.astype(np.float64) for v in flat)).reshape(x.shape)
    err, err_fixed = (np.max(np.abs(v / exact - 1)) for v in (got, fixed))
    assert err <= 1.25 * err_fixed + 1e-7, (err, err_fixed)
