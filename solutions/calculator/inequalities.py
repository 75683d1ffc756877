"""From ``lo <= o(x) <= hi`` to bounds on an integer unknown ``x``, derived in SymPy.

The output-size formulas are ``o = floor(N / D) + c`` (convolution, pooling), ``ceiling(N / D) + c``, or
free of rounding (transposed convolution), where ``N`` and ``D > 0`` are integer-valued expressions of
the layer's arguments. For integers the rounding is removed exactly:

    floor(N / D) = n    <=>   D n <= N <= D n + D - 1
    ceiling(N / D) = n  <=>   D (n - 1) + 1 <= N <= D n

so ``lo <= floor(N / D) + c <= hi`` holds exactly when ``D (lo - c) <= N <= D (hi - c + 1) - 1``. For the
convolution and ``o`` required equal to a value this is ``s (o - 1) <= i + 2p - k_eff <= s o - 1``. Each
inequality is linear in one argument of the formula, so it solves to a bound on that argument, an
expression of the others when they are symbols too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

__all__ = ["Derivation", "Unsupported", "derive", "integer_interval"]


class Unsupported(Exception):
    """The expression is not of a form the derivation handles (a case split, a product of unknowns)."""


@dataclass
class Derivation:
    """The steps from a required range of ``expr`` to bounds on ``unknown``.

    ``inequalities`` are free of rounding; ``bounds`` are the same inequalities solved for the unknown
    (``x >= L`` or ``x <= U``; a relation without the unknown is a condition on the other symbols).
    ``lower``/``upper`` combine them (None: unbounded on that side).
    """

    unknown: sp.Symbol
    expr: sp.Expr
    low: sp.Expr
    high: sp.Expr
    rounding: str  # "floor", "ceiling" or "" (none)
    numerator: sp.Expr | None = None
    denominator: sp.Expr | None = None
    offset: sp.Expr = sp.S.Zero
    inequalities: list[sp.Basic] = field(default_factory=list)
    bounds: list[sp.Basic] = field(default_factory=list)
    lowers: list[sp.Expr] = field(default_factory=list)
    uppers: list[sp.Expr] = field(default_factory=list)
    conditions: list[sp.Basic] = field(default_factory=list)

    def interval(self, values: dict[sp.Symbol, int] | None = None) -> tuple[int | None, int | None] | None:
        """Integer bounds (None: unbounded) once the other symbols have ``values``; None if empty."""
        values = values or {}
        for condition in self.conditions:
            if not bool(sp.sympify(condition).xreplace(values)):
                return None
        lows = [sp.ceiling(sp.sympify(b).xreplace(values)) for b in self.lowers]
        highs = [sp.floor(sp.sympify(b).xreplace(values)) for b in self.uppers]
        low = max((int(b) for b in lows), default=None)
        high = min((int(b) for b in highs), default=None)
        if low is not None and high is not None and low > high:
            return None
        return low, high


def _rounding_term(expr: sp.Expr, unknown: sp.Symbol) -> tuple[str, sp.Expr, sp.Expr]:
    """Split ``expr`` into (kind, rounded argument, offset) with expr = kind(argument) + offset."""
    if expr.has(sp.Piecewise):
        raise Unsupported("the formula is a case split (ceil_mode drops a window that starts in the padding)")
    rounded = [t for t in sp.Add.make_args(expr) if isinstance(t, (sp.floor, sp.ceiling))]
    if not rounded:
        if expr.has(sp.floor, sp.ceiling):
            raise Unsupported("the rounding is not a separate term of the formula")
        return "", expr, sp.Integer(0)
    if len(rounded) > 1:
        raise Unsupported("the formula has more than one rounded term")
    term = rounded[0]
    offset = sp.expand(expr - term)
    if offset.has(unknown) or term.args[0].has(sp.floor, sp.ceiling):
        raise Unsupported("the unknown appears outside the rounded term, or rounding is nested")
    return ("floor" if isinstance(term, sp.floor) else "ceiling"), term.args[0], offset


def _solve_linear(relation: sp.Basic, unknown: sp.Symbol) -> tuple[str, sp.Expr | sp.Basic]:
    """``lhs <= rhs`` as ("lower", L) for x >= L, ("upper", U) for x <= U, or ("condition", rel)."""
    difference = sp.expand(relation.lhs - relation.rhs)  # <= 0
    if not difference.has(unknown):
        return "condition", sp.Le(difference, 0)
    poly = sp.Poly(difference, unknown)
    if poly.degree() != 1:
        raise Unsupported(f"the inequality is not linear in {unknown}")
    slope, intercept = poly.all_coeffs()
    if slope.is_positive:
        return "upper", sp.simplify(-intercept / slope)
    if slope.is_negative:
        return "lower", sp.simplify(-intercept / slope)
    raise Unsupported(f"the sign of {unknown}'s coefficient {slope} is not known")


def derive(expr: sp.Expr, unknown: sp.Symbol, low: int | sp.Expr, high: int | sp.Expr) -> Derivation:
    """Bounds on the integer ``unknown`` for ``low <= expr <= high`` (``high`` may be ``sp.oo``).

    Every symbol of ``expr`` must be integer-valued and the rounded quotient's denominator positive,
    which the notation's assumptions state for every formula argument.
    """
    low, high = sp.sympify(low), sp.sympify(high)
    kind, argument, offset = _rounding_term(expr, unknown)
    out = Derivation(unknown, expr, low, high, kind, offset=offset)
    if kind:
        numerator, denominator = sp.fraction(sp.together(argument))
        if not denominator.is_positive:
            raise Unsupported(f"the denominator {denominator} is not known to be positive")
        out.numerator, out.denominator = sp.expand(numerator), denominator
        pairs = []
        if low.is_finite:
            edge = denominator * (low - offset) if kind == "floor" else denominator * (low - offset - 1) + 1
            pairs.append(sp.Le(sp.expand(edge), out.numerator, evaluate=False))
        if high.is_finite:
            edge = denominator * (high - offset + 1) - 1 if kind == "floor" else denominator * (high - offset)
            pairs.append(sp.Le(out.numerator, sp.expand(edge), evaluate=False))
    else:
        pairs = []
        if low.is_finite:
            pairs.append(sp.Le(low, sp.expand(expr), evaluate=False))
        if high.is_finite:
            pairs.append(sp.Le(sp.expand(expr), high, evaluate=False))
    out.inequalities = pairs
    for relation in pairs:
        side, bound = _solve_linear(relation, unknown)
        if side == "condition":
            simplified = sp.simplify(bound)
            if simplified is sp.true:
                out.bounds.append(sp.true)
                continue
            out.conditions.append(simplified)
            out.bounds.append(simplified)
        elif side == "lower":
            out.lowers.append(bound)
            out.bounds.append(sp.Ge(unknown, bound, evaluate=False))
        else:
            out.uppers.append(bound)
            out.bounds.append(sp.Le(unknown, bound, evaluate=False))
    return out


def integer_interval(bounds: tuple[int | None, int | None] | None, limits: tuple[int, int]) -> tuple[range, bool]:
    """The integers of ``bounds`` within ``limits``, and whether ``bounds`` has integers outside them."""
    if bounds is None:
        return range(0), False
    low, high = bounds
    if low is not None and high is not None and low > high:
        return range(0), False
    lo = limits[0] if low is None else max(low, limits[0])
    hi = limits[1] if high is None else min(high, limits[1])
    beyond = (high is None or high > limits[1]) or (low is None or low < limits[0])
    return range(lo, hi + 1), beyond
