"""benchmarks/run_all.py runs bench_targets first; bench_targets' pieces run on tiny sizes."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_targets  # noqa: E402
import run_all  # noqa: E402


def test_run_all_starts_with_the_targets_table():
    names = run_all.bench_modules()
    assert names[0] == "bench_targets" and "bench_implicit" in names


def test_functional_rows_give_a_ratio_per_case():
    pytest.importorskip("torch")
    rows = bench_targets.functional_rows(((8, 4),), rounds=1, calls=1)
    assert [r[1] for r in rows] == ["8x4", "8x4 hard"]
    assert all(r[3]["ours"] > 0 and r[3]["peer"] > 0 for r in rows)


def test_copy_bandwidth_is_measured():
    assert 1e8 < bench_targets.copy_bandwidth(megabytes=8, rounds=3) < 1e13
