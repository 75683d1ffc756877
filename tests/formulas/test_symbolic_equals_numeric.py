"""Each formula's SymPy expression and its compiled integer code give the same exact values.

The numeric path is generated from the expression, so this guards the code generation (floor and
ceiling as integer division, exact division elsewhere) and the assumptions on the symbols.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from solutions.errors import InvalidInputError
from solutions.formulas import all_formulas

# Ranges that keep most draws valid (kernels smaller than inputs, padding at most half a kernel).
_HIGH = {
    "input_size": 60,
    "output_size": 60,
    "previous": 40,
    "bias": 1,
    "padding": 2,
    "output_padding": 2,
    "kernel_size": 5,
    "stride": 4,
    "dilation": 3,
    "groups": 3,
}


@pytest.mark.parametrize("formula", all_formulas(), ids=lambda f: f"{f.name}:{f.title}")
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_expression_and_integer_code_agree(formula, data):
    values = {}
    for name, sym in formula.arguments.items():
        low = 1 if sym.is_positive else 0 if sym.is_nonnegative else -20
        high = next((h for prefix, h in _HIGH.items() if name.startswith(prefix)), 12)
        values[name] = data.draw(st.integers(low, max(low, high)), label=name)
    try:
        numeric = formula(**values)
    except InvalidInputError:
        assume(False)
    symbolic = formula.expr.xreplace({formula.arguments[n]: sp.Integer(v) for n, v in values.items()})
    assert sp.nsimplify(symbolic) == numeric
    if formula.integer:
        assert type(numeric) is int
    else:
        assert isinstance(numeric, (int, sp.Rational))  # exact: 2/1 is the int 2


def test_symbols_carry_the_assumptions_that_make_simplification_valid():
    from solutions.notation import symbol

    assert symbol("k").is_positive and symbol("k").is_integer
    assert symbol("p").is_nonnegative and not symbol("p").is_positive
    assert symbol("u").is_integer and symbol("u").is_positive is None
