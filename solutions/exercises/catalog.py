"""The catalog of exercise sets, exercises and parts, discovered from the files on disk.

Nothing is registered by hand. A set is a folder ``solutions/exercises/<set>/`` holding ``set.yaml``
(attribution and the manifest of the source's parts); an exercise is a pair
``<exercise>.yaml`` (givens, questions, the source's answers, errata) and ``<exercise>.py`` (one
function per part that derives it); its page is ``docs/exercises/<set>/<exercise>.md``.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import sympy as sp

from solutions.errors import InvalidInputError
from solutions.exercises.schema import EXERCISE, SET, DataFileError, Problem, load_yaml, validate
from solutions.exercises.work import Namespace, Work, exact, parse_notation

__all__ = [
    "DOCS_DIR",
    "EXERCISES_DIR",
    "Erratum",
    "Exercise",
    "ExerciseSet",
    "Part",
    "exercise_sets",
    "find_part",
    "iter_parts",
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

    @property
    def key(self) -> str:
        """``set/exercise/part``: the part's id across the site."""
        return f"{self.exercise.key}/{self.id}"

    @property
    def anchor(self) -> str:
        return self.id.replace("_", "-")

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


def _part_lines(node: Any) -> dict[str, int]:
    lines: dict[str, int] = {}
    for key_node, value_node in getattr(node, "value", []):
        if key_node.value == "parts":
            for part_key, _ in value_node.value:
                lines[part_key.value] = part_key.start_mark.line + 1
    return lines


def _source_answers(path: Path, line: int, part_id: str, source: dict[str, Any]) -> dict[str, Any]:
    """Source answers made exact; a string is an expression in the notation (a formula, or worked terms)."""
    out = {}
    for key, value in source.items():
        if isinstance(value, str):
            try:
                value = sp.nsimplify(parse_notation(value), rational=True)
            except InvalidInputError as error:
                raise DataFileError([Problem(path, line, f"parts.{part_id}.source.{key}", str(error))]) from None
        out[key] = exact(value)
    return out


def _load_exercise(exercise_set: ExerciseSet, path: Path) -> Exercise:
    data, node = load_yaml(path)
    problems = validate(data, node, EXERCISE, path)
    if problems:
        raise DataFileError(problems)
    exercise_id = path.stem
    manifest = (exercise_set.manifest or {}).get(exercise_id)
    if exercise_set.manifest is not None and manifest is None:
        listed = ", ".join(exercise_set.manifest)
        raise DataFileError(
            [
                Problem(
                    path,
                    1,
                    "",
                    f"exercise {exercise_id!r} is not in the manifest of {exercise_set.path}"
                    f" (it lists {listed}); name the file after an exercise the source has",
                )
            ]
        )
    exercise = Exercise(
        set=exercise_set,
        id=exercise_id,
        label=manifest["label"] if manifest else data.get("label", exercise_id),
        title=data["title"],
        intro=data.get("intro"),
        data_path=path,
    )
    shared = exact(data.get("givens", {}))
    lines = _part_lines(node)
    problems = []
    for part_id, entry in data["parts"].items():
        label = entry.get("label") or (manifest["parts"].get(part_id) if manifest else None)
        if label is None:
            problems.append(
                Problem(
                    path,
                    lines.get(part_id, 1),
                    f"parts.{part_id}",
                    "no label: the manifest does not list this part and it has no label: field",
                )
            )
            continue
        exercise.parts.append(
            Part(
                exercise=exercise,
                id=part_id,
                label=label,
                title=entry["title"],
                question=entry["question"],
                givens={**shared, **exact(entry.get("givens", {}))},
                answer=entry.get("answer"),
                source=_source_answers(path, lines.get(part_id, 1), part_id, entry.get("source", {})),
                errata=[Erratum(**item) for item in entry.get("errata", [])],
                line=lines.get(part_id, 1),
            )
        )
    if problems:
        raise DataFileError(problems)
    return exercise


def _load_set(path: Path) -> ExerciseSet:
    data, node = load_yaml(path)
    problems = validate(data, node, SET, path)
    if problems:
        raise DataFileError(problems)
    exercise_set = ExerciseSet(
        id=path.parent.name,
        title=data["title"],
        short_title=data["short_title"],
        order=data["order"],
        description=data.get("description"),
        attribution=data["attribution"],
        manifest=data.get("manifest"),
        path=path,
    )
    exercises = [_load_exercise(exercise_set, p) for p in sorted(path.parent.glob("*.yaml")) if p.name != "set.yaml"]
    order = list(exercise_set.manifest or {})
    exercises.sort(key=lambda e: (order.index(e.id) if e.id in order else len(order), e.id))
    exercise_set.exercises = exercises
    return exercise_set


@cache
def exercise_sets() -> tuple[ExerciseSet, ...]:
    """Every exercise set on disk, in their ``order``."""
    sets = [_load_set(path) for path in sorted(EXERCISES_DIR.glob("*/set.yaml"))]
    return tuple(sorted(sets, key=lambda s: (s.order, s.id)))


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
