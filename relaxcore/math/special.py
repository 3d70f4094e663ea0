"""Special functions written once against the Python Array API standard (2023.12).

Every function takes the array namespace first (``lgamma(xp, x)``), uses only
functions of the standard, and works element-wise:

* dtype is preserved (float32 -> float32, float64 -> float64); floating inputs of
  fewer than 32 bits (float16, bfloat16) are computed in float32 and cast back;
  integer inputs are computed in float64;
* no Python loop runs over elements and no Python branch depends on data, so the
  functions trace under ``jax.jit`` (the only loops are fixed loops over the
  coefficients of a series);
* piecewise definitions evaluate every branch on a *safe* argument (one inside that
  branch's domain) and pick with ``xp.where``, so the branch not taken never makes an
  inf or nan that would poison the gradient of the one that is.

The float64 accuracy (relative error against SciPy/mpmath, measured by
``tests/test_math_special.py``) is about 1e-15 or better everywhere except where the
function itself is ill-conditioned (e.g. ``digamma`` near its negative zeros).
"""

from __future__ import annotations

import math

__all__ = [
    "HALF_LOG_2PI",
    "lgamma",
    "digamma",
    "erf",
    "erfc",
    "ndtr",
    "log_ndtr",
    "ndtri",
    "xlogy",
    "i0e",
    "i1e",
    "log1mexp",
]

_LOG_PI = math.log(math.pi)
#: log sqrt(2 pi), the normalizer of the standard normal log density
HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT1_2 = math.sqrt(0.5)
_LN2 = math.log(2.0)


# --------------------------------------------------------------------------- helpers


def _is_array(x):
    return hasattr(x, "dtype") and hasattr(x, "shape")


def _float_input(xp, x):
    """`x` as a floating array in the working dtype, and the dtype to return."""
    if not _is_array(x):
        x = xp.asarray(x)
    dtype = x.dtype
    if not xp.isdtype(dtype, "real floating"):
        if xp.isdtype(dtype, "complex floating"):
            raise TypeError("special functions are defined here for real arrays only")
        dtype = xp.float64
        x = xp.astype(x, dtype)
    if xp.finfo(dtype).bits < 32:
        x = xp.astype(x, xp.float32)
    return x, dtype


def _float_pair(xp, x, y):
    """Two arguments as arrays of one common floating working dtype, and the output dtype."""
    x_is_array = _is_array(x)
    y_is_array = _is_array(y)
    if x_is_array and not y_is_array:
        x, dtype = _float_input(xp, x)
        y = _const(xp, x, y)
    elif y_is_array and not x_is_array:
        y, dtype = _float_input(xp, y)
        x = _const(xp, y, x)
    else:
        x, dx = _float_input(xp, x)
        y, dy = _float_input(xp, y)
        dtype = xp.result_type(dx, dy)
        work = xp.result_type(x.dtype, y.dtype)
        x = xp.astype(x, work)
        y = xp.astype(y, work)
    return x, y, dtype


def _out(xp, y, dtype):
    return y if y.dtype == dtype else xp.astype(y, dtype)


def _const(xp, like, value):
    """A constant array shaped, typed and placed like `like`."""
    return xp.full_like(like, value)


def _horner(xp, x, coeffs):
    """Polynomial with `coeffs` given from the highest degree down, by Horner's rule."""
    acc = _const(xp, x, coeffs[0])
    for c in coeffs[1:]:
        acc = acc * x + c
    return acc


def _chbevl(xp, x, coeffs):
    """Cephes' ``chbevl``: Chebyshev series at ``x`` in [-2, 2] (Clenshaw recurrence).

    `coeffs` runs from the highest degree down; the constant term is halved.
    """
    b0 = _const(xp, x, coeffs[0])
    b1 = xp.zeros_like(x)
    b2 = b1
    for c in coeffs[1:]:
        b2 = b1
        b1 = b0
        b0 = x * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _keep_nan(xp, x, y):
    """`y`, with nan wherever the input `x` is nan (the branch selection would drop it)."""
    return xp.where(xp.isnan(x), x, y)


def _exp_neg_sq(xp, y, half=False):
    """exp(-y**2) (or exp(-y**2/2) when `half`) for y >= 0 without the error of squaring.

    Cody's splitting: y = ys + (y - ys) with ys = floor(16 y)/16, so y**2 = ys**2 +
    (y - ys)(y + ys) where ys**2 is exact; exp(-ys**2) * exp(-del) then carries only
    the rounding of the exponentials. (Rounding y**2 itself would cost a relative
    error of y**2 * eps, about 1e-13 at y = 26.) `y` must be finite.
    """
    ys = xp.floor(y * 16.0) / 16.0
    big = ys * ys
    small = (y - ys) * (y + ys)
    if half:
        big = 0.5 * big
        small = 0.5 * small
    return xp.exp(-big) * xp.exp(-small)


# ------------------------------------------------------------------- log-gamma


# lgamma(2 + t) = (1 - euler_gamma) t + sum_{k>=2} (-1)^k (zeta(k) - 1) / k t^k,
# |t| <= 1/2 (Abramowitz & Stegun 6.1.33 with log(1 + t) folded in); coefficients
# of t^28 .. t^1 (highest first), from mpmath at 40 digits.
_LGAMMA2_SERIES = (
    1.3304764374244489481e-10,
    -2.7595228851242331452e-10,
    5.7313672416788620133e-10,
    -1.1921401405860912074e-09,
    2.4836745438024783172e-09,
    -5.1834750419700466551e-09,
    1.0838659214896954091e-08,
    -2.2711094608943164910e-08,
    4.7698101693639805658e-08,
    -1.0043224823968099609e-07,
    2.1207184805554665869e-07,
    -4.4924691987645660433e-07,
    9.5514121304074198329e-07,
    -2.0392157538013662368e-06,
    4.3748667899074878042e-06,
    -9.4394882752683959040e-06,
    2.0507212775670691553e-05,
    -4.4926236738133141700e-05,
    9.9457512781808533715e-05,
    -2.2315475845357937976e-04,
    5.0966952474304242234e-04,
    -1.1927539117032609771e-03,
    2.8905103307415232858e-03,
    -7.3855510286739852663e-03,
    2.0580808427784547879e-02,
    -6.7352301053198095133e-02,
    3.2246703342411321824e-01,
    4.2278433509846713939e-01,
)

# Stirling's series: lgamma(x) = (x - 1/2) log x - x + log(2 pi)/2
#   + sum_k B_2k / (2k (2k - 1) x^(2k-1)), k = 8 .. 1 (highest first), in w = 1/x^2.
_STIRLING = (
    -3617.0 / 122400.0,
    1.0 / 156.0,
    -691.0 / 360360.0,
    1.0 / 1188.0,
    -1.0 / 1680.0,
    1.0 / 1260.0,
    -1.0 / 360.0,
    1.0 / 12.0,
)

_LGAMMA_STIRLING_FROM = 10.0
_LGAMMA_MAX_SHIFT = 8  # floor(10 - 1.5)


def _lgamma2(xp, t):
    """lgamma(2 + t) for |t| <= 1/2 by its Taylor series."""
    return t * _horner(xp, t, _LGAMMA2_SERIES)


def _lgamma_nonneg(xp, y):
    """lgamma(y) for y >= -1/2 (y = +inf allowed)."""
    # Stirling's series for y >= 10.
    big = y >= _LGAMMA_STIRLING_FROM
    ys = xp.where(big, y, _const(xp, y, _LGAMMA_STIRLING_FROM))
    w = 1.0 / ys
    # (y - 1/2) log y - y = (y - 1/2)(log y - 1) - 1/2, which stays finite at y = inf.
    stirling = (ys - 0.5) * (xp.log(ys) - 1.0) + (HALF_LOG_2PI - 0.5)
    stirling = stirling + w * _horner(xp, w * w, _STIRLING)

    # 1.5 <= y < 10: recur down by n = floor(y - 1.5) <= 8 steps to 2 + t, |t| <= 1/2:
    # lgamma(y) = lgamma(2 + t) + log((y - 1)(y - 2)...(y - n)); every factor > 1.
    mid_region = (y >= 1.5) & (y < _LGAMMA_STIRLING_FROM)
    ym = xp.where(mid_region, y, _const(xp, y, 2.0))
    n = xp.floor(ym - 1.5)
    t_mid = (ym - n) - 2.0  # exact
    prod = xp.ones_like(ym)
    for k in range(1, _LGAMMA_MAX_SHIFT + 1):
        prod = prod * xp.where(n >= k, ym - k, xp.ones_like(ym))
    mid = _lgamma2(xp, t_mid) + xp.log(prod)

    # -1/2 <= y < 3/2: lgamma(1 + t) = lgamma(2 + t) - log1p(t) with t = y - 1 (exact),
    # and below 1/2 lgamma(y) = lgamma(1 + y) - log|y| with t = y, so tiny y keeps
    # full relative accuracy (lgamma(1e-30) = 69.07...).
    yl = xp.where(y < 1.5, y, _const(xp, y, 1.0))
    tiny = yl < 0.5
    t_low = xp.where(tiny, yl, yl - 1.0)
    y_log = xp.where(tiny, xp.abs(yl), xp.ones_like(yl))
    low = _lgamma2(xp, t_low) - xp.log1p(t_low) - xp.log(y_log)

    return xp.where(big, stirling, xp.where(mid_region, mid, low))


def lgamma(xp, x):
    """log|Gamma(x)| for real x (scipy.special.gammaln).

    * x >= 10: Stirling's asymptotic series with 8 terms (Abramowitz & Stegun 6.1.40);
    * 3/2 <= x < 10: the recurrence Gamma(x) = (x - 1) Gamma(x - 1) applied a fixed
      (masked) 8 times down to x = 2 + t, |t| <= 1/2, then the Taylor series of
      lgamma(2 + t) in (zeta(k) - 1) (A&S 6.1.33), 28 terms;
    * -1/2 <= x < 3/2: the same series with lgamma(x) = lgamma(x + 1) - log|x|, so
      the zeros at 1 and 2 and tiny x keep full relative accuracy;
    * x < -1/2: the reflection lgamma(x) = log(pi) - log|sin(pi x)| - lgamma(1 - x),
      with sin(pi x) reduced exactly to [0, pi/2].

    Poles (0, -1, -2, ...) give +inf.
    """
    x, dtype = _float_input(xp, x)
    neg = x < -0.5
    y = xp.where(neg, 1.0 - x, x)
    core = _lgamma_nonneg(xp, y)

    xr = xp.where(neg & xp.isfinite(x), x, _const(xp, x, -0.75))
    frac = xr - xp.floor(xr)  # exact, in [0, 1)
    red = xp.minimum(frac, 1.0 - frac)  # |sin(pi x)| = sin(pi red), red in [0, 1/2]
    reflected = _LOG_PI - xp.log(xp.sin(math.pi * red)) - core

    out = xp.where(neg, reflected, core)
    out = xp.where(xp.isinf(x), _const(xp, x, math.inf), out)
    return _out(xp, _keep_nan(xp, x, out), dtype)


# -------------------------------------------------------------------- digamma


# Positive zero of digamma, split into a double and the rest, and the Taylor
# coefficients psi^(n)(x0)/n! = (-1)^(n+1) zeta(n + 1, x0), n = 26 .. 1 (from mpmath).
_PSI_ROOT_HI = 1.4616321449683622
_PSI_ROOT_LO = 9.549995429965697e-17
# The same split for float32 arithmetic (HI exactly representable in float32).
_PSI_ROOT_HI32 = 1.4616321325302124
_PSI_ROOT_LO32 = 1.2438149938918909e-08
_PSI_ROOT_SERIES = (
    -3.5430070947659604e-05,
    5.178575795222081e-05,
    -7.569179582195066e-05,
    1.106337276874741e-04,
    -1.6170622091974803e-04,
    2.3635601564027053e-04,
    -3.454680251063077e-04,
    5.04953265834602e-04,
    -7.380709389960052e-04,
    1.0788252019162967e-03,
    -1.5769367714301972e-03,
    2.305126326734928e-03,
    -3.369801655439328e-03,
    4.926781395729853e-03,
    -7.204534386356869e-03,
    1.0538791616612175e-02,
    -1.542476590494896e-02,
    2.2597648232218104e-02,
    -3.316112647484736e-02,
    4.880428816414311e-02,
    -7.219956125645471e-02,
    1.0782405069126237e-01,
    -1.6394270544240652e-01,
    2.58499760955651e-01,
    -4.427631689835921e-01,
    9.676722454476212e-01,
)
_PSI_ROOT_RADIUS = 0.3

# psi(z) ~ log z - 1/(2z) - sum_k B_2k / (2k z^2k), k = 8 .. 1 (highest first), in 1/z^2.
_PSI_ASYMPTOTIC = (
    3617.0 / 8160.0,
    -1.0 / 12.0,
    691.0 / 32760.0,
    -1.0 / 132.0,
    1.0 / 240.0,
    -1.0 / 252.0,
    1.0 / 120.0,
    -1.0 / 12.0,
)
_PSI_ASYMPTOTIC_FROM = 10.0
_PSI_SHIFT = 10


def _digamma_nonneg(xp, y):
    """digamma(y) for y >= 0 (y = +inf allowed; y = 0 gives -inf)."""
    # psi(y) = psi(y + 10) - sum_{k<10} 1/(y + k) below 10, asymptotic series above.
    shift = y < _PSI_ASYMPTOTIC_FROM
    ya = xp.where(shift, y, xp.ones_like(y))
    recip = 1.0 / ya  # not 1/(ya + 0): ya + 0 turns -0.0 into +0.0
    for k in range(1, _PSI_SHIFT):
        recip = recip + 1.0 / (ya + k)
    z = xp.where(shift, ya + _PSI_SHIFT, y)
    w = 1.0 / z
    asym = xp.log(z) - 0.5 * w + (w * w) * _horner(xp, w * w, _PSI_ASYMPTOTIC)
    out = asym - xp.where(shift, recip, xp.zeros_like(recip))

    # Near the zero x0 = 1.4616... the recurrence cancels; a Taylor series about x0
    # keeps the relative accuracy.
    if xp.finfo(y.dtype).bits <= 32:
        hi, lo = _PSI_ROOT_HI32, _PSI_ROOT_LO32
    else:
        hi, lo = _PSI_ROOT_HI, _PSI_ROOT_LO
    near = xp.abs(y - hi) <= _PSI_ROOT_RADIUS
    yr = xp.where(near, y, _const(xp, y, hi))
    d = (yr - hi) - lo  # y - hi is exact
    root = d * _horner(xp, d, _PSI_ROOT_SERIES)
    return xp.where(near, root, out)


def digamma(xp, x):
    """psi(x) = d/dx log Gamma(x) for real x (scipy.special.psi).

    * x >= 10: asymptotic series log x - 1/(2x) - sum B_2k / (2k x^2k), 8 terms
      (Abramowitz & Stegun 6.3.18);
    * 0 <= x < 10: the recurrence psi(x) = psi(x + 10) - sum_{k=0}^{9} 1/(x + k)
      (A&S 6.3.5, a fixed 10 steps), then the series;
    * |x - x0| <= 0.3 around the positive zero x0 = 1.46163...: Taylor series in
      Hurwitz zeta values, psi(x) = sum_n (-1)^(n+1) zeta(n + 1, x0) (x - x0)^n,
      26 terms, so the zero keeps full relative accuracy (as in SciPy);
    * x < 0: the reflection psi(x) = psi(1 - x) - pi cot(pi x) (A&S 6.3.7) with the
      argument of cot reduced exactly to [-pi/2, pi/2]; nan at the poles 0 > x in Z.

    psi(+0) = -inf and psi(-0) = +inf, as in SciPy.
    """
    x, dtype = _float_input(xp, x)
    neg = x < 0.0
    y = xp.where(neg, 1.0 - x, x)
    core = _digamma_nonneg(xp, y)

    xr = xp.where(neg & xp.isfinite(x), x, _const(xp, x, -0.25))
    frac = xr - xp.floor(xr)  # exact, in [0, 1)
    red = xp.where(frac > 0.5, frac - 1.0, frac)  # cot(pi x) = cot(pi red)
    pole = red == 0.0
    red = xp.where(pole, _const(xp, x, 0.25), red)
    cot = xp.cos(math.pi * red) / xp.sin(math.pi * red)
    reflected = xp.where(pole, _const(xp, x, math.nan), core - math.pi * cot)

    out = xp.where(neg, reflected, core)
    out = xp.where(x == -math.inf, _const(xp, x, math.nan), out)
    return _out(xp, _keep_nan(xp, x, out), dtype)


# -------------------------------------------------------------- error functions


# W. J. Cody, "Rational Chebyshev approximations for the error function",
# Math. Comp. 23 (1969) 631-637; coefficients of Netlib SPECFUN CALERF.
# erf(x) = x P(x^2)/Q(x^2) for |x| <= 0.46875.
_ERF_P = (
    1.85777706184603153e-1,
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
)
_ERF_Q = (
    1.0,
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
# erfc(x) = exp(-x^2) P(x)/Q(x) for 0.46875 <= x <= 4.
_ERFC_P = (
    2.15311535474403846e-8,
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
)
_ERFC_Q = (
    1.0,
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
# erfc(x) = exp(-x^2)/x (1/sqrt(pi) - w P(w)/Q(w)), w = 1/x^2, for x > 4.
_ERFC_ASYM_P = (
    1.63153871373020978e-2,
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
)
_ERFC_ASYM_Q = (
    1.0,
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_ERF_SPLIT = 0.46875
_ERFC_MID_END = 4.0
_ERFC_ZERO_FROM = 27.5  # erfc underflows to 0 beyond about 26.6 (float64)
_ONE_OVER_SQRT_PI = 1.0 / math.sqrt(math.pi)


def _erf_small(xp, x):
    """erf(x) for |x| <= 0.46875 (Cody's first interval); x is clipped there."""
    xs = xp.clip(x, -_ERF_SPLIT, _ERF_SPLIT)
    z = xs * xs
    return xs * _horner(xp, z, _ERF_P) / _horner(xp, z, _ERF_Q)


def _erfcx_big(xp, y):
    """exp(y^2) erfc(y) for y >= 0.46875 (Cody's second and third intervals).

    `y` may be anything >= 0.46875 including +inf (giving 0); smaller values are
    clipped.
    """
    y = xp.maximum(y, _const(xp, y, _ERF_SPLIT))
    ym = xp.minimum(y, _const(xp, y, _ERFC_MID_END))
    mid = _horner(xp, ym, _ERFC_P) / _horner(xp, ym, _ERFC_Q)
    ya = xp.maximum(y, _const(xp, y, _ERFC_MID_END))
    w = 1.0 / (ya * ya)
    asym = (
        _ONE_OVER_SQRT_PI - w * _horner(xp, w, _ERFC_ASYM_P) / _horner(xp, w, _ERFC_ASYM_Q)
    ) / ya
    return xp.where(y <= _ERFC_MID_END, mid, asym)


def _erfc_big(xp, y, scale_x=None):
    """erfc(y) for y >= 0.46875; exp(-y^2) is formed by Cody's exact splitting.

    With `scale_x` given (y = |scale_x| / sqrt(2) rounded), the exponential is formed
    from scale_x instead, as exp(-scale_x^2 / 2), so the rounding of y does not enter it.
    """
    r = _erfcx_big(xp, y)
    if scale_x is None:
        e = _exp_neg_sq(xp, xp.minimum(y, _const(xp, y, _ERFC_ZERO_FROM)))
    else:
        a = xp.minimum(xp.abs(scale_x), _const(xp, scale_x, _ERFC_ZERO_FROM * math.sqrt(2.0)))
        e = _exp_neg_sq(xp, a, half=True)
    return e * r


def erf(xp, x):
    """The error function erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt.

    W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969; Netlib
    CALERF): x P(x^2)/Q(x^2) for |x| <= 0.46875, and 1 - erfc(|x|) with the sign of x
    beyond.
    """
    x, dtype = _float_input(xp, x)
    y = xp.abs(x)
    small = y <= _ERF_SPLIT
    big = 1.0 - _erfc_big(xp, y)
    out = xp.where(small, _erf_small(xp, x), xp.where(x < 0.0, -big, big))
    return _out(xp, _keep_nan(xp, x, out), dtype)


def erfc(xp, x):
    """The complementary error function erfc(x) = 1 - erf(x), accurate in the tail.

    W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969; Netlib
    CALERF): 1 - erf(x) for |x| <= 0.46875; exp(-x^2) P(x)/Q(x) on (0.46875, 4];
    exp(-x^2)/x (1/sqrt(pi) - P(1/x^2)/(x^2 Q(1/x^2))) beyond, with exp(-x^2) formed
    by Cody's exact splitting of x^2; erfc(x) = 2 - erfc(-x) for x < 0.
    """
    x, dtype = _float_input(xp, x)
    y = xp.abs(x)
    small = y <= _ERF_SPLIT
    big = _erfc_big(xp, y)
    out = xp.where(small, 1.0 - _erf_small(xp, x), xp.where(x < 0.0, 2.0 - big, big))
    return _out(xp, _keep_nan(xp, x, out), dtype)


def ndtr(xp, x):
    """The standard normal CDF Phi(x) = erfc(-x / sqrt(2)) / 2.

    Uses ``erfc``'s approximations, with the factor exp(-x^2/2) formed from x itself
    (Cody's exact splitting) rather than from the rounded x/sqrt(2), so the lower tail
    keeps ~1e-15 relative accuracy down to x = -37.5.
    """
    x, dtype = _float_input(xp, x)
    z = -x * _SQRT1_2
    y = xp.abs(z)
    small = y <= _ERF_SPLIT
    big = 0.5 * _erfc_big(xp, y, scale_x=x)
    out = xp.where(small, 0.5 - 0.5 * _erf_small(xp, z), xp.where(z > 0.0, big, 1.0 - big))
    return _out(xp, _keep_nan(xp, x, out), dtype)


def log_ndtr(xp, x):
    """log Phi(x), accurate in both tails.

    * x >= 0: log1p(-Phi(-x));
    * -0.66 < x < 0: log(Phi(x)) with Phi from ``erf``;
    * x <= -0.66: log Phi(x) = -x^2/2 + log(erfcx(-x/sqrt(2)) / 2), where erfcx is
      Cody's scaled rational approximation (asymptotic form P(1/z^2)/Q(1/z^2) for
      z = -x/sqrt(2) > 4). This does the job of the usual asymptotic series for
      x < -20 without its truncation error, and never under- or overflows
      (log_ndtr(-40) = -804.6084420137538).
    """
    x, dtype = _float_input(xp, x)
    pos = x >= 0.0
    xpos = xp.where(pos, x, xp.zeros_like(x))
    upper = xp.log1p(-ndtr(xp, -xpos))

    xn = xp.where(pos, _const(xp, x, -1.0), x)
    z = -xn * _SQRT1_2  # > 0
    small = z <= _ERF_SPLIT
    mid = xp.log(0.5 - 0.5 * _erf_small(xp, z))
    zb = xp.where(small, _const(xp, z, 1.0), z)
    tail = -0.5 * (xn * xn) + xp.log(0.5 * _erfcx_big(xp, zb))
    lower = xp.where(small, mid, tail)

    out = xp.where(pos, upper, lower)
    return _out(xp, _keep_nan(xp, x, out), dtype)


# Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
# Appl. Statist. 37 (1988) 477-484 (PPND16).
_AS241_A = (
    2.5090809287301226727e03,
    3.3430575583588128105e04,
    6.7265770927008700853e04,
    4.5921953931549871457e04,
    1.3731693765509461125e04,
    1.9715909503065514427e03,
    1.3314166789178437745e02,
    3.3871328727963666080e00,
)
_AS241_B = (
    5.2264952788528545610e03,
    2.8729085735721942674e04,
    3.9307895800092710610e04,
    2.1213794301586595867e04,
    5.3941960214247511077e03,
    6.8718700749205790830e02,
    4.2313330701600911252e01,
    1.0,
)
_AS241_C = (
    7.74545014278341407640e-4,
    2.27238449892691845833e-2,
    2.41780725177450611770e-1,
    1.27045825245236838258e00,
    3.64784832476320460504e00,
    5.76949722146069140550e00,
    4.63033784615654529590e00,
    1.42343711074968357734e00,
)
_AS241_D = (
    1.05075007164441684324e-9,
    5.47593808499534494600e-4,
    1.51986665636164571966e-2,
    1.48103976427480074590e-1,
    6.89767334985100004550e-1,
    1.67638483018380384940e00,
    2.05319162663775882187e00,
    1.0,
)
_AS241_E = (
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    1.24266094738807843860e-3,
    2.65321895265761230930e-2,
    2.96560571828504891230e-1,
    1.78482653991729133580e00,
    5.46378491116411436990e00,
    6.65790464350110377720e00,
)
_AS241_F = (
    2.04426310338993978564e-15,
    1.42151175831644588870e-7,
    1.84631831751005468180e-5,
    7.86869131145613259100e-4,
    1.48753612908506148525e-2,
    1.36929880922735805310e-1,
    5.99832206555887937690e-1,
    1.0,
)


def ndtri(xp, p):
    """The inverse of the standard normal CDF, Phi^-1(p) for p in [0, 1].

    Wichura's AS 241 PPND16 (Appl. Statist. 37, 1988), rational approximations
    accurate to about 1e-16: q P(r)/Q(r), r = 0.180625 - q^2 for |q| = |p - 1/2| <=
    0.425; otherwise, with r = sqrt(-log(min(p, 1 - p))), a rational function of
    r - 1.6 (r <= 5) or of r - 5 (r > 5), signed like q. ndtri(0) = -inf,
    ndtri(1) = +inf, nan outside [0, 1].
    """
    p, dtype = _float_input(xp, p)
    q = p - 0.5
    central = xp.abs(q) <= 0.425
    qc = xp.where(central, q, xp.zeros_like(q))
    rc = 0.180625 - qc * qc
    val_c = qc * _horner(xp, rc, _AS241_A) / _horner(xp, rc, _AS241_B)

    inside = (p > 0.0) & (p < 1.0)
    tail = inside & ~central
    pt = xp.where(tail, xp.minimum(p, 1.0 - p), _const(xp, p, 0.01))
    r = xp.sqrt(-xp.log(pt))
    near = r <= 5.0
    rn = xp.where(near, r, _const(xp, r, 5.0)) - 1.6
    rf = xp.where(near, _const(xp, r, 5.0), r) - 5.0
    val_t = xp.where(
        near,
        _horner(xp, rn, _AS241_C) / _horner(xp, rn, _AS241_D),
        _horner(xp, rf, _AS241_E) / _horner(xp, rf, _AS241_F),
    )
    val_t = xp.where(q < 0.0, -val_t, val_t)

    out = xp.where(central, val_c, val_t)
    out = xp.where(p == 0.0, _const(xp, p, -math.inf), out)
    out = xp.where(p == 1.0, _const(xp, p, math.inf), out)
    out = xp.where(central | inside | (p == 0.0) | (p == 1.0), out, _const(xp, p, math.nan))
    return _out(xp, out, dtype)


# ------------------------------------------------------------ miscellaneous


def xlogy(xp, x, y):
    """x * log(y), defined as 0 where x == 0 and y is not nan (scipy.special.xlogy)."""
    x, y, dtype = _float_pair(xp, x, y)
    zero = (x == 0.0) & ~xp.isnan(y)
    ys = xp.where(zero, xp.ones_like(y), y)
    out = x * xp.log(ys)
    out = xp.where(zero, xp.zeros_like(out), out)
    return _out(xp, out, dtype)


def log1mexp(xp, x):
    """log(1 - exp(x)) for x <= 0, without cancellation.

    Maechler (2012), "Accurately computing log(1 - exp(-|a|))": log(-expm1(x)) for
    x > -log 2 and log1p(-exp(x)) otherwise. log1mexp(0) = -inf; nan for x > 0.
    """
    x, dtype = _float_input(xp, x)
    near = x > -_LN2
    xa = xp.where(near, x, _const(xp, x, -1.0))
    xb = xp.where(near, _const(xp, x, -1.0), x)
    out = xp.where(near, xp.log(-xp.expm1(xa)), xp.log1p(-xp.exp(xb)))
    return _out(xp, out, dtype)


# Cephes i0.c / i1.c (S. L. Moshier): Chebyshev coefficients of exp(-x) I0(x) and
# exp(-x) I1(x)/x on [0, 8] (in x/2 - 2), and of exp(-x) sqrt(x) I0(x),
# exp(-x) sqrt(x) I1(x) on (8, inf) (in 32/x - 2).
_I0E_A = (
    -4.41534164647933937950e-18,
    3.33079451882223809783e-17,
    -2.43127984654795469359e-16,
    1.71539128555513303061e-15,
    -1.16853328779934516808e-14,
    7.67618549860493561688e-14,
    -4.85644678311192946090e-13,
    2.95505266312963983461e-12,
    -1.72682629144155570723e-11,
    9.67580903537323691224e-11,
    -5.18979560163526290666e-10,
    2.65982372468238665035e-9,
    -1.30002500998624804212e-8,
    6.04699502254191894932e-8,
    -2.67079385394061173391e-7,
    1.11738753912010371815e-6,
    -4.41673835845875056359e-6,
    1.64484480707288970893e-5,
    -5.75419501008210370398e-5,
    1.88502885095841655729e-4,
    -5.76375574538582365885e-4,
    1.63947561694133579842e-3,
    -4.32430999505057594430e-3,
    1.05464603945949983183e-2,
    -2.37374148058994688156e-2,
    4.93052842396707084878e-2,
    -9.49010970480476444210e-2,
    1.71620901522208775349e-1,
    -3.04682672343198398683e-1,
    6.76795274409476084995e-1,
)
_I0E_B = (
    -7.23318048787475395456e-18,
    -4.83050448594418207126e-18,
    4.46562142029675999901e-17,
    3.46122286769746109310e-17,
    -2.82762398051658348494e-16,
    -3.42548561967721913462e-16,
    1.77256013305652638360e-15,
    3.81168066935262242075e-15,
    -9.55484669882830764870e-15,
    -4.15056934728722208663e-14,
    1.54008621752140982691e-14,
    3.85277838274214270114e-13,
    7.18012445138366623367e-13,
    -1.79417853150680611778e-12,
    -1.32158118404477131188e-11,
    -3.14991652796324136454e-11,
    1.18891471078464383424e-11,
    4.94060238822496958910e-10,
    3.39623202570838634515e-9,
    2.26666899049817806459e-8,
    2.04891858946906374183e-7,
    2.89137052083475648297e-6,
    6.88975834691682398426e-5,
    3.36911647825569408990e-3,
    8.04490411014108831608e-1,
)
_I1E_A = (
    2.77791411276104639959e-18,
    -2.11142121435816608115e-17,
    1.55363195773620046921e-16,
    -1.10559694773538630805e-15,
    7.60068429473540693410e-15,
    -5.04218550472791168711e-14,
    3.22379336594557470981e-13,
    -1.98397439776494371520e-12,
    1.17361862988909016308e-11,
    -6.66348972350202774223e-11,
    3.62559028155211703701e-10,
    -1.88724975172282928790e-9,
    9.38153738649577178388e-9,
    -4.44505912879632808065e-8,
    2.00329475355213526229e-7,
    -8.56872026469545474066e-7,
    3.47025130813767847674e-6,
    -1.32731636560394358279e-5,
    4.78156510755005422638e-5,
    -1.61760815825896745588e-4,
    5.12285956168575772895e-4,
    -1.51357245063125314899e-3,
    4.15642294431288815669e-3,
    -1.05640848946261981558e-2,
    2.47264490306265168283e-2,
    -5.29459812080949914269e-2,
    1.02643658689847095384e-1,
    -1.76416518357834055153e-1,
    2.52587186443633654823e-1,
)
_I1E_B = (
    7.51729631084210481353e-18,
    4.41434832307170791151e-18,
    -4.65030536848935832153e-17,
    -3.20952592199342395980e-17,
    2.96262899764595013876e-16,
    3.30820231092092828324e-16,
    -1.88035477551078244854e-15,
    -3.81440307243700780478e-15,
    1.04202769841288027642e-14,
    4.27244001671195135429e-14,
    -2.10154184277266431302e-14,
    -4.08355111109219731823e-13,
    -7.19855177624590851209e-13,
    2.03562854414708950722e-12,
    1.41258074366137813316e-11,
    3.25260358301548823856e-11,
    -1.89749581235054123450e-11,
    -5.58974346219658380687e-10,
    -3.83538038596423702205e-9,
    -2.63146884688951950684e-8,
    -2.51223623787020892529e-7,
    -3.88256480887769039346e-6,
    -1.10588938762623716291e-4,
    -9.76109749136146840777e-3,
    7.78576235018280120474e-1,
)


def _bessel_scaled(xp, x, coeffs_small, coeffs_big):
    """(series on [0, 8] at |x|, series on (8, inf) divided by sqrt|x|, |x| <= 8)."""
    ax = xp.abs(x)
    small = ax <= 8.0
    a_small = xp.minimum(ax, _const(xp, ax, 8.0))
    s = _chbevl(xp, 0.5 * a_small - 2.0, coeffs_small)
    a_big = xp.maximum(ax, _const(xp, ax, 8.0))
    b = _chbevl(xp, 32.0 / a_big - 2.0, coeffs_big) / xp.sqrt(a_big)
    return s, b, small


def i0e(xp, x):
    """Exponentially scaled modified Bessel function of order 0, exp(-|x|) I0(x).

    Cephes ``i0e`` (S. L. Moshier): Chebyshev expansions of exp(-x) I0(x) on [0, 8]
    (30 terms) and of exp(-x) sqrt(x) I0(x) on (8, inf) (25 terms).
    """
    x, dtype = _float_input(xp, x)
    s, b, small = _bessel_scaled(xp, x, _I0E_A, _I0E_B)
    out = xp.where(small, s, b)
    return _out(xp, _keep_nan(xp, x, out), dtype)


def i1e(xp, x):
    """Exponentially scaled modified Bessel function of order 1, exp(-|x|) I1(x).

    Cephes ``i1e`` (S. L. Moshier): Chebyshev expansions of exp(-x) I1(x)/x on [0, 8]
    (29 terms) and of exp(-x) sqrt(x) I1(x) on (8, inf) (25 terms); odd in x.
    """
    x, dtype = _float_input(xp, x)
    s, b, small = _bessel_scaled(xp, x, _I1E_A, _I1E_B)
    # x * s is odd by itself, so the gradient at 0 is the true 1/2.
    out = xp.where(small, x * s, xp.where(x < 0.0, -b, b))
    return _out(xp, _keep_nan(xp, x, out), dtype)


#: psi(y) ~ log y - 1/(2y) - sum_k B_2k / (2k y^2k): the coefficients B_2k / (2k), k = 1..5
_DIGAMMA_ASYMPTOTIC = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132)


def digamma_difference(xp, x, h):
    """psi(x + h) - psi(x) for x > 0, h >= 0, without the cancellation of the difference.

    psi(0.01 + 100) - psi(100) loses three digits when subtracted (in float32 that is a
    3e-3 relative error). Instead: ``n`` recurrence steps, each the exact difference
    h / ((x + i)(x + h + i)), then the asymptotic series at y = x + n, whose differences
    1/y^m - 1/(y + h)^m = h S_m / (y^m (y + h)^m), S_m = sum_j y^j (y + h)^(m-1-j), have no
    cancellation either: log1p(h/y) + h/(2 y (y+h)) + sum_k B_2k/(2k) h S_2k/(y (y+h))^2k.
    """
    x, dtype = _float_input(xp, x)
    h = xp.astype(h, x.dtype) if hasattr(h, "dtype") else xp.full_like(x, h)
    n = 16 if x.dtype == xp.float64 else 6
    acc = xp.zeros_like(x)
    for i in range(n):
        acc = acc + h / ((x + i) * (x + h + i))
    y = x + n
    yh = y + h
    out = acc + xp.log1p(h / y) + h / (2.0 * y * yh)
    iy, iyh = 1.0 / y, 1.0 / yh  # S_m / (y yh)^m = sum_j iy^(m-j) iyh^(j+1): no overflow
    for k, coef in enumerate(_DIGAMMA_ASYMPTOTIC, start=1):
        m = 2 * k
        s = xp.zeros_like(y)
        for j in range(m):
            s = s + iy ** (m - j) * iyh ** (j + 1)
        out = out + coef * h * s
    return _out(xp, out, dtype)
