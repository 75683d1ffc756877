"""CONTRIBUTING.md and the site's Contribute page are one text, and its links work in both places."""

from __future__ import annotations

import re
from pathlib import Path

from solutions.cli import _parser
from solutions.render.contributing import CONTRIBUTING, contribute_page, site_links

REPO = Path(__file__).resolve().parents[2]  # not from conftest: another folder's conftest may hold that name

TEXT = CONTRIBUTING.read_text(encoding="utf-8")
LINKS = re.findall(r"\]\(([^)#\s]+)(?:#[^)\s]*)?\)", TEXT)


def test_the_contribute_page_is_contributing_md_and_nothing_else():
    assert (REPO / "docs/contribute.md").read_text(encoding="utf-8") == '--8<-- "contribute.md"\n'
    assert contribute_page() == site_links(TEXT)


def test_every_link_works_on_github_and_on_the_site():
    local = [link for link in LINKS if not link.startswith(("http://", "https://"))]
    assert local, "the guide links to the site's pages"
    for link in local:
        assert link.startswith("docs/"), f"{link}: only pages under docs/ exist on the site; name files in code"
        assert (REPO / link).exists(), f"{link} does not exist (GitHub)"
        assert (REPO / "docs" / site_links(f"]({link})")[2:-1]).exists(), f"{link} does not exist (site)"


def test_the_set_up_command_is_the_readmes():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^python3 -m venv .*mkdocs serve$", readme, re.M).group(0)
    assert command in TEXT


def test_the_commands_it_names_exist():
    commands = _parser()._subparsers._group_actions[0].choices
    for name in set(re.findall(r"python -m solutions ([a-z-]+)", TEXT)):
        assert name in commands, f"CONTRIBUTING.md names `python -m solutions {name}`, which does not exist"
