"""The bijector base: a differentiable, invertible map with its log-Jacobian determinant.

Two primitives, ``forward_and_log_det`` and ``inverse_and_log_det`` (distrax); everything
else derives from them. A bijector acts on the last ``event_ndims_in`` axes of its input
and maps them to ``event_ndims_out`` axes; the log-det it returns has the remaining
(batch) shape. Asked for a larger event rank, the log-det is summed over the extra axes,
so an elementwise bijector lifts to any event rank (TFP's ``event_ndims`` argument).

Every method takes a keyword-only ``condition=`` (an array whose last axis holds the
context features, or None): composites pass it to their members by that one argument,
and conditioners receive it; maps that do not use it ignore it.
No caching: every call recomputes (identity-keyed caches change gradients).
"""

from __future__ import annotations

from array_api_compat import device as device_of

from relaxcore import constraints
from relaxcore._dispatch import DEFAULT_BACKEND, backend_for, framework_of, get_backend
from relaxcore._pytree import PytreeNode
from relaxcore.distribution import check_constraint, promote_params


def sum_last(xp, a, n: int):
    """Sum of `a` over its last `n` axes."""
    return a if n == 0 else xp.sum(a, axis=tuple(range(-n, 0)))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not hasattr(value, "dtype")


def open_interval(xp, y, low: float, high: float):
    """`y` clipped into the open interval (low, high), ends 0 or +-1, by one unit in the last
    place: a map that saturates in floating point (tanh, sigmoid) then never returns an end
    point, so the log-density of its own samples stays finite."""
    finfo = xp.finfo(y.dtype)
    half_eps = finfo.eps / 2  # the spacing just below a magnitude of 1
    lo = low * (1 - half_eps) if low else finfo.smallest_normal
    hi = high * (1 - half_eps) if high else -finfo.smallest_normal
    return xp.clip(y, lo, hi)


def shape_of(value) -> tuple[int, ...]:
    """Shape of an array parameter; ``()`` for a Python number or None."""
    return tuple(value.shape) if hasattr(value, "shape") else ()


def mixed_frameworks(owner: str, name: str, found: str, held: str) -> TypeError:
    """The error for an argument of one framework met by parameters of another."""
    return TypeError(
        f"{owner}: {name} is a {found} array but the bijector's parameters are {held} "
        f"arrays; build the bijector from {found} arrays (or pass {held} arrays)"
    )


class Bijector(PytreeNode):
    """Base class. Subclasses implement ``forward_and_log_det`` and ``inverse_and_log_det``.

    Class attributes: ``event_ndims_in`` and ``event_ndims_out`` (the least event rank the
    map acts on, before and after), ``domain`` and ``codomain`` (constraints that say where
    it is defined and where it maps; ``TransformedDistribution`` validates values with
    ``codomain``). Array parameters are kept as given, so that torch.optim and optax train
    them, and fix the bijector's backend; parameters that are all Python numbers stay
    numbers and adopt the framework, dtype and device of each input they meet.
    """

    event_ndims_in: int = 0
    event_ndims_out: int = 0
    domain: constraints.Constraint = constraints.real
    codomain: constraints.Constraint = constraints.real
    _backend = None
    _dtype = None

    # --- parameters and backend ----------------------------------------------------------

    def _set_backend(self, bk, dtype) -> None:
        """The one place that records the backend (None: chosen per call from the input)."""
        self._backend, self._dtype = bk, dtype

    def _set_params(self, params: dict, backend=None, required=()) -> dict:
        """Set `params` as attributes: arrays of one backend and float dtype, or, where all
        are Python numbers (and no `backend` is named), floats adopted per call. None for a
        name in `required` is a TypeError naming it."""
        for name in required:
            if params.get(name) is None:
                raise TypeError(
                    f"{type(self).__name__}: {name} is required; got None (pass an array or "
                    f"a Python number)"
                )
        if backend is None and all(v is None or _is_number(v) for v in params.values()):
            p = {k: None if v is None else float(v) for k, v in params.items()}
            self._set_backend(None, None)
        else:
            bk, dtype, _, p = promote_params(params, backend)
            self._set_backend(bk, dtype)
        for name, value in p.items():
            setattr(self, name, value)
        return p

    def _share_backend(self, members) -> None:
        """A composite's backend: its members' (TypeError naming two that disagree)."""
        found = None
        for i, b in enumerate(members):
            if b._backend is None:
                continue
            if found is not None and b._backend.name != found[1]._backend.name:
                j, first = found
                raise TypeError(
                    f"{type(self).__name__}: member {j} ({type(first).__name__}) holds "
                    f"{first._backend.name} arrays but member {i} ({type(b).__name__}) holds "
                    f"{b._backend.name} arrays; build every bijector from one framework"
                )
            found = found or (i, b)
        if found is not None:
            self._set_backend(found[1]._backend, found[1]._dtype)

    def _check(self, name, value, constraint) -> None:
        """ValueError naming `name` and the allowed range where `value` violates it."""
        bk = self._backend
        if _is_number(value):
            bk = get_backend(DEFAULT_BACKEND)
            value = bk.xp.asarray(value)
        check_constraint(type(self).__name__, bk, name, value, constraint)

    @staticmethod
    def _like(bk, value, x):
        """Parameter `value` as an array of `x`'s dtype and device (a Python number), or
        as given (an array, None)."""
        if value is None or hasattr(value, "dtype"):
            return value
        device = device_of(x)
        recorded = getattr(bk, "recorded_device", None)
        return bk.xp.asarray(value, dtype=x.dtype, device=recorded(device) if recorded else device)

    @property
    def param_shape(self):
        """The shape the parameters broadcast an input to, aligned to the input's right.

        ``()`` where they add no axes (parameter-free maps; flows, whose weights act on the
        event); ``None`` where unknown, so that TransformedDistribution probes the map.
        """
        return () if self._backend is None else None

    def _array(self, x, name: str = "x"):
        """(backend, `x` as a float array): Python numbers and lists become arrays of the
        backend; an array of another framework than the parameters' is a TypeError."""
        bk = self._backend
        if not hasattr(x, "dtype"):
            bk = bk or get_backend(DEFAULT_BACKEND)
            return bk, bk.xp.asarray(x, dtype=self._dtype or bk.default_float_dtype())
        if bk is None:
            bk = backend_for(x)
        else:
            found = framework_of(x)
            if found != bk.name:
                raise mixed_frameworks(type(self).__name__, name, found, bk.name)
        if not bk.xp.isdtype(x.dtype, "real floating"):
            x = bk.xp.astype(x, self._dtype or bk.default_float_dtype())
        return bk, x

    # --- primitives ----------------------------------------------------------------------

    def forward_and_log_det(self, x, *, condition=None):
        """``(y, log|det dy/dx|)``, the log-det of shape ``x.shape[:-event_ndims_in]``."""
        raise NotImplementedError

    def inverse_and_log_det(self, y, *, condition=None):
        """``(x, log|det dx/dy|)``, the log-det of shape ``y.shape[:-event_ndims_out]``."""
        raise NotImplementedError

    # --- derived -------------------------------------------------------------------------

    def forward(self, x, *, condition=None):
        return self.forward_and_log_det(x, condition=condition)[0]

    def inverse(self, y, *, condition=None):
        return self.inverse_and_log_det(y, condition=condition)[0]

    def forward_log_det_jacobian(self, x, event_ndims: int | None = None, *, condition=None):
        """log|det dy/dx| over the last `event_ndims` axes (default ``event_ndims_in``)."""
        bk, x = self._array(x)
        extra = self._extra(event_ndims, self.event_ndims_in)
        return sum_last(bk.xp, self.forward_and_log_det(x, condition=condition)[1], extra)

    def inverse_log_det_jacobian(self, y, event_ndims: int | None = None, *, condition=None):
        """log|det dx/dy| over the last `event_ndims` axes (default ``event_ndims_out``)."""
        bk, y = self._array(y, "y")
        extra = self._extra(event_ndims, self.event_ndims_out)
        return sum_last(bk.xp, self.inverse_and_log_det(y, condition=condition)[1], extra)

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
