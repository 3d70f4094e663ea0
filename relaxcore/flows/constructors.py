"""Flow constructors: coupling (RealNVP, neural spline) and masked autoregressive flows."""

from __future__ import annotations

from collections.abc import Sequence

from relaxcore._dispatch import get_backend
from relaxcore._typing import RNG, Transformer
from relaxcore.bijectors.bijector import Bijector
from relaxcore.bijectors.chain import Chain
from relaxcore.bijectors.coupling import Coupling
from relaxcore.bijectors.masked_autoregressive import MaskedAutoregressive
from relaxcore.bijectors.permute import Permute
from relaxcore.bijectors.transformers import as_transformer
from relaxcore.distributions.multivariate_normal_diag import MultivariateNormalDiag
from relaxcore.distributions.transformed import TransformedDistribution


def _check(name, dim, condition_dim, layers, hidden):
    if int(dim) < 1:
        raise ValueError(f"{name}: dim must be >= 1; got {dim}")
    if int(condition_dim) < 0:
        raise ValueError(f"{name}: condition_dim must be >= 0; got {condition_dim}")
    if int(layers) < 1:
        raise ValueError(f"{name}: layers must be >= 1; got {layers}")
    if any(int(h) < 1 for h in hidden):
        raise ValueError(f"{name}: hidden sizes must be >= 1; got {tuple(hidden)}")


def _weights(init, bk, dim, hidden, condition_dim, transformer, keys, dtype):
    """Built-in MLP weights per layer; torch tensors become leaves that require grad."""
    out = []
    for key in keys:
        w = init(
            dim,
            tuple(hidden),
            condition_size=condition_dim,
            transformer=transformer,
            rng=key,
            backend=bk.name,
            dtype=dtype,
        )
        if bk.name == "torch":
            w = [p.requires_grad_(True) for p in w]
        out.append(w)
    return out


def _flow(bk, dim, dtype, layers):
    base = MultivariateNormalDiag(bk.xp.zeros(dim, dtype=dtype))
    return TransformedDistribution(base, Chain(layers))


def coupling_flow(
    dim: int,
    *,
    condition_dim: int = 0,
    transformer: Transformer = "affine",
    layers: int = 4,
    hidden: Sequence[int] = (64, 64),
    backend: str = "numpy",
    rng: RNG = None,
    dtype=None,
    conditioner=None,
) -> TransformedDistribution:
    """A coupling flow on R^dim over a standard normal base: RealNVP (``"affine"``) or
    neural spline coupling (``"spline"``, Durkan et al. 2019).

    `layers` coupling layers alternate which half passes through (the first dim // 2
    entries, then the rest). Each conditioner is the built-in tanh MLP with `hidden`
    units, its last layer zero so the flow starts as the identity, or, with
    ``conditioner=``, whatever ``conditioner(n_in, condition_dim, n_out)`` returns: a
    callable ``(x_A)`` / ``(x_A, condition)`` to (..., n_out) raw parameters (a torch
    ``nn.Module``, an equinox module, ``MLP``). `rng` seeds the weights (a JAX key for
    JAX); `dtype` defaults to the backend's default float. ``log_prob(y, condition=c)``
    with c of shape (..., condition_dim) when condition_dim > 0.
    """
    _check("coupling_flow", dim, condition_dim, layers, hidden)
    bk = get_backend(backend)
    dtype = dtype or bk.default_float_dtype()
    transformer = as_transformer(transformer)
    half = dim // 2
    masks = [
        [1] * half + [0] * (dim - half) if i % 2 == 0 else [0] * half + [1] * (dim - half)
        for i in range(layers)
    ]
    if conditioner is None:
        keys = bk.split_rng(bk.as_rng(rng), layers)
        nets = _weights(
            Coupling.init_params, bk, dim, hidden, condition_dim, transformer, keys, dtype
        )
    else:
        nets = [
            conditioner(sum(m), condition_dim, transformer.n_params * (dim - sum(m))) for m in masks
        ]
    bijectors = [Coupling(m, net, transformer) for m, net in zip(masks, nets, strict=True)]
    return _flow(bk, dim, dtype, bijectors[::-1])


def masked_autoregressive_flow(
    dim: int,
    *,
    condition_dim: int = 0,
    transformer: Transformer = "affine",
    layers: int = 4,
    hidden: Sequence[int] = (64, 64),
    backend: str = "numpy",
    rng: RNG = None,
    dtype=None,
    conditioner=None,
) -> TransformedDistribution:
    """A masked autoregressive flow on R^dim over a standard normal base: MAF
    (``"affine"``, Papamakarios et al. 2017) or autoregressive neural spline flow
    (``"spline"``).

    `layers` MADE layers, the order reversed between them. Arguments as
    ``coupling_flow``; a custom ``conditioner(dim, condition_dim, n_out)`` must return a
    callable that is autoregressive in its input (output j, of coordinate j % dim, may
    depend on inputs before that coordinate only). Density evaluation is one pass per
    layer; sampling takes dim passes per layer.
    """
    _check("masked_autoregressive_flow", dim, condition_dim, layers, hidden)
    bk = get_backend(backend)
    dtype = dtype or bk.default_float_dtype()
    transformer = as_transformer(transformer)
    if conditioner is None:
        keys = bk.split_rng(bk.as_rng(rng), layers)
        nets = _weights(
            MaskedAutoregressive.init_params,
            bk,
            dim,
            hidden,
            condition_dim,
            transformer,
            keys,
            dtype,
        )
    else:
        nets = [conditioner(dim, condition_dim, transformer.n_params * dim) for _ in range(layers)]
    reverse = Permute(list(range(dim))[::-1])
    chain: list[Bijector] = []
    for i, net in enumerate(nets):
        if i:
            chain.append(reverse)
        chain.append(MaskedAutoregressive(net, transformer=transformer))
    return _flow(bk, dim, dtype, chain[::-1])
