"""Answers of the CSCI 5922 problem set asserted as values: the results and corrections of the audit's findings."""

from __future__ import annotations

from solutions.exercises.catalog import derived, find_part


def test_output_size_errata_leave_the_answers_unchanged():
    assert derived("csci5922/q2/q2b_ii", "layers") == 36
    assert derived("csci5922/q2/q2b_ii", "size_at_stride_2") == 109
    assert derived("csci5922/q4/q4", "layers") == 104
    assert derived("csci5922/q4/q4", "total") == 58_810_528


def test_q1_corrections():
    assert [c.about for c in find_part("csci5922/q1/q1a").corrections] == [
        "box_around_each_object",
        "instance_segmentation_name",
    ]
    assert find_part("csci5922/q1/q1a").erratum_anchor("box_around_each_object") == (
        "q1a-erratum-box-around-each-object"
    )
