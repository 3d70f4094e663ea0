"""Face classes generated from relaxcore's own list of distribution classes.

``face_classes`` makes, for every public distribution class of relaxcore (``rc.__all__``),
one class that derives from a framework mixin, the relaxcore class and the framework's base
distribution, in that order: relaxcore's methods serve, the mixin adapts what the framework
names differently, and the framework's base supplies the rest (``mask``, ``expand_by``,
``__call__`` ...). A class added to relaxcore appears in every face without new code.
"""

from __future__ import annotations

import functools
import inspect
import types

import relaxcore as rc


def distribution_classes() -> dict[str, type]:
    """{name: class} of every public distribution class in ``rc.__all__`` (not the base)."""
    out = {}
    for name in rc.__all__:
        obj = getattr(rc, name)
        if (
            isinstance(obj, type)
            and issubclass(obj, rc.Distribution)
            and obj is not rc.Distribution
        ):
            out[name] = obj
    return out


def _init(rc_cls, backend: str, default_validate):
    """The relaxcore constructor with the face's defaults: arrays of `backend` (Python
    numbers included) and the framework's global ``validate_args`` default."""
    rc_init = rc_cls.__init__
    params = inspect.signature(rc_init).parameters
    takes_backend = "backend" in params
    takes_validate = "validate_args" in params

    @functools.wraps(rc_init)
    def __init__(self, *args, **kwargs):
        if takes_validate and kwargs.get("validate_args") is None:
            kwargs["validate_args"] = default_validate()
        if takes_backend and kwargs.get("backend") is None:
            kwargs["backend"] = backend
        rc_init(self, *args, **kwargs)

    return __init__


def _mapped(rc_cls, name: str, cmap, rule=None):
    """Class attribute `name` (``support`` or ``arg_constraints``) in the framework's
    constraint objects: mapped once when relaxcore's is a class attribute, on access when it
    is a property (it depends on the parameters)."""
    static = inspect.getattr_static(rc_cls, name)
    if isinstance(static, property):
        fget = static.fget
        if name == "support":
            return property(lambda self: cmap(fget(self), None if rule is None else rule(self)))
        return property(lambda self: {k: cmap(v) for k, v in fget(self).items()})
    if name == "support":
        return cmap(static)
    return {k: cmap(v) for k, v in static.items()}


def face_classes(module: str, mixin: type, base: type, cmap, backend: str, default_validate):
    """{name: face class} for every relaxcore distribution class.

    Each class is ``class Name(mixin, rc.Name, base)`` in `module`; its constructor defaults to
    `backend` and to ``default_validate()`` for ``validate_args``; its ``support`` and
    ``arg_constraints`` are `cmap`'s framework objects.
    """
    out = {}
    for name, rc_cls in distribution_classes().items():
        ns = {
            "__module__": module,
            "__qualname__": name,
            "__doc__": rc_cls.__doc__,
            "__init__": _init(rc_cls, backend, default_validate),
            "support": _mapped(rc_cls, "support", cmap, cmap.support_rule(rc_cls)),
            "arg_constraints": _mapped(rc_cls, "arg_constraints", cmap),
        }
        out[name] = types.new_class(name, (mixin, rc_cls, base), {}, lambda d, ns=ns: d.update(ns))
    return out
