"""Torch adapter: one modern ``autograd.Function`` attaching implicit partials.

Forward without ctx, ``setup_context``, ``backward`` and ``jvp``, with
``generate_vmap_rule = True``: it composes with ``.backward()``, torch.func.grad, vmap,
jacrev, jacfwd and torch.compile (the model is torch's ``autograd_function_db``).
"""

import torch

__all__ = ["attach", "cdf_gradients"]


class ImplicitAttach(torch.autograd.Function):
    """``out = value``; d out = sum_k partials[k] * d params[k] (all shaped like value)."""

    generate_vmap_rule = True

    @staticmethod
    def forward(value, n, *params_and_partials):
        return value.view_as(value)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, n, *rest = inputs
        ctx.n = n
        ctx.save_for_backward(*rest[n:])
        ctx.save_for_forward(*rest[n:])

    @staticmethod
    def backward(ctx, grad):
        partials = ctx.saved_tensors
        return (None, None, *(grad * p for p in partials), *(None,) * ctx.n)

    @staticmethod
    def jvp(ctx, value_t, n_t, *tangents):
        partials = ctx.saved_tensors
        out = None
        for p, t in zip(partials, tangents[: ctx.n]):
            if t is not None:
                out = p * t if out is None else out + p * t
        return torch.zeros_like(partials[0]) if out is None else out


def attach(value, params, partials):
    partials = tuple(p.detach() for p in partials)
    return ImplicitAttach.apply(value.detach(), len(params), *params, *partials)


def cdf_gradients(cdf, params):
    """Elementwise dF/dparam of ``cdf(*params)`` (params shaped like its output)."""
    with torch.enable_grad():
        leaves = [p.detach().requires_grad_(True) for p in params]
        grads = torch.autograd.grad(cdf(*leaves).sum(), leaves, allow_unused=True)
    return tuple(torch.zeros_like(p) if g is None else g for p, g in zip(leaves, grads))
