"""Bijectors and normalizing flows, TFP style."""

__all__: list[str] = []
