"""Shape arithmetic in plain Python (the Array API has no broadcast_shapes)."""

from __future__ import annotations


def broadcast_shapes(*shapes, names=None, owner: str | None = None) -> tuple[int, ...]:
    """NumPy broadcasting of `shapes`; a ValueError naming the two that clash (by `names`,
    the arguments they came from, where given, and `owner`, the class) when incompatible.

    Plain loops (no ``max(..., default=)``), so torch.compile traces it without a break.
    """
    shapes = [tuple(int(n) for n in s) for s in shapes]
    ndim = 0
    for s in shapes:
        ndim = len(s) if len(s) > ndim else ndim
    out = []
    for axis in range(-ndim, 0):
        size, first = 1, None
        for i, s in enumerate(shapes):
            if len(s) < -axis or s[axis] == 1:
                continue
            if size != 1 and s[axis] != size:
                raise ValueError(_clash(shapes, names, owner, first, i))
            size, first = s[axis], i if first is None else first
        out.append(size)
    return tuple(out)


def _clash(shapes, names, owner, i, j) -> str:
    if names is None:
        return f"shapes {shapes} do not broadcast"
    prefix = f"{owner}: " if owner else ""
    return (
        f"{prefix}{names[i]} of shape {shapes[i]} and {names[j]} of shape {shapes[j]} "
        f"do not broadcast (trailing axes must be equal or 1)"
    )
