"""Graph breaks of ``torch.compile`` per class: construct, rsample, log_prob (and backward).

    python benchmarks/compile_graph_breaks.py [--only "NAME;NAME..."] [--backend aot_eager]

For every class of ``benchmarks/fuzz_classes.py`` with a reparameterized sampler, the
function ``f(*params) = sum(d.rsample((2,))) + sum(d.log_prob(z))`` (built from torch
tensors inside ``f``) goes through ``torch._dynamo.explain``, which counts graph breaks.
Every class also runs the compiled function with ``fullgraph=True`` (backend
``aot_eager`` by default: dynamo and AOT autograd, no code generation) and calls
``backward`` on its output. The table lists, per class, the
graph-break count and whether ``fullgraph=True`` compiled and ran forward + backward
(``-`` when it did not, with the first line of the error). This is a probe: it never fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

import relaxcore as rc

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzz_classes  # noqa: E402

torch._dynamo.config.cache_size_limit = 256


def moderate(spec, n=3):
    """The spec's parameters for `n` rows with moderate values (the trace, not the range,
    is what is measured), as float64 torch tensors that require gradients."""
    raw = spec.gen(np.random.default_rng(0), n)
    out = {}
    for k, v in raw.items():
        v = np.asarray(v, dtype=np.float64)
        if k in ("concentration", "concentration1", "concentration0", "df", "rate", "scale"):
            v = np.clip(v, 0.5, 5.0)
        elif k in ("logits", "loc", "mixture_logits"):
            v = np.clip(v, -3.0, 3.0)
        elif k == "temperature":
            v = np.clip(v, 0.3, 2.0)
        out[k] = torch.tensor(v, requires_grad=True)
    fixed = {
        k: torch.as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in spec.fixed.items()
    }
    return out, fixed


def probe(spec, backend="aot_eager"):
    params, fixed = moderate(spec)
    names = list(params)
    has_log_prob = spec.has_log_prob

    def f(*arrays):
        d = spec.make(**dict(zip(names, arrays)), **fixed)
        z = d.rsample((2,))
        out = z.sum()
        if has_log_prob:
            out = out + d.log_prob(z).sum()
        return out

    args = [params[k] for k in names]
    torch._dynamo.reset()
    try:
        breaks = torch._dynamo.explain(f)(*args).graph_break_count
    except Exception as err:  # noqa: BLE001  (a probe: record and go on)
        breaks = f"error: {str(err).splitlines()[0][:60]}"
    torch._dynamo.reset()
    try:
        out = torch.compile(f, fullgraph=True, backend=backend)(*args)
        out.backward()
        fullgraph = "yes" if all(a.grad is not None for a in args) else "no grad"
    except Exception as err:  # noqa: BLE001
        fullgraph = f"- ({type(err).__name__}: {str(err).splitlines()[0][:70]})"
    return breaks, fullgraph


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="semicolon list of class names")
    parser.add_argument(
        "--backend", default="aot_eager", help="torch.compile backend of the fullgraph run"
    )
    args = parser.parse_args(argv)
    only = set(filter(None, args.only.split(";")))
    rows = []
    for spec in fuzz_classes.specs():
        if only and spec.name not in only:
            continue
        params, fixed = moderate(spec)
        d = spec.make(**params, **fixed)
        if not d.has_rsample:
            continue
        kind = "implicit" if isinstance(d, rc.implicit._protocol.ImplicitDistribution) else ""
        d.rsample((2,))  # first use eagerly: loads the backend and adapter modules
        breaks, fullgraph = probe(spec, args.backend)
        rows.append((spec.name, kind, breaks, fullgraph))
        print(f"{spec.name:45s} {kind:9s} {breaks!s:>6}  {fullgraph}", flush=True)
    return rows


if __name__ == "__main__":
    main()
