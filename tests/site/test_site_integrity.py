"""Integrity of the built site: links and anchors resolve, every page is in the navigation, no
formula is left untypeset, and nothing is fetched from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from builtsite import SITE_URL, visible_text

pytestmark = pytest.mark.build

# Elements whose URL the browser fetches when the page loads (links merely navigate).
_FETCHING = {
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
}
_FETCHING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest", "prefetch", "preconnect"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.fetches: list[str] = []
        self.nav_links: list[str] = []
        self._nav_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for key in ("id", "name"):
            if attributes.get(key):
                self.ids.add(attributes[key])
        if tag == "nav" and "md-nav--primary" in (attributes.get("class") or ""):
            self._nav_depth = 1
        elif tag == "nav" and self._nav_depth:
            self._nav_depth += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
            if self._nav_depth:
                self.nav_links.append(attributes["href"])
        for element, attribute in _FETCHING:
            if tag == element and attributes.get(attribute):
                self.fetches.append(attributes[attribute])
        if tag == "link" and set((attributes.get("rel") or "").split()) & _FETCHING_LINK_RELS:
            self.fetches.append(attributes.get("href") or "")
        if attributes.get("srcset"):
            self.fetches += [entry.split()[0] for entry in attributes["srcset"].split(",") if entry.strip()]

    def handle_endtag(self, tag):
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1


def _pages(site: Path) -> dict[str, _Page]:
    pages = {}
    for html_file in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(html_file.read_text(encoding="utf-8"))
        pages[html_file.relative_to(site).as_posix()] = parser
    return pages


@pytest.fixture(scope="module")
def pages(site):
    return _pages(site)


def _target(site: Path, page: str, href: str) -> tuple[str | None, str]:
    """The site file a relative ``href`` on ``page`` points to, and its fragment."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, ""
    if not parts.path:
        return page, unquote(parts.fragment)
    if parts.path.startswith("/"):  # root-relative, as on the 404 page: under site_url's path
        root = urlsplit(SITE_URL).path
        if not parts.path.startswith(root):
            return f"outside the site: {parts.path}", ""
        path = PurePosixPath(unquote(parts.path)[len(root):])
    else:
        path = PurePosixPath(page).parent / unquote(parts.path)
    resolved = PurePosixPath(*[p for p in _normalise(path.parts)])
    candidate = site / resolved
    if candidate.is_dir() or parts.path.endswith("/"):
        resolved = resolved / "index.html"
    return resolved.as_posix(), unquote(parts.fragment)


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


def test_every_internal_link_and_anchor_resolves(site, pages):
    broken = []
    for page, parsed in pages.items():
        for href in parsed.links:
            if href.startswith(("mailto:", "javascript:")):
                continue
            target, fragment = _target(site, page, href)
            if target is None:
                continue
            if not (site / target).exists():
                broken.append(f"{page}: {href} -> missing {target}")
            elif fragment and target.endswith(".html") and fragment not in pages[target].ids:
                broken.append(f"{page}: {href} -> no anchor #{fragment} in {target}")
    assert not broken, "\n".join(broken)


def test_every_page_is_reachable_from_the_navigation(site, pages):
    home = pages["index.html"]
    reachable = {_target(site, "index.html", href)[0] for href in home.nav_links}
    orphans = [page for page in pages if page not in reachable and page != "404.html"]
    assert not orphans, f"pages not in the navigation: {orphans}"


def test_no_formula_is_left_as_raw_tex(site):
    for html_file in site.rglob("*.html"):
        text = visible_text(html_file.read_text(encoding="utf-8"), code=False)
        for delimiter in (r"\(", r"\)", r"\[", r"\]", "$$", r"\begin{", r"\frac"):
            assert delimiter not in text, f"raw math {delimiter!r} on {html_file.relative_to(site)}"


def test_nothing_is_fetched_from_another_host(site, pages):
    external = [f"{page}: {url}" for page, parsed in pages.items() for url in parsed.fetches
                if urlsplit(url).scheme in ("http", "https") or url.startswith("//")]
    for stylesheet in site.rglob("*.css"):
        for url in re.findall(r"""(?:url\(|@import\s+)\s*['"]?([^'")\s]+)""", stylesheet.read_text(encoding="utf-8")):
            if url.startswith(("http:", "https:", "//")):
                external.append(f"{stylesheet.relative_to(site)}: {url}")
    assert not external, "\n".join(external)


def test_no_page_asks_for_google_fonts_or_a_math_cdn(site):
    for html_file in site.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        for host in ("fonts.googleapis", "fonts.gstatic", "cdn.jsdelivr", "cdnjs.cloudflare", "unpkg.com",
                     "mathjax", "polyfill.io"):
            assert host not in text.lower(), f"{host} on {html_file.relative_to(site)}"
