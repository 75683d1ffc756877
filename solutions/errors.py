"""The project's one error type, and the checks that raise it.

Every public function and command reports bad input with :class:`InvalidInputError`. It subclasses
both :class:`ValueError` and :class:`TypeError`, so callers may catch whichever fits their code, and
its message always names the argument, the value given and what is allowed.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

__all__ = [
    "InvalidInputError",
    "check_bool",
    "check_choice",
    "check_int",
    "check_spatial",
]


class InvalidInputError(ValueError, TypeError):
    """An argument has a value that is not allowed.

    Parameters
    ----------
    argument:
        The argument's name, as in PyTorch (``stride``, ``kernel_size``, ...).
    value:
        The value that was given.
    allowed:
        What is allowed, as a phrase that completes "must be ...".
    where:
        Optional context, such as ``"layer 3 (Conv2d)"`` or ``"seminar5/ex1.yaml:12"``.
    """

    def __init__(self, argument: str, value: Any, allowed: str, where: str | None = None) -> None:
        # A blank or odd name (an empty key in a spec, say) is shown quoted, so the message still names it.
        argument = (
            argument if isinstance(argument, str) and argument.strip() == argument and argument else repr(argument)
        )
        self.argument = argument
        self.value = value
        self.allowed = allowed
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{argument}={value!r} is not allowed: {argument} must be {allowed}")


def _name(argument: Any) -> str:
    """The name of the argument being checked: the helpers below report it in every message."""
    if not isinstance(argument, str) or not argument:
        raise InvalidInputError("argument", argument, "the name of the argument being checked (a non-empty str)")
    return argument


def _is_int(value: Any) -> bool:
    # bool is an int subclass in Python, but True as a stride is always a mistake.
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    # SymPy integers are numbers.Integral only when registered; check duck-typed.
    return getattr(value, "is_Integer", False) is True


def check_int(argument: str, value: Any, *, minimum: int = 1, where: str | None = None) -> int:
    """Return ``value`` as a Python int, or raise if it is not an integer ``>= minimum``."""
    argument = _name(argument)
    if not _is_int(minimum):
        raise InvalidInputError("minimum", minimum, "an integer")
    if not _is_int(value):
        raise InvalidInputError(argument, value, f"an integer >= {minimum}", where)
    number = int(value)
    if number < minimum:
        raise InvalidInputError(argument, value, f"an integer >= {minimum}", where)
    return number


def check_bool(argument: str, value: Any, *, where: str | None = None) -> bool:
    """Return ``value`` if it is a bool, else raise."""
    argument = _name(argument)
    if not isinstance(value, bool):
        raise InvalidInputError(argument, value, "True or False", where)
    return value


def check_choice(argument: str, value: Any, choices: Sequence[str], *, where: str | None = None) -> str:
    """Return ``value`` if it is one of ``choices``, else raise."""
    argument = _name(argument)
    if isinstance(choices, str) or not isinstance(choices, Sequence) or not all(isinstance(c, str) for c in choices):
        raise InvalidInputError("choices", choices, "a sequence of str")
    if not isinstance(value, str) or value not in choices:
        allowed = "one of " + ", ".join(repr(c) for c in choices)
        raise InvalidInputError(argument, value, allowed, where)
    return value


def check_spatial(
    argument: str,
    value: Any,
    ndim: int | None,
    *,
    minimum: int = 1,
    where: str | None = None,
) -> tuple[int, ...]:
    """Normalise an int-or-tuple spatial argument as PyTorch does.

    An int is repeated for every spatial dimension; a tuple must have one entry per dimension.
    When ``ndim`` is None the tuple's own length decides (1 to 3).
    """
    argument = _name(argument)
    if ndim is not None and (not _is_int(ndim) or not 1 <= int(ndim) <= 3):
        raise InvalidInputError("ndim", ndim, "None or 1, 2 or 3")
    if not _is_int(minimum):
        raise InvalidInputError("minimum", minimum, "an integer")
    if isinstance(value, (list, tuple)):
        if ndim is not None and len(value) != ndim:
            raise InvalidInputError(argument, value, f"an integer or a tuple of {ndim} integers >= {minimum}", where)
        if not 1 <= len(value) <= 3:
            raise InvalidInputError(argument, value, "an integer or a tuple of 1 to 3 integers", where)
        for entry in value:
            if not _is_int(entry) or int(entry) < minimum:
                allowed = f"an integer or a tuple of {len(value)} integers >= {minimum}"
                raise InvalidInputError(argument, value, allowed, where)
        return tuple(int(entry) for entry in value)
    number = check_int(argument, value, minimum=minimum, where=where)
    return (number,) * (ndim or 1)
