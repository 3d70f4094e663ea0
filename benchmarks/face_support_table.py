"""Which relaxcore classes run where: Pyro SVI (Trace_ELBO, TraceGraph_ELBO), NumPyro SVI
(Trace_ELBO, jitted) and NumPyro NUTS, through relaxcore.pyro and relaxcore.numpyro.

For every public class (built as in ``tests/_faces_examples.py``): SVI is one step of a model
that samples the class and a guide that samples it again from learnable parameters (every
array argument a ``param``); a cell reads ``yes`` when the loss and the updated parameters
are finite. NUTS draws 20 samples from the class as the model's only site (the prior);
``yes`` when they are finite. Anything else prints the reason, shortened. Prints a Markdown
table; NumPyro columns compile each class (minutes in all).

    python benchmarks/face_support_table.py [--only pyro|numpyro] [--classes Gamma,Beta]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).parent))
from _faces_examples import EXAMPLES  # noqa: E402
from _timing import print_table  # noqa: E402


def _reason(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}".splitlines()[0]
    return text[:70] + ("..." if len(text) > 70 else "")


def _run(fn) -> str:
    try:
        return fn()
    except Exception as err:  # the table reports what fails, and why
        return _reason(err)


def pyro_svi(name: str, elbo_name: str) -> str:
    import pyro
    import relaxcore.pyro as rcp
    import torch
    from pyro import infer

    fixed = lambda x: torch.tensor(x, dtype=torch.float64)  # noqa: E731

    def learnable():
        count = iter(range(100))
        return lambda x: pyro.param(f"p{next(count)}", fixed(x))

    def model():
        with pyro.plate("batch", 2):  # every example has batch shape (2,)
            pyro.sample("z", EXAMPLES[name](rcp, fixed))

    def guide():
        with pyro.plate("batch", 2):
            pyro.sample("z", EXAMPLES[name](rcp, learnable()))

    pyro.clear_param_store()
    pyro.set_rng_seed(0)
    elbo = getattr(infer, elbo_name)(max_plate_nesting=1)
    loss = infer.SVI(model, guide, pyro.optim.Adam({"lr": 1e-3}), elbo).step()
    params = [v for _, v in pyro.get_param_store().items()]
    ok = torch.isfinite(torch.tensor(loss)) and all(bool(torch.isfinite(p).all()) for p in params)
    return "yes" if ok else f"non-finite (loss {loss:.3g})"


def numpyro_svi(name: str) -> str:
    import jax
    import jax.numpy as jnp
    import numpyro
    import optax
    import relaxcore.numpyro as rcn
    from numpyro.infer import SVI, Trace_ELBO

    fixed = lambda x: jnp.asarray(x, dtype=jnp.float32)  # noqa: E731

    def learnable():
        count = iter(range(100))
        return lambda x: numpyro.param(f"p{next(count)}", fixed(x))

    def model():
        with numpyro.plate("batch", 2):  # every example has batch shape (2,)
            numpyro.sample("z", EXAMPLES[name](rcn, fixed))

    def guide():
        with numpyro.plate("batch", 2):
            numpyro.sample("z", EXAMPLES[name](rcn, learnable()))

    svi = SVI(model, guide, optax.adam(1e-3), Trace_ELBO())
    state = svi.init(jax.random.key(0))
    state, loss = jax.jit(svi.update)(state)
    params = jax.tree_util.tree_leaves(svi.get_params(state))
    ok = bool(jnp.isfinite(loss)) and all(bool(jnp.isfinite(p).all()) for p in params)
    return "yes" if ok else f"non-finite (loss {float(loss):.3g})"


def nuts(name: str) -> str:
    import jax
    import jax.numpy as jnp
    import numpyro
    import relaxcore.numpyro as rcn
    from numpyro.infer import MCMC, NUTS

    def model():
        with numpyro.plate("batch", 2):
            numpyro.sample("z", EXAMPLES[name](rcn, lambda x: jnp.asarray(x, dtype=jnp.float32)))

    mcmc = MCMC(NUTS(model), num_warmup=20, num_samples=20, progress_bar=False)
    mcmc.run(jax.random.key(0))
    z = mcmc.get_samples()["z"]
    return "yes" if bool(jnp.isfinite(z).all()) else "non-finite samples"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("pyro", "numpyro"))
    parser.add_argument("--classes", help="comma-separated class names (default: all)")
    args = parser.parse_args()
    names = args.classes.split(",") if args.classes else sorted(EXAMPLES)
    columns = {
        "Pyro SVI Trace_ELBO": ("pyro", lambda n: pyro_svi(n, "Trace_ELBO")),
        "Pyro SVI TraceGraph_ELBO": ("pyro", lambda n: pyro_svi(n, "TraceGraph_ELBO")),
        "NumPyro SVI": ("numpyro", numpyro_svi),
        "NumPyro NUTS": ("numpyro", nuts),
    }
    columns = {k: f for k, (fw, f) in columns.items() if args.only in (None, fw)}
    rows = []
    for name in names:
        rows.append((name, *(_run(lambda f=f, n=name: f(n)) for f in columns.values())))
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    print_table(rows, ("class", *columns))


if __name__ == "__main__":
    main()
