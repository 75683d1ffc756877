"""Checks for the keyword arguments of a layer entry, one per kind of torch.nn argument.

Each check takes the argument's name, the value as written in the spec, the layer's number of
spatial dimensions and the ``where`` of error messages, and returns the value normalised the way
torch.nn normalises it (an int repeated over the spatial dimensions, a YAML list as a tuple).
Anything torch.nn would reject, and booleans where a number is meant, raise
:class:`~solutions.errors.InvalidInputError` naming the argument, the value and what is allowed.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from solutions.errors import InvalidInputError, check_bool, check_choice, check_int, check_spatial

__all__ = [
    "INFERRED",
    "REQUIRED",
    "UNKNOWN",
    "Arg",
    "Check",
    "adaptive_output_size",
    "any_value",
    "boolean",
    "choice",
    "conv_padding",
    "dim",
    "false_only",
    "integer",
    "number",
    "optional_integer",
    "optional_number",
    "positive",
    "probability",
    "spatial",
    "spatial0",
]

#: The value that marks an unknown for ``solve``.
UNKNOWN = "?"


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: Default of an argument that must be given.
REQUIRED: Any = _Marker("REQUIRED")
#: Default of ``in_channels``/``in_features``/``num_features``: taken from the previous layer.
INFERRED: Any = _Marker("INFERRED")

Check = Callable[[str, Any, int | None, str], Any]


@dataclass(frozen=True)
class Arg:
    """One keyword argument of a torch.nn class: how to check it and its default."""

    check: Check
    default: Any = REQUIRED
    #: May be written "?" in a spec for ``solve`` (a size or hyperparameter the shape depends on).
    solvable: bool = False


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def positive(name: str, value: Any, ndim: int | None, where: str) -> int:
    """An integer >= 1 (channels, features, groups)."""
    return check_int(name, value, minimum=1, where=where)


def integer(name: str, value: Any, ndim: int | None, where: str) -> int:
    """Any integer (Flatten's dims may be negative)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInputError(name, value, "an integer", where)
    return int(value)


def spatial(name: str, value: Any, ndim: int | None, where: str) -> tuple[int, ...]:
    """An int >= 1 or a tuple of one per spatial dimension (kernel_size, stride, dilation)."""
    return check_spatial(name, value, ndim, minimum=1, where=where)


def spatial0(name: str, value: Any, ndim: int | None, where: str) -> tuple[int, ...]:
    """An int >= 0 or a tuple of one per spatial dimension (padding, output_padding)."""
    return check_spatial(name, value, ndim, minimum=0, where=where)


def conv_padding(name: str, value: Any, ndim: int | None, where: str) -> tuple[int, ...] | str:
    """A convolution's padding: as :func:`spatial0`, or the strings 'same' and 'valid'."""
    if isinstance(value, str):
        if value not in ("same", "valid"):
            allowed = f"'same', 'valid', an integer >= 0 or a tuple of {ndim} integers >= 0"
            raise InvalidInputError(name, value, allowed, where)
        return value
    return spatial0(name, value, ndim, where)


def boolean(name: str, value: Any, ndim: int | None, where: str) -> bool:
    """True or False (YAML true/false), never 0/1."""
    return check_bool(name, value, where=where)


def false_only(name: str, value: Any, ndim: int | None, where: str) -> bool:
    """False: with True a pooling layer returns (output, indices), which a Sequential cannot pass on."""
    if value is not False:
        raise InvalidInputError(name, value, "False here: with True the layer returns (output, indices)", where)
    return value


def number(name: str, value: Any, ndim: int | None, where: str) -> float:
    """A real number (eps, negative_slope, alpha, ...)."""
    if not _is_number(value):
        raise InvalidInputError(name, value, "a number", where)
    return value


def optional_number(name: str, value: Any, ndim: int | None, where: str) -> float | None:
    """A real number or null (BatchNorm's momentum)."""
    return None if value is None else number(name, value, ndim, where)


def probability(name: str, value: Any, ndim: int | None, where: str) -> float:
    """A number from 0 to 1 (dropout's p)."""
    if not _is_number(value) or not 0 <= value <= 1:
        raise InvalidInputError(name, value, "a number from 0 to 1", where)
    return value


def optional_integer(name: str, value: Any, ndim: int | None, where: str) -> int | None:
    """An integer >= 1 or null (AvgPool's divisor_override)."""
    return None if value is None else check_int(name, value, minimum=1, where=where)


def dim(name: str, value: Any, ndim: int | None, where: str) -> int | None:
    """A tensor dimension or null (Softmax's dim); checked against the input's rank when applied."""
    return None if value is None else integer(name, value, ndim, where)


def any_value(name: str, value: Any, ndim: int | None, where: str) -> Any:
    """Anything (nn.Identity ignores its arguments)."""
    return value


def choice(*choices: str) -> Check:
    """One of the given strings (GELU's approximate, a convolution's padding_mode)."""

    def check(name: str, value: Any, ndim: int | None, where: str) -> str:
        return check_choice(name, value, choices, where=where)

    check.__doc__ = "one of " + ", ".join(repr(c) for c in choices)
    return check


def adaptive_output_size(name: str, value: Any, ndim: int | None, where: str) -> tuple[int | None, ...]:
    """An adaptive pool's output_size: an int >= 1, or a tuple of ints >= 1 and nulls (keep that size)."""
    if ndim == 1:  # adaptive_*_pool1d takes no null
        allowed = "an integer >= 1 or a tuple of 1 integer >= 1"
    else:
        allowed = f"an integer >= 1 or a tuple of {ndim} entries, each an integer >= 1 or null (keep the input size)"
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != ndim:
            raise InvalidInputError(name, value, allowed, where)
        for entry in value:
            if entry is None and ndim == 1:
                raise InvalidInputError(name, value, allowed, where)
            if entry is not None and (isinstance(entry, bool) or not isinstance(entry, numbers.Integral) or entry < 1):
                raise InvalidInputError(name, value, allowed, where)
        return tuple(None if entry is None else int(entry) for entry in value)
    if value is None or isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InvalidInputError(name, value, allowed, where)
    return (int(value),) * (ndim or 1)
