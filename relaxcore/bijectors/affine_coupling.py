"""Affine coupling layer: RealNVP (Dinh, Sohl-Dickstein and Bengio 2017)."""

from __future__ import annotations

from relaxcore.bijectors._mlp import constants, init_mlp, mlp
from relaxcore.bijectors.bijector import Bijector
from relaxcore.distribution import promote_params


class AffineCoupling(Bijector):
    r"""RealNVP coupling on vectors: the entries where ``mask`` is 1 pass through and
    condition an affine map of the others,

    .. math:: y = m\odot x + (1-m)\odot\bigl(x\,e^{s(m\odot x)} + t(m\odot x)\bigr),
              \qquad \log|\det J| = \sum_i (1-m_i)\,s_i,

    where ``(t, s_raw) = MLP(m * x)`` (2D outputs) and ``s = bound * tanh(s_raw / bound)``
    keeps scales within exp(+-bound). The inverse is as cheap as the forward.

    Args:
        mask: D entries, 0 or 1 (a Python sequence).
        params: MLP weights ``[W1, b1, ..., WL, bL]``, arrays of the user's framework
            (``AffineCoupling.init_params`` makes them); trained by the user's optimizer.
        log_scale_bound: the soft bound on |s|.
    """

    event_ndims_in = 1
    event_ndims_out = 1

    param_shape = ()  # the weights act on the event: no batch axes

    def __init__(self, mask, params, *, log_scale_bound: float = 5.0):
        bk, self._dtype, device, p = promote_params(dict(enumerate(params)))
        self._backend, self.params = bk, list(p.values())
        self.mask_list = [float(m) for m in mask]
        self.log_scale_bound = float(log_scale_bound)
        d = len(self.mask_list)
        if self.params[0].shape[0] != d or self.params[-1].shape[0] != 2 * d:
            raise ValueError(
                f"AffineCoupling: params must map {d} inputs to {2 * d} outputs; got "
                f"{tuple(self.params[0].shape)} ... {tuple(self.params[-1].shape)}"
            )
        # the conditioner runs on the fixed entries only and emits the free ones' (t, s):
        # rows of W1 and columns of WL, bL that the masked formula multiplies by zero are
        # left out; output entry i reads x_i (fixed) or entry d + k of [x, y_free] (free)
        fixed = [i for i, m in enumerate(self.mask_list) if m]
        free = [i for i, m in enumerate(self.mask_list) if not m]
        merge = [i if m else d + free.index(i) for i, m in enumerate(self.mask_list)]
        lists = (fixed, free, free + [d + i for i in free], merge)
        self._fixed, self._free, self._out_cols, self._merge = constants(
            bk,
            ("coupling", tuple(self.mask_list), str(device)),
            lambda: [bk.xp.asarray(ix, dtype=bk.xp.int32, device=device) for ix in lists],
        )

    @staticmethod
    def init_params(
        event_size: int, hidden_sizes=(64, 64), *, rng=None, backend="numpy", dtype=None
    ):
        """Conditioner weights that make the layer the identity (last layer zero)."""
        sizes = [event_size, *hidden_sizes, 2 * event_size]
        return init_mlp(sizes, rng=rng, backend=backend, dtype=dtype)

    def _split(self, xp, x):
        """``(x_free, shift, log_scale)``: the free entries and their affine parameters."""
        axis = x.ndim - 1
        p = list(self.params)
        p[0] = xp.take(p[0], self._fixed, axis=0)
        p[-2] = xp.take(p[-2], self._out_cols, axis=1)
        p[-1] = xp.take(p[-1], self._out_cols, axis=0)
        out = mlp(xp, p, xp.take(x, self._fixed, axis=axis))
        k, bound = self._free.shape[0], self.log_scale_bound
        log_scale = bound * xp.tanh(out[..., k:] / bound)
        return xp.take(x, self._free, axis=axis), out[..., :k], log_scale

    def _merge_free(self, xp, x, z_free):
        return xp.take(xp.concat([x, z_free], axis=-1), self._merge, axis=x.ndim - 1)

    def forward_and_log_det(self, x):
        bk, x = self._array(x)
        xp = bk.xp
        x_free, shift, log_scale = self._split(xp, x)
        y = self._merge_free(xp, x, x_free * xp.exp(log_scale) + shift)
        return y, xp.sum(log_scale, axis=-1)

    def inverse_and_log_det(self, y):
        bk, y = self._array(y)
        xp = bk.xp
        y_free, shift, log_scale = self._split(xp, y)
        x = self._merge_free(xp, y, (y_free - shift) * xp.exp(-log_scale))
        return x, -xp.sum(log_scale, axis=-1)

    def __repr__(self):
        return f"AffineCoupling(mask={[int(m) for m in self.mask_list]})"
