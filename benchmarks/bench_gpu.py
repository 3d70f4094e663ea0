"""GPU benchmark: Gumbel-Softmax rsample+backward at 1e8 elements, Gamma implicit rsample at 1e8.

Cases, one framework at a time (each interleaved within itself, median of rounds):

- Gumbel-Softmax, ``rows x K`` float32 logits, backward with a fixed cotangent:
  torch CUDA (ours vs ``torch.nn.functional.gumbel_softmax``), jax GPU
  (``jax.jit(jax.vjp(...))`` of ours vs the same sample hand-written with ``jax.random`` and
  ``jax.nn``), and the cupy kernel (``relaxcore.adapters.cupy.gumbel_softmax_forward`` on
  uniform noise drawn by cupy, plus the softmax VJP ``z (g - <g, z>) / tau`` in cupy ops).
- Gamma, N float32 concentrations (log-uniform on [0.1, 10]), rate 1, backward to the
  concentrations: torch CUDA (ours vs ``torch.distributions.Gamma``), jax GPU (ours vs
  ``jax.random.gamma``, which has implicit gradients too), the cupy kernel
  (``gamma_sample_and_partial``, then ``g * dz``) and the core's array-API path on cupy
  (``rc.implicit.value_and_partials``).

Bandwidth: each row reports the bytes a fused implementation must move, divided by the
time, as a fraction of the card's peak (memory clock x bus width, from the CUDA device
attributes, or ``--peak-gbps``). Gumbel-Softmax: read logits, write z, read the cotangent
and z, write the logits' gradient: 20 bytes per float32 element. Gamma: read alpha, write
z, read the cotangent, write alpha's gradient: 16 bytes per sample (Gamma is compute
bound: its fraction says how far from the memory limit it is, not a goal).

Run: ``python benchmarks/bench_gpu.py`` (``--quick`` for 1e7). Without a
CUDA GPU it prints why and measures nothing (``--allow-cpu`` runs the torch and jax cases
on the CPU at a small size, a check of this script only).
"""

from __future__ import annotations

import argparse
import math
import os
import platform

from _timing import interleaved_medians, print_table

TAU = 0.5
#: peak DRAM bandwidth (bytes/s) by device name, used when the attributes are unavailable
PEAK_BY_NAME = {
    "H200": 4.8e12,
    "H100 NVL": 3.9e12,
    "H100 80GB HBM3": 3.35e12,
    "H100 SXM": 3.35e12,
    "H100 PCIe": 2.0e12,
    "A100-SXM4-80GB": 2.039e12,
    "A100-SXM4-40GB": 1.555e12,
    "A100 80GB PCIe": 1.935e12,
    "L40S": 0.864e12,
    "L4": 0.3e12,
}


def _gpus():
    """{framework: True} for torch (CUDA), jax (GPU) and cupy, each only if usable."""
    found = {}
    try:
        import torch

        found["torch"] = torch.cuda.is_available()
    except ImportError:
        found["torch"] = False
    try:
        import cupy

        found["cupy"] = bool(cupy.is_available())
    except ImportError:
        found["cupy"] = False
    try:
        import jax

        found["jax"] = bool(jax.devices("gpu"))
    except (ImportError, RuntimeError):
        found["jax"] = False
    return found


def peak_bandwidth(given_gbps=None):
    """(bytes per second, device name, how it was found), or (None, name, why not)."""
    if given_gbps:
        return given_gbps * 1e9, "given", "--peak-gbps"
    name = "unknown"
    try:
        import cupy

        rt = cupy.cuda.runtime
        name = rt.getDeviceProperties(0)["name"].decode()
        clock_khz = rt.deviceGetAttribute(getattr(rt, "cudaDevAttrMemoryClockRate", 36), 0)
        bus_bits = rt.deviceGetAttribute(getattr(rt, "cudaDevAttrGlobalMemoryBusWidth", 37), 0)
        if clock_khz and bus_bits:
            return 2.0 * clock_khz * 1e3 * bus_bits / 8, name, "memory clock x bus width"
    except Exception:  # no cupy, or a runtime without these attributes: use the name
        pass
    try:
        import torch

        if torch.cuda.is_available():
            name = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    for key, peak in PEAK_BY_NAME.items():
        if key in name:
            return peak, name, f"datasheet ({key})"
    return None, name, "unknown peak: pass --peak-gbps"


# --- torch -----------------------------------------------------------------------------------


def _torch_cases(rows, k, n, device, rc):
    import torch
    import torch.nn.functional as F

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    gen = torch.Generator(device=device).manual_seed(0)
    logits = torch.randn(rows, k, device=device, generator=gen).requires_grad_(True)
    g_soft = torch.randn(rows, k, device=device, generator=gen)
    alpha = torch.exp(
        torch.empty(n, device=device).uniform_(math.log(0.1), math.log(10.0), generator=gen)
    ).requires_grad_(True)
    g_gamma = torch.randn(n, device=device, generator=gen)

    def timed(fn):
        def run():
            fn()
            sync()

        return run

    def backward(leaf, out, cot):
        (grad,) = torch.autograd.grad(out, leaf, cot)
        return grad

    soft = {
        "torch ours": timed(
            lambda: backward(
                logits, rc.RelaxedOneHotCategorical(TAU, logits=logits).rsample(), g_soft
            )
        ),
        "torch F.gumbel_softmax": timed(
            lambda: backward(logits, F.gumbel_softmax(logits, tau=TAU), g_soft)
        ),
    }
    gamma = {
        "torch ours": timed(lambda: backward(alpha, rc.Gamma(alpha).rsample(), g_gamma)),
        "torch torch.distributions.Gamma": timed(
            lambda: backward(
                alpha, torch.distributions.Gamma(alpha, torch.ones_like(alpha)).rsample(), g_gamma
            )
        ),
    }
    return soft, gamma


# --- jax -------------------------------------------------------------------------------------


def _jax_cases(rows, k, n, rc):
    import jax
    import jax.numpy as jnp

    key = jax.random.key(0)
    k1, k2, k3, k4 = jax.random.split(key, 4)
    logits = jax.random.normal(k1, (rows, k), dtype=jnp.float32)
    g_soft = jax.random.normal(k2, (rows, k), dtype=jnp.float32)
    alpha = jnp.exp(jax.random.uniform(k3, (n,), jnp.float32, math.log(0.1), math.log(10.0)))
    g_gamma = jax.random.normal(k4, (n,), dtype=jnp.float32)

    def vjp_of(sample):
        def grad(params, cot, k):
            _, pullback = jax.vjp(lambda p: sample(p, k), params)
            return pullback(cot)[0]

        return jax.jit(grad)

    def soft_hand(lg, k):
        return jax.nn.softmax((lg + jax.random.gumbel(k, lg.shape, lg.dtype)) / TAU, axis=-1)

    fns = {
        "soft": {
            "jax ours": (
                vjp_of(lambda lg, k: rc.RelaxedOneHotCategorical(TAU, logits=lg).rsample(rng=k)),
                logits,
                g_soft,
            ),
            "jax hand (jax.random + jax.nn)": (vjp_of(soft_hand), logits, g_soft),
        },
        "gamma": {
            "jax ours": (vjp_of(lambda a, k: rc.Gamma(a).rsample(rng=k)), alpha, g_gamma),
            "jax jax.random.gamma": (vjp_of(lambda a, k: jax.random.gamma(k, a)), alpha, g_gamma),
        },
    }
    return tuple(
        {
            name: (lambda f=f, p=p, c=c: f(p, c, key).block_until_ready())
            for name, (f, p, c) in group.items()
        }
        for group in (fns["soft"], fns["gamma"])
    )


# --- cupy ------------------------------------------------------------------------------------


def _cupy_cases(rows, k, n, rc):
    import cupy
    from relaxcore.adapters import cupy as kernels

    sync = cupy.cuda.get_current_stream().synchronize
    gen = cupy.random.default_rng(0)
    logits = gen.standard_normal((rows, k), dtype=cupy.float32)
    g_soft = gen.standard_normal((rows, k), dtype=cupy.float32)
    alpha = cupy.exp(gen.uniform(math.log(0.1), math.log(10.0), (n,), dtype=cupy.float32))
    g_gamma = gen.standard_normal((n,), dtype=cupy.float32)

    def soft_kernel():
        u = gen.random((rows, k), dtype=cupy.float32)
        z = kernels.gumbel_softmax_forward(logits, u, TAU)
        gz = g_soft * z
        _ = (gz - z * gz.sum(axis=-1, keepdims=True)) / TAU
        sync()

    def gamma_kernel():
        _, dz = kernels.gamma_sample_and_partial(alpha, rng=gen)
        _ = g_gamma * dz
        sync()

    def gamma_core():
        _, partials = rc.implicit.value_and_partials(rc.Gamma(alpha), rng=gen)
        _ = g_gamma * partials["concentration"]
        sync()

    return (
        {"cupy kernel (forward + VJP in cupy ops)": soft_kernel},
        {"cupy kernel": gamma_kernel, "cupy core array-API path": gamma_core},
    )


# --- driver ----------------------------------------------------------------------------------


def _rows_for(times, peer, bytes_moved, peak, task):
    rows = []
    for name, seconds in times.items():
        ratio = seconds / times[peer] if peer in times else "n/a"
        rate = bytes_moved / seconds
        rows.append((task, name, seconds * 1e3, ratio, rate / 1e9, rate / peak if peak else "n/a"))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--elements",
        type=float,
        default=1e8,
        help="Gumbel-Softmax elements and Gamma samples (default 1e8)",
    )
    parser.add_argument("--quick", action="store_true", help="1e7 elements and samples")
    parser.add_argument("--k", type=int, default=1000, help="categories per row (default 1000)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--peak-gbps",
        type=float,
        default=None,
        help="the card's peak memory bandwidth in GB/s (default: queried)",
    )
    parser.add_argument(
        "--allow-cpu",
        action="store_true",
        help="without a GPU, run torch and jax on the CPU (checks this script)",
    )
    args, _ = parser.parse_known_args(argv)

    gpus = _gpus()
    if not any(gpus.values()) and not args.allow_cpu:
        print(
            "bench_gpu: no CUDA GPU found (torch.cuda, cupy and jax report none); nothing "
            "measured. Run it on a GPU machine."
        )
        return []
    # JAX would otherwise reserve 75% of the GPU's memory at start, starving torch and cupy
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import relaxcore as rc

    n = int(1e7 if args.quick else args.elements)
    rows, k = max(1, n // args.k), args.k
    peak, device_name, how = peak_bandwidth(args.peak_gbps)
    soft_bytes, gamma_bytes = 20 * rows * k, 16 * n
    print(
        f"# GPU benchmark: {device_name}; peak {peak / 1e9 if peak else 'n/a'} GB/s ({how})\n"
        f"machine: {platform.node()}; frameworks on GPU: "
        f"{', '.join(f for f, ok in gpus.items() if ok) or 'none (CPU check run)'}\n"
        f"Gumbel-Softmax {rows} x {k} float32, temperature {TAU}; Gamma {n} float32 samples\n"
    )

    headers = ("task", "case", "ms", "/ peer", "effective GB/s", "fraction of peak")
    table = []
    torch_device = "cuda" if gpus["torch"] else ("cpu" if args.allow_cpu else None)
    peers = {"soft": "torch F.gumbel_softmax", "gamma": "torch torch.distributions.Gamma"}
    times_soft, times_gamma = {}, {}
    if torch_device:
        import torch

        soft, gamma = _torch_cases(rows, k, n, torch_device, rc)
        times_soft.update(interleaved_medians(soft, rounds=args.rounds, warmup=2))
        times_gamma.update(interleaved_medians(gamma, rounds=args.rounds, warmup=2))
        del soft, gamma
        if torch_device == "cuda":
            torch.cuda.empty_cache()
        print("  torch done", flush=True)
    if gpus["cupy"]:
        import cupy

        soft, gamma = _cupy_cases(rows, k, n, rc)
        times_soft.update(interleaved_medians(soft, rounds=args.rounds, warmup=2))
        times_gamma.update(interleaved_medians(gamma, rounds=args.rounds, warmup=2))
        del soft, gamma
        cupy.get_default_memory_pool().free_all_blocks()
        print("  cupy done", flush=True)
    if gpus["jax"] or args.allow_cpu:
        soft, gamma = _jax_cases(rows, k, n, rc)
        jax_soft = interleaved_medians(soft, rounds=args.rounds, warmup=2)
        jax_gamma = interleaved_medians(gamma, rounds=args.rounds, warmup=2)
        print("  jax done", flush=True)
    else:
        jax_soft, jax_gamma = {}, {}
    table += _rows_for(times_soft, peers["soft"], soft_bytes, peak, "gumbel-softmax")
    table += _rows_for(
        jax_soft, "jax hand (jax.random + jax.nn)", soft_bytes, peak, "gumbel-softmax"
    )
    table += _rows_for(times_gamma, peers["gamma"], gamma_bytes, peak, "gamma")
    table += _rows_for(jax_gamma, "jax jax.random.gamma", gamma_bytes, peak, "gamma")
    print()
    print_table(table, headers)
    print(
        "\n/ peer: torch and cupy rows against the torch peer, jax rows against the jax peer. "
        "Effective GB/s counts the bytes a fused implementation must move (20 per element "
        "for Gumbel-Softmax rsample+backward, 16 per Gamma sample)."
    )
    return table


if __name__ == "__main__":
    main()
