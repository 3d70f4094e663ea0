"""PyTorch backend: torch.Generator, torch.special and torch.nn.functional kernels."""

import array_api_compat.torch as xp  # noqa: F401  (the backend's public namespace)
import torch
import torch.nn.functional as F

name = "torch"


def default_float_dtype():
    return torch.get_default_dtype()


# --- random numbers -------------------------------------------------------------------


#: make_fx's proxy mode (torch.func.linearize, make_fx): traced, and no sampling under it
_PROXY = getattr(getattr(torch._C, "_TorchDispatchModeKey", None), "PROXY", None)


def _under_make_fx():
    """True while make_fx traces Python (never inside dynamo's trace, which has no proxy
    mode of its own and cannot trace the query)."""
    if _PROXY is None or torch.compiler.is_compiling():
        return False
    return torch._C._get_dispatch_mode(_PROXY) is not None


def as_rng(rng, device=None):
    """None -> torch's global generator (as torch.distributions); an int seed -> a new
    generator on `device`; or a torch.Generator, which must be on the tensors' device."""
    if _under_make_fx():
        raise NotImplementedError(
            "relaxcore cannot draw samples under make_fx tracing (torch.func.linearize, "
            "torch.fx.experimental.proxy_tensor.make_fx): the traced graph would replay the "
            "random draws with fresh randomness, so its tangents would belong to another "
            "sample; use torch.func.jvp, or torch.compile, or draw outside the trace"
        )
    if rng is None:
        return None
    if isinstance(rng, bool):
        raise TypeError("rng must be None, an int seed or a torch.Generator; got a bool")
    if isinstance(rng, int):
        if not -(2**63) <= rng < 2**64:
            raise ValueError(f"rng: an int seed must be in [-2**63, 2**64); got {rng}")
        return torch.Generator(device=device if device is not None else "cpu").manual_seed(rng)
    if isinstance(rng, torch.Generator):
        if device is not None and rng.device.type != torch.device(device).type:
            raise ValueError(f"rng is a generator on {rng.device} but the tensors are on {device}")
        return rng
    raise TypeError(
        f"rng must be None, an int seed or a torch.Generator for torch tensors; "
        f"got {type(rng).__name__}"
    )


def split_rng(rng, n):
    return [rng] * n


def uniform(rng, shape, dtype, device=None):
    """U[0, 1) variates."""
    return torch.rand(tuple(shape), generator=rng, dtype=dtype, device=device)


def normal(rng, shape, dtype, device=None):
    return torch.randn(tuple(shape), generator=rng, dtype=dtype, device=device)


def standard_gamma(rng, concentration, shape, dtype, device=None):
    """Gamma(concentration, 1) variates of `shape`; no gradient (the core attaches one)."""
    alpha = torch.as_tensor(concentration, dtype=dtype, device=device).detach()
    alpha = alpha.expand(tuple(shape)).contiguous()
    return torch._standard_gamma(alpha, generator=rng)


# --- autodiff hooks -------------------------------------------------------------------


def stop_gradient(x):
    return x.detach()


def is_traced(x):
    """True under torch.compile, make_fx tracing (torch.func.linearize, export) or a
    torch.func transform (vmap, grad, jacrev...)."""
    if torch.compiler.is_compiling():
        return True
    if _under_make_fx():
        return True
    wrapped = getattr(torch._C._functorch, "is_functorch_wrapped_tensor", None)
    return bool(wrapped is not None and isinstance(x, torch.Tensor) and wrapped(x))


# --- special functions and fused primitives --------------------------------------------


def softmax(x, axis=-1):
    return torch.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    return torch.log_softmax(x, dim=axis)


def logsumexp(x, axis=-1, keepdims=False):
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


sigmoid = torch.sigmoid
log_sigmoid = F.logsigmoid
lgamma = torch.lgamma
digamma = torch.digamma
erf = torch.special.erf
erfc = torch.special.erfc
ndtri = torch.special.ndtri
log_ndtr = torch.special.log_ndtr
gammainc = torch.special.gammainc
gammaincc = torch.special.gammaincc
i0e = torch.special.i0e
i1e = torch.special.i1e


def ndtr(x):
    """Phi(x) as erfc(-x/sqrt 2)/2: torch.special.ndtr underflows to 0 below x = -8."""
    return 0.5 * torch.special.erfc(x * -0.7071067811865476)


def xlogy(x, y):
    return torch.special.xlogy(x, y)


def softplus(x):
    """log(1 + e^x) without torch's threshold switch (exact for every x)."""
    return torch.clamp_min(x, 0) + torch.log1p(torch.exp(-torch.abs(x)))
