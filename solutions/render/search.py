"""The search index knows each part by its label, so searching "Q.1.e" lands on Q.1.e.

The search engine (Material's lunr index) splits words on spaces and hyphens only
(``plugins.search.separator``), so a label such as ``Q.1.e`` is one word. But labels are also
mentioned in other parts' titles and prose ("the layer of Q.1.a"), which can rank above the part
itself. :func:`tag_parts` gives every part's section in the index its label as a *tag*, and every
exercise page its label ("Exercise 3"), and tags weigh far more than titles and text in the
ranking; the results show the tag beside the part.
"""

from __future__ import annotations

from typing import Any

from solutions.exercises.catalog import DOCS_DIR, Exercise, exercise_sets

__all__ = ["page_location", "tag_parts"]


def page_location(exercise: Exercise, *, directory_urls: bool = True) -> str:
    """The exercise page's location as the search index writes it (``exercises/s/ex1/``)."""
    path = exercise.page_path.relative_to(DOCS_DIR).with_suffix("").as_posix()
    return f"{path}/" if directory_urls else f"{path}.html"


def tag_parts(index: dict[str, Any], *, directory_urls: bool = True) -> dict[str, Any]:
    """Add each part's label as a tag of its section, and each exercise's label to its page, in place."""
    labels: dict[str, str] = {}
    for exercise_set in exercise_sets():
        for exercise in exercise_set.exercises:
            page = page_location(exercise, directory_urls=directory_urls)
            labels[page] = exercise.label
            labels.update({f"{page}#{part.anchor}": part.label for part in exercise.parts})
    for doc in index.get("docs", []):
        label = labels.get(doc.get("location"))
        if label is not None:
            doc["tags"] = sorted({*doc.get("tags", []), label})
    return index
