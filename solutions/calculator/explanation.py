"""Explanations of a solution: prose in Markdown, display math in LaTeX, and the same as plain text.

The derivation is written once, as :class:`Line` objects, and shown on pages (Markdown with LaTeX
typeset at build time) or in a terminal (plain text, with the same relations written in SymPy's
string form).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from solutions.render.latex import latex

__all__ = [
    "Line",
    "interval_text",
    "math_lines",
    "plain_text",
    "say",
    "shape_text",
    "values_text",
    "wanted_text",
]


@dataclass(frozen=True)
class Line:
    """One line of an explanation: Markdown prose, then optional display math (LaTeX and plain)."""

    text: str = ""
    tex: str = ""
    plain: str = ""
    #: "iterated" when the values come from applying formulas one step at a time, not from inequalities.
    method: str = ""


_RELATIONS = {sp.Eq: "=", sp.Le: "≤", sp.Ge: "≥", sp.Lt: "<", sp.Gt: ">"}


def _plain_math(item: Any) -> str:
    for kind, sign in _RELATIONS.items():
        if isinstance(item, kind):
            return f"{sp.sstr(item.lhs)} {sign} {sp.sstr(item.rhs)}"
    return sp.sstr(item)


def math_lines(*items: Any, sep: str = r",\qquad ") -> tuple[str, str]:
    """Display math for relations and expressions: (LaTeX, plain text)."""
    return sep.join(latex(item) for item in items), "    " + ";   ".join(_plain_math(item) for item in items)


_PLAIN = {
    r"\lfloor ": "⌊",
    r"\rfloor": "⌋",
    r"\lceil ": "⌈",
    r"\rceil": "⌉",
    r"\le ": "≤ ",
    r"\ge ": "≥ ",
    r"\in ": "∈ ",
    r"\{": "{",
    r"\}": "}",
    r"\delta": "δ",
    "$": "",
    "`": "",
    "**": "",
}


def plain_text(markdown: str) -> str:
    """A line of the explanation for a terminal: no TeX markup, links as their text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    for old, new in _PLAIN.items():
        text = text.replace(old, new)
    return text


def say(lines: list[Line] | None, text: str, *math_items: Any) -> None:
    """Append a line (prose, then math) unless the caller wants no explanation (``lines`` is None)."""
    if lines is None:
        return
    if math_items:
        tex, plain = math_lines(*math_items)
        lines.append(Line(text, tex, plain))
    else:
        lines.append(Line(text))


def shape_text(shape: Sequence[int | None]) -> str:
    """A shape with null for "any": (96, any, any)."""
    return "(" + ", ".join("any" if n is None else str(n) for n in shape) + ")"


def interval_text(bounds: tuple[int | None, int | None], name: str) -> str:
    """Integer bounds as inline LaTeX: $9 \\le k \\le 12$, $k = 9$, $k \\ge 30$."""
    low, high = bounds
    if low is not None and high is not None:
        return f"${name} = {low}$" if low == high else f"${low} \\le {name} \\le {high}$"
    if low is not None:
        return f"${name} \\ge {low}$"
    if high is not None:
        return f"${name} \\le {high}$"
    return "any value"


def wanted_text(sizes: tuple[int, int | None]) -> str:
    """A required size range in words."""
    low, high = sizes
    return f"{low}" if low == high else f"at least {low}" if high is None else f"from {low} to {high}"


def values_text(values: Mapping[str, int]) -> str:
    """One solution as "stride = 4, padding = 0"."""
    return ", ".join(f"{name} = {value}" for name, value in values.items())
