"""Generate gamma_reference.json: the implicit partial of Gamma(alpha, 1) at 50 digits (mpmath).

For each alpha and quantile q, z is the exact q-quantile of Gamma(alpha, 1); the row stores,
for float64 and float32 separately, alpha and z rounded to that dtype (log z as well, for
the points where z underflows) and, at those rounded values exactly,

    dz/dalpha = -(dP(alpha, z)/dalpha) / p(z | alpha)   and   dlog(z)/dalpha,

with dP/dalpha by mpmath.diff of mpmath.gammainc and the density from mpmath.loggamma.
Run ``python tests/data/make_gamma_reference.py`` (about a minute) to rewrite the table.
"""

import json
from pathlib import Path

import mpmath as mp
import numpy as np

mp.mp.dps = 50
ALPHAS = ["1e-4", "1e-3", "1e-2", "0.1", "0.5", "1", "2.5", "7.5", "10", "50", "200", "1e3", "1e4"]
QUANTILES = ["1e-6", "1e-3", "0.05", "0.25", "0.5", "0.75", "0.95", "0.999", "0.999999"]


def quantile(alpha, q):
    """Solve P(alpha, z) = q by Newton's method in u = log z (Q = 1 - q in the upper half)."""
    from scipy.special import gammaincinv

    guess = float(gammaincinv(float(alpha), float(q)))
    u = mp.log(guess) if guess > 0 else mp.log(q * mp.gamma(alpha + 1)) / alpha
    upper = q > mp.mpf("0.5")
    for _ in range(200):
        z = mp.exp(u)
        if upper:
            f = (1 - q) - mp.gammainc(alpha, z, mp.inf, regularized=True)
        else:
            f = mp.gammainc(alpha, 0, z, regularized=True) - q
        slope = mp.exp(alpha * u - z - mp.loggamma(alpha))  # dP/du = p(z) z
        step = f / slope
        u -= step
        if abs(step) < mp.mpf(10) ** -45 * max(1, abs(u)):
            return mp.exp(u)
    raise RuntimeError(f"no convergence at alpha={alpha}, q={q}")


def log_partial(alpha, log_z):
    """d log z / d alpha at (alpha, z = exp(log_z)), exactly as given."""
    z = mp.exp(log_z)
    dp = mp.diff(lambda a: mp.gammainc(a, 0, z, regularized=True), alpha)
    log_density = (alpha - 1) * log_z - z - mp.loggamma(alpha)
    return -dp / mp.exp(log_density + log_z)


def main():
    rows = []
    for a_text in ALPHAS:
        for q_text in QUANTILES:
            z = quantile(mp.mpf(a_text), mp.mpf(q_text))
            row = {"alpha": a_text, "q": q_text, "z": mp.nstr(z, 30)}
            for name, dtype in (("float64", np.float64), ("float32", np.float32)):
                alpha_d = dtype(float(mp.mpf(a_text)))
                z_d = dtype(float(z))
                underflow = not np.isfinite(np.log(z_d)) or z_d < np.finfo(dtype).smallest_normal
                log_z_d = dtype(float(mp.log(z)))
                at = mp.mpf(float(alpha_d))
                exact_log_z = mp.mpf(float(log_z_d)) if underflow else mp.log(mp.mpf(float(z_d)))
                dlog = log_partial(at, exact_log_z)
                row[name] = {
                    "alpha": float(alpha_d),
                    "z": float(z_d),
                    "log_z": float(log_z_d) if underflow else float(np.log(np.float64(z_d))),
                    "underflow": bool(underflow),
                    "dlogz_dalpha": mp.nstr(dlog, 25),
                    "dz_dalpha": mp.nstr(dlog * mp.exp(exact_log_z), 25),
                }
            rows.append(row)
            print(a_text, q_text, row["float64"]["dz_dalpha"], row["float32"]["underflow"])
    out = Path(__file__).with_name("gamma_reference.json")
    out.write_text(json.dumps({"dps": 50, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
