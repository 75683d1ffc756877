"""Answers of the Homework 2 set asserted as values: the results added with the audit's findings."""

from __future__ import annotations

from solutions.exercises.catalog import derived, find_part
from solutions.exercises.work import LetStep


def solved(key: str):
    return find_part(f"hw2/{key}").solve()


def test_problem_2_strided_convolution_and_rotations():
    assert derived("hw2/p2/p2b", "strided_conv_shift_invariant") is False
    assert derived("hw2/p2/p2b", "strided_conv_shift_equivariant") is False
    assert derived("hw2/p2/p2c", "fixed_sliding_breaks_rotation") is False
    assert derived("hw2/p2/p2c", "rotation_equivariant") is False


def test_problem_4_channels_and_strides():
    assert derived("hw2/p4/p4a", "conv_keeps_channels") is False
    work = solved("p4/p4b")
    assert work.results["strides"].value == [1, 2, 2, 1, 1, 2, 1, 2]
    # The derivation of the strides from the jumps shows as many values as it labels (s_1 to s_7).
    (step,) = [s for s in work.steps if isinstance(s, LetStep) and str(s.symbol).startswith("(s_1")]
    assert str(step.symbol) == r"(s_1, \dots, s_{7})" and step.value == [[1, 2, 2, 1, 1, 2, 1]]
