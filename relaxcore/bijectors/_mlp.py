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


def mlp(xp, params, x, masks=None):
    """tanh MLP; ``masks[i]`` (same shape as ``W_i``) zeroes connections when given."""
    n = len(params) // 2
    h = x
    for i in range(n):
        w, b = params[2 * i], params[2 * i + 1]
        if masks is not None:
            w = w * masks[i]
        h = h @ w + b
        if i < n - 1:
            h = xp.tanh(h)
    return h


def made_masks(event_size: int, hidden_sizes, outputs_per_dim: int):
    """MADE masks as nested lists of 0/1: output j (of dim ``j % event_size``) sees inputs
    of smaller index only. Degrees: inputs 1..D, hidden units cycle through 1..D-1."""
    d = event_size
    degrees = [list(range(1, d + 1))]
    for size in hidden_sizes:
        degrees.append([(k % max(d - 1, 1)) + 1 for k in range(size)])
    out_deg = list(range(1, d + 1)) * outputs_per_dim
    masks = []
    for deg_in, deg_out in zip(degrees, degrees[1:], strict=False):
        masks.append([[float(o >= i) for o in deg_out] for i in deg_in])
    masks.append([[float(o > i) for o in out_deg] for i in degrees[-1]])
    return masks


def hidden_sizes_of(params):
    """Hidden layer sizes of an MLP given by its weight list."""
    return [int(params[2 * i].shape[1]) for i in range(len(params) // 2 - 1)]
