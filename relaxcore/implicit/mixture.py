r"""MixtureSameFamily: 1-D mixtures with implicit gradients through the mixture CDF.

For :math:`F(z) = \sum_k w_k F_k(z)`, :math:`p(z) = \sum_k w_k p_k(z)` and
:math:`w = \mathrm{softmax}(l)`, the implicit partials (Figurnov et al. 2018, section 3.5) are

.. math:: \frac{\partial z}{\partial\theta_k} = r_k(z)\,\frac{\partial z_k}{\partial\theta_k},
          \qquad \frac{\partial z}{\partial l_k} = -\frac{w_k\,(F_k(z) - F(z))}{p(z)},

with responsibilities :math:`r_k = w_k p_k(z)/p(z)` and the component's own partial
:math:`\partial z_k/\partial\theta_k` at z (its ``implicit_partials``; closed form for Normal).
The component's last batch dimension indexes the K components; events are scalars.
Partials come back shaped ``sample_shape + batch_shape + (K,)``, one entry per component.
"""

from __future__ import annotations

from relaxcore.distribution import Distribution
from relaxcore.distributions.normal import Normal
from relaxcore.implicit._protocol import ImplicitDistribution, attach


def _component_partials(component, z):
    """{name: dz/dtheta} of `component` (batch (..., K)) at z (shaped like its samples)."""
    if isinstance(component, ImplicitDistribution):
        return component.implicit_partials(z)
    if isinstance(component, Normal):
        xp = component.xp
        return {"loc": xp.ones_like(z), "scale": (z - component.loc) / component.scale}
    raise TypeError(f"MixtureSameFamily: no implicit partials for {type(component).__name__}")


class MixtureSameFamily(ImplicitDistribution):
    """Mixture of the K distributions in `component`'s last batch dimension.

    Args:
        component: a relaxcore distribution with scalar events and batch shape (..., K):
            an implicit one (Gamma, Beta, StudentT, VonMises...) or Normal.
        mixture_logits / mixture_probs: the K mixing weights (exactly one of the two).
    """

    def __init__(self, component, mixture_logits=None, mixture_probs=None, *, validate_args=None):
        if (mixture_logits is None) == (mixture_probs is None):
            raise ValueError("MixtureSameFamily: pass exactly one of mixture_logits, mixture_probs")
        if not isinstance(component, Distribution) or component.event_shape != ():
            raise ValueError(
                "MixtureSameFamily: component must be a distribution with scalar events"
            )
        if not (isinstance(component, (ImplicitDistribution, Normal))):
            raise TypeError(
                f"MixtureSameFamily: no implicit partials for {type(component).__name__}"
            )
        if not component.batch_shape:
            raise ValueError(
                "MixtureSameFamily: component needs a batch dimension indexing components"
            )
        bk, xp = component.backend, component.xp
        logits = mixture_logits if mixture_logits is not None else xp.log(mixture_probs)
        if not hasattr(logits, "dtype"):
            logits = xp.asarray(logits, dtype=component.dtype)
        super().__init__(
            bk, component.dtype, component._device, component.batch_shape[:-1], (), validate_args
        )
        if logits.shape[-1] != component.batch_shape[-1]:
            raise ValueError(
                f"MixtureSameFamily: {logits.shape[-1]} mixture weights for "
                f"{component.batch_shape[-1]} components"
            )
        self.component = component
        self.mixture_logits = xp.broadcast_to(
            bk.log_softmax(logits, axis=-1), component.batch_shape
        )
        self.implicit_params = (
            ("mixture_logits", *component.implicit_params)
            if isinstance(component, ImplicitDistribution)
            else ("mixture_logits", "loc", "scale")
        )

    def _after_unflatten(self) -> None:
        self._batch_shape = self.component.batch_shape[:-1]

    def expand(self, batch_shape):
        """The mixture broadcast to `batch_shape`: the component to batch_shape + (K,)."""
        batch_shape = tuple(int(n) for n in batch_shape)
        k = self.component.batch_shape[-1]
        new = object.__new__(type(self))
        vars(new).update(vars(self))
        new.component = self.component.expand(batch_shape + (k,))
        new.mixture_logits = self.xp.broadcast_to(self.mixture_logits, batch_shape + (k,))
        new._batch_shape = batch_shape
        return new

    def _params(self):
        out = {"mixture_logits": self.mixture_logits}
        out.update({k: getattr(self.component, k) for k in self.implicit_params[1:]})
        return out

    def _pick(self, sample_shape, rng):
        """Draw component indices and component samples; return z (no gradient)."""
        xp, bk = self.xp, self._backend
        rng_index, rng_comp = bk.split_rng(bk.as_rng(rng, self._device), 2)
        comp = self.component.sample(sample_shape, rng=rng_comp)  # (..., K)
        k = comp.shape[-1]
        probs = xp.exp(bk.stop_gradient(self.mixture_logits))
        u = bk.uniform(rng_index, tuple(sample_shape) + self.batch_shape, comp.dtype, self._device)
        index = xp.sum(
            xp.astype(u[..., None] >= xp.cumulative_sum(probs, axis=-1), xp.int32), axis=-1
        )
        index = xp.clip(index, 0, k - 1)
        onehot = xp.astype(index[..., None] == xp.arange(k), comp.dtype)
        return xp.sum(onehot * comp, axis=-1)

    def _partials_at(self, z):
        """{name: (..., K) partials} at z (shape sample + batch)."""
        xp, bk = self.xp, self._backend
        comp = self.component
        zk = z[..., None]
        logits = bk.stop_gradient(self.mixture_logits)
        log_pk = comp.log_prob(zk)
        log_joint = logits + log_pk
        log_p = bk.logsumexp(log_joint, axis=-1, keepdims=True)
        resp = xp.exp(log_joint - log_p)
        cdf_k = comp.cdf(zk)
        w = xp.exp(logits)
        cdf = xp.sum(w * cdf_k, axis=-1, keepdims=True)
        out = {"mixture_logits": -xp.exp(logits - log_p) * (cdf_k - cdf)}
        for name, value in _component_partials(comp, zk).items():
            out[name] = resp * value
        return out

    def _draw(self, sample_shape, rng):
        z = self._pick(sample_shape, rng)
        return z, self._partials_at(z)

    def rsample(self, sample_shape=(), *, rng=None):
        xp = self.xp
        z, partials = self._draw(tuple(sample_shape), rng)
        k = self.component.batch_shape[-1]
        first = xp.astype(xp.arange(k) == 0, z.dtype)
        spread = z[..., None] * first  # z in slot 0, zeros elsewhere: sums back to z exactly
        return xp.sum(attach(self._backend, spread, self._params(), partials), axis=-1)

    def sample(self, sample_shape=(), *, rng=None):
        return self._pick(tuple(sample_shape), rng)

    def implicit_partials(self, value):
        return self._partials_at(self._as_value(value))

    def log_prob(self, value):
        value = self._as_value(value)
        bk = self._backend
        joint = self.mixture_logits + self.component.log_prob(value[..., None])
        return bk.logsumexp(joint, axis=-1)

    def cdf(self, value):
        value = self._as_value(value)
        xp = self.xp
        return xp.sum(xp.exp(self.mixture_logits) * self.component.cdf(value[..., None]), axis=-1)

    @property
    def mean(self):
        xp = self.xp
        return xp.sum(xp.exp(self.mixture_logits) * self.component.mean, axis=-1)

    @property
    def variance(self):
        xp = self.xp
        w = xp.exp(self.mixture_logits)
        m = self.component.mean
        mean = xp.sum(w * m, axis=-1, keepdims=True)
        return xp.sum(w * (self.component.variance + (m - mean) ** 2), axis=-1)
