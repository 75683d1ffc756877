"""Build the site once per test session, and read its pages as a reader sees them."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Build metadata a reader could never mistake for anything else, so the tests can find every copy.
SITE_URL = "https://example.org/cnn-arithmetic/"
COMMIT = "c0ffee0ddba11ab1ebadf00d5eed1dea5ca1ab1e"
EPOCH, DATE = "1000000000", "2001-09-09"  # SOURCE_DATE_EPOCH and its day (UTC)
PINNED = {"SITE_URL": SITE_URL, "GITHUB_SHA": COMMIT, "SOURCE_DATE_EPOCH": EPOCH}


def build(target: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` into ``target`` (never with -q: it hides warnings from --strict).

    ``env`` adds to the environment (``SITE_URL``, ``SOURCE_DATE_EPOCH``, ``GITHUB_SHA``...).
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(target)]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


class _Visible(HTMLParser):
    """Collects the text a reader sees: no scripts, styles, or KaTeX's hidden MathML copy."""

    _HIDDEN = {"script", "style", "annotation", "title"}

    def __init__(self, code: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[bool] = []
        self._hidden = self._HIDDEN if code else self._HIDDEN | {"code", "pre"}

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        hidden = tag in self._hidden or "katex-mathml" in classes.split()
        if tag in {"br", "img", "input", "meta", "link", "hr", "wbr"}:
            return
        self._stack.append(hidden or (bool(self._stack) and self._stack[-1]))

    def handle_endtag(self, tag):
        if tag in {"br", "img", "input", "meta", "link", "hr", "wbr"}:
            return
        if self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not (self._stack and self._stack[-1]):
            self.parts.append(data)


def visible_text(page_html: str, *, code: bool = True) -> str:
    """The page's visible text, whitespace collapsed; ``code=False`` leaves out code blocks."""
    parser = _Visible(code)
    parser.feed(page_html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def tex_of_formulas(page_html: str) -> list[str]:
    """The TeX source of every typeset formula (KaTeX keeps it in a MathML annotation)."""
    found = re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', page_html, re.S)
    return [re.sub(r"\s+", " ", html.unescape(tex)).strip() for tex in found]
