"""Registry of every bijector, with generic tests run over it (flowjax / zuko style).

Each entry builds its bijector on the backend under test and draws inputs in its domain.
Generic checks: inverse(forward(x)) == x; forward log-det equals log|det| of the Jacobian
(torch.func.jacrev / jax.jacfwd; central differences on numpy and array_api_strict) at
every event rank from the bijector's least up to 2; inverse log-det is minus the forward
one at the matching point; log-det shapes are batch shapes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

import relaxcore as rc

B = rc.bijectors


def _real(rng, shape):
    return 1.5 * rng.standard_normal(shape)


def _positive(rng, shape):
    return np.exp(rng.standard_normal(shape))


def _small(rng, shape):
    return 0.3 * rng.standard_normal(shape)


def _unit(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


def _mlp_params(h, sizes, seed, scale=0.4):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        params += [
            h.asarray(scale * rng.standard_normal((n_in, n_out))),
            h.asarray(0.1 * rng.standard_normal(n_out)),
        ]
    return params


def _affine(h, perturb):
    rng = np.random.default_rng(3)
    tril = np.tril(0.3 * rng.standard_normal((3, 3))) + np.diag([1.5, -0.7, 2.0])
    v = h.asarray(0.5 * rng.standard_normal((3, 2))) if perturb else None
    return B.Affine(
        shift=h.asarray([0.5, -1.0, 2.0]), scale_tril=h.asarray(tril), scale_perturb_factor=v
    )


def _inline(h):
    xp = h.xp
    return B.Inline(
        xp.sinh,
        xp.asinh,
        forward_log_det_jacobian_fn=lambda x: xp.log(xp.cosh(x)),
        is_increasing=True,
        name="Sinh",
    )


def _spline_draw(rng, shape):
    """Inside, outside and exactly at the bound (3) of the registry's spline."""
    x = 2.5 * rng.standard_normal(shape)
    flat = x.reshape(-1)
    flat[: min(2, flat.size)] = [3.0, -3.0][: min(2, flat.size)]
    return x


def _spline(h, k=5, seed=4):
    rng = np.random.default_rng(seed)
    w, ht, s = (h.asarray(0.8 * rng.standard_normal(n)) for n in (k, k, k - 1))
    return B.RationalQuadraticSpline(w, ht, s, 3.0)


def _tril_keep(upper):
    def keep(out_event):
        n = out_event[-1]
        tri = np.triu(np.ones((n, n), bool)) if upper else np.tril(np.ones((n, n), bool))
        return np.broadcast_to(tri, out_event)

    return keep


def _batch_norm(h):
    rng = np.random.default_rng(5)
    mean, log_var, log_scale, shift = rng.standard_normal(4)
    return B.BatchNorm(
        h.asarray(mean), h.asarray(np.exp(log_var)), h.asarray(0.3 * log_scale), h.asarray(shift)
    )


@dataclass
class Entry:
    name: str
    make: Callable  # Harness -> Bijector
    draw: Callable = _real  # (numpy Generator, shape) -> x in the domain
    event: tuple = ()  # input event shape at the least event rank
    projected: bool = False  # output has one more coordinate than the input (simplex)
    extra: list = field(default_factory=lambda: [0, 1, 2])  # extra event ranks tested
    keep: Callable = None  # out event shape -> bool mask of the coordinates the volume uses
    fd_tol: float = 1e-5  # tolerance against central differences (no autodiff)

    def ranks(self):
        return [len(self.event) + e for e in self.extra if len(self.event) + e <= 2]


REGISTRY = [
    Entry("Shift", lambda h: B.Shift(h.asarray(0.7))),
    Entry("Scale", lambda h: B.Scale(h.asarray(-1.5))),
    Entry("Exp", lambda h: B.Exp()),
    Entry("Log", lambda h: B.Log(), draw=_positive),
    Entry("Sigmoid", lambda h: B.Sigmoid()),
    Entry("Tanh", lambda h: B.Tanh()),
    Entry("Softplus", lambda h: B.Softplus()),
    Entry("NormalCDF", lambda h: B.NormalCDF()),
    Entry("LeakyReLU", lambda h: B.LeakyReLU(h.asarray(0.3))),
    Entry("Inline", _inline),
    Entry("Invert(Sigmoid)", lambda h: B.Invert(B.Sigmoid()), draw=_unit),
    Entry(
        "Chain(elementwise)",
        lambda h: B.Chain([B.Shift(h.asarray(1.0)), B.Scale(h.asarray(2.0)), B.Tanh()]),
    ),
    Entry("Affine", lambda h: _affine(h, False), event=(3,)),
    Entry("Affine(perturb)", lambda h: _affine(h, True), event=(3,)),
    Entry("Affine(shift)", lambda h: B.Affine(shift=h.asarray([1.0, 2.0, 3.0])), event=(3,)),
    Entry("Permute", lambda h: B.Permute([2, 0, 1]), event=(3,)),
    Entry("Reshape", lambda h: B.Reshape((2, 3), (6,)), event=(6,), extra=[0, 1]),
    Entry("SoftmaxCentered", lambda h: B.SoftmaxCentered(), event=(3,), projected=True),
    Entry("StickBreaking", lambda h: B.StickBreaking(), event=(3,), projected=True),
    Entry(
        "AffineCoupling",
        lambda h: B.AffineCoupling([1, 0, 1], _mlp_params(h, [3, 5, 6], 0)),
        event=(3,),
    ),
    Entry(
        "MaskedAutoregressive",
        lambda h: B.MaskedAutoregressive(_mlp_params(h, [3, 5, 5, 6], 1)),
        event=(3,),
    ),
    Entry(
        "Chain(flow)",
        lambda h: B.Chain(
            [
                B.Tanh(),
                B.MaskedAutoregressive(_mlp_params(h, [3, 4, 6], 2)),
                B.Permute([1, 2, 0]),
                B.AffineCoupling([0, 1, 0], _mlp_params(h, [3, 4, 6], 3)),
                B.Exp(),
            ]
        ),
        draw=_small,
        event=(3,),
    ),
]
REGISTRY += [
    Entry("Identity", lambda h: B.Identity()),
    Entry("Expm1", lambda h: B.Expm1()),
    Entry("Log1p", lambda h: B.Log1p(), draw=lambda r, s: _positive(r, s) - 0.8),
    Entry("Power", lambda h: B.Power(h.asarray(2.5)), draw=_positive),
    Entry("Power(negative, scalar)", lambda h: B.Power(-0.5), draw=_positive),
    Entry("Square", lambda h: B.Square(), draw=_positive),
    Entry("Shift(scalar)", lambda h: B.Shift(-0.4)),
    Entry("Scale(scalar)", lambda h: B.Scale(3.0)),
    Entry("LeakyReLU(scalar)", lambda h: B.LeakyReLU(0.2)),
    Entry("ActNorm", lambda h: B.ActNorm(h.asarray(0.5), h.asarray(-0.2))),
    Entry("BatchNorm", _batch_norm),
    Entry("ScaleMatvecDiag", lambda h: B.ScaleMatvecDiag(h.asarray([2.0, -0.5, 1.5])), event=(3,)),
    Entry(
        "ScaleMatvecTriL",
        lambda h: B.ScaleMatvecTriL(
            h.asarray([[1.5, 9.0, 9.0], [0.3, -0.7, 9.0], [0.2, 0.4, 2.0]])
        ),
        event=(3,),
    ),
    Entry("FillTriangular", lambda h: B.FillTriangular(), event=(6,), keep=_tril_keep(False)),
    Entry(
        "FillTriangular(upper)",
        lambda h: B.FillTriangular(upper=True),
        event=(3,),
        keep=_tril_keep(True),
    ),
    # at +-bound the second derivative jumps: central differences are off by |f''| eps
    Entry("RationalQuadraticSpline", _spline, draw=_spline_draw, fd_tol=1e-4),
    Entry("Block(slice)", lambda h: B.Block(B.Exp(), slice(1, 3)), event=(4,)),
    Entry("Block(entries)", lambda h: B.Block(_affine(h, True), [3, 0, 2]), event=(4,)),
    Entry(
        "Coupling(spline)",
        lambda h: B.Coupling(
            [1, 0, 1], _mlp_params(h, [3, 5, 3 * 11], 6), B.SplineTransformer(4, 3.0)
        ),
        draw=_spline_draw,
        event=(3,),
        extra=[0],  # rank 2 is the same code as AffineCoupling's
    ),
    Entry(
        "MaskedAutoregressive(spline)",
        lambda h: B.MaskedAutoregressive(
            _mlp_params(h, [3, 6, 3 * 8], 7), transformer=B.SplineTransformer(3, 2.0)
        ),
        event=(3,),
        extra=[0],
    ),
    Entry(
        "Coupling(MLP conditioner)",
        lambda h: B.Coupling([0, 1, 1], rc.flows.MLP(_mlp_params(h, [2, 4, 2], 8))),
        event=(3,),
    ),
]
IDS = [e.name for e in REGISTRY]


def _run(h, fn, *args):
    """fn(*args); under JAX as one jit (one XLA compile instead of one per operation and
    shape: about 2.5x less time here). test_jit_matches_eager checks eager against jit."""
    if h.name != "jax":
        return fn(*args)
    import jax

    return jax.jit(fn)(*args)


def _x(entry, shape, seed=0):
    return entry.draw(np.random.default_rng(seed), shape)


def _jacobians(h, f, x):
    """Per-row Jacobians of f over a batch x (numpy in and out): shape (n, *out, *in)."""
    if h.name == "torch":
        import torch

        return h.to_numpy(torch.func.vmap(torch.func.jacrev(f))(h.asarray(x)))
    if h.name == "jax":
        import jax

        return h.to_numpy(jax.jit(jax.vmap(jax.jacfwd(f)))(h.asarray(x)))
    eps, n, event = 1e-6, x.shape[0], x.shape[1:]
    size = math.prod(event)
    basis = np.eye(size).reshape((1, size) + event)
    up = h.to_numpy(f(h.asarray(x[:, None] + eps * basis)))
    down = h.to_numpy(f(h.asarray(x[:, None] - eps * basis)))
    jac = (up - down) / (2 * eps)  # (n, size, *out)
    return np.moveaxis(jac, 1, -1).reshape((n,) + up.shape[2:] + event)


def _log_abs_det(jac, out_shape, in_shape, projected, keep=None):
    if projected:  # the simplex: first K output coordinates
        jac = jac[(slice(None),) * (len(out_shape) - 1) + (slice(0, out_shape[-1] - 1),)]
    n = math.prod(in_shape)
    if keep is not None:  # the coordinates the volume is measured on (a triangle)
        jac = jac.reshape(-1, n)[keep(out_shape).reshape(-1)]
    return np.linalg.slogdet(jac.reshape(n, n))[1]


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
def test_round_trip(backend, entry):
    h = backend
    b = entry.make(h)
    x = _x(entry, (4,) + entry.event)
    back = _run(h, lambda v: b.inverse(b.forward(v)), h.asarray(x))
    np.testing.assert_allclose(h.to_numpy(back), x, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
def test_log_det_matches_jacobian(backend, entry):
    h = backend
    b = entry.make(h)
    for rank in entry.ranks():
        event = (2,) * (rank - len(entry.event)) + entry.event
        x = _x(entry, (2,) + event, seed=rank)
        if h.name == "jax":  # the log-det and the Jacobians in one compile
            import jax

            log_det, jacs = jax.jit(
                lambda v, r=rank: (
                    b.forward_log_det_jacobian(v, event_ndims=r),
                    jax.vmap(jax.jacfwd(b.forward))(v),
                )
            )(h.asarray(x))
            log_det, jacs = h.to_numpy(log_det), h.to_numpy(jacs)
        else:
            log_det = h.to_numpy(b.forward_log_det_jacobian(h.asarray(x), event_ndims=rank))
            jacs = _jacobians(h, b.forward, x)
        assert log_det.shape == (2,)
        out_event = b.forward_event_shape(event)
        assert jacs.shape == (2,) + out_event + event
        expected = [_log_abs_det(j, out_event, event, entry.projected, entry.keep) for j in jacs]
        tol = 1e-8 if h.has_autodiff else entry.fd_tol
        np.testing.assert_allclose(log_det, expected, rtol=tol, atol=tol, err_msg=f"rank {rank}")


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
def test_inverse_log_det_is_minus_forward(backend, entry):
    h = backend
    b = entry.make(h)
    x = h.asarray(_x(entry, (5,) + entry.event, seed=7))

    def both(v):
        y, fldj = b.forward_and_log_det(v)
        return fldj, b.inverse_log_det_jacobian(y)

    fldj, ildj = _run(h, both, x)
    np.testing.assert_allclose(h.to_numpy(ildj), -h.to_numpy(fldj), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
def test_log_det_shape_is_batch_shape(backend, entry):
    h = backend
    b = entry.make(h)
    batch = (3, 2)
    x = h.asarray(_x(entry, batch + (2,) + entry.event, seed=1))
    n = b.event_ndims_in

    def shapes(v):
        y = b.forward(v)
        return (
            b.forward_log_det_jacobian(v),
            b.forward_log_det_jacobian(v, event_ndims=n + 1),
            y,
            b.inverse_log_det_jacobian(y, event_ndims=b.event_ndims_out + 1),
        )

    fldj, fldj_more, y, ildj_more = _run(h, shapes, x)
    assert tuple(fldj.shape) == batch + (2,)
    assert tuple(fldj_more.shape) == batch
    assert tuple(y.shape[: y.ndim - b.event_ndims_out]) == batch + (2,)
    assert tuple(ildj_more.shape) == batch
    with pytest.raises(ValueError, match="event_ndims must be >="):
        b.forward_log_det_jacobian(x, event_ndims=n - 1)


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
def test_jit_matches_eager(entry):
    jax = pytest.importorskip("jax")
    from conftest import Harness

    h = Harness("jax")
    b = entry.make(h)
    x = h.asarray(_x(entry, (4,) + entry.event, seed=2))
    eager = b.forward_and_log_det(x)
    jitted = jax.jit(b.forward_and_log_det)(x)
    for e, j in zip(eager, jitted, strict=True):
        np.testing.assert_allclose(np.asarray(j), np.asarray(e), rtol=1e-12, atol=1e-12)


def test_registry_covers_every_bijector():
    covered = set()
    for entry in REGISTRY:
        b = entry.make(__import__("conftest").Harness("numpy"))
        todo = [b]
        while todo:
            b = todo.pop()
            covered.add(type(b).__name__)
            todo += list(getattr(b, "bijectors", [])) + (
                [b.bijector] if hasattr(b, "bijector") else []
            )
    public = {
        n for n in B.__all__ if n not in ("Bijector", "AffineTransformer", "SplineTransformer")
    }
    assert public <= covered, public - covered
