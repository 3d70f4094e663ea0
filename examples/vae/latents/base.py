"""The harness's shared pieces: the context handed to every family, the base class, the
shape parser and two parameter helpers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Context:
    bk: Any  # relaxcore backend module: xp, softmax, sigmoid, softplus, stop_gradient
    loglik: Callable  # (z (..., B, decoder_size), frozen=False) -> (..., B)
    next_rng: Callable[[], Any]  # a fresh torch.Generator use / JAX key per call
    asarray: Callable  # NumPy -> the framework's float32 array
    tau: Any  # the relaxation temperature now (annealed)
    opts: Any  # argparse namespace: reinmax_tau, gap, mc, k, rho, gate_tau, igr_tau
    control_variate: Callable | None = None  # RELAX's learned network, (..., B, D) -> (..., B)


def parse_shape(text: str) -> tuple[int, ...]:
    """'8x4' -> (8, 4); '10' -> (10,)."""
    try:
        shape = tuple(int(s) for s in text.lower().split("x"))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise ValueError(f"--latent-shape must look like 10 or 8x4 (positive ints); got {text!r}")
    return shape


def positive(bk, x):
    return bk.softplus(x) + 1e-3


def equicorrelation(d: int, rho: float) -> np.ndarray:
    """R = (1 - rho) I + rho 1 1^T: positive definite for -1/(d-1) < rho < 1."""
    return (1.0 - rho) * np.eye(d) + rho * np.ones((d, d))


class Latent:
    """Base: a latent of ``shape``; subclasses set ``estimators`` and ``per_latent`` (encoder
    outputs per latent variable)."""

    estimators: tuple[str, ...] = ()
    per_latent = 1

    def __init__(self, shape: tuple[int, ...], opts):
        self.shape, self.opts = shape, opts
        self.size = math.prod(shape)

    @property
    def encoder_size(self) -> int:
        return self.size * self.per_latent

    @property
    def decoder_size(self) -> int:
        return self.size

    def describe(self) -> str:
        return f"{self.name} {'x'.join(map(str, self.shape))}"

    def prior_draw(self, n: int, seed: int) -> np.ndarray:
        raise NotImplementedError
