"""Reading away from the site: every exercise on one printable page, and the built site as a zip.

:func:`print_page` is the Markdown of the print page (``docs/print.md`` includes it): each set's
introduction, then every exercise and part in order, from the very fragments the exercise pages show,
so the maths and the diagrams are the same. Moved onto one page, the fragments need three changes:
headings go two levels down (set, exercise, part), every anchor is prefixed with its set and exercise
(``seminar5-ex1-q1e``) so that parts of different sets cannot collide, and links are rebased from the
exercise's folder to the site's root (a link to a part on the page becomes an in-page link). The
code of each part is left out (it is long, and on the exercise pages) and the source's answer is
shown open, so that it prints.

:func:`write_site_zip` packs a built site deterministically: sorted entries, one fixed timestamp,
fixed permissions, no source maps.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from solutions.exercises.catalog import DOCS_DIR, Exercise, ExerciseSet, exercise_sets
from solutions.render.part import render_intro, render_part

__all__ = ["ZIP_NAME", "print_page", "write_site_zip"]

ZIP_NAME = "cnn-arithmetic-site.zip"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_SKIPPED_SUFFIXES = (".map", ".zip")  # source maps, and the archive itself

_HEADING = re.compile(r"^(#{1,4}) (.*?)(?: \{ #([\w-]+) \})?$")
_LINK = re.compile(r"(\]\()([^)\s]+)(\))")
_ID_ATTR = re.compile(r'(?<![\w-])(id="|href="#)([\w-]+)"')
_CODE_BOX = re.compile(r'^<details class="example"[^>]*>\n<summary>The code:.*?^</details>\n*', re.M | re.S)


def _prefix(exercise: Exercise) -> str:
    return f"{exercise.set.id}-{exercise.id}".replace("_", "-")


def _set_anchor(exercise_set: ExerciseSet) -> str:
    return exercise_set.id.replace("_", "-")


def _rebase_link(target: str, exercise: Exercise, pages: dict[str, str]) -> str:
    """A link written on ``exercise``'s page, as seen from the print page at the docs root."""
    if re.match(r"[a-z][a-z0-9+.-]*:|//", target, re.I):
        return target
    path, _, anchor = target.partition("#")
    if not path:  # an anchor on the exercise's own page
        return f"#{_prefix(exercise)}-{anchor}"
    resolved = posixpath.normpath(posixpath.join(f"exercises/{exercise.set.id}", path))
    if resolved in pages:  # a page that is on the print page too
        return f"#{pages[resolved]}-{anchor}" if anchor else f"#{pages[resolved]}"
    return resolved + (f"#{anchor}" if anchor else "")


def _relocate(markdown: str, exercise: Exercise, pages: dict[str, str], levels: int) -> str:
    """Shift headings by ``levels``, prefix anchors, rebase links (outside indented code)."""
    prefix = _prefix(exercise)
    out = []
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            hashes, title, anchor = heading.groups()
            anchor = f"{prefix}-{anchor}" if anchor else prefix
            line = f"{'#' * (len(hashes) + levels)} {title} {{ #{anchor} }}"
        line = _LINK.sub(lambda m: m[1] + _rebase_link(m[2], exercise, pages) + m[3], line)
        line = _ID_ATTR.sub(lambda m: f'{m[1]}{prefix}-{m[2]}"', line)
        out.append(line)
    return "\n".join(out)


def _printable(part_markdown: str) -> str:
    text = _CODE_BOX.sub("", part_markdown)
    return text.replace("??? quote ", "???+ quote ")


def print_page() -> str:
    """The Markdown of every exercise of every set, in order, for the print page."""
    from solutions.render.site import set_index  # the set's own table and attribution

    pages = {
        exercise.page_path.relative_to(DOCS_DIR).as_posix(): _prefix(exercise)
        for exercise_set in exercise_sets()
        for exercise in exercise_set.exercises
    }
    pages.update({f"exercises/{s.id}/index.md": _set_anchor(s) for s in exercise_sets()})
    blocks = []
    for number, exercise_set in enumerate(exercise_sets()):
        if number:
            blocks.append('<div class="print-break"></div>')
        blocks.append(f"## {exercise_set.title} {{ #{_set_anchor(exercise_set)} }}")
        first = exercise_set.exercises[0]  # the set's page sits in the same folder as its exercises
        index = _LINK.sub(lambda m, e=first: m[1] + _rebase_link(m[2], e, pages) + m[3], set_index(exercise_set))
        blocks.append(index.rstrip())
        for exercise in exercise_set.exercises:
            blocks.append('<div class="print-break"></div>')
            blocks.append(_relocate(render_intro(exercise), exercise, pages, levels=2).rstrip())
            for part in exercise.parts:
                blocks.append(_relocate(_printable(render_part(part)), exercise, pages, levels=2).rstrip())
    return "\n\n".join(blocks) + "\n"


def write_site_zip(site_dir: Path, target: Path, *, title: str, version: str) -> int:
    """Zip every file of ``site_dir`` (but zips and source maps) with a README; return its size.

    Everything sits in one folder, ``cnn-arithmetic-<version>/``. Entries are sorted and carry one
    fixed timestamp and mode, so equal sites give equal zips.
    """
    folder = f"cnn-arithmetic-{version}"
    readme = (
        f"{title}, version {version}\n\n"
        "Open print/index.html in a browser for every exercise on one page; it works straight from the disk.\n"
        "For the whole site, with its navigation and search, serve this folder and open it:\n\n"
        f"    cd {folder} && python3 -m http.server\n\n"
        "then visit http://localhost:8000/ .\n"
    )
    site_dir, target = Path(site_dir), Path(target)
    files = sorted(path for path in site_dir.rglob("*") if path.is_file() and not path.name.endswith(_SKIPPED_SUFFIXES))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        entries = [(f"{folder}/README.txt", readme.encode("utf-8"))]
        entries += [(f"{folder}/{path.relative_to(site_dir).as_posix()}", path.read_bytes()) for path in files]
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever system wrote it
            archive.writestr(info, data, compresslevel=9)
    partial.replace(target)
    return target.stat().st_size
