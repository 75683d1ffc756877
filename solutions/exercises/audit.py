"""The rules every part must satisfy, checked the same way by the tests, the build and ``check``.

For each part: every derived result is confirmed by at least one independent numeric check, and
every check agrees; every answer the source gives is compared with the derived result of the same
name, and either agrees or carries an erratum; every erratum refers to a source answer that really
differs from the derivation. Messages say what is wrong and what to do about it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from solutions.exercises.catalog import Erratum, Part, part_functions
from solutions.exercises.work import Work, same_value
from solutions.render.latex import text_value

__all__ = ["Comparison", "audit_exercise", "audit_part", "comparisons"]


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


def _where(part: Part) -> str:
    return f"{part.exercise.data_path}:{part.line}"


def _function_where(part: Part) -> str:
    function = part.function
    if function is None:
        return str(part.exercise.module_path)
    return f"{part.exercise.module_path}:{inspect.getsourcelines(function)[1]}"


def audit_part(part: Part) -> list[str]:
    """Every problem with one part (empty when it is right)."""
    problems: list[str] = []
    if part.source and part.function is None:
        problems.append(
            f"{_where(part)}: parts.{part.id}.source: the source's answers need a derivation to compare with; "
            f"define `def {part.id}(w: Work) -> None:` in {part.exercise.module_path}"
        )
        return problems
    try:
        work = part.solve()
    except Exception as error:  # a solution that raises is reported, not hidden
        return [f"{_function_where(part)}: {part.id}: the solution raised {type(error).__name__}: {error}"]

    checked = {check.key for check in work.checks}
    for key, result in work.results.items():
        if key not in checked:
            problems.append(
                f"{_function_where(part)}: {part.id}: result {key!r} ({text_value(result.value)}) has no numeric "
                f"check; confirm it with w.check({key!r}, <value from solutions.reference>, '<how>')"
            )
    for check in work.checks:
        if not check.passed:
            derived = work.results[check.key].value
            problems.append(
                f"{_function_where(part)}: {part.id}: check of {check.key!r} failed: derived "
                f"{text_value(derived)}, numeric {text_value(check.value)} ({check.how})"
            )

    for comparison in comparisons(part, work):
        if comparison.key not in work.results:
            problems.append(
                f"{_where(part)}: parts.{part.id}.source.{comparison.key}: the source gives "
                f"{text_value(comparison.source)} but the solution derives no result {comparison.key!r}; "
                f"add w.result({comparison.key!r}, ...) to {_function_where(part)} "
                f"(derived results: {', '.join(work.results) or 'none'})"
            )
        elif not comparison.agrees and comparison.erratum is None:
            steps = "; ".join(_step_summary(step) for step in work.steps) or "see the solution"
            problems.append(
                f"{_where(part)}: parts.{part.id}.source.{comparison.key}: the source says "
                f"{text_value(comparison.source)}, the derivation gives {text_value(comparison.derived)} "
                f"(derivation: {steps}). If the derivation is wrong, fix {_function_where(part)}. If the source "
                f"is wrong, record an erratum under parts.{part.id}:\n"
                f"    errata:\n"
                f"      - about: {comparison.key}\n"
                f"        claim: <what the source states, in one line>\n"
                f"        correction: <what is right, and why>"
            )
        elif comparison.agrees and comparison.erratum is not None:
            problems.append(
                f"{_where(part)}: parts.{part.id}.errata: the erratum about {comparison.key!r} says the source "
                f"is wrong, but its answer {text_value(comparison.source)} agrees with the derivation; "
                f"remove the erratum or correct the recorded source answer"
            )
    sources = set(part.source)
    for erratum in part.errata:
        if erratum.about not in sources:
            problems.append(
                f"{_where(part)}: parts.{part.id}.errata: erratum about {erratum.about!r}, but the source "
                f"answers recorded are {', '.join(sorted(sources)) or 'none'}; record the claim under "
                f"source.{erratum.about} so the erratum can be checked"
            )
    return problems


def _step_summary(step: Any) -> str:
    formula = getattr(step, "formula", None)
    if formula is not None:
        arguments = ", ".join(f"{k}={text_value(v)}" for k, v in step.arguments.items())
        return f"{formula.name}({arguments}) = {text_value(step.result)}"
    value = getattr(step, "value", None)
    if value is not None:
        return f"{step.symbol} = {step.expr} = {text_value(value)}"
    return ""


def audit_exercise(exercise: Any) -> list[str]:
    """Problems of every part of an exercise, plus functions that match no part."""
    problems = []
    ids = {part.id for part in exercise.parts}
    for name, function in part_functions(exercise).items():
        if name not in ids:
            line = inspect.getsourcelines(function)[1]
            problems.append(
                f"{exercise.module_path}:{line}: function {name!r} matches no part of {exercise.data_path.name} "
                f"(parts: {', '.join(sorted(ids))}); rename it, or prefix helpers with _"
            )
    for part in exercise.parts:
        problems.extend(audit_part(part))
    return problems
