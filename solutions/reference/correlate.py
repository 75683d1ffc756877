"""Direct NumPy cross-correlation and convolution, used to check the site's conv formulas.

Output sizes here come from walking window start positions over an actually padded input, and
MACs from counting the products actually formed, so they are an independent check on the SymPy
formulas in ``solutions.formulas`` (which this module deliberately does not import).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from solutions.errors import InvalidInputError, check_spatial
from solutions.reference._common import (
    allocate,
    as_array,
    check_bias,
    check_counter,
    check_groups,
    pad_array,
    resolve_padding,
    window_starts,
)
from solutions.reference.counting import MacCounter

__all__ = ["convolve", "cross_correlate"]

Padding = int | tuple[int, ...] | str


def cross_correlate(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: int | tuple[int, ...] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
    counter: MacCounter | None = None,
) -> np.ndarray:
    """What deep-learning frameworks call convolution (``torch.nn.functional.conv{1,2,3}d``).

    ``x`` is ``(C_in, *spatial)`` with 1-3 spatial axes, ``weight`` is ``(C_out, C_in/groups, *kernel)``,
    ``bias`` is ``(C_out,)`` or None. ``padding`` is an int, a tuple, ``'valid'``, ``'same'`` (stride 1
    only; an odd extra zero goes on the right, as PyTorch) or ``'full'`` (``dilation*(k-1)`` each side).
    If ``counter`` is given, every product of an input element (padded zeros included) with a weight
    is added to it. Returns ``(C_out, *output_spatial)`` in float64.
    """
    return _correlate(x, weight, bias, stride, padding, dilation, groups, counter, flip=False)


def convolve(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: int | tuple[int, ...] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
    counter: MacCounter | None = None,
) -> np.ndarray:
    """True convolution: :func:`cross_correlate` with the kernel flipped along every spatial axis.

    The input is padded exactly as in :func:`cross_correlate`; for ``'same'`` with an even kernel this
    keeps the *last* ``n`` entries of the full convolution, whereas ``numpy.convolve(..., 'same')``
    keeps the first ``n``.
    """
    return _correlate(x, weight, bias, stride, padding, dilation, groups, counter, flip=True)


def _correlate(
    x: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
    counter: Any,
    *,
    flip: bool,
) -> np.ndarray:
    x = as_array("x", x, ndims=(2, 3, 4), what="an array (C_in, *spatial) with 1 to 3 spatial axes")
    ndim = x.ndim - 1
    weight = as_array(
        "weight",
        weight,
        ndims=(ndim + 2,),
        what=f"an array (C_out, C_in/groups, *kernel_size) with {ndim} kernel axes, like x",
    )
    in_channels, out_channels = x.shape[0], weight.shape[0]
    groups = check_groups(groups, in_channels, out_channels)
    if weight.shape[1] * groups != in_channels:
        raise InvalidInputError(
            "weight",
            f"array of shape {weight.shape}",
            f"of shape (C_out, C_in/groups={in_channels // groups}, *kernel_size); x has C_in={in_channels}",
        )
    bias = check_bias(bias, out_channels)
    stride = check_spatial("stride", stride, ndim)
    dilation = check_spatial("dilation", dilation, ndim)
    kernel_size = weight.shape[2:]
    pads = resolve_padding(padding, kernel_size, dilation, stride)
    counter = check_counter(counter)
    if flip:
        weight = np.flip(weight, axis=tuple(range(2, weight.ndim)))

    padded = pad_array(x, pads)
    starts = []
    for axis, (length, k, d, s) in enumerate(zip(padded.shape[1:], kernel_size, dilation, stride, strict=True)):
        axis_starts = window_starts(length, d * (k - 1) + 1, s)
        if not axis_starts:
            raise InvalidInputError(
                "weight",
                f"array of shape {weight.shape}",
                f"a kernel whose dilated extent fits the padded input: on spatial axis {axis} the extent is "
                f"{d * (k - 1) + 1} but the padded input has {length} positions",
            )
        starts.append(np.asarray(axis_starts))
    out_shape = tuple(len(a) for a in starts)

    cin_g, cout_g = in_channels // groups, out_channels // groups
    out = allocate((groups, cout_g, *out_shape))
    for tap in itertools.product(*(range(k) for k in kernel_size)):
        # The input elements this tap reads, for every output position at once.
        rows = np.ix_(*(a + t * d for a, t, d in zip(starts, tap, dilation, strict=True)))
        slab = padded[(slice(None), *rows)].reshape(groups, 1, cin_g, *out_shape)
        taps = weight[(slice(None), slice(None), *tap)].reshape(groups, cout_g, cin_g, *([1] * ndim))
        products = taps * slab  # (groups, cout_g, cin_g, *out_shape): each one a multiply
        if counter is not None:
            counter.add(products.size)
        out += products.sum(axis=2)  # ... and each one accumulated
    out = out.reshape(out_channels, *out_shape)
    if bias is not None:
        out += bias.reshape(out_channels, *([1] * ndim))
    return out
