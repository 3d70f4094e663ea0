"""What invalid input gives when nothing can raise: the policy, in one place.

With ``validate_args`` on and eager execution, invalid parameters and values outside the
support raise ValueError at once. Where nothing can raise (``validate_args=False``, or
under ``jax.jit``, ``vmap``, ``torch.func`` and ``torch.compile``, where validation is
skipped), every distribution returns:

* NaN for the samples, log-densities, CDFs and partials of each batch member whose
  parameters are invalid (outside ``arg_constraints``), never a finite number;
* ``-inf`` from ``log_prob`` at values outside the support (of valid batch members);
  never a clipped, finite density.

Classes call :func:`invalid_params` once at construction and :func:`nan_where_invalid` /
:func:`masked_log_prob` on their outputs; when validation already ran eagerly both are
no-ops (no extra pass).
"""

from __future__ import annotations

import math


def _skipped(dist, arrays) -> bool:
    """True where validation did not (or could not) run on `arrays`."""
    bk = dist.backend
    return not dist.validate_args or any(bk.is_traced(v) for v in arrays)


def invalid_params(dist, params: dict, extra=None):
    """Batch-shaped mask of members with an invalid parameter, or None when validated.

    `params`: the promoted parameters as given (probs before any conversion to logits);
    `extra`: an optional boolean array of further conditions that must hold (low < high).
    """
    arrays = [v for v in params.values() if v is not None]
    if not _skipped(dist, arrays):
        return None
    xp = dist.xp
    bad = xp.zeros(dist.batch_shape, dtype=xp.bool, device=dist._device)
    for name, value in params.items():
        constraint = dist.arg_constraints.get(name)
        if constraint is None or value is None:
            continue
        ok = constraint.check(xp, value)
        extra_axes = ok.ndim - len(dist.batch_shape)
        if extra_axes > 0:  # a parameter with event axes beyond the constraint's own
            ok = xp.all(xp.reshape(ok, ok.shape[: ok.ndim - extra_axes] + (-1,)), axis=-1)
        bad = bad | ~ok
    if extra is not None:
        bad = bad | ~extra
    return bad


def nan_where_invalid(dist, x, event_ndims=0):
    """`x` (shape ... + batch + event) with NaN in the members whose parameters are invalid."""
    bad = getattr(dist, "_invalid", None)
    if bad is None:
        return x
    xp = dist.xp
    for _ in range(event_ndims):
        bad = bad[..., None]
    return xp.where(bad, xp.full_like(x, math.nan), x)


def masked_log_prob(dist, value, out):
    """log_prob `out` at `value`: -inf outside the support, NaN for invalid parameters."""
    if _skipped(dist, [value]):
        xp = dist.xp
        ok = dist.support.check(xp, value)
        extra_axes = ok.ndim - out.ndim
        if extra_axes > 0:
            ok = xp.all(xp.reshape(ok, ok.shape[: ok.ndim - extra_axes] + (-1,)), axis=-1)
        out = xp.where(ok, out, xp.full_like(out, -math.inf))
    return nan_where_invalid(dist, out)
