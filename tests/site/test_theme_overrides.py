"""The theme overrides stay in step with the Material they override."""

from __future__ import annotations

from pathlib import Path

import material

REPO = Path(__file__).resolve().parents[2]
MATERIAL = Path(material.__file__).parent / "templates"


def test_the_search_partial_is_materials_with_an_accessible_name():
    ours = (REPO / "overrides" / "partials" / "search.html").read_text(encoding="utf-8").splitlines()
    theirs = (MATERIAL / "partials" / "search.html").read_text(encoding="utf-8").splitlines()
    # Both start with a Jinja comment; the rest must be Material's, with aria-label added to the dialog.
    body = ours[ours.index("-#}") + 1 :]
    expected = theirs[theirs.index("-#}") + 1 :]
    dialog = '<div class="md-search" data-md-component="search" role="dialog">'
    assert dialog in expected, "Material's search partial changed: refresh overrides/partials/search.html"
    named = dialog.replace('role="dialog">', """role="dialog" aria-label="{{ lang.t('search') }}">""")
    assert body == [named if line == dialog else line for line in expected]


def test_the_overridden_blocks_and_partials_exist_in_material():
    base = (MATERIAL / "base.html").read_text(encoding="utf-8")
    for block in ("extrahead", "scripts", "content"):
        assert f"{{% block {block} %}}" in base
    assert (MATERIAL / "partials" / "copyright.html").is_file()
    assert "<script src=" in base  # main.html defers it by rewriting this tag
