"""Gumbel-Softmax as one function (Jang, Gu & Poole 2017; Maddison, Mnih & Teh 2017)."""

from __future__ import annotations

import math

from relaxcore._shapes import broadcast_shapes
from relaxcore.functional._common import (
    backend_of,
    device_on,
    dtypes,
    fail,
    positive,
    result_dtype,
    scalar_or_array,
    uniform,
    validating,
)
from relaxcore.relaxations._logits import tempered

_FN = "gumbel_softmax"


def gumbel_softmax(logits, temperature, *, hard=False, rng=None, dim=-1, validate_args=None):
    r"""A relaxed one-hot sample ``softmax((logits + g) / temperature)`` along `dim`.

    ``g = -log(-log u)`` is Gumbel noise from ``u ~ Uniform(0, 1)``; the value equals
    ``RelaxedOneHotCategorical(temperature, logits=logits).rsample(rng=rng)`` for the same
    seed (for ``dim=-1``), without building a distribution. ``hard=True`` returns the exact
    one-hot of the argmax with the soft sample's gradient (straight-through, Jang et al.
    2017, section 2.2), as ``RelaxedOneHotCategoricalStraightThrough``.

    Args:
        logits: array, unnormalized log-probabilities along `dim` (``-inf`` masks a
            category); integer arrays are promoted to the framework's default float;
            float16 and bfloat16 are computed in float32 and returned in their dtype.
        temperature: > 0, a Python number or an array broadcasting with the logits'
            shape without `dim`; may carry gradients.
        hard: straight-through one-hot output.
        rng: the backend's generator, seed or JAX key (as every ``rsample``).
        dim: the categories' axis.
        validate_args: check the arguments (None: the library default, on); skipped under
            jit, vmap and torch.compile. Invalid arguments give NaN where nothing raises.
    """
    bk = backend_of(_FN, "logits", logits)
    xp = bk.xp
    nd = logits.ndim
    if not -nd <= dim < nd:
        raise ValueError(f"{_FN}: dim must be in [{-nd}, {nd}) for logits of shape {logits.shape}")
    out_dtype, dtype, tiny = dtypes(
        bk, result_dtype(_FN, bk, logits.dtype, {"temperature": temperature})
    )
    validate = validating(validate_args, logits, temperature)
    tau = scalar_or_array(_FN, "temperature", bk, temperature, dtype, positive, "> 0", validate)
    if logits.dtype != dtype:
        logits = xp.astype(logits, dtype)
    finite = validate and _check_logits(bk, logits, dim)
    shape = logits.shape
    if not isinstance(tau, float):
        after = nd - 1 - dim % nd  # axes right of `dim`: tau aligns with the others
        if tau.ndim > after:
            tau = xp.expand_dims(tau, axis=tau.ndim - after)
        shape = broadcast_shapes(shape, tau.shape)
    u = uniform(bk, rng, shape, dtype, tiny, logits)
    if finite or isinstance(tau, float):  # no masked logit meets a learnable temperature
        scores = (logits - xp.log(-xp.log(u))) / tau
    else:
        scores = tempered(xp, logits, -xp.log(-xp.log(u)), tau)
    y = bk.softmax(scores, axis=dim)
    if hard:
        index = xp.argmax(y, axis=dim, keepdims=True)
        one_hot = xp.astype(_categories(bk, y.shape[dim], nd - 1 - dim % nd, y) == index, dtype)
        # (hard - y) + y is exactly hard (Sterbenz; the error of 1 - y is below half an ulp
        # of 1), and only the last operation records a gradient
        y = (one_hot - bk.stop_gradient(y)) + y
    return y if dtype == out_dtype else xp.astype(y, out_dtype)


#: (backend, K, trailing axes, device) -> arange(K) shaped to broadcast along the axis
_CATEGORIES: dict = {}


def _categories(bk, k, trailing, like):
    """``arange(k)`` on the categories' axis, `trailing` axes from the end (cached eagerly)."""
    device = device_on(bk, like)
    key = (bk.name, k, trailing, device)
    found = _CATEGORIES.get(key)
    if found is None:
        xp = bk.xp
        found = xp.reshape(xp.arange(k, device=device), (k,) + (1,) * trailing)
        if bk.name != "jax":  # under a JAX trace it could be a tracer: never keep one
            _CATEGORIES[key] = found
    return found


def _check_logits(bk, logits, dim) -> bool:
    """Raise on NaN, +inf or an all -inf slice; True when every logit is finite.

    One reduction decides the common case (a sum is finite only if every term is).
    """
    xp = bk.xp
    total = bk.stop_gradient(xp.sum(logits))
    if bk.is_traced(total):  # constants under jit: nothing can raise
        return False
    if math.isfinite(float(total)):
        return True
    if bool(xp.any(xp.isnan(logits) | (logits == float("inf")))):
        fail(_FN, "logits", "real numbers or -inf (not NaN, not +inf)", "NaN or +inf values")
    if not bool(xp.all(xp.any(logits > -float("inf"), axis=dim))):
        fail(_FN, "logits", "finite in at least one category of each slice", "an all -inf slice")
    return False
