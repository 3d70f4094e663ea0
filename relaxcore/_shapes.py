"""Shape arithmetic in plain Python (the Array API has no broadcast_shapes)."""

from __future__ import annotations


def broadcast_shapes(*shapes) -> tuple[int, ...]:
    """NumPy broadcasting of `shapes`; ValueError naming them when incompatible."""
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(-ndim, 0):
        sizes = {int(s[axis]) for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            raise ValueError(f"shapes {[tuple(s) for s in shapes]} do not broadcast")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)
