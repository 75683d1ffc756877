"""Each deliberate mistake a contributor can make produces its clear message, at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from solutions.exercises.catalog import find_part, load_exercise
from solutions.exercises.prose import data_notation_problems
from solutions.render.site import page_problems

EX1 = find_part("seminar5/ex1/q1a").exercise
DATA = EX1.data_path.read_text(encoding="utf-8")


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first ``needle`` at or after line ``start``."""
    for number, line in enumerate(text.splitlines(), 1):
        if number > start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not found")


def load(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    path = tmp_path / "ex1.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = load_exercise(EX1.set, path)
    return path, [str(problem) for problem in problems]


def test_a_missing_field_names_it_and_what_to_write(tmp_path):
    text = DATA.replace("    question: What is the depth of a filter in the layer that follows this one?\n", "")
    path, problems = load(tmp_path, text)
    line = line_of(text, "  q1g:")
    assert problems == [
        f"{path}:{line}: parts.q1g.question: missing required field; add question: "
        "(the question, restated in your own words)"
    ]


def test_a_typo_in_a_field_name_suggests_the_right_one(tmp_path):
    text = DATA.replace("    answer: |\n      Frameworks", "    anwser: |\n      Frameworks")
    path, problems = load(tmp_path, text)
    line = line_of(text, "anwser:")
    (problem,) = problems
    assert problem.startswith(f"{path}:{line}: parts.q1f.anwser: unknown field 'anwser'; did you mean 'answer'?")
    assert "expected one of: label, title, givens, question, answer, source, errata" in problem


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = DATA.replace("title: Output volume with stride 1", "titel: Output volume with stride 1")
    text = text.replace("    title: Depth of a filter in the next layer", "    title: 7")
    text = text.replace(
        "    source: {params: 101000, vectors: 100}", "    source: {params: 101000, vectors: 100}\n    sorce: {}"
    )
    path, problems = load(tmp_path, text)
    fields = [problem.split(": ")[1] for problem in problems]
    assert fields == ["parts.q1b.sorce", "parts.q1e.title", "parts.q1e.titel", "parts.q1g.title"]
    assert problems[1].endswith("missing required field; add title: (a short title of the part)")
    assert problems[3].endswith("7 is an integer; expected string (a short title of the part)")
    assert all(problem.startswith(f"{path}:") for problem in problems)
    assert [int(p.split(":")[1]) for p in problems] == sorted(int(p.split(":")[1]) for p in problems)


def test_a_yaml_syntax_error_gives_its_line(tmp_path):
    text = DATA.replace("    source: {shape: [28, 28, 5]}", "    source: {shape: [28, 28, 5]")
    path, problems = load(tmp_path, text)
    (problem,) = problems
    assert problem.startswith(f"{path}:") and "not valid YAML" in problem
    assert int(problem.split(":")[1]) >= line_of(text, "source: {shape: [28, 28, 5]")


def test_an_undefined_symbol_in_data_prose_is_reported(tmp_path):
    text = DATA.replace("the whole image; they even", "the whole image $z_q$ of $\\alpha$; they even")
    path = tmp_path / "ex1.yaml"
    path.write_text(text, encoding="utf-8")
    first, second = data_notation_problems(path)
    line = line_of(text, "$z_q$")
    assert first.startswith(f"{path}:{line}: parts.q1c.answer: $z_q$ uses $z_q$, not in the notation;")
    assert second.startswith(f"{path}:{line}: parts.q1c.answer: $\\alpha$ uses $\\alpha$, not in the notation;")
    assert "expected a symbol of solutions/notation.py (listed on the Notation page)" in first


@pytest.fixture
def page(tmp_path):
    copy = tmp_path / "ex1.md"
    copy.write_text(EX1.page_path.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def test_a_page_missing_a_part_says_which_line_to_add_where(page):
    text = page.read_text().replace('--8<-- "exercises/seminar5/ex1/q1e.md"\n', "")
    page.write_text(text)
    (problem,) = page_problems(EX1, page)
    after = line_of(text, "ex1/q1d.md")
    assert problem == (
        f"{page}:{after}: part Q.1.e (q1e) is not on the page; expected the line "
        f"'--8<-- \"exercises/seminar5/ex1/q1e.md\"' after line {after}"
    )


def test_a_hand_typed_result_is_reported_with_its_line(page):
    page.write_text(page.read_text() + "\nSo the output is 28 × 28 × 5.\n")
    (problem,) = page_problems(EX1, page)
    lines = page.read_text().splitlines()
    assert problem.startswith(f"{page}:{len(lines)}: 'So the output is 28 × 28 × 5.' types the result 'shape'")
    assert "write [[shape]] in the part's prose in ex1.yaml" in problem


def test_an_undefined_symbol_on_a_page_is_reported_with_its_line(page):
    page.write_text(page.read_text() + "\nThe factor $\\lambda_k$ scales $C_{\\mathrm{in}}$.\n")
    (problem,) = page_problems(EX1, page)
    lines = page.read_text().splitlines()
    assert problem.startswith(f"{page}:{len(lines)}: math: $\\lambda_k$ uses $\\lambda_k$, not in the notation")


def test_a_wrong_source_answer_shows_both_values_the_derivation_and_the_erratum_to_add(repo, cli):
    data = repo / "solutions/exercises/seminar5/ex1.yaml"
    text = data.read_text().replace("source: {shape: [28, 28, 5]}", "source: {shape: [27, 27, 5]}")
    data.write_text(text)
    result = cli("check", "solutions/exercises/seminar5/ex1.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    line = line_of(text, "source: {shape: [27, 27, 5]}")
    out = result.stdout
    assert (
        f"solutions/exercises/seminar5/ex1.yaml:{line}: parts.q1e.source.shape: the source says [27, 27, 5], "
        "the derivation gives 28 × 28 × 5; expected them equal, or an erratum." in out
    )
    assert "Our derivation (solutions/exercises/seminar5/ex1.py:" in out
    assert "1. conv_output_size(input_size=32, kernel_size=5, stride=1, padding=0, dilation=1) = 28" in out
    assert "errata:\n        - about: shape\n          claim: <what the source states" in out
    assert out.splitlines()[-1].startswith("check: 1 problem(s) in 1 file(s)")


def test_an_unfilled_template_fails_until_filled(repo, cli):
    assert cli("new-set", "scratch", "--own").returncode == 0
    assert cli("new", "scratch/ex1").returncode == 0
    result = cli("check", "solutions/exercises/scratch")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    expected = [
        "solutions/exercises/scratch/set.yaml:6: description: not filled in (a template placeholder); expected",
        "solutions/exercises/scratch/ex1.yaml:7: title: not filled in (a template placeholder); expected",
        "solutions/exercises/scratch/ex1.yaml:16: parts.q1a.givens.example: not filled in",
        "solutions/exercises/scratch/ex1.yaml:22: parts.q1a.source.answer: not filled in (a template placeholder); "
        "expected the source's answer",
        "solutions/exercises/scratch/ex1.py:25: solution: not filled in (a template placeholder); expected derive",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), f"{start!r} not in:\n{result.stdout}"
    assert any(line.startswith("docs/exercises/scratch/index.md:1: page: not filled in") for line in lines)
    assert lines[-1].startswith("check: ") and "problem(s)" in lines[-1]


def test_two_sets_in_one_place_are_reported_with_a_free_place(repo, cli):
    data = repo / "solutions/exercises/supplementary/set.yaml"
    text = data.read_text()
    data.write_text(text.replace("\norder: 6\n", "\norder: 1\n"))
    result = cli("check", "solutions/exercises/supplementary")
    assert result.returncode == 1, result.stdout + result.stderr
    line = line_of(text, "order:")
    expected = (
        f"solutions/exercises/supplementary/set.yaml:{line}: order: order 1 is taken by the set 'seminar5'; use 6"
    )
    assert expected in result.stdout, result.stdout


def test_a_correction_without_a_reference_says_what_to_cite(tmp_path):
    text = DATA.replace(
        "    source: {next_filter_depth: 5}\n",
        "    source: {next_filter_depth: 5}\n"
        "    corrections:\n"
        "      - about: depth\n"
        "        claim: The depth is the kernel size.\n"
        "        correction: It is the number of input channels.\n",
    )
    path, problems = load(tmp_path, text)
    line = line_of(text, "      - about: depth")
    assert problems == [
        f"{path}:{line}: parts.q1g.corrections.0.reference: missing required field; add reference: "
        "(where a reader can check the correction: a paper, a book's section)"
    ]
