"""The Python examples of the documentation pages run as written.

Each page's ```python blocks run in order in one namespace, skipped when a framework the
page imports is not installed. The CuPy page is not run (it needs a GPU).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = ["index.md", "start/numpy.md", "start/torch.md", "start/jax.md"]
PAGES += ["start/array_api_strict.md", "guide/flows.md"]


@pytest.mark.parametrize("page", PAGES)
def test_page_python_blocks_run(page):
    text = (DOCS / page).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, f"{page} has no python example"
    imported = set(re.findall(r"^\s*import (\w+)", "\n".join(blocks), flags=re.M))
    for name in sorted(imported & {"torch", "jax", "optax", "array_api_strict"}):
        pytest.importorskip(name)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOCS / page), "exec"), namespace)  # noqa: S102
