"""Base distributions with closed forms (Normal, and the bases that flows need)."""

from relaxcore.distributions.normal import Normal

__all__ = ["Normal"]
