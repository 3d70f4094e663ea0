"""Monotone rational-quadratic spline: neural spline flows (Durkan et al. 2019)."""

from __future__ import annotations

from relaxcore import constraints
from relaxcore._shapes import broadcast_shapes
from relaxcore._typing import Array, ArrayLike, Shape
from relaxcore.bijectors.bijector import Bijector
from relaxcore.distribution import compute_dtype


def spline_knots(
    bk,
    bin_widths: Array,
    bin_heights: Array,
    knot_slopes: Array,
    bound: Array,
    min_bin_size,
    min_slope,
):
    """Knot positions ``(xs, ys)`` and slopes ``ds``, each of shape (..., K + 1), from the
    unconstrained parameters: widths and heights ``2B (m + (1 - K m) softmax(.))`` (each bin
    at least a fraction m of the interval), interior slopes ``m' + softplus(.)``, boundary
    slopes 1. The end knots are exactly -B and B."""
    xp = bk.xp
    k = bin_widths.shape[-1]

    def positions(raw):
        frac = min_bin_size + (1 - min_bin_size * k) * bk.softmax(raw, axis=-1)
        inner = -bound + 2 * bound * xp.cumulative_sum(frac[..., :-1], axis=-1)
        end = xp.ones_like(frac[..., :1]) * bound
        return xp.concat([-end, inner, end], axis=-1)

    interior = min_slope + bk.softplus(knot_slopes)
    one = xp.ones_like(interior[..., :1])
    ds = xp.concat([one, interior, one], axis=-1)
    return positions(bin_widths), positions(bin_heights), ds


def _select(xp, onehot, zero, a):
    """The entry of `a` (..., K) in each element's bin (``onehot``): a gather by `where`, so
    only the taken entry gets a gradient."""
    return xp.sum(xp.where(onehot, a, zero), axis=-1)


def _bin(xp, v, knots):
    """One-hot (..., K) of the bin of each `v` among ``knots`` (..., K + 1); the last bin
    holds its right end."""
    ge = v[..., None] >= knots[..., 1:-1]
    true = xp.ones_like(ge[..., :1])
    ge = xp.concat([true, ge, ~true], axis=-1)
    return ge[..., :-1] & ~ge[..., 1:]


def rational_quadratic(bk, v, knots, bound: Array, inverse: bool):
    r"""The spline at `v` (forward, or its inverse), identity outside [-bound, bound].

    In bin k with :math:`s = h_k/w_k`, :math:`\xi = (x - x_k)/w_k` and slopes
    :math:`d_k, d_{k+1}` (Durkan et al. 2019, eq. 4 and 5),

    .. math:: y = y_k + \frac{h_k(s\xi^2 + d_k\xi(1-\xi))}{s + (d_{k+1} + d_k - 2s)\xi(1-\xi)},
              \qquad \frac{dy}{dx} = \frac{s^2(d_{k+1}\xi^2 + 2s\xi(1-\xi) + d_k(1-\xi)^2)}
              {(s + (d_{k+1} + d_k - 2s)\xi(1-\xi))^2};

    the inverse takes the root :math:`\xi = 2c / (-b - \sqrt{b^2 - 4ac})` of the quadratic
    (eq. 6-8). Both branches are computed on inputs moved into the interval (0 outside), then
    selected: the untaken branch is finite, so gradients are finite everywhere (at, inside
    and beyond the bound), and the log-det outside is exactly 0. ``xi`` is not clipped to
    [0, 1] (it is there up to rounding): a clip's derivative at its end is 1/2 in JAX,
    which would halve dy/dx at the knots.
    """
    xp = bk.xp
    xs, ys, ds = knots
    inside = (v >= -bound) & (v <= bound)
    safe = xp.where(inside, v, xp.zeros_like(v))
    onehot = _bin(xp, safe, ys if inverse else xs)
    zero = xp.zeros_like(xs[..., :1])
    x_k, x_k1 = _select(xp, onehot, zero, xs[..., :-1]), _select(xp, onehot, zero, xs[..., 1:])
    y_k, y_k1 = _select(xp, onehot, zero, ys[..., :-1]), _select(xp, onehot, zero, ys[..., 1:])
    d_k, d_k1 = _select(xp, onehot, zero, ds[..., :-1]), _select(xp, onehot, zero, ds[..., 1:])
    w, h = x_k1 - x_k, y_k1 - y_k
    s = h / w
    curve = d_k1 + d_k - 2 * s
    if inverse:
        dy = safe - y_k
        a = h * (s - d_k) + dy * curve
        b = h * d_k - dy * curve
        c = -s * dy
        root = xp.sqrt(xp.clip(b * b - 4 * a * c, 0.0, None))
        xi = 2 * c / (-b - root)
        out = x_k + xi * w
    else:
        xi = (safe - x_k) / w
    t = xi * (1 - xi)
    denom = s + curve * t
    if not inverse:
        out = y_k + h * (s * xi * xi + d_k * t) / denom
    log_slope = (
        2 * xp.log(s)
        + xp.log(d_k1 * xi * xi + 2 * s * t + d_k * (1 - xi) * (1 - xi))
        - 2 * xp.log(denom)
    )
    log_det = -log_slope if inverse else log_slope
    out = xp.where(inside, out, v)
    return out, xp.where(inside, log_det, xp.zeros_like(log_det))


class RationalQuadraticSpline(Bijector):
    r"""Monotone rational-quadratic spline on [-bound, bound], identity outside.

    K bins: unconstrained ``bin_widths`` and ``bin_heights`` of shape (..., K) go through a
    softmax (and a floor of ``min_bin_size`` of the interval per bin), the K - 1 interior
    ``knot_slopes`` (..., K - 1) through softplus (plus ``min_slope``); the boundary slopes
    are 1, so the map and its derivative are continuous at +-bound. Elementwise: the
    parameters' leading axes broadcast against the input. See ``rational_quadratic`` for
    the formulas (Durkan, Bekasov, Murray and Papamakarios 2019, "Neural Spline Flows").

    Outside the interval ``y = x`` with log-det exactly 0; the spline branch is evaluated
    on sanitized inputs there, so gradients stay finite at, inside and beyond the bound
    (the bug reported in flowjax #239, bayesflow #721, nflows #23, pyro #3139, sbi #373).

    float16 and bfloat16 are computed in float32 and returned in their dtype (in half
    precision two knots a few units in the last place apart would give a bin of width 0).
    """

    bin_heights: Array
    bin_widths: Array
    knot_slopes: Array

    def __init__(
        self,
        bin_widths: ArrayLike,
        bin_heights: ArrayLike,
        knot_slopes: ArrayLike,
        bound: float,
        *,
        min_bin_size: float = 1e-3,
        min_slope: float = 1e-3,
        validate_args: bool = True,
        backend: str | None = None,
    ) -> None:
        p = self._set_params(
            {"bin_widths": bin_widths, "bin_heights": bin_heights, "knot_slopes": knot_slopes},
            backend,
        )
        self.bound, self.min_bin_size, self.min_slope = (
            float(bound),
            float(min_bin_size),
            float(min_slope),
        )
        k = int(p["bin_widths"].shape[-1]) if p["bin_widths"].ndim else 0
        shapes = {name: tuple(v.shape[-1:]) for name, v in p.items()}
        if shapes != {"bin_widths": (k,), "bin_heights": (k,), "knot_slopes": (k - 1,)} or k < 1:
            raise ValueError(
                "RationalQuadraticSpline: bin_widths and bin_heights must end in K >= 1 bins "
                f"and knot_slopes in K - 1; got last axes {shapes}"
            )
        if not self.bound > 0:
            raise ValueError(f"RationalQuadraticSpline: bound must be > 0; got {bound}")
        if not 0 <= self.min_bin_size * k < 1:
            raise ValueError(
                f"RationalQuadraticSpline: min_bin_size must be in [0, 1/K) = [0, {1 / k:.4g}); "
                f"got {min_bin_size}"
            )
        if not self.min_slope >= 0:
            raise ValueError(f"RationalQuadraticSpline: min_slope must be >= 0; got {min_slope}")
        if validate_args:
            for name, value in p.items():
                self._check(name, value, constraints.finite)

    @property
    def param_shape(self) -> Shape | None:
        return broadcast_shapes(
            *(tuple(v.shape[:-1]) for v in (self.bin_widths, self.bin_heights, self.knot_slopes))
        )

    def _apply(self, v, name, inverse):
        """The spline (or its inverse) at `v`, computed in float32 for half precisions and
        returned in the dtype of `v` and the parameters promoted together."""
        bk, v = self._array(v, name)
        xp = bk.xp
        dtype = xp.result_type(v.dtype, self.bin_widths.dtype)
        up = compute_dtype(xp, dtype)

        def cast(a, to):
            return a if a.dtype == to else xp.astype(a, to)

        w, h, d = (cast(p, up) for p in (self.bin_widths, self.bin_heights, self.knot_slopes))
        knots = spline_knots(bk, w, h, d, self.bound, self.min_bin_size, self.min_slope)
        out, log_det = rational_quadratic(bk, cast(v, up), knots, self.bound, inverse)
        return cast(out, dtype), cast(log_det, dtype)

    def forward_and_log_det(
        self, x: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        return self._apply(x, "x", inverse=False)

    def inverse_and_log_det(
        self, y: Array, *, condition: Array | None = None
    ) -> tuple[Array, Array]:
        return self._apply(y, "y", inverse=True)

    def is_increasing(self) -> bool:
        return True

    def __repr__(self):
        return (
            f"RationalQuadraticSpline(bins={self.bin_widths.shape[-1]}, bound={self.bound}, "
            f"batch {self.param_shape})"
        )
