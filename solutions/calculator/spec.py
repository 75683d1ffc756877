"""The network description: a YAML (or JSON) mirror of ``torch.nn.Sequential``.

A spec is a mapping::

    input: [3, 224, 224]            # the input's shape without the batch axis, channels first
    layers:
      - Conv2d: {out_channels: 64, kernel_size: 3, padding: 1}   # torch.nn class: keyword arguments
      - ReLU                                                       # no arguments: the bare name
      - Conv2d: {out_channels: 64, kernel_size: 3}
        repeat: 3                                                  # three identical layers
      - Sequential:                                                # a block, repeated as a whole
          - Conv2d: {out_channels: 64, kernel_size: 3, padding: 1}
          - ReLU
        repeat: 2

For ``solve`` an argument (or ``repeat``, or the input's spatial sizes) may be written ``"?"``, with
a required shape as ``target:`` at the top level (the last layer's output) or beside an entry (that
entry's output), and search ranges as ``range: {stride: [1, 16]}``. :func:`load_spec` checks the
structure (names of classes, arguments and keys); argument values are checked against the input
they meet when the network is evaluated.
"""

from __future__ import annotations

import difflib
import json
import numbers
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from solutions.calculator.arguments import UNKNOWN
from solutions.calculator.layers import CATALOG
from solutions.errors import InvalidInputError

__all__ = [
    "UNKNOWN",
    "BlockEntry",
    "Entry",
    "LayerEntry",
    "Spec",
    "Unknown",
    "expand_entries",
    "load_spec",
    "parse_spec_text",
    "suggest",
]

_TOP_KEYS = ("input", "layers", "target", "range", "name", "title", "description")
_ENTRY_KEYS = ("repeat", "target")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def suggest(name: str, choices: Sequence[str]) -> str:
    """' (did you mean ...?)' for the closest of ``choices``, or ''."""
    lowered = {choice.lower(): choice for choice in choices}
    if name.lower() in lowered:  # only the case is wrong
        return f" (did you mean {lowered[name.lower()]!r}?)"
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close[:3])}?)" if close else ""


@dataclass(frozen=True)
class Unknown:
    """A value written ``"?"``: an argument of the entry at ``path``, its ``repeat``, or the input size."""

    path: tuple[int, ...]  # entry numbers from 1, one per level of nesting; () for the input
    argument: str  # a torch.nn argument name, "repeat" or "input"
    type: str = ""  # the entry's torch.nn class ("" for the input)

    @property
    def label(self) -> str:
        """How messages name the unknown."""
        if self.argument == "input":
            return "the input's spatial size"
        where = ".".join(map(str, self.path))
        return f"`{self.argument}` of entry {where} ({self.type})"


@dataclass(frozen=True)
class LayerEntry:
    """One torch.nn layer as written, repeated ``repeat`` times."""

    type: str
    args: Mapping[str, Any]
    path: tuple[int, ...]
    repeat: int | str = 1
    target: tuple[int | None, ...] | None = None


@dataclass(frozen=True)
class BlockEntry:
    """A ``Sequential`` of entries, repeated as a whole ``repeat`` times."""

    entries: tuple[Entry, ...]
    path: tuple[int, ...]
    repeat: int | str = 1
    target: tuple[int | None, ...] | None = None
    type: str = "Sequential"


Entry = LayerEntry | BlockEntry


@dataclass(frozen=True)
class Spec:
    """A parsed network description (see the module docstring)."""

    input_shape: tuple[int | str, ...]
    entries: tuple[Entry, ...]
    target: tuple[int | None, ...] | None = None
    ranges: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    name: str | None = None
    title: str | None = None
    description: str | None = None
    source: str | None = None

    def unknowns(self) -> list[Unknown]:
        """Every value written "?", in reading order (input first)."""
        found = [Unknown((), "input")] if UNKNOWN in self.input_shape else []

        def visit(entries: Sequence[Entry]) -> None:
            for entry in entries:
                if entry.repeat == UNKNOWN:
                    found.append(Unknown(entry.path, "repeat", entry.type))
                if isinstance(entry, BlockEntry):
                    visit(entry.entries)
                else:
                    found.extend(
                        Unknown(entry.path, name, entry.type) for name, v in entry.args.items() if v == UNKNOWN
                    )

        visit(self.entries)
        return found

    def substitute(self, values: Mapping[Unknown, int]) -> Spec:
        """The spec with each unknown replaced by its value."""
        shape = self.input_shape
        for unknown, value in values.items():
            if unknown.argument == "input":
                shape = tuple(value if v == UNKNOWN else v for v in shape)

        def visit(entries: Sequence[Entry]) -> tuple[Entry, ...]:
            out = []
            for entry in entries:
                for unknown, value in values.items():
                    if unknown.path != entry.path:
                        continue
                    if unknown.argument == "repeat":
                        entry = replace(entry, repeat=value)
                    elif isinstance(entry, LayerEntry):
                        entry = replace(entry, args={**entry.args, unknown.argument: value})
                if isinstance(entry, BlockEntry):
                    entry = replace(entry, entries=visit(entry.entries))
                out.append(entry)
            return tuple(out)

        return replace(self, input_shape=shape, entries=visit(self.entries))

    def layers(self) -> Iterator[LayerEntry]:
        """The layers in order, each repetition its own item (the rows of a summary)."""
        return expand_entries(self.entries)

    def targets(self) -> list[tuple[tuple[int, ...] | None, tuple[int | None, ...]]]:
        """(entry path, or None for the last layer; required shape) for every target given."""
        found: list[tuple[tuple[int, ...] | None, tuple[int | None, ...]]] = []

        def visit(entries: Sequence[Entry]) -> None:
            for entry in entries:
                if isinstance(entry, BlockEntry):
                    visit(entry.entries)
                if entry.target is not None:
                    found.append((entry.path, entry.target))

        visit(self.entries)
        if self.target is not None:
            found.append((None, self.target))
        return found


def expand_entries(entries: Sequence[Entry]) -> Iterator[LayerEntry]:
    """Each layer of ``entries`` once per repetition, blocks expanded in order."""
    for entry in entries:
        if entry.repeat == UNKNOWN:
            raise InvalidInputError("repeat", UNKNOWN, "a number to summarize; use `solve` to find it", entry.type)
        for _ in range(entry.repeat):  # type: ignore[arg-type]
            if isinstance(entry, BlockEntry):
                yield from expand_entries(entry.entries)
            else:
                yield entry


# ----------------------------------------------------------------------------------------------
# Reading


def parse_spec_text(text: str, source: str = "<spec>") -> dict[str, Any]:
    """Parse YAML (or JSON, which YAML reads too); a syntax error names the line."""
    try:
        data = json.loads(text) if source.endswith(".json") else yaml.load(text, Loader=_YAML_LOADER)
    except json.JSONDecodeError as error:
        where = f"{source}:{error.lineno}"
        raise InvalidInputError("spec", source, f"valid JSON ({error.msg}, line {error.lineno})", where) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        line = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown line"
        context, opened = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and opened is not None:
            line += f", {context} opened at line {opened.line + 1}"
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        hint = ' (write unknowns as "?", in quotes)' if "?" in text else ""
        raise InvalidInputError("spec", source, f"valid YAML ({problem} at {line}){hint}", where) from None
    if not isinstance(data, Mapping):
        raise InvalidInputError("spec", source, "a mapping with the keys input and layers", source)
    return dict(data)


def load_spec(spec: Mapping[str, Any] | str | Path | Spec) -> Spec:
    """A spec from a YAML/JSON file path, or from an already parsed mapping, checked for structure."""
    if isinstance(spec, Spec):
        return spec
    source = None
    if isinstance(spec, (str, Path)):
        path = Path(spec)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError) as error:  # ValueError: a path with a NUL byte
            reason = getattr(error, "strerror", None) or str(error)
            raise InvalidInputError("spec", str(spec), f"a readable YAML or JSON file ({reason})") from None
        source = str(spec)
        spec = parse_spec_text(text, source)
    if not isinstance(spec, Mapping):
        raise InvalidInputError("spec", spec, "a mapping (parsed YAML/JSON) or the path of a YAML/JSON file")
    return _Parser(source).parse(spec)


def _is_int(value: Any, minimum: int) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= minimum


class _Parser:
    def __init__(self, source: str | None) -> None:
        self.where = source or "spec"
        self.rows = 0  # layers so far: error messages name the layer by its row number

    def parse(self, raw: Mapping[str, Any]) -> Spec:
        for key in raw:
            if key not in _TOP_KEYS:
                allowed = "one of the top-level keys " + ", ".join(_TOP_KEYS) + suggest(str(key), _TOP_KEYS)
                name = str(key) if isinstance(key, str) and key.strip() else f"top-level key {key!r}"
                raise InvalidInputError(name, raw[key], allowed, self.where)
        for key in ("input", "layers"):
            if key not in raw:
                raise InvalidInputError(key, None, f"given: a spec needs {key!r}", self.where)
        shape = self._input(raw["input"])
        layers = raw["layers"]
        if not isinstance(layers, list) or not layers:
            raise InvalidInputError("layers", layers, "a non-empty list of torch.nn layers", self.where)
        entries = tuple(self._entry(item, (n,)) for n, item in enumerate(layers, 1))
        strings = {key: raw.get(key) for key in ("name", "title", "description")}
        for key, value in strings.items():
            if value is not None and not isinstance(value, str):
                raise InvalidInputError(key, value, "a string", self.where)
        target = self._target(raw["target"], self.where) if "target" in raw else None
        return Spec(shape, entries, target, self._ranges(raw.get("range", {})), source=self.where, **strings)

    def _input(self, value: Any) -> tuple[int | str, ...]:
        allowed = 'a list [C], [C, L], [C, H, W] or [C, D, H, W] of integers >= 1 (spatial sizes may be "?")'
        if not isinstance(value, list) or not 1 <= len(value) <= 4:
            raise InvalidInputError("input", value, allowed, self.where)
        for n, entry in enumerate(value):
            if not (_is_int(entry, 1) or (n > 0 and entry == UNKNOWN)):
                raise InvalidInputError("input", value, allowed, self.where)
        return tuple(value)

    def _target(self, value: Any, where: str) -> tuple[int | None, ...]:
        allowed = "a shape: a list of integers >= 1, channels first, with null for any size"
        if not isinstance(value, list) or not 1 <= len(value) <= 4:
            raise InvalidInputError("target", value, allowed, where)
        if not all(v is None or _is_int(v, 1) for v in value):
            raise InvalidInputError("target", value, allowed, where)
        return tuple(value)

    def _ranges(self, value: Any) -> dict[str, tuple[int, int]]:
        allowed = "a mapping from an argument name (or repeat, input) to [low, high], integers with low <= high"
        if not isinstance(value, Mapping):
            raise InvalidInputError("range", value, allowed, self.where)
        out = {}
        for name, bounds in value.items():
            if not (
                isinstance(name, str)
                and isinstance(bounds, list)
                and len(bounds) == 2
                and all(_is_int(b, 0) for b in bounds)
                and bounds[0] <= bounds[1]
            ):
                raise InvalidInputError(f"range.{name}", bounds, allowed, self.where)
            out[name] = (int(bounds[0]), int(bounds[1]))
        return out

    def _entry(self, item: Any, path: tuple[int, ...]) -> Entry:
        index = self.rows + 1
        if isinstance(item, str):
            item = {item: None}
        if not isinstance(item, Mapping):
            raise InvalidInputError(
                "layer", item, "a torch.nn class name, or a one-key mapping such as {Conv2d: {...}}", f"layer {index}"
            )
        names = [key for key in item if key not in _ENTRY_KEYS]
        if len(names) != 1:
            allowed = (
                "one torch.nn class per list item (start each layer with '- '); "
                f"beside it only {' and '.join(_ENTRY_KEYS)}"
            )
            shown = names or list(item)
            raise InvalidInputError("layer", ", ".join(map(str, shown)), allowed, f"layer {index}")
        name = names[0]
        where = f"layer {index} ({name})"
        if not isinstance(name, str) or (name not in CATALOG and name != "Sequential"):
            known = [*CATALOG, "Sequential"]
            allowed = f"a torch.nn class the calculator supports{suggest(str(name), known)}; see the Calculator page"
            raise InvalidInputError("type", name, allowed, where)
        repeat = item.get("repeat", 1)
        if not (_is_int(repeat, 1) or repeat == UNKNOWN):
            raise InvalidInputError("repeat", repeat, 'an integer >= 1, or "?" to solve for it', where)
        target = self._target(item["target"], where) if "target" in item else None
        value = item[name]
        if name == "Sequential":
            if not isinstance(value, list) or not value:
                raise InvalidInputError("Sequential", value, "a non-empty list of layers", where)
            start = self.rows
            entries = tuple(self._entry(sub, (*path, n)) for n, sub in enumerate(value, 1))
            block_rows = self.rows - start
            self.rows = start + block_rows * (repeat if isinstance(repeat, int) else 1)
            return BlockEntry(entries, path, repeat, target)
        args = self._args(name, value, where)
        self.rows += repeat if isinstance(repeat, int) else 1
        return LayerEntry(name, args, path, repeat, target)

    @staticmethod
    def _args(name: str, value: Any, where: str) -> dict[str, Any]:
        layer = CATALOG[name]
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            allowed = f"a mapping of keyword arguments of torch.nn.{name}, e.g. {{{', '.join(layer.args) or ''}}}"
            raise InvalidInputError("arguments", value, allowed, where)
        if name == "Identity":
            return dict(value)
        for arg, given in value.items():
            if arg not in layer.args:
                names = ", ".join(layer.args) or "none"
                allowed = f"an argument of torch.nn.{name}: {names}{suggest(str(arg), list(layer.args))}"
                raise InvalidInputError(str(arg), given, allowed, where)
            if given == UNKNOWN and not layer.args[arg].solvable:
                solvable = ", ".join(n for n, a in layer.args.items() if a.solvable) or "none"
                raise InvalidInputError(arg, given, f'a value: "?" is allowed only for {solvable}', where)
        return dict(value)
