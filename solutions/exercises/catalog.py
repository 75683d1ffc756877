"""The catalog of exercise sets, exercises and parts, discovered from the files on disk.

Nothing is registered by hand. A set is a folder ``solutions/exercises/<set>/`` holding ``set.yaml``
(attribution and the manifest of the source's parts); an exercise is a pair
``<exercise>.yaml`` (givens, questions, the source's answers, errata) and ``<exercise>.py`` (one
function per part that derives it); its page is ``docs/exercises/<set>/<exercise>.md``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import sympy as sp
import yaml

from solutions.errors import InvalidInputError
from solutions.exercises.schema import (
    EXERCISE,
    SET,
    DataFileError,
    Problem,
    load_yaml,
    placeholder_problems,
    validate,
)
from solutions.exercises.work import Namespace, Work, exact, parse_notation

__all__ = [
    "DOCS_DIR",
    "EXERCISES_DIR",
    "REPO_DIR",
    "Catalog",
    "Correction",
    "Erratum",
    "Exercise",
    "ExerciseSet",
    "Part",
    "derived",
    "exercise_sets",
    "find_part",
    "iter_parts",
    "load_catalog",
    "load_exercise",
    "load_set",
    "refresh",
]

EXERCISES_DIR = Path(__file__).resolve().parent
REPO_DIR = EXERCISES_DIR.parents[1]
DOCS_DIR = REPO_DIR / "docs"


@dataclass(frozen=True)
class Erratum:
    """A source answer we found wrong: the claim in one line and what is right."""

    about: str
    claim: str
    correction: str


@dataclass(frozen=True)
class Correction:
    """A source statement we found wrong that no computation can check; ``reference`` is where a reader can."""

    about: str
    claim: str
    correction: str
    reference: str


@dataclass(eq=False)
class Part:
    """One lettered part of an exercise (a section of its page, with its own anchor)."""

    exercise: Exercise
    id: str
    label: str
    title: str
    question: str
    givens: dict[str, Any]
    answer: str | None
    source: dict[str, Any]
    errata: list[Erratum]
    line: int
    source_lines: dict[str, int] = field(default_factory=dict)
    corrections: list[Correction] = field(default_factory=list)

    @property
    def key(self) -> str:
        """``set/exercise/part``: the part's id across the site."""
        return f"{self.exercise.key}/{self.id}"

    @property
    def anchor(self) -> str:
        return self.id.replace("_", "-")

    def erratum_anchor(self, about: str) -> str:
        """The anchor of the erratum box about ``about`` (a source key, or a correction's id)."""
        return f"{self.anchor}-erratum-{about.replace('_', '-')}"

    @property
    def erratum_count(self) -> int:
        """Erratum boxes on the part: answers found wrong by derivation, and statements corrected."""
        return len(self.errata) + len(self.corrections)

    @property
    def url(self) -> str:
        """Path of the part on the site, relative to the docs root."""
        return f"{self.exercise.page_path.relative_to(DOCS_DIR).as_posix()}#{self.anchor}"

    @property
    def function(self) -> Callable[[Work], None] | None:
        return getattr(self.exercise.module, self.id, None)

    def solve(self) -> Work:
        """Run the part's solution (once per process) and return its record."""
        return _solve(self)


@cache
def _solve(part: Part) -> Work:
    work = Work(
        given=Namespace(part.givens, f"{part.key} givens"),
        source=Namespace(part.source, f"{part.key} source answers"),
    )
    function = part.function
    if function is not None:
        with work.solving():
            function(work)
    return work


@dataclass(eq=False)
class Exercise:
    """A numbered exercise: one page, one data file, one solution module."""

    set: ExerciseSet
    id: str
    label: str
    title: str
    intro: str | None
    data_path: Path
    attribution: dict[str, Any] | None = None
    source_notation: dict[str, str] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.set.id}/{self.id}"

    @property
    def module_path(self) -> Path:
        return self.data_path.with_suffix(".py")

    @property
    def page_path(self) -> Path:
        return DOCS_DIR / "exercises" / self.set.id / f"{self.id}.md"

    @property
    def module(self) -> Any:
        """The solution module, or None for an exercise whose parts are all conceptual."""
        if not self.module_path.exists():
            return None
        return importlib.import_module(f"solutions.exercises.{self.set.id}.{self.id}")

    def part(self, part_id: str) -> Part:
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(f"{self.key} has no part {part_id!r}; it has {', '.join(p.id for p in self.parts)}")


@dataclass(eq=False)
class ExerciseSet:
    """One source document: its attribution, its manifest and its exercises."""

    id: str
    title: str
    short_title: str
    order: int
    description: str | None
    attribution: dict[str, Any]
    manifest: dict[str, dict[str, Any]] | None
    path: Path
    exercises: list[Exercise] = field(default_factory=list)

    @property
    def index_path(self) -> Path:
        return DOCS_DIR / "exercises" / self.id / "index.md"

    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(f"set {self.id!r} has no exercise {exercise_id!r}")

    def manifest_parts(self) -> list[tuple[str, str, str]]:
        """(exercise id, part id, label) of every part of the source, in the source's order."""
        if self.manifest is None:
            return [(p.exercise.id, p.id, p.label) for e in self.exercises for p in e.parts]
        return [(ex, part, label) for ex, entry in self.manifest.items() for part, label in entry["parts"].items()]


def _mapping(node: Any, key: str) -> Any:
    for key_node, value_node in getattr(node, "value", []) if isinstance(node, yaml.MappingNode) else []:
        if key_node.value == key:
            return value_node
    return None


def _key_lines(node: Any) -> dict[str, int]:
    """1-based line of each key of a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def _source_answers(
    path: Path, lines: dict[str, int], part_id: str, source: dict[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    """Source answers made exact; a string is an expression in the notation (a formula, or worked terms)."""
    out = {}
    for key, value in source.items():
        if isinstance(value, str):
            try:
                value = sp.nsimplify(parse_notation(value), rational=True)
            except InvalidInputError as error:
                problems.append(
                    Problem(
                        path,
                        lines.get(key, 1),
                        f"parts.{part_id}.source.{key}",
                        f"{error}; expected a number, a list, or an expression in the notation's keys",
                    )
                )
                continue
        out[key] = exact(value)
    return out


def _manifest_problems(exercise_set: ExerciseSet, exercise_id: str, path: Path, data: Any, node: Any) -> list[Problem]:
    """The exercise is listed in the set's manifest, and its data has every part listed there."""
    if exercise_set.manifest is None:
        return []
    manifest = exercise_set.manifest.get(exercise_id)
    if manifest is None:
        listed = ", ".join(exercise_set.manifest)
        return [
            Problem(
                path,
                1,
                "",
                f"exercise {exercise_id!r} is not in the manifest of {_rel(exercise_set.path)} (it lists {listed});"
                f" expected the file to be named after an exercise the source has, or the manifest to list it",
            )
        ]
    parts = data.get("parts") if isinstance(data.get("parts"), dict) else {}
    line = _key_lines(node).get("parts", 1)
    return [
        Problem(
            path,
            line,
            f"parts.{part_id}",
            f"missing: the manifest lists {label} ({part_id}) for this exercise; expected a part {part_id}: "
            f"here (`python -m solutions new` scaffolds every listed part)",
        )
        for part_id, label in manifest["parts"].items()
        if part_id not in parts
    ]


def _within(field_path: str, prefix: str) -> bool:
    return field_path == prefix or field_path.startswith(f"{prefix}.")


def _rel(path: Path) -> Path:
    return path.relative_to(REPO_DIR) if path.is_relative_to(REPO_DIR) else path


def load_exercise(exercise_set: ExerciseSet, path: Path) -> tuple[Exercise | None, list[Problem]]:
    """An exercise from its data file, and every problem found in it (None if it cannot be loaded)."""
    try:
        data, node = load_yaml(path)
    except DataFileError as error:
        return None, error.problems
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "", "expected a mapping with title: and parts: (see the templates)")]
    problems = validate(data, node, EXERCISE, path) + placeholder_problems(data, node, path)
    exercise_id = path.stem
    problems += _manifest_problems(exercise_set, exercise_id, path, data, node)
    if not isinstance(data.get("parts"), dict) or not isinstance(data.get("title"), str):
        return None, problems
    manifest = (exercise_set.manifest or {}).get(exercise_id)
    exercise = Exercise(
        set=exercise_set,
        id=exercise_id,
        label=manifest["label"] if manifest else data.get("label", exercise_id),
        title=data["title"],
        intro=data.get("intro"),
        data_path=path,
        attribution=data.get("attribution"),
        source_notation=data.get("source_notation") or {},
    )
    shared = exact(data.get("givens", {})) if isinstance(data.get("givens", {}), dict) else {}
    parts_node = _mapping(node, "parts")
    lines = _key_lines(parts_node)
    for part_id, entry in data["parts"].items():
        line = lines.get(str(part_id), 1)
        if not isinstance(entry, dict) or any(_within(p.field, f"parts.{part_id}") for p in problems):
            continue  # reported above; a part with problems is not loaded
        label = entry.get("label") or (manifest["parts"].get(part_id) if manifest else None)
        if label is None:
            problems.append(
                Problem(
                    path,
                    line,
                    f"parts.{part_id}",
                    "no label: the manifest does not list this part and it has no label: field; expected label: "
                    "with the label the source prints (a set without a manifest labels its parts in the data)",
                )
            )
            continue
        source_lines = _key_lines(_mapping(_mapping(parts_node, str(part_id)), "source"))
        exercise.parts.append(
            Part(
                exercise=exercise,
                id=part_id,
                label=label,
                title=entry["title"],
                question=entry["question"],
                givens={**shared, **exact(entry.get("givens", {}))},
                answer=entry.get("answer"),
                source=_source_answers(path, source_lines, part_id, entry.get("source", {}), problems),
                errata=[Erratum(**item) for item in entry.get("errata", [])],
                line=line,
                source_lines=source_lines,
                corrections=[Correction(**item) for item in entry.get("corrections", [])],
            )
        )
    return exercise, sorted(problems, key=lambda problem: (problem.line, problem.field))


def load_set(path: Path) -> tuple[ExerciseSet | None, list[Problem]]:
    """A set from its ``set.yaml`` with every exercise that loads, and every problem found in its files."""
    try:
        data, node = load_yaml(path)
    except DataFileError as error:
        return None, error.problems
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "", "expected a mapping with title:, short_title:, order:, attribution:")]
    problems = validate(data, node, SET, path) + placeholder_problems(data, node, path)
    if not all(isinstance(data.get(key), kind) for key, kind in _SET_FIELDS.items()):
        return None, problems
    manifest = data.get("manifest")
    exercise_set = ExerciseSet(
        id=path.parent.name,
        title=data["title"],
        short_title=data["short_title"],
        order=data["order"],
        description=data.get("description"),
        attribution=data["attribution"],
        manifest=manifest
        if isinstance(manifest, dict) and not any(p.field.startswith("manifest") for p in problems)
        else None,
        path=path,
    )
    exercises = []
    for exercise_path in sorted(path.parent.glob("*.yaml")):
        if exercise_path.name == "set.yaml":
            continue
        exercise, found = load_exercise(exercise_set, exercise_path)
        problems += found
        if exercise is not None:
            exercises.append(exercise)
    order = list(exercise_set.manifest or {})
    exercises.sort(key=lambda e: (order.index(e.id) if e.id in order else len(order), e.id))
    exercise_set.exercises = exercises
    return exercise_set, problems


_SET_FIELDS: dict[str, type | tuple[type, ...]] = {"title": str, "short_title": str, "order": int, "attribution": dict}


@dataclass(frozen=True)
class Catalog:
    """Every set that loads, and every problem found in every data file (none are skipped)."""

    sets: tuple[ExerciseSet, ...]
    problems: tuple[Problem, ...]


@cache
def load_catalog() -> Catalog:
    """The sets on disk, in their ``order``, with the problems of all their files."""
    sets, problems = [], []
    for path in sorted(EXERCISES_DIR.glob("*/set.yaml")):
        exercise_set, found = load_set(path)
        problems += found
        if exercise_set is not None:
            sets.append(exercise_set)
    taken: dict[int, str] = {}
    for exercise_set in sorted(sets, key=lambda s: s.id):
        if exercise_set.order in taken:  # the sets' order on the site would depend on their folder names
            problems.append(
                Problem(
                    exercise_set.path,
                    _key_lines(yaml.compose(exercise_set.path.read_text(encoding="utf-8"))).get("order", 1),
                    "order",
                    f"order {exercise_set.order} is taken by the set {taken[exercise_set.order]!r}; "
                    f"use {max(s.order for s in sets) + 1}",
                )
            )
        taken.setdefault(exercise_set.order, exercise_set.id)
    return Catalog(tuple(sorted(sets, key=lambda s: (s.order, s.id))), tuple(problems))


def refresh() -> None:
    """Forget the loaded data and solution modules, so a long-lived process (``mkdocs serve``) sees edits."""
    load_catalog.cache_clear()
    _solve.cache_clear()
    for name in [name for name in sys.modules if name.startswith(f"{__package__}.")]:
        if name.count(".") == 3 and not name.rsplit(".", 1)[1].startswith("_"):  # solutions.exercises.<set>.<ex>
            del sys.modules[name]


def exercise_sets() -> tuple[ExerciseSet, ...]:
    """Every exercise set on disk, in their ``order``; a :class:`DataFileError` lists every problem."""
    catalog = load_catalog()
    if catalog.problems:
        raise DataFileError(list(catalog.problems))
    return catalog.sets


def iter_parts() -> Iterator[Part]:
    """Every part of every exercise of every set, in site order."""
    for exercise_set in exercise_sets():
        for exercise in exercise_set.exercises:
            yield from exercise.parts


def find_part(key: str) -> Part:
    """The part with key ``set/exercise/part``."""
    set_id, exercise_id, part_id = key.split("/")
    for exercise_set in exercise_sets():
        if exercise_set.id == set_id:
            return exercise_set.exercise(exercise_id).part(part_id)
    raise KeyError(f"no exercise set {set_id!r}")


def derived(key: str, result: str) -> Any:
    """The exact value of result ``result`` of the part with key ``set/exercise/part``, as the site derives it."""
    return find_part(key).solve().results[result].value


def part_functions(exercise: Exercise) -> dict[str, Callable[..., Any]]:
    """Public functions of an exercise's module (each must be a part's solution)."""
    module = exercise.module
    if module is None:
        return {}
    return {
        name: value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")
    }
