"""Decoupled straight-through Gumbel-Softmax (Shah, Yan, Mozer & Liu 2024, "Improving
Discrete Optimisation Via Decoupled Straight-Through Gumbel-Softmax"): one temperature for the
law of the hard sample, another for the backward pass."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._policy import invalid_params
from relaxcore._typing import Array, ArrayLike
from relaxcore._validation import resolve_validate_args
from relaxcore.distribution import check_constraint, compute_dtype
from relaxcore.relaxations._logits import log_probs, promote_categorical, tempered
from relaxcore.relaxations.straight_through_categorical import (
    RelaxedOneHotCategoricalStraightThrough,
)


class DecoupledStraightThroughGumbelSoftmax(RelaxedOneHotCategoricalStraightThrough):
    r"""A one-hot sample drawn at the forward temperature, differentiated at the backward one.

    With Gumbel noise :math:`g` and the scores :math:`y = \theta/\tau_f + g`:

    .. math:: D = \mathrm{onehot}(\arg\max y) \sim \mathrm{Categorical}(\mathrm{softmax}
              (\theta/\tau_f)), \qquad z = D + s - \mathrm{sg}(s),\quad
              s = \mathrm{softmax}(y/\tau_b).

    :math:`\tau_f` sets how random the hard sample is (exploration: low is greedy, high is
    uniform), :math:`\tau_b` how far the backward pass spreads the gradient; ``tau_f = 1``
    is straight-through Gumbel-Softmax at temperature ``tau_b``. relaxit 1.2.1 divides the
    perturbed logits by :math:`\tau_f` before the argmax, which the argmax ignores, so its
    forward temperature has no effect; here it changes the law of the sample. ``log_prob``
    is the log-mass of the one-hot value under :math:`\mathrm{softmax}(\theta/\tau_f)`.

    This is :class:`RelaxedOneHotCategoricalStraightThrough` at temperature ``tau_b`` over
    the logits ``theta / tau_f``; ``logits`` and ``probs`` are those of the forward law.
    Half precisions: ``theta / tau_f`` is formed in float32 and normalized before it is
    stored in the dtype, so logits of 1e4 at ``tau_f = 1e-3`` (1e7) do not overflow float16;
    categories whose log-probability is below -65504 become probability 0.

    Args:
        temperature_forward: tau_f > 0 (scalar or batched); may carry gradients.
        temperature_backward: tau_b > 0 (scalar or batched); may carry gradients.
        probs: event of K probabilities (zeros allowed), or
        logits: event of K unnormalized log-probabilities (-inf allowed).
    """

    def __init__(
        self,
        temperature_forward: ArrayLike,
        temperature_backward: ArrayLike,
        probs: ArrayLike | None = None,
        logits: ArrayLike | None = None,
        *,
        validate_args: bool | None = None,
        backend: str | None = None,
    ) -> None:
        name = type(self).__name__
        for arg, value in (
            ("temperature_forward", temperature_forward),
            ("temperature_backward", temperature_backward),
        ):
            if value is None:
                raise TypeError(
                    f"{name}: {arg} is required; got None (pass an array or a Python number)"
                )
        bk, dtype, _, p, raw, _ = promote_categorical(
            name, temperature_forward, probs, logits, backend
        )
        xp = bk.xp
        if resolve_validate_args(validate_args):
            tau_f = p["temperature"]
            check_constraint(name, bk, "temperature_forward", tau_f, constraints.positive)
            if probs is not None:
                check_constraint(name, bk, "probs", raw, constraints.simplex)
        log_p = raw if logits is not None else log_probs(xp, raw)
        up = compute_dtype(xp, dtype)
        log_p = log_p if log_p.dtype == up else xp.astype(log_p, up)
        tau_f = xp.expand_dims(p["temperature"], axis=-1)
        tau_f = tau_f if tau_f.dtype == up else xp.astype(tau_f, up)
        # theta / tau_f in the compute dtype, normalized (<= 0): in half precision a large
        # ratio then underflows to a probability 0 (-inf) instead of overflowing to +inf
        scaled = bk.log_softmax(tempered(xp, log_p, xp.zeros_like(log_p), tau_f), axis=-1)
        scaled = scaled if scaled.dtype == dtype else xp.astype(scaled, dtype)
        super().__init__(
            temperature_backward, logits=scaled, validate_args=validate_args, backend=bk.name
        )
        self.temperature_forward = xp.broadcast_to(p["temperature"], self.batch_shape)
        # unvalidated tau_f <= 0 (jit, validate_args=False): NaN, not an argmin one-hot
        bad_f = invalid_params(self, {"temperature": self.temperature_forward})
        if bad_f is not None:
            self._invalid = bad_f if self._invalid is None else self._invalid | bad_f

    param_event_ndims = {"temperature": 0, "temperature_forward": 0, "_logits": 1}

    @property
    def temperature_backward(self) -> Array:
        return self.temperature
