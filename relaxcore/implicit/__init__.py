"""Implicit reparameterization gradients (Figurnov et al. 2018)."""

__all__: list[str] = []
