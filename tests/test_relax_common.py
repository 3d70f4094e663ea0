"""Contract tests shared by the relaxations of issue 3: shapes and dtypes, sample/rsample/
reparameterize agreement, cross-backend parity at identical noise, gradients against
finite differences of ``reparameterize``, extreme parameters, JAX jit, torch.func."""

from __future__ import annotations

import numpy as np
import pytest

import relaxcore as rc

R3 = [[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]]

# name -> (constructor from keyword arrays, differentiable float64 parameters, fixed kwargs)
CASES = {
    "GaussianRelaxedBernoulli": (
        rc.GaussianRelaxedBernoulli,
        {"loc": [0.3, 0.6, 0.5], "scale": [0.2, 0.3, 0.25]},
        {},
    ),
    "HardConcrete": (
        rc.HardConcrete,
        {
            "temperature": [0.66, 0.5, 1.0],
            "logits": [0.5, -0.3, 1.0],
            "low": [-0.1, -0.2, -0.1],
            "high": [1.1, 1.05, 1.2],
        },
        {},
    ),
    "StochasticTimesSmooth": (rc.StochasticTimesSmooth, {"probs": [0.3, 0.8, 0.5]}, {}),
    "CorrelatedRelaxedBernoulli": (
        rc.CorrelatedRelaxedBernoulli,
        {"temperature": 0.5, "logits": [0.5, -0.3, 1.0]},
        {"correlation": R3},
    ),
    "InvertibleGaussian": (
        rc.InvertibleGaussian,
        {"loc": [0.5, -1.0, 2.0], "scale": [1.0, 0.5, 2.0], "temperature": 0.5, "delta": 1.5},
        {},
    ),
    "GumbelSoftmaxTopK": (
        rc.GumbelSoftmaxTopK,
        {"temperature": 0.5, "logits": [0.1, 1.0, -0.5, 0.3]},
        {"k": 2},
    ),
    "LogisticNormalSoftmax": (
        rc.LogisticNormalSoftmax,
        {"loc": [0.5, -1.0, 2.0], "scale": [1.0, 0.5, 2.0]},
        {},
    ),
}
NAMES = list(CASES)


def build(h, name, dtype="float64", params=None, requires_grad=False):
    cls, diff, fixed = CASES[name]
    params = diff if params is None else params
    kwargs = {k: h.asarray(v, dtype, requires_grad) for k, v in params.items()}
    kwargs.update({k: h.asarray(v, dtype) if isinstance(v, list) else v for k, v in fixed.items()})
    return cls(**kwargs)


def numpy_noise(name, shape=(5,), seed=0):
    return np.asarray(build(_NUMPY, name).sample_noise(shape, rng=seed))


class _NumpyHarness:
    name = "numpy"

    def asarray(self, values, dtype="float64", requires_grad=False):
        return np.asarray(values, dtype=dtype)


_NUMPY = _NumpyHarness()


@pytest.mark.parametrize("name", NAMES)
def test_shapes_dtype_and_sampling_protocol(backend, name):
    for dtype in ("float32", "float64") if backend.name != "jax" else ("float64",):
        d = build(backend, name, dtype)
        z = d.rsample((4, 2), rng=backend.rng(3))
        assert tuple(z.shape) == (4, 2) + d.batch_shape + d.event_shape
        assert z.dtype == backend.dtype(dtype)
        again = d.reparameterize(d.sample_noise((4, 2), rng=backend.rng(3)))
        np.testing.assert_array_equal(backend.to_numpy(z), backend.to_numpy(again))
        np.testing.assert_array_equal(
            backend.to_numpy(d.sample((4, 2), rng=backend.rng(3))), backend.to_numpy(z)
        )
        assert np.all(np.isfinite(backend.to_numpy(z)))
        if name != "GumbelSoftmaxTopK":
            lp = d.log_prob(z)
            assert tuple(lp.shape) == (4, 2) + d.batch_shape and lp.dtype == z.dtype
    e = build(backend, name).expand((2, 3) + build(backend, name).batch_shape[1:])
    assert e.rsample((1,), rng=backend.rng(0)).shape[1:3] == (2, 3)


@pytest.mark.parametrize("name", NAMES)
def test_cross_backend_parity_at_identical_noise(backend, name):
    noise = numpy_noise(name)
    ref = build(_NUMPY, name).reparameterize(noise)
    out = build(backend, name).reparameterize(backend.asarray(noise))
    np.testing.assert_allclose(backend.to_numpy(out), ref, rtol=1e-10, atol=1e-12)
    if name != "GumbelSoftmaxTopK":
        np.testing.assert_allclose(
            backend.to_numpy(build(backend, name).log_prob(out)),
            build(_NUMPY, name).log_prob(ref),
            rtol=1e-9,
            atol=1e-9,
        )


def _fd_grads(name, noise, weights, h=1e-6):
    base = CASES[name][1]
    grads = {}
    for key, value in base.items():
        value = np.asarray(value, dtype=np.float64)
        g = np.zeros(value.shape)
        for idx in np.ndindex(value.shape):
            vals = []
            for sign in (1, -1):
                v = value.copy()
                v[idx] += sign * h
                z = build(_NUMPY, name, params={**base, key: v}).reparameterize(noise)
                vals.append(np.sum(weights * z))
            g[idx] = (vals[0] - vals[1]) / (2 * h)
        grads[key] = g
    return grads


@pytest.mark.parametrize("name", NAMES)
def test_gradients_match_finite_differences(backend, name):
    if not backend.has_autodiff:
        pytest.skip("no autodiff")
    noise = numpy_noise(name, (3,), seed=1)
    z0 = build(_NUMPY, name).reparameterize(noise)
    weights = np.random.default_rng(2).normal(size=z0.shape)
    keys = list(CASES[name][1])
    xp = backend.xp

    def f(*args):
        d = build_from(backend, name, dict(zip(keys, args)))
        return xp.sum(backend.asarray(weights) * d.reparameterize(backend.asarray(noise)))

    args = [backend.asarray(CASES[name][1][k]) for k in keys]
    got = backend.grad(f, *args)
    want = _fd_grads(name, noise, weights)
    for key, g in zip(keys, got):
        np.testing.assert_allclose(g, want[key], rtol=2e-5, atol=2e-7, err_msg=key)
        assert np.any(g != 0), f"no gradient reaches {key}"


def build_from(h, name, arrays, fixed=None):
    cls, _, fixed_values = CASES[name]
    kwargs = dict(arrays)
    if fixed is None:
        fixed = {k: h.asarray(v) if isinstance(v, list) else v for k, v in fixed_values.items()}
    return cls(**kwargs, **fixed)


EXTREME = {
    "GaussianRelaxedBernoulli": [
        {"loc": [50.0, -50.0, 1e4, -1e4], "scale": [1e-3, 1e3, 1e-3, 1.0]}
    ],
    "HardConcrete": [
        {"temperature": 1e-3, "logits": [50.0, -50.0, 1e4, -1e4]},
        {"temperature": [0.5, 1e-3], "probs": [0.0, 1.0]},
    ],
    "StraightThroughBernoulli": [{"logits": [50.0, -50.0, 1e4, -1e4]}, {"probs": [0.0, 1.0]}],
    "StochasticTimesSmooth": [{"logits": [50.0, -50.0, 1e4, -1e4]}, {"probs": [0.0, 1.0]}],
    "CorrelatedRelaxedBernoulli": [
        {"temperature": 1e-3, "logits": [50.0, -1e4, 1e4]},
        {"temperature": 0.5, "probs": [0.0, 1.0, 0.5]},
    ],
    "InvertibleGaussian": [
        {"loc": [300.0, -200.0, 1e4], "scale": [1.0, 1e-3, 5.0], "temperature": 1e-3, "delta": 1.0}
    ],
    "GumbelSoftmaxTopK": [
        {"temperature": 1e-3, "logits": [1e4, -1e4, 50.0, -50.0]},
        {"temperature": 0.5, "probs": [0.0, 0.5, 0.5, 0.0]},
    ],
    "LogisticNormalSoftmax": [{"loc": [1e4, -1e4, 50.0], "scale": [1e-3, 1.0, 100.0]}],
}
CLASSES = {
    **{n: c[0] for n, c in CASES.items()},
    "StraightThroughBernoulli": rc.StraightThroughBernoulli,
}
FIXED = {"CorrelatedRelaxedBernoulli": {"correlation": R3}, "GumbelSoftmaxTopK": {"k": 2}}


@pytest.mark.parametrize("name", list(EXTREME))
def test_extreme_parameters_give_finite_samples_and_gradients(backend, name):
    for params in EXTREME[name]:
        dtypes = backend.float_dtypes
        if backend.name == "jax":  # float64 is covered by the other backends; compiles are slow
            dtypes = [d for d in dtypes if d != "float64"]
        for dtype in dtypes:
            keys = list(params)

            def make(*args, dtype=dtype, keys=keys):
                kwargs = dict(zip(keys, args))
                fixed = FIXED.get(name, {})
                kwargs.update(
                    {
                        k: backend.asarray(v, dtype) if isinstance(v, list) else v
                        for k, v in fixed.items()
                    }
                )
                return CLASSES[name](**kwargs)

            args = [backend.asarray(params[k], dtype) for k in keys]
            z = make(*args).rsample((16,), rng=backend.rng(0))
            assert z.dtype == backend.dtype(dtype)
            assert np.all(np.isfinite(backend.to_numpy(z))), (params, dtype)
            total = lambda *a: backend.xp.sum(make(*a).rsample((16,), rng=backend.rng(0)))  # noqa: E731
            if backend.name == "jax":  # one compilation instead of one per primitive
                import jax

                grads = [
                    backend.to_numpy(g)
                    for g in jax.jit(jax.grad(total, argnums=tuple(range(len(args)))))(*args)
                ]
            elif backend.has_autodiff:
                grads = backend.grad(total, *args)
            else:
                continue
            for key, g in zip(keys, grads):
                assert np.all(np.isfinite(g)), (key, params, dtype)


def test_jax_jit_equals_eager():
    jax = pytest.importorskip("jax")
    from tests.conftest import Harness

    h = Harness("jax")
    for name in NAMES:
        noise = h.asarray(numpy_noise(name))
        keys = list(CASES[name][1])
        args = [h.asarray(CASES[name][1][k]) for k in keys]

        def f(*a, name=name, keys=keys, noise=noise):
            return build_from(h, name, dict(zip(keys, a))).reparameterize(noise)

        np.testing.assert_allclose(
            np.asarray(jax.jit(f)(*args)), np.asarray(f(*args)), rtol=1e-12, atol=1e-14
        )


def test_torch_func_grad_and_vmap():
    torch = pytest.importorskip("torch")
    from tests.conftest import Harness

    h = Harness("torch")
    for name in NAMES:
        noise = h.asarray(numpy_noise(name))
        keys = list(CASES[name][1])
        args = [h.asarray(CASES[name][1][k]) for k in keys]

        fixed = {k: h.asarray(v) if isinstance(v, list) else v for k, v in CASES[name][2].items()}

        def f(first, name=name, keys=keys, noise=noise, rest=args[1:], fixed=fixed):
            d = build_from(h, name, dict(zip(keys, [first, *rest])), fixed)
            return d.reparameterize(noise).sum()

        g = torch.func.grad(f)(args[0])
        eager = h.grad(lambda *a: f(*a), args[0])[0]
        np.testing.assert_allclose(g.numpy(), eager, rtol=1e-12, atol=1e-14)
