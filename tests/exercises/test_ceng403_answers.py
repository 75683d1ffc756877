"""Answers of the CENG 403 set added with the content audit, asserted as values."""

from __future__ import annotations

import sympy as sp

from solutions.exercises.catalog import derived


def test_local_windows_without_sharing_are_not_equivariant():
    assert derived("ceng403/q1/q1c", "local_connectivity_gives_equivariance") is False
    assert derived("ceng403/q1/q1c", "weight_sharing_gives_equivariance") is True


def test_first_layer_reads_every_pixel_and_the_1x1_example_skips_some():
    assert derived("ceng403/q4/q4b", "first_layer_skips_pixels") is False
    assert derived("ceng403/q4/q4b", "late_output_1x1") == 4


def test_transposed_convolution_round_trip():
    assert derived("ceng403/q5/q5a", "size_after_round_trip") == 5
    assert derived("ceng403/q5/q5a", "transposed_restores_size") is False
    assert derived("ceng403/q5/q5a", "output_padding_needed") == 1
    assert derived("ceng403/q5/q5a", "size_with_output_padding") == 6


def test_separable_reduction_rounded_agrees_with_the_source():
    assert derived("ceng403/q5/q5b", "reduction") == sp.Rational(87, 10)
    assert derived("ceng403/q5/q5b", "reduction_from_ratio") == 9
    assert derived("ceng403/q5/q5b", "reduction_limit") == 9


def test_inception_3a_against_the_paper_table():
    assert derived("ceng403/q5/q5c", "module_weights") == 163_328
    assert derived("ceng403/q5/q5c", "params_gap_percent") == sp.Rational(27, 10)


def test_offset_branch_parameters():
    assert derived("ceng403/q6/q6a", "offset_params") == 41_490
