"""The whole site builds strictly, and shows what the solution code derived."""

from __future__ import annotations

import html as html_lib
import json
import re
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from builtsite import COMMIT, DATE, EPOCH, SITE_URL, build, tex_of_formulas, visible_text

from solutions.exercises.catalog import DOCS_DIR, exercise_sets, iter_parts
from solutions.render.build_info import build_info
from solutions.render.offline import ZIP_NAME, write_site_zip
from solutions.render.search import page_location

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from test_katex import offsite_fetches  # noqa: E402

pytestmark = pytest.mark.build


def page(site, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_every_seminar5_exercise_has_a_page_with_every_part(site):
    for number, parts in {1: "abcdefghi", 2: "ab", 3: "abcde", 4: "abcd", 5: "abcde"}.items():
        html = page(site, f"exercises/seminar5/ex{number}")
        for letter in parts:
            assert f'id="q{number}{letter}"' in html, f"Q.{number}.{letter} has no anchor"


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("exercises/seminar5/ex1", ["10,001,000", "101,000", "Feature vectors, one per patch: 100",
                                    "28 × 28 × 5", "75", "375", "380", "10 × 10 × 5"]),
        ("exercises/seminar5/ex5", ["1,792", "64 × 16 × 224 × 224", "64 × 8 × 224 × 224",
                                    "693,633,024", "1,387,266,048"]),
    ],
)
def test_pages_show_the_derived_answers(site, path, shown):
    text = visible_text(page(site, path))
    for value in shown:
        assert value in text, f"{value!r} is not shown on {path}"


def test_matrices_are_typeset_from_the_derived_values(site):
    formulas = tex_of_formulas(page(site, "exercises/seminar5/ex3"))
    assert r"\begin{bmatrix} 1.25 & 4 \end{bmatrix}" in formulas
    assert r"\begin{bmatrix} 0 & 1 & 1 \\ 1 & 1.5 & 0.5 \end{bmatrix}" in formulas


def test_errata_are_on_their_pages_and_listed(site):
    errata = page(site, "errata")
    anchors = [
        "q1c-erratum-stride-must-be-1",
        "q1h-erratum-output-size-formula",
        "q3a-erratum-second-output-terms",
        "q3b-erratum-cross-correlation-is-gradient",
        "q3b-erratum-top-middle-terms",
        "q5d-erratum-cost-formula",
        "q5e-erratum-fewer-params-for-every-width",
        # a statement corrected against the literature (corrections:), anchored like the errata
        "q3d-erratum-dying-relu-all-units",
    ]
    for anchor in anchors:
        exercise = anchor[1]
        assert f'id="{anchor}"' in page(site, f"exercises/seminar5/ex{exercise}"), anchor
        assert f'exercises/seminar5/ex{exercise}/#{anchor}"' in errata, f"the Errata page does not link {anchor}"
    assert "Maas, A. Y. Hannun and A. Y. Ng" in visible_text(errata)  # a correction's reference is listed


def test_formula_pages_link_back_to_the_exercises_that_use_them(site):
    text = visible_text(page(site, "formulas/output-size"))
    assert "Used in: Seminar 5, Q.1.b" in text


def test_notebook_is_executed_and_downloadable(site):
    html = page(site, "notebooks/seminar5")
    assert "jp-OutputArea" in html
    assert "Traceback" not in visible_text(html)
    notebook = (site / "notebooks" / "seminar5.ipynb").read_text(encoding="utf-8")
    assert '"cell_type": "code"' in notebook


# --------------------------------------------------------------------------------------------------
# Reader-facing: citable, reproducible, printable, findable


class _WithoutMetadata(HTMLParser):
    """The HTML with every element marked data-build-metadata (and its content) left out."""

    _VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.depth = 0  # > 0 inside a marked element

    def handle_starttag(self, tag, attrs):
        if tag in self._VOID:
            if not self.depth:
                self.out.append(self.get_starttag_text())
            return
        if self.depth or any(name == "data-build-metadata" for name, _ in attrs):
            self.depth += 1
            return
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in self._VOID:
            return
        if self.depth:
            self.depth -= 1
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.depth:
            self.out.append(data)

    def handle_entityref(self, name):
        if not self.depth:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.depth:
            self.out.append(f"&#{name};")


def without_metadata(html_text: str) -> str:
    parser = _WithoutMetadata()
    parser.feed(html_text)
    return "".join(parser.out)


def test_build_metadata_sits_only_in_marked_elements_and_the_sitemap(site):
    """The commit and the date appear on pages only inside data-build-metadata elements, nowhere else
    (search index, notebook, feeds), and in the sitemap only as lastmod."""
    traces = (COMMIT, COMMIT[:7], DATE, "year = {2001}", "Sep 9, 2001", "September 9, 2001")
    seen = {}
    for path in sorted(site.rglob("*")):
        if path.suffix not in {".html", ".xml", ".json", ".ipynb", ".txt", ".js", ".css"}:
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            text = without_metadata(text)
        elif path.name == "sitemap.xml":
            assert text.count(f"<lastmod>{DATE}</lastmod>") == text.count("<lastmod>") > 0
            text = re.sub(r"<lastmod>[^<]*</lastmod>", "", text)
        found = [t for t in traces if t in text]
        if found:
            seen[str(path.relative_to(site))] = found
    assert seen == {}


def test_the_footer_names_the_version_and_the_commit(site):
    version = build_info().version
    for path in ("", "exercises/seminar5/ex1", "notebooks/seminar5"):
        text = visible_text(page(site, path))
        assert f"Solutions version {version}" in text and f"built from commit {COMMIT[:7]} of {DATE}" in text


def test_every_part_has_a_cite_box_whose_bibtex_points_at_the_part(site):
    version = build_info().version
    for exercise in (e for s in exercise_sets() for e in s.exercises):
        html = page(site, exercise.page_path.relative_to(DOCS_DIR).with_suffix("").as_posix())
        boxes = re.findall(r'<details class="cite" data-build-metadata[^>]*>(.*?)</details>', html, re.S)
        assert len(boxes) == len(exercise.parts), exercise.key
        for part, box in zip(exercise.parts, boxes, strict=True):
            bibtex = html_lib.unescape(re.sub(r"<[^>]+>", "", box))
            page_url = SITE_URL + exercise.page_path.relative_to(DOCS_DIR).with_suffix("").as_posix() + "/"
            assert f"url          = {{{page_url}#{part.anchor}}}" in bibtex, part.key
            assert f"version      = {{{version}}}" in bibtex and "year         = {2001}" in bibtex
            assert "month        = sep" in bibtex and f"commit {COMMIT[:7]}" in bibtex
            assert bibtex.count("{") == bibtex.count("}")
            assert f'id="{part.anchor}"' in html


def test_every_display_formula_of_a_part_is_numbered_with_an_anchor(site):
    for exercise in (e for s in exercise_sets() for e in s.exercises):
        html = page(site, exercise.page_path.relative_to(DOCS_DIR).with_suffix("").as_posix())
        for part in exercise.parts:
            numbers = re.findall(rf'<div class="equation" id="{part.anchor}-eq-(\d+)"[ >]', html)
            assert numbers == [str(n) for n in range(1, len(numbers) + 1)], part.key
            for n in numbers:
                link = f'<a class="eqno" href="#{part.anchor}-eq-{n}"'
                assert link in html and f"({part.label}.{n})</a>" in html
    assert 'id="q1e-eq-1"' in page(site, "exercises/seminar5/ex1")


def test_every_heading_has_a_permanent_link(site):
    missing = []
    for path in site.rglob("*.html"):
        if path.name == "404.html":
            continue
        html = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<h([1-6])([^>]*)>(.*?)</h\1>", html, re.S):
            body = match[3]
            if "md-" in match[2] or "headerlink" in body or "anchor-link" in body:
                continue
            missing.append(f"{path.relative_to(site)}: {re.sub(r'<[^>]+>', '', body)[:60]}")
    assert missing == []


def test_every_page_has_its_own_description(site):
    found = {}
    for path in site.rglob("index.html"):
        html = path.read_text(encoding="utf-8")
        (description,) = re.findall(r'<meta name="description" content="([^"]*)"', html)
        (social,) = re.findall(r'<meta property="og:description" content="([^"]*)"', html)
        assert description == social and 40 <= len(description) <= 165, path
        found.setdefault(description, []).append(str(path.relative_to(site)))
    assert [paths for paths in found.values() if len(paths) > 1] == []
    assert "Worked and checked solutions to Q.1.a to Q.1.i" in html_lib.unescape(
        re.findall(r'<meta name="description" content="([^"]*)"', page(site, "exercises/seminar5/ex1"))[0]
    )


def test_the_print_page_holds_every_part_once_with_unique_anchors(site):
    html = page(site, "print")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate anchors on the print page"
    for part in iter_parts():
        prefix = f"{part.exercise.set.id}-{part.exercise.id}".replace("_", "-")
        assert html.count(f'id="{prefix}-{part.anchor}"') == 1, part.key
    assert 'class="diagram"' in html and 'class="katex"' in html
    assert "data-build-metadata" not in without_metadata(html)
    assert 'details class="cite"' not in html and "The code:" not in html
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [doc for doc in index["docs"] if doc["location"].startswith("print/")]


def test_the_site_zip_is_linked_complete_and_deterministic(site, tmp_path):
    archive = site / "downloads" / ZIP_NAME
    assert f'href="../downloads/{ZIP_NAME}"' in page(site, "print")
    folder = f"cnn-arithmetic-{build_info().version}"
    with zipfile.ZipFile(archive) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert all(name.startswith(f"{folder}/") for name in names)
        assert {f"{folder}/README.txt", f"{folder}/print/index.html", f"{folder}/index.html"} <= set(names)
        assert not [n for n in names if n.endswith((".map", ".zip"))]
        assert z.read(f"{folder}/print/index.html") == (site / "print" / "index.html").read_bytes()
    again = tmp_path / "again.zip"
    write_site_zip(site, again, title="CNN arithmetic, worked and checked", version=build_info().version)
    assert again.read_bytes() == archive.read_bytes()


def test_the_search_index_tags_each_part_with_its_label(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] == r"[\s\-]+"
    by_location = {doc["location"]: doc for doc in index["docs"]}
    for part in iter_parts():
        doc = by_location[f"{page_location(part.exercise)}#{part.anchor}"]
        assert doc["tags"] == [part.label] and doc["title"].startswith(f"{part.label} · ")
    assert by_location["exercises/seminar5/ex1/"]["tags"] == ["Exercise 1"]


def test_notebook_cell_ids_depend_on_the_notebook_only(site):
    html = page(site, "notebooks/seminar5")
    ids = re.findall(r'id="cell-id=([^"]*)"', html)
    assert ids and ids == [f"c{n:02d}" for n in range(len(ids))]
    notebook = json.loads((site / "notebooks" / "seminar5.ipynb").read_text(encoding="utf-8"))
    assert all(re.fullmatch(r"c\d\d-[0-9a-f]{8}", cell["id"]) for cell in notebook["cells"])


def test_pages_load_nothing_from_other_hosts_and_preload_the_katex_fonts_they_use(site):
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert offsite_fetches(html) == [], path
        preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', html)
        if 'class="katex"' in html:
            assert [p.rsplit("/", 1)[-1] for p in preloads] == ["KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2"]
            assert all((path.parent / p).resolve().is_file() for p in preloads), path
        else:
            assert preloads == [], path


def test_the_404_page_helps_the_reader_on(site):
    text = visible_text((site / "404.html").read_text(encoding="utf-8"))
    assert "Page not found" in text and "Q.1.e" in text
