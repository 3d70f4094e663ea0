r"""The bounded relaxed top-k of ``GumbelSoftmaxTopK(method="threshold")``: the limited
multi-label projection (LML; Amos, Koltun & Kolter 2019, "The Limited Multi-Label Projection
Layer")."""

from __future__ import annotations

import math

from relaxcore._surrogates import pass_through, tangent_projection
from relaxcore._typing import Array


def threshold_top_k(bk, x: Array, k: int):
    r"""The point of :math:`\{y \in [0, 1]^K : \sum_i y_i = k\}` that maximizes
    :math:`x^\top y + \sum_i H(y_i)` (binary entropies), along the last axis:

    .. math:: y_i = \sigma(x_i + \nu), \qquad \nu:\ \sum_i \sigma(x_i + \nu) = k,

    :math:`\nu` found by bisection on the bracket
    :math:`[\mathrm{logit}(k/K) - \max x,\ \mathrm{logit}(k/K') - \min x]` (K' the finite
    entries; the sum is increasing in :math:`\nu`) with a fixed number of halvings
    (mantissa bits + 30: jit-friendly). The gradient is that of implicit differentiation
    of the constraint (Amos et al. 2019, eq. 8), with :math:`s = \sigma'(x + \nu)`:

    .. math:: \partial y / \partial x = \mathrm{diag}(s) - s s^\top / \textstyle\sum_i s_i.

    Entries of `x` equal to -inf (masked categories) give 0. Needs ``1 <= k <= K'``; for
    ``k = K'`` every finite entry is (nearly) 1.
    """
    xp = bk.xp
    held = bk.stop_gradient(x)
    finite = xp.isfinite(held)
    active = xp.sum(xp.astype(finite, held.dtype), axis=-1, keepdims=True)
    eps = float(xp.finfo(held.dtype).eps)

    def logit(ratio):
        ratio = xp.clip(ratio, eps, 1.0 - 4 * eps)
        return xp.log(ratio) - xp.log1p(-ratio)

    lo = logit(xp.full_like(active, k / held.shape[-1])) - xp.max(held, axis=-1, keepdims=True)
    top = xp.full_like(held, float("inf"))
    hi = logit(k / active) - xp.min(xp.where(finite, held, top), axis=-1, keepdims=True)
    for _ in range(int(-math.log2(eps)) + 30):
        mid = (lo + hi) / 2
        above = xp.sum(bk.sigmoid(held + mid), axis=-1, keepdims=True) > k
        hi = xp.where(above, mid, hi)
        lo = xp.where(above, lo, mid)
    shifted = held + (lo + hi) / 2
    y = bk.sigmoid(shifted)
    slope = y * bk.sigmoid(-shifted)  # sigma'(x + nu) without cancellation near 1
    return y + tangent_projection(bk, slope, pass_through(bk, x))
