"""Everything the site shows that comes from code, written as Markdown fragments.

Pages in ``docs/`` include the fragments with pymdownx.snippets (``--8<-- "path.md"``), so a page
shows exactly what the solution code derived. :func:`generate` writes them (only files whose content
changed, so live reload does not loop) and fails, listing every problem, if any part does not pass
its audit or any page has drifted from its data. Nothing here depends on MkDocs: any engine that
runs the snippets extension can build the site after ``python -m solutions render``.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import sympy as sp

from solutions.calculator.pages import fragments as calculator_fragments
from solutions.exercises.audit import audit_exercise, comparisons
from solutions.exercises.catalog import (
    DOCS_DIR,
    REPO_DIR,
    Exercise,
    ExerciseSet,
    Part,
    exercise_sets,
    iter_parts,
    load_catalog,
)
from solutions.exercises.prose import (
    data_notation_problems,
    derivation_notation_problems,
    page_notation_problems,
    unfilled_lines,
)
from solutions.formulas import TOPICS, all_formulas, iter_formulas
from solutions.formulas._formula import Formula, FormulaCall
from solutions.formulas.receptive_field import closed_form_expressions, closed_form_latex, recurrence_expressions
from solutions.notation import INDICES, NOTATION
from solutions.render.contributing import CONTRIBUTING, contribute_page, exercise_credit
from solutions.render.diagrams import formula_page_fragments
from solutions.render.latex import latex, text_value
from solutions.render.offline import print_page
from solutions.render.part import expand, render_intro, render_part

__all__ = [
    "GENERATED_DIR",
    "BuildError",
    "exercise_problems",
    "generate",
    "include_line",
    "nav",
    "page_problems",
    "set_problems",
    "site_problems",
]

GENERATED_DIR = REPO_DIR / ".generated"
_INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$')


class BuildError(RuntimeError):
    """The site cannot be built as it is; the message lists every problem."""


def include_line(path: str) -> str:
    """The snippets line that includes a generated fragment."""
    return f'--8<-- "{path}"'


def part_fragment(part: Part) -> str:
    return f"exercises/{part.exercise.set.id}/{part.exercise.id}/{part.id}.md"


def intro_fragment(exercise: Exercise) -> str:
    return f"exercises/{exercise.set.id}/{exercise.id}/_intro.md"


# ----------------------------------------------------------------------------------------------
# Page checks: a page must include its parts, in order, and type no result by hand.


def _number_patterns(value: Any) -> list[str]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [f"{value:,}", str(value)] if abs(value) >= 10 else []
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return [r"\s*[×x]\s*".join(str(v) for v in value)]
    return []


def page_problems(exercise: Exercise, page: Path | None = None) -> list[str]:
    """Problems of an exercise's page: missing or extra parts, wrong order, hand-typed results, and
    symbols outside the notation.

    ``page`` defaults to the exercise's page in ``docs/``; another file can be checked in its place.
    """
    page = page or exercise.page_path
    rel = page.relative_to(REPO_DIR) if page.is_relative_to(REPO_DIR) else page
    if not page.exists():
        return [
            f"{rel}:1: page: missing; expected the exercise's page: create it with "
            f"`python -m solutions new {exercise.key}` (it writes the includes)"
        ]
    problems = []
    lines = page.read_text(encoding="utf-8").splitlines()
    included: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        match = _INCLUDE.match(line)
        if match:
            included.append((number, match.group(1)))
    expected = [part_fragment(part) for part in exercise.parts]
    found = [path for _, path in included if path != intro_fragment(exercise)]
    line_of = {path: number for number, path in included}
    after = line_of.get(intro_fragment(exercise), 1)
    for part in exercise.parts:
        fragment = part_fragment(part)
        if fragment not in found:
            problems.append(
                f"{rel}:{after}: part {part.label} ({part.id}) is not on the page; expected the line "
                f"{include_line(fragment)!r} after line {after}"
            )
        else:
            after = line_of[fragment]
    for number, path in included:
        ours = path.startswith(f"exercises/{exercise.set.id}/{exercise.id}/")
        if ours and path not in expected and path != intro_fragment(exercise):
            problems.append(
                f"{rel}:{number}: {path!r} is not a part of {exercise.data_path.name}; expected one of its "
                f"parts ({', '.join(p.id for p in exercise.parts)}): remove the line"
            )
    if [p for p in found if p in expected] != [p for p in expected if p in found]:
        problems.append(
            f"{rel}:{after}: parts are not in the order of {exercise.data_path.name}; expected {', '.join(expected)}"
        )
    if intro_fragment(exercise) not in [path for _, path in included]:
        problems.append(
            f"{rel}:1: the page lacks its heading; expected {include_line(intro_fragment(exercise))!r} first"
        )
    patterns = []
    for part in exercise.parts:
        if part.function is None:
            continue
        for result in part.solve().results.values():
            patterns += [(p, part, result.key) for p in _number_patterns(result.value)]
    for number, line in enumerate(lines, 1):
        if _INCLUDE.match(line):
            continue
        for pattern, part, key in patterns:
            if re.search(rf"(?<![\w.,]){pattern}(?![\w]|[.,]\d)", line):
                problems.append(
                    f"{rel}:{number}: {line.strip()!r} types the result {key!r} of {part.label} by hand; "
                    f"results reach the page from the solution code: remove the number, or write [[{key}]] in "
                    f"the part's prose in {exercise.data_path.name}"
                )
    problems += page_notation_problems(page, exercise.source_notation)
    return problems


def exercise_problems(exercise: Exercise) -> list[str]:
    """Every problem of one exercise: placeholders, its derivations' audit, its page, its notation."""
    unfilled = unfilled_lines(exercise.module_path, "solution") + unfilled_lines(exercise.page_path, "page")
    problems = unfilled + data_notation_problems(exercise.data_path, exercise.source_notation)
    if unfilled:
        return problems  # a template's derivation cannot run yet: fill it in first
    try:
        exercise.module  # noqa: B018 -- importing reports a broken module once, with its line
    except Exception as error:
        line = getattr(error, "lineno", None) or 1
        where = exercise.module_path.relative_to(REPO_DIR) if exercise.module_path.is_relative_to(REPO_DIR) else None
        return [
            *problems,
            f"{where or exercise.module_path}:{line}: module: does not import: {error}; expected valid Python",
        ]
    problems += audit_exercise(exercise)
    try:
        problems += page_problems(exercise)
        for part in exercise.parts:
            if part.function is not None:
                problems += derivation_notation_problems(part, part.solve())
    except Exception:
        pass
    return problems


def set_problems(exercise_set: ExerciseSet) -> list[str]:
    """Problems of a set as a whole: its index page, its manifest against its exercises, its prose."""
    problems: list[str] = []
    index = exercise_set.index_path.relative_to(REPO_DIR)
    if not exercise_set.index_path.exists():
        problems.append(
            f"{index}:1: page: missing (the set's index page); expected it: `python -m solutions new-set "
            f"{exercise_set.id}` writes it"
        )
    listed = {(ex, part) for ex, part, _ in exercise_set.manifest_parts()}
    present = {(part.exercise.id, part.id) for exercise in exercise_set.exercises for part in exercise.parts}
    for ex, part in sorted(present - listed):
        problems.append(
            f"{exercise_set.path.relative_to(REPO_DIR)}:1: manifest.{ex}: part {ex}/{part} is not in the manifest; "
            f"expected it listed with the label the source prints"
        )
    problems += data_notation_problems(exercise_set.path)
    problems += unfilled_lines(exercise_set.index_path, "page")
    problems += page_notation_problems(exercise_set.index_path)
    return problems


def site_problems() -> list[str]:
    """Every problem of every data file, exercise (audits and pages) and set, and of the other pages."""
    catalog = load_catalog()
    problems = [str(problem) for problem in catalog.problems]
    for exercise_set in catalog.sets:
        problems.extend(set_problems(exercise_set))
        for exercise in exercise_set.exercises:
            problems.extend(exercise_problems(exercise))
    exercise_pages = {e.page_path for s in catalog.sets for e in s.exercises} | {s.index_path for s in catalog.sets}
    for page in [*sorted(DOCS_DIR.rglob("*.md")), CONTRIBUTING]:
        if page not in exercise_pages:
            problems.extend(unfilled_lines(page, "page") + page_notation_problems(page))
    return problems


# ----------------------------------------------------------------------------------------------
# Generated Markdown.


def _usage() -> dict[Formula, list[Part]]:
    used: dict[Formula, list[Part]] = defaultdict(list)
    for part in iter_parts():
        if part.function is None:
            continue
        for step in part.solve().steps:
            if isinstance(step, FormulaCall) and part not in used[step.formula]:
                used[step.formula].append(part)
    return used


def _part_link(part: Part, base: str) -> str:
    return f"[{part.exercise.set.short_title}, {part.label}]({base}{part.url})"


def coverage_table(base: str = "") -> str:
    """Parts on the site over parts in the source, per set (the landing page's table)."""
    rows = ["| Set | Source | Parts on the site | Errata |", "|---|---|---|---|"]
    for exercise_set in exercise_sets():
        listed = exercise_set.manifest_parts()
        on_site = {
            (part.exercise.id, part.id)
            for exercise in exercise_set.exercises
            if exercise.page_path.exists()
            for part in exercise.parts
            if part_fragment(part) in exercise.page_path.read_text(encoding="utf-8")
        }
        covered = sum((ex, part) in on_site for ex, part, _ in listed)
        errata = sum(part.erratum_count for exercise in exercise_set.exercises for part in exercise.parts)
        status = "complete" if covered == len(listed) else "in progress"
        attribution = exercise_set.attribution
        source = f"*{attribution['document']}*, {', '.join(attribution['authors'])}"
        link = f"[{exercise_set.title}]({base}exercises/{exercise_set.id}/index.md)"
        rows.append(f"| {link} | {source} | {covered} / {len(listed)} ({status}) | {errata} |")
    return "\n".join(rows) + "\n"


def _one_paragraph(text: str) -> str:
    """Prose from a YAML block as one line, so it stays inside its list item."""
    return " ".join(text.split())


def _erratum_link(part: Part, about: str, base: str) -> str:
    return f"[{part.label}]({base}{part.url.split('#')[0]}#{part.erratum_anchor(about)})"


def errata_page(base: str = "") -> str:
    blocks = []
    computed = stated = 0
    sets_with_errata = 0
    for exercise_set in exercise_sets():
        items = []
        for part in (p for e in exercise_set.exercises for p in e.parts):
            work = part.solve() if part.function is not None else None
            for comparison in comparisons(part, work) if work is not None else []:
                erratum = comparison.erratum
                if erratum is None:
                    continue
                computed += 1
                items.append(
                    f"- **{_erratum_link(part, comparison.key, base)}** — "
                    f"{_one_paragraph(expand(erratum.claim, part, work))}  \n"
                    f"  *Right:* {_one_paragraph(expand(erratum.correction, part, work))}  \n"
                    f"  Source {text_value(comparison.source)}, derived {text_value(comparison.derived)}."
                )
            for correction in part.corrections:
                stated += 1
                items.append(
                    f"- **{_erratum_link(part, correction.about, base)}** — "
                    f"{_one_paragraph(expand(correction.claim, part, work))}  \n"
                    f"  *Right:* {_one_paragraph(expand(correction.correction, part, work))}  \n"
                    f"  *See:* {_one_paragraph(correction.reference)}"
                )
        if items:
            sets_with_errata += 1
            blocks.append(f"## {exercise_set.title}\n\n" + "\n".join(items))
    head = (
        f"{computed + stated} errata in {sets_with_errata} of the {len(exercise_sets())} sets. {computed} are "
        f"answers found wrong by derivation; each is backed by a test that fails if the source's answer turned "
        f"out to agree with the derivation. {stated} are statements of fact (history, naming, mechanisms) that "
        f"no computation can check; each cites where a reader can check it.\n"
    )
    return head + "\n" + "\n\n".join(blocks) + "\n"


def notation_table() -> str:
    rows = ["| Symbol | Meaning | PyTorch |", "|---|---|---|"]
    for entry in NOTATION.values():
        pytorch = f"`{entry.pytorch}`" if entry.pytorch else ""
        rows.append(f"| ${entry.latex}$ | {entry.meaning} | {pytorch} |")
    for letter, meaning in INDICES.items():
        rows.append(f"| ${letter}$ | {meaning}: an index, not a quantity | |")
    return "\n".join(rows) + "\n"


def formula_block(topic: str, anchor: str, usage: dict[Formula, list[Part]]) -> str:
    """The derivation steps of the formulas under one heading, and the exercises that use them."""
    blocks = []
    users: list[Part] = []
    for formula in iter_formulas(topic):
        if formula.anchor != anchor:
            continue
        lines = " \\\\\n".join(f"{latex(step.symbol)} &= {latex(step.expr)}" for step in formula.steps)
        reasons = "\n".join(f"- ${latex(step.symbol)}$: {step.why}" for step in formula.steps)
        signature = ", ".join(formula.arguments)
        blocks.append(
            f"**{formula.title}**, `{formula.name}({signature})`:\n\n"
            f"$$\n\\begin{{aligned}}\n{lines}\n\\end{{aligned}}\n$$\n\n{reasons}"
        )
        users += [p for p in usage.get(formula, []) if p not in users]
    if users:
        links = ", ".join(_part_link(part, "../") for part in users)
        blocks.append(f"*Used in:* {links}.")
    else:
        blocks.append("*Used in:* no exercise yet.")
    return "\n\n".join(blocks) + "\n"


def closed_form_block(depth: int = 6) -> str:
    """The receptive field's closed form, and SymPy's proof that it equals the recurrence."""
    forms = closed_form_latex()
    agree = []
    for layers in range(1, depth + 1):
        recurrence, closed = recurrence_expressions(layers), closed_form_expressions(layers)
        same = all(
            sp.simplify(getattr(recurrence, field) - getattr(closed, field)) == 0 for field in ("size", "jump", "start")
        )
        agree.append(same)
    if not all(agree):
        raise BuildError("the receptive field's closed form disagrees with its recurrence")
    example = recurrence_expressions(3)
    return (
        f"$$\n\\begin{{aligned}}\nr_L &= {forms['size']} \\\\\nj_L &= {forms['jump']} \\\\\n"
        f"u_L &= {forms['start']}\n\\end{{aligned}}\n$$\n\n"
        f"SymPy unrolls the recurrence over symbolic layers and finds it equal to the closed form for every "
        f"depth from 1 to {depth}. For three layers, for instance:\n\n"
        f"$$\n\\begin{{aligned}}\nr_3 &= {latex(example.size)} \\\\\nj_3 &= {latex(example.jump)} \\\\\n"
        f"u_3 &= {latex(example.start)}\n\\end{{aligned}}\n$$\n"
    )


def set_index(exercise_set: ExerciseSet) -> str:
    attribution = exercise_set.attribution
    facts = [f"*{attribution['document']}*"]
    for field in ("course", "institution", "term"):
        if attribution.get(field):
            facts.append(str(attribution[field]))
    lines = [
        '!!! info "Source and attribution"',
        "",
        f"    {'; '.join(facts)}. Authors, as the document gives them: {', '.join(attribution['authors'])}.",
    ]
    if attribution.get("note"):
        lines += ["", f"    {attribution['note']}"]
    if exercise_set.description:
        lines += ["", exercise_set.description.strip()]
    lines += ["", "| Exercise | Parts | Errata |", "|---|---|---|"]
    for exercise in exercise_set.exercises:
        parts = ", ".join(f"[{part.label}]({exercise.id}.md#{part.anchor})" for part in exercise.parts)
        errata = sum(part.erratum_count for part in exercise.parts)
        lines.append(f"| [{exercise.label} · {exercise.title}]({exercise.id}.md) | {parts} | {errata} |")
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    # Atomically, so that a build running at the same time never reads a half-written fragment.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return True


def generate(out: Path = GENERATED_DIR) -> list[Path]:
    """Write every fragment under ``out``; raise :class:`BuildError` listing all problems first."""
    problems = site_problems()
    if problems:
        raise BuildError(f"{len(problems)} problem(s) stop the build:\n" + "\n".join(problems))
    files: dict[str, str] = {}
    for exercise_set in exercise_sets():
        files[f"exercises/{exercise_set.id}/_index.md"] = set_index(exercise_set)
        for exercise in exercise_set.exercises:
            files[intro_fragment(exercise)] = render_intro(exercise) + exercise_credit(exercise)
            for part in exercise.parts:
                files[part_fragment(part)] = render_part(part)
    files["coverage.md"] = coverage_table()
    files["exercises/_coverage.md"] = coverage_table("../")
    files["errata.md"] = errata_page()
    files["notation.md"] = notation_table()
    if CONTRIBUTING.exists():
        files["contribute.md"] = contribute_page()
    files["formulas/receptive-field/closed-form.md"] = closed_form_block()
    usage = _usage()
    for topic in TOPICS:
        for anchor in dict.fromkeys(f.anchor for f in iter_formulas(topic)):
            files[f"formulas/{topic}/{anchor}.md"] = formula_block(topic, anchor, usage)
    files.update(calculator_fragments())
    files.update(formula_page_fragments())
    files["print.md"] = print_page()
    written = [out / name for name, text in files.items() if _write(out / name, text)]
    return written


def nav() -> list[Any]:
    """The site's navigation, from the pages on disk and the catalog (no list kept by hand)."""

    def exists(path: str) -> bool:
        return (DOCS_DIR / path).exists()

    sets = []
    for exercise_set in exercise_sets():
        entries: list[Any] = [f"exercises/{exercise_set.id}/index.md"]
        entries += [
            {f"{e.label} · {e.title}": e.page_path.relative_to(DOCS_DIR).as_posix()} for e in exercise_set.exercises
        ]
        notebook = f"notebooks/{exercise_set.id}.py"
        if exists(notebook):
            entries.append({"Notebook: the checks in NumPy": notebook})
        sets.append({exercise_set.short_title: entries})
    formulas: list[Any] = ["formulas/index.md"] if exists("formulas/index.md") else []
    formulas += [f"formulas/{topic}.md" for topic in TOPICS if exists(f"formulas/{topic}.md")]
    items: list[Any] = [{"Home": "index.md"}]
    items.append({"Exercise sets": (["exercises/index.md"] if exists("exercises/index.md") else []) + sets})
    items.append({"Formulas": formulas})
    for title, path in (
        ("Calculator", "calculator.md"),
        ("Errata", "errata.md"),
        ("Notation", "notation.md"),
        ("All exercises (print)", "print.md"),
        ("How to cite", "cite.md"),
        ("Contribute", "contribute.md"),
    ):
        if exists(path):
            items.append({title: path})
    return items


def used_formulas() -> list[Formula]:
    """Formulas that at least one exercise uses (for tests of the cross-links)."""
    usage = _usage()
    return [formula for formula in all_formulas() if usage.get(formula)]
