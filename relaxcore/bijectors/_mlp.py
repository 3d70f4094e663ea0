"""The built-in conditioner of the flows: a small tanh MLP whose weights are plain arrays.

Weights are a flat list ``[W1, b1, ..., WL, bL]`` with ``W`` of shape (n_in, n_out), so
``torch.optim`` takes the list as is and optax treats it as a pytree. The first layer's
rows take the input, then the condition's features; MADE masks (Germain et al. 2015)
make the network autoregressive. Nothing is cached: masks and index arrays are built per
call from Python integers (a few small ops; constants under jit).
"""

from __future__ import annotations

import math

from array_api_compat import device as device_of

from relaxcore._dispatch import backend_for, get_backend
from relaxcore._pytree import PytreeNode


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


def mlp(xp, params, x, condition=None):
    """tanh MLP: ``h <- tanh(h @ W + b)``, the last layer linear. With a `condition`, the
    first layer is ``x @ W1[:n] + condition @ W1[n:] + b1`` (the input and the condition
    concatenated, their batch axes broadcast)."""
    n = len(params) // 2
    w1 = params[0]
    if condition is None:
        h = x @ w1 + params[1]
    else:
        k = x.shape[-1]
        h = x @ w1[:k, :] + condition @ w1[k:, :] + params[1]
    for i in range(1, n):
        h = xp.tanh(h)
        h = h @ params[2 * i] + params[2 * i + 1]
    return h


def made_masks(xp, event_size: int, condition_size: int, hidden_sizes, outputs_per_dim, dtype, x):
    """MADE masks (one per weight, same shape, of `dtype`): output j (of dim
    ``j % event_size``) sees inputs of smaller index only. Degrees: inputs 1..D, condition
    features 0 (seen by every unit), hidden units cycle through 1..D-1; a unit of degree k
    sees units of degree <= k, an output of degree k units of degree < k."""
    d, device = event_size, device_of(x)
    inputs = xp.arange(1, d + 1, device=device)
    if condition_size:
        inputs = xp.concat([inputs, xp.zeros(condition_size, dtype=inputs.dtype, device=device)])
    degrees = [inputs]
    for size in hidden_sizes:
        degrees.append(xp.arange(size, device=device) % max(d - 1, 1) + 1)
    out_deg = xp.arange(d * outputs_per_dim, device=device) % d + 1
    masks = [o[None, :] >= i[:, None] for i, o in zip(degrees, degrees[1:], strict=False)]
    masks.append(out_deg[None, :] > degrees[-1][:, None])
    return [xp.astype(m, dtype) for m in masks]


def hidden_sizes_of(params):
    """Hidden layer sizes of an MLP given by its weight list."""
    return [int(params[2 * i].shape[1]) for i in range(len(params) // 2 - 1)]


class MLP(PytreeNode):
    """The built-in conditioner as a callable ``(x, condition=None) -> parameters``.

    Holds the weight list ``params`` (``MLP.init_params``); a JAX pytree, and its list is
    what torch.optim trains. ``MLP(params)(x, c)`` is ``mlp(xp, params, x, c)``.
    """

    def __init__(self, params):
        self.params = list(params)

    @staticmethod
    def init_params(sizes, *, rng=None, backend="numpy", dtype=None):
        """Weights for layer sizes `sizes` (input and condition features first); the last
        layer is zero."""
        return init_mlp(sizes, rng=rng, backend=backend, dtype=dtype)

    def __call__(self, x, condition=None):
        return mlp(backend_for(x).xp, self.params, x, condition)

    def __repr__(self):
        sizes = [int(self.params[0].shape[0])] + [int(w.shape[-1]) for w in self.params[::2]]
        return f"MLP({sizes})"
