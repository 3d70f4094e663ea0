"""JAX adapter: ``jax.custom_jvp`` attaching implicit partials.

A JVP rule serves forward mode and, transposed by JAX, reverse mode: jit, vmap, grad,
jacfwd, jacrev and grad under ``lax.scan`` all work. Second derivatives: the rule uses the
partials through ``_partials``, an identity whose own JVP is that of ``rule(z, params)``,
the partials as array code of the sample and the parameters, evaluated only when a second
derivative is asked for (``jax.hessian``); without a rule, asking raises (never a silent 0).
"""

from functools import partial

import jax

__all__ = ["attach", "cdf_gradients"]


@partial(jax.custom_jvp, nondiff_argnums=(0,))
def _attach(rule, value, params, partials):
    return value


@_attach.defjvp
def _attach_jvp(rule, primals, tangents):
    value, params, partials = primals
    _, params_t, _ = tangents
    z = _attach(rule, value, params, partials)  # differentiable again, by this rule
    p = _partials(rule, z, params, partials)
    return z, sum(pk * tk for pk, tk in zip(p, params_t))


@partial(jax.custom_jvp, nondiff_argnums=(0,))
def _partials(rule, z, params, partials):
    return partials


@_partials.defjvp
def _partials_jvp(rule, primals, tangents):
    if rule is None:
        raise NotImplementedError(
            "second derivatives of this implicit sample are not available: its partials are "
            "not a function of the sample alone (they come from the Gamma draws behind it); "
            "first derivatives are exact"
        )
    z, params, partials = primals
    z_t, params_t, _ = tangents
    _, out_t = jax.jvp(lambda z, p: tuple(rule(z, p)), (z, params), (z_t, params_t))
    return _partials(rule, z, params, partials), out_t


def attach(value, params, partials, rule=None):
    """`value` with d value = sum_k partials[k] d params[k]; `rule(z, params)` gives the
    partials as differentiable array code (for second derivatives), or None."""
    stop = jax.lax.stop_gradient
    return _attach(rule, stop(value), tuple(params), tuple(stop(p) for p in partials))


def cdf_gradients(cdf, params):
    """Elementwise dF/dparam of ``cdf(*params)`` (params shaped like its output)."""
    argnums = tuple(range(len(params)))
    return jax.grad(lambda *p: cdf(*p).sum(), argnums=argnums)(*params)
