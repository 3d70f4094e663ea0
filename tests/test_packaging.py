"""The three folders install as one package: relaxcore, relaxcore.backends, relaxcore.adapters."""

import pathlib
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source tree")
def test_wheel_maps_backends_and_adapters_under_relaxcore(tmp_path):
    pytest.importorskip(
        "setuptools", minversion="68", reason="building the wheel offline needs setuptools>=68"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    (wheel,) = tmp_path.glob("relaxcore-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert not {"backends", "adapters", "tests", "benchmarks"} & top, top
    for module in (
        "relaxcore/backends/numpy.py",
        "relaxcore/backends/jax.py",
        "relaxcore/adapters/__init__.py",
        "relaxcore/distribution.py",
    ):
        assert module in names, module
    source_packages = {
        str(p.parent.relative_to(ROOT))
        .replace("backends", "relaxcore/backends")
        .replace("adapters", "relaxcore/adapters")
        for folder in ("relaxcore", "backends", "adapters")
        for p in (ROOT / folder).rglob("__init__.py")
    }
    shipped = {n.rsplit("/", 1)[0] for n in names if n.endswith("__init__.py")}
    assert source_packages <= shipped, sorted(source_packages - shipped)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    readme = (ROOT / "README.md").read_text()
    assert ci.startswith("python -m pip install") and ci in readme
