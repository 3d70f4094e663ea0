"""The distribution contract shared by every backend (docs/design.md section 5).

A distribution holds its parameters as arrays of one framework, looks its backend up
once (at construction), and is immutable: methods return new arrays or new objects.
Explicitly reparameterized classes implement two methods, ``sample_noise`` and
``reparameterize``; ``rsample`` is their composition and ``sample`` its stopped value.
"""

from __future__ import annotations

import inspect
import math
from typing import ClassVar

from array_api_compat import device as device_of

from relaxcore import constraints
from relaxcore._dispatch import backend_for, framework_of
from relaxcore._inputs import check_params
from relaxcore._pytree import PytreeNode
from relaxcore._shapes import broadcast_shapes
from relaxcore._validation import resolve_validate_args


def _is_scalar(value) -> bool:
    return isinstance(value, (bool, int, float)) and not hasattr(value, "dtype")


def promote_params(params: dict, backend: str | None = None, owner=None, required=()):
    """Backend, dtype, device and the parameters as arrays of one float dtype.

    Dtype follows the array parameters (float16, bfloat16, float32, float64 kept; integers
    promoted to the framework's default float); Python scalars adopt it. ``None`` stays
    (a TypeError for the names in `required`). Lists, strings and complex values are a
    TypeError naming `owner` (the class) and the argument (``relaxcore._inputs``).
    """
    params = check_params(params, owner, required)
    bk = backend_for(*params.values(), backend=backend)
    xp = bk.xp
    arrays = [v for v in params.values() if v is not None and not _is_scalar(v)]
    dtype = bk.default_float_dtype()
    device = None
    if arrays:
        dtype = xp.result_type(*[a.dtype for a in arrays])
        if not xp.isdtype(dtype, "real floating"):
            dtype = bk.default_float_dtype()
        device = device_of(arrays[0])
        recorded = getattr(bk, "recorded_device", None)
        if recorded is not None:
            device = recorded(device)
    out = {}
    for key, value in params.items():
        if value is None:
            out[key] = None
        elif _is_scalar(value):
            out[key] = xp.asarray(float(value), dtype=dtype, device=device)
        else:
            out[key] = value if value.dtype == dtype else xp.astype(value, dtype)
    return bk, dtype, device, out


def check_constraint(owner: str, bk, name: str, value, constraint) -> None:
    """Raise ValueError naming `name` and the allowed range if `value` violates `constraint`.

    Skipped under tracing (jit, vmap, torch.func, torch.compile): the check result of a
    traced computation, even on constant inputs, has no concrete value.
    """
    if value is None:
        return
    xp = bk.xp
    ok = constraint.check(xp, value)
    if bk.is_traced(ok) or bk.is_traced(value) or bool(xp.all(ok)):
        return
    bad = ~ok
    count = int(xp.sum(xp.astype(bad, xp.int32)))
    example = value[bad][0, ...] if value.ndim else value
    if getattr(example, "ndim", 0):
        example = [float(v) for v in example[: min(example.shape[0], 8)]]
    else:
        example = float(example)
    raise ValueError(
        f"{owner}: {name} must be {constraint.description}; "
        f"{count} of {math.prod(ok.shape) or 1} fail, e.g. {example}"
    )


def compute_dtype(xp, dtype):
    """float32 for half precisions (float16, bfloat16), else `dtype` itself."""
    half = [getattr(xp, name, None) for name in ("float16", "bfloat16")]
    return xp.float32 if any(h is not None and dtype == h for h in half) else dtype


class Distribution(PytreeNode):
    """Base class: shapes, validation, sampling protocol and ``expand``.

    Subclasses declare ``arg_constraints`` (checked at construction when ``validate_args``),
    ``support`` (checked by ``log_prob``), and ``param_event_ndims``: the array attributes that
    define the distribution, with their number of event dimensions, which ``expand`` broadcasts.
    """

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {}
    param_event_ndims: ClassVar[dict[str, int]] = {}
    support: ClassVar[constraints.Constraint] = constraints.real
    has_rsample: ClassVar[bool] = False

    #: constructor arguments whose default is not None (None for them is a TypeError)
    _required_params: ClassVar[frozenset] = frozenset()
    #: parameters that must also be finite where validated (inf is not a distribution)
    finite_params: ClassVar[frozenset] = frozenset(
        {
            "loc",
            "scale",
            "rate",
            "concentration",
            "concentration0",
            "concentration1",
            "df",  # df = inf is the Normal law: NaN samples and densities here
            "temperature",  # tau = inf is a point mass (no density): NaN log_prob
        }
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        signature = inspect.signature(cls.__init__)
        cls._required_params = frozenset(
            name
            for name, p in signature.parameters.items()
            if p.default is not None  # no default, or a default other than None (rate=1.0)
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and name != "self"
        )

    def __init__(self, backend, dtype, device, batch_shape, event_shape=(), validate_args=None):
        self._backend = backend
        self._dtype = dtype
        self._device = device
        self._batch_shape = tuple(int(n) for n in batch_shape)
        self._event_shape = tuple(int(n) for n in event_shape)
        self._validate_args = resolve_validate_args(validate_args)

    def _init_elementwise(self, params: dict, backend, validate_args) -> dict:
        """Constructor body of a distribution whose parameters are all elementwise.

        Promotes `params` to one backend and dtype, broadcasts them to the batch shape,
        validates them and sets each as an attribute of the same name.
        """
        owner = type(self)
        bk, dtype, device, p = promote_params(
            params, backend, owner.__name__, owner._required_params
        )
        given = {k: v for k, v in p.items() if v is not None}
        batch_shape = broadcast_shapes(
            *(v.shape for v in given.values()), names=list(given), owner=type(self).__name__
        )
        Distribution.__init__(self, bk, dtype, device, batch_shape, (), validate_args)
        self._validate_params(p)
        for name, value in p.items():
            setattr(self, name, None if value is None else bk.xp.broadcast_to(value, batch_shape))
        return p

    def _after_unflatten(self) -> None:
        """The batch shape re-read from the parameters: under ``jax.vmap`` each lane's
        distribution has the batch shape of its slice of the parameters."""
        shapes = []
        for name, event_ndims in self.param_event_ndims.items():
            value = vars(self).get(name)
            if value is None:
                continue
            if not hasattr(value, "shape"):  # a placeholder leaf of jax.tree_util
                return
            shapes.append(tuple(value.shape[: value.ndim - event_ndims]))
        if shapes:
            self._batch_shape = broadcast_shapes(*shapes)

    # --- shapes and metadata -----------------------------------------------------------

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self._batch_shape

    @property
    def event_shape(self) -> tuple[int, ...]:
        return self._event_shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def backend(self):
        """The backend module serving this distribution (``backend.name`` is its framework)."""
        return self._backend

    @property
    def xp(self):
        return self._backend.xp

    @property
    def validate_args(self) -> bool:
        return self._validate_args

    def _extended_shape(self, sample_shape=()) -> tuple[int, ...]:
        return tuple(sample_shape) + self._batch_shape + self._event_shape

    def _compute_dtype(self):
        return compute_dtype(self.xp, self._dtype)

    def _up(self, x):
        """`x` in the compute dtype (float32 for half precisions)."""
        dtype = self._compute_dtype()
        return x if x.dtype == dtype else self.xp.astype(x, dtype)

    def _down(self, x):
        """`x` back in the distribution's dtype."""
        return x if x.dtype == self._dtype else self.xp.astype(x, self._dtype)

    # --- validation --------------------------------------------------------------------

    def _check(self, name: str, value, constraint: constraints.Constraint) -> None:
        check_constraint(type(self).__name__, self._backend, name, value, constraint)

    def _validate_params(self, params: dict) -> None:
        if not self._validate_args:
            return
        for name, value in params.items():
            if name in self.arg_constraints:
                self._check(name, value, self.arg_constraints[name])
            if name in self.finite_params:
                self._check(name, value, constraints.finite)

    def _validate_sample(self, value) -> None:
        if not self._validate_args:
            return
        n = len(self._event_shape)
        if tuple(value.shape[value.ndim - n :]) != self._event_shape or value.ndim < n:
            raise ValueError(
                f"{type(self).__name__}: value must end in the event shape "
                f"{self._event_shape}; got shape {tuple(value.shape)}"
            )
        broadcast_shapes(  # a ValueError naming both, not the framework's own message
            tuple(value.shape[: value.ndim - n]),
            self._batch_shape,
            names=["value (before the event axes)", "the batch shape"],
            owner=type(self).__name__,
        )
        self._check("value", value, self.support)

    def _as_value(self, value):
        """`value` as an array of this distribution's backend and dtype."""
        xp = self.xp
        if _is_scalar(value) or not hasattr(value, "dtype"):
            return xp.asarray(value, dtype=self._dtype, device=self._device)
        framework = framework_of(value)
        if framework != self._backend.name:
            raise TypeError(
                f"{type(self).__name__} holds {self._backend.name} arrays but got a "
                f"{framework} value; build it from {framework} arrays or with "
                f"backend={framework!r}"
            )
        return value

    # --- sampling protocol -------------------------------------------------------------

    def sample_noise(self, sample_shape=(), *, rng=None):
        """Base noise of the reparameterization, shape ``sample_shape + batch + event``."""
        raise NotImplementedError(f"{type(self).__name__} has no explicit reparameterization")

    def reparameterize(self, noise):
        """The sample as a deterministic, differentiable function of `noise`."""
        raise NotImplementedError(f"{type(self).__name__} has no explicit reparameterization")

    def rsample(self, sample_shape=(), *, rng=None):
        """A differentiable sample of shape ``sample_shape + batch_shape + event_shape``."""
        if not self.has_rsample:
            raise NotImplementedError(f"{type(self).__name__} has no reparameterized sampler")
        return self.reparameterize(self.sample_noise(sample_shape, rng=rng))

    def sample(self, sample_shape=(), *, rng=None):
        """A sample with the gradient stopped; same law (and same draws) as ``rsample``."""
        return self._backend.stop_gradient(self.rsample(sample_shape, rng=rng))

    def _uniform_noise(self, sample_shape, rng):
        bk = self._backend
        shape = self._extended_shape(sample_shape)
        return bk.uniform(bk.as_rng(rng, self._device), shape, self._compute_dtype(), self._device)

    def _normal_noise(self, sample_shape, rng):
        bk = self._backend
        shape = self._extended_shape(sample_shape)
        return bk.normal(bk.as_rng(rng, self._device), shape, self._compute_dtype(), self._device)

    def _open_unit(self, u):
        """Clamp uniform noise into the open interval (0, 1), so 0 and 1 are safe."""
        finfo = self.xp.finfo(u.dtype)
        return self.xp.clip(u, finfo.smallest_normal, 1.0 - finfo.eps / 2)

    # --- densities and moments ---------------------------------------------------------

    def log_prob(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no log_prob")

    def cdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no closed-form cdf")

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} has no closed-form mean")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} has no closed-form variance")

    @property
    def stddev(self):
        return self.xp.sqrt(self.variance)

    def entropy(self):
        raise NotImplementedError(f"{type(self).__name__} has no closed-form entropy")

    # --- batch manipulation ------------------------------------------------------------

    def expand(self, batch_shape):
        """The same distribution broadcast to a larger `batch_shape` (views, no copies)."""
        batch_shape = tuple(int(n) for n in batch_shape)
        xp = self.xp
        new = object.__new__(type(self))
        vars(new).update(vars(self))
        for name, event_ndims in self.param_event_ndims.items():
            value = getattr(self, name)
            if value is None:
                continue
            tail = tuple(value.shape[value.ndim - event_ndims :]) if event_ndims else ()
            try:
                vars(new)[name] = xp.broadcast_to(value, batch_shape + tail)
            except (ValueError, RuntimeError) as err:
                raise ValueError(
                    f"{type(self).__name__}.expand: batch_shape {batch_shape} is not a "
                    f"broadcast of {self._batch_shape}"
                ) from err
        new._batch_shape = batch_shape
        return new

    def to_event(self, reinterpreted_batch_ndims=None):
        """``Independent(self, n)``: the rightmost `n` batch axes become event axes (all of
        them when `n` is None; ``self`` when `n` is 0), as Pyro's ``to_event``."""
        from relaxcore.distributions.independent import Independent

        n = reinterpreted_batch_ndims
        if n is None:
            n = len(self._batch_shape)
        if n == 0 and type(n) is int:
            return self
        return Independent(self, n)

    def __repr__(self):
        params = ", ".join(
            f"{k}: shape {tuple(getattr(self, k).shape)}"
            for k in self.param_event_ndims
            if getattr(self, k, None) is not None
        )
        return f"{type(self).__name__}({params}, backend={self._backend.name})"
