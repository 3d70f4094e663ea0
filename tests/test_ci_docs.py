"""CI runs the README's test command, then the strict documentation build."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_COMMAND = 'python -m pip install -c constraints.txt -e ".[test]" && python -m pytest -n 2'
DOCS_COMMAND = (
    'python -m pip install -c constraints.txt -e ".[docs]" && python -m mkdocs build --strict'
)


def test_ci_runs_the_tests_then_the_strict_docs_build():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert TEST_COMMAND in lines and DOCS_COMMAND in lines
    assert lines.index(TEST_COMMAND) < lines.index(DOCS_COMMAND)
    readme = (ROOT / "README.md").read_text()
    assert TEST_COMMAND in readme and DOCS_COMMAND in readme


def test_mkdocs_config_is_strict():
    config = (ROOT / "mkdocs.yml").read_text()
    assert "\nstrict: true\n" in config
