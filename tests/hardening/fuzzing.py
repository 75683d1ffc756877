"""Adversarial values for fuzzing every public function: anything may come in, and only a result
or the project's :class:`InvalidInputError` may come out, quickly."""

from __future__ import annotations

import math
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from solutions.errors import InvalidInputError

SECONDS = 5  # a call that takes longer counts as a hang

#: Examples per fuzz test. The default is the budget CI runs; FUZZ_EXAMPLES=1000 is the 10x run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))

scalars = st.one_of(
    st.integers(-3, 12),
    st.sampled_from([0, -1, 2**31, 10**12, -(10**12)]),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.5, 1.0, float("nan"), float("inf"), -0.0]),
    st.text(max_size=4),
    st.sampled_from(["same", "valid", "full", "", "?", "1"]),
    st.none(),
    st.sampled_from([np.int64(3), np.float32(2.0), sp.Integer(2), sp.Symbol("q"), sp.Rational(1, 2)]),
    st.just(object()),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.tuples(scalars, scalars),
    st.dictionaries(st.text(max_size=3), scalars, max_size=2),
)


def small_arrays() -> st.SearchStrategy[np.ndarray]:
    shapes = st.lists(st.integers(0, 4), min_size=0, max_size=5).map(tuple)
    return shapes.map(lambda shape: np.ones(shape)) | st.sampled_from(
        [np.array([np.nan, np.inf]), np.zeros((1, 3, 3), dtype=np.int64), np.array("text"), np.ones((2, 2), bool)]
    )


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float = SECONDS) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call_safely(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call; InvalidInputError is a correct answer to bad input, anything else is a failure."""
    with time_limit():
        try:
            return function(*args, **kwargs)
        except InvalidInputError as error:
            message = str(error)
            assert error.argument and error.argument in message, message
            return error


def is_finite_number(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
