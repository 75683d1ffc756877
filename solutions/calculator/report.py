"""A summary written out: an aligned terminal table, Markdown for a page, CSV, or JSON-ready data."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solutions.calculator.summary import LayerRow, Summary

__all__ = ["human_bytes", "shape_text", "summary_csv", "summary_json", "summary_markdown", "summary_table"]

_COLUMNS = ("#", "Layer", "Output shape", "Params", "Buffers", "MACs", "RF", "Jump")


def shape_text(shape: tuple[int, ...] | None, sep: str = "×") -> str:
    """(64, 55, 55) as 64×55×55; None as an em dash."""
    return "—" if shape is None else sep.join(str(n) for n in shape)


def human_bytes(count: int) -> str:
    """Bytes in binary units: 553,430,176 -> 527.8 MiB."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _cells(row: LayerRow, sep: str) -> list[str]:
    return [
        str(row.index),
        row.type,
        shape_text(row.output_shape, sep),
        f"{row.params:,}",
        f"{row.buffers:,}",
        f"{row.macs:,}",
        shape_text(row.receptive_field, sep),
        shape_text(row.jump, sep),
    ]


def _totals(summary: Summary) -> list[tuple[str, str]]:
    largest = summary.largest_activation
    layer = summary.rows[largest.index - 1]
    return [
        ("Total parameters", f"{summary.total_params:,}"),
        ("Total buffers", f"{summary.total_buffers:,}"),
        ("Total MACs", f"{summary.total_macs:,}"),
        ("Parameter memory (fp32)", f"{summary.param_bytes:,} bytes ({human_bytes(summary.param_bytes)})"),
        (
            "Largest activation",
            f"{largest.elements:,} elements ({shape_text(layer.output_shape)}, layer {largest.index}, {layer.type})",
        ),
    ]


def summary_table(summary: Summary) -> str:
    """Aligned columns and totals for a terminal."""
    rows = [list(_COLUMNS), *(_cells(row, "×") for row in summary.rows)]
    widths = [max(len(row[n]) for row in rows) for n in range(len(_COLUMNS))]
    right = {0, 3, 4, 5}

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if n in right else c.ljust(w) for n, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    title = f"{summary.name}: " if summary.name else ""
    head = f"{title}input {shape_text(summary.input_shape)}"
    body = [head, "", line(rows[0]), rule, *(line(r) for r in rows[1:]), rule]
    label_width = max(len(label) for label, _ in _totals(summary))
    body += [f"{label + ':':<{label_width + 1}} {value}" for label, value in _totals(summary)]
    return "\n".join(body) + "\n"


def summary_markdown(summary: Summary) -> str:
    """A Markdown table, then the totals as a list."""
    header = "| " + " | ".join(_COLUMNS) + " |"
    align = "|" + "|".join("---:" if n in (0, 3, 4, 5) else "---" for n in range(len(_COLUMNS))) + "|"
    lines = [header, align]
    for row in summary.rows:
        cells = _cells(row, "×")
        cells[1] = f"`{cells[1]}`"
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"- **{label}:** {value}" for label, value in [("Input", shape_text(summary.input_shape))]]
    lines += [f"- **{label}:** {value}" for label, value in _totals(summary)]
    return "\n".join(lines) + "\n"


def summary_csv(summary: Summary) -> str:
    """One row per layer, then a total row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["index", "type", "output_shape", "params", "buffers", "macs", "receptive_field", "jump"])
    for row in summary.rows:
        writer.writerow(
            [
                row.index,
                row.type,
                shape_text(row.output_shape, "x"),
                row.params,
                row.buffers,
                row.macs,
                "" if row.receptive_field is None else shape_text(row.receptive_field, "x"),
                "" if row.jump is None else shape_text(row.jump, "x"),
            ]
        )
    writer.writerow(["", "total", "", summary.total_params, summary.total_buffers, summary.total_macs, "", ""])
    return out.getvalue()


def summary_json(summary: Summary) -> dict[str, Any]:
    """Plain data: lists for shapes, ints for counts, None where the receptive field is not tracked."""
    largest = summary.largest_activation
    return {
        "name": summary.name,
        "input_shape": list(summary.input_shape),
        "layers": [
            {
                "index": row.index,
                "type": row.type,
                "output_shape": list(row.output_shape),
                "params": row.params,
                "buffers": row.buffers,
                "macs": row.macs,
                "receptive_field": None if row.receptive_field is None else list(row.receptive_field),
                "jump": None if row.jump is None else list(row.jump),
            }
            for row in summary.rows
        ],
        "total_params": summary.total_params,
        "total_buffers": summary.total_buffers,
        "total_macs": summary.total_macs,
        "param_bytes": summary.param_bytes,
        "largest_activation": {
            "elements": largest.elements,
            "index": largest.index,
            "type": summary.rows[largest.index - 1].type,
            "shape": list(summary.rows[largest.index - 1].output_shape),
        },
    }
