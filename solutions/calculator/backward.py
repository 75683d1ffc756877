"""The network around an unknown: the known layers before it, run forwards, and the targets after it,
carried backwards to the sizes the unknown layer must output.

Each known layer between the unknown and a target turns the sizes its output must have into the
sizes its input may have, by :func:`~solutions.calculator.inequalities.derive` applied to its own
output-size formula with the input size as the unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from solutions.calculator.explanation import Line, interval_text, say, shape_text, wanted_text
from solutions.calculator.inequalities import Unsupported, derive
from solutions.calculator.layers import CATALOG, SizeFormula
from solutions.calculator.spec import BlockEntry, Entry, LayerEntry, Spec, Unknown, expand_entries
from solutions.calculator.summary import summarize, walk
from solutions.errors import InvalidInputError
from solutions.notation import symbol

__all__ = [
    "AXES",
    "Context",
    "around_unknown",
    "entry_rows",
    "geometry",
    "intersect",
    "layer_label",
    "mismatch",
    "nested_end",
    "substituted",
]

#: Names of the spatial axes, by their number.
AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def layer_label(entry: LayerEntry, index: int) -> str:
    """How errors and explanations name a layer."""
    return f"layer {index} ({entry.type})"


def entry_rows(entries: Sequence[Entry]) -> dict[tuple[int, ...], int]:
    """Top-level entry path -> its last row (1-based)."""
    ends, row = {}, 0
    for entry in entries:
        row += sum(1 for _ in expand_entries([entry]))
        ends[entry.path] = row
    return ends


def target_index(spec: Spec, path: tuple[int, ...] | None) -> int:
    """The 1-based top-level entry a target belongs to."""
    if path is None:
        return len(spec.entries)
    if len(path) > 1:
        raise Unsupported("a target inside a Sequential")
    return path[0]


def mismatch(spec: Spec) -> str | None:
    """Why the (fully known) spec misses a target, or None if it meets all of them."""
    try:
        summary = summarize(spec)
    except InvalidInputError as error:
        return str(error)
    for path, shape in spec.targets():
        index = len(summary.rows) if path is None else nested_end(spec, path)
        got = summary.rows[index - 1].output_shape
        if len(got) != len(shape) or any(want is not None and want != n for want, n in zip(shape, got, strict=False)):
            what = summary.rows[index - 1].type
            return f"layer {index} ({what}) outputs {shape_text(got)}, not {shape_text(shape)}"
    return None


def nested_end(spec: Spec, path: tuple[int, ...]) -> int:
    """Last row of a nested entry, after all repetitions of the blocks around it."""
    row = 0
    last = 0

    def visit(entries: Sequence[Entry]) -> None:
        nonlocal row, last
        for entry in entries:
            for _ in range(entry.repeat):  # type: ignore[arg-type]
                if isinstance(entry, BlockEntry):
                    visit(entry.entries)
                else:
                    row += 1
                if entry.path == path:
                    last = row

    visit(spec.entries)
    return last


@dataclass
class Context:
    """What is known around the unknown entry (number ``index``, from 1; 0 for the input)."""

    spec: Spec
    index: int
    rows_before: int
    in_shape: tuple[int, ...] | None
    rank: int
    #: Per spatial dimension, the output sizes of the unknown entry that meet every target (None: any).
    sizes: list[tuple[int, int | None]]
    channels: int | None
    empty: str | None = None  # why no size can meet the targets


def geometry(entry: LayerEntry, rank: int, where: str) -> dict[str, Any]:
    """A layer's arguments without the channel counts, which sizes do not depend on."""
    layer = CATALOG[entry.type]
    return layer.bind(entry.args, (1,) * (rank + 1), where, infer=False)


def substituted(sf: SizeFormula, input_size: Any) -> sp.Expr:
    """The formula's own expression with the layer's values put in (symbols stay symbols)."""
    formula = sf.formula
    assert formula is not None
    values = {**formula.defaults, **sf.arguments, "input_size": input_size}
    return formula.expr.xreplace({formula.arguments[name]: sp.sympify(v) for name, v in values.items()})


@dataclass
class _Step:
    """One layer's size map along one dimension, run backwards: required output -> allowed input."""

    expr: sp.Expr | None  # o as a function of i; None for a constant output
    wanted: tuple[int, int | None]
    found: tuple[int, int | None] | None
    inequalities: list[sp.Basic] = field(default_factory=list)
    constant: int | None = None


def _preimage(sf: SizeFormula, sizes: tuple[int, int | None]) -> _Step | None:
    """The input sizes a layer maps into ``sizes`` (inclusive bounds), along one dimension; None if
    the layer keeps the size."""
    low, high = sizes
    if sf.formula is None:
        if sf.constant is None:
            return None
        inside = low <= sf.constant and (high is None or sf.constant <= high)
        return _Step(None, sizes, (1, None) if inside else None, constant=sf.constant)
    i = symbol("i")
    expr = substituted(sf, i)
    if expr == i:
        return None
    derivation = derive(expr, i, low, sp.oo if high is None else high)
    bounds = derivation.interval()
    if bounds is not None:
        bounds = (max(1, bounds[0] if bounds[0] is not None else 1), bounds[1])
        if bounds[1] is not None and bounds[0] > bounds[1]:
            bounds = None
    return _Step(expr, sizes, bounds, derivation.inequalities)


def _explain_steps(lines: list[Line] | None, label: str, steps: list[tuple[str, _Step]]) -> None:
    """One explanation per group of dimensions whose step is the same."""
    if lines is None:
        return
    groups: list[tuple[list[str], _Step]] = []
    for axis, step in steps:
        for axes, other in groups:
            if (other.expr, other.wanted, other.constant) == (step.expr, step.wanted, step.constant):
                axes.append(axis)
                break
        else:
            groups.append(([axis], step))
    for axes, step in groups:
        along = " and ".join(axes)
        if step.expr is None:
            verdict = "so any input size will do" if step.found else "which no input can change"
            say(lines, f"{label} outputs {step.constant} along {along} whatever its input, {verdict}.")
            continue
        found = "no input size" if step.found is None else interval_text(step.found, "i")
        say(
            lines,
            f"{label} must output {wanted_text(step.wanted)} along {along}; with its input size $i$:",
            sp.Eq(symbol("o"), step.expr, evaluate=False),
            *step.inequalities,
        )
        say(lines, f"so its input size along {along}: {found}.")


def intersect(a: tuple[int, int | None] | None, b: tuple[int, int | None] | None) -> tuple[int, int | None] | None:
    """Sizes allowed by both (None: none)."""
    if a is None or b is None:
        return None
    low = max(a[0], b[0])
    high = b[1] if a[1] is None else a[1] if b[1] is None else min(a[1], b[1])
    return None if high is not None and low > high else (low, high)


def around_unknown(spec: Spec, unknown: Unknown, lines: list[Line] | None) -> Context:
    """Walk the known layers before the unknown forwards, and the targets after it backwards."""
    if len(unknown.path) > 1:
        raise Unsupported("the unknown is inside a Sequential")
    index = unknown.path[0] if unknown.path else 0
    rank = len(spec.input_shape) - 1
    before = spec.entries[: max(index - 1, 0)]
    rows_before = sum(1 for _ in expand_entries(before))
    in_shape: tuple[int, ...] | None = None
    if unknown.argument != "input":
        in_shape = tuple(spec.input_shape)  # type: ignore[arg-type]
        for _, applied in walk(in_shape, expand_entries(before)):
            in_shape = applied.shape
        rank = len(in_shape) - 1
        if index > 1:
            say(lines, f"The known layers before it give it an input of shape {shape_text(in_shape)}.")
    sizes: list[tuple[int, int | None]] = [(1, None)] * rank
    context = Context(spec, index, rows_before, in_shape, rank, sizes, None)
    numbered = all(isinstance(entry.repeat, int) for entry in spec.entries)
    ends = entry_rows(spec.entries) if numbered else {}
    relevant = False
    for path, shape in spec.targets():
        target = target_index(spec, path)
        if target < max(index, 1) and unknown.argument != "input":
            continue  # before the unknown: the forward check confirms it
        relevant = True
        if len(shape) != rank + 1:
            raise Unsupported(f"the target {shape_text(shape)} has a different number of dimensions")
        channels: int | None = shape[0]
        per_dim: list[tuple[int, int | None] | None] = [(1, None) if n is None else (n, n) for n in shape[1:]]
        row = ends.get(spec.entries[target - 1].path)
        entries_after = spec.entries[index:target]
        layers = list(expand_entries(entries_after))
        if layers:
            say(
                lines,
                f"Backwards from the required output {shape_text(shape)} to the unknown's layer "
                "(layers that keep the size pass the requirement through unchanged):",
            )
        for offset, entry in enumerate(reversed(layers)):
            label = (
                f"Layer {row - offset} ({entry.type})" if row is not None else f"{entry.type} of entry {entry.path[0]}"
            )
            layer = CATALOG[entry.type]
            a = geometry(entry, rank, label.lower())
            formulas = layer.size_formulas(a, {}, rank)
            if formulas is None:
                raise Unsupported(f"{entry.type} between the unknown and the target mixes dimensions")
            sets = layer.sets_channels(a)
            if sets is not None:
                if channels is not None and sets != channels:
                    context.empty = f"{label} outputs {sets} channels, not {channels}"
                    return context
                channels = None
            steps = []
            for n, sf in enumerate(formulas):
                if per_dim[n] is None:
                    continue
                step = _preimage(sf, per_dim[n])  # type: ignore[arg-type]
                if step is not None:
                    steps.append((AXES[rank][n], step))
                    per_dim[n] = step.found
            _explain_steps(lines, label, steps)
        for n in range(rank):
            context.sizes[n] = intersect(context.sizes[n], per_dim[n])  # type: ignore[assignment]
            if context.sizes[n] is None:
                context.empty = f"no size along {AXES[rank][n]} reaches the target through the layers after it"
                return context
        if channels is not None:
            if context.channels is not None and context.channels != channels:
                context.empty = "the targets require different channel counts"
                return context
            context.channels = channels
    if not relevant:
        raise Unsupported("no target comes after the unknown")
    return context
