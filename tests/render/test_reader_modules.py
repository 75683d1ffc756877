"""The engine-independent pieces behind the reader's features: citation, build metadata, page
descriptions, the print page, the zip, the search tags and notebook ids."""

from __future__ import annotations

import json
import re
import tomllib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
import yaml

from solutions.exercises.catalog import find_part, iter_parts
from solutions.render import build_info as build_info_module
from solutions.render.build_info import BuildInfo
from solutions.render.citation import (
    CITATION_FILE,
    add_cite_boxes,
    cite_box,
    expand_shortcodes,
    part_bibtex,
    site_bibtex,
)
from solutions.render.describe import page_description, plain_text
from solutions.render.notebook import cell_id, stable_page_cell_ids
from solutions.render.offline import print_page, write_site_zip
from solutions.render.search import tag_parts

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "tests" / "data" / "cff-1.2.0.schema.json"
BUILD = BuildInfo(
    version="9.8.7", commit="0123456789abcdef0123456789abcdef01234567", date=datetime(2030, 2, 3, tzinfo=UTC)
)


# --------------------------------------------------------------------------------------------------
# CITATION.cff and BibTeX


def test_citation_cff_is_valid_cff_1_2_0_and_names_the_released_version():
    citation = yaml.safe_load(CITATION_FILE.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(citation, schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    for field in schema["required"]:  # cff-version, message, title, authors
        assert citation[field], field
    assert citation["cff-version"] == "1.2.0"
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert str(citation["version"]) == project["version"]
    assert citation["license"] == project["license"]


def test_the_cff_schema_rejects_a_file_without_authors():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    citation = yaml.safe_load(CITATION_FILE.read_text(encoding="utf-8"))
    del citation["authors"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(citation, schema)


def _fields(bibtex: str) -> dict[str, str]:
    assert bibtex.count("{") == bibtex.count("}")
    return dict(re.findall(r"^  (\w+)\s*= \{?(.*?)\}?,$", bibtex, re.M))


def test_a_parts_bibtex_links_to_the_part_and_names_version_date_and_commit():
    part = find_part("seminar5/ex1/q1e")
    bibtex = part_bibtex(part, "https://example.org/site/exercises/seminar5/ex1/", BUILD)
    assert bibtex.startswith("@misc{cnnarithmetic-seminar5-ex1-q1e,\n") and bibtex.endswith("\n}")
    fields = _fields(bibtex)
    assert fields["url"] == "https://example.org/site/exercises/seminar5/ex1/#q1e"
    assert fields["version"] == "9.8.7" and fields["year"] == "2030" and fields["month"] == "feb"
    assert fields["title"] == "{Seminar 5, Q.1.e: Output volume with stride 1}"
    assert "commit 0123456" in fields["note"]


def test_bibtex_escapes_what_tex_would_misread_and_omits_an_unknown_date():
    part = find_part("seminar5/ex5/q5e")  # (2+1)D against 3D
    undated = BuildInfo(version="1.0", commit=None, date=None)
    bibtex = part_bibtex(part, "https://x/", undated)
    assert "year" not in bibtex and "month" not in bibtex and "commit" not in bibtex
    assert "{Seminar 5, Q.5.e: (2+1)D against 3D}" in bibtex
    site = site_bibtex("https://x/", BUILD)
    assert "{{CNN arithmetic contributors}}" in site and "url          = {https://x/}" in site


def test_cite_boxes_follow_every_part_and_carry_the_metadata_attribute():
    exercise = find_part("seminar5/ex1/q1a").exercise
    markdown = exercise.page_path.read_text(encoding="utf-8")
    out = add_cite_boxes(markdown, exercise, "https://x/ex1/", BUILD)
    assert out.count('<details class="cite" data-build-metadata data-search-exclude markdown>') == len(exercise.parts)
    for part in exercise.parts:
        include = f'--8<-- "exercises/seminar5/ex1/{part.id}.md"'
        after = out.split(include, 1)[1]
        assert (
            after.lstrip().startswith('<details class="cite"') and f"#{part.anchor}}}" in after.split("</details>")[0]
        )
    assert "[How to cite](../../cite.md)" in cite_box(exercise.parts[0], "https://x/", BUILD, "../../cite.md")


def test_an_unknown_shortcode_stops_the_build_and_known_ones_expand():
    with pytest.raises(ValueError, match="unknown shortcode"):
        expand_shortcodes("<!-- solutions:no-such-thing -->", site_url="https://x/", build=BUILD, where="docs/x.md")
    text = expand_shortcodes("Built from <!-- solutions:build -->.", site_url="https://x/", build=BUILD)
    assert (
        text
        == "Built from version 9.8.7 (<span data-build-metadata data-search-exclude>commit 0123456, 2030-02-03</span>)."
    )


# --------------------------------------------------------------------------------------------------
# Build metadata: never the wall clock


def test_build_metadata_prefers_source_date_epoch_and_github_sha(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("GITHUB_SHA", "f" * 40)
    assert build_info_module._date() == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert build_info_module._commit() == "f" * 40
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        build_info_module._date()


def test_without_source_date_epoch_the_date_is_the_last_commits(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    committed = build_info_module._git("log", "-1", "--format=%ct")
    if committed is None:
        pytest.skip("not in a git checkout")
    assert build_info_module._date() == datetime.fromtimestamp(int(committed), UTC)
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert build_info_module._version() == project["version"]


# --------------------------------------------------------------------------------------------------
# Descriptions


def test_descriptions_come_from_the_catalog_or_the_first_paragraph():
    ex1 = page_description("exercises/seminar5/ex1.md")
    assert ex1.startswith("Seminar 5, Exercise 1: Fully connected versus convolutional layers.")
    assert len(ex1) <= 160
    assert page_description("exercises/seminar5/index.md").startswith("Seminar 5: convolutional layers")
    page = '# Title\n\n--8<-- "x.md"\n\nAn input of size $i$ and a [link](a.md) with `code` and $\\hat{k}$.\n'
    assert page_description("other.md", page) == "An input of size i and a link with code and k."
    assert plain_text(r"$C_{\mathrm{in}} \times k$") == "Cin × k"


# --------------------------------------------------------------------------------------------------
# The print page and the zip


def test_the_print_page_rebases_links_and_prefixes_every_anchor():
    text = print_page()
    assert "](../../formulas/" not in text and "](formulas/output-size.md#convolution)" in text
    assert "(#seminar5-ex1-q1a)" in text  # the set's table links to the parts on the same page
    assert "{ #seminar5-ex1-q1e }" in text and 'id="seminar5-ex1-q1e-eq-1"' in text
    assert 'href="#seminar5-ex1-q1e-eq-1"' in text
    assert text.count("#### ") == len(list(iter_parts()))  # parts two levels down, under set and exercise
    assert "The code:" not in text and "???+ quote" in text


def test_the_zip_is_the_same_for_the_same_files(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text("<p>hi</p>")
    (site / "a" / "b.css").write_text("p{}")
    (site / "a" / "b.css.map").write_text("{}")
    first, second = tmp_path / "1.zip", site / "downloads" / "site.zip"
    write_site_zip(site, first, title="T", version="1.2")
    write_site_zip(site, second, title="T", version="1.2")
    assert first.read_bytes() == second.read_bytes()  # the archive never includes itself
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == [
            "cnn-arithmetic-1.2/README.txt",
            "cnn-arithmetic-1.2/a/b.css",
            "cnn-arithmetic-1.2/index.html",
        ]
        assert "python3 -m http.server" in archive.read("cnn-arithmetic-1.2/README.txt").decode()


# --------------------------------------------------------------------------------------------------
# Search tags and notebook ids


def test_search_tags_go_to_the_parts_sections_and_exercise_pages_only():
    index = {
        "docs": [
            {"location": "exercises/seminar5/ex1/", "title": "Exercise 1"},
            {"location": "exercises/seminar5/ex1/#q1e", "title": "Q.1.e · Output volume"},
            {"location": "formulas/output-size/#convolution", "title": "Convolution"},
        ]
    }
    docs = tag_parts(index)["docs"]
    assert [doc.get("tags") for doc in docs] == [["Exercise 1"], ["Q.1.e"], None]
    flat = tag_parts({"docs": [{"location": "exercises/seminar5/ex1.html#q1e"}]}, directory_urls=False)
    assert flat["docs"][0]["tags"] == ["Q.1.e"]


def test_notebook_ids_are_stable():
    assert cell_id(3, "x = 1") == cell_id(3, "x = 1") != cell_id(4, "x = 1")
    assert re.fullmatch(r"c03-[0-9a-f]{8}", cell_id(3, "x = 1"))
    page = '<div id="cell-id=ab12"></div><div id="cell-id=ffee"></div>'
    assert stable_page_cell_ids(page) == '<div id="cell-id=c00"></div><div id="cell-id=c01"></div>'
