"""How to cite the site and each part: BibTeX built from the catalog, ``CITATION.cff`` and the build.

Every part of every exercise page gets a collapsed "Cite this part" box after its section, with a
BibTeX entry whose ``url`` is the part's anchor, and whose version and date are the build's (see
:mod:`solutions.render.build_info`: never the wall clock). The box is the only place on an exercise
page that holds the build date and commit, so it carries the ``data-build-metadata`` attribute; it is
also kept out of the search index (``data-search-exclude``).

Build metadata is also kept out of the search index, so that the index, like the pages outside the
marked elements, is the same for every build of the same sources.

Pages ask for generated citation text with a line ``<!-- solutions:NAME -->``; :func:`expand_shortcodes`
replaces it and rejects any NAME it does not know, so a typo fails the build instead of vanishing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from solutions.exercises.catalog import DOCS_DIR, REPO_DIR, Exercise, Part, exercise_sets
from solutions.render.build_info import METADATA_ATTRIBUTE, BuildInfo

__all__ = [
    "CITATION_FILE",
    "add_cite_boxes",
    "cite_box",
    "exercise_for_page",
    "expand_shortcodes",
    "part_bibtex",
    "site_bibtex",
]

CITATION_FILE = REPO_DIR / "CITATION.cff"
_INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$')
_SHORTCODE = re.compile(r"<!--\s*solutions:([a-z-]+)\s*-->")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _citation() -> dict[str, Any]:
    return yaml.safe_load(CITATION_FILE.read_text(encoding="utf-8"))


def _tex_text(text: str) -> str:
    """Plain text for a BibTeX field: TeX's special characters escaped, ``$...$`` maths kept."""
    out = re.sub(r"([&%#_])", r"\\\1", text.replace("\\", r"\textbackslash{}"))
    return out.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def _authors(citation: dict[str, Any]) -> str:
    names = []
    for author in citation["authors"]:
        if "name" in author:  # an entity: braced so BibTeX keeps it as one name
            names.append("{" + _tex_text(author["name"]) + "}")
        else:
            names.append(f"{_tex_text(author['family-names'])}, {_tex_text(author['given-names'])}")
    return " and ".join(names)


def _entry(kind: str, key: str, fields: list[tuple[str, str | None]]) -> str:
    width = max(len(name) for name, _ in fields)
    lines = [f"@{kind}{{{key},"]
    for name, value in fields:
        if value is None:
            continue
        shown = value if name == "month" else "{" + value + "}"
        lines.append(f"  {name.ljust(width)} = {shown},")
    lines.append("}")
    return "\n".join(lines)


def _dated(build: BuildInfo) -> list[tuple[str, str | None]]:
    if build.date is None:
        return [("year", None), ("month", None)]
    return [("year", str(build.date.year)), ("month", _MONTHS[build.date.month - 1])]


def _note(build: BuildInfo) -> str:
    commit = f", commit {build.short_commit}" if build.short_commit else ""
    return f"Version {build.version}{commit}"


def site_bibtex(site_url: str, build: BuildInfo) -> str:
    """BibTeX for the whole collection, from ``CITATION.cff`` and the build."""
    citation = _citation()
    return _entry(
        "misc",
        "cnnarithmetic",
        [
            ("author", _authors(citation)),
            ("title", "{" + _tex_text(citation["title"]) + "}"),
            ("howpublished", "Website and software"),
            *_dated(build),
            ("version", build.version),
            ("url", site_url),
            ("note", _note(build)),
        ],
    )


def part_bibtex(part: Part, page_url: str, build: BuildInfo) -> str:
    """BibTeX for one part; ``page_url`` is the absolute URL of its exercise page."""
    citation = _citation()
    exercise_set = part.exercise.set
    key = f"cnnarithmetic-{exercise_set.id}-{part.exercise.id}-{part.id}".replace("_", "-")
    return _entry(
        "misc",
        key,
        [
            ("author", _authors(citation)),
            ("title", "{" + _tex_text(f"{exercise_set.short_title}, {part.label}: {part.title}") + "}"),
            ("howpublished", "Worked solution in \\emph{" + _tex_text(citation["title"]) + "}"),
            *_dated(build),
            ("version", build.version),
            ("url", f"{page_url}#{part.anchor}"),
            ("note", _note(build)),
        ],
    )


def cite_box(part: Part, page_url: str, build: BuildInfo, cite_page: str) -> str:
    """The collapsed "Cite this part" box (Markdown with HTML, for md_in_html); ``cite_page`` is a
    relative Markdown link to the page that explains how to cite."""
    built = ", ".join(
        x
        for x in (f"version {build.version}", build.short_commit and f"commit {build.short_commit}", build.iso_date)
        if x
    )
    return (
        f'<details class="cite" {METADATA_ATTRIBUTE} data-search-exclude markdown>\n'
        f"<summary>Cite {part.label}</summary>\n\n"
        f"BibTeX for this part as built here ({built}); its link points at the part's own anchor. "
        f"[How to cite]({cite_page}) the whole collection, and why the version matters.\n\n"
        # Plain text, not highlighted: one box per part, and highlighting would add ~70 elements each.
        f"```text\n{part_bibtex(part, page_url, build)}\n```\n\n"
        "</details>\n"
    )


def _without_leading_comments(text: str) -> str:
    """The file from its first line that is not a comment (notes for contributors stay in the file)."""
    lines = text.rstrip().splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines)


def exercise_for_page(src_uri: str) -> Exercise | None:
    """The exercise whose page is ``src_uri`` (relative to ``docs/``), if any."""
    for exercise_set in exercise_sets():
        for exercise in exercise_set.exercises:
            if exercise.page_path.relative_to(DOCS_DIR).as_posix() == src_uri:
                return exercise
    return None


def add_cite_boxes(markdown: str, exercise: Exercise, page_url: str, build: BuildInfo) -> str:
    """``markdown`` (an exercise page's source) with a cite box after each part's include line."""
    fragments = {f"exercises/{exercise.set.id}/{exercise.id}/{part.id}.md": part for part in exercise.parts}
    page_dir = Path(exercise.page_path.relative_to(DOCS_DIR).as_posix()).parent
    cite_page = Path(*([".."] * len(page_dir.parts)), "cite.md").as_posix()
    out = []
    for line in markdown.splitlines():
        out.append(line)
        match = _INCLUDE.match(line)
        if match and match[1] in fragments:
            out += ["", cite_box(fragments[match[1]], page_url, build, cite_page)]
    return "\n".join(out) + "\n"


def expand_shortcodes(markdown: str, *, site_url: str, build: BuildInfo, where: str = "") -> str:
    """Replace ``<!-- solutions:NAME -->`` lines; an unknown NAME raises ``ValueError``."""
    makers = {
        "site-bibtex": lambda: (
            f'<div class="cite" {METADATA_ATTRIBUTE} data-search-exclude markdown>\n\n'
            f"```bibtex\n{site_bibtex(site_url, build)}\n```\n\n</div>"
        ),
        "citation-cff": lambda: f"```yaml\n{_without_leading_comments(CITATION_FILE.read_text(encoding='utf-8'))}\n```",
        "build": lambda: (
            f"version {build.version}"
            + (
                f" (<span {METADATA_ATTRIBUTE} data-search-exclude>commit {build.short_commit}"
                + (f", {build.iso_date}" if build.iso_date else "")
                + "</span>)"
                if build.short_commit
                else ""
            )
        ),
    }

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in makers:
            raise ValueError(f"{where}: unknown shortcode <!-- solutions:{name} -->; known: {', '.join(makers)}")
        return makers[name]()

    return _SHORTCODE.sub(replace, markdown)
