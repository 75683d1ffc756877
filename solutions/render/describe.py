"""A one-sentence description of every page, for ``<meta name="description">`` and link previews.

Exercise pages and set pages are described from the catalog (the exercise's title and its parts'
labels and titles; the set's title and source), notebooks from their first markdown cell, and every
other page from its first paragraph of prose, so every page gets its own description and none is
typed twice.
"""

from __future__ import annotations

import re
from pathlib import Path

from solutions.exercises.catalog import DOCS_DIR, exercise_sets

__all__ = ["LIMIT", "page_description", "plain_text"]

LIMIT = 160  # characters; search engines cut longer descriptions

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MATH = re.compile(r"\$\$?(.+?)\$\$?", re.S)
_TEX_COMMAND = re.compile(r"\\(?:mathrm|text|mathbf|operatorname)\{([^}]*)\}")
_TEX_NAMES = {r"\times": "×", r"\cdot": "·", r"\dots": "…", r"\ldots": "…", r"\le": "≤", r"\ge": "≥", r"\hat": ""}


def _tex_to_text(tex: str) -> str:
    text = _TEX_COMMAND.sub(r"\1", tex)
    for command, shown in _TEX_NAMES.items():
        text = text.replace(command, shown)
    text = re.sub(r"\\[A-Za-z]+", "", text)
    return re.sub(r"[{}_^]", "", text).strip()


def plain_text(markdown: str) -> str:
    """Markdown prose as plain text: links become their text, maths its symbols, markup goes."""
    text = _LINK.sub(r"\1", markdown)
    text = _MATH.sub(lambda m: _tex_to_text(m[1]), text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1", r"\2", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _shorten(text: str, limit: int = LIMIT) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:·—-")
    return f"{cut}…"


def _first_paragraph(markdown: str) -> str | None:
    """The first paragraph of prose: not a heading, include, admonition, table, list, HTML or maths."""
    body = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)  # front matter
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if not block or block[0] in "#<|!?-*>`$" or block.startswith(("--8<--", "1. ", "    ")):
            continue
        return plain_text(block)
    return None


def _notebook_markdown(path: Path) -> str:
    """The markdown cells of a jupytext percent-format notebook, comment markers removed."""
    cells, current, inside = [], [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if current:
                cells.append("\n".join(current))
            current, inside = [], "[markdown]" in line
        elif inside:
            current.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    if current:
        cells.append("\n".join(current))
    return "\n\n".join(cells)


def page_description(src_uri: str, markdown: str = "") -> str | None:
    """The description of the page at ``src_uri`` (relative to ``docs/``); ``markdown`` is its source."""
    for exercise_set in exercise_sets():
        if src_uri == f"exercises/{exercise_set.id}/index.md":
            attribution = exercise_set.attribution
            return _shorten(
                f"{exercise_set.title}: worked, machine-checked solutions to the exercises of "
                f"{attribution['document']} ({', '.join(attribution['authors'])})."
            )
        for exercise in exercise_set.exercises:
            if exercise.page_path.relative_to(DOCS_DIR).as_posix() == src_uri:
                labels = [part.label for part in exercise.parts]
                span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
                titles = "; ".join(plain_text(part.title) for part in exercise.parts)
                return _shorten(
                    f"{exercise_set.short_title}, {exercise.label}: {exercise.title}. "
                    f"Worked and checked solutions to {span}: {titles}."
                )
    source = DOCS_DIR / src_uri
    if src_uri.endswith(".py") and source.is_file():
        markdown = _notebook_markdown(source)
    paragraph = _first_paragraph(markdown)
    return _shorten(paragraph) if paragraph else None
