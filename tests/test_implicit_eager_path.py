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
