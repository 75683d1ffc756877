"""How a part's recorded steps become display math: repeats dropped only where they add nothing,
and a matrix on either side never loses its column separators."""

from __future__ import annotations

import sympy as sp

from solutions.exercises.catalog import find_part
from solutions.exercises.work import LetStep
from solutions.formulas._formula import recording
from solutions.formulas.output_size import conv_output_size
from solutions.formulas.receptive_field import receptive_field
from solutions.render.latex import latex
from solutions.render.part import _dedupe as dedupe
from solutions.render.part import _display, _render_let, render_part


def recorded(calls) -> list:
    steps: list = []
    with recording(steps):
        calls()
    return steps


def test_the_width_after_an_equal_height_is_not_derived_again():
    def both_dimensions():
        for _ in ("H", "W"):
            conv_output_size(32, 5, stride=1, padding=0)
            receptive_field([(5, 1, 0, 1)])

    steps = recorded(both_dimensions)
    kept = dedupe(steps)
    assert len(steps) == 2 * len(kept)
    assert kept == steps[: len(kept)]


def test_a_repeat_further_away_stays_with_its_layer():
    def layer_by_layer():
        conv_output_size(32, 5)
        conv_output_size(28, 3)
        conv_output_size(32, 5)  # another layer that happens to have the same numbers

    steps = recorded(layer_by_layer)
    assert dedupe(steps) == steps


def test_a_matrix_keeps_its_column_separators_in_a_one_line_display():
    matrix = latex(sp.Matrix([[1, 2], [3, 4]]))
    assert " & " in matrix
    step = LetStep(symbol=matrix, expr=sp.Integer(10), values={}, value=10)  # e.g. a sum of the entries
    assert _render_let(step) == f"$$\n{matrix} = 10\n$$"
    two_lines = _display([(matrix, "=", "A"), ("B", "=", matrix)])
    assert f"{matrix} &= A \\\\\nB &= {matrix}" in two_lines


def test_an_erratum_names_the_quantity_beside_both_values():
    text = render_part(find_part("ceng403/q6/q6a"))
    assert (
        "Parameters that deformable convolution adds (those of the offset branch): the source gives 18; "
        "derived here: 41,490."
    ) in text
