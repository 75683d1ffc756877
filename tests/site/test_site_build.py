"""The whole site builds strictly, and shows what the solution code derived."""

from __future__ import annotations

import pytest
from builtsite import tex_of_formulas, visible_text

pytestmark = pytest.mark.build


def page(site, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_every_seminar5_exercise_has_a_page_with_every_part(site):
    for number, parts in {1: "abcdefghi", 2: "ab", 3: "abcde", 4: "abcd", 5: "abcde"}.items():
        html = page(site, f"exercises/seminar5/ex{number}")
        for letter in parts:
            assert f'id="q{number}{letter}"' in html, f"Q.{number}.{letter} has no anchor"


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("exercises/seminar5/ex1", ["10,001,000", "101,000", "Feature vectors, one per patch: 100",
                                    "28 × 28 × 5", "75", "375", "380", "10 × 10 × 5"]),
        ("exercises/seminar5/ex5", ["1,792", "64 × 16 × 224 × 224", "64 × 8 × 224 × 224",
                                    "693,633,024", "1,387,266,048"]),
    ],
)
def test_pages_show_the_derived_answers(site, path, shown):
    text = visible_text(page(site, path))
    for value in shown:
        assert value in text, f"{value!r} is not shown on {path}"


def test_matrices_are_typeset_from_the_derived_values(site):
    formulas = tex_of_formulas(page(site, "exercises/seminar5/ex3"))
    assert r"\begin{bmatrix} 1.25 & 4 \end{bmatrix}" in formulas
    assert r"\begin{bmatrix} 0 & 1 & 1 \\ 1 & 1.5 & 0.5 \end{bmatrix}" in formulas


def test_errata_are_on_their_pages_and_listed(site):
    errata = visible_text(page(site, "errata"))
    for anchor in ("q1c-erratum-stride-must-be-1", "q3a-erratum-second-output-terms",
                   "q3b-erratum-cross-correlation-is-gradient", "q5d-erratum-cost-formula",
                   "q5e-erratum-fewer-params-for-every-width"):
        exercise = anchor[1]
        assert f'id="{anchor}"' in page(site, f"exercises/seminar5/ex{exercise}")
    assert "Seminar 5" in errata


def test_formula_pages_link_back_to_the_exercises_that_use_them(site):
    text = visible_text(page(site, "formulas/output-size"))
    assert "Used in: Seminar 5, Q.1.b" in text


def test_notebook_is_executed_and_downloadable(site):
    html = page(site, "notebooks/seminar5")
    assert "jp-OutputArea" in html
    assert "Traceback" not in visible_text(html)
    notebook = (site / "notebooks" / "seminar5.ipynb").read_text(encoding="utf-8")
    assert '"cell_type": "code"' in notebook
