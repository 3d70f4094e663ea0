"""The binary Concrete / relaxed Bernoulli as one function (Maddison et al. 2017, 3.3)."""

from __future__ import annotations

from relaxcore._shapes import broadcast_shapes
from relaxcore.functional._common import (
    backend_of,
    check_real,
    dtypes,
    positive,
    result_dtype,
    scalar_or_array,
    uniform,
    validating,
)
from relaxcore.relaxations._logits import tempered

_FN = "relaxed_bernoulli"


def relaxed_bernoulli(logits, temperature, *, hard=False, rng=None, validate_args=None):
    r"""A relaxed Bernoulli sample ``sigmoid((logits + L) / temperature)``, elementwise.

    ``L = log u - log(1 - u)`` is standard logistic noise from ``u ~ Uniform(0, 1)``; the
    value equals ``RelaxedBernoulli(temperature, logits=logits).rsample(rng=rng)`` for the
    same seed. ``hard=True`` returns the exact Bernoulli(sigmoid(logits)) draw
    ``1[logits + L > 0]`` with the relaxed sample's gradient (straight-through).

    Args:
        logits: array, real or +-inf (probabilities 1 and 0); integer arrays are promoted
            to the default float; float16 and bfloat16 are computed in float32.
        temperature: > 0, a Python number or an array broadcasting with `logits`.
        hard: straight-through {0, 1} output.
        rng: the backend's generator, seed or JAX key.
        validate_args: check the arguments (None: the library default, on); skipped under
            jit, vmap and torch.compile. Invalid arguments give NaN where nothing raises.
    """
    bk = backend_of(_FN, "logits", logits)
    xp = bk.xp
    out_dtype, dtype, tiny = dtypes(
        bk, result_dtype(_FN, bk, logits.dtype, {"temperature": temperature})
    )
    validate = validating(validate_args, logits, temperature)
    tau = scalar_or_array(_FN, "temperature", bk, temperature, dtype, positive, "> 0", validate)
    if logits.dtype != dtype:
        logits = xp.astype(logits, dtype)
    finite = validate and check_real(_FN, "logits", bk, logits)
    shape = logits.shape if isinstance(tau, float) else broadcast_shapes(logits.shape, tau.shape)
    u = uniform(bk, rng, shape, dtype, tiny, logits)
    logistic = xp.log(u / (1.0 - u))  # one logarithm: log u - log(1 - u)
    if finite or isinstance(tau, float):  # no infinite logit meets a learnable temperature
        scaled = (logits + logistic) / tau
    else:
        scaled = tempered(xp, logits, logistic, tau)
    z = bk.sigmoid(scaled)
    if hard:
        z = xp.astype(scaled > 0.0, dtype) + (z - bk.stop_gradient(z))
    return z if dtype == out_dtype else xp.astype(z, out_dtype)
