"""``new`` and ``new-set``: an exercise's or a set's files, written from the templates, already wired.

Nothing is registered anywhere: the catalog, the tests and the navigation discover the files. Every
field a contributor must write is a ``FILL IN`` placeholder, which ``check`` and the build reject
until it is replaced, so a template cannot be shipped unfilled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from solutions.errors import InvalidInputError
from solutions.exercises.catalog import DOCS_DIR, EXERCISES_DIR, REPO_DIR, load_set

__all__ = ["TEMPLATES_DIR", "new_exercise", "new_set"]

TEMPLATES_DIR = EXERCISES_DIR / "templates"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _template(name: str, **values: object) -> str:
    """A template with ``{{name}}`` replaced (not ``$``-substitution: templates hold LaTeX)."""
    text = (TEMPLATES_DIR / f"{name}.tmpl").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"{{{{{key}}}}}", str(value))
    leftover = re.findall(r"\{\{\w+\}\}", text)
    if leftover:
        raise RuntimeError(f"template {name} has unfilled variables {leftover}")
    return text


def _check_id(argument: str, value: str) -> str:
    if not _ID.match(value):
        raise InvalidInputError(argument, value, "lower-case letters, digits and _, starting with a letter (ex1)")
    return value


def _rel(path: Path) -> str:
    return path.relative_to(REPO_DIR).as_posix()


def _write_new(files: dict[Path, str]) -> list[Path]:
    """Write ``files``, refusing to overwrite any of them (nothing is written then)."""
    existing = [_rel(path) for path in files if path.exists()]
    if existing:
        raise InvalidInputError("files", existing, "new files; they exist already (edit them instead)")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


@dataclass(frozen=True)
class _PartSpec:
    id: str
    label: str | None  # written into the data file only for a set without a manifest


def _own_parts(exercise_id: str, count: int, number: int) -> list[_PartSpec]:
    if not 1 <= count <= 26:
        raise InvalidInputError("parts", count, "a number of parts from 1 to 26")
    letters = "abcdefghijklmnopqrstuvwxyz"[:count]
    return [_PartSpec(f"q{number}{letter}", f"Q.{number}.{letter}") for letter in letters]


def new_exercise(key: str, parts: int = 1) -> list[Path]:
    """Write the data file, solution module and page of exercise ``set/exercise``; return their paths.

    For a set with a manifest the parts are those the manifest lists (the labels stay there); for a
    set of this project's own exercises (no manifest) ``parts`` parts are written, with their labels.
    """
    set_id, _, exercise_id = key.partition("/")
    _check_id("set", set_id)
    _check_id("exercise", exercise_id)
    set_path = EXERCISES_DIR / set_id / "set.yaml"
    if not set_path.exists():
        raise InvalidInputError(
            "set", set_id, f"an existing set (create it first: python -m solutions new-set {set_id})"
        )
    exercise_set, problems = load_set(set_path)
    if exercise_set is None:  # placeholders still to fill in do not stop a new exercise; a broken file does
        raise InvalidInputError("set", set_id, f"a set whose set.yaml loads: {problems[0]}")
    if exercise_set.manifest is not None:
        entry = exercise_set.manifest.get(exercise_id)
        if entry is None:
            listed = ", ".join(exercise_set.manifest)
            raise InvalidInputError(
                "exercise",
                exercise_id,
                f"listed in the manifest of {_rel(set_path)} (it lists {listed}); add it there first",
            )
        specs = [_PartSpec(part_id, None) for part_id in entry["parts"]]
        exercise_label = ""
        attribution = ""
    else:
        number = len([p for p in set_path.parent.glob("*.yaml") if p.name != "set.yaml"]) + 1
        specs = _own_parts(exercise_id, parts, number)
        exercise_label = f'label: "Exercise {number}"\n'
        attribution = _template("attribution.yaml")
    data = EXERCISES_DIR / set_id / f"{exercise_id}.yaml"
    module = data.with_suffix(".py")
    page = DOCS_DIR / "exercises" / set_id / f"{exercise_id}.md"
    common = {"set": set_id, "exercise": exercise_id}
    part_blocks = "".join(
        _template("part.yaml", part=spec.id, label=f'    label: "{spec.label}"\n' if spec.label else "")
        for spec in specs
    )
    files = {
        data: _template(
            "exercise.yaml",
            **common,
            data_path=_rel(data),
            module_path=_rel(module),
            label=exercise_label,
            attribution=attribution,
            parts=part_blocks.rstrip("\n"),
        ),
        module: _template(
            "solution.py",
            **common,
            functions="".join(_template("function.py", part=spec.id) for spec in specs).rstrip("\n"),
        ),
        page: _template(
            "page.md",
            set=set_id,
            exercise=exercise_id,
            includes="".join(f'\n--8<-- "exercises/{set_id}/{exercise_id}/{spec.id}.md"\n' for spec in specs).rstrip(),
        ),
    }
    return _write_new(files)


def new_set(set_id: str, *, own: bool = False, title: str | None = None, short_title: str | None = None) -> list[Path]:
    """Write ``set.yaml``, the package's ``__init__.py`` and the index page of a new set.

    ``own``: the set holds this project's own exercises, with no external source, so it has no
    manifest (each exercise labels its parts in its data file).
    """
    _check_id("set", set_id)
    if set_id == "templates":
        raise InvalidInputError("set", set_id, "another name: templates/ holds the templates")
    folder = EXERCISES_DIR / set_id
    orders = []
    for path in EXERCISES_DIR.glob("*/set.yaml"):
        match = re.search(r"^order:\s*(\d+)", path.read_text(encoding="utf-8"), re.M)
        orders.append(int(match.group(1)) if match else 0)
    title = title or "FILL IN: the set's title"
    short_title = short_title or "FILL IN: a short title for the navigation"
    set_path = folder / "set.yaml"
    files = {
        set_path: _template(
            "set.yaml",
            manifest_word="" if own else " and manifest",
            set_path=_rel(folder),
            title=title.replace('"', '\\"'),
            short_title=short_title.replace('"', '\\"'),
            order=max(orders, default=0) + 1,
            attribution=_template("own_attribution.yaml" if own else "source_attribution.yaml"),
            manifest=_template("own_manifest.yaml" if own else "manifest.yaml", set=set_id),
        ),
        folder / "__init__.py": _template("init.py", set=set_id),
        DOCS_DIR / "exercises" / set_id / "index.md": _template("index.md", title=title, set=set_id),
    }
    return _write_new(files)
