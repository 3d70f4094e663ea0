"""JAX backend: explicit PRNG keys, jax.nn and jax.scipy.special kernels.

Importing it registers every relaxcore distribution as a pytree, so distributions cross
jit/vmap boundaries.
"""

import jax
import jax.numpy as xp
import jax.scipy.special as jsp

name = "jax"


def default_float_dtype():
    return xp.asarray(0.0).dtype


# --- random numbers -------------------------------------------------------------------


def as_rng(rng):
    """A key from jax.random.key or jax.random.PRNGKey; there is no hidden global state."""
    if rng is None:
        raise ValueError(
            "rng is required for JAX arrays: pass a key, e.g. rng=jax.random.key(0) "
            "(JAX has no global random state)"
        )
    if isinstance(rng, int):
        raise TypeError("rng for JAX arrays must be a key (jax.random.key(seed)), not an int")
    return rng


def split_rng(rng, n):
    return list(jax.random.split(rng, n))


def uniform(rng, shape, dtype, device=None):
    """U[0, 1) variates."""
    return jax.random.uniform(rng, tuple(shape), dtype=dtype)


def normal(rng, shape, dtype, device=None):
    return jax.random.normal(rng, tuple(shape), dtype=dtype)


def standard_gamma(rng, concentration, shape, dtype, device=None):
    """Gamma(concentration, 1) variates of `shape`; no gradient (the core attaches one)."""
    alpha = jax.lax.stop_gradient(xp.asarray(concentration, dtype=dtype))
    return jax.random.gamma(rng, xp.broadcast_to(alpha, tuple(shape)), dtype=dtype)


# --- autodiff hooks -------------------------------------------------------------------

stop_gradient = jax.lax.stop_gradient


def is_traced(x):
    return isinstance(x, jax.core.Tracer)


# --- special functions and fused primitives --------------------------------------------


def softmax(x, axis=-1):
    return jax.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(x, axis=axis)


def logsumexp(x, axis=-1, keepdims=False):
    return jsp.logsumexp(x, axis=axis, keepdims=keepdims)


sigmoid = jax.nn.sigmoid
log_sigmoid = jax.nn.log_sigmoid
softplus = jax.nn.softplus
lgamma = jsp.gammaln
digamma = jsp.digamma
erf = jsp.erf
erfc = jsp.erfc
ndtr = jsp.ndtr
ndtri = jsp.ndtri
log_ndtr = jsp.log_ndtr
gammainc = jsp.gammainc
gammaincc = jsp.gammaincc
xlogy = jsp.xlogy
i0e = jsp.i0e
i1e = jsp.i1e


# --- pytrees ----------------------------------------------------------------------------


class _StaticList(tuple):
    """A list attribute with no arrays in it, kept hashable in the static part of a pytree."""


def _has_arrays(value):
    return any(
        isinstance(leaf, (jax.Array, jax.core.Tracer)) for leaf in jax.tree_util.tree_leaves(value)
    )


def register_pytree(cls):
    """Attributes holding JAX arrays (also inside nested nodes and lists) are children."""

    def flatten(node):
        items = vars(node)
        keys = tuple(k for k, v in items.items() if _has_arrays(v))
        static = tuple(
            (k, _StaticList(v) if isinstance(v, list) else v)
            for k, v in items.items()
            if k not in keys
        )
        return tuple(items[k] for k in keys), (keys, static)

    def unflatten(aux, children):
        keys, static = aux
        node = object.__new__(cls)
        vars(node).update((k, list(v) if isinstance(v, _StaticList) else v) for k, v in static)
        vars(node).update(zip(keys, children))
        return node

    jax.tree_util.register_pytree_node(cls, flatten, unflatten)


def _register_all():
    from relaxcore._pytree import PytreeNode

    todo = list(PytreeNode.__subclasses__())
    while todo:
        cls = todo.pop()
        register_pytree(cls)
        todo.extend(cls.__subclasses__())


_register_all()
