"""JAX adapter: ``jax.custom_jvp`` attaching implicit partials.

A JVP rule serves forward mode and, transposed by JAX, reverse mode: jit, vmap, grad,
jacfwd, jacrev and grad under ``lax.scan`` all work.
"""

import jax

__all__ = ["attach", "cdf_gradients"]


@jax.custom_jvp
def _attach(value, params, partials):
    return value


@_attach.defjvp
def _attach_jvp(primals, tangents):
    value, params, partials = primals
    _, params_t, _ = tangents
    out = sum(p * t for p, t in zip(partials, params_t))
    return value, out


def attach(value, params, partials):
    stop = jax.lax.stop_gradient
    return _attach(stop(value), tuple(params), tuple(stop(p) for p in partials))


def cdf_gradients(cdf, params):
    """Elementwise dF/dparam of ``cdf(*params)`` (params shaped like its output)."""
    argnums = tuple(range(len(params)))
    return jax.grad(lambda *p: cdf(*p).sum(), argnums=argnums)(*params)
