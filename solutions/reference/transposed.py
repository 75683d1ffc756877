"""Transposed convolution as a literal scatter-add, used to check the site's formulas for it.

Each input element stamps ``element × kernel`` onto a zero canvas at ``i*stride + tap*dilation``;
the canvas is then cropped by ``padding`` and extended by ``output_padding`` as PyTorch does. The
output size is whatever the canvas and crop leave, not a closed-form expression.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from solutions.errors import InvalidInputError, check_int, check_spatial
from solutions.reference._common import allocate, as_array, check_bias, check_counter, check_groups
from solutions.reference.counting import MacCounter

__all__ = ["conv_transpose"]


def conv_transpose(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    output_padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
    counter: MacCounter | None = None,
) -> np.ndarray:
    """``torch.nn.functional.conv_transpose{1,2,3}d`` by scatter-add.

    ``x`` is ``(C_in, *spatial)``, ``weight`` is ``(C_in, C_out/groups, *kernel)``, ``bias`` is
    ``(C_out,)`` or None. ``output_padding`` must be smaller than stride or dilation (PyTorch's rule).
    ``counter`` receives every product formed: each input element × each tap × ``C_out/groups``.
    """
    x = as_array("x", x, ndims=(2, 3, 4), what="an array (C_in, *spatial) with 1 to 3 spatial axes")
    ndim = x.ndim - 1
    weight = as_array(
        "weight",
        weight,
        ndims=(ndim + 2,),
        what=f"an array (C_in, C_out/groups, *kernel_size) with {ndim} kernel axes, like x",
    )
    in_channels = x.shape[0]
    if weight.shape[0] != in_channels:
        raise InvalidInputError(
            "weight",
            f"array of shape {weight.shape}",
            f"of shape (C_in={in_channels}, C_out/groups, *kernel_size) for x with C_in={in_channels}",
        )
    groups = check_int("groups", groups)
    out_channels = weight.shape[1] * groups
    groups = check_groups(groups, in_channels, out_channels)
    bias = check_bias(bias, out_channels)
    stride = check_spatial("stride", stride, ndim)
    padding = check_spatial("padding", padding, ndim, minimum=0)
    output_padding = check_spatial("output_padding", output_padding, ndim, minimum=0)
    dilation = check_spatial("dilation", dilation, ndim)
    for op, s, d in zip(output_padding, stride, dilation, strict=True):
        if op >= s and op >= d:
            raise InvalidInputError(
                "output_padding",
                output_padding,
                f"smaller than either stride={stride} or dilation={dilation} on every axis (as in PyTorch)",
            )
    counter = check_counter(counter)
    kernel_size = weight.shape[2:]

    # Where each tap of each input element lands; the canvas is just big enough for all of them,
    # plus output_padding zeros at the far end that the crop may keep.
    targets = {}
    canvas_shape = []
    for axis in range(ndim):
        n, k, s, d = x.shape[1 + axis], kernel_size[axis], stride[axis], dilation[axis]
        targets[axis] = {t: np.array([i * s + t * d for i in range(n)]) for t in range(k)}
        canvas_shape.append(max(int(positions.max()) for positions in targets[axis].values()) + 1)
    crops = []
    for axis in range(ndim):
        stop = canvas_shape[axis] + output_padding[axis] - padding[axis]
        if stop - padding[axis] < 1:
            raise InvalidInputError(
                "padding",
                padding,
                f"small enough to leave an output: on spatial axis {axis} the scatter canvas has "
                f"{canvas_shape[axis]} positions, output_padding adds {output_padding[axis]}, and cropping "
                f"{padding[axis]} from each end leaves none",
            )
        crops.append(slice(padding[axis], stop))

    cin_g, cout_g = in_channels // groups, out_channels // groups
    canvas = allocate((groups, cout_g, *(c + op for c, op in zip(canvas_shape, output_padding, strict=True))))
    grouped = x.reshape(groups, cin_g, 1, *x.shape[1:])
    for tap in itertools.product(*(range(k) for k in kernel_size)):
        taps = weight[(slice(None), slice(None), *tap)].reshape(groups, cin_g, cout_g, *([1] * ndim))
        products = grouped * taps  # (groups, cin_g, cout_g, *input_spatial)
        if counter is not None:
            counter.add(products.size)
        rows = np.ix_(*(targets[axis][t] for axis, t in enumerate(tap)))
        np.add.at(canvas, (slice(None), slice(None), *rows), products.sum(axis=1))
    out = canvas.reshape(out_channels, *canvas.shape[2:])[(slice(None), *crops)]
    if bias is not None:
        out = out + bias.reshape(out_channels, *([1] * ndim))
    return np.ascontiguousarray(out)
