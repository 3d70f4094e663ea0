"""Second derivatives of implicit samples (Reliability issue, item 3).

With the uniform u = F(z | a) held fixed, an implicit sample is the quantile z(a) = F^-1(u | a),
so its Hessian is the second derivative of the quantile function: checked against central
differences of SciPy's ``gammaincinv`` (independent of our code). Classes whose partials
are not a function of the sample alone (Beta, Dirichlet, StudentT: their first derivative
comes from the Gamma draws behind them) raise on a second derivative: never a silent 0.
"""

import numpy as np
import pytest

import relaxcore as rc

sc = pytest.importorskip("scipy.special")

H = 1e-4


def _quantile_hessian(a, rate, z, log=False):
    """2x2 Hessian in (a, rate) of z(a, rate) = gammaincinv(a, u) / rate (or its log) at
    the u of z, by central differences."""
    u = sc.gammainc(a, z * rate)

    def q(a_, r_):
        x = sc.gammaincinv(a_, u) / r_
        return np.log(x) if log else x

    x0 = np.array([a, rate])
    out = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * H, np.eye(2)[j] * H
            out[i, j] = (
                q(*(x0 + ei + ej)) - q(*(x0 + ei - ej)) - q(*(x0 - ei + ej)) + q(*(x0 - ei - ej))
            ) / (4 * H * H)
    return out


CASES = [(0.4, 1.0), (1.3, 1.0), (5.0, 2.5)]


@pytest.mark.parametrize("cls", ["Gamma"])  # ExpGamma shares the rule; its compile is slow
def test_jax_hessian_is_the_quantile_functions(cls):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    keys = jax.random.split(jax.random.key(0), len(CASES))

    def draw(p, key):
        return getattr(rc, cls)(p[0], p[1]).rsample(rng=key)

    # one compile: the cases are lanes of a vmap; forward over reverse and over forward
    f = jax.jit(
        jax.vmap(
            lambda p, k: (draw(p, k), jax.hessian(draw)(p, k), jax.jacfwd(jax.jacfwd(draw))(p, k))
        )
    )
    x, hess, fwd_fwd = f(jnp.asarray(CASES, dtype=jnp.float64), keys)
    for (a, rate), x_i, h_i, ff_i in zip(
        CASES, np.asarray(x), np.asarray(hess), np.asarray(fwd_fwd), strict=True
    ):
        z = np.exp(x_i) if cls == "ExpGamma" else x_i
        expected = _quantile_hessian(a, rate, z, log=cls == "ExpGamma")
        np.testing.assert_allclose(h_i, expected, rtol=2e-4, atol=1e-6)
        np.testing.assert_allclose(ff_i, expected, rtol=2e-4, atol=1e-6)
        assert abs(expected[0, 0]) > 1e-3  # a Hessian that 0 would fail


@pytest.mark.parametrize("a, rate", CASES)
def test_torch_hessians_are_the_quantile_functions(a, rate):
    torch = pytest.importorskip("torch")
    from torch import func

    def draw(p):
        return rc.Gamma(p[0], p[1]).rsample(rng=0)

    p = torch.tensor([a, rate], dtype=torch.float64, requires_grad=True)
    z = draw(p)
    expected = _quantile_hessian(a, rate, float(z.detach()))
    # reverse over reverse
    (g,) = torch.autograd.grad(z, p, create_graph=True)
    rows = [torch.autograd.grad(g[i], p, retain_graph=True)[0] for i in range(2)]
    np.testing.assert_allclose(torch.stack(rows).numpy(), expected, rtol=2e-4, atol=1e-6)
    # forward over reverse (torch.func.hessian; the same draw in every lane)
    hess = func.jacfwd(func.jacrev(draw), randomness="same")(p.detach())
    np.testing.assert_allclose(hess.numpy(), expected, rtol=2e-4, atol=1e-6)


NO_SECOND_ORDER = {
    "Beta": lambda a: rc.Beta(a, 2.0),
    "StudentT": lambda a: rc.StudentT(a, 0.0, 1.0),
    "Dirichlet": lambda a: rc.Dirichlet(a * np.ones(3) if np.ndim(a) == 0 else a),
}


@pytest.mark.parametrize("name", list(NO_SECOND_ORDER))
def test_second_derivative_without_a_rule_raises(backend, name):
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    make = NO_SECOND_ORDER[name]
    if backend.name == "jax" and name != "StudentT":
        pytest.skip("one class under JAX: the mechanism is shared and eager JAX is slow")
    if backend.name == "jax":
        import jax

        def f(a):
            return make(a * jax.numpy.ones(3) if name == "Dirichlet" else a).rsample(
                rng=jax.random.key(0)
            )[0 if name == "Dirichlet" else ()]

        assert np.isfinite(float(jax.grad(f)(1.3)))  # first order is fine
        with pytest.raises(NotImplementedError, match="second derivatives"):
            jax.hessian(f)(1.3)
    else:
        import torch

        a = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
        z = make(a * torch.ones(3) if name == "Dirichlet" else a).rsample(rng=0)
        (g,) = torch.autograd.grad(z.reshape(-1)[0], a, create_graph=True)
        assert torch.isfinite(g)
        with pytest.raises(NotImplementedError, match="second derivatives"):
            torch.autograd.grad(g, a)


def test_torch_forward_over_forward_of_a_rule_less_sample_raises():
    """Beta's partials are not a function of the sample alone: a nested forward-mode
    derivative raises instead of returning 0 (the first-order jvp still works)."""
    torch = pytest.importorskip("torch")
    from torch.func import jvp

    one = torch.ones((), dtype=torch.float64)

    def first(a):
        return jvp(lambda b: rc.Beta(b, 2.0).rsample(rng=0), (a,), (one,))[1]

    a = torch.tensor(1.3, dtype=torch.float64)
    assert torch.isfinite(first(a)) and first(a) != 0
    with pytest.raises(NotImplementedError, match="second derivatives"):
        jvp(first, (a,), (one,))


def _torch_hessians(draw, p):
    """The Hessian of ``draw`` at ``p`` by each composition torch offers."""
    torch = pytest.importorskip("torch")
    from torch import func

    q = p.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(draw(q), q, create_graph=True)
    rev_rev = torch.stack([torch.autograd.grad(g[i], q, retain_graph=True)[0] for i in range(2)])
    same = {"randomness": "same"}
    return {
        "reverse over reverse": rev_rev,
        "forward over reverse": func.jacfwd(func.jacrev(draw), **same)(p),
        "reverse over forward": func.jacrev(func.jacfwd(draw, **same))(p),
        "forward over forward": func.jacfwd(func.jacfwd(draw, **same), **same)(p),
    }


@pytest.mark.parametrize("cls", ["Gamma", "ExpGamma"])
@pytest.mark.parametrize("a, rate", CASES)
def test_torch_hessians_by_every_composition(cls, a, rate):
    """Forward over forward used to give 0: torch runs a Function's jvp with forward AD off."""
    torch = pytest.importorskip("torch")

    def draw(p):
        return getattr(rc, cls)(p[0], p[1]).rsample(rng=0)

    p = torch.tensor([a, rate], dtype=torch.float64)
    x = float(draw(p))
    expected = _quantile_hessian(a, rate, np.exp(x) if cls == "ExpGamma" else x, cls == "ExpGamma")
    assert abs(expected[0, 0]) > 1e-3
    for how, hess in _torch_hessians(draw, p).items():
        np.testing.assert_allclose(hess.numpy(), expected, rtol=2e-4, atol=1e-6, err_msg=how)


def test_torch_third_derivatives_of_a_gamma_sample():
    """d3z/da3 by nested ``torch.func.jvp`` (three levels) and by reverse mode three times,
    against a five-point stencil of SciPy's quantile (the partials' rule differentiated
    twice, so a lost level would give 0)."""
    torch = pytest.importorskip("torch")
    from torch.func import jvp

    one = torch.ones((), dtype=torch.float64)

    def z(a):
        return rc.Gamma(a, 1.0).rsample(rng=0)

    def forward(f):
        return lambda a: jvp(f, (a,), (one,))[1]

    a = 1.3
    x = float(z(torch.tensor(a, dtype=torch.float64)))
    u, h = sc.gammainc(a, x), 1e-3

    def q(a_):
        return sc.gammaincinv(a_, u)

    expected = (q(a + 2 * h) - 2 * q(a + h) + 2 * q(a - h) - q(a - 2 * h)) / (2 * h**3)
    assert abs(expected) > 0.1
    fwd3 = forward(forward(forward(z)))(torch.tensor(a, dtype=torch.float64))
    ar = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    (g1,) = torch.autograd.grad(z(ar), ar, create_graph=True)
    (g2,) = torch.autograd.grad(g1, ar, create_graph=True)
    (rev3,) = torch.autograd.grad(g2, ar)
    np.testing.assert_allclose(float(fwd3), expected, rtol=1e-4)
    np.testing.assert_allclose(float(rev3), expected, rtol=1e-4)


def _von_mises_quantile(u, loc, kappa):
    """The x with SciPy's von Mises CDF(x | loc, kappa) = u (brentq, to 1e-15)."""
    from scipy.optimize import brentq
    from scipy.stats import vonmises

    def f(x):
        return vonmises.cdf(x, kappa, loc=loc) - u

    return brentq(f, loc - np.pi, loc + np.pi, xtol=1e-15, rtol=1e-15)


@pytest.mark.parametrize("loc, kappa", [(0.3, 0.7), (-1.0, 4.0)])
def test_von_mises_second_derivative_in_concentration(loc, kappa):
    """d2z/dkappa2 of a VonMises sample against central differences of the quantile,
    inverted from SciPy's CDF (independent of our partials); loc only shifts z."""
    torch = pytest.importorskip("torch")
    stats = pytest.importorskip("scipy.stats")

    def draw(p):
        return rc.VonMises(p[0], p[1]).rsample(rng=3)

    p = torch.tensor([loc, kappa], dtype=torch.float64)
    u = stats.vonmises.cdf(float(draw(p)), kappa, loc=loc)
    h = 1e-3
    expected = (
        sum(w * _von_mises_quantile(u, loc, kappa + s * h) for w, s in [(1, 1), (-2, 0), (1, -1)])
        / h**2
    )
    assert abs(expected) > 1e-3
    for how, hess in _torch_hessians(draw, p).items():
        np.testing.assert_allclose(float(hess[1, 1]), expected, rtol=1e-3, err_msg=how)
        np.testing.assert_allclose(hess[0].numpy(), 0.0, atol=1e-9, err_msg=how)
