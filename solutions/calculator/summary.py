"""Summarize a network: one row per layer, and the totals, every number from the general formulas.

:func:`summarize` walks the spec's layers in order, as a forward pass would, carrying only the shape
and the receptive field: nothing is allocated, so memory does not grow with the input's size, and the
formulas' numeric path is compiled integer code, so VGG-16 takes about a millisecond.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from solutions.calculator.layers import CATALOG, Applied, RFState
from solutions.calculator.spec import LayerEntry, Spec, load_spec
from solutions.errors import InvalidInputError

__all__ = ["BYTES_PER_PARAM", "LargestActivation", "LayerRow", "Summary", "summarize", "walk"]

#: Parameter memory is quoted for 32-bit floats.
BYTES_PER_PARAM = 4


@dataclass(frozen=True, slots=True)
class LayerRow:
    """One layer of a summary. Shapes are channels first, without the batch axis.

    ``receptive_field``, ``jump`` and ``start`` have one entry per spatial dimension, and are None
    from the first layer on which the receptive field is no longer a single window of the input
    (a transposed convolution, Flatten, Linear, irregular adaptive pooling) and after it.
    """

    index: int
    type: str
    output_shape: tuple[int, ...]
    params: int
    buffers: int
    macs: int
    receptive_field: tuple[int, ...] | None
    jump: tuple[int, ...] | None
    start: tuple[int, ...] | None = None

    @property
    def elements(self) -> int:
        """Elements of the output activation (batch size 1)."""
        return math.prod(self.output_shape)


class LargestActivation(NamedTuple):
    """The largest output of any layer: its number of elements and the layer's 1-based index."""

    elements: int
    index: int


@dataclass(frozen=True)
class Summary:
    """A network's layers and totals (see :func:`summarize`)."""

    input_shape: tuple[int, ...]
    rows: list[LayerRow]
    name: str | None = None

    @property
    def total_params(self) -> int:
        """Learnable parameters of every layer."""
        return sum(row.params for row in self.rows)

    @property
    def total_buffers(self) -> int:
        """Buffer entries (running statistics, counters) of every layer."""
        return sum(row.buffers for row in self.rows)

    @property
    def total_macs(self) -> int:
        """MACs of one forward pass at batch size 1."""
        return sum(row.macs for row in self.rows)

    @property
    def param_bytes(self) -> int:
        """Memory of the parameters as fp32."""
        return BYTES_PER_PARAM * self.total_params

    @property
    def largest_activation(self) -> LargestActivation:
        """The first layer with the most output elements."""
        best = max(self.rows, key=lambda row: row.elements)
        return LargestActivation(best.elements, best.index)

    def to_json(self) -> dict[str, Any]:
        """Plain data (integers stay integers) for ``json.dumps``."""
        from solutions.calculator.report import summary_json

        return summary_json(self)

    def to_table(self) -> str:
        """An aligned table for a terminal."""
        from solutions.calculator.report import summary_table

        return summary_table(self)

    def to_markdown(self) -> str:
        """A Markdown table and the totals, for a page."""
        from solutions.calculator.report import summary_markdown

        return summary_markdown(self)

    def to_csv(self) -> str:
        """One CSV row per layer, then a row of totals."""
        from solutions.calculator.report import summary_csv

        return summary_csv(self)


def _initial_rf(shape: tuple[int, ...]) -> RFState:
    return tuple((1, 1, 0) for _ in shape[1:]) if len(shape) > 1 else None


def walk(
    input_shape: tuple[int, ...], layers: Iterator[LayerEntry] | list[LayerEntry], first_index: int = 1
) -> Iterator[tuple[LayerEntry, Applied]]:
    """Apply ``layers`` to ``input_shape`` one by one, yielding each with what it computed.

    Errors name the layer by its 1-based index and torch.nn class.
    """
    shape: tuple[int, ...] = tuple(input_shape)
    rf = _initial_rf(shape)
    for index, entry in enumerate(layers, first_index):
        layer = CATALOG[entry.type]
        where = f"layer {index} ({entry.type})"
        try:
            bound = layer.bind(entry.args, shape, where)
            applied = layer.apply(bound, shape, rf, where)
        except InvalidInputError as error:
            if error.where == where:
                raise
            raise InvalidInputError(error.argument, error.value, error.allowed, where) from None
        yield entry, applied
        shape, rf = applied.shape, applied.rf


def summarize(spec: Mapping[str, Any] | str | Path | Spec) -> Summary:
    """Every layer's output shape, parameters, buffers, MACs and receptive field, and the totals.

    ``spec`` is the path of a YAML/JSON file, or the parsed mapping (see :mod:`.spec`).
    """
    spec = load_spec(spec)
    unknowns = spec.unknowns()
    if unknowns:
        names = "; ".join(unknown.label for unknown in unknowns)
        raise InvalidInputError(
            "spec", spec.source, f'free of unknowns to summarize; it has "?" for {names}: use `solve`', spec.source
        )
    rows = []
    for index, (entry, applied) in enumerate(walk(spec.input_shape, spec.layers()), 1):  # type: ignore[arg-type]
        rf = applied.rf
        rows.append(
            LayerRow(
                index,
                entry.type,
                applied.shape,
                applied.params,
                applied.buffers,
                applied.macs,
                None if rf is None else tuple(r for r, _, _ in rf),
                None if rf is None else tuple(j for _, j, _ in rf),
                None if rf is None else tuple(u for _, _, u in rf),
            )
        )
    return Summary(tuple(spec.input_shape), rows, spec.name or spec.title)  # type: ignore[arg-type]
