"""Affine coupling layer: RealNVP (Dinh, Sohl-Dickstein and Bengio 2017)."""

from __future__ import annotations

from collections.abc import Sequence

from relaxcore._typing import RNG, ArrayLike
from relaxcore.bijectors.coupling import Coupling
from relaxcore.bijectors.transformers import AffineTransformer


class AffineCoupling(Coupling):
    r"""RealNVP coupling on vectors: the entries where ``mask`` is 1 pass through and
    condition an affine map of the others,

    .. math:: y = m\odot x + (1-m)\odot\bigl(x\,e^{s(m\odot x)} + t(m\odot x)\bigr),
              \qquad \log|\det J| = \sum_i (1-m_i)\,s_i,

    where ``(t, s_raw)`` come from the conditioner and ``s = bound * tanh(s_raw / bound)``
    keeps scales within exp(+-bound). ``Coupling`` with ``AffineTransformer``.

    Args:
        mask: D entries, 0 or 1 (a Python sequence).
        params: the built-in MLP's weights ``[W1, b1, ..., WL, bL]``
            (``AffineCoupling.init_params``; D (+ condition) inputs, 2D outputs: shifts,
            then log-scales), arrays of the user's framework trained by the user's
            optimizer; or a callable conditioner (see ``Coupling``).
        log_scale_bound: the soft bound on |s|.
    """

    def __init__(self, mask: ArrayLike, params, *, log_scale_bound: float = 5.0) -> None:
        super().__init__(mask, params, AffineTransformer(log_scale_bound))

    @staticmethod  # no transformer argument: it is affine
    def init_params(  # type: ignore[override]
        event_size: int,
        hidden_sizes: Sequence[int] = (64, 64),
        *,
        condition_size: int = 0,
        rng: RNG = None,
        backend: str | None = "numpy",
        dtype=None,
    ):
        """Conditioner weights that make the layer the identity (last layer zero)."""
        return Coupling.init_params(
            event_size,
            hidden_sizes,
            condition_size=condition_size,
            rng=rng,
            backend=backend,
            dtype=dtype,
        )
