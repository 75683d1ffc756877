"""Shared argument checks and window enumeration for the numeric references.

The references must find output sizes by walking window start positions, never by a closed-form
output-size formula; :func:`window_starts` is that walk, kept in one place so every module enumerates
windows the same, visible way. The array and padding checks turn bad input into
:class:`~solutions.errors.InvalidInputError` before any indexing can fail with a raw IndexError.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from solutions.errors import InvalidInputError, check_choice, check_int, check_spatial
from solutions.reference.counting import MacCounter

__all__ = [
    "MAX_ELEMENTS",
    "allocate",
    "as_array",
    "check_bias",
    "check_counter",
    "check_groups",
    "check_real",
    "check_walk",
    "pad_array",
    "resolve_padding",
    "spatial_ndim",
    "window_starts",
]

PADDING_STRINGS = ("valid", "same", "full")

#: The references compute every number they report; past this many array entries (1 GiB of
#: float64) a request is refused with a clear error instead of a MemoryError or a long stall.
MAX_ELEMENTS = 2**27


def allocate(shape: tuple[Any, ...], fill: float = 0.0, *, argument: str = "size") -> np.ndarray:
    """A float64 array of ``shape`` filled with ``fill``, if it fits the references' budget."""
    total = 1
    for extent in shape:
        total *= int(extent)
    if total > MAX_ELEMENTS:
        allowed = f"small enough for the NumPy reference to compute (at most {MAX_ELEMENTS:,} numbers per array)"
        raise InvalidInputError(argument, tuple(int(e) for e in shape), allowed)
    return np.full(tuple(int(e) for e in shape), fill, dtype=np.float64)


def as_array(argument: str, value: Any, *, ndims: tuple[int, ...], what: str, where: str | None = None):
    """Return ``value`` as a float64 array whose ``ndim`` is one of ``ndims``, or raise."""
    if isinstance(value, (bool, np.bool_)):
        raise InvalidInputError(argument, value, what, where)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged nested lists and the like
        raise InvalidInputError(argument, value, what, where) from error
    if array.dtype.kind not in "iuf":
        raise InvalidInputError(argument, _describe(array), f"{what}, of real numbers", where)
    if array.ndim not in ndims:
        raise InvalidInputError(argument, _describe(array), what, where)
    if array.size == 0:
        raise InvalidInputError(argument, _describe(array), f"{what}, with no zero-length axis", where)
    return array.astype(np.float64)


def _describe(array: np.ndarray) -> str:
    return f"array of shape {array.shape} and dtype {array.dtype}"


def spatial_ndim(x: np.ndarray) -> int:
    """Number of spatial axes of a channels-first array without batch axis."""
    return x.ndim - 1


def check_real(argument: str, value: Any, *, positive: bool = False, where: str | None = None) -> float:
    """Return ``value`` as a float if it is a real number (not a bool), else raise."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if ok and positive and not value > 0:
        ok = False
    if not ok or not np.isfinite(float(value)):
        raise InvalidInputError(argument, value, "a positive real number" if positive else "a real number", where)
    return float(value)


def check_counter(counter: Any) -> MacCounter | None:
    """Accept ``None`` or a :class:`MacCounter`."""
    if counter is not None and not isinstance(counter, MacCounter):
        raise InvalidInputError("counter", counter, "None or a solutions.reference.counting.MacCounter")
    return counter


def resolve_padding(
    padding: Any,
    kernel_size: tuple[int, ...],
    dilation: tuple[int, ...],
    stride: tuple[int, ...],
    *,
    allow_strings: bool = True,
) -> tuple[tuple[int, int], ...]:
    """Turn ``padding`` into ``(left, right)`` zero counts for each spatial axis.

    Strings: ``'valid'`` is no padding; ``'full'`` pads ``dilation*(k-1)`` on both sides; ``'same'``
    (stride 1 only, as PyTorch) pads ``total = dilation*(k-1)`` with ``total // 2`` on the left and the
    rest on the right, which is where PyTorch puts the odd extra zero.
    """
    ndim = len(kernel_size)
    if isinstance(padding, str):
        if not allow_strings:
            raise InvalidInputError("padding", padding, f"an integer >= 0 or a tuple of {ndim} integers >= 0")
        check_choice("padding", padding, PADDING_STRINGS)
        totals = [d * (k - 1) for k, d in zip(kernel_size, dilation, strict=True)]
        if padding == "valid":
            return tuple((0, 0) for _ in totals)
        if padding == "full":
            return tuple((t, t) for t in totals)
        if any(s != 1 for s in stride):
            raise InvalidInputError(
                "padding",
                padding,
                "an integer, a tuple, 'valid' or 'full' when stride is not 1 (as in PyTorch)",
            )
        return tuple((t // 2, t - t // 2) for t in totals)
    amounts = check_spatial("padding", padding, ndim, minimum=0)
    return tuple((p, p) for p in amounts)


def window_starts(padded_length: int, extent: int, stride: int) -> list[int]:
    """Walk window starts ``0, stride, 2*stride, ...`` and keep each window whose last tap is inside.

    ``extent`` is the span from first to last tap, ``dilation*(k-1) + 1``.
    """
    check_walk(padded_length)
    starts = []
    start = 0
    while start + extent - 1 <= padded_length - 1:
        starts.append(start)
        start += stride
    return starts


def check_walk(padded_length: int, argument: str = "padding") -> None:
    """Refuse to walk an axis longer than an array the references could allocate (it would stall)."""
    if padded_length > MAX_ELEMENTS:
        allowed = f"small enough that the padded axis ({padded_length:,}) stays within {MAX_ELEMENTS:,} positions"
        raise InvalidInputError(argument, padded_length, allowed)


def pad_array(x: np.ndarray, pads: tuple[tuple[int, int], ...], value: float = 0.0) -> np.ndarray:
    """Allocate the padded input: ``x`` (channels-first) surrounded by ``value`` on the spatial axes."""
    shape = (x.shape[0], *(n + left + right for n, (left, right) in zip(x.shape[1:], pads, strict=True)))
    padded = allocate(shape, value)
    inner = (slice(None), *(slice(left, left + n) for n, (left, _) in zip(x.shape[1:], pads, strict=True)))
    padded[inner] = x
    return padded


def check_groups(groups: Any, in_channels: int, out_channels: int) -> int:
    """``groups`` must be a positive integer dividing both channel counts."""
    groups = check_int("groups", groups)
    if in_channels % groups:
        raise InvalidInputError("groups", groups, f"a divisor of in_channels={in_channels}")
    if out_channels % groups:
        raise InvalidInputError("groups", groups, f"a divisor of out_channels={out_channels}")
    return groups


def check_bias(bias: Any, out_channels: int) -> np.ndarray | None:
    """``bias`` is None or a 1-D array of ``out_channels`` entries."""
    if bias is None:
        return None
    what = f"None or a 1-D array of out_channels={out_channels} entries"
    array = as_array("bias", bias, ndims=(1,), what=what)
    if array.shape != (out_channels,):
        raise InvalidInputError("bias", _describe(array), what)
    return array
