"""Fuzz every public distribution with wide parameters; count NaN and Inf per output.

    python benchmarks/fuzz_classes.py [--sets 1000] [--draws 4] [--backends numpy,torch,jax,
        array_api_strict] [--dtypes float32,float64] [--only NAME,...] [--json out.json]

Each class gets `sets` random parameter sets from the ranges of the Reliability issue
(logits to +-1e4, temperatures 1e-4..1e3, concentrations 1e-6..1e6, probabilities with
exact 0s and 1s, scales 1e-3..1e3, locations to +-1e4), each repeated `draws` times, so
every draw has its own parameter row and its own gradient. Per class, backend and dtype it
counts draws with a NaN / an Inf in: the sample (``rsample``), ``log_prob`` at the sample
(+inf and -inf apart), the gradient of ``sum(w * rsample)`` with respect to each parameter
(numpy and array_api_strict: the implicit partials from ``value_and_partials``), and the
gradient of ``sum(log_prob)`` with respect to each parameter and the value. JAX runs under
``jax.jit``; torch eagerly. It also builds each class with a zero-size batch and reports
a crash. Seeds are fixed: the counts are reproducible. This is a probe, not a test: it
prints counts and never fails.
"""

from __future__ import annotations

import argparse
import json
import time
import zlib
from dataclasses import dataclass, field

import numpy as np

import relaxcore as rc

K = 4  # categories / event size where a class has one


# --- parameter generators (numpy float64, leading axis = one row per draw) --------------


def log_uniform(rng, shape, lo, hi):
    return 10.0 ** rng.uniform(lo, hi, shape)


def signed(rng, shape, lo, hi):
    return np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0) * log_uniform(rng, shape, lo, hi)


def probs01(rng, shape):
    """U(0, 1) with 5% exact zeros and 5% exact ones."""
    u = rng.uniform(size=shape)
    v = rng.uniform(size=shape)
    return np.where(v < 0.05, 0.0, np.where(v > 0.95, 1.0, u))


def simplex(rng, shape, min_positive=1):
    """Probability vectors with some exact zeros (at least `min_positive` positive)."""
    p = rng.dirichlet(np.full(shape[-1], 0.5), size=shape[:-1])
    zero = rng.uniform(size=shape) < 0.2
    keep = np.argsort(rng.uniform(size=shape), axis=-1) < min_positive
    p = np.where(zero & ~keep, 0.0, np.maximum(p, 1e-300))
    return p / p.sum(-1, keepdims=True)


def correlations(rng, n, k):
    a = rng.normal(size=(n, k, k)) * log_uniform(rng, (n, 1, 1), -1, 1)
    cov = a @ np.swapaxes(a, -1, -2) + 0.05 * np.eye(k)
    d = np.sqrt(np.einsum("...ii->...i", cov))
    return cov / (d[..., :, None] * d[..., None, :])


TEMPERATURE = (-4, 3)
CONCENTRATION = (-6, 6)
LOGIT = (-3, 4)
SCALE = (-3, 3)


@dataclass
class Spec:
    """A class to fuzz: `make(**arrays, **fixed)`; `gen(rng, n)` -> {name: float64 array}."""

    name: str
    make: object
    gen: object
    diff: tuple
    fixed: dict = field(default_factory=dict)  # name -> (numpy array or python value)
    has_log_prob: bool = True
    numpy_ok: bool = True  # False: needs autodiff (ImplicitReparam without cdf_partials)


def _cls(name):
    return getattr(rc, name, None)


def specs():
    s = []

    def add(name, cls_name, gen, diff, fixed=None, make=None, **kw):
        cls = _cls(cls_name)
        if cls is None and make is None:
            return
        s.append(Spec(name, make or cls, gen, tuple(diff), fixed or {}, **kw))

    for base in ("RelaxedBernoulli", "StraightThroughBernoulli", "StochasticTimesSmooth"):
        tau = base == "RelaxedBernoulli"
        for param in ("logits", "probs"):

            def gen(rng, n, param=param, tau=tau):
                out = {"temperature": log_uniform(rng, n, *TEMPERATURE)} if tau else {}
                out[param] = signed(rng, n, *LOGIT) if param == "logits" else probs01(rng, n)
                return out

            add(f"{base}({param})", base, gen, (["temperature"] if tau else []) + [param])

    for base in ("RelaxedOneHotCategorical", "RelaxedOneHotCategoricalStraightThrough"):
        for param in ("logits", "probs"):

            def gen(rng, n, param=param):
                p = signed(rng, (n, K), *LOGIT) if param == "logits" else simplex(rng, (n, K))
                return {"temperature": log_uniform(rng, n, *TEMPERATURE), param: p}

            add(f"{base}({param})", base, gen, ("temperature", param))

    for param in ("logits", "probs"):

        def gen(rng, n, param=param):
            p = signed(rng, (n, K), *LOGIT) if param == "logits" else simplex(rng, (n, K), 2)
            return {"temperature": log_uniform(rng, n, *TEMPERATURE), param: p}

        add(
            f"GumbelSoftmaxTopK({param})",
            "GumbelSoftmaxTopK",
            gen,
            ("temperature", param),
            {"k": 2},
            has_log_prob=False,
        )

    for param in ("logits", "probs"):

        def gen(rng, n, param=param):
            return {
                "temperature": log_uniform(rng, n, *TEMPERATURE),
                param: signed(rng, n, *LOGIT) if param == "logits" else probs01(rng, n),
                "low": -log_uniform(rng, n, -3, 0),
                "high": 1.0 + log_uniform(rng, n, -3, 0),
            }

        add(f"HardConcrete({param})", "HardConcrete", gen, ("temperature", param, "low", "high"))

    add(
        "GaussianRelaxedBernoulli",
        "GaussianRelaxedBernoulli",
        lambda rng, n: {"loc": signed(rng, n, *LOGIT), "scale": log_uniform(rng, n, *SCALE)},
        ("loc", "scale"),
    )

    for param in ("logits", "probs"):

        def gen(rng, n, param=param):
            return {
                "temperature": log_uniform(rng, n, *TEMPERATURE),
                param: signed(rng, (n, 3), *LOGIT) if param == "logits" else probs01(rng, (n, 3)),
                "correlation": correlations(rng, n, 3),
            }

        add(
            f"CorrelatedRelaxedBernoulli({param})",
            "CorrelatedRelaxedBernoulli",
            gen,
            ("temperature", param),
        )

    add(
        "InvertibleGaussian",
        "InvertibleGaussian",
        lambda rng, n: {
            "loc": signed(rng, (n, 3), *LOGIT),
            "scale": log_uniform(rng, (n, 3), *SCALE),
            "temperature": log_uniform(rng, n, *TEMPERATURE),
            "delta": log_uniform(rng, n, *SCALE),
        },
        ("loc", "scale", "temperature", "delta"),
    )
    add(
        "LogisticNormalSoftmax",
        "LogisticNormalSoftmax",
        lambda rng, n: {
            "loc": signed(rng, (n, K), *LOGIT),
            "scale": log_uniform(rng, (n, K), *SCALE),
        },
        ("loc", "scale"),
    )

    # implicit reparameterization
    add(
        "Gamma",
        "Gamma",
        lambda rng, n: {
            "concentration": log_uniform(rng, n, *CONCENTRATION),
            "rate": log_uniform(rng, n, *SCALE),
        },
        ("concentration", "rate"),
    )
    add(
        "ExpGamma",
        "ExpGamma",
        lambda rng, n: {
            "concentration": log_uniform(rng, n, *CONCENTRATION),
            "rate": log_uniform(rng, n, *SCALE),
        },
        ("concentration", "rate"),
    )
    for name in ("Beta", "ExpBeta"):
        add(
            name,
            name,
            lambda rng, n: {
                "concentration1": log_uniform(rng, n, *CONCENTRATION),
                "concentration0": log_uniform(rng, n, *CONCENTRATION),
            },
            ("concentration1", "concentration0"),
        )
    for name in ("Dirichlet", "ExpDirichlet"):
        add(
            name,
            name,
            lambda rng, n: {"concentration": log_uniform(rng, (n, K), *CONCENTRATION)},
            ("concentration",),
        )
    add(
        "StudentT",
        "StudentT",
        lambda rng, n: {
            "df": log_uniform(rng, n, -3, 6),
            "loc": signed(rng, n, *LOGIT),
            "scale": log_uniform(rng, n, *SCALE),
        },
        ("df", "loc", "scale"),
    )
    add(
        "VonMises",
        "VonMises",
        lambda rng, n: {
            "loc": signed(rng, n, -3, 2),
            "concentration": log_uniform(rng, n, *CONCENTRATION),
        },
        ("loc", "concentration"),
    )

    def mixture(component):
        def make(mixture_logits, **p):
            return rc.MixtureSameFamily(component(**p), mixture_logits=mixture_logits)

        return make

    add(
        "MixtureSameFamily(Normal)",
        "MixtureSameFamily",
        lambda rng, n: {
            "mixture_logits": signed(rng, (n, 3), -3, 2),
            "loc": signed(rng, (n, 3), *LOGIT),
            "scale": log_uniform(rng, (n, 3), *SCALE),
        },
        ("mixture_logits", "loc", "scale"),
        make=mixture(lambda loc, scale: rc.Normal(loc, scale)),
    )
    add(
        "MixtureSameFamily(Gamma)",
        "MixtureSameFamily",
        lambda rng, n: {
            "mixture_logits": signed(rng, (n, 3), -3, 2),
            "concentration": log_uniform(rng, (n, 3), -2, 3),
            "rate": log_uniform(rng, (n, 3), *SCALE),
        },
        ("mixture_logits", "concentration", "rate"),
        make=mixture(lambda concentration, rate: rc.Gamma(concentration, rate)),
    )
    add(
        "ImplicitReparam(Logistic)",
        "ImplicitReparam",
        lambda rng, n: {"loc": signed(rng, n, *LOGIT), "scale": log_uniform(rng, n, *SCALE)},
        ("loc", "scale"),
        make=lambda loc, scale: rc.ImplicitReparam(rc.Logistic(loc, scale)),
        numpy_ok=False,
    )

    # base distributions
    loc_scale = lambda rng, n: {  # noqa: E731
        "loc": signed(rng, n, *LOGIT),
        "scale": log_uniform(rng, n, *SCALE),
    }
    add("Normal", "Normal", loc_scale, ("loc", "scale"))
    add("Logistic", "Logistic", loc_scale, ("loc", "scale"))
    add(
        "Uniform",
        "Uniform",
        lambda rng, n: (lambda low: {"low": low, "high": low + log_uniform(rng, n, *SCALE)})(
            signed(rng, n, *LOGIT)
        ),
        ("low", "high"),
    )
    add(
        "MultivariateNormalDiag",
        "MultivariateNormalDiag",
        lambda rng, n: {
            "loc": signed(rng, (n, K), *LOGIT),
            "scale_diag": log_uniform(rng, (n, K), *SCALE),
        },
        ("loc", "scale_diag"),
    )
    add(
        "TransformedDistribution(Normal, Tanh)",
        "TransformedDistribution",
        lambda rng, n: {"loc": signed(rng, n, -3, 1), "scale": log_uniform(rng, n, *SCALE)},
        ("loc", "scale"),
        make=lambda loc, scale: rc.TransformedDistribution(
            rc.Normal(loc, scale), rc.bijectors.Tanh()
        ),
    )
    return s


# --- per backend -----------------------------------------------------------------------


def _count(bad, n):
    """Draws (rows of the leading axis) with any True entry (a scalar: all or none)."""
    bad = np.asarray(bad)
    if bad.ndim == 0:
        return n * int(bad)
    return int(bad.reshape(n, -1).any(axis=1).sum())


def _tally(out, key, x, n, signs=False):
    x = np.asarray(x, dtype=np.float64)
    out[f"{key}:nan"] = _count(np.isnan(x), n)
    if signs:
        out[f"{key}:+inf"] = _count(x == np.inf, n)
        out[f"{key}:-inf"] = _count(x == -np.inf, n)
    else:
        out[f"{key}:inf"] = _count(np.isinf(x), n)


class Runner:
    def __init__(self, name, jit=True):
        self.name = name
        self.jit = jit
        self.bk = rc.get_backend(name)
        self.xp = self.bk.xp

    def array(self, a, dtype):
        if self.name == "torch":
            import torch

            return torch.tensor(np.asarray(a), dtype=getattr(torch, dtype))
        return self.xp.asarray(np.asarray(a, dtype=dtype))

    def consts(self, fixed, dtype):
        return {
            k: self.array(v, dtype) if isinstance(v, np.ndarray) else v for k, v in fixed.items()
        }

    def numpy(self, x):
        if self.name == "torch":
            return x.detach().double().numpy()
        return np.asarray(x).astype(np.float64)

    def rng(self, seed):
        if self.name == "jax":
            import jax

            return jax.random.key(seed)
        return seed

    def run(self, spec, params, fixed, w, dtype, seed):
        n = w.shape[0]
        arrays = {k: self.array(v, dtype) for k, v in params.items()}
        consts = self.consts(fixed, dtype)
        diff = [k for k in spec.diff if k in arrays]
        wa = self.array(w, dtype)
        out = {}
        if self.name == "jax":
            z, lp, gz, gl, gv = self._jax(spec, arrays, consts, diff, wa, seed)
        elif self.name == "torch":
            z, lp, gz, gl, gv = self._torch(spec, arrays, consts, diff, wa, seed)
        else:
            z, lp, gz, gl, gv = self._eager(spec, arrays, consts, diff, seed)
        _tally(out, "rsample", z, n)
        if lp is not None:
            _tally(out, "log_prob", lp, n, signs=True)
        for k, g in (gz or {}).items():
            _tally(out, f"d rsample/d {k}", g, n)
        for k, g in (gl or {}).items():
            _tally(out, f"d log_prob/d {k}", g, n)
        if gv is not None:
            _tally(out, "d log_prob/d value", gv, n)
        return out

    def _eager(self, spec, arrays, consts, diff, seed):
        d = spec.make(**arrays, **consts)
        rng = self.rng(seed)
        partials = None
        if isinstance(d, rc.implicit._protocol.ImplicitDistribution):
            z, partials = d.value_and_partials((), rng=rng)
            partials = {k: self.numpy(v) for k, v in partials.items()}
        else:
            z = d.rsample((), rng=rng)
        lp = self.numpy(d.log_prob(z)) if spec.has_log_prob else None
        return self.numpy(z), lp, partials, None, None

    def _torch(self, spec, arrays, consts, diff, w, seed):
        import torch

        leaves = {k: (v.requires_grad_(True) if k in diff else v) for k, v in arrays.items()}
        d = spec.make(**leaves, **consts)
        z = d.rsample((), rng=seed)
        args = [leaves[k] for k in diff]
        gz = torch.autograd.grad((w * z).sum(), args, allow_unused=True)
        gz = {k: self.numpy(g) if g is not None else 0.0 for k, g in zip(diff, gz)}
        lp = gl = gv = None
        if spec.has_log_prob:
            value = z.detach().requires_grad_(True)
            lp = spec.make(**leaves, **consts).log_prob(value)
            grads = torch.autograd.grad(lp.sum(), [*args, value], allow_unused=True)
            gl = {k: self.numpy(g) if g is not None else 0.0 for k, g in zip(diff, grads)}
            gv = self.numpy(grads[-1]) if grads[-1] is not None else 0.0
            lp = self.numpy(lp)
        return self.numpy(z), lp, gz, gl, gv

    def _jax(self, spec, arrays, consts, diff, w, seed):
        import jax
        import jax.numpy as jnp

        fixed = {k: v for k, v in arrays.items() if k not in diff}

        def rs(p, key):
            z = spec.make(**p, **fixed, **consts).rsample((), rng=key)
            return jnp.sum(w * z), z

        def lpf(p, value):
            lp = spec.make(**p, **fixed, **consts).log_prob(value)
            return jnp.sum(lp), lp

        def run(p, key):
            gz, z = jax.grad(rs, has_aux=True)(p, key)
            if not spec.has_log_prob:
                return z, None, gz, None, None
            (gl, gv), lp = jax.grad(lpf, argnums=(0, 1), has_aux=True)(p, jax.lax.stop_gradient(z))
            return z, lp, gz, gl, gv

        p = {k: arrays[k] for k in diff}
        z, lp, gz, gl, gv = (jax.jit(run) if self.jit else run)(p, self.rng(seed))
        conv = lambda g: None if g is None else {k: self.numpy(v) for k, v in g.items()}  # noqa: E731
        return (
            self.numpy(z),
            None if lp is None else self.numpy(lp),
            conv(gz),
            conv(gl),
            None if gv is None else self.numpy(gv),
        )

    def zero_size(self, spec, params, fixed):
        """None if a zero-size batch builds, samples and scores; else the error."""
        arrays = {k: self.array(v[:0], "float64") for k, v in params.items()}
        consts = self.consts(fixed, "float64")
        try:
            d = spec.make(**arrays, **consts)
            z = d.rsample((2,), rng=self.rng(0))
            if spec.has_log_prob:
                d.log_prob(z)
        except Exception as err:  # noqa: BLE001 - a probe reports every failure
            return f"{type(err).__name__}: {str(err)[:80]}"
        return None


def fuzz(args):
    results = {}
    if "jax" in args.backends:
        import jax

        jax.config.update("jax_enable_x64", True)
    runners = [Runner(b) for b in args.backends]
    for spec in specs():
        if args.only and not any(o in spec.name for o in args.only):
            continue
        rng = np.random.default_rng(zlib.crc32(spec.name.encode()))
        base = spec.gen(rng, args.sets)
        params = {k: np.repeat(v, args.draws, axis=0) for k, v in base.items()}
        fixed = dict(spec.fixed)
        n = args.sets * args.draws
        row = {}
        for runner in runners:
            if not spec.numpy_ok and runner.name in ("numpy", "array_api_strict"):
                continue
            for dtype in args.dtypes:
                t0 = time.perf_counter()
                try:
                    probe = spec.make(
                        **{k: runner.array(v[:1], "float64") for k, v in params.items()},
                        **{
                            k: runner.array(v, "float64") if isinstance(v, np.ndarray) else v
                            for k, v in fixed.items()
                        },
                    )
                    shape = (n,) + tuple(probe.event_shape)  # weights |w| <= 1 of the sample
                    w = np.random.default_rng(7).uniform(-1.0, 1.0, size=shape)
                    counts = runner.run(spec, params, fixed, w, dtype, seed=11)
                except Exception as err:  # noqa: BLE001
                    counts = {"error": f"{type(err).__name__}: {str(err)[:100]}"}
                counts["seconds"] = round(time.perf_counter() - t0, 2)
                row[f"{runner.name}/{dtype}"] = counts
            err = runner.zero_size(spec, params, fixed)
            row[f"{runner.name}/zero-size"] = {"error": err} if err else {"ok": True}
        results[spec.name] = {"n": n, "runs": row}
        print(f"  {spec.name}: done", flush=True)
    return results


def _short(key):
    return key.replace("d rsample/d ", "dz/").replace("d log_prob/d ", "dlp/")


def report(results):
    """A markdown table: per class, total NaN / Inf (over backends and dtypes) per output."""
    print(
        "\n| class | runs | rsample NaN/Inf | log_prob NaN/+inf/-inf | gradients with NaN or Inf "
        "(NaN/Inf) | zero-size | errors |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, res in results.items():
        totals, errors, zero = {}, [], []
        runs = 0
        for run, counts in res["runs"].items():
            if run.endswith("zero-size"):
                if "error" in counts:
                    zero.append(run.split("/")[0])
                continue
            if "error" in counts:
                errors.append(f"{run}: {counts['error']}")
                continue
            runs += 1
            for k, v in counts.items():
                if k != "seconds":
                    totals[k] = totals.get(k, 0) + v
        t = totals.get
        z = f"{t('rsample:nan', 0)}/{t('rsample:inf', 0)}"
        lp = (
            f"{t('log_prob:nan', 0)}/{t('log_prob:+inf', 0)}/{t('log_prob:-inf', 0)}"
            if "log_prob:nan" in totals
            else "n/a"
        )
        grads = sorted({k.rsplit(":", 1)[0] for k in totals if k.startswith("d ")})
        bad = []
        for g in grads:
            nan, inf = t(f"{g}:nan", 0), t(f"{g}:inf", 0)
            if nan or inf:
                bad.append(f"{_short(g)} {nan}/{inf}")
        zs = "crash: " + ",".join(zero) if zero else "ok"
        print(f"| {name} | {runs} | {z} | {lp} | {'; '.join(bad) or '0'} | {zs} | {len(errors)} |")
    print(f"\nper run: n = draws x sets = {next(iter(results.values()))['n']} draws each")
    print("\nnonzero cells by backend/dtype:")
    for name, res in results.items():
        for run, counts in res["runs"].items():
            if "error" in counts and counts["error"]:
                print(f"  {name} [{run}] ERROR {counts['error']}")
                continue
            cells = [
                f"{_short(k)}={v}" for k, v in counts.items() if k not in ("seconds", "ok") and v
            ]
            if cells:
                print(f"  {name} [{run}] " + ", ".join(cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=4)
    parser.add_argument("--backends", default="numpy,array_api_strict,torch,jax")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--only", default="")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    args.backends = args.backends.split(",")
    args.dtypes = args.dtypes.split(",")
    args.only = [o for o in args.only.split(",") if o]
    t0 = time.perf_counter()
    results = fuzz(args)
    report(results)
    print(f"\n{time.perf_counter() - t0:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
