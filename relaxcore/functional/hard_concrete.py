"""Hard concrete gates as one function (Louizos, Welling & Kingma 2018, section 4)."""

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

_FN = "hard_concrete"


def hard_concrete(
    log_alpha, temperature=2 / 3, *, limits=(-0.1, 1.1), rng=None, validate_args=None
):
    r"""A hard concrete gate: a binary Concrete stretched to `limits` and clipped to [0, 1].

    .. math:: s = \sigma\big((\log u - \log(1-u) + \log\alpha)/\beta\big),\quad
              z = \min(1, \max(0, s(\zeta-\gamma) + \gamma))

    with ``u ~ Uniform(0, 1)``, ``beta = temperature`` and ``(gamma, zeta) = limits``: the
    value of ``HardConcrete(temperature, logits=log_alpha, low=gamma, high=zeta).rsample``
    for the same seed (to rounding of ``zeta - gamma``). Exactly 0 or 1 with positive
    probability; the gradient is that of the stretched sample inside (0, 1), 0 outside.

    Args:
        log_alpha: array, real or +-inf (gates always off / always on).
        temperature: beta > 0 (the paper's 2/3), a Python number or an array.
        limits: (gamma, zeta) with gamma < 0 < 1 < zeta, Python numbers or arrays.
        rng: the backend's generator, seed or JAX key.
        validate_args: check the arguments (None: the library default, on); skipped under
            jit, vmap and torch.compile. Invalid arguments give NaN where nothing raises.
    """
    bk = backend_of(_FN, "log_alpha", log_alpha)
    xp = bk.xp
    low, high = limits
    out_dtype, dtype, tiny = dtypes(
        bk,
        result_dtype(
            _FN,
            bk,
            log_alpha.dtype,
            {"temperature": temperature, "limits[0]": low, "limits[1]": high},
        ),
    )
    validate = validating(validate_args, log_alpha, temperature, low, high)
    args = (bk, temperature, dtype, positive, "> 0", validate)
    beta = scalar_or_array(_FN, "temperature", *args)
    low = scalar_or_array(_FN, "limits[0]", bk, low, dtype, _negative, "< 0", validate)
    high = scalar_or_array(_FN, "limits[1]", bk, high, dtype, _above_one, "> 1", validate)
    if log_alpha.dtype != dtype:
        log_alpha = xp.astype(log_alpha, dtype)
    finite = validate and check_real(_FN, "log_alpha", bk, log_alpha)
    shape = log_alpha.shape
    for p in (beta, low, high):
        if not isinstance(p, float):
            shape = broadcast_shapes(shape, p.shape)
    u = uniform(bk, rng, shape, dtype, tiny, log_alpha)
    logistic = xp.log(u / (1.0 - u))
    if finite or isinstance(beta, float):  # no infinite logit meets a learnable temperature
        scaled = (log_alpha + logistic) / beta
    else:
        scaled = tempered(xp, log_alpha, logistic, beta)
    x = bk.sigmoid(scaled) * (high - low) + low
    z = xp.clip(bk.stop_gradient(x), 0.0, 1.0)
    # clip's gradient as a mask product: cheaper than a differentiated clip's select
    z = z + (x - bk.stop_gradient(x)) * xp.astype(z == x, dtype)
    return z if dtype == out_dtype else xp.astype(z, out_dtype)


def _negative(x):
    return x < 0


def _above_one(x):
    return x > 1
