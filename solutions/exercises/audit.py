"""The rules every part must satisfy, checked the same way by the tests, the build and ``check``.

For each part: every derived result is confirmed by at least one independent numeric check, and
every check agrees; every answer the source gives is compared with the derived result of the same
name, and either agrees or carries an erratum; every erratum refers to a source answer that really
differs from the derivation. Messages say what is wrong and what to do about it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solutions.exercises.catalog import REPO_DIR, Erratum, Part, part_functions
from solutions.exercises.work import Work, same_value
from solutions.render.latex import text_value

__all__ = ["Comparison", "audit_exercise", "audit_part", "comparisons", "function_line", "relative"]


@dataclass(frozen=True)
class Comparison:
    """A source answer beside the derived one."""

    key: str
    source: Any
    derived: Any
    agrees: bool
    erratum: Erratum | None


def comparisons(part: Part, work: Work | None = None) -> list[Comparison]:
    """Each source answer of ``part`` compared with the derived result of the same key."""
    work = work or part.solve()
    errata = {erratum.about: erratum for erratum in part.errata}
    out = []
    for key, claimed in part.source.items():
        result = work.results.get(key)
        derived = result.value if result is not None else None
        agrees = result is not None and same_value(claimed, derived)
        out.append(Comparison(key, claimed, derived, agrees, errata.get(key)))
    return out


def relative(path: Path) -> Path:
    """``path`` from the repository's root, as contributors see it (absolute if outside)."""
    return path.relative_to(REPO_DIR) if path.is_absolute() and path.is_relative_to(REPO_DIR) else path


def _where(part: Part, key: str | None = None) -> str:
    line = part.source_lines.get(key, part.line) if key else part.line
    return f"{relative(part.exercise.data_path)}:{line}"


def function_line(part: Part) -> int:
    """Line of the part's solution function (1 if it has none)."""
    function = part.function
    return inspect.getsourcelines(function)[1] if function is not None else 1


def _function_where(part: Part) -> str:
    return f"{relative(part.exercise.module_path)}:{function_line(part)}"


def audit_part(part: Part) -> list[str]:
    """Every problem with one part (empty when it is right), as ``file:line: field: message``."""
    problems: list[str] = []
    abouts = [erratum.about for erratum in part.errata] + [correction.about for correction in part.corrections]
    for about in sorted({about for about in abouts if abouts.count(about) > 1}):
        problems.append(
            f"{_where(part)}: parts.{part.id}.corrections: {about!r} names two erratum boxes (errata and "
            f"corrections share the anchor #{part.erratum_anchor(about)}); expected a different about: id"
        )
    module = relative(part.exercise.module_path)
    if part.source and part.function is None:
        problems.append(
            f"{_where(part)}: parts.{part.id}.source: the source's answers need a derivation to compare with; "
            f"expected `def {part.id}(w: Work) -> None:` in {module}"
        )
        return problems
    try:
        work = part.solve()
    except Exception as error:  # a solution that raises is reported, not hidden
        return [_raised(part, error)]

    checked = {check.key for check in work.checks}
    for key, result in work.results.items():
        if key not in checked:
            problems.append(
                f"{_function_where(part)}: {part.id}: result {key!r} ({text_value(result.value)}) has no numeric "
                f"check; expected w.check({key!r}, <value from solutions.reference>, '<how>') after it"
            )
    for check in work.checks:
        if not check.passed:
            derived = work.results[check.key].value
            problems.append(
                f"{_function_where(part)}: {part.id}: check of {check.key!r} failed: derived "
                f"{text_value(derived)}, numeric {text_value(check.value)} ({check.how}); expected them equal: "
                f"fix the derivation or the check"
            )

    for comparison in comparisons(part, work):
        field = f"parts.{part.id}.source.{comparison.key}"
        if comparison.key not in work.results:
            problems.append(
                f"{_where(part, comparison.key)}: {field}: the source gives {text_value(comparison.source)} but "
                f"the solution derives no result {comparison.key!r} (derived results: "
                f"{', '.join(work.results) or 'none'}); expected w.result({comparison.key!r}, ...) in "
                f"{_function_where(part)}, or the key of a derived result here"
            )
        elif not comparison.agrees and comparison.erratum is None:
            problems.append(_disagreement(part, work, comparison))
        elif comparison.agrees and comparison.erratum is not None:
            problems.append(
                f"{_where(part, comparison.key)}: parts.{part.id}.errata: the erratum about {comparison.key!r} says "
                f"the source is wrong, but its answer {text_value(comparison.source)} agrees with the derivation; "
                f"expected no erratum: remove it, or correct the recorded source answer"
            )
    sources = set(part.source)
    for erratum in part.errata:
        if erratum.about not in sources:
            problems.append(
                f"{_where(part)}: parts.{part.id}.errata: erratum about {erratum.about!r}, but the source "
                f"answers recorded are {', '.join(sorted(sources)) or 'none'}; expected the claim under "
                f"source.{erratum.about} so the erratum can be checked"
            )
    return problems


def _raised(part: Part, error: Exception) -> str:
    """Where a solution raised: the deepest line in the solution module, with what to do."""
    line = function_line(part)
    module = part.exercise.module_path
    for frame in reversed(inspect.getinnerframes(error.__traceback__) if error.__traceback__ else []):
        if Path(frame.filename).resolve() == module.resolve():
            line = frame.lineno
            break
    return (
        f"{relative(module)}:{line}: {part.id}: the solution raised {type(error).__name__}: {error}; "
        f"expected it to run: fix this line"
    )


def _disagreement(part: Part, work: Work, comparison: Comparison) -> str:
    """Both values, the derivation that produced ours, and how to record an erratum."""
    steps = [_step_summary(step) for step in work.steps]
    derivation = "\n".join(f"        {n}. {step}" for n, step in enumerate(filter(None, steps), 1))
    return (
        f"{_where(part, comparison.key)}: parts.{part.id}.source.{comparison.key}: the source says "
        f"{text_value(comparison.source)}, the derivation gives {text_value(comparison.derived)}; "
        f"expected them equal, or an erratum.\n"
        f"    Our derivation ({_function_where(part)}):\n{derivation or '        (no recorded steps)'}\n"
        f"    If the derivation is wrong, fix {part.id} in {relative(part.exercise.module_path)}.\n"
        f"    If the source is wrong, keep its answer as it is and add under parts.{part.id}:\n"
        f"      errata:\n"
        f"        - about: {comparison.key}\n"
        f"          claim: <what the source states, in one line>\n"
        f"          correction: <what is right, and why>"
    )


def _step_summary(step: Any) -> str:
    formula = getattr(step, "formula", None)
    if formula is not None:
        arguments = ", ".join(f"{k}={text_value(v)}" for k, v in step.arguments.items())
        return f"{formula.name}({arguments}) = {text_value(step.result)}"
    if hasattr(step, "expr"):
        values = ", ".join(f"{k}={text_value(v)}" for k, v in getattr(step, "values", {}).items())
        at = f" with {values}" if values else ""
        return f"{step.symbol} = {step.expr}{at} = {text_value(step.value)}"
    return ""


def audit_exercise(exercise: Any) -> list[str]:
    """Problems of every part of an exercise, plus functions that match no part."""
    problems = []
    ids = {part.id for part in exercise.parts}
    for name, function in part_functions(exercise).items():
        if name not in ids:
            line = inspect.getsourcelines(function)[1]
            problems.append(
                f"{relative(exercise.module_path)}:{line}: {name}: the function matches no part of "
                f"{exercise.data_path.name} (parts: {', '.join(sorted(ids))}); expected a part's id: rename it, "
                f"or prefix a helper's name with _"
            )
    for part in exercise.parts:
        problems.extend(audit_part(part))
    return problems
