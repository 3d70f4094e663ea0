"""The implicit-gradient accuracy table of docs/guide/implicit_accuracy.md.

Compares the Gamma partial dz/dalpha (and d log z / d alpha, used where z underflows) of
``relaxcore.implicit.incomplete_gamma`` with the committed 50-digit mpmath table
``tests/data/gamma_reference.json`` (13 alphas from 1e-4 to 1e4 x 9 quantiles), on every
installed backend and dtype, and prints a Markdown table of relative errors.

    python docs/scripts/implicit_accuracy.py [--backends numpy torch jax array_api_strict]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import numpy as np

import relaxcore as rc
from relaxcore.implicit import incomplete_gamma

TABLE = Path(__file__).resolve().parents[2] / "tests" / "data" / "gamma_reference.json"


def _asarray(bk, values, dtype):
    return bk.xp.asarray(np.asarray(values, dtype=dtype), dtype=getattr(bk.xp, dtype))


def _to_numpy(x):
    return np.asarray(x.detach() if hasattr(x, "detach") else x, dtype=np.float64)


def errors(name: str, dtype: str, rows) -> tuple[float, float, float]:
    """(max rel. error of dz/dalpha, of d log z/d alpha, median of dz/dalpha)."""
    if name == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
    bk = rc.get_backend(name)
    col = lambda key: [r[dtype][key] for r in rows]  # noqa: E731
    alpha, z, log_z = (_asarray(bk, col(k), dtype) for k in ("alpha", "z", "log_z"))
    under = np.array(col("underflow"))
    ref_z = np.array([float(v) for v in col("dz_dalpha")])
    ref_log = np.array([float(v) for v in col("dlogz_dalpha")])
    got_z = _to_numpy(incomplete_gamma.gamma_partial(bk, alpha, z))
    got_log = _to_numpy(incomplete_gamma.gamma_log_partial(bk, alpha, z, log_z))
    err_z = np.abs(got_z[~under] / ref_z[~under] - 1)
    err_log = np.abs(got_log / ref_log - 1)
    return float(err_z.max()), float(err_log.max()), float(np.median(err_z))


def torch_kernel(dtype: str, rows) -> tuple[float, float]:
    """(max, median) rel. error of torch's own kernel (torch._standard_gamma_grad), a peer."""
    import torch

    t = getattr(torch, dtype)
    keep = [r for r in rows if not r[dtype]["underflow"]]
    alpha = torch.tensor([r[dtype]["alpha"] for r in keep], dtype=t)
    z = torch.tensor([r[dtype]["z"] for r in keep], dtype=t)
    ref = np.array([float(r[dtype]["dz_dalpha"]) for r in keep])
    err = np.abs(_to_numpy(torch._standard_gamma_grad(alpha, z)) / ref - 1)
    return float(err.max()), float(np.median(err))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backends", nargs="+", default=["numpy", "torch", "jax", "array_api_strict"]
    )
    args = parser.parse_args()
    rows = json.loads(TABLE.read_text())["rows"]
    print("| backend | dtype | max rel. error dz/dalpha | median | max rel. error d log z/dalpha |")
    print("|---|---|---|---|---|")
    for name in args.backends:
        if importlib.util.find_spec(name) is None:
            continue
        for dtype in ("float64", "float32"):
            worst, worst_log, median = errors(name, dtype, rows)
            print(f"| {name} | {dtype} | {worst:.1e} | {median:.1e} | {worst_log:.1e} |")
    if "torch" in args.backends and importlib.util.find_spec("torch") is not None:
        for dtype in ("float64", "float32"):
            worst, median = torch_kernel(dtype, rows)
            print(f"| torch's own kernel (peer) | {dtype} | {worst:.1e} | {median:.1e} | n/a |")


if __name__ == "__main__":
    main()
