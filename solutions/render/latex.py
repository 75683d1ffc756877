"""SymPy to LaTeX in the site's notation, and values formatted for pages.

The general formula and its substitution are printed by the same printer from the same expression:
the substitution only swaps each symbol's printed name for its value, so both lines have exactly the
same structure and a reader can match them term by term.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from solutions.notation import NOTATION, latex_names, rank

__all__ = ["latex", "latex_substituted", "latex_value", "text_value"]


class _NotationPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the notation's names and terms in reading order."""

    def _as_ordered_terms(self, expr: sp.Expr, order: str | None = None) -> list[sp.Expr]:
        if (order or self.order) == "none":  # an expression parsed as written keeps its order
            return list(expr.args)

        def key(term: sp.Expr) -> tuple[bool, int, Any]:
            ranks = [rank(s) for s in term.free_symbols]
            return (bool(term.is_number), min(ranks, default=len(NOTATION)), sp.default_sort_key(term))

        return sorted(expr.args, key=key)


def _names(extra: dict[sp.Symbol, str] | None = None) -> dict[sp.Symbol, str]:
    names = latex_names()
    if extra:
        names.update(extra)
    return names


def _subscripted_names(expr: sp.Expr) -> dict[sp.Symbol, str]:
    """LaTeX for subscripted notation symbols (x_12 -> x_{12}, C_in_1 -> C_{\\mathrm{in},1})."""
    names = {}
    for sym in expr.free_symbols:
        base, _, index = sym.name.rpartition("_")
        if base in NOTATION and sym.name not in NOTATION:
            parent = NOTATION[base].latex
            if "_{" in parent:
                head, sub = parent.split("_{", 1)
                names[sym] = f"{head}_{{{sub[:-1]},{index}}}"
            else:
                names[sym] = f"{parent}_{{{index}}}"
    return names


def latex(expr: Any, **settings: Any) -> str:
    """LaTeX of a SymPy expression in the site's notation."""
    expr = sp.sympify(expr)
    names = _names(_subscripted_names(expr))
    names.update(settings.pop("symbol_names", {}))
    settings = {"mat_str": "bmatrix", "mat_delim": "", **settings}
    return _NotationPrinter({"symbol_names": names, **settings}).doprint(expr)


def latex_value(value: Any) -> str:
    """LaTeX of a value: grouped integers, exact decimals or fractions, shapes, vectors and matrices."""
    if isinstance(value, bool):
        return r"\text{yes}" if value else r"\text{no}"
    if isinstance(value, int):
        text = f"{value:,}".replace(",", "{,}")
        return text
    if isinstance(value, tuple):
        return r" \times ".join(latex_value(v) for v in value)
    if isinstance(value, list):
        rows = value if value and isinstance(value[0], list) else [value]
        body = r" \\ ".join(" & ".join(latex_value(v) for v in row) for row in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    if isinstance(value, float):
        return _decimal(sp.nsimplify(value)) or repr(value)
    if isinstance(value, str):
        return rf"\text{{{value}}}"
    expr = sp.sympify(value)
    if expr.is_Integer:
        return latex_value(int(expr))
    if expr.is_Rational:
        decimal = _decimal(expr)
        return decimal if decimal is not None else latex(expr)
    return latex(expr)


def _decimal(value: sp.Rational) -> str | None:
    """A terminating decimal for p/q when q has only the factors 2 and 5 and few digits, else None."""
    q = int(value.q)
    twos = fives = 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    if q != 1 or max(twos, fives) > 6:
        return None
    digits = max(twos, fives)
    text = f"{float(value):.{digits}f}".rstrip("0").rstrip(".")
    return text.replace("-", "-") if text != "-0" else "0"


def text_value(value: Any) -> str:
    """A value as Markdown text: 10,001,000; 28 × 28 × 5; [1.25, 4]; or inline math for expressions."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, tuple):
        return " × ".join(text_value(v) for v in value)
    if isinstance(value, list):
        return "[" + ", ".join(text_value(v) for v in value) + "]"
    if isinstance(value, str):
        return value
    expr = sp.sympify(value)
    if expr.is_Integer:
        return text_value(int(expr))
    if expr.is_Rational:
        decimal = _decimal(expr)
        return decimal if decimal is not None else f"{expr.p}/{expr.q}"
    return f"${latex(expr)}$"


def _number_name(value: Any) -> str:
    text = latex_value(value)
    if re.match(r"^-", text) or (isinstance(value, sp.Basic) and not value.is_Atom):
        return rf"\left({text}\right)"
    return text


def latex_substituted(expr: sp.Expr, values: dict[sp.Symbol, Any], **settings: Any) -> str:
    """``expr`` printed with each symbol replaced by its value, keeping the structure of ``expr``."""
    names = {sym: _number_name(value) for sym, value in values.items() if sym in expr.free_symbols}
    return latex(expr, symbol_names=names, mul_symbol="dot", **settings)
