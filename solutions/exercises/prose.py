"""What an exercise says in words: only the notation's symbols in its math, and no template left unfilled.

Checked in the three places a contributor writes: the data file's prose (every text field but the
givens and the source's answers, which are values), the page, and the derivation's own words (notes,
result labels, how a check was done, and the LaTeX of ``w.derive``). Messages are
``file:line: field: what is wrong, what is expected``, like the schema's.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from solutions.exercises.audit import function_line, relative
from solutions.exercises.catalog import Exercise, Part
from solutions.exercises.schema import FILL_IN, DataFileError, load_yaml
from solutions.exercises.work import LetStep, Note, Work
from solutions.notation_check import MathSpan, Use, markdown_math, math_spans, prose_only, undefined_symbols

__all__ = [
    "data_notation_problems",
    "derivation_notation_problems",
    "exercise_prose_problems",
    "page_notation_problems",
    "unfilled_lines",
]

_VALUES = {"givens", "source", "source_notation"}  # numbers and expressions, not prose


def _message(where: str, field: str, span: MathSpan, bad: list[Use], foreign: bool) -> str:
    names = ", ".join(f"${use}$" for use in bad)
    declare = " or declare the source's own letters under source_notation: in the data file" if foreign else ""
    return (
        f"{where}: {field}: ${span.tex.strip()}$ uses {names}, not in the notation; expected a symbol of "
        f"solutions/notation.py (listed on the Notation page){declare}"
    )


def _line_in(lines: list[str], first: int, last: int, tex: str) -> int:
    """Line of the file (from ``first`` to ``last``, 1-based) where the math ``tex`` starts."""
    probe = next((line.strip() for line in tex.splitlines() if line.strip()), tex)[:30]
    for number in range(first, min(last, len(lines)) + 1):
        if probe in lines[number - 1]:
            return number
    return first


def data_notation_problems(path: Path, extra: Iterable[str] = ()) -> list[str]:
    """Math in a data file's prose that uses a symbol the notation does not define."""
    try:
        data, node = load_yaml(path)
    except DataFileError:
        return []  # reported by the catalog
    extra = [*extra, *((data or {}).get("source_notation") or {} if isinstance(data, dict) else {})]
    lines = path.read_text(encoding="utf-8").splitlines()
    problems: list[str] = []

    def walk(value: Any, node: Any, where: list[str]) -> None:
        if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key not in _VALUES and key in value:
                    walk(value[key], value_node, [*where, key])
        elif isinstance(node, yaml.SequenceNode) and isinstance(value, list):
            for n, (item, item_node) in enumerate(zip(value, node.value, strict=False)):
                walk(item, item_node, [*where, str(n)])
        elif isinstance(value, str) and node is not None:
            for span in math_spans(value):
                bad = undefined_symbols(span.tex, extra)
                if bad:
                    line = _line_in(lines, node.start_mark.line + 1, node.end_mark.line + 1, span.tex)
                    problems.append(_message(f"{relative(path)}:{line}", ".".join(where), span, bad, True))

    walk(data, node, [])
    return problems


def page_notation_problems(page: Path, extra: Iterable[str] = ()) -> list[str]:
    """Math on a page that uses a symbol the notation does not define."""
    if not page.exists():
        return []
    extra = list(extra)
    problems = []
    for span in markdown_math(page.read_text(encoding="utf-8")):
        bad = undefined_symbols(span.tex, extra)
        if bad:
            problems.append(_message(f"{relative(page)}:{span.line}", "math", span, bad, bool(extra)))
    return problems


def _derivation_texts(work: Work) -> Iterable[tuple[str, str]]:
    """(what, prose) of everything a solution writes in words or LaTeX."""
    for step in work.steps:
        if isinstance(step, Note):
            yield "note", step.text
        elif isinstance(step, LetStep) and isinstance(step.symbol, str):
            yield "w.derive", f"${step.symbol}$"
    for result in work.results.values():
        yield f"result {result.key!r}", result.label
    for check in work.checks:
        yield f"check of {check.key!r}", check.how


def derivation_notation_problems(part: Part, work: Work) -> list[str]:
    """Math in a part's derivation (notes, labels, checks, ``w.derive``) outside the notation."""
    where = f"{relative(part.exercise.module_path)}:{function_line(part)}"
    problems = []
    for what, text in _derivation_texts(work):
        for span in math_spans(text):
            bad = undefined_symbols(span.tex, part.exercise.source_notation)
            if bad:
                problems.append(_message(where, f"{part.id}: {what}", span, bad, False))
    return problems


def unfilled_lines(path: Path, what: str) -> list[str]:
    """Lines of a solution module or page still holding a template's FILL IN marker (in a page's
    prose: code there may show the marker)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    problems = []
    for number, line in enumerate((prose_only(text) if path.suffix == ".md" else text).splitlines(), 1):
        if FILL_IN in line:
            hint = line[line.index(FILL_IN) + len(FILL_IN) :].strip(" :\"')")
            problems.append(
                f"{relative(path)}:{number}: {what}: not filled in (a template placeholder); "
                f"expected {hint or 'your text'}"
            )
    return problems


def exercise_prose_problems(exercise: Exercise) -> list[str]:
    """Notation and unfilled placeholders in an exercise's page and solution module."""
    return [
        *unfilled_lines(exercise.module_path, "solution"),
        *unfilled_lines(exercise.page_path, "page"),
        *page_notation_problems(exercise.page_path, exercise.source_notation),
    ]
