"""The diagrams mark exactly the cells the NumPy references read or write.

Each diagram is drawn from a real formula call (recorded as a part's solution would record it); the
test reads the drawing back from the SVG (rows carry ``data-row``, cells ``data-i``) and compares
every marked cell with what the references compute independently: window starts walked over the
padded input, the receptive-field mask found by back-propagating a one-hot gradient, and the
scatter-add of a transposed convolution.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from solutions.exercises.catalog import iter_parts
from solutions.formulas import conv_output_size, conv_transpose_output_size, pool_output_size, receptive_field_table
from solutions.formulas._formula import FormulaCall, recording
from solutions.reference import conv_transpose, receptive_field_mask
from solutions.reference._common import resolve_padding, window_starts
from solutions.reference.layers import Conv, MaxPool
from solutions.reference.pooling import pool_window_starts
from solutions.render import diagrams
from solutions.render.diagrams import MAX_COLUMNS, MAX_OUTPUT_ROWS, diagram_for_call, diagrams_for_steps
from solutions.render.part import render_part

SETTINGS = settings(max_examples=120, deadline=None)


class Drawing(HTMLParser):
    """Cells of an SVG diagram: per row, {class: {data-i}}; plus every cell's attributes."""

    def __init__(self, svg: str) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, set[int]]] = {}
        self.cells: list[dict[str, str]] = []
        self.svg_attrs: dict[str, str | None] = {}
        self.title = ""
        self._row: str | None = None
        self._in_title = False
        self.feed(svg)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.svg_attrs = attrs
        elif tag == "title":
            self._in_title = True
        elif tag == "g" and "dg-row" in (attrs.get("class") or ""):
            self._row = attrs["data-row"]
            self.rows[self._row] = {}
        elif tag == "rect" and "data-i" in attrs:
            cell = {**attrs, "row": self._row or ""}
            self.cells.append(cell)
            if self._row is not None:
                for cls in attrs["class"].split():
                    self.rows[self._row].setdefault(cls, set()).add(int(attrs["data-i"]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "g":
            self._row = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def marked(self, row: int | str, cls: str = "dg-rd") -> set[int]:
        return self.rows.get(str(row), {}).get(cls, set())

    def input_row(self) -> dict[int, str]:
        return {int(c["data-i"]): c["class"] for c in self.cells if c["row"] == ""}


def recorded(function, *args, **kwargs) -> list[FormulaCall]:
    calls: list = []
    with recording(calls):
        function(*args, **kwargs)
    return calls


def drawing(call: FormulaCall) -> Drawing:
    figure = diagram_for_call(call)
    assert figure is not None
    return Drawing(re.search(r"<svg.*</svg>", figure, re.S)[0])


def shown_rows(count: int) -> list[int]:
    return list(range(count)) if count <= MAX_OUTPUT_ROWS else [0, 1, 2, count - 1]


def mask_positions(layer, length: int, output: int) -> set[int]:
    return set(np.flatnonzero(receptive_field_mask([layer], (1, length), (output,))).tolist())


# --------------------------------------------------------------------------------------------------
# Convolution windows


@st.composite
def conv_1d(draw):
    k, d, s, p = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(0, 3))
    extent = d * (k - 1) + 1
    i = draw(st.integers(max(1, extent - 2 * p), 26))
    return i, k, s, p, d


@SETTINGS
@given(conv_1d())
def test_a_convolution_diagram_marks_exactly_the_cells_each_window_reads(layer):
    i, k, s, p, d = layer
    (call,) = recorded(conv_output_size, i, k, stride=s, padding=p, dilation=d)
    drawn = drawing(call)
    extent = d * (k - 1) + 1
    starts = window_starts(i + 2 * p, extent, s)  # the reference's own walk over the padded input
    assert len(starts) == call.result
    conv = Conv(1, 1, k, stride=s, padding=p, dilation=d, ndim=1, fill=1.0)
    for t in shown_rows(len(starts)):
        taps = {starts[t] + m * d for m in range(k)}
        if i + 2 * p <= MAX_COLUMNS:
            assert drawn.marked(t) == taps, f"output {t}"
        else:  # compressed: what is drawn is right, and the window's ends are drawn
            assert drawn.marked(t) <= taps and {min(taps), max(taps)} <= drawn.marked(t)
        inputs = {x - p for x in drawn.marked(t) if p <= x < p + i}
        reference = mask_positions(conv, i, t)
        assert inputs <= reference and (i + 2 * p > MAX_COLUMNS or inputs == reference)
    # Cells of the input row: padding, inputs some window reads, and inputs none reads.
    read = {x for t in range(len(starts)) for x in range(starts[t], starts[t] + extent, d)}
    for x, cls in drawn.input_row().items():
        if not p <= x < p + i:
            assert cls == "dg-pad"
        else:
            assert cls == ("dg-c" if x in read else "dg-nr")


@pytest.mark.parametrize("mode", ["same", "full"])
@SETTINGS
@given(k=st.integers(1, 6), d=st.integers(1, 3), i=st.integers(1, 20))
def test_padding_mode_diagrams_pad_each_side_as_pytorch(mode, k, d, i):
    assume(mode != "valid")
    calls = [
        c for c in recorded(conv_output_size, i, k, padding=mode, dilation=d) if c.formula.name == "conv_output_size"
    ]
    (call,) = calls
    ((left, right),) = resolve_padding(mode, (k,), (d,), (1,))
    drawn = drawing(call)
    padded = left + i + right
    starts = window_starts(padded, d * (k - 1) + 1, 1)
    assert len(starts) == call.result
    cells = drawn.input_row()
    if padded <= MAX_COLUMNS:
        assert [x for x, cls in sorted(cells.items()) if cls == "dg-pad"] == [*range(left), *range(left + i, padded)]
    conv = Conv(1, 1, k, padding=mode, dilation=d, ndim=1, fill=1.0)
    for t in shown_rows(len(starts)):
        taps = {starts[t] + m * d for m in range(k)}
        assert drawn.marked(t) <= taps
        if padded <= MAX_COLUMNS:
            assert drawn.marked(t) == taps
            assert {x - left for x in taps if left <= x < left + i} == mask_positions(conv, i, t)


# --------------------------------------------------------------------------------------------------
# Pooling, with ceil_mode


@st.composite
def pool_1d(draw):
    k, d, s = draw(st.integers(1, 4)), draw(st.integers(1, 2)), draw(st.integers(1, 4))
    p = draw(st.integers(0, k // 2))
    i = draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 24))
    return i, k, s, p, d, draw(st.booleans())


@SETTINGS
@given(pool_1d())
def test_a_pooling_diagram_marks_the_windows_pytorch_keeps(layer):
    i, k, s, p, d, ceil = layer
    starts = pool_window_starts(i, k, s, p, d, ceil)
    assume(starts)
    (call,) = recorded(pool_output_size, i, k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    assert call.result == len(starts)
    drawn = drawing(call)
    pool = MaxPool(k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    for t in shown_rows(len(starts)):
        taps = {starts[t] + m * d for m in range(k)}
        reads = {x for x in taps if x < i + 2 * p}  # a ceil-mode overhang reads nothing
        if i + 2 * p + d * k <= MAX_COLUMNS:
            assert drawn.marked(t) == reads
            assert drawn.marked(t, "dg-oh") == taps - reads
        assert drawn.marked(t) <= reads
        inputs = {x - p for x in drawn.marked(t) if p <= x < p + i}
        assert inputs <= mask_positions(pool, i, t)
    # The window the formula counts and PyTorch drops is drawn apart, and only then.
    dropped = "dropped" in drawn.rows
    assert dropped == (ceil and any(c.formula.name == "pool_output_size" for c in [call]) and _drops(i, k, s, p, d))


def _drops(i: int, k: int, s: int, p: int, d: int) -> bool:
    span = d * (k - 1) + 1
    rounded_up = -(-(i + 2 * p - span) // s) + 1
    return (rounded_up - 1) * s >= i + p


def test_the_ceil_mode_example_of_the_formula_page():
    (call,) = recorded(pool_output_size, 5, 2, stride=2, padding=1, ceil_mode=True)
    drawn = drawing(call)
    assert call.result == 3 and "dropped" in drawn.rows
    assert drawn.marked(2) == {4, 5} and drawn.marked("dropped", "dg-drop") == {6, 7}


# --------------------------------------------------------------------------------------------------
# Transposed convolution


@st.composite
def transposed_1d(draw):
    k, d, s = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    a = draw(st.integers(0, max(s, d) - 1))
    i = draw(st.integers(1, 6))
    full = (i - 1) * s + d * (k - 1) + 1
    p = draw(st.integers(0, max(0, (full + a - 1) // 2)))
    return i, k, s, p, a, d


@SETTINGS
@given(transposed_1d())
def test_a_transposed_convolution_diagram_is_the_scatter_add(layer):
    i, k, s, p, a, d = layer
    assume(a < s or a < d)
    full = (i - 1) * s + d * (k - 1) + 1
    assume(full - 2 * p + a >= 1)
    (call,) = recorded(conv_transpose_output_size, i, k, stride=s, padding=p, output_padding=a, dilation=d)
    drawn = drawing(call)
    kernel = np.ones((1, 1, k))
    options = dict(stride=s, padding=p, output_padding=a, dilation=d)
    for t in shown_rows(i):
        one_hot = np.zeros((1, i))
        one_hot[0, t] = 1.0
        out = conv_transpose(one_hot, kernel, **options)[0]
        written = {int(y) + p for y in np.flatnonzero(out)}  # output y is canvas cell y + p
        marked = drawn.marked(t)
        kept = {x for x in marked if p <= x < p + call.result}
        if full + a <= MAX_COLUMNS:
            assert kept == written
            assert marked == {t * s + m * d for m in range(k)}
        else:
            assert kept <= written
    counts = conv_transpose(np.ones((1, i)), kernel, **options)[0]
    for cell in (c for c in drawn.cells if c["row"] == ""):
        x = int(cell["data-i"])
        if p <= x < p + call.result:
            assert int(cell["data-n"]) == counts[x - p], f"canvas cell {x}"
            assert "dg-pad" not in cell["class"]
        else:
            assert "dg-pad" in cell["class"]


# --------------------------------------------------------------------------------------------------
# Receptive-field growth


@st.composite
def stacks(draw):
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        layers.append((k, s, draw(st.integers(0, 2)), d))
    return layers


@SETTINGS
@given(stacks())
def test_a_growth_diagram_marks_the_receptive_field_at_every_level(layers):
    calls = recorded(receptive_field_table, layers)
    growth = diagrams.growth_from_calls(calls)
    assume(growth is not None and growth.input_size <= diagrams.MAX_GROWTH_INPUT)
    (figures,) = diagrams_for_steps(calls).values()
    drawn = Drawing(re.search(r"<svg.*</svg>", figures[0], re.S)[0])
    convs = [Conv(1, 1, k, stride=s, padding=p, dilation=d, ndim=1, fill=1.0) for k, s, p, d in layers]
    lengths = growth.lengths
    for level in range(len(layers)):
        mask = receptive_field_mask(convs[level:], (1, lengths[level]), (growth.unit,))
        assert drawn.marked(level) == set(np.flatnonzero(mask).tolist()), f"level {level}"
    assert drawn.marked(len(layers)) == {growth.unit}
    field = sorted(drawn.marked(0))
    assert field[-1] - field[0] + 1 == calls[-3].result  # the size the recurrence derived


# --------------------------------------------------------------------------------------------------
# Every figure: accessible, deterministic, light


def all_figures() -> list[str]:
    texts = list(diagrams.formula_page_fragments().values())
    texts += [render_part(part) for part in iter_parts() if part.function is not None]
    return [
        figure
        for text in texts
        for figure in re.findall(r'<figure class="diagram" tabindex="0">.*?</figure>', text, re.S)
    ]


def test_figures_are_accessible_images_with_integer_coordinates():
    figures = all_figures()
    assert len(figures) >= 10
    for figure in figures:
        for svg in re.findall(r"<svg.*?</svg>", figure, re.S):
            drawn = Drawing(svg)
            assert drawn.svg_attrs["role"] == "img"
            assert len(drawn.svg_attrs["aria-label"]) > 40 and drawn.title == drawn.svg_attrs["aria-label"]
            assert "data-search-exclude" in drawn.svg_attrs
            assert not re.search(r'="-?\d+\.\d', svg), "fractional coordinates"
            assert " id=" not in svg, "ids would collide when a page holds several figures"
            assert len(svg) < 40_000
        assert "<figcaption>" in figure and "\n\n" not in figure  # one raw HTML block in Markdown


def test_figures_are_byte_identical_when_drawn_again():
    assert all_figures() == all_figures()


def test_parts_with_geometry_have_figures_and_pure_counts_have_none():
    from solutions.exercises.catalog import find_part

    for key in ("seminar5/ex1/q1b", "seminar5/ex1/q1e", "seminar5/ex1/q1h", "seminar5/ex3/q3a", "seminar5/ex5/q5c"):
        assert '<figure class="diagram" tabindex="0">' in render_part(find_part(key)), key
    for key in ("seminar5/ex1/q1a", "seminar5/ex1/q1f", "seminar5/ex5/q5a"):
        assert "<figure" not in render_part(find_part(key)), key
    # Symbolic arguments (Q.1.c's stride s) have no numbers to draw.
    assert "<figure" not in render_part(find_part("seminar5/ex1/q1c"))


def test_every_numeric_output_size_call_of_every_part_gets_a_figure():
    for part in iter_parts():
        if part.function is None:
            continue
        steps = part.solve().steps
        numeric = [
            s
            for s in steps
            if isinstance(s, FormulaCall)
            and s.formula.topic == "output-size"
            and s.formula.name != "same_padding"
            and s.formula.name != "full_padding"
            and all(isinstance(v, int) for v in s.arguments.values())
        ]
        if numeric:
            assert '<figure class="diagram" tabindex="0">' in render_part(part), part.key
