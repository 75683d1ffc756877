"""Notebook pages and downloads made reproducible (the same sources give the same bytes) and
usable by keyboard.

* Cell ids: nbformat gives every cell of a notebook read from a jupytext source a random id
  (``uuid4``), and mkdocs-jupyter writes those ids into the page (``id="cell-id=0f92e74a"``). Here
  they are replaced by ids that depend only on the notebook: the cell's position and a hash of its
  source, so an id stays put when another cell changes.
* Printed output: how a cell's prints are split into outputs depends on the kernel's flush timing.
  nbconvert can merge them only before execution, where mkdocs-jupyter runs it; adjacent stdout
  outputs are joined on the page instead.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import jupytext

__all__ = [
    "cell_id",
    "focusable_code",
    "merge_stream_outputs",
    "stable_cell_ids",
    "stable_page_cell_ids",
    "write_ipynb",
]

_PAGE_CELL_ID = re.compile(r'(\bid="cell-id=)([^"]*)(")')
_CODE_SCROLLER = re.compile(r'<div class="(highlight-ipynb[^"]*)">')
# Where one printed (stdout) output ends and the next begins: both have an empty prompt and a
# text/plain block; stderr, results and rich outputs look different and are left alone.
_STREAM_SEAM = re.compile(
    r'</pre>\s*</div>\s*</div>\s*<div class="jp-OutputArea-child">\s*'
    r'<div class="jp-OutputPrompt jp-OutputArea-prompt"></div>\s*'
    r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"[^>]*>\s*<pre>'
)


def cell_id(index: int, source: str) -> str:
    """``c03-1a2b3c4d``: position and content (nbformat allows 1-64 of ``[A-Za-z0-9_-]``)."""
    return f"c{index:02d}-{hashlib.sha256(source.encode('utf-8')).hexdigest()[:8]}"


def stable_cell_ids(notebook: Any) -> Any:
    """Give an nbformat notebook's cells stable ids, in place; returns the notebook."""
    for index, cell in enumerate(notebook.cells):
        cell["id"] = cell_id(index, cell.get("source", ""))
    return notebook


def stable_page_cell_ids(html: str) -> str:
    """Number the cell ids of an mkdocs-jupyter page in order of appearance (``cell-id=c00``...)."""
    count = 0

    def renumber(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{match[1]}c{count - 1:02d}{match[3]}"

    return _PAGE_CELL_ID.sub(renumber, html)


def merge_stream_outputs(html: str) -> str:
    """Join a cell's consecutive stdout outputs on a page into one, as if it had printed all at once."""
    return _STREAM_SEAM.sub("", html)


def focusable_code(html: str) -> str:
    """Make the code cells' scrolling boxes (``div.highlight-ipynb``) reachable by keyboard."""
    return _CODE_SCROLLER.sub(r'<div class="\1" tabindex="0">', html)


def write_ipynb(source: Path, target: Path) -> None:
    """The downloadable, unexecuted ``.ipynb`` of a jupytext source, with stable cell ids."""
    notebook = stable_cell_ids(jupytext.read(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")
