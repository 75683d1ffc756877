"""A page that drifts from its exercise's data fails with the line to fix."""

from __future__ import annotations

import pytest

from solutions.exercises.catalog import find_part
from solutions.render.site import page_problems, site_problems

EXERCISE = find_part("seminar5/ex1/q1a").exercise


def test_the_site_has_no_problems():
    assert site_problems() == []


@pytest.fixture
def page(tmp_path):
    copy = tmp_path / "ex1.md"
    copy.write_text(EXERCISE.page_path.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def test_a_missing_part_is_reported_with_the_line_to_add(page):
    page.write_text(page.read_text().replace('--8<-- "exercises/seminar5/ex1/q1e.md"\n', ""))
    (problem,) = page_problems(EXERCISE, page)
    assert "Q.1.e" in problem and '--8<-- "exercises/seminar5/ex1/q1e.md"' in problem


def test_a_hand_typed_result_is_reported_with_its_line(page):
    page.write_text(page.read_text() + "\nThe layer has 10,001,000 parameters.\n")
    problems = page_problems(EXERCISE, page)  # Q.1.a and Q.1.c both derive this number
    lines = page.read_text().splitlines()
    assert problems and all(f"ex1.md:{len(lines)}:" in problem for problem in problems)
    assert any("types the result 'params' of Q.1.a by hand" in problem for problem in problems)


def test_parts_out_of_order_are_reported(page):
    text = page.read_text()
    a, b = '--8<-- "exercises/seminar5/ex1/q1a.md"', '--8<-- "exercises/seminar5/ex1/q1b.md"'
    page.write_text(text.replace(a, "@@").replace(b, a).replace("@@", b))
    (problem,) = page_problems(EXERCISE, page)
    assert "not in the order" in problem


def test_an_include_of_no_part_is_reported(page):
    page.write_text(page.read_text() + '\n--8<-- "exercises/seminar5/ex1/q1z.md"\n')
    (problem,) = page_problems(EXERCISE, page)
    assert "'exercises/seminar5/ex1/q1z.md' is not a part" in problem
