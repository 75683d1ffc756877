"""Static SVG diagrams drawn from the formula calls of a solved part, so a figure always shows the
numbers of its derivation.

Three kinds, each along one spatial dimension (dimensions are independent, and each output-size
call is one dimension), in the spirit of Dumoulin and Visin's convolution-arithmetic animations:

* :class:`Windows`, for a convolution or pooling output size: the (padded) input as a row of cells,
  then one row per output with the cells its window reads. Padding, stride, dilation gaps, inputs no
  window reads, and in ``ceil_mode`` the window that hangs over the end (and the one PyTorch drops)
  are all visible.
* :class:`Scatter`, for a transposed convolution's output size: each input stamps the kernel onto a
  canvas ``s`` cells further than the one before (scatter-add); the canvas counts how many products
  land in each cell; ``padding`` crops both ends and ``output_padding`` keeps extra cells at the end.
* :class:`Growth`, for a receptive-field table (the recurrence's calls, layer by layer): one row per
  layer, the units that influence one top unit filled, lines from each to the units it reads.

The geometry comes from the call's arguments and its *result* (the windows drawn are the ``o`` the
formula gave, at ``0, s, 2s, ...``); tests compare every marked cell with the NumPy references,
which enumerate windows independently. Each cell carries ``data-i`` (its padded, canvas or input
coordinate) and each row ``data-row`` so the tests can read the drawing back.

The SVG is inline, styled only by classes (``docs/assets/site.css`` maps them to Material's colour
variables, so the figures follow the light and dark themes), has ``role="img"`` with a ``<title>``
and an ``aria-label`` that says in words what it shows, uses integer coordinates only, and is
byte-identical for equal inputs. Figures too large to be legible are compressed (``…`` columns and
a ``⋮`` row stand for what is left out) or, past a limit, not drawn.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from solutions.formulas._formula import FormulaCall, recording
from solutions.formulas.output_size import (
    CONV_OUTPUT,
    CONV_OUTPUT_ASYMMETRIC,
    CONV_TRANSPOSE_OUTPUT,
    POOL_OUTPUT,
    POOL_OUTPUT_CEIL,
)
from solutions.formulas.receptive_field import RF_JUMP_STEP, RF_SIZE_STEP, RF_START_STEP

__all__ = [
    "Growth",
    "Scatter",
    "Windows",
    "diagram_for_call",
    "diagrams_for_steps",
    "figure",
    "formula_page_fragments",
    "growth_from_calls",
    "scatter_from_call",
    "windows_from_call",
]

CELL = 22  # px, one cell
LEFT = 64  # px, the row labels
TOP = 17  # px, the index labels above the first row
ROW = 28  # px, from one row to the next
BASE = 16  # px, the baseline of a label in a cell (all text is 12 px, the smallest legible size)
MAX_COLUMNS = 30  # beyond this, runs of cells are elided
MAX_OUTPUT_ROWS = 6  # beyond this, the middle outputs are left out
MAX_GROWTH_INPUT = 160  # a receptive field wider than this is not drawn
MAX_LINES = 400  # fan-in lines of a growth diagram, beyond which they are left out


# --------------------------------------------------------------------------------------------------
# Geometry: what each diagram shows, as plain data.


@dataclass(frozen=True)
class Windows:
    """Sliding windows of a convolution or pooling along one dimension (padded coordinates).

    ``outputs`` is the formula's result; window ``t`` starts at ``t * stride``. ``dropped`` is the
    number of ceil-mode windows the formula counted and then dropped (0 or 1).
    """

    input_size: int
    kernel_size: int
    stride: int
    padding_left: int
    padding_right: int
    dilation: int
    outputs: int
    kind: str = "convolution"
    ceil_mode: bool = False
    dropped: int = 0

    @property
    def extent(self) -> int:
        return self.dilation * (self.kernel_size - 1) + 1

    @property
    def padded(self) -> int:
        return self.padding_left + self.input_size + self.padding_right

    def start(self, t: int) -> int:
        return t * self.stride

    def taps(self, t: int) -> list[int]:
        """Padded positions of window ``t``'s taps (some may lie past the end in ceil mode)."""
        return [self.start(t) + m * self.dilation for m in range(self.kernel_size)]

    def reads(self, t: int) -> list[int]:
        """Padded positions window ``t`` reads: its taps inside the padded input."""
        return [x for x in self.taps(t) if x < self.padded]

    def input_reads(self, t: int) -> list[int]:
        """Input indices (0 = first unpadded cell) window ``t`` reads."""
        return [x - self.padding_left for x in self.reads(t) if self.is_input(x)]

    def is_input(self, x: int) -> bool:
        return self.padding_left <= x < self.padding_left + self.input_size

    @cached_property
    def never_read(self) -> list[int]:
        """Input indices no window reads."""
        read = {x for t in range(self.outputs) for x in self.input_reads(t)}
        return [x for x in range(self.input_size) if x not in read]

    @property
    def length(self) -> int:
        """Positions to draw: the padded input, and any window that hangs over its end."""
        last = self.outputs + self.dropped - 1
        return max(self.padded, self.start(last) + self.extent) if last >= 0 else self.padded


@dataclass(frozen=True)
class Scatter:
    """A transposed convolution along one dimension as scatter-add onto a canvas.

    Input ``t`` writes canvas cells ``t*s + m*d``, ``(i - 1)s + d(k - 1) + 1`` cells in all. Output
    ``y`` is canvas cell ``y + padding``: ``padding`` cells are cropped at the start and
    ``padding - output_padding`` at the end (a negative crop keeps zeros past the last write).
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: int
    output_padding: int
    dilation: int
    outputs: int

    @property
    def full(self) -> int:
        """Cells the inputs write: the last input's kernel ends at ``(i - 1)s + d(k - 1)``."""
        return (self.input_size - 1) * self.stride + self.dilation * (self.kernel_size - 1) + 1

    @property
    def canvas(self) -> int:
        """Cells to draw: those written, and the zeros output padding keeps beyond them."""
        return max(self.full, self.padding + self.outputs)

    def writes(self, t: int) -> list[int]:
        return [t * self.stride + m * self.dilation for m in range(self.kernel_size)]

    def kept(self, x: int) -> bool:
        return self.padding <= x < self.padding + self.outputs

    def output_writes(self, t: int) -> list[int]:
        """Output indices input ``t`` adds into (its writes that the crop keeps)."""
        return [x - self.padding for x in self.writes(t) if self.kept(x)]

    @cached_property
    def counts(self) -> list[int]:
        """Products added into each canvas cell."""
        counts = [0] * self.canvas
        for t in range(self.input_size):
            for x in self.writes(t):
                counts[x] += 1
        return counts


@dataclass(frozen=True)
class Growth:
    """The receptive field of one unit of the last layer of a stack, level by level.

    ``layers`` are ``(kernel_size, stride, padding, dilation)``; ``sizes`` are the receptive-field
    sizes the recurrence gave after each layer. The drawing uses an input of ``input_size`` cells
    and top unit ``unit``, chosen so that the whole field lies inside the input.
    """

    layers: tuple[tuple[int, int, int, int], ...]
    sizes: tuple[int, ...]
    unit: int = field(init=False)
    input_size: int = field(init=False)

    def __post_init__(self) -> None:
        jump, start = 1, 0
        for k, s, p, d in self.layers:
            del k, d
            start -= p * jump
            jump *= s
        size = self.sizes[-1]
        unit = -(start // jump)  # the first unit whose field starts at input cell 0 or later
        shortest = start + unit * jump + size
        n = next((n for n in range(shortest, 2 * shortest + 64) if self._fits(n, unit)), None)
        if n is None:
            raise ValueError(f"no input length shows unit {unit} of the stack {self.layers}")
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "input_size", n)
        derived = [self.geometry(level)[0] for level in range(1, len(self.layers) + 1)]
        if derived != list(self.sizes):
            raise ValueError(f"receptive-field sizes {list(self.sizes)} disagree with the layers {self.layers}")

    def _fits(self, n: int, unit: int) -> bool:
        try:
            lengths = self._lengths(n)
        except ValueError:
            return False
        if unit >= lengths[-1]:
            return False
        return all(0 <= x < lengths[level] for level, units in enumerate(self._marked(unit)) for x in units)

    def _lengths(self, n: int) -> list[int]:
        lengths = [n]
        for k, s, p, d in self.layers:
            span = d * (k - 1) + 1
            if lengths[-1] + 2 * p < span:
                raise ValueError("the input is too short for this stack")
            lengths.append((lengths[-1] + 2 * p - span) // s + 1)
        return lengths

    def _marked(self, unit: int) -> list[list[int]]:
        marked: list[set[int]] = [set() for _ in range(len(self.layers) + 1)]
        marked[-1] = {unit}
        for level in range(len(self.layers), 0, -1):
            k, s, p, d = self.layers[level - 1]
            marked[level - 1] = {y * s - p + m * d for y in marked[level] for m in range(k)}
        return [sorted(units) for units in marked]

    @property
    def lengths(self) -> list[int]:
        """Units per level: the input, then each layer's output."""
        return self._lengths(self.input_size)

    @property
    def marked(self) -> list[list[int]]:
        """Per level (0 = input), the units that influence the top unit."""
        return self._marked(self.unit)

    def geometry(self, level: int) -> tuple[int, int, int]:
        """(size, jump, start) of the units of ``level``, in input cells."""
        size, jump, start = 1, 1, 0
        for k, s, p, d in self.layers[:level]:
            size += (k - 1) * d * jump
            start -= p * jump
            jump *= s
        return size, jump, start


# --------------------------------------------------------------------------------------------------
# SVG writing


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


class _Svg:
    """A small SVG writer: integer coordinates, fixed attribute order, classes only."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def rect(self, x: int, y: int, w: int, h: int, cls: str, **data: Any) -> None:
        extra = "".join(f' data-{k}="{v}"' for k, v in data.items())
        self.items.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" class="{cls}"{extra}/>')

    def text(self, x: int, y: int, content: str, cls: str = "", anchor: str = "middle") -> None:
        klass = f' class="{cls}"' if cls else ""
        self.items.append(f'<text x="{x}" y="{y}" text-anchor="{anchor}"{klass}>{_esc(content)}</text>')

    def line(self, x1: int, y1: int, x2: int, y2: int, cls: str) -> None:
        self.items.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" class="{cls}"/>')

    def group(self, cls: str, items: list[str], **data: Any) -> None:
        extra = "".join(f' data-{k}="{v}"' for k, v in data.items())
        self.items.append(f'<g class="{cls}"{extra}>' + "".join(items) + "</g>")

    def render(self, width: int, height: int, label: str, kind: str) -> str:
        return (
            f'<svg class="dg dg-{kind}" role="img" aria-label="{_esc(label)}" data-search-exclude '
            f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" style="--w:{width}px">'
            f"<title>{_esc(label)}</title>" + "".join(self.items) + "</svg>"
        )


def _ends(span: range, n: int = 2) -> set[int]:
    """The first and last ``n`` positions of a span."""
    return set(span[:n]) | set(span[-n:])


def _columns(windows: Iterable[range], boundaries: Iterable[range], points: set[int], length: int) -> list[int | None]:
    """Positions 0..length-1 as drawn columns; ``None`` stands for an elided run (``…``).

    Everything is drawn if it fits in :data:`MAX_COLUMNS`. Otherwise the drawing keeps, in order of
    preference: the whole of each window and the ends of each boundary span (the padding, the
    input) and ``points``; then only the ends of every window; then less, eliding the longest kept run.
    """
    if length <= MAX_COLUMNS:
        return list(range(length))
    windows, boundaries = list(windows), list(boundaries)
    base = set(points).union(*(_ends(b) for b in boundaries))

    def layout(kept: set[int]) -> list[int | None]:
        columns: list[int | None] = []
        x = 0
        while x < length:
            if x in kept:
                columns.append(x)
                x += 1
                continue
            run = x
            while run < length and run not in kept:
                run += 1
            columns.append(x if run - x == 1 else None)
            x = run
        return columns

    keep = {x for x in base.union(*(set(w) for w in windows)) if 0 <= x < length}
    columns = layout(keep)
    if len(columns) <= MAX_COLUMNS:
        return columns
    keep = {x for x in base.union(*(_ends(w) for w in windows)) if 0 <= x < length}
    columns = layout(keep)
    while len(columns) > MAX_COLUMNS:
        runs = _runs(sorted(keep))
        longest = max(runs, key=lambda r: (len(r), -r[0]))
        if len(longest) <= 4:
            break
        keep -= set(longest[2:-2])
        columns = layout(keep)
    return columns


def _runs(values: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for v in values:
        if runs and runs[-1][-1] == v - 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return runs


def _shown_rows(count: int) -> list[int | None]:
    """Row indices to draw, ``None`` for the ``⋮`` row that stands for those left out."""
    if count <= MAX_OUTPUT_ROWS:
        return list(range(count))
    return [0, 1, 2, None, count - 1]


def _count(n: int) -> str:
    return str(n) if n >= 0 else f"none (and {-n} zero{'s' if n < -1 else ''} are kept past the last write)"


def _inputs(values: Sequence[int], verb: str) -> str:
    """``Input 4 is never read`` / ``Inputs 1, 3, 5 are never read``."""
    plural = len(values) > 1
    return f"Input{'s' if plural else ''} {_index_list(values)} {'are' if plural else 'is'} {verb}"


def _index_list(values: Sequence[int]) -> str:
    """``0 to 4`` for a run, ``0, 2, 4`` otherwise, runs of three or more kept as runs: ``1 to 3, 5, 6``.

    A long list keeps its first three and last pieces and says how many indices it holds, so that an
    ellipsis is never read as a continuous range.
    """
    if not values:
        return "none"
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    pieces = [f"{run[0]} to {run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs]
    if len(pieces) > 6:
        return f"{', '.join(pieces[:3])}, …, {pieces[-1]} ({len(values)} in all)"
    return ", ".join(pieces)


class _Grid:
    """Maps positions to x coordinates through the column layout."""

    def __init__(self, columns: list[int | None], left: int = LEFT) -> None:
        self.columns = columns
        self.left = left
        self.x = {pos: left + n * CELL for n, pos in enumerate(columns) if pos is not None}
        self.gaps = [left + n * CELL for n, pos in enumerate(columns) if pos is None]

    @property
    def width(self) -> int:
        return self.left + len(self.columns) * CELL


def _windows_svg(w: Windows) -> tuple[str, str]:
    rows = _shown_rows(w.outputs)
    extra = [w.outputs] if w.dropped else []
    spans = [range(w.start(t), w.start(t) + w.extent) for t in [r for r in rows if r is not None] + extra]
    boundaries = [
        range(w.padding_left),
        range(w.padding_left, w.padding_left + w.input_size),
        range(w.padding_left + w.input_size, w.padded),
    ]
    points = {w.padding_left + x for x in w.never_read[-3:]}
    grid = _Grid(_columns(spans, boundaries, points, w.length))
    svg = _Svg()
    y = TOP
    # Index labels and the input row.
    never = {w.padding_left + x for x in w.never_read}
    for pos, x in grid.x.items():
        if w.is_input(pos):
            svg.text(x + CELL // 2, y - 4, str(pos - w.padding_left), "dg-ix")
            cls = "dg-nr" if pos in never else "dg-c"
        elif pos < w.padded:
            cls = "dg-pad"
        else:
            cls = "dg-oh"
        svg.rect(x, y, CELL, CELL, cls, i=pos)
    for x in grid.gaps:
        svg.text(x + CELL // 2, y + BASE, "…", "dg-lb")
    svg.text(LEFT - 6, y + BASE, "input", "dg-lb", "end")
    # One row per output.
    for t in rows + extra:
        y += ROW
        if t is None:
            svg.text(LEFT - 6, y + BASE, "⋮", "dg-lb", "end")
            continue
        dropped = t >= w.outputs
        items = _Svg()
        first, last = w.start(t), w.start(t) + w.extent - 1
        xs = [grid.x[p] for p in range(first, last + 1) if p in grid.x]
        if xs:
            items.rect(min(xs) - 1, y - 1, max(xs) + CELL - min(xs) + 2, CELL + 2, "dg-span")
        taps = set(w.taps(t))
        for x in grid.gaps:
            if xs and min(xs) < x < max(xs):
                items.text(x + CELL // 2, y + BASE, "…", "dg-lb")
        for pos in range(first, last + 1):
            if pos not in grid.x:
                continue
            if dropped:
                cls = "dg-drop" if pos in taps else "dg-gap"
            elif pos in taps:
                cls = "dg-rd" if pos < w.padded else "dg-oh"
            else:
                cls = "dg-gap"
            items.rect(grid.x[pos], y, CELL, CELL, cls, i=pos)
        svg.group("dg-row", items.items, row=t if not dropped else "dropped")
        svg.text(LEFT - 6, y + BASE, f"out {t}" if not dropped else "dropped", "dg-lb", "end")
    height = y + CELL + 4
    noun = "pooling" if w.kind == "pooling" else "convolution"
    padding = (
        f"padding {w.padding_left}"
        if w.padding_left == w.padding_right
        else f"padding {w.padding_left} on the left and {w.padding_right} on the right"
    )
    label = (
        f"The windows of a {noun} along one dimension: an input of {w.input_size} with {padding}, kernel "
        f"{w.kernel_size}, stride {w.stride}, dilation {w.dilation}, giving {w.outputs} outputs. "
        + " ".join(
            f"Output {t} reads input {_index_list(w.input_reads(t))}"
            + (" and padding" if len(w.input_reads(t)) < len(w.reads(t)) else "")
            + "."
            for t in rows
            if t is not None
        )
        + (f" {_inputs(w.never_read, 'never read')}." if w.never_read else "")
        + (" One more window, which would start in the right padding, is dropped." if w.dropped else "")
    )
    return svg.render(grid.width + 4, height, label, "windows"), label


def _scatter_svg(sc: Scatter) -> tuple[str, str]:
    rows = _shown_rows(sc.input_size)
    spans = [range(sc.writes(t)[0], sc.writes(t)[-1] + 1) for t in rows if t is not None]
    boundaries = [
        range(sc.padding),
        range(sc.padding, sc.padding + sc.outputs),
        range(sc.padding + sc.outputs, sc.canvas),
    ]
    grid = _Grid(_columns(spans, boundaries, set(), sc.canvas))
    svg = _Svg()
    y = TOP
    for t in rows:
        if t is None:
            svg.text(LEFT - 6, y + BASE, "⋮", "dg-lb", "end")
            y += ROW
            continue
        items = _Svg()
        writes = sc.writes(t)
        for pos in range(writes[0], writes[-1] + 1):
            if pos in grid.x:
                items.rect(grid.x[pos], y, CELL, CELL, "dg-rd" if pos in writes else "dg-gap", i=pos)
        svg.group("dg-row", items.items, row=t)
        svg.text(LEFT - 6, y + BASE, f"in {t}", "dg-lb", "end")
        y += ROW
    y += 4
    for pos, x in grid.x.items():
        cls = "dg-c" if sc.kept(pos) else "dg-pad"
        if pos >= sc.full:
            cls = "dg-c dg-xp"
        svg.rect(x, y, CELL, CELL, cls, i=pos, n=sc.counts[pos])
        svg.text(x + CELL // 2, y + BASE, str(sc.counts[pos]), "dg-num")
        if sc.kept(pos):
            svg.text(x + CELL // 2, y + CELL + 13, str(pos - sc.padding), "dg-ix")
    for x in grid.gaps:
        svg.text(x + CELL // 2, y + BASE, "…", "dg-lb")
    svg.text(LEFT - 6, y + BASE, "sum", "dg-lb", "end")
    svg.text(LEFT - 6, y + CELL + 13, "output", "dg-lb", "end")
    height = y + CELL + 16
    label = (
        f"A transposed convolution along one dimension as scatter-add: each of {sc.input_size} inputs adds "
        f"kernel {sc.kernel_size} (dilation {sc.dilation}) onto a canvas of {sc.canvas} cells, {sc.stride} "
        f"cells after the previous input. "
        + " ".join(f"Input {t} adds into output {_index_list(sc.output_writes(t))}." for t in rows if t is not None)
        + f" Padding {sc.padding} crops {sc.padding} cells at the start and "
        + f"{_count(sc.full - sc.padding - sc.outputs)} "
        + (
            f"at the end (output padding {sc.output_padding} keeps that many more)"
            if sc.output_padding
            else "at the end"
        )
        + f", leaving {sc.outputs} outputs. Each canvas cell shows how many products are added into it."
    )
    return svg.render(grid.width + 4, height, label, "scatter"), label


def _growth_svg(g: Growth) -> tuple[str, str] | None:
    n = g.input_size
    if n > MAX_GROWTH_INPUT:
        return None
    cell = CELL if n <= MAX_COLUMNS else max(4, (MAX_COLUMNS * CELL) // n)
    right = 48
    depth = len(g.layers)
    gap = 40  # px between levels, room for the fan-in lines
    svg = _Svg()
    marked = g.marked
    lengths = g.lengths

    def centre2(level: int, unit: int) -> int:
        """Twice the x coordinate of a unit's centre (kept integer when the centre is a half-cell)."""
        size, jump, start = g.geometry(level)
        return 2 * LEFT + (2 * (start + unit * jump) + size) * cell

    def row_y(level: int) -> int:
        return TOP + (depth - level) * gap

    lines = sum(len(marked[level]) * g.layers[level - 1][0] for level in range(1, depth + 1))
    if lines <= MAX_LINES:
        for level in range(depth, 0, -1):
            k, s, p, d = g.layers[level - 1]
            for unit in marked[level]:
                for m in range(k):
                    below = unit * s - p + m * d
                    svg.line(
                        centre2(level, unit) // 2,
                        row_y(level) + cell,
                        centre2(level - 1, below) // 2,
                        row_y(level - 1),
                        "dg-ln",
                    )
    box = cell - 2 if cell < 10 else cell - 4
    for level in range(depth, -1, -1):
        y = row_y(level)
        items = _Svg()
        chosen = set(marked[level])
        for unit in range(lengths[level]):
            c2 = centre2(level, unit)
            if not (2 * LEFT <= c2 <= 2 * (LEFT + n * cell)):
                continue
            if level == 0:
                items.rect(LEFT + unit * cell, y, cell, cell, "dg-rd" if unit in chosen else "dg-c", i=unit)
            else:
                x = (c2 - box) // 2
                items.rect(x, y + (cell - box) // 2, box, box, "dg-rd" if unit in chosen else "dg-c", i=unit)
        svg.group("dg-row", items.items, row=level)
        name = "input" if level == 0 else f"layer {level}"
        svg.text(LEFT - 6, y + cell - 4, name, "dg-lb", "end")
        size = g.geometry(level)[0]
        svg.text(LEFT + n * cell + 6, y + cell - 4, f"r = {size}", "dg-lb", "start")
    if cell == CELL:
        for unit in range(n):
            svg.text(LEFT + unit * cell + cell // 2, row_y(0) + cell + 13, str(unit), "dg-ix")
    height = row_y(0) + cell + 16
    described = "; ".join(
        f"layer {n + 1}: kernel {k}, stride {s}, padding {p}, dilation {d}" for n, (k, s, p, d) in enumerate(g.layers)
    )
    label = (
        f"How the receptive field grows through {depth} layer{'s' if depth > 1 else ''} ({described}). "
        f"Unit {g.unit} of the last layer is influenced by "
        + "; ".join(
            f"{'input cells' if level == 0 else f'units of layer {level}'} {_index_list(marked[level])}"
            for level in range(depth - 1, -1, -1)
        )
        + f": a receptive field of {g.sizes[-1]} input cells."
    )
    return svg.render(LEFT + n * cell + right, height, label, "growth"), label


# --------------------------------------------------------------------------------------------------
# From formula calls


def _ints(call: FormulaCall) -> dict[str, int] | None:
    values = {**call.arguments, "result": call.result}
    if not all(isinstance(v, int) for v in values.values()):
        return None  # symbolic: nothing to draw
    return values  # type: ignore[return-value]


def windows_from_call(call: FormulaCall) -> Windows | None:
    """The windows of one output-size call of a convolution or pooling, or None."""
    v = _ints(call)
    if v is None:
        return None
    formula = call.formula
    if formula is CONV_OUTPUT or formula is POOL_OUTPUT:
        left = right = v["padding"]
    elif formula is CONV_OUTPUT_ASYMMETRIC:
        left, right = v["padding_left"], v["padding_right"]
    elif formula is POOL_OUTPUT_CEIL:
        left = right = v["padding"]
    else:
        return None
    windows = Windows(
        input_size=v["input_size"],
        kernel_size=v["kernel_size"],
        stride=v["stride"],
        padding_left=left,
        padding_right=right,
        dilation=v["dilation"],
        outputs=v["result"],
    )
    dropped = 0
    if formula is POOL_OUTPUT_CEIL:
        counted = [value for step, value in formula.evaluate_steps(**call.arguments) if step.symbol.name == "o_ceil"]
        dropped = int(counted[0]) - v["result"]
    elif not (
        windows.start(windows.outputs - 1) + windows.extent
        <= windows.padded
        < windows.start(windows.outputs) + windows.extent
    ):
        raise ValueError(f"{formula.name} gave {windows.outputs} windows, which do not tile {windows}")
    return replace(
        windows,
        kind="pooling" if formula in (POOL_OUTPUT, POOL_OUTPUT_CEIL) else "convolution",
        ceil_mode=formula is POOL_OUTPUT_CEIL,
        dropped=dropped,
    )


def scatter_from_call(call: FormulaCall) -> Scatter | None:
    v = _ints(call)
    if v is None or call.formula is not CONV_TRANSPOSE_OUTPUT:
        return None
    return Scatter(
        input_size=v["input_size"],
        kernel_size=v["kernel_size"],
        stride=v["stride"],
        padding=v["padding"],
        output_padding=v["output_padding"],
        dilation=v["dilation"],
        outputs=v["result"],
    )


def growth_from_calls(calls: Sequence[FormulaCall]) -> Growth | None:
    """A stack from the recurrence's calls, three per layer (size, jump, start), or None."""
    if not calls or len(calls) % 3:
        return None
    first = calls[0].arguments
    if (first.get("previous_size"), first.get("previous_jump")) != (1, 1) or calls[2].arguments.get("previous_start"):
        return None  # the run starts part-way through a stack (a table's row, say): nothing to draw from the input
    layers, sizes = [], []
    for n in range(0, len(calls), 3):
        size, jump, start = calls[n : n + 3]
        if (size.formula, jump.formula, start.formula) != (RF_SIZE_STEP, RF_JUMP_STEP, RF_START_STEP):
            return None
        values = [_ints(c) for c in (size, jump, start)]
        if any(v is None for v in values):
            return None
        vs, vj, vu = values
        assert vs is not None and vj is not None and vu is not None
        layers.append((vs["kernel_size"], vj["stride"], vu["padding"], vs["dilation"]))
        sizes.append(vs["result"])
    return Growth(tuple(layers), tuple(sizes))


def _rf_runs(steps: Sequence[Any]) -> list[tuple[int, list[FormulaCall]]]:
    """Runs of receptive-field calls that chain into one stack: (index of the last step, calls)."""
    runs: list[tuple[int, list[FormulaCall]]] = []
    current: list[FormulaCall] = []
    state: tuple[Any, Any, Any] | None = None
    last = -1
    n = 0
    while n < len(steps):
        triple = steps[n : n + 3]
        is_layer = (
            len(triple) == 3
            and all(isinstance(s, FormulaCall) for s in triple)
            and (triple[0].formula, triple[1].formula, triple[2].formula) == (RF_SIZE_STEP, RF_JUMP_STEP, RF_START_STEP)
        )
        if not is_layer:
            n += 1
            continue
        size, jump, start = triple
        before = (size.arguments["previous_size"], jump.arguments["previous_jump"], start.arguments["previous_start"])
        if current and (before != state or last != n - 1):
            runs.append((last, current))
            current = []
        current += list(triple)
        state = (size.result, jump.result, start.result)
        last = n + 2
        n += 3
    if current:
        runs.append((last, current))
    return runs


def figure(svg: str, caption: str, legend: Iterable[tuple[str, str]] = ()) -> str:
    """An HTML ``<figure>`` for a Markdown page (a raw HTML block: no blank lines inside)."""
    keys = "".join(f'<span class="dg-key"><span class="{cls}"></span>{_esc(text)}</span>' for cls, text in legend)
    legend_html = f'<span class="dg-legend">{keys}</span>' if keys else ""
    # tabindex: on a narrow screen the figure scrolls sideways, so it must take the keyboard focus.
    return f'<figure class="diagram" tabindex="0">\n{svg}\n<figcaption>{caption}{legend_html}</figcaption>\n</figure>'


def _vars(*pairs: tuple[str, Any]) -> str:
    """``<var>i</var>&nbsp;=&nbsp;6, ...``: symbols as on the formula pages, never broken across lines."""
    return ", ".join(f"<var>{name}</var>&nbsp;=&nbsp;{value}" for name, value in pairs)


def _windows_figure(w: Windows) -> str:
    svg, _ = _windows_svg(w)
    noun = "pooling" if w.kind == "pooling" else "convolution"
    pad = _vars(("p", w.padding_left))
    if w.padding_left != w.padding_right:
        pad = f"{pad} left, {w.padding_right} right"
    left_out = f" (outputs 3 to {w.outputs - 2} not drawn)" if w.outputs > MAX_OUTPUT_ROWS else ""
    numbers = f"{_vars(('i', w.input_size), ('k', w.kernel_size), ('s', w.stride))}, {pad}, {_vars(('d', w.dilation))}"
    caption = (
        f"The {noun}'s windows along one dimension, drawn from these numbers: {numbers}. Each row is one output "
        f"and the cells its window reads: {_vars(('o', w.outputs))}{left_out}."
    )
    if w.never_read:
        caption += f" {_inputs(w.never_read, 'never read')}."
    if w.dropped:
        caption += " The last row is the window that rounding up adds and PyTorch drops: it would start in the padding."
    legend = [("dg-rd", "read")]
    if w.padding_left or w.padding_right:
        legend.append(("dg-pad", "padding"))
    if w.dilation > 1:
        legend.append(("dg-gap", "skipped by dilation"))
    if w.never_read:
        legend.append(("dg-nr", "never read"))
    if w.length > w.padded:
        legend.append(("dg-oh", "past the end"))
    return figure(svg, caption, legend)


def _scatter_figure(sc: Scatter) -> str:
    svg, _ = _scatter_svg(sc)
    left_out = f" (inputs 3 to {sc.input_size - 2} not drawn)" if sc.input_size > MAX_OUTPUT_ROWS else ""
    numbers = _vars(
        ("i", sc.input_size),
        ("k", sc.kernel_size),
        ("s", sc.stride),
        ("p", sc.padding),
        ("a", sc.output_padding),
        ("d", sc.dilation),
    )
    caption = (
        f"The transposed convolution as scatter-add, drawn from these numbers: {numbers}. Each row is one input "
        f"and the canvas cells it adds into{left_out}; the bottom row counts the products summed in each cell. "
        f"Padding crops <var>p</var> cells at the start and <var>p</var> &minus; <var>a</var> at the end: "
        f"{_vars(('o', sc.outputs))}."
    )
    legend = [("dg-rd", "written by the input"), ("dg-c", "kept as output")]
    if sc.padding or sc.output_padding:
        legend.append(("dg-pad", "cropped"))
    if sc.canvas > sc.full:
        legend.append(("dg-xp", "zero kept by output padding"))
    return figure(svg, caption, legend)


def _growth_figure(g: Growth) -> str | None:
    drawn = _growth_svg(g)
    if drawn is None:
        return None
    svg, _ = drawn
    layers = ", ".join(f"({_vars(('k', k), ('s', s), ('p', p), ('d', d))})" for k, s, p, d in g.layers)
    caption = (
        f"How the receptive field grows, drawn from these layers: {layers}. The filled cells are what unit "
        f"{g.unit} of the top layer depends on, layer by layer; <var>r</var> is the receptive field of one unit "
        "of each layer, in input cells."
    )
    return figure(svg, caption, [("dg-rd", "influences the top unit")])


def diagram_for_call(call: FormulaCall) -> str | None:
    """The figure for one output-size call, or None for any other call (or a symbolic one)."""
    windows = windows_from_call(call)
    if windows is not None:
        return _windows_figure(windows)
    scatter = scatter_from_call(call)
    if scatter is not None:
        return _scatter_figure(scatter)
    return None


def diagrams_for_steps(steps: Sequence[Any]) -> dict[int, list[str]]:
    """Figures for a part's (deduplicated) steps: step index -> figures to show after that step.

    A figure equal to one already placed in the same part is not repeated.
    """
    placed: dict[int, list[str]] = {}
    seen: set[str] = set()

    def put(index: int, figure_html: str | None) -> None:
        if figure_html is not None and figure_html not in seen:
            seen.add(figure_html)
            placed.setdefault(index, []).append(figure_html)

    for index, step in enumerate(steps):
        if isinstance(step, FormulaCall):
            put(index, diagram_for_call(step))
    for index, calls in _rf_runs(steps):
        growth = growth_from_calls(calls)
        if growth is not None:
            put(index, _growth_figure(growth))
    return {index: placed[index] for index in sorted(placed)}


# --------------------------------------------------------------------------------------------------
# The formula pages' examples: the same drawing code, fed by calls of the general formulas.


def _recorded(call: Any) -> list[FormulaCall]:
    calls: list[Any] = []
    with recording(calls):
        call()
    return calls


def formula_page_fragments() -> dict[str, str]:
    """Fragments with the formula pages' example figures, by path under the generated directory."""
    from solutions.formulas import (
        conv_output_size,
        conv_transpose_output_size,
        pool_output_size,
        receptive_field_table,
    )

    def windows(*calls: Any) -> str:
        found = [c for call in calls for c in _recorded(call) if windows_from_call(c) is not None]
        return "\n\n".join(_windows_figure(windows_from_call(c)) for c in found) + "\n"  # type: ignore[arg-type]

    stack = [(3, 1, 1), (2, 2, 0), (3, 1, 1, 2)]
    growth = growth_from_calls(_recorded(lambda: receptive_field_table(stack)))
    assert growth is not None
    scatter = [c for c in _recorded(lambda: conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1))]
    return {
        "formulas/output-size/convolution-diagram.md": windows(
            lambda: conv_output_size(6, 3, stride=2), lambda: conv_output_size(7, 3, stride=2, padding=2, dilation=2)
        ),
        "formulas/output-size/padding-modes-diagram.md": windows(
            lambda: conv_output_size(5, 4, padding="same"), lambda: conv_output_size(4, 3, padding="full")
        ),
        "formulas/output-size/pooling-diagram.md": windows(lambda: pool_output_size(5, 2)),
        "formulas/output-size/pooling-ceil-mode-diagram.md": windows(
            lambda: pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True)
        ),
        "formulas/output-size/transposed-convolution-diagram.md": _scatter_figure(scatter_from_call(scatter[0]))  # type: ignore[arg-type]
        + "\n",
        "formulas/receptive-field/recurrence-diagram.md": (_growth_figure(growth) or "") + "\n",
    }
