"""What the estimators share: the distribution behind the logits, the loss call, shapes,
and zero-valued surrogates that carry a chosen gradient.

Every estimator is a surrogate built on ``stop_gradient`` (``relaxcore._surrogates``): its
value is the estimate, its derivative the estimator. Torch autograd, torch.func and jax.grad
all differentiate it; numpy (no autodiff) evaluates it to the estimate.
"""

from __future__ import annotations

import operator

from array_api_compat import device as device_of

from relaxcore import constraints
from relaxcore.distribution import check_constraint, promote_params
from relaxcore.distributions.bernoulli import Bernoulli
from relaxcore.distributions.one_hot_categorical import OneHotCategorical

FAMILIES = ("categorical", "bernoulli")


def family_distribution(owner: str, logits, family: str = "categorical"):
    """The law the estimator differentiates: OneHotCategorical over the last axis of
    `logits` (family "categorical") or elementwise Bernoulli (family "bernoulli")."""
    if family == "categorical":
        return OneHotCategorical(logits=logits)
    if family == "bernoulli":
        return Bernoulli(logits=logits)
    raise ValueError(f"{owner}: family must be one of {FAMILIES}; got {family!r}")


def count(owner: str, name: str, value, least: int = 1) -> int:
    """`value` as an int >= `least`, else ValueError naming `name`."""
    try:
        n = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        n = None
    if n is None or n < least:
        raise ValueError(f"{owner}: {name} must be an integer >= {least}; got {value!r}")
    return n


def positive(owner: str, bk, name: str, value):
    """`value` (a Python number or an array of backend `bk`) checked > 0, integer arrays
    promoted to the default float; ValueError naming `name` (array checks are skipped under
    tracing)."""
    xp = bk.xp
    if not hasattr(value, "dtype"):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
            raise ValueError(f"{owner}: {name} must be > 0; got {value!r}")
        return value
    check_constraint(owner, bk, name, value, constraints.positive)
    if xp.isdtype(value.dtype, "real floating"):
        return value
    return xp.astype(value, bk.default_float_dtype())


def rng_streams(dist, rng, n: int):
    """`n` random streams for `dist`'s backend from one `rng` (split keys for JAX; the
    same advancing generator elsewhere, so an int seed is read once)."""
    bk = dist.backend
    return bk.split_rng(bk.as_rng(rng, dist._device), n)


def losses(owner: str, f, x, sample_ndim: int, log_prob_shape):
    """``f(x)``, checked: an array whose shape is a prefix of `log_prob_shape` (one loss per
    sample, or per sample and leading batch entries) with the sample axes in front."""
    out = f(x)
    shape = tuple(getattr(out, "shape", ()))
    prefix = tuple(log_prob_shape[: len(shape)])
    if len(shape) < sample_ndim or len(shape) > len(log_prob_shape) or shape != prefix:
        raise ValueError(
            f"{owner}: f must return an array of shape {tuple(log_prob_shape[:sample_ndim])} "
            f"(one loss per sample) or a leading part of {tuple(log_prob_shape)}; "
            f"got shape {shape}"
        )
    return out


def sum_trailing(xp, a, ndim: int):
    """`a` summed over its axes beyond the first `ndim`."""
    extra = a.ndim - ndim
    return a if extra <= 0 else xp.sum(a, axis=tuple(range(ndim, a.ndim)))


def expand_trailing(xp, a, ndim: int):
    """`a` with singleton axes appended up to `ndim` axes (to broadcast on the right)."""
    return xp.reshape(a, tuple(a.shape) + (1,) * (ndim - a.ndim))


def one_hot_argmax(xp, scores):
    """The one-hot vector of ``argmax(scores, axis=-1)`` in the dtype of `scores`."""
    index = xp.argmax(scores, axis=-1, keepdims=True)
    categories = xp.arange(scores.shape[-1], device=device_of(scores))
    return xp.astype(categories == index, scores.dtype)


def categorical_inputs(owner: str, logits):
    """``(dist, theta)``: the OneHotCategorical over `logits` (validated) and the logits as
    given, in the compute dtype (the sample-style estimators differentiate these)."""
    dist = family_distribution(owner, logits, "categorical")
    _, _, _, params = promote_params({"logits": logits})
    return dist, dist._up(params["logits"])


def top_k_indicator(xp, scores, k: int):
    """1 at the `k` largest entries of `scores` along the last axis, else 0 (its dtype)."""
    kth = xp.sort(scores, axis=-1, descending=True)[..., k - 1 : k]
    return xp.astype(scores >= kth, scores.dtype)
