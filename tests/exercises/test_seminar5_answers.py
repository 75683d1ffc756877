"""The answers of the Seminar 5 set, asserted as values (the foundation issue's list)."""

from __future__ import annotations

import sympy as sp

from solutions.exercises.catalog import derived
from solutions.notation import symbol


def test_exercise_1():
    assert derived("seminar5/ex1/q1a", "params") == 10_001_000
    assert derived("seminar5/ex1/q1b", "params") == 101_000
    assert derived("seminar5/ex1/q1b", "vectors") == 100
    assert (
        derived("seminar5/ex1/q1c", "kernel_size") == 100 and derived("seminar5/ex1/q1c", "stride_must_be_1") is False
    )
    assert derived("seminar5/ex1/q1d", "output") == (10, 10, 1000)
    assert derived("seminar5/ex1/q1e", "shape") == (28, 28, 5)
    assert [derived("seminar5/ex1/q1f", k) for k in ("filter_weights", "layer_weights", "layer_params")] == [
        75,
        375,
        380,
    ]
    assert derived("seminar5/ex1/q1g", "next_filter_depth") == 5
    assert derived("seminar5/ex1/q1h", "shape") == (10, 10, 5)
    assert derived("seminar5/ex1/q1h", "size_at_other_stride") == 14
    assert derived("seminar5/ex1/q1h", "source_formula_at_other_stride") == sp.Rational(29, 2)
    assert [derived("seminar5/ex1/q1i", k) for k in ("weights", "params")] == [375, 380]


def test_exercise_3():
    assert derived("seminar5/ex3/q3a", "output") == [[sp.Rational(5, 4), 4]]
    assert derived("seminar5/ex3/q3a", "second_output_terms") == [
        [-1, 0],
        [3, 1],
        [sp.Rational(1, 2), 1],
        [1, sp.Rational(1, 2)],
    ]
    assert derived("seminar5/ex3/q3b", "input_gradient") == [[0, 1, 1], [1, sp.Rational(3, 2), sp.Rational(1, 2)]]
    assert derived("seminar5/ex3/q3b", "cross_correlation_is_gradient") is False
    half = sp.Rational(1, 2)
    assert derived("seminar5/ex3/q3b", "other_input_gradient") == [[0, 1, 2], [1, sp.Rational(5, 2), 1]]
    assert derived("seminar5/ex3/q3b", "other_sliding") == [[0, 2, 1], [2, 2, half]]
    assert derived("seminar5/ex3/q3b", "top_middle_terms") == [[0, 1], [1, 1]]
    assert derived("seminar5/ex3/q3c", "input_gradient") == [[0, 0], [1, 1]]


def test_exercise_5():
    assert derived("seminar5/ex5/q5e", "equal_width_ratio") == sp.Rational(4, 9)
    assert derived("seminar5/ex5/q5e", "max_width_fewer") == 8
    assert derived("seminar5/ex5/q5a", "params") == 1792
    assert derived("seminar5/ex5/q5a", "weight_shape") == (64, 1, 3, 3, 3)
    assert derived("seminar5/ex5/q5b", "shape") == (64, 16, 224, 224)
    assert derived("seminar5/ex5/q5c", "shape") == (64, 8, 224, 224)
    assert derived("seminar5/ex5/q5d", "cost_q5c") == 3**3 * 1 * 64 * 8 * 224 * 224
    assert derived("seminar5/ex5/q5d", "cost_q5c_source_formula") == 3**3 * 1 * 64 * 16 * 224 * 224
    names = ("k", "C_in", "C_out", "o_d", "o_h", "o_w")
    k, c_in, c_out, o_d, o_h, o_w = (symbol(n) for n in names)
    assert sp.simplify(derived("seminar5/ex5/q5d", "cost_formula") - k**3 * c_in * c_out * o_d * o_h * o_w) == 0
    c_mid = symbol("C_mid")
    assert sp.expand(derived("seminar5/ex5/q5e", "params_2plus1d") - (202 * c_mid + 64)) == 0
    assert derived("seminar5/ex5/q5e", "max_width_fewer") == 8
    assert derived("seminar5/ex5/q5e", "fewer_params_for_every_width") is False
