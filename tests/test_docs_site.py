"""The documentation site renders in a real browser, and its internal links resolve.

Builds the site with mkdocs (strict) into a temporary folder, serves it on localhost, and
has headless Chromium dump the DOM of the index and of one API page (what a reader's
browser shows after its scripts ran). Skipped when mkdocs or Chromium is absent: install
``.[docs]`` and Debian's ``chromium`` (``apt-get install chromium``), or run
``nox -s docs_browser``. ``RELAXCORE_CHROMIUM`` names another Chromium binary.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("RELAXCORE_CHROMIUM") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("mkdocs") is None
        or importlib.util.find_spec("mkdocstrings") is None,
        reason="mkdocs/mkdocstrings not installed (pip install -e '.[docs]')",
    ),
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium binary on PATH (apt-get install chromium, or set RELAXCORE_CHROMIUM)",
    ),
]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "img", "link", "script"):
                self.links.append(attrs[key])


@pytest.fixture(scope="module")
def site():
    out = Path(tempfile.mkdtemp(prefix="relaxcore-site-"))
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    shutil.rmtree(out, ignore_errors=True)


def dump_dom(url: str) -> str:
    with tempfile.TemporaryDirectory(prefix="relaxcore-chromium-") as profile:
        run = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def unresolved_links(root: Path, base: str, page_url: str, dom: str) -> list[str]:
    """Internal links of `dom` whose target file (or #fragment) is not in the built site."""
    parser = _Links()
    parser.feed(dom)
    missing = []
    for link in parser.links:
        target = urlsplit(urljoin(page_url, link))
        if not target.geturl().startswith(base):
            continue  # another host: not ours to check
        path = root / unquote(target.path.lstrip("/"))
        if target.path.endswith("/"):
            path = path / "index.html"
        if not path.is_file():
            missing.append(link)
        elif target.fragment and path.suffix == ".html":
            ids = _Links()
            ids.feed(path.read_text(encoding="utf-8"))
            if unquote(target.fragment) not in ids.ids:
                missing.append(link)
    return missing


def test_index_renders_and_links_resolve(site):
    root, base = site
    dom = dump_dom(base)
    assert re.search(r"<title>\s*relaxcore\s*</title>", dom), dom[:500]
    assert "Which relaxation or estimator" in dom
    assert unresolved_links(root, base, base, dom) == []


def test_api_page_renders_classes_and_links_resolve(site):
    root, base = site
    url = base + "api/relaxations/"
    dom = dump_dom(url)
    assert re.search(r"<title>[^<]*relaxations[^<]*</title>", dom), dom[:500]
    # mkdocstrings' anchors: one per documented object, rendered from the docstrings
    assert 'id="relaxcore.relaxations.RelaxedOneHotCategorical"' in dom
    assert 'id="relaxcore.relaxations.HardConcrete"' in dom
    assert "Maddison" in dom  # a docstring's text, not only its heading
    assert unresolved_links(root, base, url, dom) == []


def test_link_check_catches_a_missing_page(site):
    root, base = site
    dom = '<a href="start/numpy/">ok</a><a href="no/such/page/">broken</a><a href="#x">x</a>'
    assert unresolved_links(root, base, base, dom) == ["no/such/page/", "#x"]
