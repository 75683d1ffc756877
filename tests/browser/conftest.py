"""A freshly built site served on localhost, and Chromium driven by Playwright.

One build and one browser for the whole session: ``mkdocs build --strict`` into a temporary folder
with ``SITE_URL`` set to the local server (so canonical URLs, the sitemap, instant navigation and the
404 page point where the pages are), served by ``http.server`` on a free port in a thread, with the
site's ``404.html`` for missing pages as a static host serves it. Chromium is Debian's
(``/usr/bin/chromium``, or ``$CHROMIUM``), never a browser Playwright downloads.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "site"))
sys.path.insert(0, str(TESTS / "browser"))
from browserenv import CHROMIUM, INSTALL_HINT, LAUNCH_ARGS  # noqa: E402
from builtsite import build  # noqa: E402
from environment import require  # noqa: E402  (tests/ is on the path through tests/conftest.py)


def _playwright_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


class _StaticHost(http.server.SimpleHTTPRequestHandler):
    """Files as a static host serves them, with the site's 404 page for what is missing."""

    def log_message(self, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        # Assets are cached between pages, as a static host lets browsers do (GitHub Pages: 10 min).
        if not self.path.endswith(("/", ".html", ".xml", ".json")):
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def chromium() -> str:
    require(Path(CHROMIUM).is_file() or shutil.which("chromium") is not None, "Chromium", INSTALL_HINT)
    require(_playwright_available(), "Playwright (Python)", INSTALL_HINT)
    return CHROMIUM if Path(CHROMIUM).is_file() else str(shutil.which("chromium"))


@pytest.fixture(scope="session")
def site(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, folder) of the built site, served until the session ends."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    target = tmp_path_factory.mktemp("browser-site") / "site"
    result = build(target, env={"SITE_URL": url})
    assert result.returncode == 0, result.stdout + result.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_StaticHost, directory=target))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url, target
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()
