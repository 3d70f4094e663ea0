"""relaxcore constraints as a framework's own constraint objects.

A face's ``support`` and ``arg_constraints`` must be objects of the framework's exact
constraint types, so that ``biject_to`` / ``transform_to`` (which dispatch on the type)
and ``td.Independent`` work. The core, meanwhile, calls ``constraint.check(xp, value)`` on
the same attributes. Each mapped constraint is therefore a fresh instance of the framework's
type (never the framework's shared singleton) whose ``check`` answers both protocols:
``check(value)`` is the framework's test, ``check(xp, value)`` relaxcore's exact one.
A constraint the framework has no type for becomes a ``RelaxcoreConstraint`` (checks work,
no bijection is registered).
"""

from __future__ import annotations

import relaxcore as rc
from relaxcore import constraints as K
from relaxcore.bijectors.expm1 import greater_than_minus_one
from relaxcore.bijectors.tanh import open_pm1


class _BothChecks:
    """``check(xp, value)``: relaxcore's test; ``check(value)``: the framework's."""

    __slots__ = ("core", "native")

    def __init__(self, core, native):
        self.core, self.native = core, native

    def __call__(self, *args):
        return self.core(*args) if len(args) == 2 else self.native(*args)


def _table(C) -> dict:
    """relaxcore constraint object -> a function making the framework's equivalent."""
    rel = rc.relaxations
    return {
        K.real: lambda: C.real,
        K.finite: lambda: C.real,
        K.bernoulli_logits: lambda: C.real,
        K.positive: lambda: C.positive,
        K.nonnegative: lambda: C.nonnegative,
        K.unit_interval: lambda: C.unit_interval,
        K.open_unit_interval: lambda: _open_interval(C, 0.0, 1.0),
        K.boolean: lambda: C.boolean,
        K.simplex: lambda: C.simplex,
        K.category_logits: lambda: C.independent(C.real, 1),
        K.one_hot: (lambda: C.one_hot) if hasattr(C, "one_hot") else None,
        rc.ExpBeta.support: lambda: C.less_than(0.0),
        rel.GumbelSoftmaxTopK.support: lambda: C.independent(C.nonnegative, 1),
        rel.CorrelatedRelaxedBernoulli.support: lambda: C.independent(C.unit_interval, 1),
        rel.HardConcrete.arg_constraints["low"]: lambda: C.less_than(0.0),
        rel.HardConcrete.arg_constraints["high"]: lambda: C.greater_than(1.0),
        open_pm1: lambda: _open_interval(C, -1.0, 1.0),  # Tanh's codomain
        greater_than_minus_one: lambda: C.greater_than(-1.0),  # Expm1's codomain
    }


def _open_interval(C, low, high):
    return C.open_interval(low, high) if hasattr(C, "open_interval") else C.interval(low, high)


class ConstraintMap:
    """Maps relaxcore constraints to the constraint objects of one framework.

    `C`: the framework's constraints module; `xp`: its array namespace (for the checks of
    constraints it has no type for).
    """

    def __init__(self, C, xp):
        self.C = C
        self.xp = xp
        self._table = {k: v for k, v in _table(C).items() if v is not None}
        self.Fallback = _fallback_class(C, xp)

    def __call__(self, constraint, native=None):
        """`constraint` as a framework object answering both check protocols.

        `native`: the framework object to use (a rule computed it from the distribution);
        else looked up, else a ``RelaxcoreConstraint``.
        """
        if isinstance(constraint, self.C.Constraint):
            return constraint  # already mapped (the support of a face inside a composite)
        if native is None:
            make = self._table.get(constraint)
            if make is None:
                return self.Fallback(constraint)
            native = make()
        both = object.__new__(type(native))  # a fresh instance, never the shared singleton
        vars(both).update(vars(native))
        both.check = _BothChecks(constraint.check, native.check)
        both.description = constraint.description
        both.event_ndims = constraint.event_ndims
        return both

    def support_rule(self, rc_cls):
        """For a class whose support depends on its parameters: a function of the
        distribution returning the framework's object, or None (use the table)."""
        C, native = self.C, self
        rules = [
            (rc.Categorical, lambda d: C.integer_interval(0, d.num_categories - 1)),
            (rc.Uniform, lambda d: C.interval(d.low, d.high)),
            (
                rc.Independent,
                lambda d: C.independent(native(d.base_dist.support), d.reinterpreted_batch_ndims),
            ),
            (rc.TransformedDistribution, _transformed_support(C, native)),
        ]
        for cls, rule in rules:
            if issubclass(rc_cls, cls):
                return rule
        return None


def _transformed_support(C, native):
    def rule(d):
        codomain = native(d.bijector.codomain)
        extra = len(d.event_shape) - d.bijector.codomain.event_ndims
        return C.independent(codomain, extra) if extra > 0 else codomain

    return rule


def _fallback_class(C, xp):
    class RelaxcoreConstraint(C.Constraint):
        """A relaxcore constraint with no counterpart in this framework: checks work
        (``check(value)``, ``check(xp, value)``, and calling it); ``biject_to`` does not."""

        def __init__(self, constraint):
            self.constraint = constraint
            self.event_dim = constraint.event_ndims
            self.event_ndims = constraint.event_ndims
            self.description = constraint.description
            self.is_discrete = constraint is K.one_hot

        def check(self, *args):
            if len(args) == 2:
                return self.constraint.check(*args)
            return self.constraint.check(xp, args[0])

        def __call__(self, value):  # NumPyro's protocol
            return self.check(value)

        def tree_flatten(self):  # NumPyro constraints are pytrees; this one has no arrays
            return (), ((), dict(vars(self)))

        def __repr__(self):
            return f"RelaxcoreConstraint({self.description!r})"

    return RelaxcoreConstraint
