"""Edges of torch's nested forward mode for implicit samples, and of cdf_gradients under
torch.compile (adversarial review of 03557a8 / 6f1a104 / 87293b0).

References are SciPy's Gamma quantile z = gammaincinv(a, u) / rate at the u of the drawn z
(finite differences, independent of relaxcore's partials).
"""

import numpy as np
import pytest

import relaxcore as rc

torch = pytest.importorskip("torch")
sc = pytest.importorskip("scipy.special")
func = torch.func

A = np.array([0.4, 1.3, 5.0])
RATE = 2.5


def _quantile(a, u, h=0.0):
    return sc.gammaincinv(a + h, u) / RATE


def _d2_da2(z, a=A, h=1e-4):
    u = sc.gammainc(a, z * RATE)
    return (_quantile(a, u, h) - 2 * _quantile(a, u) + _quantile(a, u, -h)) / h**2


def _d3_da3(z, a, h=1e-3):
    u = sc.gammainc(a, z * RATE)
    q = [_quantile(a, u, k * h) for k in (2, 1, -1, -2)]
    return (q[0] - 2 * q[1] + 2 * q[2] - q[3]) / (2 * h**3)


def draw(a):
    return rc.Gamma(a, RATE).rsample(rng=0)  # the rate broadcast: an expanded view


def _fwd(f, a):
    return func.jvp(f, (a,), (torch.ones_like(a),))[1]


def test_forward_second_derivative_with_a_broadcast_parameter():
    """A Python-number rate broadcast to a batch of concentrations: nested jvp and
    forward over reverse used to raise in make_dual (overlapping memory)."""
    a = torch.tensor(A, dtype=torch.float64)
    expected = _d2_da2(draw(a).numpy())
    assert np.all(np.abs(expected) > 1e-3)
    jvp_jvp = _fwd(lambda b: _fwd(draw, b), a)
    jvp_grad = _fwd(func.grad(lambda b: draw(b).sum()), a)
    for how, got in [("jvp(jvp)", jvp_jvp), ("jvp(grad)", jvp_grad)]:
        np.testing.assert_allclose(got.numpy(), expected, rtol=2e-4, err_msg=how)


def test_nested_jvp_of_a_vmapped_sample():
    """vmap innermost: the Function's jvp runs under the vmap its vmap rule opens; the
    second derivative used to be a silent 0."""
    a = torch.tensor(A, dtype=torch.float64)

    def lanes(b):
        return func.vmap(lambda c: rc.Gamma(c, RATE).rsample(rng=0), randomness="different")(b)

    z = lanes(a)
    expected = _d2_da2(z.numpy())
    got = _fwd(lambda b: _fwd(lanes, b), a)
    np.testing.assert_allclose(got.numpy(), expected, rtol=2e-4)


def test_third_derivative_by_jacfwd_three_times():
    """jacfwd^3 (vmap between every jvp level) used to give a silent 0."""
    a = 1.3

    def z(b):
        return rc.Gamma(b, RATE).rsample(rng=0)

    a_t = torch.tensor(a, dtype=torch.float64)
    expected = _d3_da3(float(z(a_t)), a)
    assert abs(expected) > 1e-2
    same = {"randomness": "same"}
    got = func.jacfwd(func.jacfwd(func.jacfwd(z, **same), **same), **same)(a_t)
    np.testing.assert_allclose(float(got), expected, rtol=1e-3)
    got = _fwd(lambda b: _fwd(func.jacfwd(z, **same), b), a_t)
    np.testing.assert_allclose(float(got), expected, rtol=1e-3)


def test_compiled_implicit_reparam_of_a_base_whose_cdf_is_implicit(monkeypatch):
    """ImplicitReparam(Gamma): Gamma's CDF attaches implicit partials itself; inside
    cdf_gradients' torch.func.vjp the custom op (no torch.func support) made torch.compile
    raise. It compiles with a graph break and gives the eager gradient."""
    monkeypatch.setattr("relaxcore._validation._SWITCHED", False)

    def f(a):
        return (rc.ImplicitReparam(rc.Gamma(a.exp(), 1.5)).rsample((2,)) ** 2).sum()

    a = torch.tensor([0.3, -0.2, 1.1], dtype=torch.float64, requires_grad=True)
    f(a)
    torch._dynamo.reset()
    torch.manual_seed(0)
    (eager,) = torch.autograd.grad(f(a), a)
    torch.manual_seed(0)
    (compiled,) = torch.autograd.grad(torch.compile(f, backend="aot_eager")(a), a)
    np.testing.assert_allclose(compiled.numpy(), eager.numpy(), rtol=1e-10)
