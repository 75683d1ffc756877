"""Inverse problems: which value of a hyperparameter written ``"?"`` gives the required output shape.

The derivation runs backwards from each target through the known layers after the unknown one (each
layer's output-size formula turned into bounds on its input size by :mod:`.inequalities`), then
solves the unknown layer's own formula, with its known values substituted, for the unknown. For
``repeat: "?"`` a repetition that maps every size ``i`` to ``i + δ`` gives ``i₀ + L δ`` after ``L``
of them. A pair of unknowns is solved by taking each value of one in its range and deriving the
other. Every value found is confirmed by evaluating the whole network forward (which also applies
PyTorch's other rules, such as ``output_padding`` < ``stride``). Where no derivation applies (a
``ceil_mode`` case split, a Flatten between the unknown and the target), the forward evaluation over
the range is all there is, and the explanation says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sympy as sp

from solutions.calculator.backward import (
    AXES,
    Context,
    around_unknown,
    geometry,
    intersect,
    layer_label,
    mismatch,
    nested_end,
    substituted,
)
from solutions.calculator.explanation import Line, interval_text, say, shape_text, wanted_text
from solutions.calculator.inequalities import Derivation, Unsupported, derive, integer_interval
from solutions.calculator.layers import CATALOG, SizeFormula
from solutions.calculator.solve_result import SolveResult
from solutions.calculator.spec import BlockEntry, Entry, LayerEntry, Spec, Unknown, expand_entries, load_spec
from solutions.calculator.summary import walk
from solutions.errors import InvalidInputError
from solutions.notation import symbol
from solutions.render.latex import latex

__all__ = ["DEFAULT_RANGES", "MAX_EVALUATIONS", "SolveResult", "solve"]

#: Search ranges used unless the spec's ``range`` says otherwise (inclusive).
DEFAULT_RANGES: dict[str, tuple[int, int]] = {
    "kernel_size": (1, 64),
    "stride": (1, 16),
    "padding": (0, 16),
    "dilation": (1, 16),
    "output_padding": (0, 15),
    "out_channels": (1, 4096),
    "out_features": (1, 4096),
    "repeat": (1, 1000),
    "input": (1, 4096),
}
#: Forward evaluations allowed when no derivation applies.
MAX_EVALUATIONS = 20_000

#: The notation symbol of each unknown (so the derivation reads like the formula pages).
_SYMBOLS = {
    "kernel_size": "k",
    "stride": "s",
    "padding": "p",
    "dilation": "d",
    "output_padding": "a",
    "repeat": "L",
    "input": "i",
    "out_channels": "C_out",
    "out_features": "n_out",
}
_ROUNDING = {"floor": ("down", sp.floor), "ceiling": ("up", sp.ceiling)}
_SPATIAL = ("kernel_size", "stride", "padding", "dilation", "output_padding")
#: For a pair, the one solved for comes first here (bounds linear in it); the other is enumerated.
_SOLVE_FOR_FIRST = ("padding", "output_padding", "kernel_size", "input", "out_channels", "out_features", "dilation")


# ----------------------------------------------------------------------------------------------
# One unknown


def _natural_minimum(name: str) -> int:
    return 0 if name in ("padding", "output_padding") else 1


def _candidates(
    bounds: tuple[int | None, int | None] | None, name: str, limits: tuple[int, int]
) -> tuple[Sequence[int], bool]:
    if bounds is not None:
        low = _natural_minimum(name) if bounds[0] is None else max(bounds[0], _natural_minimum(name))
        bounds = None if bounds[1] is not None and low > bounds[1] else (low, bounds[1])
    return integer_interval(bounds, limits)


def _spatial_derivations(
    context: Context, entry: LayerEntry, unknowns: Mapping[str, sp.Symbol], solve_for: str, lines: list[Line] | None
) -> list[Derivation]:
    """The unknown layer's output-size formula per dimension, solved for ``solve_for``."""
    if entry.repeat != 1:
        raise Unsupported("the unknown layer is repeated (its sizes compose)")
    layer = CATALOG[entry.type]
    index = context.rows_before + 1
    label = layer_label(entry, index)
    placeholder = {name: (0 if name in ("padding", "output_padding") else 1) for name in unknowns}
    a = layer.bind({**entry.args, **placeholder}, context.in_shape, label)  # type: ignore[arg-type]
    formulas = layer.size_formulas(a, unknowns, context.rank)
    if formulas is None or any(sf.formula is None for sf in formulas):
        raise Unsupported(f"{entry.type} has no output-size formula with {solve_for} in it")
    formula = formulas[0].formula
    assert formula is not None and context.in_shape is not None
    say(
        lines,
        f"**{formula.title}** ([derivation]({{base}}{formula.url})), with $o$ the output size:",
        sp.Eq(symbol("o"), formula.expr, evaluate=False),
    )
    derivations, seen = [], {}
    for n, sf in enumerate(formulas):
        expr = substituted(sf, context.in_shape[n + 1])
        low, high = context.sizes[n]
        key = (expr, low, high)
        axis = AXES[context.rank][n]
        if key in seen:
            derivations.append(seen[key])
            continue
        derivation = derive(expr, unknowns[solve_for], low, sp.oo if high is None else high)
        seen[key] = derivation
        derivations.append(derivation)
        if lines is not None:
            wanted = f"{low}" if low == high else f"at least {low}" if high is None else f"from {low} to {high}"
            same = [other for m, other in enumerate(AXES[context.rank]) if m > n and _same_dim(formulas, context, n, m)]
            axes = axis + ("".join(f" and {o}" for o in same))
            say(
                lines,
                f"Along {axes}, with the known values, the output must be {wanted}:",
                sp.Eq(symbol("o"), expr, evaluate=False),
            )
            if derivation.rounding:
                # Stated with this layer's own numerator and divisor, so the page uses only the notation.
                direction, rounding = _ROUNDING[derivation.rounding]
                quotient = sp.Mul(derivation.numerator, sp.Pow(derivation.denominator, -1), evaluate=False)
                rounded = sp.Add(rounding(quotient, evaluate=False), derivation.offset, evaluate=False)
                say(
                    lines,
                    f"Rounding {direction} is removed exactly: with a positive integer divisor, ${latex(rounded)}$ "
                    "takes the required values exactly when",
                    *derivation.inequalities,
                )
            else:
                say(lines, "No rounding: the inequalities are direct:", *derivation.inequalities)
            solved = [b for b in derivation.bounds if b is not sp.true]
            say(lines, f"Solved for ${latex(unknowns[solve_for])}$:", *solved)
    return derivations


def _same_dim(formulas: list[SizeFormula], context: Context, n: int, m: int) -> bool:
    assert context.in_shape is not None
    return (
        substituted(formulas[n], context.in_shape[n + 1]) == substituted(formulas[m], context.in_shape[m + 1])
        and context.sizes[n] == context.sizes[m]
    )


def _combine(
    derivations: list[Derivation], values: Mapping[sp.Symbol, int] | None = None
) -> tuple[int | None, int | None] | None:
    bounds: tuple[int | None, int | None] | None = (None, None)
    for derivation in derivations:
        interval = derivation.interval(dict(values or {}))
        if interval is None or bounds is None:
            return None
        low = interval[0] if bounds[0] is None else bounds[0] if interval[0] is None else max(bounds[0], interval[0])
        high = interval[1] if bounds[1] is None else bounds[1] if interval[1] is None else min(bounds[1], interval[1])
        bounds = None if low is not None and high is not None and low > high else (low, high)
    return bounds


def _entry(spec: Spec, unknown: Unknown) -> Entry:
    return spec.entries[unknown.path[0] - 1]


def _derive_one(
    spec: Spec, unknown: Unknown, name: str, limits: tuple[int, int], lines: list[Line] | None
) -> tuple[Sequence[int], bool]:
    """Candidates for one unknown (derived), and whether solutions continue past the range."""
    context = around_unknown(spec, unknown, lines)
    sym = symbol(_SYMBOLS[unknown.argument])
    if context.empty:
        say(lines, f"No value can work: {context.empty}.")
        return range(0), False
    argument = unknown.argument
    if argument == "input":
        return _derive_input(spec, context, name, limits, lines)
    entry = _entry(spec, unknown)
    if argument == "repeat":
        return _derive_repeat(context, entry, name, limits, lines)
    if argument in ("out_channels", "out_features"):
        if context.channels is None:
            say(lines, f"No target constrains the output channels of {unknown.type}: every value in the range.")
            return range(limits[0], limits[1] + 1), False
        say(lines, f"The targets require {context.channels} channels from it:", sp.Eq(sym, context.channels))
        return _candidates((context.channels, context.channels), name, limits)
    assert isinstance(entry, LayerEntry)
    derivations = _spatial_derivations(context, entry, {argument: sym}, argument, lines)
    bounds = _combine(derivations)
    found, beyond = _candidates(bounds, name, limits)
    natural = _natural_minimum(name)
    if lines is not None:
        shown = None if bounds is None else (max(natural, bounds[0] or natural), bounds[1])
        text = (
            "no integer"
            if shown is None or (shown[1] is not None and shown[0] > shown[1])
            else interval_text(shown, latex(sym))
        )
        say(lines, f"Together (with ${latex(sym)} \\ge {natural}$): {text}.")
    return found, beyond


def _derive_input(
    spec: Spec, context: Context, name: str, limits: tuple[int, int], lines: list[Line] | None
) -> tuple[Sequence[int], bool]:
    bounds: tuple[int, int | None] | None = (1, None)
    for n, given in enumerate(spec.input_shape[1:]):
        if given == "?":
            bounds = intersect(bounds, context.sizes[n])
        elif intersect((given, given), context.sizes[n]) is None:  # type: ignore[arg-type]
            say(lines, f"The given input size {given} along {AXES[context.rank][n]} cannot reach the target.")
            return range(0), False
    if context.channels is not None and context.channels != spec.input_shape[0]:
        say(lines, f"The input has {spec.input_shape[0]} channels, the targets need {context.channels}.")
        return range(0), False
    if lines is not None:
        text = "no integer" if bounds is None else interval_text(bounds, "i")
        say(lines, f'So the input size (the same along every dimension written "?"): {text}.')
    return _candidates(bounds, name, limits)


def _block_layers(entry: Entry) -> list[LayerEntry]:
    if isinstance(entry, BlockEntry):
        return list(expand_entries(entry.entries))
    return [LayerEntry(entry.type, entry.args, entry.path)]


def _iterate_repeat(
    context: Context, block: list[LayerEntry], maps: list[sp.Expr], limits: tuple[int, int], lines: list[Line] | None
) -> tuple[Sequence[int], bool]:
    """Repetitions that do not shift sizes by a constant: apply one more at a time, as a forward pass would."""
    assert context.in_shape is not None
    i = symbol("i")
    for f in dict.fromkeys(maps):
        say(
            lines,
            "One repetition maps a size $i$ to $f(i)$, which is not $i$ plus a constant, so repetitions are "
            "applied one at a time (by the same formula) until the sizes stop being valid:",
            sp.Eq(sp.Function("f")(i), f, evaluate=False),
        )
    if lines is not None:
        lines.append(Line(method="iterated"))
    shape, found, seen = context.in_shape, [], [context.in_shape]
    repetitions, beyond = 0, False
    while repetitions < limits[1]:
        try:
            first = context.rows_before + repetitions * len(block) + 1
            for _, applied in walk(shape, block, first_index=first):
                shape = applied.shape
        except InvalidInputError as error:
            say(lines, f"Repetition {repetitions + 1} is refused: {error}.")
            break
        repetitions += 1
        seen.append(shape)
        fits = all(
            low <= n and (high is None or n <= high) for n, (low, high) in zip(shape[1:], context.sizes, strict=True)
        )
        if fits and (context.channels is None or shape[0] == context.channels) and repetitions >= limits[0]:
            found.append(repetitions)
        if shape == seen[-2]:  # a fixed point: every further repetition gives the same
            say(lines, f"From {repetitions - 1} repetitions on, the shape stays {shape_text(shape)}.")
            if fits:
                found += list(range(repetitions + 1, limits[1] + 1))
                beyond = True
            break
    sizes = " → ".join(shape_text(s[1:]) for s in seen[:12]) + (" → …" if len(seen) > 12 else "")
    say(lines, f"Spatial sizes after 0, 1, 2, … repetitions: {sizes}.")
    return found, beyond


def _derive_repeat(
    context: Context, entry: Entry, name: str, limits: tuple[int, int], lines: list[Line] | None
) -> tuple[Sequence[int], bool]:
    """L repetitions of a layer (or block) that shifts every size by δ give i₀ + L δ."""
    assert context.in_shape is not None
    block = _block_layers(entry)
    i = symbol("i")
    maps = [i] * context.rank
    channels = None
    for layer_entry in block:
        layer = CATALOG[layer_entry.type]
        a = geometry(layer_entry, context.rank, layer_entry.type)
        formulas = layer.size_formulas(a, {}, context.rank)
        if formulas is None:
            raise Unsupported(f"{layer_entry.type} in the repeated block mixes dimensions")
        channels = layer.sets_channels(a) or channels
        for n, sf in enumerate(formulas):
            if sf.formula is not None:
                maps[n] = substituted(sf, maps[n])
            elif sf.constant is not None:
                raise Unsupported("adaptive pooling in the repeated block")
    shifts = [sp.expand(f - i) for f in maps]
    out_channels = channels if channels is not None else context.in_shape[0]
    if any(shift.has(i) for shift in shifts):
        return _iterate_repeat(context, block, maps, limits, lines)
    if context.channels is not None and out_channels != context.channels:
        say(lines, f"Each repetition outputs {out_channels} channels, the targets need {context.channels}.")
        return range(0), False
    L = symbol("L")
    derivations = []
    groups: dict[tuple[Any, ...], list[int]] = {}
    for n, shift in enumerate(shifts):
        start = context.in_shape[n + 1]
        low, high = context.sizes[n]
        derivations.append(derive(start + L * shift, L, low, sp.oo if high is None else high))
        groups.setdefault((maps[n], start, context.sizes[n]), []).append(n)
    for (f, start, sizes), dims in groups.items() if lines is not None else ():
        derivation, shift = derivations[dims[0]], shifts[dims[0]]
        along = " and ".join(AXES[context.rank][n] for n in dims)
        say(
            lines,
            f"Along {along}, one repetition maps a size $i$ to $f(i)$ (its output-size formula, known values in):",
            sp.Eq(sp.Function("f")(i), f, evaluate=False),
        )
        say(
            lines,
            f"a shift by $\\delta = {latex(shift)}$, so $L$ repetitions take ${start}$ to ${start} + L\\delta$, "
            f"which must be {wanted_text(sizes)}:",
            *derivation.inequalities,
        )
        solved = [b for b in derivation.bounds if b is not sp.true]
        if solved:
            say(lines, "Solved for $L$:", *solved)
    bounds = _combine(derivations)
    found, beyond = _candidates(bounds, name, limits)
    if lines is not None:
        shown = None if bounds is None else (max(1, bounds[0] or 1), bounds[1])
        text = (
            "no integer"
            if shown is None or (shown[1] is not None and shown[0] > shown[1])
            else interval_text(shown, "L")
        )
        say(lines, f"Together (with $L \\ge 1$): {text}.")
    return found, beyond


# ----------------------------------------------------------------------------------------------
# Solving


def _names(unknowns: list[Unknown]) -> list[str]:
    plain = [u.argument for u in unknowns]
    return [
        u.argument if plain.count(u.argument) == 1 else f"{u.argument}@{'.'.join(map(str, u.path))}" for u in unknowns
    ]


def _ranges(spec: Spec, unknowns: list[Unknown], names: list[str]) -> tuple[dict[str, tuple[int, int]], list[str]]:
    ranges, defaults = {}, []
    for unknown, name in zip(unknowns, names, strict=True):
        if name in spec.ranges:
            ranges[name] = spec.ranges[name]
        elif unknown.argument in spec.ranges:
            ranges[name] = spec.ranges[unknown.argument]
        else:
            ranges[name] = DEFAULT_RANGES[unknown.argument]
            defaults.append(name)
        low = _natural_minimum(unknown.argument)
        if ranges[name][0] < low:
            raise InvalidInputError(f"range.{name}", list(ranges[name]), f"a range of integers >= {low}", spec.source)
    for key in spec.ranges:
        if key not in names and key not in {u.argument for u in unknowns}:
            raise InvalidInputError(
                f"range.{key}", list(spec.ranges[key]), f"the range of an unknown: {', '.join(names)}", spec.source
            )
    return ranges, defaults


def _enumerate(
    spec: Spec, unknowns: list[Unknown], names: list[str], ranges: dict[str, tuple[int, int]]
) -> Iterator[dict[Unknown, int]]:
    sizes = [ranges[name][1] - ranges[name][0] + 1 for name in names]
    if math.prod(sizes) > MAX_EVALUATIONS:
        raise InvalidInputError(
            "range",
            {name: list(ranges[name]) for name in names},
            f"at most {MAX_EVALUATIONS:,} combinations to evaluate: no derivation applies here; narrow the range",
            spec.source,
        )
    if len(unknowns) == 1:
        for value in range(ranges[names[0]][0], ranges[names[0]][1] + 1):
            yield {unknowns[0]: value}
    else:
        for first in range(ranges[names[0]][0], ranges[names[0]][1] + 1):
            for second in range(ranges[names[1]][0], ranges[names[1]][1] + 1):
                yield {unknowns[0]: first, unknowns[1]: second}


def _confirm(
    spec: Spec, assignments: list[dict[Unknown, int]], names: dict[Unknown, str]
) -> tuple[list[dict[str, int]], list[tuple[dict[str, int], str]]]:
    solutions, rejected = [], []
    for assignment in assignments:
        values = {names[u]: v for u, v in assignment.items()}
        reason = mismatch(spec.substitute(assignment))
        if reason is None:
            solutions.append(values)
        else:
            rejected.append((values, reason))
    return solutions, rejected


def _target_texts(spec: Spec) -> list[str]:
    known = not any(u.argument == "repeat" for u in spec.unknowns())
    texts = []
    for path, shape in spec.targets():
        if path is None:
            texts.append(f"the last layer outputs {shape_text(shape)}")
        else:
            where = f" (layer {nested_end(spec, path)})" if known else ""
            texts.append(f"entry {'.'.join(map(str, path))}{where} outputs {shape_text(shape)}")
    return texts


def solve(spec: Mapping[str, Any] | str | Path | Spec) -> SolveResult:
    """Every value of the unknown(s) written ``"?"`` that gives the target shape(s), within the ranges.

    ``spec`` is a path or a parsed spec with one or two unknowns (an argument, ``repeat`` or input
    sizes written ``"?"``), a ``target`` (top level: the last layer's output; beside an entry: that
    entry's), and optionally ``range: {name: [low, high]}``.
    """
    spec = load_spec(spec)
    unknowns = spec.unknowns()
    if not unknowns:
        raise InvalidInputError("spec", spec.source, 'given an unknown to solve for, written "?"', spec.source)
    if len(unknowns) > 2:
        labels = "; ".join(u.label for u in unknowns)
        raise InvalidInputError("spec", spec.source, f"at most two unknowns (it has {labels})", spec.source)
    if not spec.targets():
        raise InvalidInputError(
            "target", None, "given: the required output shape, e.g. target: [96, 55, 55] at the top level", spec.source
        )
    names = _names(unknowns)
    by_unknown = dict(zip(unknowns, names, strict=True))
    ranges, defaults = _ranges(spec, unknowns, names)
    labels = dict(zip(names, (u.label for u in unknowns), strict=True))
    result = SolveResult(names, labels, ranges, defaults, _target_texts(spec), [], "derived")
    lines: list[Line] = []
    try:
        if len(unknowns) == 1:
            found, beyond = _derive_one(spec, unknowns[0], names[0], ranges[names[0]], lines)
            assignments = [{unknowns[0]: v} for v in found]
        else:
            assignments, beyond = _derive_pair(spec, unknowns, names, ranges, lines)
        say(lines, "Each value found is confirmed by evaluating the whole network forward with it.")
        if any(line.method == "iterated" for line in lines):
            result.method = "iterated"
    except Unsupported as why:
        text = (
            f"No derivation applies here ({why}), so the forward formulas are evaluated for every value in the range."
        )
        lines = [Line(text)]
        assignments, beyond = list(_enumerate(spec, unknowns, names, ranges)), False
        result.method = "enumerated"
    result.solutions, result.rejected = _confirm(spec, assignments, by_unknown)
    if result.method == "enumerated":
        result.rejected = []  # every value in the range was tried; misses are not worth listing
    result.lines, result.beyond_range = lines, beyond
    return result


def _derive_pair(
    spec: Spec, unknowns: list[Unknown], names: list[str], ranges: dict[str, tuple[int, int]], lines: list[Line]
) -> tuple[list[dict[Unknown, int]], bool]:
    """Take each value of one unknown in its range and derive the other."""
    order = sorted(
        range(2),
        key=lambda n: _SOLVE_FOR_FIRST.index(unknowns[n].argument) if unknowns[n].argument in _SOLVE_FOR_FIRST else 99,
    )
    solve_for, walk_over = unknowns[order[0]], unknowns[order[1]]
    solve_name, walk_name = names[order[0]], names[order[1]]
    beyond = False
    assignments: list[dict[Unknown, int]] = []
    same_layer = (
        solve_for.path == walk_over.path
        and len(solve_for.path) == 1
        and solve_for.argument in _SPATIAL
        and walk_over.argument in _SPATIAL
    )
    if same_layer:
        entry = _entry(spec, solve_for)
        assert isinstance(entry, LayerEntry)
        context = around_unknown(spec, solve_for, lines)
        if context.empty:
            say(lines, f"No value can work: {context.empty}.")
            return [], False
        syms = {u.argument: symbol(_SYMBOLS[u.argument]) for u in (solve_for, walk_over)}
        derivations = _spatial_derivations(context, entry, syms, solve_for.argument, lines)
        walk_sym = syms[walk_over.argument]
        rows = []
        for value in range(ranges[walk_name][0], ranges[walk_name][1] + 1):
            bounds = _combine(derivations, {walk_sym: value})
            found, more = _candidates(bounds, solve_name, ranges[solve_name])
            beyond = beyond or more
            rows.append((value, found))
            assignments += [{walk_over: value, solve_for: v} for v in found]
        _pair_table(lines, walk_name, solve_name, syms[walk_over.argument], syms[solve_for.argument], rows)
        return assignments, beyond
    say(lines, f"For each `{walk_name}` in its range, `{solve_name}` is derived as for a single unknown.")
    rows = []
    for value in range(ranges[walk_name][0], ranges[walk_name][1] + 1):
        sub = spec.substitute({walk_over: value})
        (rest,) = sub.unknowns()
        try:
            found, more = _derive_one(sub, rest, solve_name, ranges[solve_name], None)
        except InvalidInputError:  # this value already breaks a layer before the other unknown
            found, more = range(0), False
        beyond = beyond or more
        rows.append((value, found))
        assignments += [{walk_over: value, solve_for: v} for v in found]
    _pair_table(
        lines, walk_name, solve_name, symbol(_SYMBOLS[walk_over.argument]), symbol(_SYMBOLS[solve_for.argument]), rows
    )
    return assignments, beyond


def _pair_table(
    lines: list[Line],
    walk_name: str,
    solve_name: str,
    walk_sym: sp.Symbol,
    solve_sym: sp.Symbol,
    rows: list[tuple[int, range]],
) -> None:
    shown = [
        f"${latex(walk_sym)} = {value}$: "
        + (f"${latex(solve_sym)} \\in \\{{{', '.join(map(str, found))}\\}}$" if found else "none")
        for value, found in rows
        if found
    ]
    empty = [str(value) for value, found in rows if not found]
    text = "; ".join(shown) if shown else "no value gives any"
    if empty:
        text += f" (none for ${latex(walk_sym)}$ = {', '.join(empty)})" if shown else ""
    say(lines, f"Values of `{solve_name}` in its range, for each `{walk_name}`: {text}.")
