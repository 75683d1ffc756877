"""Input gradients of a convolution, by the chain rule and by finite differences.

The site's backprop exercises state that the input gradient of a cross-correlation is a "full"
convolution of the upstream gradient with the kernel. :func:`conv_input_grad` does not assume that:
it walks the same windows the forward pass reads and scatters ``grad_output × weight`` back to the
input position each tap read, and :func:`numerical_gradient` checks both without any calculus.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from solutions.errors import InvalidInputError, check_spatial
from solutions.reference._common import (
    allocate,
    as_array,
    check_groups,
    check_real,
    resolve_padding,
    window_starts,
)

__all__ = ["conv_input_grad", "numerical_gradient"]


def conv_input_grad(
    input_shape: tuple[int, ...],
    weight: Any,
    grad_output: Any,
    *,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] | str = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of a loss w.r.t. ``x`` in ``cross_correlate(x, weight, ...)``, ``x.shape == input_shape``.

    ``grad_output`` is the loss's gradient w.r.t. the conv output, ``(C_out, *output_spatial)``. Every
    output position ``o`` and tap ``t`` adds ``grad_output[o] * weight[t]`` to the input position that
    tap read; contributions that land in the padding are dropped.
    """
    shape = _check_shape(input_shape)
    ndim = len(shape) - 1
    weight = as_array(
        "weight",
        weight,
        ndims=(ndim + 2,),
        what=f"an array (C_out, C_in/groups, *kernel_size) with {ndim} kernel axes",
    )
    grad_output = as_array(
        "grad_output",
        grad_output,
        ndims=(ndim + 1,),
        what=f"an array (C_out, *output_spatial) with {ndim} spatial axes",
    )
    in_channels, out_channels = shape[0], weight.shape[0]
    groups = check_groups(groups, in_channels, out_channels)
    if weight.shape[1] * groups != in_channels:
        raise InvalidInputError(
            "weight",
            f"array of shape {weight.shape}",
            f"of shape (C_out, C_in/groups={in_channels // groups}, *kernel_size) for input_shape={shape}",
        )
    stride = check_spatial("stride", stride, ndim)
    dilation = check_spatial("dilation", dilation, ndim)
    kernel_size = weight.shape[2:]
    pads = resolve_padding(padding, kernel_size, dilation, stride)

    padded_shape = tuple(n + left + right for n, (left, right) in zip(shape[1:], pads, strict=True))
    starts = []
    for axis, (length, k, d, s) in enumerate(zip(padded_shape, kernel_size, dilation, stride, strict=True)):
        axis_starts = window_starts(length, d * (k - 1) + 1, s)
        if not axis_starts:
            raise InvalidInputError(
                "weight",
                f"array of shape {weight.shape}",
                f"a kernel whose dilated extent fits the padded input on spatial axis {axis}",
            )
        starts.append(np.asarray(axis_starts))
    out_shape = (out_channels, *(len(a) for a in starts))
    if grad_output.shape != out_shape:
        raise InvalidInputError(
            "grad_output", f"array of shape {grad_output.shape}", f"of the conv output's shape, {out_shape}"
        )

    cin_g, cout_g = in_channels // groups, out_channels // groups
    grad_padded = allocate((groups, cin_g, *padded_shape))
    upstream = grad_output.reshape(groups, cout_g, 1, *out_shape[1:])
    for tap in itertools.product(*(range(k) for k in kernel_size)):
        taps = weight[(slice(None), slice(None), *tap)].reshape(groups, cout_g, cin_g, *([1] * ndim))
        # Output o read padded input start(o) + tap*dilation with this weight: send the gradient back there.
        rows = np.ix_(*(a + t * d for a, t, d in zip(starts, tap, dilation, strict=True)))
        np.add.at(grad_padded, (slice(None), slice(None), *rows), (upstream * taps).sum(axis=1))
    inner = tuple(slice(left, left + n) for n, (left, _) in zip(shape[1:], pads, strict=True))
    return grad_padded.reshape(in_channels, *padded_shape)[(slice(None), *inner)].copy()


def _check_shape(input_shape: Any) -> tuple[int, ...]:
    what = "a tuple (C_in, *spatial) of 2 to 4 integers >= 1"
    if not isinstance(input_shape, (tuple, list)) or not 2 <= len(input_shape) <= 4:
        raise InvalidInputError("input_shape", input_shape, what)
    for entry in input_shape:
        if isinstance(entry, (bool, np.bool_)) or not isinstance(entry, (int, np.integer)) or entry < 1:
            raise InvalidInputError("input_shape", input_shape, what)
    return tuple(int(entry) for entry in input_shape)


def numerical_gradient(f: Callable[[np.ndarray], float], x: Any, eps: float = 1e-6) -> np.ndarray:
    """Central differences ``(f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)`` for every element of ``x``."""
    if not callable(f):
        raise InvalidInputError("f", f, "a callable taking an array and returning a real number")
    x = as_array("x", x, ndims=tuple(range(9)), what="a real-valued array with at least one element")
    eps = check_real("eps", eps, positive=True)
    grad = np.zeros_like(x)
    point = x.copy()
    for index in np.ndindex(x.shape):
        original = point[index]
        point[index] = original + eps
        above = _scalar(f(point))
        point[index] = original - eps
        below = _scalar(f(point))
        point[index] = original
        grad[index] = (above - below) / (2 * eps)
    return grad


def _scalar(value: Any) -> float:
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "iuf":
        raise InvalidInputError("f", f"a function returning {value!r}", "a function returning one real number")
    return float(array.reshape(()))
