"""Affine coupling layer: RealNVP (Dinh, Sohl-Dickstein and Bengio 2017)."""

from __future__ import annotations

from relaxcore.bijectors._mlp import init_mlp, mlp
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

    def __init__(self, mask, params, *, log_scale_bound: float = 5.0):
        bk, self._dtype, device, p = promote_params(dict(enumerate(params)))
        self._backend, self.params = bk, list(p.values())
        self.mask_list = [float(m) for m in mask]
        self._mask = bk.xp.asarray(self.mask_list, dtype=self._dtype, device=device)
        self.log_scale_bound = float(log_scale_bound)
        d = len(self.mask_list)
        if self.params[0].shape[0] != d or self.params[-1].shape[0] != 2 * d:
            raise ValueError(
                f"AffineCoupling: params must map {d} inputs to {2 * d} outputs; got "
                f"{tuple(self.params[0].shape)} ... {tuple(self.params[-1].shape)}"
            )

    @staticmethod
    def init_params(
        event_size: int, hidden_sizes=(64, 64), *, rng=None, backend="numpy", dtype=None
    ):
        """Conditioner weights that make the layer the identity (last layer zero)."""
        sizes = [event_size, *hidden_sizes, 2 * event_size]
        return init_mlp(sizes, rng=rng, backend=backend, dtype=dtype)

    def _shift_and_log_scale(self, xp, x_fixed):
        d = len(self.mask_list)
        out = mlp(xp, self.params, x_fixed)
        bound = self.log_scale_bound
        log_scale = bound * xp.tanh(out[..., d:] / bound) * (1 - self._mask)
        return out[..., :d] * (1 - self._mask), log_scale

    def forward_and_log_det(self, x):
        bk, x = self._array(x)
        xp = bk.xp
        x_fixed = x * self._mask
        shift, log_scale = self._shift_and_log_scale(xp, x_fixed)
        y = x_fixed + (1 - self._mask) * x * xp.exp(log_scale) + shift
        return y, xp.sum(log_scale, axis=-1)

    def inverse_and_log_det(self, y):
        bk, y = self._array(y)
        xp = bk.xp
        y_fixed = y * self._mask
        shift, log_scale = self._shift_and_log_scale(xp, y_fixed)
        x = y_fixed + (1 - self._mask) * (y - shift) * xp.exp(-log_scale)
        return x, -xp.sum(log_scale, axis=-1)

    def __repr__(self):
        return f"AffineCoupling(mask={[int(m) for m in self.mask_list]})"
