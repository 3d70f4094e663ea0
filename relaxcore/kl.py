"""KL divergences dispatched on both types (torch.distributions' registry, small)."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from relaxcore._typing import RNG, Array

_REGISTRY: dict[tuple[type, type], Callable] = {}
#: the registered functions that draw samples (they take the keyword ``rng``)
_TAKES_RNG: set[Callable] = set()


def register_kl(type_p: type, type_q: type):
    """Decorator: ``@register_kl(P, Q) def _(p, q): ...`` returns KL(p || q).

    A closed form takes ``(p, q)``; a Monte-Carlo estimator (a pair without a closed form)
    takes ``(p, q, *, rng=None)`` and receives the ``rng`` given to :func:`kl_divergence`.
    """

    def decorator(fn):
        _REGISTRY[(type_p, type_q)] = fn
        if "rng" in inspect.signature(fn).parameters:
            _TAKES_RNG.add(fn)
        return fn

    return decorator


def kl_divergence(p, q: Array, *, rng: RNG = None) -> Array:
    """KL(p || q), batched, from the most specific registered pair (by MRO distance).

    `rng` (the same kinds as ``rsample``'s; a key on JAX) feeds the pairs whose KL is a
    Monte-Carlo estimate (a relaxation against a discrete law, see
    ``relaxcore.relaxations.relaxed_kl``); closed forms ignore it.
    """
    best, best_rank = None, None
    for i, cp in enumerate(type(p).__mro__):
        for j, cq in enumerate(type(q).__mro__):
            fn = _REGISTRY.get((cp, cq))
            if fn is not None and (best_rank is None or i + j < best_rank):
                best, best_rank = fn, i + j
    if best is None:
        raise NotImplementedError(
            f"no KL divergence is registered for ({type(p).__name__}, {type(q).__name__})"
        )
    return best(p, q, rng=rng) if best in _TAKES_RNG else best(p, q)
