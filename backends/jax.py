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


def as_rng(rng, device=None):
    """A key from jax.random.key or jax.random.PRNGKey; there is no hidden global state."""
    if rng is None:
        raise ValueError(
            "rng is required for JAX arrays: pass a key, e.g. rng=jax.random.key(0) "
            "(JAX has no global random state)"
        )
    is_key = isinstance(rng, jax.Array) and (
        jax.dtypes.issubdtype(rng.dtype, jax.dtypes.prng_key)
        or (rng.dtype == xp.uint32 and rng.ndim >= 1 and rng.shape[-1] == 2)  # PRNGKey
    )
    if not is_key:
        got = type(rng).__module__ + "." + type(rng).__qualname__
        if isinstance(rng, jax.Array):
            got = f"a {rng.dtype} array of shape {rng.shape}"
        raise TypeError(
            f"rng for JAX arrays must be a key from jax.random.key(seed) or "
            f"jax.random.PRNGKey(seed); got {got}"
        )
    return rng


def split_rng(rng, n):
    return list(jax.random.split(rng, n))


def uniform(rng, shape, dtype, device=None):
    """U[0, 1) variates."""
    return jax.random.uniform(rng, tuple(shape), dtype=dtype)


def normal(rng, shape, dtype, device=None):
    return jax.random.normal(rng, tuple(shape), dtype=dtype)


_GAMMA_ROUNDS = 10


def _marsaglia_tsang_round(state, d, c):
    """One masked Marsaglia-Tsang round over every element: keep the first accepted value."""
    key, g, done = state
    key, key_x, key_u = jax.random.split(key, 3)
    x = jax.random.normal(key_x, d.shape, d.dtype)
    u = jax.random.uniform(key_u, d.shape, d.dtype)
    v = (1.0 + c * x) ** 3
    x2 = x * x
    squeeze = u < 1.0 - 0.0331 * (x2 * x2)
    log_test = xp.log(u) < 0.5 * x2 + d * (1.0 - v + xp.log(v))
    accept = (v > 0.0) & (squeeze | log_test) & ~done
    return key, xp.where(accept, d * v, g), done | accept


def standard_gamma(rng, concentration, shape, dtype, device=None):
    r"""Gamma(concentration, 1) variates of `shape`; no gradient (the core attaches one).

    Marsaglia & Tsang (2000), vectorized with a fixed number of masked rounds: with
    :math:`d = \alpha - 1/3`, :math:`c = 1/\sqrt{9d}`, each round proposes
    :math:`d(1 + cx)^3` for :math:`x \sim N(0, 1)` and keeps it, where no earlier round did,
    if :math:`u < 1 - 0.0331x^4` or :math:`\log u < x^2/2 + d(1 - v + \log v)`.
    A round accepts with probability >= 0.951 for alpha >= 1, so an element is left after
    10 rounds with probability <= 0.049**10 < 1e-12; those few go on with further rounds
    in a while_loop (exact rejection sampling, zero iterations with that probability, and
    unlike a `where` over jax.random.gamma it costs nothing when unused). alpha < 1 draws
    Gamma(alpha + 1) times :math:`U^{1/\alpha}`. float16/bfloat16 compute in float32;
    alpha <= 0 or NaN gives NaN.
    """
    shape = tuple(shape)
    work = xp.promote_types(dtype, xp.float32)
    alpha = jax.lax.stop_gradient(xp.broadcast_to(xp.asarray(concentration, dtype=work), shape))
    key_mt, key_boost = jax.random.split(rng)
    small = alpha < 1.0
    d = xp.where(small, alpha + 1.0, alpha) - 1.0 / 3.0
    c = jax.lax.rsqrt(9.0 * d)
    valid = alpha > 0.0
    state = (key_mt, xp.full(shape, xp.nan, work), ~valid)
    for _ in range(_GAMMA_ROUNDS):
        state = _marsaglia_tsang_round(state, d, c)
    state = jax.lax.while_loop(
        lambda s: ~xp.all(s[2]), lambda s: _marsaglia_tsang_round(s, d, c), state
    )
    u = jax.random.uniform(key_boost, shape, work, minval=xp.finfo(work).tiny)
    g = state[1] * xp.where(small, u ** (1.0 / alpha), 1.0)
    return g.astype(dtype)


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
        node._after_unflatten()  # shapes follow the children (one lane's, under vmap)
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


def recorded_device(device):
    """The device a distribution records for arrays it creates: None. JAX places such
    arrays uncommitted, so they follow the committed (or sharded) parameters they meet: a
    Python scalar beside a sharded array keeps its sharding, and no JAX device (which does
    not pickle) is stored on the object."""
    return None
