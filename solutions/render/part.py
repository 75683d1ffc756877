"""A part of an exercise as a Markdown section, built from its data and its solved :class:`Work`.

Anatomy, in order: heading with a stable anchor; the question in our words; the derivation (each
general formula, its substitution and value, linked to the page that derives it, with a diagram
drawn from the same call where the geometry matters, and every display numbered); the answer; the
numeric check that confirmed it; the source's answer, agreeing or marked with an erratum; remarks;
and the code that did it, collapsed.

Prose in the data files may use ``[[name]]`` for a result, a given (``[[given.stride]]``) or a
source answer (``[[source.params]]``); inside ``$...$`` it becomes LaTeX, elsewhere text, and
``[[given.image:shape]]`` shows a list as a shape (100 × 100 × 1). An unknown name is an error,
never left on the page.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterable
from typing import Any

import sympy as sp

from solutions.exercises.audit import Comparison, comparisons
from solutions.exercises.catalog import DOCS_DIR, Exercise, Part
from solutions.exercises.work import LetStep, Note, Work
from solutions.formulas._formula import Formula, FormulaCall
from solutions.render.diagrams import diagrams_for_steps
from solutions.render.latex import latex, latex_substituted, latex_value, text_value

__all__ = ["PlaceholderError", "expand", "formula_link", "render_intro", "render_part"]

_PLACEHOLDER = re.compile(r"\[\[\s*([A-Za-z_][\w.]*)(?::(shape))?\s*\]\]")
_MATH = re.compile(r"(\$\$.+?\$\$|(?<![\\$])\$(?!\$).+?(?<![\\$])\$)", re.S)


class PlaceholderError(KeyError):
    """A ``[[name]]`` in prose that names nothing."""


def _lookup(name: str, part: Part, work: Work | None) -> Any:
    scope, _, rest = name.partition(".")
    results = work.results if work is not None else {}
    if scope == "given" and rest:
        value: Any = part.givens
        path = rest.split(".")
    elif scope == "source" and rest:
        value, path = part.source, rest.split(".")
    elif scope == "result" and rest:
        value, path = {k: r.value for k, r in results.items()}, rest.split(".")
    elif name in results:
        return results[name].value
    elif name in part.givens:
        return part.givens[name]
    else:
        value, path = None, [name]
    for step in path:
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, (list, tuple)) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            known = sorted({*results, *(f"given.{g}" for g in part.givens), *(f"source.{s}" for s in part.source)})
            raise PlaceholderError(
                f"{part.exercise.data_path}:{part.line}: [[{name}]] in part {part.id} names nothing; "
                f"known: {', '.join(known) or 'none'}"
            )
    return value


def _formatted(match: re.Match[str], part: Part, work: Work | None) -> Any:
    value = _lookup(match.group(1), part, work)
    if match.group(2) == "shape" and isinstance(value, list):
        return tuple(value)  # a list given as [H, W, C] reads as H × W × C
    return value


def expand(text: str, part: Part, work: Work | None = None) -> str:
    """Replace ``[[name]]`` placeholders: LaTeX inside math, text outside."""
    pieces = _MATH.split(text)
    out = []
    for n, piece in enumerate(pieces):
        in_math = n % 2 == 1
        render = latex_value if in_math else text_value
        out.append(_PLACEHOLDER.sub(lambda m, r=render: r(_formatted(m, part, work)), piece))
    return "".join(out)


def formula_link(formula: Formula, page: Exercise | None = None) -> str:
    """Relative link from an exercise page (or the docs root) to a formula's derivation."""
    prefix = "../../" if page is not None else ""
    return f"{prefix}{formula.url}"


def _indent(text: str, prefix: str = "    ") -> str:
    return textwrap.indent(text, prefix, lambda line: True)


Line = tuple[str, str, str]  # left-hand side, relation, right-hand side


def _display(lines: list[Line]) -> str:
    """One display-math paragraph; several lines are aligned on their relation. The sides are kept
    apart until here: a matrix side has ``&`` of its own, so no ``&`` can be found or moved afterwards."""
    if len(lines) == 1:
        return "$$\n{} {} {}\n$$".format(*lines[0])
    body = " \\\\\n".join(f"{lhs} &{relation} {rhs}" for lhs, relation, rhs in lines)
    return f"$$\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$"


def _chain(lhs: str, general: str, substituted: str | None, value: str, relation: str = "=") -> Line:
    parts = [general]
    if substituted is not None and substituted not in parts:
        parts.append(substituted)
    if value not in parts:
        parts.append(value)
    return lhs, relation, " = ".join(parts)


def _render_call(call: FormulaCall, page: Exercise) -> str:
    formula = call.formula
    values: dict[sp.Symbol, Any] = {}
    arguments = []
    for name, value in call.arguments.items():
        sym = formula.arguments[name]
        if value != sym:  # a symbolic argument stays itself; "s = s" says nothing
            values[sym] = value
            arguments.append(f"${latex(sym)} = {latex_value(value)}$")
    lines = []
    for step, value in formula.evaluate_steps(**call.arguments):
        general = latex(step.expr)
        numbers = step.expr.free_symbols & set(values)
        substituted = latex_substituted(step.expr, values) if numbers else None
        lines.append(_chain(latex(step.symbol), general, substituted, latex_value(value)))
        if value != step.symbol:
            values[step.symbol] = value
    link = f"[{formula.title}]({formula_link(formula, page)})"
    given = f", with {', '.join(arguments)}:" if arguments else ", in general:"
    return f"{link}{given}\n\n{_display(lines)}"


def _render_let(step: LetStep) -> str:
    order = {"order": "none"} if step.ordered else {}
    general = latex(step.expr, **order)
    substituted = latex_substituted(step.expr, dict(step.values), **order) if step.values else None
    lhs = step.symbol if isinstance(step.symbol, str) else latex(step.symbol)
    value = step.value
    shown = latex(sp.Matrix(value)) if isinstance(value, list) and _symbolic(value) else latex_value(value)
    if not step.expr.free_symbols:  # a computed number or matrix: show it once
        return _display([(lhs, step.relation, shown)])
    return _display([_chain(lhs, general, substituted, shown, step.relation)])


def _symbolic(value: Any) -> bool:
    return any(_symbolic(v) for v in value) if isinstance(value, list) else bool(getattr(value, "free_symbols", None))


def _same_call(a: Any, b: Any) -> bool:
    return (
        isinstance(a, FormulaCall)
        and isinstance(b, FormulaCall)
        and a.formula is b.formula
        and a.arguments == b.arguments
    )


def _dedupe(steps: Iterable[Any]) -> list[Any]:
    """The steps without immediate repeats: a call, or a run of calls, made again right after itself
    (the same formulas for the width after the height, when both are equal) shows nothing new. A
    repeat further away stays, so each layer of a layer-by-layer derivation keeps all its steps."""
    out: list[Any] = []
    pending = list(steps)
    index = 0
    while index < len(pending):
        for length in range(1, len(out) + 1):
            block = pending[index : index + length]
            if len(block) == length and all(map(_same_call, out[-length:], block)):
                index += length
                break
        else:
            out.append(pending[index])
            index += 1
    return out


def _render_steps(work: Work, part: Part) -> str:
    blocks = []
    steps = _dedupe(work.steps)
    figures = diagrams_for_steps(steps)  # drawn from the same calls, shown after the step they belong to
    for index, step in enumerate(steps):
        if isinstance(step, FormulaCall):
            blocks.append(_render_call(step, part.exercise))
        elif isinstance(step, LetStep):
            blocks.append(_render_let(step))
        elif isinstance(step, Note):
            blocks.append(expand(step.text, part, work))
        blocks.extend(figures.get(index, []))
    return "\n\n".join(blocks)


_DISPLAY = re.compile(r"^\$\$\n.*?\n\$\$$", re.M | re.S)


def _number_displays(markdown: str, part: Part) -> str:
    """Number the part's display formulas (Q.1.e.1), each with an anchor (``q1e-eq-1``) its number links to.

    Only displays at the top level of the part (not inside boxes) are numbered.
    """
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        anchor = f"{part.anchor}-eq-{count}"
        return (
            f'<div class="equation" id="{anchor}" data-search-exclude markdown>\n\n{match[0]}\n\n'
            f'<a class="eqno" href="#{anchor}" title="Link to equation ({part.label}.{count})">'
            f"({part.label}.{count})</a>\n\n</div>"
        )

    return _DISPLAY.sub(number, markdown)


def _render_results(work: Work, part: Part) -> str:
    lines = []
    for result in work.results.values():
        unit = f" {result.unit}" if result.unit else ""
        value = text_value(result.value)
        if value.startswith("$") or isinstance(result.value, list):
            shown = f"${latex_value(result.value)}$"
        else:
            shown = f"**{value}**"
        lines.append(f"- {expand(result.label, part, work)}: {shown}{unit}")
    return "**Answer.**\n\n" + "\n".join(lines)


def _render_checks(work: Work, part: Part) -> str:
    items = []
    for check in work.checks:
        label = work.results[check.key].label
        verdict = "agrees with the derivation" if check.passed else "**differs from the derivation**"
        items.append(f"- {expand(label, part, work)}: {expand(check.how, part, work)} — {verdict}.")
    body = "\n".join(items)
    kind = "success" if all(c.passed for c in work.checks) else "failure"
    return f'!!! {kind} "Checked numerically"\n\n{_indent(body)}'


def _label(comparison: Comparison, part: Part, work: Work) -> str:
    result = work.results.get(comparison.key)
    return expand(result.label, part, work) if result is not None else comparison.key


def _source_value(comparison: Comparison) -> Any:
    """The source's answer in the derived value's type (YAML gives a list where a shape is a tuple)."""
    if isinstance(comparison.derived, tuple) and isinstance(comparison.source, list):
        return tuple(comparison.source)
    return comparison.source


def _render_agreement(comparison: Comparison, part: Part, work: Work) -> str:
    shown = _shown(_source_value(comparison))
    return f"- {_label(comparison, part, work)}: the source gives {shown}, which agrees."


def _shown(value: Any) -> str:
    text = text_value(value)
    if text.startswith("$") or isinstance(value, list):
        return f"${latex_value(value)}$"
    return text


def _render_source(part: Part, work: Work) -> str:
    found = comparisons(part, work)
    if not found:
        return ""
    blocks = []
    agreeing = [_render_agreement(c, part, work) for c in found if c.erratum is None]
    if agreeing:
        blocks.append('??? quote "The source\'s answer agrees"\n\n' + _indent("\n".join(agreeing)))
    for comparison in found:
        erratum = comparison.erratum
        if erratum is None:
            continue
        anchor = part.erratum_anchor(comparison.key)
        body = (
            f'<span id="{anchor}"></span>**The source states:** {expand(erratum.claim, part, work)}\n\n'
            f"**What is right:** {expand(erratum.correction, part, work)}\n\n"
            f"{_label(comparison, part, work)}: the source gives {_shown(_source_value(comparison))}; "
            f"derived here: {_shown(comparison.derived)}."
        )
        blocks.append(f'!!! danger "Erratum"\n\n{_indent(body)}')
    return "\n\n".join(blocks)


def _render_corrections(part: Part, work: Work | None) -> str:
    blocks = []
    for correction in part.corrections:
        body = (
            f'<span id="{part.erratum_anchor(correction.about)}"></span>'
            f"**The source states:** {expand(correction.claim, part, work)}\n\n"
            f"**What is right:** {expand(correction.correction, part, work)}\n\n"
            f"*See:* {correction.reference.strip().rstrip('.')}. A statement of fact, not a computation: it is "
            f"checked against this reference rather than by a test."
        )
        blocks.append(f'!!! danger "Erratum"\n\n{_indent(body)}')
    return "\n\n".join(blocks)


def _render_code(part: Part) -> str:
    function = part.function
    if function is None:
        return ""
    module = inspect.getmodule(function)
    helpers = [
        getattr(module, name)
        for name in function.__code__.co_names
        if name.startswith("_") and inspect.isfunction(getattr(module, name, None))
    ]
    source = "\n\n".join(textwrap.dedent(inspect.getsource(f)).rstrip() for f in [*helpers, function])
    path = part.exercise.module_path.relative_to(DOCS_DIR.parent).as_posix()
    # As HTML, not `??? example`, to keep the listings out of the search index (a third of its size).
    return (
        f'<details class="example" data-search-exclude markdown>\n'
        f"<summary>The code: <code>{path}</code>, function <code>{part.id}</code></summary>\n\n"
        f"```python\n{source}\n```\n\n</details>"
    )


def render_part(part: Part) -> str:
    """The Markdown section of one part."""
    work = part.solve() if part.function is not None else None
    blocks = [f"## {part.label} · {part.title} {{ #{part.anchor} }}"]
    blocks.append(f"**Question.** {expand(part.question.strip(), part, work)}")
    if work is not None and work.steps:
        blocks.append("**Derivation.**")
        blocks.append(_render_steps(work, part))
    if work is not None and work.results:
        blocks.append(_render_results(work, part))
    if part.answer:
        blocks.append(expand(part.answer.strip(), part, work))
    if work is not None and work.checks:
        blocks.append(_render_checks(work, part))
    if work is not None:
        source = _render_source(part, work)
        if source:
            blocks.append(source)
    if part.corrections:
        blocks.append(_render_corrections(part, work))
    code = _render_code(part)
    if code:
        blocks.append(code)
    return _number_displays("\n\n".join(blocks), part) + "\n"


def render_intro(exercise: Exercise) -> str:
    """Heading, attribution and shared context of an exercise page."""
    attribution = exercise.set.attribution
    authors = ", ".join(attribution["authors"])
    lines = [
        f"# {exercise.label} · {exercise.title}",
        "",
        '!!! info "Source"',
        "",
        _indent(
            f"{exercise.label} of *{attribution['document']}* ({authors}). The questions are restated and "
            f"every answer is derived here in our own words; the source's own answers are compared with "
            f"ours part by part, and marked with an erratum where they are wrong. "
            f"[About this set](index.md)."
        ),
    ]
    if exercise.intro:
        dummy = exercise.parts[0]
        lines += ["", expand(exercise.intro.strip(), dummy, None)]
    return "\n".join(lines) + "\n"
