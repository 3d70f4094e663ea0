"""KL divergences dispatched on both types (torch.distributions' registry, small)."""

from __future__ import annotations

from collections.abc import Callable

_REGISTRY: dict[tuple[type, type], Callable] = {}


def register_kl(type_p: type, type_q: type):
    """Decorator: ``@register_kl(P, Q) def _(p, q): ...`` returns KL(p || q) in closed form."""

    def decorator(fn):
        _REGISTRY[(type_p, type_q)] = fn
        return fn

    return decorator


def kl_divergence(p, q):
    """KL(p || q), batched, from the most specific registered pair (by MRO distance)."""
    best, best_rank = None, None
    for i, cp in enumerate(type(p).__mro__):
        for j, cq in enumerate(type(q).__mro__):
            fn = _REGISTRY.get((cp, cq))
            if fn is not None and (best_rank is None or i + j < best_rank):
                best, best_rank = fn, i + j
    if best is None:
        raise NotImplementedError(
            f"no closed-form KL divergence is registered for "
            f"({type(p).__name__}, {type(q).__name__})"
        )
    return best(p, q)
