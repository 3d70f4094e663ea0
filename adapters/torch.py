"""Torch adapter: implicit partials attached to a sample, eagerly and under torch.compile.

* Eagerly and under torch.func: ``ImplicitAttach``, a modern ``autograd.Function`` (forward
  without ctx, ``setup_context``, ``backward``, ``jvp``, ``generate_vmap_rule``), so it
  composes with ``.backward()``, torch.func.grad, vmap, jacrev and jacfwd (the model is
  torch's ``autograd_function_db``).
* Under torch.compile: the custom op ``relaxcore::implicit_attach`` (``torch.library``, with
  ``register_autograd`` and a fake implementation), which dynamo keeps in one graph (it
  cannot trace an ``autograd.Function`` that defines ``jvp``).
* Second derivatives: the backward rule uses the partials through ``PartialsAttach``, an
  identity whose own derivative is that of ``rule(z, params)``, the partials as array code
  of the sample and the parameters, evaluated only when a second derivative is asked for
  (reverse over reverse, ``torch.func.hessian``: forward over reverse, reverse over
  forward, and forward over forward: nested ``torch.func.jvp`` / ``jacfwd(jacfwd)``);
  without a rule, asking raises.
* Forward over forward: torch runs a Function's ``jvp`` at its own functorch level with
  forward AD off, so the tangent it returns would carry no derivative for an outer ``jvp``.
  ``_at_lower_level`` evaluates the tangent one level down (where the outer tangents live)
  and wraps it back, as functorch does for a Function's ``forward``.
"""

import torch

try:  # functorch internals (torch >= 2.1); without them nested forward mode raises
    from torch._C._functorch import (
        TransformType,
        _add_batch_dim,
        _unwrap_batched,
        _unwrap_for_grad,
        _wrap_for_grad,
        peek_interpreter_stack,
    )
    from torch._functorch.pyfunctorch import retrieve_current_functorch_interpreter
    from torch.autograd.forward_ad import _set_fwd_grad_enabled
except ImportError:  # pragma: no cover - older torch
    peek_interpreter_stack = None

__all__ = ["attach", "cdf_gradients"]

_IN_CDF_VJP: list = []  # non-empty while cdf_gradients traces torch.func.vjp


def _second_order(rule):
    if rule is None:
        raise NotImplementedError(
            "second derivatives of this implicit sample are not available: its partials are "
            "not a function of the sample alone (they come from the Gamma draws behind it); "
            "first derivatives are exact"
        )
    return rule


def _at_lower_level(fn, *tensors):
    """``fn(*tensors)`` evaluated so that an enclosing ``torch.func.jvp`` sees its derivative.

    Inside a Function's ``jvp`` at functorch level L the saved tensors are wrapped at L and
    forward AD is off; their tangents for the levels below L are inside the wrapper. Unwrap
    to level L - 1, compute there with forward AD on, wrap the result back at L.
    """
    if peek_interpreter_stack is None or peek_interpreter_stack() is None:
        return fn(*tensors)  # plain torch.autograd.forward_ad: a single level, nothing below
    interpreter = retrieve_current_functorch_interpreter()
    level = interpreter.level()
    if interpreter.key() == TransformType.Vmap:
        # the vmap that a vmapped Function's jvp runs under (jvp(jvp(vmap(f))), jacfwd^3):
        # the Jvp level to lower is beneath it, so take the batch dimension out, go down
        # and evaluate as a vmap there, then put the batch dimension back
        unbatched = [_unwrap_batched(t, level) for t in tensors]
        dims = tuple(d for _, d in unbatched)
        inner = [t for t, _ in unbatched]
        with interpreter.lower():
            if all(d is None for d in dims):
                return _at_lower_level(fn, *inner)
            out = _at_lower_level(lambda *ts: torch.vmap(fn, in_dims=dims)(*ts), *inner)
        if isinstance(out, tuple):
            return tuple(_add_batch_dim(o, 0, level) for o in out)
        return _add_batch_dim(out, 0, level)
    if interpreter.key() != TransformType.Jvp:
        return fn(*tensors)
    inner = [_unwrap_for_grad(t, level) for t in tensors]
    with torch.enable_grad(), _set_fwd_grad_enabled(True), interpreter.lower():
        out = fn(*inner)
    if isinstance(out, tuple):
        return tuple(_wrap_for_grad(o, level) for o in out)
    return _wrap_for_grad(out, level)


class PartialsAttach(torch.autograd.Function):
    """``partials`` unchanged; differentiated as ``rule(z, *params)``."""

    generate_vmap_rule = True

    @staticmethod
    def forward(rule, n, z, *params_and_partials):
        return tuple(p.view_as(p) for p in params_and_partials[n:])

    @staticmethod
    def setup_context(ctx, inputs, output):
        rule, n, z, *rest = inputs
        ctx.rule, ctx.n = rule, n
        ctx.save_for_backward(z, *rest[:n])
        ctx.save_for_forward(z, *rest[:n])

    @staticmethod
    def backward(ctx, *grads):
        rule = _second_order(ctx.rule)
        z, *params = ctx.saved_tensors
        _, vjp = torch.func.vjp(lambda z, *p: tuple(rule(z, p)), z, *params)
        gz, *gp = vjp(tuple(grads))
        return (None, None, gz, *gp, *(None,) * ctx.n)

    @staticmethod
    def jvp(ctx, rule_t, n_t, z_t, *tangents):
        rule = _second_order(ctx.rule)
        z, *params = ctx.saved_tensors
        zeros = [torch.zeros_like(p) if t is None else t for p, t in zip(params, tangents)]
        z_t = torch.zeros_like(z) if z_t is None else z_t
        n = len(params)

        def tangent(z, *params_and_tangents):  # one level down: third derivatives by jvp
            p, t = params_and_tangents[:n], params_and_tangents[n:]
            # contiguous: a parameter broadcast to the sample's shape is an expanded view,
            # and make_dual cannot copy a dense tangent into its overlapping memory
            primals = tuple(x.contiguous() for x in (z, *p))
            return torch.func.jvp(lambda z, *p: tuple(rule(z, p)), primals, t)[1]

        return _at_lower_level(tangent, z, *params, z_t, *zeros)


class ImplicitAttach(torch.autograd.Function):
    """``out = value``; d out = sum_k partials[k] * d params[k] (all shaped like value)."""

    generate_vmap_rule = True

    @staticmethod
    def forward(value, rule, n, *params_and_partials):
        return value.view_as(value)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, rule, n, *rest = inputs
        ctx.rule, ctx.n = rule, n
        ctx.save_for_backward(output, *rest)
        ctx.save_for_forward(output, *rest)

    @staticmethod
    def backward(ctx, grad):
        n = ctx.n
        z, *rest = ctx.saved_tensors
        partials = PartialsAttach.apply(ctx.rule, n, z, *rest)
        return (None, None, None, *(grad * p for p in partials), *(None,) * n)

    @staticmethod
    def jvp(ctx, value_t, rule_t, n_t, *tangents):
        n = ctx.n
        z, *rest = ctx.saved_tensors
        given = [(k, t) for k, t in enumerate(tangents[:n]) if t is not None]
        if not given:
            return torch.zeros_like(z)

        def tangent(z, *params_partials_tangents):
            # through PartialsAttach: an outer forward level differentiates the partials
            saved, ts = params_partials_tangents[: 2 * n], params_partials_tangents[2 * n :]
            partials = PartialsAttach.apply(ctx.rule, n, z, *saved)
            return sum(partials[k] * t for (k, _), t in zip(given, ts))

        return _at_lower_level(tangent, z, *rest, *(t for _, t in given))


@torch.library.custom_op("relaxcore::implicit_attach", mutates_args=())
def implicit_attach(
    value: torch.Tensor, params: list[torch.Tensor], partials: list[torch.Tensor]
) -> torch.Tensor:
    """``value`` (a copy: a custom op's output may not alias its input)."""
    return value.clone()


@implicit_attach.register_fake
def _(value, params, partials):
    return torch.empty_like(value)


def _setup_compiled(ctx, inputs, output):
    ctx.save_for_backward(*inputs[2])


def _backward_compiled(ctx, grad):
    partials = ctx.saved_tensors
    return None, [grad * p for p in partials], [None] * len(partials)


implicit_attach.register_autograd(_backward_compiled, setup_context=_setup_compiled)


def attach(value, params, partials, rule=None):
    """`value` with d value = sum_k partials[k] d params[k]; `rule(z, params)` gives the
    partials as differentiable array code (for second derivatives), or None."""
    partials = tuple(p.detach() for p in partials)
    if torch.compiler.is_compiling() and not _IN_CDF_VJP:
        return implicit_attach(value.detach(), list(params), list(partials))
    return ImplicitAttach.apply(value.detach(), rule, len(params), *params, *partials)


def cdf_gradients(cdf, params):
    """Elementwise dF/dparam of ``cdf(*params)`` (params shaped like its output)."""
    if torch.compiler.is_compiling():  # dynamo traces torch.func, not torch.autograd.grad
        # a CDF that attaches implicit partials itself (Gamma, Beta, StudentT bases) must not
        # use the custom op inside torch.func.vjp: custom ops do not support torch.func
        _IN_CDF_VJP.append(True)
        try:
            out, vjp = torch.func.vjp(cdf, *(p.detach() for p in params))
            return vjp(torch.ones_like(out))
        finally:
            _IN_CDF_VJP.pop()
    with torch.enable_grad():
        leaves = [p.detach().requires_grad_(True) for p in params]
        grads = torch.autograd.grad(cdf(*leaves).sum(), leaves, allow_unused=True)
    return tuple(torch.zeros_like(p) if g is None else g for p, g in zip(leaves, grads))
