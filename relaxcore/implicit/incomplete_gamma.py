r"""The regularized incomplete gamma P(a, x) and its derivative in a, array-API, fixed length.

Three regimes, each with a fixed number of steps so the code jits and vmaps:

* series (x small against a; for a < 8, x < a + 1, or x < 2 in float64):
  :math:`P = x^a e^{-x} S / \Gamma(a+1)`, :math:`S = \sum_n x^n / ((a+1)\cdots(a+n))`;
* continued fraction (x large against a; for a < 8, the rest), Legendre's
  :math:`Q = x^a e^{-x} C / \Gamma(a)`, :math:`C = 1/(x+1-a-\,1(1-a)/(x+3-a-\,\dots))`,
  evaluated backwards from a fixed depth;
* Temme's uniform expansion for a >= 8 and |eta| <= 1 (DLMF 8.12; coefficients in
  ``_temme_coefficients``, generated exactly).

The implicit partial of ``x ~ Gamma(a, 1)`` is :math:`dx/da = -\partial_a P(a, x) / p(x)`
(Figurnov, Mohamed & Mnih 2018). Divided by the density, each regime loses its
exponential prefactor, so the partial is computed in log space without exp:

.. math:: \frac{d\log x}{da} = -\frac{S(\log x - \psi(a+1)) + S'}{a}
          = C(\log x - \psi(a)) + C' = \frac1a \sum_k e_k(\eta)\,a^{-k},

with :math:`S' = dS/da`, :math:`C' = dC/da`. It is finite when x underflows (alpha << 1).
Functions take ``bk``: a backend (``xp``, ``lgamma``, ``digamma``, ``erfc``).
"""

from __future__ import annotations

import functools
import math

from relaxcore._shapes import broadcast_shapes
from relaxcore.implicit._temme_coefficients import C as _TEMME_C
from relaxcore.implicit._temme_coefficients import E as _TEMME_E

#: fixed step counts for float64 (series terms, fraction depth, Temme orders, Temme degree)
STEPS_FLOAT64 = (40, 40, 15, 28)
#: float32 and lower converge to their precision in fewer steps
STEPS_FLOAT32 = (24, 24, 6, 16)

#: Temme's expansion serves a >= TEMME_MIN_A with |eta| <= TEMME_MAX_ETA
TEMME_MIN_A = 8.0
TEMME_MAX_ETA = 1.0
#: lambda = x / a limits matching |eta| = 1 (lambda - 1 - log lambda = 1/2)
_LAMBDA_LOW = 0.2784645427610738
_LAMBDA_HIGH = 2.1461932206205825


def _regimes(xp, a, x):
    """Boolean masks (series, fraction, temme) partitioning the (a, x) plane."""
    lam = x / a
    big = a >= TEMME_MIN_A
    temme = big & (lam >= _LAMBDA_LOW) & (lam <= _LAMBDA_HIGH)
    # float64 keeps the series to x < 2, where the fraction's fixed depth is short of 1e-14;
    # in float32 the fraction is converged there and the series' cancellation is not
    reach = 2.0 if xp.finfo(x.dtype).eps < 1e-10 else 0.0
    series = (big & (lam < _LAMBDA_LOW)) | (~big & ((x < a + 1.0) | (x < reach)))
    return series, ~(series | temme), temme


def _steps(xp, dtype):
    return STEPS_FLOAT64 if xp.finfo(dtype).eps < 1e-10 else STEPS_FLOAT32


def _series(xp, a, x, terms=None):
    """S and dS/da by a fixed number of terms (x may be 0); `a` an array or a Python float."""
    terms = terms or _steps(xp, x.dtype)[0]
    if not isinstance(a, float):
        return _series_by_terms(xp, a, x, terms)
    # one `a` for every element: S and S' are polynomials in x with scalar coefficients
    # c_n = 1 / ((a+1)...(a+n)) and c_n h_n, h_n = -sum_k<=n 1/(a+k): two Horner chains
    c, ch, h = [1.0], [0.0], 0.0
    for n in range(1, terms + 1):
        h -= 1.0 / (a + n)
        c.append(c[-1] / (a + n))
        ch.append(c[-1] * h)
    s, ds = x * c[terms] + c[terms - 1], x * ch[terms] + ch[terms - 1]
    for n in range(terms - 2, -1, -1):
        s = s * x + c[n]
        ds = ds * x + ch[n]
    return s, ds


def _series_by_terms(xp, a, x, terms):
    term = xp.ones_like(x)
    harmonic = xp.zeros_like(x)
    s, ds = xp.ones_like(x), xp.zeros_like(x)
    for n in range(1, terms + 1):
        inv = 1.0 / (a + float(n))
        term = term * x * inv
        harmonic = harmonic - inv
        s = s + term
        ds = ds + term * harmonic
    return s, ds


def _fraction(xp, a, x, depth=None):
    """C and dC/da, evaluated backwards from a fixed depth (x >= 1 or so); `a` an array or
    a Python float."""
    depth = depth or _steps(xp, x.dtype)[1]
    t = x + ((2.0 * depth + 1.0) - a)
    dt = -xp.ones_like(t)
    for n in range(depth, 0, -1):
        inv = 1.0 / t
        ratio = (float(n) * (a - float(n))) * inv  # a_n / t, a_n = n (a - n), d a_n / da = n
        dt = -1.0 + (float(n) - ratio * dt) * inv
        t = x + ((2.0 * n - 1.0) - a) + ratio
    c = 1.0 / t
    return c, -dt * c * c


def _half_eta_sq(xp, lam):
    """lambda - 1 - log(lambda), accurate near lambda = 1 (where it is (lambda-1)^2 / 2).

    With s = lambda - 1 and t = s / (2 + s): s - log1p(s) = s t - 2 t^3 (1/3 + t^2/5 + ...).
    """
    s = lam - 1.0
    t = s / (2.0 + s)
    t2 = t * t
    acc = xp.zeros_like(t)
    # |t| <= 1/7 where used: t^2j is below float64's eps from j = 10, float32's from j = 5
    for j in range(13 if xp.finfo(lam.dtype).eps < 1e-10 else 5, -1, -1):
        acc = acc * t2 + 1.0 / (2 * j + 3)
    near = s * t - 2.0 * t * t2 * acc
    far = s - xp.log(lam)
    return xp.where(xp.abs(s) < 0.25, near, far)


def _eta(xp, a, x):
    lam = x / a
    h = xp.clip(_half_eta_sq(xp, lam), 0.0, None)
    return xp.where(lam < 1.0, -xp.sqrt(2.0 * h), xp.sqrt(2.0 * h))


def _temme_sum(xp, eta, inv_a, table, orders=None, degree=None):
    """sum_k table_k(eta) a^-k, Horner in eta then in 1/a.

    Order k keeps degree ``degree - k`` in eta: with a >= 8 the higher orders need
    fewer terms, and the shorter chain compiles faster under jit. A Python-float `inv_a`
    folds the orders into one polynomial in eta first.
    """
    _, _, default_orders, default_degree = _steps(xp, eta.dtype)
    orders, degree = orders or default_orders, degree or default_degree
    if isinstance(inv_a, float):
        coefs = [0.0] * (degree + 1)
        for k in range(orders - 1, -1, -1):
            for j, coef in enumerate(table[k][: degree + 1 - k]):
                coefs[j] += coef * inv_a**k
        out = eta * coefs[-1] + coefs[-2]
        for coef in reversed(coefs[:-2]):
            out = out * eta + coef
        return out
    out = xp.zeros_like(eta)
    for k in range(orders - 1, -1, -1):
        poly = xp.zeros_like(eta)
        for coef in reversed(table[k][: degree + 1 - k]):
            poly = poly * eta + coef
        out = out * inv_a + poly
    return out


def _safe(xp, mask, value, fill):
    return xp.where(mask, value, xp.full_like(value, fill))


def _series_log_partial(bk, a, x, log_x):
    s, ds = _series(bk.xp, a, x)
    return -(s * (log_x - bk.digamma(a + 1.0)) + ds) / a


def _fraction_log_partial(bk, a, x):
    c, dc = _fraction(bk.xp, a, x)
    return c * (bk.xp.log(x) - bk.digamma(a)) + dc


def _temme_log_partial(bk, a, x):
    return _temme_sum(bk.xp, _eta(bk.xp, a, x), 1.0 / a, _TEMME_E) / a


#: elements per block in the eager path: a block's temporaries stay in cache
_BLOCK = 1 << 16
#: blocks smaller than this use the fixed step counts (choosing costs more than it saves)
_ADAPT_MIN = 1024
#: truncation error allowed per regime, in units of the dtype's eps
_TOL_EPS = 1.0 / 16


@functools.cache
def _assigns_by_mask(xp):
    """True where arrays take boolean-mask reads and writes (numpy, torch, cupy; not jax)."""
    probe = xp.zeros(2)
    try:
        probe[probe == 0.0] = probe[probe == 0.0] + 1.0
    except (TypeError, NotImplementedError):
        return False
    return True


def _series_terms(a_lo, x_hi, tol, cap):
    """Terms after which every element's series has converged to `tol`.

    Each term x^n / ((a+1)...(a+n)) grows with x and falls with a, so the block's largest
    x and smallest a bound them all; S >= 1, and the tail after term n is at most
    term_n r / (1 - r), r = x / (a + n + 1), times the harmonic sum for S'.
    """
    term, h = 1.0, 0.0
    for n in range(1, cap + 1):
        inv = 1.0 / (a_lo + n)
        term *= x_hi * inv
        h += inv
        r = x_hi / (a_lo + n + 1.0)
        if r < 0.5 and term * 2.0 * r * (1.0 + h + 2.0) <= tol:
            return n
    return cap


def _fraction_value(a, x, depth):
    """C and dC/da of the continued fraction at one point, in Python floats."""
    t, dt = x + 2.0 * depth + 1.0 - a, -1.0
    for n in range(depth, 0, -1):
        ratio = n * (a - n) / t
        dt = -1.0 + (n - ratio * dt) / t
        t = x + 2.0 * n - 1.0 - a + ratio
    return 1.0 / t, -dt / (t * t)


def _fraction_depth(a_range, x_lo, tol, cap):
    """Depth at which the fraction has converged to `tol` at the block's worst points.

    The fraction converges faster the larger x is: the block's smallest x bounds every
    element's error, at the smallest or the largest a of the block (not monotone in a).
    """
    depth = 4
    for a in a_range:
        c, dc = _fraction_value(a, x_lo, cap)
        while depth < cap:
            c_d, dc_d = _fraction_value(a, x_lo, depth)
            if abs(c_d - c) <= tol * c and abs(dc_d - dc) <= tol * c:
                break
            depth += 2
    return min(depth, cap)


def _temme_steps(a_lo, eta_hi, tol, orders_cap, degree_cap):
    """(orders, degree) whose dropped terms sum_kj |e_kj| eta^j a^-k stay below `tol`.

    Order k keeps degree ``degree - k`` (as ``_temme_sum``); e_0(0) = 1 sets the scale.
    """
    powers = [eta_hi**j for j in range(len(_TEMME_E[0]))]
    rows = [[abs(c) * p for c, p in zip(row, powers)] for row in _TEMME_E[:orders_cap]]
    weights = [a_lo ** (-k) for k in range(orders_cap)]
    orders = orders_cap
    while (
        orders > 1
        and sum(sum(r) * w for r, w in zip(rows[orders - 1 :], weights[orders - 1 :])) <= tol / 2
    ):
        orders -= 1
    degree = orders
    while degree < degree_cap:
        dropped = sum(sum(rows[k][degree + 1 - k :]) * weights[k] for k in range(orders))
        if dropped <= tol / 2:
            break
        degree += 1
    return orders, degree


def _scalar_digamma(bk, a, dtype):
    xp = bk.xp
    return float(bk.digamma(xp.asarray(a, dtype=dtype)))


def _eager_series(bk, a, x, log_x):
    xp = bk.xp
    terms = _steps(xp, x.dtype)[0]
    if x.shape[0] >= _ADAPT_MIN:
        a_lo = a if isinstance(a, float) else float(xp.min(a))
        terms = _series_terms(a_lo, float(xp.max(x)), _TOL_EPS * xp.finfo(x.dtype).eps, terms)
    s, ds = _series(xp, a, x, terms)
    if isinstance(a, float):
        return (s * (_scalar_digamma(bk, a + 1.0, x.dtype) - log_x) - ds) * (1.0 / a)
    return -(s * (log_x - bk.digamma(a + 1.0)) + ds) / a


def _eager_fraction(bk, a, x):
    xp = bk.xp
    depth = _steps(xp, x.dtype)[1]
    if x.shape[0] >= _ADAPT_MIN:
        a_range = (a,) if isinstance(a, float) else (float(xp.min(a)), float(xp.max(a)))
        depth = _fraction_depth(a_range, float(xp.min(x)), _TOL_EPS * xp.finfo(x.dtype).eps, depth)
    c, dc = _fraction(xp, a, x, depth)
    if isinstance(a, float):
        return c * (xp.log(x) - _scalar_digamma(bk, a, x.dtype)) + dc
    return c * (xp.log(x) - bk.digamma(a)) + dc


def _eager_temme(bk, a, x):
    xp = bk.xp
    eta = _eta(xp, a, x)
    _, _, orders, degree = _steps(xp, x.dtype)
    if x.shape[0] >= _ADAPT_MIN:
        a_lo = a if isinstance(a, float) else float(xp.min(a))
        eta_hi = float(xp.max(xp.abs(eta)))
        tol = _TOL_EPS * xp.finfo(x.dtype).eps
        orders, degree = _temme_steps(a_lo, eta_hi, tol, orders, degree)
    if isinstance(a, float):  # 1/a folded into the coefficients
        return _temme_sum(
            xp, eta, 1.0 / a, [[c / a for c in row] for row in _TEMME_E], orders, degree
        )
    return _temme_sum(xp, eta, 1.0 / a, _TEMME_E, orders, degree) / a


def _blocked(bk, regime, a, *arrays):
    """``regime(bk, a, *arrays)`` on 1-d arrays (`a` may be a Python float), a block of
    ``_BLOCK`` elements at a time."""
    n = arrays[0].shape[0]
    if n <= _BLOCK:
        return regime(bk, a, *arrays)
    out = bk.xp.empty_like(arrays[0])
    for i in range(0, n, _BLOCK):
        j = min(i + _BLOCK, n)  # the array API leaves out-of-bounds stops unspecified
        block_a = a if isinstance(a, float) else a[i:j]
        out[i:j] = regime(bk, block_a, *(v[i:j] for v in arrays))
    return out


def _scalar_regimes(xp, a: float, x):
    """`_regimes` for one `a` (a Python float): no pass over a broadcast `a`."""
    if a >= TEMME_MIN_A:
        lam = x / a
        series, fraction = lam < _LAMBDA_LOW, lam > _LAMBDA_HIGH
        return series, fraction, ~(series | fraction)
    reach = 2.0 if xp.finfo(x.dtype).eps < 1e-10 else 0.0
    series = x < max(a + 1.0, reach)
    return series, ~series, None


#: at most this many distinct alphas are taken one at a time (as Python floats)
_COLUMNS_MAX = 64


def _columns_of_a(a_shape, shape):
    """m when `a` (shape `a_shape`) holds m (2..``_COLUMNS_MAX``) values that vary along the
    trailing axes of `shape` only, e.g. Dirichlet(alpha of shape (K,)).rsample((n,)):
    `x` then reshapes to (rows, m) with column j drawn at alpha_j. Otherwise None."""
    dims = list(a_shape)
    while dims and dims[0] == 1:
        dims.pop(0)
    m = math.prod(dims)
    if not 1 < m <= _COLUMNS_MAX or tuple(shape[len(shape) - len(dims) :]) != tuple(dims):
        return None
    return m


def _log_partial_by_column(bk, a, x, log_x, shape, m):
    """One scalar-`a` pass per distinct alpha (a polynomial series, Temme's sum with
    folded coefficients, each column's own step counts) instead of one array-`a` pass."""
    xp = bk.xp
    a = xp.reshape(a, (-1,))
    x, log_x = xp.reshape(x, (-1, m)), xp.reshape(log_x, (-1, m))
    out = xp.empty_like(x)
    for j in range(m):
        out[:, j] = _log_partial_by_regime(bk, a[j : j + 1], x[:, j], log_x[:, j])
    return xp.reshape(out, shape)


def _log_partial_by_regime(bk, a, x, log_x):
    """Eager path: each regime computed only on its own elements, gathered by mask.

    Step counts follow each block's range (fewer terms where every element converges
    sooner), and one `a` for the whole batch (Gamma(alpha).rsample(shape)) is passed as a
    Python float, which turns the series and Temme's sum into polynomials in x and eta.
    """
    xp = bk.xp
    dtype = xp.result_type(a, x, log_x)
    a, x, log_x = (xp.astype(v, dtype, copy=False) for v in (a, x, log_x))
    shape = broadcast_shapes(a.shape, x.shape, log_x.shape)
    x, log_x = (xp.reshape(xp.broadcast_to(v, shape), (-1,)) for v in (x, log_x))
    n = x.shape[0]
    columns = _columns_of_a(a.shape, shape)
    if columns is not None and n // columns >= _ADAPT_MIN:
        return _log_partial_by_column(bk, a, x, log_x, shape, columns)
    scalar = None
    if math.prod(a.shape) == 1:
        scalar = float(xp.reshape(a, (-1,))[0])
    else:
        a = xp.reshape(xp.broadcast_to(a, shape), (-1,))
        if n >= _ADAPT_MIN:
            lo = float(xp.min(a))
            scalar = lo if lo == float(xp.max(a)) else None
    if scalar is not None and not scalar > 0:  # invalid: the array path gives its NaN
        scalar, a = None, xp.full_like(x, scalar)
    masks = _regimes(xp, a, x) if scalar is None else _scalar_regimes(xp, scalar, x)
    out = xp.empty_like(x)
    regimes = (
        (_eager_series, (x, log_x)),
        (_eager_fraction, (x,)),
        (_eager_temme, (x,)),
    )
    for mask, (regime, args) in zip(masks, regimes):
        if mask is None:
            continue
        count = int(xp.sum(xp.astype(mask, xp.int64)))
        if count == n:
            out = _blocked(bk, regime, a if scalar is None else scalar, *args)
            break
        if count:
            sub_a = a[mask] if scalar is None else scalar
            out[mask] = _blocked(bk, regime, sub_a, *(v[mask] for v in args))
    return xp.reshape(out, shape)


def gamma_log_partial(bk, a, x, log_x):
    """d log(x) / da for x ~ Gamma(a, 1), given x and log(x) (x may underflow to 0).

    Traced, or on immutable arrays (jax), every regime is computed everywhere under ``where``
    (fixed shapes); eager on numpy, torch, cupy and array_api_strict, each on its own elements.
    """
    xp = bk.xp
    if not any(bk.is_traced(v) for v in (a, x, log_x)) and _assigns_by_mask(xp):
        return _log_partial_by_regime(bk, a, x, log_x)
    series, fraction, temme = _regimes(xp, a, x)
    d_series = _series_log_partial(bk, a, _safe(xp, series, x, 0.0), _safe(xp, series, log_x, 0.0))
    d_fraction = _fraction_log_partial(bk, a, xp.where(fraction, x, a + 2.0))
    at = _safe(xp, temme, a, 2 * TEMME_MIN_A)
    d_temme = _temme_log_partial(bk, at, _safe(xp, temme, x, 2 * TEMME_MIN_A))
    return xp.where(series, d_series, xp.where(fraction, d_fraction, d_temme))


def gamma_partial(bk, a, x):
    """dx/da for x ~ Gamma(a, 1): -dP(a, x)/da / p(x)."""
    xp = bk.xp
    tiny = xp.finfo(x.dtype).smallest_normal
    return x * gamma_log_partial(bk, a, x, xp.log(xp.clip(x, tiny, None)))


def _upper_and_lower(bk, a, x):
    """(P, Q) from the regime where each is computed without cancellation."""
    xp = bk.xp
    series, fraction, temme = _regimes(xp, a, x)
    tiny = xp.finfo(x.dtype).smallest_normal
    log_x = xp.log(xp.clip(x, tiny, None))
    log_pre = a * log_x - x

    s, _ = _series(xp, a, _safe(xp, series, x, 0.0))
    p_series = xp.exp(log_pre - bk.lgamma(a + 1.0)) * s
    p_series = xp.where(x > 0.0, p_series, xp.zeros_like(p_series))

    xf = xp.where(fraction & xp.isfinite(x), x, a + 1.0)
    c, _ = _fraction(xp, a, xf)
    q_fraction = xp.exp(a * xp.log(xf) - xf - bk.lgamma(a)) * c
    q_fraction = xp.where(xp.isfinite(x), q_fraction, xp.zeros_like(q_fraction))

    at = _safe(xp, temme, a, 2 * TEMME_MIN_A)
    eta = _eta(xp, at, _safe(xp, temme, x, 2 * TEMME_MIN_A))
    tail = xp.exp(-0.5 * at * eta * eta) / xp.sqrt(2 * math.pi * at)
    q_temme = 0.5 * bk.erfc(eta * xp.sqrt(0.5 * at)) + tail * _temme_sum(
        xp, eta, 1.0 / at, _TEMME_C
    )

    p = xp.where(series, p_series, xp.where(fraction, 1.0 - q_fraction, 1.0 - q_temme))
    q = xp.where(series, 1.0 - p_series, xp.where(fraction, q_fraction, q_temme))
    return p, q


def gammainc(bk, a, x):
    """Regularized lower incomplete gamma P(a, x) (scipy.special.gammainc)."""
    return _upper_and_lower(bk, a, x)[0]


def gammaincc(bk, a, x):
    """Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), without cancellation."""
    return _upper_and_lower(bk, a, x)[1]
