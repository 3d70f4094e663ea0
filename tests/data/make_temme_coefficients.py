"""Generate relaxcore/implicit/_temme_coefficients.py: Temme's uniform expansion, exactly.

Temme (1979), DLMF 8.12: with lambda = x/a, mu = lambda - 1 and
eta = sign(mu) sqrt(2 (mu - log(1 + mu))),

    Q(a, x) = erfc(eta sqrt(a/2)) / 2 + exp(-a eta^2/2) / sqrt(2 pi a) * sum_k c_k(eta) a^-k,
    c_0 = 1/mu - 1/eta,   c_k = c_{k-1}'(eta) / eta + (-1)^k gamma_k / mu,

gamma_k the Stirling coefficients of Gamma*(a) = Gamma(a) e^a a^-a sqrt(a / 2 pi).
Differentiating at fixed x and dividing by the density gives the implicit partial

    dx/da = lambda * sum_k e_k(eta) a^-k,   e_k = sum_j gamma_j d_{k-j},
    d_0 = mu/eta - eta/2 + (mu - eta^2/2) c_0,
    d_k = (mu - eta^2/2) c_k - c_{k-1}/2 - (mu/eta) c_{k-1}' - (k-1) c_{k-1}.

Everything is a power series in eta computed in exact rational arithmetic; run
``python tests/data/make_temme_coefficients.py`` to rewrite the module.
"""

from fractions import Fraction as Fr
from math import comb
from pathlib import Path

M = 72  # power-series degree carried in eta (each order in 1/a costs two)
K = 14  # terms of the expansion in 1/a
KEEP = 36  # degrees written out (|eta| <= 0.9 needs about 30)


def mul(p, q):
    out = [Fr(0)] * (M + 4)
    for i, pi in enumerate(p):
        if pi:
            for j, qj in enumerate(q[: M + 4 - i]):
                out[i + j] += pi * qj
    return out


def inv(p):
    """1/p for p[0] != 0."""
    out = [Fr(0)] * (M + 4)
    out[0] = 1 / p[0]
    for n in range(1, M + 4):
        out[n] = -sum(p[k] * out[n - k] for k in range(1, min(n, len(p) - 1) + 1)) / p[0]
    return out


def deriv(p):
    return [k * p[k] for k in range(1, len(p))] + [Fr(0)]


def mu_series():
    """mu(eta) with eta^2/2 = mu - log(1 + mu), by fixed-point on mu = eta * r(mu)."""
    # mu - log(1+mu) = mu^2 * g(mu), g = 1/2 - mu/3 + mu^2/4 - ...; so eta = mu sqrt(2 g(mu)).
    # Invert by iterating the series coefficients (Lagrange-free, degree by degree).
    mu = [Fr(0), Fr(1)] + [Fr(0)] * (M + 2)
    for _ in range(M + 3):
        powers = [[Fr(1)] + [Fr(0)] * (M + 3)]
        for _n in range(M + 6):
            powers.append(mul(powers[-1], mu))
        # f(mu) = sum_{n>=2} (-1)^n mu^n / n ; residual f(mu) - eta^2/2
        f = [Fr(0)] * (M + 4)
        for n in range(2, M + 6):
            for i, c in enumerate(powers[n]):
                f[i] += Fr((-1) ** n, n) * c
        f[2] -= Fr(1, 2)
        # Newton step: mu -= f / f'(mu), f'(mu) = mu / (1 + mu) ~ eta near 0; use mu/(1+mu)
        fp = mul(mu, inv([Fr(1) + mu[0]] + mu[1:]))
        # divide by eta: shift both
        num, den = f[1:] + [Fr(0)], fp[1:] + [Fr(0)]
        step = mul(num, inv(den))
        new = [m - s for m, s in zip(mu, step)]
        if new == mu:
            break
        mu = new
    return mu[: M + 4]


def bernoulli(n):
    b = [Fr(1)]
    for m in range(1, n + 1):
        b.append(-sum(comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return b


def stirling_gammas(k_max):
    """gamma_k of Gamma*(a) ~ sum gamma_k a^-k, from exp(sum B_2n / (2n (2n-1) a^(2n-1)))."""
    b = bernoulli(2 * k_max + 2)
    log_series = [Fr(0)] * (k_max + 1)
    for n in range(1, k_max + 1):
        if 2 * n - 1 <= k_max:
            log_series[2 * n - 1] = b[2 * n] / (2 * n * (2 * n - 1))
    out = [Fr(1)] + [Fr(0)] * k_max
    term = [Fr(1)] + [Fr(0)] * k_max
    for j in range(1, k_max + 1):
        new = [Fr(0)] * (k_max + 1)
        for i, t in enumerate(term):
            for m, s in enumerate(log_series):
                if i + m <= k_max:
                    new[i + m] += t * s
        term = [t / j for t in new]
        out = [o + t for o, t in zip(out, term)]
    return out


def main():
    mu = mu_series()
    assert mu[1] == 1 and mu[2] == Fr(1, 3) and mu[3] == Fr(1, 36), mu[:4]
    gam = stirling_gammas(K + 1)
    assert gam[1] == Fr(1, 12) and gam[3] == Fr(-139, 51840)
    mu_over_eta = mu[1:] + [Fr(0)]
    eta_over_mu = inv(mu_over_eta)
    half_eta2 = [Fr(0), Fr(0), Fr(1, 2)]
    m_minus = [a - (half_eta2[i] if i < 3 else 0) for i, a in enumerate(mu)]  # mu - eta^2/2
    # 1/mu = (1/eta) * eta/mu ; c_0 = (eta/mu - 1) / eta
    c = []
    t = list(eta_over_mu)
    t[0] -= 1
    assert t[0] == 0
    c.append(t[1:] + [Fr(0)])
    for k in range(1, K + 1):
        dc = deriv(c[-1])
        pole = dc[0] + (-1) ** k * gam[k] * eta_over_mu[0]
        assert pole == 0, (k, pole)
        rest = [dc[i + 1] + (-1) ** k * gam[k] * eta_over_mu[i + 1] for i in range(M + 2)]
        c.append(rest + [Fr(0)] * 2)
    d = []
    first = list(mu_over_eta)
    first[1] -= Fr(1, 2)  # mu/eta - eta/2
    d.append([f + g for f, g in zip(first, mul(m_minus, c[0]))])
    for k in range(1, K + 1):
        prev, dprev = c[k - 1], deriv(c[k - 1])
        term = mul(m_minus, c[k])
        term2 = mul(mu_over_eta, dprev)
        d.append([a - p / 2 - b - (k - 1) * p for a, p, b in zip(term, prev, term2)])
    e = []
    for k in range(K + 1):
        row = [Fr(0)] * (M + 4)
        for j in range(k + 1):
            row = [r + gam[j] * dd for r, dd in zip(row, d[k - j])]
        e.append(row)
    assert e[0][0] == 1

    def table(rows, name, doc):
        lines = [f"#: {doc}", f"{name} = ("]
        for row in rows:
            lines.append("    (" + ", ".join(repr(float(v)) for v in row[:KEEP]) + "),")
        lines.append(")")
        return "\n".join(lines)

    text = (
        "\n\n".join(
            [
                '"""Temme\'s uniform expansion of the incomplete gamma ratio, as power series'
                " in eta.\n\nGenerated exactly (rational arithmetic) by"
                " tests/data/make_temme_coefficients.py;\n"
                "row k holds the coefficients of eta^0, eta^1, ... of the k-th term in 1/a.\n"
                '"""',
                table(
                    c,
                    "C",
                    "c_k(eta) of Q(a, x) = erfc(eta sqrt(a/2))/2"
                    " + e^(-a eta^2/2) sum c_k a^-k / sqrt(2 pi a)",
                ),
                table(e, "E", "e_k(eta) of the implicit partial dx/da = (x/a) sum e_k a^-k"),
            ]
        )
        + "\n"
    )
    out = Path(__file__).resolve().parents[2] / "relaxcore" / "implicit" / "_temme_coefficients.py"
    out.write_text(text)
    print("wrote", out)


if __name__ == "__main__":
    main()
