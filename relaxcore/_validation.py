"""The default of ``validate_args=None``, scoped instead of global.

``relaxcore.validate_args(False)`` switches argument validation off for the distributions
constructed inside a ``with`` block or a decorated function, and restores the previous
default on exit (nesting works; an exception exits too). The default lives in a
``contextvars.ContextVar``: each thread starts with validation on and sees only its own
switches, and each asyncio task inherits the switches of the code that created it. An
explicit ``validate_args=True/False`` argument always wins over the default.
"""

from __future__ import annotations

import contextlib
import contextvars

_DEFAULT: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "relaxcore_validate_args", default=True
)


# whether any scope was ever opened (in any thread or task): until then the default is True
# without reading the ContextVar, which torch.compile cannot trace (a graph break per
# construction); a program that uses the scopes pays that read. Sticky, since a task
# created inside a scope keeps its value after the scope closes.
_SWITCHED = False


def default_validate_args() -> bool:
    """The value that ``validate_args=None`` means here and now (True unless switched)."""
    return _DEFAULT.get() if _SWITCHED else True


def resolve_validate_args(validate_args: bool | None) -> bool:
    """`validate_args` itself when given, else the scoped default."""
    return default_validate_args() if validate_args is None else bool(validate_args)


class validate_args(contextlib.ContextDecorator):  # noqa: N801  (used like a function)
    """Set the default of ``validate_args`` for a block or a function.

    ```python
    with relaxcore.validate_args(False):
        d = rc.Normal(loc, scale)          # not validated: invalid scales give NaN

    @relaxcore.validate_args(False)
    def step(params): ...                  # every call runs with validation off
    ```

    Args:
        enabled: the default inside the scope (``True`` turns validation back on inside an
            outer ``validate_args(False)``).
    """

    def __init__(self, enabled: bool = True) -> None:
        if not isinstance(enabled, bool):
            raise TypeError(
                f"validate_args: enabled must be True or False; got {type(enabled).__name__}"
            )
        self.enabled = enabled
        self._tokens: list[contextvars.Token[bool]] = []

    def _recreate_cm(self) -> validate_args:
        # a decorated function entered from several threads at once: one scope per call
        return type(self)(self.enabled)

    def __enter__(self) -> validate_args:
        global _SWITCHED
        _SWITCHED = True
        self._tokens.append(_DEFAULT.set(self.enabled))
        return self

    def __exit__(self, *exc: object) -> None:
        _DEFAULT.reset(self._tokens.pop())
