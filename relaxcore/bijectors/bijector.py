"""The bijector base: a differentiable, invertible map with its log-Jacobian determinant.

Two primitives, ``forward_and_log_det`` and ``inverse_and_log_det`` (distrax); everything
else derives from them. A bijector acts on the last ``event_ndims_in`` axes of its input
and maps them to ``event_ndims_out`` axes; the log-det it returns has the remaining
(batch) shape. Asked for a larger event rank, the log-det is summed over the extra axes,
so an elementwise bijector lifts to any event rank (TFP's ``event_ndims`` argument).
No caching: every call recomputes (identity-keyed caches change gradients).
"""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._dispatch import backend_for
from relaxcore._pytree import PytreeNode
from relaxcore.distribution import check_constraint, promote_params


def sum_last(xp, a, n: int):
    """Sum of `a` over its last `n` axes."""
    return a if n == 0 else xp.sum(a, axis=tuple(range(-n, 0)))


class Bijector(PytreeNode):
    """Base class. Subclasses implement ``forward_and_log_det`` and ``inverse_and_log_det``.

    Class attributes: ``event_ndims_in`` and ``event_ndims_out`` (the least event rank the
    map acts on, before and after), ``domain`` and ``codomain`` (constraints that say where
    it is defined and where it maps; ``TransformedDistribution`` validates values with
    ``codomain``). Parameters are arrays of the user's framework, kept as given so that
    torch.optim and optax train them; the backend is looked up once, from them, or per call
    from the input when the bijector has none.
    """

    event_ndims_in: int = 0
    event_ndims_out: int = 0
    domain: constraints.Constraint = constraints.real
    codomain: constraints.Constraint = constraints.real
    _backend = None
    _dtype = None

    def _set_params(self, params: dict, backend=None) -> dict:
        """Promote `params` to arrays of one backend and float dtype; set them as attributes."""
        bk, dtype, _, p = promote_params(params, backend)
        self._backend, self._dtype = bk, dtype
        for name, value in p.items():
            setattr(self, name, value)
        return p

    def _check(self, name, value, constraint) -> None:
        """ValueError naming `name` and the allowed range where `value` violates it."""
        check_constraint(type(self).__name__, self._backend, name, value, constraint)

    @property
    def param_shape(self):
        """The shape the parameters broadcast an input to, aligned to the input's right.

        ``()`` where they add no axes (parameter-free maps; flows, whose weights act on the
        event); ``None`` where unknown, so that TransformedDistribution probes the map.
        """
        return () if self._backend is None else None

    def _bk(self, x):
        return self._backend if self._backend is not None else backend_for(x)

    def _array(self, x):
        """(backend, `x` as an array): Python numbers and lists become arrays of the backend."""
        bk = self._bk(x)
        if not hasattr(x, "dtype"):
            x = bk.xp.asarray(x, dtype=self._dtype or bk.default_float_dtype())
        return bk, x

    # --- primitives ----------------------------------------------------------------------

    def forward_and_log_det(self, x):
        """``(y, log|det dy/dx|)``, the log-det of shape ``x.shape[:-event_ndims_in]``."""
        raise NotImplementedError

    def inverse_and_log_det(self, y):
        """``(x, log|det dx/dy|)``, the log-det of shape ``y.shape[:-event_ndims_out]``."""
        raise NotImplementedError

    # --- derived -------------------------------------------------------------------------

    def forward(self, x):
        return self.forward_and_log_det(x)[0]

    def inverse(self, y):
        return self.inverse_and_log_det(y)[0]

    def forward_log_det_jacobian(self, x, event_ndims: int | None = None):
        """log|det dy/dx| over the last `event_ndims` axes (default ``event_ndims_in``)."""
        bk, x = self._array(x)
        extra = self._extra(event_ndims, self.event_ndims_in)
        return sum_last(bk.xp, self.forward_and_log_det(x)[1], extra)

    def inverse_log_det_jacobian(self, y, event_ndims: int | None = None):
        """log|det dx/dy| over the last `event_ndims` axes (default ``event_ndims_out``)."""
        bk, y = self._array(y)
        extra = self._extra(event_ndims, self.event_ndims_out)
        return sum_last(bk.xp, self.inverse_and_log_det(y)[1], extra)

    def _extra(self, event_ndims, least):
        if event_ndims is None:
            return 0
        if event_ndims < least:
            raise ValueError(
                f"{type(self).__name__}: event_ndims must be >= {least}; got {event_ndims}"
            )
        return event_ndims - least

    def forward_event_shape(self, shape) -> tuple[int, ...]:
        """Event shape of ``forward(x)`` for an input event shape `shape`."""
        return tuple(shape)

    def inverse_event_shape(self, shape) -> tuple[int, ...]:
        """Event shape of ``inverse(y)`` for an output event shape `shape`."""
        return tuple(shape)

    def is_increasing(self):
        """True (or a boolean array) where a scalar bijector is increasing; for ``cdf``."""
        raise NotImplementedError(f"{type(self).__name__} is not a monotone scalar map")

    def __repr__(self):
        return f"{type(self).__name__}()"
