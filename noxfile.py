"""nox sessions: one test session per framework, plus lint, typecheck, docs and bench.

Uses nox's plain venv backend: uv would ignore the local CPU torch wheel and fetch the
CUDA build. Every install goes through constraints.txt (torch==2.13.0 here).

The four test sessions keep the names of a parametrized session (`nox -s
"tests(backend='jax')"`) but are registered one by one, so that each lists its own
description; `nox -t tests` runs the four.
"""

import nox

nox.options.default_venv_backend = "venv"

INSTALL = ("-c", "constraints.txt")

#: backend -> (extra that installs it, what its session proves)
FRAMEWORKS = {
    "numpy": (
        "",
        "NumPy + SciPy: the default backend; explicit partials, no autodiff.",
    ),
    "torch": (
        "torch",
        "PyTorch (CPU): autograd, torch.func and torch.compile through the custom functions.",
    ),
    "jax": (
        "jax",
        "JAX: custom_jvp rules under jit, vmap and grad; pytrees; explicit keys.",
    ),
    "array_api_strict": (
        "strict",
        "array_api_strict: the core on the bare standard, with its own special functions.",
    ),
}


def _tests_session(backend: str, extra: str, description: str):
    def run(session):
        extras = ",".join(e for e in ("testing", extra) if e)
        session.install(*INSTALL, "-e", f".[{extras}]")
        session.env["RELAXCORE_TEST_BACKENDS"] = backend
        session.run("python", "-m", "pytest", "-n", "2", *session.posargs)

    run.__doc__ = f"The suite on {description}"
    run.__name__ = f"tests_{backend}"
    return nox.session(python="3.11", name=f"tests(backend='{backend}')", tags=["tests"])(run)


for _backend, (_extra, _description) in FRAMEWORKS.items():
    globals()[f"tests_{_backend}"] = _tests_session(_backend, _extra, _description)

nox.options.sessions = [f"tests(backend='{b}')" for b in FRAMEWORKS] + ["lint"]


@nox.session(python="3.11")
def lint(session):
    """ruff check on every source folder."""
    session.install("ruff")
    session.run(
        "ruff",
        "check",
        "relaxcore",
        "backends",
        "adapters",
        "tests",
        "benchmarks",
        "examples",
        "docs",
        "noxfile.py",
    )


@nox.session(python="3.11")
def typecheck(session):
    """mypy on relaxcore/ (configuration in pyproject's [tool.mypy])."""
    session.install(*INSTALL, "-e", ".[typecheck]")
    session.run("python", "-m", "mypy", *(session.posargs or ["relaxcore"]))


@nox.session(python="3.11")
def docs(session):
    """Build the documentation site into site/, strictly: every warning is an error."""
    session.install(*INSTALL, "-e", ".[docs]")
    session.run("python", "-m", "mkdocs", "build", "--strict", *session.posargs)


@nox.session(python="3.11")
def docs_browser(session):
    """Render the built pages in headless Chromium and check their internal links.

    Needs Debian's chromium on PATH (apt-get install chromium); the test skips without it.
    """
    session.install(*INSTALL, "-e", ".[docs,testing]")
    session.run("python", "-m", "pytest", "-q", "-rs", "tests/test_docs_site.py")


@nox.session(python="3.11")
def bench(session):
    """Side-by-side timings against the peers; prints tables of ratios."""
    session.install(*INSTALL, "-e", ".[bench]")
    session.run("python", "benchmarks/run_all.py", *session.posargs)
