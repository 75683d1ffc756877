"""The receptive-field recurrence, its closed form, and what gradients actually reach."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from solutions import reference as ref
from solutions.formulas import receptive_field, receptive_field_closed_form, receptive_field_table
from solutions.formulas.receptive_field import closed_form_expressions, recurrence_expressions
from solutions.reference import layers


@pytest.mark.parametrize("depth", range(1, 7))
def test_closed_form_equals_recurrence_symbolically(depth):
    recurrence, closed = recurrence_expressions(depth), closed_form_expressions(depth)
    for field in ("size", "jump", "start"):
        assert sp.simplify(getattr(recurrence, field) - getattr(closed, field)) == 0


@st.composite
def stacks(draw):
    """A 1-d or 2-d stack of convolutions and poolings (kernel, stride, padding, dilation, kind)."""
    depth = draw(st.integers(1, 4))
    stack = []
    for _ in range(depth):
        kind = draw(st.sampled_from(["conv", "max", "avg"]))
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        p = draw(st.integers(0, k // 2))
        d = draw(st.integers(1, 3)) if kind != "avg" else 1
        stack.append((k, s, p, d, kind))
    return draw(st.integers(1, 2)), stack


def _reference_layer(kind, k, s, p, d, ndim):
    if kind == "conv":
        return layers.Conv(1, 1, k, stride=s, padding=p, dilation=d, ndim=ndim, fill=1.0)
    if kind == "max":
        return layers.MaxPool(k, stride=s, padding=p, dilation=d)
    return layers.AvgPool(k, stride=s, padding=p)


@settings(max_examples=150, deadline=None)
@given(stacks())
def test_size_jump_and_start_match_the_positions_a_gradient_reaches(case):
    ndim, stack = case
    geometry = [(k, s, p, d) for k, s, p, d, _ in stack]
    predicted = receptive_field(geometry)
    assert receptive_field_closed_form(geometry) == predicted
    # An input large enough that a middle output unit's field stays clear of the padding.
    length = 3 * predicted.size + 4 * predicted.jump + 8
    shape = (1,) + (length,) * ndim
    stack_layers = [_reference_layer(kind, k, s, p, d, ndim) for k, s, p, d, kind in stack]
    out = np.zeros(shape)
    for layer in stack_layers:
        out = layer(out)
    unit = out.shape[1] // 2
    mask = ref.receptive_field_mask(stack_layers, shape, (unit,) * ndim)
    sizes, starts = ref.receptive_field_extent(mask)
    assert sizes == (predicted.size,) * ndim
    assert starts == (predicted.start + unit * predicted.jump,) * ndim


def test_recurrence_table_for_a_small_stack():
    table = receptive_field_table([(3, 1, 1), (2, 2, 0), (3, 1, 1, 2)])
    assert [(rf.size, rf.jump, rf.start) for rf in table] == [(3, 1, -1), (4, 2, -1), (12, 2, -3)]
