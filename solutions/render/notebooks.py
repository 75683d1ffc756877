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

__all__ = ["coalesce_stream_outputs", "stable_cell_ids", "write_ipynb"]

_CELL_ID = re.compile(r'id="cell-id=[0-9a-f]{8}"')


def coalesce_stream_outputs() -> None:
    """Make notebook execution merge consecutive prints into one output.

    Without this, how a cell's printed lines are split into outputs depends on the kernel's flush
    timing, so the page would differ from build to build. nbclient can merge them, but
    mkdocs-jupyter offers no option for it: set the default of the trait it would configure.
    """
    from nbclient import NotebookClient

    NotebookClient.coalesce_streams.default_value = True


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
