"""nox sessions: one test session per framework, plus lint and bench.

Uses nox's plain venv backend: uv would ignore the local CPU torch wheel and fetch the
CUDA build. Every install goes through constraints.txt (torch==2.13.0 here).
"""

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint"]

INSTALL = ("-c", "constraints.txt")
FRAMEWORK_EXTRA = {"numpy": "", "torch": "torch", "jax": "jax", "array_api_strict": "strict"}


@nox.session(python="3.11")
@nox.parametrize("backend", list(FRAMEWORK_EXTRA))
def tests(session, backend):
    """The suite on one framework: `nox -s "tests(backend='torch')"`."""
    extras = ",".join(e for e in ("testing", FRAMEWORK_EXTRA[backend]) if e)
    session.install(*INSTALL, "-e", f".[{extras}]")
    session.env["RELAXCORE_TEST_BACKENDS"] = backend
    session.run("python", "-m", "pytest", "-n", "2", *session.posargs)


@nox.session(python="3.11")
def lint(session):
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
        "noxfile.py",
    )


@nox.session(python="3.11")
def bench(session):
    """Side-by-side timings against the peers; prints tables of ratios."""
    session.install(*INSTALL, "-e", ".[bench]")
    session.run("python", "benchmarks/run_all.py", *session.posargs)
