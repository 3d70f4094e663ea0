"""The adapters attach the core's partials: exactly, and composably with each framework.

The attached gradient must equal the partials that ``value_and_partials`` returns for the
same draw (same seed); torch must work under .backward(), torch.func.grad, vmap, jacrev,
jacfwd and torch.compile; jax under jit, vmap, grad, jacfwd and grad inside lax.scan.
"""

import subprocess
import sys

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st

import relaxcore as rc

N = 2000


def _make(name, backend, params):
    if name == "Gamma":
        return rc.Gamma(*params)
    if name == "Beta":
        return rc.Beta(*params)
    if name == "StudentT":
        return rc.StudentT(*params)
    return rc.VonMises(*params)


CASES = {
    "Gamma": ([0.3, 2.0, 40.0], [1.5, 0.5, 2.0]),
    "Beta": ([0.2, 2.0, 30.0], [0.5, 3.0, 7.0]),
    "StudentT": ([0.5, 3.0, 30.0], [0.0, 1.0, -2.0], [1.0, 2.0, 0.5]),
    "VonMises": ([0.0, 1.0, -2.0], [0.5, 4.0, 1000.0]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_autodiff_gradient_equals_value_and_partials(backend, name):
    """d/dtheta sum(rsample) == sum over samples of the returned partials, same draws."""
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    params = [backend.asarray(p) for p in CASES[name]]
    value, partials = rc.implicit.value_and_partials(
        _make(name, backend, params), (N,), rng=backend.rng(3)
    )
    grads = backend.grad(
        lambda *p: _make(name, backend, p).rsample((N,), rng=backend.rng(3)).sum(), *params
    )
    z = _make(name, backend, params).rsample((N,), rng=backend.rng(3))
    np.testing.assert_array_equal(backend.to_numpy(z), backend.to_numpy(value))
    for key, g in zip(_make(name, backend, params).implicit_params, grads):
        np.testing.assert_allclose(
            g, backend.to_numpy(partials[key]).sum(0), rtol=1e-12, atol=1e-12
        )


def test_dirichlet_gradient_equals_jacobian_from_value_and_partials(backend):
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    alpha = backend.asarray([0.3, 1.0, 4.0])
    weights = backend.asarray([1.0, -2.0, 0.5])
    _, partials = rc.implicit.value_and_partials(rc.Dirichlet(alpha), (N,), rng=backend.rng(5))
    (g,) = backend.grad(
        lambda a: (rc.Dirichlet(a).rsample((N,), rng=backend.rng(5)) * weights).sum(), alpha
    )
    jac = backend.to_numpy(partials["concentration"])  # (N, K, K): dz_i / dalpha_j
    np.testing.assert_allclose(g, np.einsum("nij,i->j", jac, backend.to_numpy(weights)), rtol=1e-10)


def test_implicit_partials_agree_across_backends(backend):
    """One partials function: the same value gives the same partials on every backend."""
    z = np.array([0.01, 0.5, 3.0, 40.0])
    alpha = np.array([0.1, 1.0, 2.5, 37.0])
    got = rc.Gamma(backend.asarray(alpha), 2.0).implicit_partials(backend.asarray(z))
    ref = rc.Gamma(alpha, 2.0).implicit_partials(z)
    for key in ref:
        np.testing.assert_allclose(backend.to_numpy(got[key]), ref[key], rtol=1e-13)
    b = np.array([0.2, 0.5, 0.9, 0.999])
    got = rc.Beta(backend.asarray(alpha), 3.0).implicit_partials(backend.asarray(b))
    ref = rc.Beta(alpha, 3.0).implicit_partials(b)
    for key in ref:
        np.testing.assert_allclose(backend.to_numpy(got[key]), ref[key], rtol=1e-12)


# --- d E[z] / d alpha = 1 / rate, estimated from draws ---------------------------------------

ALPHAS, RATE = np.array([0.5, 3.0]), 2.0


def _gradient_sd(alpha, rate, n=100_000):
    """Standard deviation of one draw's dz/dalpha for Gamma(alpha, rate), from SciPy alone:
    the quantile's derivative (central differences of gammaincinv) over a midpoint grid of u."""
    u = (np.arange(n) + 0.5) / n
    h = 1e-6 * alpha
    return np.std((sc.gammaincinv(alpha + h, u) - sc.gammaincinv(alpha - h, u)) / (2 * h * rate))


#: 0.393 and 0.149: per-draw standard deviations at alpha = 0.5 and 3 (rate 2)
SD = np.array([_gradient_sd(a, RATE) for a in ALPHAS])


def _assert_mean_gradient(got, n_draws):
    """|mean of n_draws gradients - 1/rate| within 5 standard errors: a correct gradient fails
    with probability 5.7e-7 per entry (two-sided normal tail; the mean of 4000 draws is normal
    to well within that). The bound is 2.4% of the gradient at alpha = 3 for 4000 draws and
    1.2% for the 16000 of the scan (the test allowed 8% and 5% before)."""
    got = np.asarray(got, dtype=np.float64).reshape(-1)
    bound = 5 * SD / np.sqrt(n_draws)
    assert np.all(np.abs(got - 1 / RATE) <= bound), (got, bound)


# --- torch ------------------------------------------------------------------------------


def _torch_mean(a):
    return rc.Gamma(a, 2.0).rsample((4000,), rng=0).mean(0)


def test_torch_func_transforms():
    torch = pytest.importorskip("torch")
    from torch import func

    a = torch.tensor([0.5, 3.0], dtype=torch.float64)
    # forward mode (the Function's jvp) is exact: the tangent is the partials of the same draw
    _, tangent = func.jvp(lambda a: rc.Gamma(a, 2.0).rsample((500,), rng=7), (a,), (torch.ones(2),))
    _, partials = rc.implicit.value_and_partials(rc.Gamma(a, 2.0), (500,), rng=7)
    np.testing.assert_allclose(tangent.numpy(), partials["concentration"].numpy(), rtol=1e-14)
    rev = func.jacrev(_torch_mean)(a)
    grad = func.grad(lambda a: _torch_mean(a).sum())(a)
    np.testing.assert_allclose(grad.numpy(), rev.sum(0).numpy(), rtol=1e-12)
    np.testing.assert_allclose(rev.numpy() - np.diag(np.diag(rev.numpy())), 0.0)
    # vmap draws per lane (randomness="different"); jacfwd pushes each tangent through vmap
    fwd = func.jacfwd(_torch_mean, randomness="different")(a)
    _assert_mean_gradient(np.diag(fwd.numpy()), 4000)
    batched = func.vmap(lambda a: _torch_mean(a), randomness="different")(a[:, None])
    assert batched.shape == (2, 1)
    vgrad = func.vmap(func.grad(lambda a: _torch_mean(a).sum()), randomness="different")(a[:, None])
    _assert_mean_gradient(vgrad.numpy(), 4000)  # d/dalpha E z = 1/rate


def test_torch_backward_and_compile():
    torch = pytest.importorskip("torch")
    a = torch.tensor([0.5, 3.0], dtype=torch.float64, requires_grad=True)
    rc.Gamma(a, 2.0).rsample((4000,), rng=0).mean(0).sum().backward()
    eager = a.grad.clone()
    # aot_eager runs dynamo and AOT autograd (what the Function must survive) without
    # inductor's code generation, which takes half a minute on this graph
    compiled = torch.compile(
        lambda a: rc.Gamma(a, 2.0).rsample((4000,), rng=0).mean(0).sum(), backend="aot_eager"
    )
    a.grad = None
    compiled(a).backward()
    np.testing.assert_allclose(a.grad.numpy(), eager.numpy(), rtol=1e-12)


# --- jax --------------------------------------------------------------------------------


def test_jax_transforms():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    key = jax.random.key(0)

    def mean(a, key=key):
        return rc.Gamma(a, 2.0).rsample((4000,), rng=key).mean(0)

    a = jnp.array([0.5, 3.0])

    def step(carry, k):
        return carry + jax.grad(lambda a: mean(a, k).sum())(a), None

    @jax.jit  # one compilation for all the transforms
    def everything(a):
        grad = jax.grad(lambda a: mean(a).sum())(a)
        per_lane = jax.vmap(jax.grad(lambda a: mean(a).sum()))(a[:, None])
        scanned, _ = jax.lax.scan(step, jnp.zeros(2), jax.random.split(key, 4))
        return grad, jax.jacfwd(mean)(a), jax.jacrev(mean)(a), per_lane, scanned / 4

    grad, fwd, rev, per_lane, scanned = everything(a)
    np.testing.assert_allclose(fwd, rev, rtol=1e-12)
    np.testing.assert_allclose(grad, jnp.diag(rev), rtol=1e-12)
    _assert_mean_gradient(grad, 4000)  # d/dalpha E z = 1/rate
    _assert_mean_gradient(per_lane, 4000)
    _assert_mean_gradient(scanned, 4 * 4000)


def test_importing_core_loads_no_adapter_or_framework():
    code = (
        "import sys, numpy as np, relaxcore as rc\n"
        "rc.implicit.value_and_partials(rc.Gamma(np.array([0.5])), (3,), rng=0)\n"
        "rc.Beta(np.array([0.5]), 2.0).rsample((3,), rng=0)\n"
        "bad = [m for m in ('torch', 'jax', 'relaxcore.adapters.torch', 'relaxcore.adapters.jax') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- an independent reference for the attached gradients ---------------------------------

#: name -> (cdf(z, *params), quantile(u, *params)) from SciPy, in the constructor's order.
#: Beta and StudentT attach their Gammas' partials (another per-draw gradient with the same
#: expectation, see their docstrings): tests/test_implicit_identities.py checks those.
SCIPY_LAWS = {
    "Gamma": (
        lambda z, a, rate: sc.gammainc(a, rate * z),
        lambda u, a, rate: sc.gammaincinv(a, u) / rate,
    ),
    "VonMises": (
        lambda z, loc, kappa: st.vonmises.cdf(z, kappa, loc),
        lambda u, loc, kappa: st.vonmises.ppf(u, kappa, loc),
    ),
}


@pytest.mark.parametrize("name", sorted(SCIPY_LAWS))
def test_autodiff_gradient_matches_scipy_quantile_differences(backend, name):
    """dz/dtheta of each draw against SciPy: hold u = F(z; theta) fixed and difference the
    quantile function, (F^-1(u; theta + h) - F^-1(u; theta - h)) / 2h (central differences,
    error O(h^2) ~ 1e-10 relative; the tolerance leaves room for the quantile functions' own
    accuracy). One parameter set per batch member, so the gradient of the sum is per draw."""
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    cdf, quantile = SCIPY_LAWS[name]
    params = [np.repeat(np.array(p), 4) for p in CASES[name]]  # 12 draws
    arrays = [backend.asarray(p) for p in params]
    z = backend.to_numpy(_make(name, backend, arrays).rsample(rng=backend.rng(11)))
    grads = backend.grad(
        lambda *p: _make(name, backend, p).rsample(rng=backend.rng(11)).sum(), *arrays
    )
    u = cdf(z, *params)
    for i, g in enumerate(grads):
        h = 1e-5 * np.maximum(np.abs(params[i]), 1e-3)
        up = [p + h if j == i else p for j, p in enumerate(params)]
        down = [p - h if j == i else p for j, p in enumerate(params)]
        reference = (quantile(u, *up) - quantile(u, *down)) / (2 * h)
        np.testing.assert_allclose(g, reference, rtol=2e-5, atol=1e-12, err_msg=f"param {i}")
