"""Run every ``benchmarks/bench_*.py`` in turn: ``python benchmarks/run_all.py [--quick]``.

``bench_targets`` runs first: the table of every ratio issue 15 sets a target for (implicit
gradients, the functional API, compiled samples against the memory-traffic time), with
each target and whether it is met. ``--targets-only`` stops after it.

Each module's ``main()`` is called with ``sys.argv`` set to its name plus the flags given
here, so a module that parses flags sees them. A module that cannot import a peer library
(ModuleNotFoundError for anything but relaxcore or this folder's modules) is skipped
with the reason;
any other error propagates.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def bench_modules() -> list[str]:
    """Names of the bench_* modules next to this file, sorted, bench_targets first."""
    folder = str(Path(__file__).resolve().parent)
    names = sorted(m.name for m in pkgutil.iter_modules([folder]) if m.name.startswith("bench_"))
    return sorted(names, key=lambda name: name != "bench_targets")


def main(argv=None) -> list[str]:
    """Run each benchmark; return the names of those skipped."""
    flags = list(sys.argv[1:] if argv is None else argv)
    targets_only = "--targets-only" in flags
    flags = [f for f in flags if f != "--targets-only"]
    folder = str(Path(__file__).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # the modules are scripts: they import `_timing` directly
    skipped = []
    for name in bench_modules():
        print(f"\n## {name}\n", flush=True)
        saved = sys.argv
        sys.argv = [name, *flags]
        start = time.perf_counter()
        try:
            importlib.import_module(name).main()
        except ModuleNotFoundError as err:
            if (err.name or "").partition(".")[0] in ("relaxcore", "_timing", *bench_modules()):
                raise  # our own module is missing: a bug, not a missing peer
            print(f"skipped {name}: peer library {err.name!r} is not installed ({err})")
            skipped.append(name)
            continue
        finally:
            sys.argv = saved
        print(f"\n{name}: {time.perf_counter() - start:.0f} s", flush=True)
        if targets_only:
            break
    return skipped


if __name__ == "__main__":
    main()
