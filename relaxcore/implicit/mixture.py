r"""MixtureSameFamily: mixtures with implicit gradients through the mixture CDF.

For :math:`F(z) = \sum_k w_k F_k(z)`, :math:`p(z) = \sum_k w_k p_k(z)` and
:math:`w = \mathrm{softmax}(l)`, the implicit partials (Figurnov et al. 2018, section 3.5) are

.. math:: \frac{\partial z}{\partial\theta_k} = r_k(z)\,\frac{\partial z_k}{\partial\theta_k},
          \qquad \frac{\partial z}{\partial l_k} = -\frac{w_k\,(F_k(z) - F(z))}{p(z)},

with responsibilities :math:`r_k = w_k p_k(z)/p(z)` and the component's own partial
:math:`\partial z_k/\partial\theta_k` at z (its ``implicit_partials``; closed form for Normal).
Any implicit component works (Gamma, Beta, StudentT, VonMises, ``ImplicitReparam`` of a
user CDF) and Normal.

Factorized multivariate mixtures (``event_ndims=1``): component k is the product of D
scalar laws, :math:`p_k(z) = \prod_d p_{kd}(z_d)`. Coordinate d is drawn from its
conditional given the earlier ones, itself a mixture with log-weights
:math:`a^{(d)}_k = l_k + \sum_{j<d}\log p_{kj}(z_j)` (the distributional transform of
Figurnov et al., section 3.5), so the formulas above apply per coordinate with
:math:`l \to a^{(d)}`. ``rsample`` attaches them with :math:`a^{(d)}` computed
differentiably from the parameters and the earlier, already attached, coordinates: the
framework's autodiff carries the cross terms. Without autodiff (numpy) a factorized
mixture has ``sample`` but no ``value_and_partials``.
"""

from __future__ import annotations

import math

from relaxcore import constraints
from relaxcore._shapes import broadcast_shapes
from relaxcore.distribution import Distribution
from relaxcore.distributions.multivariate_normal_diag import MultivariateNormalDiag
from relaxcore.distributions.normal import Normal
from relaxcore.implicit._protocol import ImplicitDistribution, attach
from relaxcore.relaxations._logits import log_probs


def _component_partials(component, z):
    """{name: dz/dtheta} of `component` at z (shaped like the component's samples)."""
    if isinstance(component, ImplicitDistribution):
        return component.implicit_partials(z)
    return {"loc": component.xp.ones_like(z), "scale": (z - component.loc) / component.scale}


def _as_scalar_component(component, event_ndims):
    """The component as a distribution with scalar events (a diagonal normal as Normal)."""
    if event_ndims == 1 and isinstance(component, MultivariateNormalDiag):
        return Normal(component.loc, component.scale_diag, validate_args=False)
    if not isinstance(component, (ImplicitDistribution, Normal)):
        raise TypeError(
            f"MixtureSameFamily: component must be an implicit distribution (Gamma, Beta, "
            f"StudentT, VonMises, ImplicitReparam...) or Normal; got {type(component).__name__}"
        )
    if component.event_shape != ():
        raise ValueError(
            f"MixtureSameFamily: component must have scalar events; got event shape "
            f"{component.event_shape} (a factorized multivariate component has batch "
            f"shape (..., K, D) and event_ndims=1)"
        )
    need = 1 + event_ndims
    if len(component.batch_shape) < need:
        raise ValueError(
            f"MixtureSameFamily: component must have batch shape "
            f"{'(..., K)' if event_ndims == 0 else '(..., K, D)'}; got {component.batch_shape}"
        )
    return component


class MixtureSameFamily(ImplicitDistribution):
    """Mixture of the K distributions indexed by `component`'s batch axis.

    Args:
        component: scalar events with batch shape (..., K) (``event_ndims=0``), or for a
            factorized multivariate mixture (``event_ndims=1``) batch shape (..., K, D) or
            a ``MultivariateNormalDiag`` with batch (..., K) and event (D,). Implicit
            (Gamma, Beta, StudentT, VonMises, ImplicitReparam...) or Normal.
        mixture_logits: (..., K) real or -inf, not NaN, at least one finite; or
        mixture_probs: (..., K) a probability vector (entries >= 0 summing to 1).
        event_ndims: 0 (scalar events) or 1 (factorized events of size D).

    With ``validate_args`` bad weights raise ValueError; without (or under jit), samples
    and log-densities of a batch member with invalid weights are NaN.
    Partials (``value_and_partials``) come back shaped ``sample_shape + batch_shape + (K,)``,
    one entry per component (scalar events only).
    """

    def __init__(
        self,
        component,
        mixture_logits=None,
        mixture_probs=None,
        *,
        event_ndims=0,
        validate_args=None,
    ):
        if (mixture_logits is None) == (mixture_probs is None):
            raise ValueError("MixtureSameFamily: pass exactly one of mixture_logits, mixture_probs")
        if not isinstance(component, Distribution):
            raise TypeError(
                f"MixtureSameFamily: component must be a relaxcore distribution; got "
                f"{type(component).__name__}"
            )
        if event_ndims not in (0, 1):
            raise ValueError(f"MixtureSameFamily: event_ndims must be 0 or 1; got {event_ndims!r}")
        original = component
        component = _as_scalar_component(component, event_ndims)
        bk, xp = component.backend, component.xp
        cbatch = component.batch_shape
        k = cbatch[-1 - event_ndims]
        tail = cbatch[len(cbatch) - 1 - event_ndims :]
        event = cbatch[len(cbatch) - event_ndims :]
        name = "mixture_logits" if mixture_logits is not None else "mixture_probs"
        raw = mixture_logits if mixture_logits is not None else mixture_probs
        if not hasattr(raw, "dtype"):
            raw = xp.asarray(raw, dtype=component.dtype, device=component._device)
        if raw.ndim < 1 or raw.shape[-1] != k:
            raise ValueError(
                f"MixtureSameFamily: {name} must have shape (..., K) with K = {k} "
                f"components; got shape {tuple(raw.shape)}"
            )
        batch = broadcast_shapes(
            cbatch[: len(cbatch) - len(tail)],
            raw.shape[:-1],
            names=["component (batch axes, before K)", f"{name} (batch axes, before K)"],
            owner="MixtureSameFamily",
        )
        if batch + tail != cbatch:  # weights with more batch axes than the component
            component = component.expand(batch + tail)
        super().__init__(bk, component.dtype, component._device, batch, event, validate_args)
        if self._validate_args:
            self._check(
                name,
                raw,
                constraints.simplex if name == "mixture_probs" else constraints.category_logits,
            )
        valid = _weights_ok(xp, raw, name)
        logits = raw if name == "mixture_logits" else log_probs(xp, raw)
        self.component = component
        self._original_event = isinstance(original, MultivariateNormalDiag)
        self.event_ndims = event_ndims
        self.mixture_logits = xp.broadcast_to(bk.log_softmax(logits, axis=-1), batch + (k,))
        self.implicit_params = (
            ("mixture_logits", *component.implicit_params)
            if isinstance(component, ImplicitDistribution)
            else ("mixture_logits", "loc", "scale")
        )
        # invalid weights (possible only without validation): NaN samples and densities
        self._nan_mask = xp.broadcast_to(valid, batch)

    def _after_unflatten(self) -> None:
        cbatch = self.component.batch_shape
        self._batch_shape = cbatch[: len(cbatch) - 1 - self.event_ndims]

    def expand(self, batch_shape):
        """The mixture broadcast to `batch_shape`: the component to batch_shape + (K, [D])."""
        batch_shape = tuple(int(n) for n in batch_shape)
        cbatch = self.component.batch_shape
        tail = cbatch[len(cbatch) - 1 - self.event_ndims :]
        new = object.__new__(type(self))
        vars(new).update(vars(self))
        new.component = self.component.expand(batch_shape + tail)
        new.mixture_logits = self.xp.broadcast_to(self.mixture_logits, batch_shape + tail[:1])
        new._nan_mask = self.xp.broadcast_to(self._nan_mask, batch_shape)
        new._batch_shape = batch_shape
        return new

    # --- helpers: component evaluations shaped (..., K, D) (D = 1 for scalar events) ----

    def _lift(self, x):
        """A (..., K) evaluation of a scalar-event component as (..., K, 1)."""
        return x if self.event_ndims else x[..., None]

    def _at(self, z):
        """z (..., D) as the component's value: (..., K, D), or (..., K) for scalar events."""
        xp = self.xp
        k = self.mixture_logits.shape[-1]
        if self.event_ndims:
            return xp.broadcast_to(z[..., None, :], z.shape[:-1] + (k,) + z.shape[-1:])
        return xp.broadcast_to(z, z.shape[:-1] + (k,))

    def _rows(self, z):
        """z of shape sample + batch (+ event) as (..., D)."""
        return z if self.event_ndims else z[..., None]

    def _unrows(self, z):
        return z if self.event_ndims else z[..., 0]

    def _invalid_to_nan(self, x, event=False):
        xp = self.xp
        mask = self._nan_mask[..., None] if event else self._nan_mask
        return xp.where(mask, x, xp.full_like(x, math.nan))

    # --- sampling -----------------------------------------------------------------------

    def _pick(self, sample_shape, rng):
        """Component indices and component samples; z of shape sample + batch + event."""
        xp, bk = self.xp, self._backend
        rng_index, rng_comp = bk.split_rng(bk.as_rng(rng, self._device), 2)
        comp = self.component.sample(sample_shape, rng=rng_comp)  # (..., K[, D])
        k = self.mixture_logits.shape[-1]
        probs = xp.exp(bk.stop_gradient(self.mixture_logits))
        u = bk.uniform(rng_index, tuple(sample_shape) + self.batch_shape, comp.dtype, self._device)
        cum = xp.cumulative_sum(probs, axis=-1)
        index = xp.sum(xp.astype(u[..., None] >= cum, xp.int32), axis=-1)
        index = xp.clip(index, 0, k - 1)
        onehot = xp.astype(index[..., None] == xp.arange(k, device=self._device), comp.dtype)
        if self.event_ndims:
            z = xp.sum(onehot[..., None] * comp, axis=-2)
            return self._invalid_to_nan(z, event=True)
        return self._invalid_to_nan(xp.sum(onehot * comp, axis=-1))

    def _coordinate_partials(self, log_w, zc, d):
        """{name: (..., K)} partials of coordinate d given log-weights `log_w` (..., K).

        `zc` is the component's value (..., K, D); evaluations come from coordinate d.
        """
        xp, bk = self.xp, self._backend
        comp = self.component
        log_pk = self._lift(comp.log_prob(zc))[..., d]
        cdf_k = self._lift(comp.cdf(zc))[..., d]
        log_w = log_w - bk.logsumexp(log_w, axis=-1, keepdims=True)
        log_joint = log_w + log_pk
        log_p = _logsumexp(bk, log_joint)
        # an infinite mixture density (a Gamma draw that underflowed to 0) pins z: the
        # responsibility is shared by the infinite components and the weights' partial is 0;
        # a zero density (every component's underflowed) gives partials 0, not 0/0
        finite = xp.isfinite(log_p)
        safe_p = xp.where(finite, log_p, xp.zeros_like(log_p))
        top = xp.astype(log_joint == math.inf, log_joint.dtype)
        shared = top / xp.clip(xp.sum(top, axis=-1, keepdims=True), 1.0, None)
        resp = xp.where(finite, xp.exp(xp.where(finite, log_joint - safe_p, log_p)), shared)
        cdf = xp.sum(xp.exp(log_w) * cdf_k, axis=-1, keepdims=True)
        weight = xp.where(finite, xp.exp(log_w - safe_p), xp.zeros_like(log_w))
        out = {"mixture_logits": -weight * (cdf_k - cdf)}
        for name, value in _component_partials(comp, zc).items():
            out[name] = resp * self._lift(value)[..., d]
        return out

    def _partials_at(self, z):
        """{name: (..., K) partials} at scalar-event z (shape sample + batch)."""
        if self.event_ndims:
            raise NotImplementedError(
                "MixtureSameFamily: per-coordinate partials of a factorized mixture depend "
                "on the earlier coordinates; use rsample on torch or jax (autodiff carries "
                "the cross terms)"
            )
        return self._coordinate_partials(self.mixture_logits, self._at(z[..., None]), 0)

    def _draw(self, sample_shape, rng):
        bk = self._backend
        z = self._pick(sample_shape, rng)
        partials = self._partials_at(bk.stop_gradient(z))
        return z, {k: bk.stop_gradient(v) for k, v in partials.items()}

    def _component_param(self, name, d):
        """Component parameter `name` for coordinate d: shape (..., K)."""
        c = self.component
        # ImplicitReparam keeps its parameters on its base: _params() finds them
        value = c._params()[name] if isinstance(c, ImplicitDistribution) else getattr(c, name)
        return value[..., d] if self.event_ndims else value

    def rsample(self, sample_shape=(), *, rng=None):
        xp, bk = self.xp, self._backend
        z = self._rows(self._pick(tuple(sample_shape), rng))  # (..., D), no gradient
        k = self.mixture_logits.shape[-1]
        first = xp.astype(xp.arange(k, device=self._device) == 0, z.dtype)
        names = self.implicit_params[1:]
        coordinates = []
        for d in range(z.shape[-1]):
            if d == 0:
                log_w = self.mixture_logits
            else:  # log-weights of coordinate d given the attached earlier ones
                earlier = xp.concat([xp.stack(coordinates, axis=-1), z[..., d:]], axis=-1)
                log_pk = self._lift(self.component.log_prob(self._at(earlier)))[..., :d]
                log_w = self.mixture_logits + xp.sum(log_pk, axis=-1)
            with_grad = {"mixture_logits": log_w}
            with_grad.update({n: self._component_param(n, d) for n in names})
            partials = self._coordinate_partials(bk.stop_gradient(log_w), self._at(z), d)
            spread = z[..., d : d + 1] * first  # z_d in slot 0: sums back to z_d exactly
            coordinates.append(xp.sum(attach(bk, spread, with_grad, partials), axis=-1))
        return self._unrows(xp.stack(coordinates, axis=-1))

    def sample(self, sample_shape=(), *, rng=None):
        return self._pick(tuple(sample_shape), rng)

    def implicit_partials(self, value):
        return self._partials_at(self._as_value(value))

    # --- densities and moments ----------------------------------------------------------

    def log_prob(self, value):
        value = self._as_value(value)
        bk = self._backend
        xp = self.xp
        zc = self._at(self._rows(value))
        log_pk = self.component.log_prob(zc)
        # where a component's log-density is +-inf (a Gamma draw that underflowed to 0) its
        # gradients are infinite and must not meet the zero weight of the reduction
        # (0 * inf = NaN): those entries are re-evaluated at a safe point (the double where)
        pinned = ~xp.isfinite(bk.stop_gradient(log_pk))
        if bk.is_traced(log_pk) or bool(xp.any(pinned)):
            live = self.component.log_prob(xp.where(pinned, _safe_point(self.component, zc), zc))
            log_pk = xp.where(pinned, bk.stop_gradient(log_pk), live)
        if self.event_ndims:
            log_pk = self.xp.sum(log_pk, axis=-1)
        out = _logsumexp(bk, self.mixture_logits + log_pk)[..., 0]
        return self._invalid_to_nan(out)

    def cdf(self, value):
        if self.event_ndims:
            raise NotImplementedError("MixtureSameFamily.cdf needs scalar events")
        value = self._as_value(value)
        xp = self.xp
        cdf_k = self.component.cdf(self._at(value[..., None]))
        return self._invalid_to_nan(xp.sum(xp.exp(self.mixture_logits) * cdf_k, axis=-1))

    def _weights(self):
        w = self.xp.exp(self.mixture_logits)
        return w[..., None] if self.event_ndims else w

    @property
    def support(self):
        """The components' support (elementwise: a factorized mixture's events lie in its
        product), e.g. positive for Gamma components."""
        return self.component.support

    @property
    def mean(self):
        xp = self.xp
        axis = -2 if self.event_ndims else -1
        return xp.sum(self._weights() * self.component.mean, axis=axis)

    @property
    def variance(self):
        xp = self.xp
        axis = -2 if self.event_ndims else -1
        w, m = self._weights(), self.component.mean
        mean = xp.sum(w * m, axis=axis, keepdims=True)
        return xp.sum(w * (self.component.variance + (m - mean) ** 2), axis=axis)


def _safe_point(component, zc):
    """A value of finite log-density for each component (its mean where finite)."""
    xp, bk = component.xp, component.backend
    try:
        mean = bk.stop_gradient(component.mean)
    except NotImplementedError:
        return bk.stop_gradient(zc)
    # the value may have fewer axes than the batch (a scalar value): broadcast both ways
    shape = broadcast_shapes(tuple(mean.shape), tuple(zc.shape))
    mean = xp.broadcast_to(mean, shape)
    z = xp.broadcast_to(bk.stop_gradient(zc), shape)
    return xp.where(xp.isfinite(mean), mean, z)


def _logsumexp(bk, x):
    """logsumexp over the last axis (kept), +inf where an entry is +inf, with finite
    gradients there (the +inf entries are kept out of the reduction)."""
    xp = bk.xp
    pos = x == math.inf
    out = bk.logsumexp(xp.where(pos, xp.zeros_like(x), x), axis=-1, keepdims=True)
    return xp.where(xp.any(pos, axis=-1, keepdims=True), xp.full_like(out, math.inf), out)


def _weights_ok(xp, raw, name):
    """Per batch member: True where the weights are valid (used to NaN the rest)."""
    if name == "mixture_probs":
        return constraints.simplex.check(xp, raw)
    return constraints.category_logits.check(xp, raw)
