"""Receptive fields found empirically, by back-propagating a one-hot gradient through a layer stack.

The site derives receptive-field sizes with a recurrence; this module instead marks, for one output
unit, every input position that can influence it: a one-hot gradient is sent backwards through each
layer with all weights set to one (so nothing cancels), pooling windows are treated as all-ones
windows (a max pool's input *can* win anywhere in its window), and the nonzero entries are the field.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from solutions.errors import InvalidInputError, check_int
from solutions.reference._common import allocate
from solutions.reference.gradients import conv_input_grad
from solutions.reference.layers import AvgPool, BatchNorm, Conv, ConvTranspose, Layer, MaxPool, ReLU
from solutions.reference.pooling import pool_window_starts

__all__ = ["receptive_field_extent", "receptive_field_mask"]

_SUPPORTED = (Conv, ConvTranspose, MaxPool, AvgPool, ReLU, BatchNorm)


def receptive_field_mask(
    layers: Sequence[Layer], input_shape: tuple[int, ...], output_index: tuple[int, ...]
) -> np.ndarray:
    """Boolean mask, of the input's spatial shape, of the positions that influence one output unit.

    ``layers`` is a sequence of Conv, ConvTranspose, MaxPool, AvgPool, ReLU and BatchNorm objects from
    :mod:`solutions.reference.layers` (BatchNorm in inference mode is pointwise; without running
    statistics it mixes every position of a channel). ``input_shape`` is the full ``(C, *spatial)``
    shape of the stack's input; ``output_index`` is a spatial index into the last layer's output (the
    unit in output channel 0; with all-ones weights every channel has the same field).
    """
    if isinstance(layers, Layer) or not isinstance(layers, Sequence):
        raise InvalidInputError("layers", layers, "a list of layers from solutions.reference.layers")
    for index, layer in enumerate(layers):
        if not isinstance(layer, _SUPPORTED):
            raise InvalidInputError(
                f"layers[{index}]", layer, "a Conv, ConvTranspose, MaxPool, AvgPool, ReLU or BatchNorm layer"
            )
    shape = _check_input_shape(input_shape)

    # Forward pass on zeros, only to learn every layer's input shape (and to validate the stack).
    shapes = [shape]
    x = allocate(shape)
    for index, layer in enumerate(layers):
        try:
            x = layer.forward(x)
        except InvalidInputError as error:
            raise InvalidInputError(error.argument, error.value, error.allowed, f"layers[{index}]") from error
        shapes.append(x.shape)

    out_spatial = shapes[-1][1:]
    what = f"a tuple of {len(out_spatial)} integers indexing the output's spatial shape {out_spatial}"
    if not isinstance(output_index, (tuple, list)) or len(output_index) != len(out_spatial):
        raise InvalidInputError("output_index", output_index, what)
    for entry, size in zip(output_index, out_spatial, strict=True):
        if check_int("output_index", entry, minimum=0) >= size:
            raise InvalidInputError("output_index", output_index, what)

    grad = allocate(shapes[-1])
    grad[(0, *output_index)] = 1.0
    for layer, in_shape in zip(reversed(layers), reversed(shapes[:-1]), strict=True):
        grad = np.abs(_backward(layer, in_shape, grad))
    return (grad != 0).any(axis=0)


def receptive_field_extent(mask: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(sizes, starts)`` per spatial axis: first True index and ``last - first + 1`` (holes count)."""
    array = np.asarray(mask)
    if array.dtype != np.bool_ or array.ndim < 1 or not array.any():
        described = f"array of shape {array.shape} and dtype {array.dtype}"
        raise InvalidInputError("mask", described, "a boolean array with at least one True entry")
    sizes, starts = [], []
    for axis in range(array.ndim):
        hit = np.flatnonzero(array.any(axis=tuple(a for a in range(array.ndim) if a != axis)))
        starts.append(int(hit[0]))
        sizes.append(int(hit[-1] - hit[0] + 1))
    return tuple(sizes), tuple(starts)


def _check_input_shape(input_shape: Any) -> tuple[int, ...]:
    what = "a tuple (C, *spatial) of 2 to 4 integers >= 1"
    if not isinstance(input_shape, (tuple, list)) or not 2 <= len(input_shape) <= 4:
        raise InvalidInputError("input_shape", input_shape, what)
    for entry in input_shape:
        check_int("input_shape", entry)
    return tuple(int(entry) for entry in input_shape)


def _backward(layer: Layer, in_shape: tuple[int, ...], grad: np.ndarray) -> np.ndarray:
    if isinstance(layer, ReLU):
        return grad
    if isinstance(layer, BatchNorm):
        if layer.track_running_stats:
            return grad
        spatial_axes = tuple(range(1, grad.ndim))
        return np.broadcast_to(grad.sum(axis=spatial_axes, keepdims=True), grad.shape).copy()
    if isinstance(layer, Conv):
        return conv_input_grad(
            in_shape,
            np.ones_like(layer.weight),
            grad,
            stride=layer.stride,
            padding=layer.padding,
            dilation=layer.dilation,
            groups=layer.groups,
        )
    if isinstance(layer, ConvTranspose):
        return _conv_transpose_backward(layer, in_shape, grad)
    return _pool_backward(layer, in_shape, grad)


def _conv_transpose_backward(layer: ConvTranspose, in_shape: tuple[int, ...], grad: np.ndarray) -> np.ndarray:
    """Input element ``i`` wrote to ``i*stride + tap*dilation`` on the canvas: read the gradient there."""
    targets = [
        [np.array([i * s + t * d for i in range(n)]) for t in range(k)]
        for n, k, s, d in zip(in_shape[1:], layer.kernel_size, layer.stride, layer.dilation, strict=True)
    ]
    canvas_shape = [max(int(p.max()) for p in axis_targets) + 1 for axis_targets in targets]
    # Put the output gradient back where it sat on the uncropped canvas (padding cropped from the front).
    canvas = allocate((grad.shape[0], *(c + op for c, op in zip(canvas_shape, layer.output_padding, strict=True))))
    placed = tuple(slice(p, p + n) for p, n in zip(layer.padding, grad.shape[1:], strict=True))
    canvas[(slice(None), *placed)] = grad
    groups = layer.groups
    per_group = allocate((groups, *in_shape[1:]))
    grouped = canvas.reshape(groups, grad.shape[0] // groups, *canvas.shape[1:]).sum(axis=1)
    for tap in itertools.product(*(range(k) for k in layer.kernel_size)):
        rows = np.ix_(*(targets[axis][t] for axis, t in enumerate(tap)))
        per_group += grouped[(slice(None), *rows)]
    cin_g = in_shape[0] // groups
    return np.repeat(per_group, cin_g, axis=0)  # every input channel of a group gets its group's sum


def _pool_backward(layer: MaxPool | AvgPool, in_shape: tuple[int, ...], grad: np.ndarray) -> np.ndarray:
    """Every position of a pooling window (taps inside the input only) receives the window's gradient."""
    ndim = len(in_shape) - 1

    def spatial(value: Any) -> tuple[int, ...]:
        return tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim

    kernel_size = spatial(layer.kernel_size)
    stride = kernel_size if layer.stride is None else spatial(layer.stride)
    padding, dilation = spatial(layer.padding), spatial(layer.dilation)
    starts = [
        np.asarray(pool_window_starts(n, k, s, p, d, layer.ceil_mode))
        for n, k, s, p, d in zip(in_shape[1:], kernel_size, stride, padding, dilation, strict=True)
    ]
    sizes = [  # the padded input, or further if a ceil-mode window overhangs it
        max(int(a[-1]) + d * (k - 1) + 1, n + 2 * p)
        for a, k, d, n, p in zip(starts, kernel_size, dilation, in_shape[1:], padding, strict=True)
    ]
    canvas = allocate((in_shape[0], *sizes))
    for tap in itertools.product(*(range(k) for k in kernel_size)):
        rows = np.ix_(*(a + t * d for a, t, d in zip(starts, tap, dilation, strict=True)))
        np.add.at(canvas, (slice(None), *rows), grad)
    inner = tuple(slice(p, p + n) for p, n in zip(padding, in_shape[1:], strict=True))
    return canvas[(slice(None), *inner)]
