"""``check``: the problems of the files a contributor touched, found in seconds, every one at once.

A path selects what to check: a data file or solution module selects its exercise, an exercise's
page too; ``set.yaml``, a set's folder or its index page select the set; any other Markdown page is
checked for its notation and placeholders. No path checks everything, as the build does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from solutions.exercises.catalog import DOCS_DIR, EXERCISES_DIR, REPO_DIR, Exercise, ExerciseSet, load_catalog
from solutions.exercises.prose import data_notation_problems, page_notation_problems, unfilled_lines
from solutions.render.site import exercise_problems, set_problems, site_problems

__all__ = ["Report", "check"]


@dataclass
class Report:
    """What was checked and every problem found, in the order found."""

    problems: list[str] = field(default_factory=list)
    exercises: int = 0
    parts: int = 0
    pages: int = 0

    def add(self, problems: Iterable[str]) -> None:
        for problem in problems:
            if problem not in self.problems:
                self.problems.append(problem)

    def summary(self) -> str:
        files = {problem.split(":", 1)[0] for problem in self.problems}
        checked = f"{self.exercises} exercise(s), {self.parts} part(s), {self.pages} other page(s) checked"
        if not self.problems:
            return f"check: no problems; {checked}"
        return f"check: {len(self.problems)} problem(s) in {len(files)} file(s); {checked}"


@dataclass
class _Selection:
    sets: set[str] = field(default_factory=set)
    set_only: set[str] = field(default_factory=set)  # index page or set.yaml: the set's own problems
    exercises: set[tuple[str, str]] = field(default_factory=set)
    pages: list[Path] = field(default_factory=list)


def _select(paths: Iterable[Path], selection: _Selection) -> list[str]:
    """Sort ``paths`` into what they select; paths that select nothing are usage errors."""
    errors = []
    for given in paths:
        path = given.resolve()
        if not path.exists():
            errors.append(f"{given}: no such file or folder")
            continue
        parts = path.relative_to(REPO_DIR).parts if path.is_relative_to(REPO_DIR) else ()
        if path.is_relative_to(EXERCISES_DIR) and len(parts) >= 3 and parts[2] != "templates":
            set_id = parts[2]
            if path.is_dir() or path.name in ("__init__.py",):
                selection.sets.add(set_id)
            elif path.name == "set.yaml":
                selection.set_only.add(set_id)
            elif path.suffix in (".yaml", ".py"):
                selection.exercises.add((set_id, path.stem))
            else:
                errors.append(f"{given}: not an exercise file; expected a data file, a solution module or set.yaml")
        elif path.is_relative_to(DOCS_DIR / "exercises") and len(parts) >= (3 if path.is_dir() else 4):
            set_id = parts[2]
            if path.is_dir():
                selection.sets.add(set_id)
            elif path.name == "index.md":
                selection.set_only.add(set_id)
            elif path.suffix == ".md":
                selection.exercises.add((set_id, path.stem))
            else:
                selection.pages.append(path)
        elif path.suffix == ".md":
            selection.pages.append(path)
        elif path == REPO_DIR:
            return []
        else:
            errors.append(f"{given}: nothing to check; expected a data file, a solution module, a page or a set folder")
    return errors


def _find(sets: dict[str, ExerciseSet], set_id: str, exercise_id: str) -> Exercise | None:
    exercise_set = sets.get(set_id)
    if exercise_set is None:
        return None
    return next((e for e in exercise_set.exercises if e.id == exercise_id), None)


def check(paths: Iterable[Path] = ()) -> tuple[Report, list[str]]:
    """Check the files selected by ``paths`` (none: everything); returns the report and usage errors."""
    paths = list(paths)
    report = Report()
    catalog = load_catalog()
    selection = _Selection()
    errors = _select(paths, selection)
    if errors:
        return report, errors
    if not paths or (len(paths) == 1 and paths[0].resolve() == REPO_DIR):
        report.add(site_problems())
        report.exercises = sum(len(s.exercises) for s in catalog.sets)
        report.parts = sum(len(e.parts) for s in catalog.sets for e in s.exercises)
        report.pages = sum(1 for _ in DOCS_DIR.rglob("*.md")) - report.exercises - len(catalog.sets)
        return report, []
    sets = {exercise_set.id: exercise_set for exercise_set in catalog.sets}

    def data_problems(where: Path) -> list[str]:
        return [str(p) for p in catalog.problems if p.path == where or p.path.is_relative_to(where)]

    for set_id in sorted(selection.sets | selection.set_only):
        folder = EXERCISES_DIR / set_id
        if not (folder / "set.yaml").exists():
            report.add(
                [
                    f"{folder.relative_to(REPO_DIR)}/set.yaml:1: set: missing; expected it: `python -m "
                    f"solutions new-set {set_id}` writes it"
                ]
            )
            continue
        report.add(data_problems(folder / "set.yaml"))
        if set_id in sets:
            report.add(set_problems(sets[set_id]))
        if set_id in selection.sets:
            selection.exercises |= {(set_id, p.stem) for p in folder.glob("*.yaml") if p.name != "set.yaml"}
    for set_id, exercise_id in sorted(selection.exercises):
        data = EXERCISES_DIR / set_id / f"{exercise_id}.yaml"
        if not data.exists():
            report.add(
                [
                    f"{data.relative_to(REPO_DIR)}:1: data: missing; expected the exercise's data file: "
                    f"`python -m solutions new {set_id}/{exercise_id}` writes it"
                ]
            )
            continue
        found = data_problems(data)
        report.add(data_problems(EXERCISES_DIR / set_id / "set.yaml") + found)
        exercise = _find(sets, set_id, exercise_id)
        if exercise is not None and found:  # fix the data first: its parts did not load
            report.exercises += 1
            report.add(data_notation_problems(data, exercise.source_notation))
            report.add(unfilled_lines(exercise.module_path, "solution") + unfilled_lines(exercise.page_path, "page"))
        elif exercise is not None:
            report.exercises += 1
            report.parts += len(exercise.parts)
            report.add(exercise_problems(exercise))
    for page in selection.pages:
        report.pages += 1
        report.add(unfilled_lines(page, "page") + page_notation_problems(page))
    return report, []
