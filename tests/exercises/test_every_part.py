"""For every part on the site: derived == numeric check == source answer, or a true erratum.

Parametrised over the catalog, so a new exercise is tested the moment its files exist.
"""

from __future__ import annotations

import pytest

from solutions.exercises.audit import audit_exercise, audit_part, comparisons
from solutions.exercises.catalog import exercise_sets, iter_parts
from solutions.exercises.work import same_value

PARTS = list(iter_parts())
EXERCISES = [exercise for exercise_set in exercise_sets() for exercise in exercise_set.exercises]
ERRATA = [(part, erratum) for part in PARTS for erratum in part.errata]


def test_the_catalog_is_not_empty():
    assert len(PARTS) >= 25 and ERRATA


@pytest.mark.parametrize("part", PARTS, ids=lambda part: part.key)
def test_part_is_derived_checked_and_compared_with_its_source(part):
    problems = audit_part(part)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.key)
def test_every_solution_function_belongs_to_a_part(exercise):
    problems = audit_exercise(exercise)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("part", "erratum"), ERRATA, ids=[f"{part.key}:{erratum.about}" for part, erratum in ERRATA])
def test_erratum_is_true(part, erratum):
    """The source's answer differs from ours, and ours is confirmed by an independent check."""
    work = part.solve()
    (comparison,) = [c for c in comparisons(part, work) if c.key == erratum.about]
    assert not same_value(comparison.source, comparison.derived), "the source agrees: the erratum is false"
    checks = [check for check in work.checks if check.key == erratum.about]
    assert checks and all(check.passed for check in checks), "the corrected value must be confirmed numerically"
