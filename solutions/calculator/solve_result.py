"""The answer of ``solve``: the solutions, and the derivation that found them, for a page or a terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from solutions.calculator.explanation import Line, plain_text, values_text

__all__ = ["SolveResult"]


@dataclass
class SolveResult:
    """The values of the unknowns that give every target shape, within the stated ranges.

    ``solutions`` is a list of dicts, unknown name -> value (names are the argument names, ``repeat``
    or ``input``); ``method`` is "derived" (inequalities from the formulas, then confirmed forward) or
    "enumerated" (the forward formulas evaluated over the range); ``rejected`` lists values the
    derivation allowed but the forward check refused, with the reason.
    """

    unknowns: list[str]
    labels: dict[str, str]
    ranges: dict[str, tuple[int, int]]
    default_ranges: list[str]
    targets: list[str]
    solutions: list[dict[str, int]]
    method: str
    lines: list[Line] = field(default_factory=list)
    rejected: list[tuple[dict[str, int], str]] = field(default_factory=list)
    beyond_range: bool = False

    @property
    def explanation(self) -> str:
        """The derivation in Markdown with LaTeX display math (links relative to the site's root)."""
        return self.explanation_for()

    def explanation_for(self, base: str = "") -> str:
        """The explanation for a page ``base`` away from the site's root (``../`` one level down)."""
        out = []
        for line in self.lines:
            if line.text:
                out.append(line.text.replace("{base}", base))
            if line.tex:
                out.append(f"$$\n{line.tex}\n$$")
        return "\n\n".join(out) + "\n"

    def _ranges_text(self, code: str = "`") -> str:
        parts = []
        for name in self.unknowns:
            low, high = self.ranges[name]
            default = " (default)" if name in self.default_ranges else ""
            parts.append(f"{code}{name}{code} from {low} to {high}{default}")
        return "; ".join(parts)

    def _verdict(self) -> str:
        if not self.solutions:
            outside = " The derivation allows values outside the range." if self.beyond_range else ""
            return f"No solution with {self._ranges_text()}.{outside}"
        more = " There are more beyond the range." if self.beyond_range else ""
        return f"{len(self.solutions)} solution{'s' if len(self.solutions) != 1 else ''} in the range.{more}"

    def to_markdown(self, base: str = "") -> str:
        """Problem, derivation and solutions, for a page (``base``: path from the page to the site's root)."""
        head = [
            "**Unknown:** " + "; ".join(f"{self.labels[name]}" for name in self.unknowns) + ".",
            "**Required:** " + "; ".join(self.targets) + ".",
            f"**Searched:** {self._ranges_text()}.",
        ]
        body = [" ".join(head), self.explanation_for(base).rstrip()]
        body.append(f"**Result:** {self._verdict()}")
        if self.solutions:
            header = "| " + " | ".join(f"`{name}`" for name in self.unknowns) + " |"
            rule = "|" + "|".join("---:" for _ in self.unknowns) + "|"
            rows = ["| " + " | ".join(str(s[name]) for name in self.unknowns) + " |" for s in self.solutions]
            body.append("\n".join([header, rule, *rows]))
        if self.rejected:
            shown = "; ".join(f"{values_text(values)}: {reason}" for values, reason in self.rejected[:5])
            more = f" (and {len(self.rejected) - 5} more)" if len(self.rejected) > 5 else ""
            body.append(f"Allowed by the inequalities but refused by the forward check: {shown}{more}.")
        return "\n\n".join(body) + "\n"

    def to_text(self) -> str:
        """Problem, derivation and solutions, for a terminal."""
        out = [
            "Unknown:  " + "; ".join(self.labels[name].replace("`", "") for name in self.unknowns),
            "Required: " + "; ".join(t.replace("`", "") for t in self.targets),
            "Searched: " + self._ranges_text(code=""),
            "",
        ]
        for line in self.lines:
            if line.text:
                out.append(plain_text(line.text))
            if line.plain:
                out.append(line.plain)
        out += ["", self._verdict()]
        out += ["  " + values_text(s) for s in self.solutions]
        if self.rejected:
            out.append("Allowed by the inequalities but refused by the forward check:")
            out += [f"  {values_text(values)}: {reason}" for values, reason in self.rejected]
        return "\n".join(out) + "\n"

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``json.dumps``."""
        return {
            "unknowns": list(self.unknowns),
            "ranges": {name: list(bounds) for name, bounds in self.ranges.items()},
            "default_ranges": list(self.default_ranges),
            "targets": list(self.targets),
            "method": self.method,
            "solutions": [dict(s) for s in self.solutions],
            "beyond_range": self.beyond_range,
            "rejected": [{"values": dict(v), "reason": r} for v, r in self.rejected],
            "explanation": self.explanation,
        }
