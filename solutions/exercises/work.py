"""What a part's solution writes: derivation steps, results and the numeric checks that confirm them.

A solution module defines one function per part, named after the part's id, taking a :class:`Work`::

    def q1e(w: Work) -> None:
        g = w.given
        side = conv_output_size(g.input[0], g.kernel_size, stride=g.stride)   # recorded as a step
        w.result("shape", (side, side, g.filters), "Output volume (H × W × C)")
        out = reference.cross_correlate(np.zeros(...), np.zeros(...), stride=g.stride)
        w.check("shape", hwc(out.shape), f"NumPy cross-correlation returned {out.shape}")

Every general formula called while the function runs is recorded in order, with its arguments and
result, and becomes a step of the derivation on the page; :meth:`Work.let` records a step that is
plain arithmetic on named quantities. :meth:`Work.result` names an answer (the keys match the source
answers in the exercise's data file), and :meth:`Work.check` confirms one with an independent
computation, usually from :mod:`solutions.reference`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from tokenize import TokenError
from typing import Any

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from solutions.errors import InvalidInputError
from solutions.formulas._formula import FormulaCall, recording
from solutions.notation import NOTATION, indexed, symbol

__all__ = ["Check", "LetStep", "Note", "Result", "Work", "exact", "parse_notation", "same_value"]


class Namespace(Mapping[str, Any]):
    """Read-only attribute access to a data mapping (``w.given.stride``), naming the file on a typo."""

    def __init__(self, data: Mapping[str, Any], what: str) -> None:
        self._data = dict(data)
        self._what = what

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._data[name]
        except KeyError:
            known = ", ".join(self._data) or "none"
            raise AttributeError(f"{self._what} has no {name!r}; it has: {known}") from None

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def exact(value: Any) -> Any:
    """Data values made exact: floats from YAML become SymPy rationals (0.5 -> 1/2), recursively."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return sp.Rational(repr(value))
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return [exact(v) for v in value]
    if isinstance(value, tuple):
        return tuple(exact(v) for v in value)
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    return value


def _notation_symbol(name: str) -> sp.Symbol:
    if name in NOTATION:
        return symbol(name)
    base, _, index = name.rpartition("_")
    if base in NOTATION and index.isalnum():
        return indexed(base, index)
    raise InvalidInputError(
        "symbol", name, "a key of solutions/notation.py, optionally with a subscript such as x_12 or k_1"
    )


_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def parse_notation(text: str, *, evaluate: bool = True) -> sp.Expr:
    """Parse an expression written in the site's notation (``"i_h * i_w * C_in"``).

    Every name must be a notation key or a subscripted one (``x_12``, ``k_3``); anything else is an
    error, so derivations cannot drift into private symbols. With ``evaluate=False`` the terms and
    factors keep the order in which they are written.
    """
    local: dict[str, Any] = {key: symbol(key) for key in NOTATION}
    for name in set(_NAME.findall(text)) - set(local):
        if name in _FUNCTIONS:
            continue
        local[name] = _notation_symbol(name)
    try:
        return parse_expr(text, local_dict=local, evaluate=evaluate)
    except (SyntaxError, TypeError, sp.SympifyError, TokenError) as error:
        raise InvalidInputError("expression", text, f"a SymPy expression ({error})") from None


_FUNCTIONS = {"Max", "Min", "floor", "ceiling", "Abs", "sqrt", "Rational"}


@dataclass(frozen=True)
class LetStep:
    """A step of plain arithmetic on named quantities: ``symbol = expr = substituted = value``.

    ``symbol`` is a notation symbol, or LaTeX for a left-hand side such as a derivative; ``expr`` may
    be a SymPy matrix; ``ordered`` keeps the expression's terms in the order written.
    """

    symbol: sp.Expr | str
    expr: sp.Basic
    values: Mapping[sp.Symbol, Any]
    value: Any
    ordered: bool = True
    relation: str = "="


@dataclass(frozen=True)
class Note:
    """A sentence between derivation steps (Markdown, in our own words)."""

    text: str


@dataclass(frozen=True)
class Result:
    key: str
    value: Any
    label: str
    unit: str = ""


@dataclass(frozen=True)
class Check:
    key: str
    value: Any
    how: str
    passed: bool


def _plain(value: Any) -> Any:
    """SymPy integers as int, so results compare and print as plain numbers."""
    if isinstance(value, sp.Basic) and value.is_Integer:
        return int(value)
    return value


def _as_exact(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, sp.MatrixBase):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def same_value(a: Any, b: Any, *, tolerance: float = 1e-9) -> bool:
    """Equality for results, checks and source answers: exact for integers, booleans and expressions;
    within ``tolerance`` when one side is a float (a NumPy computation)."""
    a, b = _as_exact(a), _as_exact(b)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return False
        return all(same_value(x, y, tolerance=tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= tolerance * max(1.0, abs(float(a)), abs(float(b)))
        except (TypeError, ValueError):
            return False
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        difference = sp.simplify(sp.sympify(a) - sp.sympify(b))
    except (sp.SympifyError, TypeError):
        return False
    return difference == 0


@dataclass
class Work:
    """The record of one part being solved; see the module docstring."""

    given: Namespace
    source: Namespace
    steps: list[FormulaCall | LetStep | Note] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    _recording: bool = True

    @contextmanager
    def solving(self) -> Iterator[None]:
        """Record formula calls made inside the block as steps."""
        with recording(self.steps):
            yield

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Call formulas without showing them as steps (for side computations)."""
        with recording(None):
            yield

    def let(self, name: str, expression: str, **values: Any) -> Any:
        """Record ``name = expression`` in the notation and return its exact value.

        >>> w = Work(Namespace({}, "givens"), Namespace({}, "source"))
        >>> w.let("n_in", "i_h * i_w * C_in", i_h=100, i_w=100, C_in=1)
        10000
        """
        expr = parse_notation(expression, evaluate=False)
        target = parse_notation(name)
        substitution = {_notation_symbol(key): exact(value) for key, value in values.items()}
        missing = {s.name for s in expr.free_symbols} - {s.name for s in substitution}
        if missing:
            raise InvalidInputError("values", sorted(missing), f"given for every symbol of {expression!r}")
        value = sp.nsimplify(expr.xreplace({k: sp.sympify(v) for k, v in substitution.items()}).doit())
        if isinstance(value, sp.Basic) and value.is_Integer:
            value = int(value)
        self.steps.append(LetStep(target, expr, substitution, value))
        return value

    def derive(
        self,
        lhs: str,
        expr: sp.Basic,
        values: Mapping[sp.Symbol, Any] | None = None,
        relation: str = "=",
        *,
        as_written: bool = False,
    ) -> Any:
        """Record ``lhs = expr = substituted = value`` for a SymPy expression or matrix built in code.

        ``lhs`` is LaTeX (``r"\\frac{\\partial \\mathcal{L}}{\\partial x}"``); ``values`` maps the
        expression's symbols to numbers (none: the step shows the expression only). With
        ``as_written``, terms print in the order of ``expr``'s arguments (build it with
        ``evaluate=False``) instead of the site's reading order. Returns the value: an int, an exact
        rational, or nested lists for a matrix.
        """
        values = {k: exact(v) for k, v in (values or {}).items()}
        substituted = expr.xreplace({k: sp.sympify(v) for k, v in values.items()}) if values else expr
        substituted = substituted.doit()  # an expression built unevaluated still has a value
        if substituted.free_symbols:
            value: Any = substituted.tolist() if isinstance(substituted, sp.MatrixBase) else substituted
        elif isinstance(substituted, sp.MatrixBase):
            value = [[_plain(sp.nsimplify(v)) for v in row] for row in substituted.tolist()]
        else:
            value = _plain(sp.nsimplify(substituted))
        self.steps.append(LetStep(lhs, expr, values, value, ordered=as_written, relation=relation))
        return value

    def solve(self, spec: Mapping[str, Any]) -> Any:
        """Answer an inverse question with the network calculator, showing how it derives the answer.

        ``spec`` is a network description with ``"?"`` for the unknown (see the Calculator page).
        The calculator's own evaluations are not steps; its derivation (the inequalities it solves)
        is. Returns its ``SolveResult``, whose ``solutions`` lists every answer in the range.
        """
        from solutions.calculator import solve  # the calculator builds on the formulas, not on the exercises

        with self.quietly():
            found = solve(spec)
        self.steps.append(Note(found.explanation_for("../../")))
        return found

    def note(self, text: str) -> None:
        """Add a sentence between derivation steps."""
        self.steps.append(Note(text))

    def result(self, key: str, value: Any, label: str, unit: str = "") -> Any:
        """Name an answer; ``key`` matches the source answer of the same name in the data file."""
        if key in self.results:
            raise ValueError(f"result {key!r} is given twice")
        self.results[key] = Result(key, _as_exact(value), label, unit)
        return value

    def check_at(self, key: str, values: Mapping[str, Any], value: Any, how: str) -> bool:
        """Confirm a symbolic result ``key`` at ``values`` (notation keys) against a numeric ``value``."""
        if key not in self.results:
            raise ValueError(f"check of {key!r} before its result; results so far: {', '.join(self.results)}")
        expr = sp.sympify(self.results[key].value)
        substitution = {_notation_symbol(name): exact(v) for name, v in values.items()}
        at = sp.nsimplify(expr.xreplace(substitution))
        passed = same_value(at, value)
        self.checks.append(Check(key, _as_exact(value), how, passed))
        return passed

    def check(self, key: str, value: Any, how: str) -> bool:
        """Confirm result ``key`` with an independently computed ``value``; ``how`` says how (Markdown)."""
        if key not in self.results:
            raise ValueError(f"check of {key!r} before its result; results so far: {', '.join(self.results)}")
        passed = same_value(self.results[key].value, value)
        self.checks.append(Check(key, _as_exact(value), how, passed))
        return passed
