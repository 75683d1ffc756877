"""Notebook outputs made reproducible: stable cell ids, and the downloadable ``.ipynb``.

Jupytext sources carry no cell ids, so nbformat invents random ones on every read, and printed
output is split by the kernel's flush timing; two builds of the same commit would then differ. Ids
are replaced by their position in the notebook, and consecutive prints are merged.
"""

from __future__ import annotations

import re
from itertools import count
from pathlib import Path

import jupytext

__all__ = ["merge_stream_outputs", "stable_cell_ids", "write_ipynb"]

_STREAM_SEAM = re.compile(
    r'</pre>\s*</div>\s*</div>\s*<div class="jp-OutputArea-child">\s*'
    r'<div class="jp-OutputPrompt jp-OutputArea-prompt"></div>\s*'
    r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"[^>]*>\s*<pre>'
)
_CELL_ID = re.compile(r'id="cell-id=[0-9a-f]{8}"')


def merge_stream_outputs(html: str) -> str:
    """Join a cell's consecutive stdout outputs into one, as if it had printed everything at once.

    How a cell's prints are split into outputs depends on the kernel's flush timing; nbconvert can
    merge them only before execution, where mkdocs-jupyter runs it. The page renders each printed
    output as an ``OutputArea-child`` with an empty prompt and a ``text/plain`` block; two adjacent
    ones are joined (stderr, results and rich outputs are left alone).
    """
    return _STREAM_SEAM.sub("", html)


def stable_cell_ids(html: str) -> str:
    """Replace nbconvert's random ``cell-id=`` anchors by ``cell-id=1``, ``cell-id=2``, ..."""
    numbers = count(1)
    return _CELL_ID.sub(lambda _: f'id="cell-id={next(numbers)}"', html)


def write_ipynb(source: Path, target: Path) -> None:
    """Convert a jupytext source to an (unexecuted) ``.ipynb`` with ids ``cell-1``, ``cell-2``, ..."""
    notebook = jupytext.read(source)
    for number, cell in enumerate(notebook.cells, 1):
        cell["id"] = f"cell-{number}"
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")
