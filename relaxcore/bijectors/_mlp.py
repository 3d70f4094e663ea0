"""The conditioner of the flows: a small tanh MLP whose weights are plain arrays.

Weights are a flat list ``[W1, b1, ..., WL, bL]`` with ``W`` of shape (n_in, n_out), so
``torch.optim`` takes the list as is and optax treats it as a pytree. MADE masks
(Germain et al. 2015) make the network autoregressive.
"""

from __future__ import annotations

import math

from relaxcore._dispatch import get_backend


def init_mlp(sizes, *, rng=None, backend="numpy", dtype=None):
    """Weights for layer sizes `sizes` (input first): U(-1/sqrt(n_in), 1/sqrt(n_in)) as
    torch.nn.Linear, except the last layer, which is zero so that a flow starts as the
    identity."""
    bk = get_backend(backend)
    dtype = dtype or bk.default_float_dtype()
    keys = bk.split_rng(bk.as_rng(rng), 2 * (len(sizes) - 1))
    params = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        last = i == len(sizes) - 2
        bound = 0.0 if last else 1.0 / math.sqrt(n_in)
        for key, shape in zip(keys[2 * i : 2 * i + 2], ((n_in, n_out), (n_out,)), strict=True):
            u = bk.uniform(key, shape, dtype)
            params.append((2 * u - 1) * bound)
    return params


def mlp(xp, params, x):
    """tanh MLP: ``h <- tanh(h @ W + b)``, the last layer linear."""
    n = len(params) // 2
    h = x
    for i in range(n):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n - 1:
            h = xp.tanh(h)
    return h


_CONSTANTS: dict = {}


def constants(bk, key, build):
    """``build()``, a list of arrays that depend on `key` only (masks, index arrays), built
    once per key; not kept when built under a trace (jit), where they are tracers."""
    arrays = _CONSTANTS.get((bk.__name__, *key))
    if arrays is None:
        arrays = build()
        if not bk.is_traced(arrays[0]):
            _CONSTANTS[(bk.__name__, *key)] = arrays
    return arrays


def made_masks(bk, event_size: int, hidden_sizes, outputs_per_dim: int, dtype, device=None):
    """MADE masks (one per weight, same shape, of `dtype`): output j (of dim
    ``j % event_size``) sees inputs of smaller index only. Degrees: inputs 1..D, hidden
    units cycle through 1..D-1; a unit of degree k sees units of degree <= k."""
    xp, d = bk.xp, event_size

    def build():
        degrees = [xp.arange(1, d + 1, device=device)]
        for size in hidden_sizes:
            degrees.append(xp.arange(size, device=device) % max(d - 1, 1) + 1)
        out_deg = xp.arange(d * outputs_per_dim, device=device) % d + 1
        masks = [o[None, :] >= i[:, None] for i, o in zip(degrees, degrees[1:], strict=False)]
        masks.append(out_deg[None, :] > degrees[-1][:, None])
        return [xp.astype(m, dtype) for m in masks]

    key = ("made", d, tuple(hidden_sizes), outputs_per_dim, str(dtype), str(device))
    return constants(bk, key, build)


def hidden_sizes_of(params):
    """Hidden layer sizes of an MLP given by its weight list."""
    return [int(params[2 * i].shape[1]) for i in range(len(params) // 2 - 1)]
