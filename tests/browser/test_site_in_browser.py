"""Every page of the built site, in Chromium, as a reader gets it.

Each page is loaded once (:func:`visits`), and everything is recorded on that visit: console errors,
failed requests, requests to any host but the local server (which are also blocked), the visible
text, the typeset formulas and axe-core's violations. The tests then assert on the record, so the
run time grows by one page load and one axe run per page (two pages at a time). axe runs on every
page with KaTeX's visual layer emptied first: that layer is ``aria-hidden`` (assistive technology
reads the MathML twin, which stays) and is most of the DOM, so axe takes half the time; on the three
representative pages it also runs on the untouched page in the dark scheme, next to the screenshots.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import os
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browserenv import LAUNCH_ARGS

from solutions.exercises.catalog import DOCS_DIR, iter_parts
from solutions.notation_check import markdown_math
from solutions.render.search import page_location
from solutions.render.site import GENERATED_DIR

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DELIMITERS = ("\\(", "\\)", "\\[", "\\]", "$$")
MISSING = "no-such-page/"  # visited with the others: the static host answers with the site's 404 page
BLOCKING = ("serious", "critical")
# The site lets the browser skip rendering the blocks of a page far from the screen until the reader
# scrolls to them (content-visibility: auto). axe and full-page screenshots do not scroll, and axe
# misjudges the colours of blocks that were never rendered, so both get every block rendered first.
RENDER_ALL = ".md-typeset > * { content-visibility: visible !important; }"
_INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$', re.M)
_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@dataclass
class Visit:
    path: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    offsite_requests: list[str] = field(default_factory=list)
    raw_delimiters: list[str] = field(default_factory=list)
    formulas: int = 0
    violations: list[dict] = field(default_factory=list)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in ("127.0.0.1", "localhost")


async def _visit(context, url: str, path: str) -> Visit:
    """Load one page, record what a reader's browser does, run axe on it."""
    visit = Visit(path)
    page = await context.new_page()
    closing: list[bool] = []

    def console(message) -> None:
        # A page deliberately missing makes the browser log its own 404; that is not an error of the site.
        if message.type == "error" and not (path == MISSING and message.location.get("url") == url + path):
            visit.console_errors.append(message.text)

    async def offsite(route) -> None:
        visit.offsite_requests.append(route.request.url)
        await route.abort()

    page.on("console", console)
    page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"))
    page.on(
        "requestfailed",
        lambda r: None if closing or not _is_local(r.url) else visit.failed_requests.append(f"{r.url}: {r.failure}"),
    )
    page.on(
        "response",
        lambda r: (
            visit.failed_requests.append(f"{r.url}: HTTP {r.status}")
            if r.status >= 400 and r.url != url + path
            else None
        ),
    )
    await page.route(lambda target: not _is_local(target), offsite)
    response = await page.goto(url + path, wait_until="load")
    visit.status = response.status if response else None
    text = await page.evaluate("() => (document.querySelector('article') || document.body).innerText")
    visit.raw_delimiters = [d for d in DELIMITERS if d in text]
    visit.formulas = await page.locator(".katex").count()
    await page.evaluate("() => document.querySelectorAll('.katex-html').forEach(e => e.replaceChildren())")
    await page.add_style_tag(content=RENDER_ALL)
    await page.add_script_tag(path=str(AXE))
    visit.violations = await page.evaluate(_AXE_RUN)
    closing.append(True)
    await page.close()
    return visit


async def _visit_all(chromium: str, url: str, paths: list[str], tabs: int) -> dict[str, Visit]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
        slots = asyncio.Semaphore(tabs)

        async def one(path: str) -> Visit:
            async with slots:
                return await _visit(context, url, path)

        found = await asyncio.gather(*(one(path) for path in paths))
        await browser.close()
    return {visit.path: visit for visit in found}


def site_pages(folder: Path) -> list[str]:
    """Every page in the sitemap, as a path under the site's root."""
    tree = ET.parse(folder / "sitemap.xml")
    locations = [el.text for el in tree.iter() if el.tag.endswith("loc")]
    return sorted(urlsplit(loc).path.lstrip("/") for loc in locations)


def source_of(path: str) -> Path | None:
    """The docs source of a page (``exercises/s/ex1/`` -> ``docs/exercises/s/ex1.md``)."""
    stem = path.rstrip("/")
    for candidate in (f"{stem}.md", f"{stem}/index.md", f"{stem}.py", "index.md" if not stem else ""):
        if candidate and (DOCS_DIR / candidate).is_file():
            return DOCS_DIR / candidate
    return None


def source_has_math(path: str) -> bool:
    source = source_of(path)
    if source is None:
        return False
    text = source.read_text(encoding="utf-8")
    text += "".join((GENERATED_DIR / name).read_text(encoding="utf-8") for name in _INCLUDE.findall(text))
    return bool(markdown_math(text))  # math outside code blocks and code spans


@pytest.fixture(scope="session")
def visits(site, chromium) -> dict[str, Visit]:
    """Every page of the sitemap and a missing one (the 404 page), each visited once in the light scheme.

    Pages load in ``$BROWSER_TEST_TABS`` tabs at a time (2 by default: about 40% faster on two cores),
    with Playwright's async API in a thread of its own, apart from the session's synchronous browser.
    """
    url, folder = site
    paths = [*site_pages(folder), MISSING]
    tabs = int(os.environ.get("BROWSER_TEST_TABS", "2"))
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        found = thread.submit(asyncio.run, _visit_all(chromium, url, paths, tabs)).result()
    print(f"visited {len(found)} pages in {time.monotonic() - started:.1f} s, {tabs} at a time")
    return found


def test_the_site_has_the_pages_readers_expect(visits):
    paths = set(visits)
    for path in ("", "cite/", "print/", "errata/", "formulas/output-size/"):
        assert path in paths, f"{path or 'home'} is not in the sitemap"
    assert any(p.startswith("notebooks/") for p in paths)


def test_every_page_loads_without_console_errors_or_failed_requests(visits):
    problems = {
        path: v.console_errors + v.failed_requests
        for path, v in visits.items()
        if v.console_errors or v.failed_requests
    }
    assert not problems
    assert all(v.status == 200 for path, v in visits.items() if path != MISSING)
    assert visits[MISSING].status == 404


def test_no_page_asks_any_other_host_for_anything(visits):
    assert {path: v.offsite_requests for path, v in visits.items() if v.offsite_requests} == {}


def test_every_formula_is_typeset_and_no_tex_shows(visits):
    assert {path: v.raw_delimiters for path, v in visits.items() if v.raw_delimiters} == {}
    with_math = [path for path in visits if source_has_math(path)]
    assert len(with_math) >= 5
    assert [path for path in with_math if visits[path].formulas == 0] == []


def test_axe_finds_nothing_serious_on_any_page(visits):
    found = {
        path: [
            f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
            for v in visit.violations
            if v["impact"] in BLOCKING
        ]
        for path, visit in visits.items()
    }
    assert {path: items for path, items in found.items() if items} == {}


def test_a_missing_page_gets_the_sites_404_page(site, browser):
    url, _ = site
    page = browser.new_page()
    response = page.goto(url + "exercises/no-such-set/ex9/", wait_until="load")
    assert response.status == 404
    assert "Page not found" in page.inner_text("article")
    assert page.locator("a[href$='/exercises/']").count() >= 1
    page.close()


# --------------------------------------------------------------------------------------------------
# Reader comforts


def _search(page, query: str) -> list[list[str]]:
    """The result groups (one per page: its links) for ``query``, typed into the search box."""
    box = page.locator("input.md-search__input")
    box.click()
    # Typing key by key would send every prefix to the search worker, and the results of "q" can
    # arrive after the last key of "Q1a". So: clear, wait for the empty list, then set the whole query
    # at once (End fires the key event Material listens to): the only results that can show are its.
    box.fill("")
    box.press("End")
    page.wait_for_function("() => !document.querySelector('.md-search-result__item')", timeout=10_000)
    box.fill(query)
    box.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    return page.eval_on_selector_all(
        ".md-search-result__item",
        "items => items.map(i => [...i.querySelectorAll('a')].map(a => a.getAttribute('href')))",
    )


def _location(href: str, base: str) -> str:
    parts = urlsplit(href)
    return parts.path.removeprefix(urlsplit(base).path) + (f"#{parts.fragment}" if parts.fragment else "")


def test_the_search_index_is_requested_only_after_the_page_has_loaded(site, browser):
    """The index (the site's largest file) must not compete with the page for its first paint."""
    url, _ = site
    page = browser.new_page()
    page.goto(url + "formulas/output-size/", wait_until="load")
    entry = "() => performance.getEntriesByType('resource').find(e => e.name.endsWith('/search/search_index.json'))"
    page.wait_for_function(f"() => ({entry})() !== undefined", timeout=15_000)  # no interaction: on idle
    started, loaded = page.evaluate(
        f"() => [({entry})().startTime, performance.getEntriesByType('navigation')[0].loadEventEnd]"
    )
    page.close()
    assert started >= loaded, f"the search index was requested at {started} ms, before the load event ({loaded} ms)"


def test_searching_a_part_label_lands_on_the_part(site, browser):
    url, _ = site
    # A label shared by several sets (3(a) in two of them) or a prefix of others (2 and 2(a)) cannot
    # name one part: searching it must land on a part with that label or on one of its sub-parts.
    expected: dict[str, set[str]] = {}
    parts = list(iter_parts())
    for part in parts:
        expected.setdefault(part.label, set())
    for label in expected:
        matching = [p for p in parts if p.label == label or p.label.startswith(label + "(")]
        expected[label] = {f"{page_location(p.exercise)}#{p.anchor}" for p in matching}
    labels = sorted(expected)
    if len(labels) > 40:  # many sets: a deterministic sample, every set's labels included
        labels = labels[:: len(labels) // 40 + 1]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url, wait_until="networkidle")
    wrong = {}
    for label in labels:
        groups = _search(page, label)
        sections = [_location(h, url) for h in groups[0] if "#" in h] if groups else []
        if not sections or sections[0] not in expected[label]:
            wrong[label] = groups[:2]
    page.close()
    assert wrong == {}, "the first result is not the part"


def test_instant_navigation_brings_diagrams_and_formulas(site, browser):
    url, folder = site
    target = next(
        p
        for p in site_pages(folder)
        if p.startswith("exercises/") and 'class="diagram"' in (folder / p / "index.html").read_text()
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    index = "/".join(target.split("/")[:2]) + "/"  # the set's page links to its exercises
    page.goto(url + index, wait_until="networkidle")
    page.evaluate("() => { window.__notReloaded = true; }")
    link = page.evaluate_handle(
        "t => [...document.querySelectorAll('article a')].find(a => a.href.split('#')[0] === t)", url + target
    )
    link.as_element().click()
    page.wait_for_url(re.compile(re.escape(url + target) + "(#.*)?$"))
    page.wait_for_selector("figure.diagram svg")
    assert page.evaluate("() => window.__notReloaded === true"), "the click reloaded the page: no instant navigation"
    diagram = page.locator("figure.diagram svg").first
    diagram.scroll_into_view_if_needed()
    box = diagram.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 40
    assert page.locator(".katex").count() > 0
    assert (
        page.locator("figure.diagram svg[role=img][aria-label]").count() == page.locator("figure.diagram svg").count()
    )
    assert errors == []
    page.close()


def test_a_link_to_a_part_or_a_formula_opens_at_it(site, browser):
    """A cited URL lands on its part (or numbered formula), even with blocks above not yet rendered.

    Each URL is opened in a fresh page, as a reader following a citation does; the position is read
    once it has settled (blocks near the target render and are measured after the first scroll).
    """
    url, _ = site
    exercise = max((p.exercise for p in iter_parts()), key=lambda e: len(e.parts))
    anchors = (exercise.parts[-1].anchor, f"{exercise.parts[len(exercise.parts) // 2].anchor}-eq-1")
    # The target's distance from the top of the window, once it is in place or after 5 s.
    settled_top = """async a => {
        const top = () => document.getElementById(a).getBoundingClientRect().top;
        for (let i = 0; i < 100 && !(top() >= 0 && top() <= 200); i++) await new Promise(r => setTimeout(r, 50));
        return top();
    }"""
    for anchor in anchors:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}{page_location(exercise)}#{anchor}", wait_until="load")
        if page.locator(f"[id='{anchor}']").count() == 0:
            page.close()
            continue  # that part has no numbered formula
        top = page.evaluate(settled_top, anchor)
        page.close()
        assert 0 <= top <= 200, f"#{anchor} is {top}px from the top of the window"


def test_the_colour_toggle_recolours_the_diagrams(site, browser):
    url, folder = site
    target = next(p for p in site_pages(folder) if 'class="diagram"' in (folder / p / "index.html").read_text())
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page.goto(url + target, wait_until="load")

    def colours() -> tuple[str, str, str]:
        return page.evaluate(
            "() => { const rd = document.querySelector('svg.dg .dg-rd'), t = document.querySelector('svg.dg text');"
            " return [document.body.dataset.mdColorScheme, getComputedStyle(rd).fill, getComputedStyle(t).fill]; }"
        )

    scheme, read_fill, text_fill = colours()
    assert scheme == "default"
    page.locator("label[for='__palette_1']").first.click()
    dark, dark_read_fill, dark_text_fill = colours()
    assert dark == "slate" and dark_text_fill != text_fill and dark_read_fill != read_fill
    page.close()


def test_code_blocks_have_copy_buttons(site, browser):
    url, folder = site
    target = next(
        p
        for p in site_pages(folder)
        if p.startswith("exercises/") and "<pre" in (folder / p / "index.html").read_text()
    )
    page = browser.new_page()
    page.goto(url + target, wait_until="load")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    blocks = page.locator("pre > code")
    for n in range(blocks.count()):  # Material adds the button when a block first comes into view
        blocks.nth(n).scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    copy = "button[data-md-type=copy], button.md-clipboard"  # Material 9.8 and earlier 9.x
    assert blocks.count() > 0 and page.locator(copy).count() == blocks.count()
    page.close()


# --------------------------------------------------------------------------------------------------
# The representative pages, light and dark: screenshots to look at, and axe on the untouched page in
# the dark scheme (colour contrast differs by scheme)


def _representative(folder: Path) -> dict[str, str]:
    pages = site_pages(folder)
    exercise = next(
        p for p in pages if p.startswith("exercises/") and 'class="diagram"' in (folder / p / "index.html").read_text()
    )
    return {
        "exercise": exercise,
        "formula": "formulas/output-size/"
        if "formulas/output-size/" in pages
        else next(p for p in pages if p.startswith("formulas/")),
        "notebook": next(p for p in pages if p.startswith("notebooks/")),
    }


def test_representative_pages_in_light_and_dark(site, browser):
    url, folder = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        for name, path in _representative(folder).items():
            page = context.new_page()
            page.goto(url + path, wait_until="networkidle")
            expected = "slate" if scheme == "dark" else "default"
            assert page.evaluate("() => document.body.dataset.mdColorScheme") == expected
            page.add_style_tag(content=RENDER_ALL)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{scheme}.png"), full_page=True)
            if scheme == "dark":  # the light scheme's axe run is on every page, in test_axe_...
                page.add_script_tag(path=str(AXE))
                for v in page.evaluate(_AXE_RUN):
                    if v["impact"] in BLOCKING:
                        problems.append(f"{path} ({scheme}): {v['id']}: {v['help']} at {v['nodes']}")
            page.close()
        context.close()
    assert problems == []
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 6


def test_the_print_page_prints_every_part_with_its_formulas_and_diagrams(site, browser):
    import pypdf

    url, _ = site
    page = browser.new_page()
    page.goto(url + "print/", wait_until="networkidle")
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(sheet.extract_text() for sheet in reader.pages)
    parts = list(iter_parts())
    missing = [part.label for part in parts if f"{part.label} · " not in text]
    assert missing == []
    assert re.search(r"\(Q\.1\.e\.1\)", text), "numbered formulas"
    assert "out 0" in text and "input" in text, "the diagrams' labels"
    assert "Cite Q" not in text  # the cite boxes stay on the screen
    exercises = {part.exercise.key for part in parts}
    assert len(reader.pages) >= len(exercises)
