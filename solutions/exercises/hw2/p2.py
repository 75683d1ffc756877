"""Homework 2, Problem 2: what global pooling, fully connected layers and convolutions do to shifts
and rotations.

The invariance claims are derived symbolically on small maps written out in SymPy, and confirmed by
running the NumPy references on shifted and rotated arrays.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.notation import indexed
from solutions.reference import layers


def _shift(values: list[sp.Symbol]) -> list[sp.Symbol]:
    """A circular shift by one position: the last value comes first."""
    return [values[-1], *values[:-1]]


def p2b(w: Work) -> None:
    n = 3
    xs = [indexed("x", m) for m in range(1, n + 1)]
    ws = [indexed("w", m) for m in range(1, n + 1)]
    w.note(
        f"Take one channel of {n} positions, $x = (x_1, x_2, x_3)$, and the shift $T$ that moves every value "
        "one position on (circularly): $T x = (x_3, x_1, x_2)$. Global average pooling and a fully connected "
        "output $y = w_1 x_1 + w_2 x_2 + w_3 x_3$ on the flattened map change by:"
    )
    average = sp.Add(*xs) / n
    changed_average = w.derive(r"\operatorname{avg}(T x) - \operatorname{avg}(x)", sp.Add(*_shift(xs)) / n - average)
    dense = sum(weight * value for weight, value in zip(ws, xs, strict=True))
    shifted_dense = sum(weight * value for weight, value in zip(ws, _shift(xs), strict=True))
    change = w.derive(r"y(T x) - y(x)", sp.collect(sp.expand(shifted_dense - dense), xs))
    w.note(
        "The average is a sum over all positions, which a shift only reorders. The fully connected output changes "
        "unless every coefficient above is zero, that is unless $w_1 = w_2 = w_3$: one weight shared by all "
        "positions, which makes the layer a global average pooling times a constant."
    )
    w.result("global_pooling_invariant", changed_average == 0, "Global average pooling is shift invariant")
    w.result("flatten_fc_invariant", change == 0, "A fully connected layer on the flattened map is shift invariant")

    strided = w.given.strided_conv
    stride = strided["stride"]
    m = 2 * stride
    xs = [indexed("x", j) for j in range(1, m + 1)]
    taps = [indexed("w", j) for j in range(1, stride + 1)]
    w.note(
        f"**A strided convolution.** Take $m = {m}$ positions, the same circular shift $T$ by one position, and a "
        f"convolution with the {stride} taps $(w_1, w_2)$ and stride {stride}, so that each output reads its own "
        "pair of inputs. Its outputs on $x$ and on $T x$, and $x$'s outputs shifted by one position:"
    )

    def strided_output(values: list[sp.Symbol]) -> sp.Matrix:
        windows = [values[start : start + stride] for start in range(0, m, stride)]
        return sp.Matrix([[sum(t * v for t, v in zip(taps, window, strict=True)) for window in windows]])

    y, y_moved = strided_output(xs), strided_output(_shift(xs))
    w.derive("y(x)", y)
    w.derive("y(T x)", y_moved)
    y_shifted = sp.Matrix([_shift(list(y))])
    w.derive("T y(x)", y_shifted)
    w.note(
        f"A shift by one position changes which pair each output reads: $y(T x)$ pairs $x_{m}$ with $x_1$ where "
        "$y(x)$ pairs $x_1$ with $x_2$. So $y(T x)$ equals neither $y(x)$ nor $T y(x)$, the only shifts of two "
        "outputs, unless the inputs or the taps are special: subsampling alone makes the layer neither invariant "
        "nor equivariant to shifts of one pixel."
    )
    w.result(
        "strided_conv_shift_invariant",
        sp.expand(y_moved - y) == sp.zeros(1, stride),
        f"A convolution with stride {stride} is invariant to a shift of one pixel",
    )
    w.result(
        "strided_conv_shift_equivariant",
        sp.expand(y_moved - y_shifted) == sp.zeros(1, stride),
        f"A shift of one pixel shifts the output of a convolution with stride {stride}",
    )

    channels, height, width = w.given.feature_map
    rows, cols = w.given.shift
    rng = np.random.default_rng(2)
    feature_map = np.zeros((channels, height, width))
    feature_map[:, 1 : height - 2, 1 : width - 3] = rng.standard_normal((channels, height - 3, width - 4))
    moved = np.roll(feature_map, (rows, cols), axis=(1, 2))
    pooled, pooled_moved = ref.adaptive_avg_pool(feature_map, 1), ref.adaptive_avg_pool(moved, 1)
    dense_layer = layers.Linear(feature_map.size, w.given.out_features, seed=3)
    out, out_moved = dense_layer(feature_map.reshape(-1)), dense_layer(moved.reshape(-1))
    content = f"a random {channels}×{height}×{width} feature map whose content lies away from the borders, shifted"
    w.check(
        "global_pooling_invariant",
        bool(np.allclose(pooled, pooled_moved)),
        f"{content} by {rows} row and {cols} columns (the content stays inside): NumPy global average pooling "
        f"gives the same {channels} values, largest difference {np.abs(pooled - pooled_moved).max():.1e}",
    )
    w.check(
        "flatten_fc_invariant",
        bool(np.allclose(out, out_moved)),
        f"the same two maps, flattened, through a NumPy `Linear({feature_map.size}, {w.given.out_features})` with "
        f"random weights: the outputs differ by up to {np.abs(out - out_moved).max():.2f}",
    )

    channels, height, width = strided["input"]
    image = np.zeros((channels, height, width))
    image[:, 3 : height - 3, 3 : width - 3] = rng.standard_normal((channels, height - 6, width - 6))
    image_moved = np.roll(image, 1, axis=2)
    kernel = rng.standard_normal((1, channels, strided["kernel_size"], strided["kernel_size"]))
    response = ref.cross_correlate(image, kernel, stride=stride)
    response_moved = ref.cross_correlate(image_moved, kernel, stride=stride)
    relative = np.abs(response_moved - response).max() / np.abs(response).max()
    setup = (
        f"a random {channels}×{height}×{width} map with a border of zeros, and the same map shifted by one column; "
        f"a NumPy cross-correlation with a random {strided['kernel_size']}×{strided['kernel_size']} kernel at "
        f"stride {stride} maps each to {response.shape[1]}×{response.shape[2]}"
    )
    w.check(
        "strided_conv_shift_invariant",
        bool(np.allclose(response, response_moved)),
        f"{setup}: the two outputs differ by up to {relative:.0%} of the largest output value",
    )
    offsets = range(-stride, stride + 1)
    w.check(
        "strided_conv_shift_equivariant",
        any(bool(np.allclose(response_moved, np.roll(response, j, axis=2))) for j in offsets),
        f"the shifted map's output against the first output shifted by each of "
        f"{', '.join(str(j) for j in offsets)} columns: no shift matches",
    )


def p2c(w: Work) -> None:
    kernel = sp.Matrix(w.given.filter)
    size = w.given.image_size
    w.note("A window on the horizontal edge, and the same window after rotating the image by 90° (counter-clockwise):")
    window = sp.Matrix([[1, 1, 1], [1, 1, 1], [0, 0, 0]])
    rotated_window = sp.Matrix(np.rot90(np.array(window.tolist())).tolist())
    w.derive(r"x_{\text{edge}}", window)
    w.derive(r"R\,x_{\text{edge}}", rotated_window)
    w.note("The filter's response is the sum of the elementwise products:")
    response = w.derive(r"y = \sum_{r, c} w_{rc}\, x_{rc}", sum(kernel.multiply_elementwise(window)))
    w.result("edge_response", response, "Response on the horizontal edge")
    a, b, c = (indexed("x", m) for m in (1, 2, 3))
    w.note(
        "After the rotation every window has three equal rows $(x_1, x_2, x_3)$, and the filter's first and last "
        "rows cancel on them:"
    )
    equal_rows = sp.Matrix([[a, b, c]] * 3)
    rotated_response = w.derive(r"y", sp.expand(sum(kernel.multiply_elementwise(equal_rows))))
    w.result("rotated_edge_response", rotated_response, "Response anywhere on the rotated image")
    w.note(
        r"In general $(R x) \star w = R\,\big(x \star R^{-1} w\big)$: on the rotated image $w$ acts as the filter "
        r"$R^{-1} w$ does on the original, which here is a vertical-edge filter, not $w$:"
    )
    turned = sp.Matrix(np.rot90(np.array(w.given.filter), -1).tolist())
    w.derive(r"R^{-1} w", turned)
    w.result("rotation_equivariant", turned == kernel, "The convolution is equivariant to this rotation")
    symmetric = sp.Matrix(w.given.symmetric_filter)
    w.note(
        "The sliding is not what breaks the symmetry. A filter that the rotation maps to itself slides over the "
        "image in the same horizontal and vertical steps, yet for it $R^{-1} w = w$, so "
        r"$(R x) \star w = R\,(x \star w)$: the convolution is equivariant to the rotation. For the filter $v$ below:"
    )
    w.derive("v", symmetric)
    turned_symmetric = sp.Matrix(np.rot90(np.array(w.given.symmetric_filter), -1).tolist())
    w.derive(r"R^{-1} v", turned_symmetric)
    w.result(
        "fixed_sliding_breaks_rotation",
        turned_symmetric != symmetric,
        "Is sliding in fixed directions what keeps a convolution from being equivariant to 90° rotations?",
    )

    image = np.zeros((1, size, size))
    image[0, : size // 2] = 1.0
    filters = np.array(w.given.filter, dtype=float)[None, None]
    out = ref.cross_correlate(image, filters)[0]
    out_rotated = ref.cross_correlate(np.rot90(image, axes=(1, 2)), filters)[0]
    w.check(
        "edge_response",
        out.max(),
        f"a NumPy cross-correlation of the {size}×{size} image with the filter; its output rows are "
        f"{', '.join(f'{v:g}' for v in out[:, 0])} (every column alike)",
    )
    w.check(
        "rotated_edge_response",
        np.abs(out_rotated).max(),
        "the same on the image rotated with `np.rot90`: the largest response in absolute value",
    )
    w.check(
        "rotation_equivariant",
        bool(np.allclose(out_rotated, np.rot90(out))),
        "the response to the rotated image against the rotated response to the image: "
        f"they differ by up to {np.abs(out_rotated - np.rot90(out)).max():g}",
    )
    noise = np.random.default_rng(5).standard_normal((1, size, size))
    plain = ref.cross_correlate(noise, np.array(w.given.symmetric_filter, dtype=float)[None, None])[0]
    turned_plain = ref.cross_correlate(
        np.rot90(noise, axes=(1, 2)), np.array(w.given.symmetric_filter, dtype=float)[None, None]
    )[0]
    w.check(
        "fixed_sliding_breaks_rotation",
        not np.allclose(turned_plain, np.rot90(plain)),
        f"a random {size}×{size} image and the same image rotated with `np.rot90`, cross-correlated in NumPy with "
        f"$v$ (the same sliding): the response to the rotated image and the rotated response differ by at most "
        f"{np.abs(turned_plain - np.rot90(plain)).max():.1e}",
    )
