"""``probs`` or ``logits``: one parameterization in, log-space logits out.

Probabilities of exactly 0 and 1 map to logits of -inf and +inf (never to log(0) inside
a gradient path): the untaken branch of every ``where`` is fed a safe value, so
gradients stay finite.
"""

import math

from relaxcore._shapes import broadcast_shapes
from relaxcore.distribution import promote_params


def one_of(cls_name: str, probs, logits) -> None:
    if (probs is None) == (logits is None):
        raise ValueError(f"{cls_name}: pass exactly one of probs or logits")


def promote_categorical(cls_name: str, temperature, probs, logits, backend):
    """Constructor preamble of the categorical relaxations.

    Exactly one of probs/logits; promotion to one backend and dtype; an event axis of K
    categories. Returns ``(bk, dtype, device, params, raw, batch_shape)`` where `raw` is
    the given probs or logits and `batch_shape` broadcasts them with the temperature.
    """
    one_of(cls_name, probs, logits)
    bk, dtype, device, p = promote_params(
        {"temperature": temperature, "probs": probs, "logits": logits},
        backend,
        cls_name,
        ("temperature",),
    )
    raw = p["logits"] if logits is not None else p["probs"]
    if raw.ndim < 1:
        raise ValueError(
            f"{cls_name}: {'logits' if logits is not None else 'probs'} must have shape "
            f"(..., K), the last axis indexing the K categories; got a scalar"
        )
    which = "logits" if logits is not None else "probs"
    batch_shape = broadcast_shapes(
        raw.shape[:-1],
        p["temperature"].shape,
        names=[f"{which} (batch axes, before the K categories)", "temperature"],
        owner=cls_name,
    )
    return bk, dtype, device, p, raw, batch_shape


def clamped(xp, x, low=None, high=None):
    """`x` clamped into [low, high] by ``where``: the gradient is exactly 0 outside.

    A clip by ``maximum``/``minimum`` multiplies the incoming gradient by 0 outside the
    interval, and 0 times the inf of ``log``'s gradient at the bound (1 / tiny overflows
    once scaled) is NaN; a ``where`` routes it away instead.
    """
    if low is not None:
        x = xp.where(x > low, x, xp.full_like(x, low))
    if high is not None:
        x = xp.where(x < high, x, xp.full_like(x, high))
    return x


def log_clipped(xp, z):
    """log(z) with z clamped at the smallest normal number (finite where z underflowed)."""
    return xp.log(clamped(xp, z, xp.finfo(z.dtype).smallest_normal))


def log_probs(xp, probs):
    """log(probs) with log(0) = -inf and a zero gradient there."""
    positive = probs > 0
    safe = xp.where(positive, probs, xp.ones_like(probs))
    return xp.where(positive, xp.log(safe), xp.full_like(probs, -float("inf")))


def probs_to_logits(xp, probs):
    """log(p) - log(1 - p), with p = 0 -> -inf and p = 1 -> +inf (zero gradient there)."""
    inside = (probs > 0) & (probs < 1)
    safe = xp.where(inside, probs, xp.full_like(probs, 0.5))
    logit = xp.log(safe) - xp.log1p(-safe)
    inf = xp.full_like(probs, float("inf"))
    return xp.where(inside, logit, xp.where(probs >= 1, inf, -inf))


#: what one or two reductions of a whole array show about every entry. max and min
#: propagate NaN (the standard says so) and meet infinities without arithmetic, so they
#: raise no floating-point warning where a sum of +inf and -inf would (NumPy's "invalid
#: value encountered in reduce" on legal logits)
_SHOWN_BY_REDUCTIONS = {
    "finite": lambda xp, x: xp.isfinite(xp.max(x)) & xp.isfinite(xp.min(x)),
    "not_nan": lambda xp, x: ~xp.isnan(xp.max(x)),
    "in (0, 1)": lambda xp, x: (xp.min(x) > 0) & (xp.max(x) < 1),
    "in [0, 1]": lambda xp, x: (xp.min(x) >= 0) & (xp.max(x) <= 1),
}


def surely(bk, x, kind: str) -> bool:
    """True when a few reductions show every entry of `x` to be `kind` (a key of
    ``_SHOWN_BY_REDUCTIONS``), so that the caller may skip a validation pass or a guarded
    ``where``. False for ``None``, for empty arrays and under tracing (jit, vmap,
    torch.func), where the caller takes its general path."""
    if x is None or bk.is_traced(x) or math.prod(x.shape) == 0:
        return False
    shown = _SHOWN_BY_REDUCTIONS[kind](bk.xp, x)
    # a constant captured inside jax.jit is concrete, its reduction a tracer
    return not bk.is_traced(shown) and bool(shown)


def validate_unless_finite(dist, params: dict, logits) -> bool:
    """Validate `params`, skipping ``params["logits"]`` when every logit is surely finite
    (finite logits are valid logits); return whether they are (``logits=None``: False)."""
    finite = surely(dist.backend, logits, "finite")
    dist._validate_params({k: v for k, v in params.items() if not (finite and k == "logits")})
    return finite


def validated_logits(dist, params: dict):
    """``(logits, surely_finite)`` from ``params["logits"]`` or ``params["probs"]``, after
    validating `params`.

    When a few reductions show every logit finite (every prob in (0, 1)) they are valid,
    so only the other parameters are checked, and probs become logits without the guarded
    ``where`` of :func:`probs_to_logits`.
    """
    bk, logits, probs = dist.backend, params["logits"], params["probs"]
    xp = bk.xp
    if surely(bk, logits, "finite"):
        logit = logits
    elif surely(bk, probs, "in (0, 1)"):
        logit = xp.log(probs / (1.0 - probs))
    else:
        dist._validate_params(params)
        return (logits if logits is not None else probs_to_logits(xp, probs)), False
    dist._validate_params({k: v for k, v in params.items() if k not in ("logits", "probs")})
    return logit, True


def tempered(xp, logits, noise, temperature, surely_finite: bool = False):
    """(logits + noise) / temperature, with +-inf logits passed through unchanged.

    The infinite entries never meet the division, so the gradient with respect to the
    temperature is 0 there instead of 0 * inf = NaN. ``surely_finite`` (every logit known
    finite, see :func:`surely`) takes the plain division.
    """
    if surely_finite:
        return (logits + noise) / temperature
    finite = xp.isfinite(logits)
    safe = xp.where(finite, logits, xp.zeros_like(logits))
    return xp.where(finite, (safe + noise) / temperature, logits + xp.zeros_like(noise))
