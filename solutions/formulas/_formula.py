"""A general formula: derived once, as named SymPy steps, and evaluated two ways.

A :class:`Formula` is an ordered list of :class:`Step` objects, each defining one named quantity
from the arguments and the quantities before it; the last step is the result. That list is the
derivation a reader sees on the formula pages and in every exercise that uses the formula.

Called with SymPy expressions it returns the symbolic result; called with integers it returns an
exact Python ``int`` (or a SymPy ``Rational`` for ratios) computed by code generated from the very
same expression, with ``floor``/``ceiling`` printed as integer division, so numbers never pass
through floating point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from solutions.errors import InvalidInputError

__all__ = ["Formula", "FormulaCall", "Step", "Value", "groups_divide", "is_symbolic", "recording"]

#: What a formula argument or result may be: an exact integer or a SymPy expression.
Value = int | sp.Expr


@dataclass(frozen=True)
class Step:
    """One named quantity of a derivation: ``symbol = expr``, and why."""

    symbol: sp.Symbol
    expr: sp.Expr
    why: str


def _exact_div(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    if remainder:  # the formula's constraints should have made this impossible
        raise ArithmeticError(f"{numerator}/{denominator} is not an integer")
    return quotient


@dataclass(frozen=True)
class FormulaCall:
    """One evaluation of a formula, as recorded while an exercise part is solved."""

    formula: Formula
    arguments: dict[str, Value]
    result: Value


_RECORDER: ContextVar[list[Any] | None] = ContextVar("formula_recorder", default=None)


@contextmanager
def recording(into: list[Any] | None) -> Iterator[None]:
    """Append every formula call made inside the block to ``into`` (None: record nothing)."""
    token = _RECORDER.set(into)
    try:
        yield
    finally:
        _RECORDER.reset(token)


class _ExactIntegerPrinter(PythonCodePrinter):
    """Prints floor and ceiling of a quotient as integer division, and any other quotient as an
    exact division that raises rather than round."""

    def _print_Mul(self, expr: sp.Mul) -> str:
        numerator, denominator = sp.fraction(expr)
        if denominator == 1:
            return super()._print_Mul(expr)
        return f"_exact_div({self._print(numerator)}, {self._print(denominator)})"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp.is_negative:
            return f"_exact_div(1, {self._print(1 / expr)})"
        return super()._print_Pow(expr, rational)

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"_exact_div({expr.p}, {expr.q})"

    def _quotient(self, expr: sp.Expr) -> tuple[str, str]:
        numerator, denominator = sp.fraction(sp.together(expr))
        return self._print(numerator), self._print(denominator)

    def _print_floor(self, expr: sp.floor) -> str:
        numerator, denominator = self._quotient(expr.args[0])
        return f"(({numerator}) // ({denominator}))"

    def _print_ceiling(self, expr: sp.ceiling) -> str:
        numerator, denominator = self._quotient(expr.args[0])
        return f"(-((-({numerator})) // ({denominator})))"


def groups_divide(values: dict[str, int]) -> None:
    """Requirement shared by grouped layers: ``groups`` divides both channel counts."""
    groups = values["groups"]
    for name in ("in_channels", "out_channels"):
        if values[name] % groups:
            raise InvalidInputError("groups", groups, f"a divisor of {name}={values[name]}")


def is_symbolic(value: Any) -> bool:
    """True for a SymPy expression that is not a plain number."""
    return isinstance(value, sp.Basic) and not value.is_Number


def _check_argument(name: str, value: Any, minimum: int | None, formula: str) -> Value:
    if isinstance(value, sp.Basic) and not value.is_Number:
        if not isinstance(value, sp.Expr):
            raise InvalidInputError(name, value, "an integer or a SymPy expression", formula)
        return value
    allowed = "an integer" if minimum is None else f"an integer >= {minimum}"
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, sp.Basic) and value.is_Integer)):
        raise InvalidInputError(name, value, f"{allowed} or a SymPy expression", formula)
    if minimum is not None and int(value) < minimum:
        raise InvalidInputError(name, value, f"{allowed} or a SymPy expression", formula)
    return int(value)


@dataclass(eq=False)  # identity: each Formula is one derivation
class Formula:
    """A general formula derived as named steps; callable with integers or symbols.

    Parameters
    ----------
    name:
        The public function it backs, e.g. ``conv_output_size``.
    title:
        A short title for pages, e.g. "Output size of a convolution".
    topic, anchor:
        Where it is derived on the site: ``formulas/<topic>.md#<anchor>``.
    arguments:
        Argument name (PyTorch's) to notation symbol, in signature order.
    steps:
        The derivation; each step may use the arguments and earlier steps.
    defaults:
        Default argument values, as in PyTorch.
    requires:
        Checks on integer arguments that need more than one of them (a kernel larger than the
        padded input, say); each raises :class:`InvalidInputError`.
    """

    name: str
    title: str
    topic: str
    anchor: str
    arguments: Mapping[str, sp.Symbol]
    steps: Sequence[Step]
    defaults: Mapping[str, int] = field(default_factory=dict)
    requires: Sequence[Callable[[dict[str, int]], None]] = ()
    integer: bool = True

    def __post_init__(self) -> None:
        self.arguments = dict(self.arguments)
        self.steps = tuple(self.steps)
        expr: sp.Expr = self.steps[-1].expr
        for step in reversed(self.steps[:-1]):
            expr = expr.xreplace({step.symbol: step.expr})
        if not self.integer:  # ratios read best as a sum of simple fractions: 1/C_out + 1/k^2
            expr = sp.expand(sp.cancel(expr))
        self.expr = expr
        unknown = expr.free_symbols - set(self.arguments.values())
        if unknown:
            raise ValueError(f"{self.name}: result depends on undeclared symbols {sorted(map(str, unknown))}")
        symbols = list(self.arguments.values())
        if self.integer:
            self._numeric = sp.lambdify(
                symbols,
                expr,
                modules=[{"_exact_div": _exact_div}, "math"],
                printer=_ExactIntegerPrinter,
                docstring_limit=0,
            )
        else:
            self._numeric = None

    @property
    def symbol(self) -> sp.Symbol:
        """The symbol of the result (``o``, ``P``, ``MACs``, ...)."""
        return self.steps[-1].symbol

    @property
    def url(self) -> str:
        """Site path of the derivation, relative to the docs root."""
        return f"formulas/{self.topic}.md#{self.anchor}"

    def bind(self, **kwargs: Any) -> dict[str, Value]:
        """Validate arguments and fill defaults; integers become ``int``."""
        bound: dict[str, Value] = {}
        for name in kwargs:
            if name not in self.arguments:
                allowed = ", ".join(self.arguments)
                raise InvalidInputError(name, kwargs[name], f"one of the arguments {allowed}", self.name)
        for name, sym in self.arguments.items():
            if name in kwargs:
                value = kwargs[name]
            elif name in self.defaults:
                value = self.defaults[name]
            else:
                raise InvalidInputError(name, None, "given (it has no default)", self.name)
            # The symbol's assumptions say what is allowed.
            minimum = 1 if sym.is_positive else 0 if sym.is_nonnegative else None
            bound[name] = _check_argument(name, value, minimum, self.name)
        if all(isinstance(value, int) for value in bound.values()):
            for require in self.requires:
                require(bound)  # type: ignore[arg-type]
        return bound

    def __call__(self, **kwargs: Any) -> Value:
        bound = self.bind(**kwargs)
        result = self._evaluate(bound)
        recorder = _RECORDER.get()
        if recorder is not None:
            recorder.append(FormulaCall(self, bound, result))
        return result

    def _evaluate(self, bound: dict[str, Value]) -> Value:
        if self._numeric is not None and all(isinstance(v, int) for v in bound.values()):
            result = self._numeric(*bound.values())
            if not isinstance(result, int):  # a float here would be a bug in the formula
                raise AssertionError(f"{self.name} returned {result!r}, not an integer")
            return result
        substitution = {self.arguments[name]: sp.sympify(value) for name, value in bound.items()}
        result = self.expr.xreplace(substitution)
        if result.is_Integer:
            return int(result)
        return result

    def evaluate_steps(self, **kwargs: Any) -> list[tuple[Step, Value]]:
        """Each step with its value for these arguments, for showing a derivation."""
        bound = self.bind(**kwargs)
        known: dict[sp.Symbol, sp.Expr] = {self.arguments[name]: sp.sympify(value) for name, value in bound.items()}
        out: list[tuple[Step, Value]] = []
        for step in self.steps:
            value = sp.simplify(step.expr.xreplace(known)) if known else step.expr
            known[step.symbol] = value
            out.append((step, int(value) if value.is_Integer else value))
        return out
