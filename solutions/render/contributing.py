"""The Contribute page is CONTRIBUTING.md, one text in two places, with links that work in both.

CONTRIBUTING.md links to site pages by their path in the repository (``docs/notation.md``), which
GitHub follows; on the site, whose root is ``docs/``, the same links lose that prefix. Links to other
repository files would have nowhere to go on the site, so the guide names those files in code spans.
"""

from __future__ import annotations

import re

from solutions.exercises.catalog import REPO_DIR, Exercise

__all__ = ["CONTRIBUTING", "contribute_page", "exercise_credit", "site_links"]

CONTRIBUTING = REPO_DIR / "CONTRIBUTING.md"
_LINK = re.compile(r"\]\(([^)\s#]*)(#[^)\s]*)?\)")


def site_links(markdown: str) -> str:
    """``markdown`` with links to ``docs/X`` made relative to the docs root."""

    def rewrite(match: re.Match[str]) -> str:
        target, anchor = match.group(1), match.group(2) or ""
        if target.startswith("docs/"):
            target = target.removeprefix("docs/")
        return f"]({target}{anchor})"

    return _LINK.sub(rewrite, markdown)


def contribute_page() -> str:
    """The generated fragment that ``docs/contribute.md`` includes."""
    return site_links(CONTRIBUTING.read_text(encoding="utf-8"))


def exercise_credit(exercise: Exercise) -> str:
    """A line crediting an exercise's own authors (sets of this project's own exercises), or nothing."""
    attribution = exercise.attribution
    if not attribution:
        return ""
    note = f" {attribution['note'].strip()}" if attribution.get("note") else ""
    return f"\n*Exercise written by {', '.join(attribution['authors'])}.*{note}\n"
