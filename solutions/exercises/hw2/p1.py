"""Homework 2, Problem 1: parameter sharing, what weight sharing does and does not give, upsampling.

Counts are checked with the NumPy layers of :mod:`solutions.reference` (arrays allocated and
counted); responses and transposed convolutions by running the NumPy references.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, conv_params, conv_transpose_output_size, linear_params
from solutions.notation import indexed
from solutions.reference import layers


def p1a(w: Work) -> None:
    channels, height, width = w.given.input
    k, filters = w.given.kernel_size, w.given.filters
    w.note("The convolution: each filter spans its kernel over every input channel, and has a bias.")
    conv = w.result("conv_params", conv_params(channels, filters, k), "Parameters of the convolution")
    w.note("Its output, which the fully connected layer must produce as well:")
    side = conv_output_size(height, k)
    n_out = w.let("n_out", "C_out * o_h * o_w", C_out=filters, o_h=side, o_w=side)
    n_in = w.let("n_in", "C_in * i_h * i_w", C_in=channels, i_h=height, i_w=width)
    fc = w.result("fc_params", linear_params(n_in, n_out), "Parameters of the fully connected layer")
    ratio = w.derive(r"P_{\mathrm{fc}} / P_{\mathrm{conv}}", sp.Rational(fc, conv))
    w.result("ratio", ratio, "How many times larger the fully connected layer is")

    conv_layer = layers.Conv(channels, filters, k, fill=0.0)
    dense = layers.Linear(n_in, n_out, fill=0.0)
    out = conv_layer(np.zeros((channels, height, width)))
    w.check(
        "conv_params",
        conv_layer.num_parameters,
        f"a NumPy `Conv({channels}, {filters}, {k})` holds {conv_layer.num_parameters} numbers",
    )
    w.check(
        "fc_params",
        dense.num_parameters,
        f"its output has shape {out.shape}, {out.size:,} values; a NumPy `Linear({n_in}, {out.size})` "
        f"holds a weight {dense.weight.shape} and a bias {dense.bias.shape}: {dense.num_parameters:,} numbers",
    )
    w.check("ratio", sp.Rational(dense.num_parameters, conv_layer.num_parameters), "the ratio of those two counts")


def _best_response(image: np.ndarray, kernel: np.ndarray) -> float:
    """The largest response of ``kernel`` anywhere on ``image`` (a NumPy cross-correlation)."""
    return float(ref.cross_correlate(image[None], kernel[None, None]).max())


def p1b_i(w: Work) -> None:
    pattern, kernel = np.array(w.given.pattern, dtype=float), np.array(w.given.filter, dtype=float)
    size, k = w.given.image_size, len(w.given.filter)
    xs = sp.Matrix(k, k, lambda r, c: indexed("x", f"{r + 1}{c + 1}"))
    ws = sp.Matrix(k, k, lambda r, c: indexed("w", f"{r + 1}{c + 1}"))
    values: dict[sp.Symbol, int] = {xs[r, c]: w.given.pattern[r][c] for r in range(k) for c in range(k)}
    values |= {ws[r, c]: w.given.filter[r][c] for r in range(k) for c in range(k)}
    w.note("Where the filter lies exactly on the pattern, its response is the sum of the products of the two:")
    match = sum(xs.multiply_elementwise(ws)).xreplace(values)
    w.result("best_response", w.derive(r"y = \sum_{r, c} x_{rc} w_{rc}", match), "Response to the pattern")
    w.note(
        "**Position.** The filter is applied with the same weights at every position, so shifting the image "
        "shifts the map of responses by the same amount (translation equivariance). The best response "
        "anywhere in the image is therefore the same wherever the pattern is, as long as it lies inside."
    )
    w.result("position_from_weight_sharing", True, "Weight sharing finds the pattern at any position")
    w.note(
        r"**Orientation.** For a rotation $R$ of the image by 90°, a change of variables in the sum gives "
        r"$(R x) \star w = R\,(x \star R^{-1} w)$: the filter answers the rotated pattern as the filter "
        r"$R^{-1} w$, turned the other way, would answer the original one. That is the same filter only if the "
        "rotation leaves it unchanged, and here it does not:"
    )
    rotated = sp.Matrix(np.rot90(np.array(w.given.filter), -1).tolist())
    w.derive(r"R^{-1} w", rotated)
    w.note(
        "**Scale.** Enlarging the image (each pixel becoming a 2 × 2 block) does not move pixels around, it "
        "makes a different, larger pattern; a kernel of fixed size sees only part of it."
    )
    w.result(
        "orientation_and_scale_from_weight_sharing",
        rotated == sp.Matrix(w.given.filter),
        "Weight sharing also copes with orientation and scale",
    )

    image = np.zeros((size, size))
    image[2 : 2 + k, 3 : 3 + k] = pattern
    shifted = np.zeros((size, size))
    shifted[9 : 9 + k, 8 : 8 + k] = pattern
    small = np.zeros((size // 2, size // 2))
    small[1 : 1 + k, 1 : 1 + k] = pattern
    enlarged = np.kron(small, np.ones((2, 2)))
    best = {
        "original": _best_response(image, kernel),
        "shifted": _best_response(shifted, kernel),
        "rotated": _best_response(np.rot90(image), kernel),
        "enlarged": _best_response(enlarged, kernel),
    }
    identity = np.allclose(
        ref.cross_correlate(np.rot90(image)[None], kernel[None, None])[0],
        np.rot90(ref.cross_correlate(image[None], np.rot90(kernel, -1)[None, None])[0]),
    )
    w.check("best_response", best["original"], f"the best response of a NumPy cross-correlation: {best['original']:g}")
    w.check(
        "position_from_weight_sharing",
        best["shifted"] == best["original"],
        f"NumPy cross-correlations of {size}×{size} images: the pattern at rows 2-6 gives a best response of "
        f"{best['original']:g}, the same pattern at rows 9-13 gives {best['shifted']:g}",
    )
    w.check(
        "orientation_and_scale_from_weight_sharing",
        best["rotated"] == best["original"] and best["enlarged"] == best["original"],
        f"the same filter on the image rotated by 90° gives a best response of {best['rotated']:g}, and on the "
        f"image enlarged twofold {best['enlarged']:g}, against {best['original']:g} "
        f"(and the rotated image's responses {'equal' if identity else 'differ from'} the rotated responses of "
        "$R^{-1} w$, as the change of variables says)",
    )


def p1c(w: Work) -> None:
    x, kernel, stride = w.given.x, w.given.kernel, w.given.stride
    rows, k = len(x), len(kernel)
    side = conv_transpose_output_size(rows, k, stride=stride)
    w.result("output_size", side, "Output size (height = width)")
    xs = sp.Matrix(rows, rows, lambda r, c: indexed("x", f"{r + 1}{c + 1}"))
    ws = sp.Matrix(k, k, lambda r, c: indexed("w", f"{r + 1}{c + 1}"))
    w.note(
        "With the kernel as large as the stride, input $x_{ab}$ writes $x_{ab} w$ onto its own block of the "
        "output and the blocks do not overlap: the output is the Kronecker product $x \\otimes w$."
    )
    values = {xs[r, c]: x[r][c] for r in range(rows) for c in range(rows)}
    values |= {ws[r, c]: kernel[r][c] for r in range(k) for c in range(k)}
    output = w.derive("y", sp.kronecker_product(xs, ws), values)
    w.result("output", output, "Output $y$")

    n = w.given.ones_input
    small, large = w.given.overlap_kernels
    w.note(
        f"Coverage: along one axis, output position $t$ receives input $m$ when $0 \\le t - {stride}m \\le k - 1$. "
        f"Counting those inputs for each $t$, for an input of {n} values:"
    )
    counts = {}
    for size in (small, large):
        length = conv_transpose_output_size(n, size, stride=stride)
        row = [sum(0 <= t - stride * m <= size - 1 for m in range(n)) for t in range(length)]
        counts[size] = w.derive(rf"c^{{({size})}}", sp.Matrix([row]))[0]
    w.note("In two dimensions a position is reached by one input per axis, so the counts multiply:")
    column = sp.Matrix(counts[small])
    grid = w.derive(rf"c^{{({small})}} \, (c^{{({small})}})^\top", column * column.T)
    w.result("overlap_small", grid, f"Inputs reaching each output position, {small} × {small} kernel")
    w.result("overlap_large_row", counts[large], f"Along one axis, {large} × {large} kernel")

    out = ref.conv_transpose(np.array(x, dtype=float)[None], np.array(kernel, dtype=float)[None, None], stride=stride)
    w.check("output_size", out.shape[1], f"a NumPy transposed convolution (scatter-add) returns shape {out.shape}")
    w.check("output", out[0], "its values")
    ones = ref.conv_transpose(np.ones((1, n, n)), np.ones((1, 1, small, small)), stride=stride)[0]
    w.check(
        "overlap_small",
        ones,
        f"the NumPy transposed convolution of a {n}×{n} input of ones with a {small}×{small} kernel of ones",
    )
    line = ref.conv_transpose(np.ones((1, n)), np.ones((1, 1, large)), stride=stride)[0]
    w.check("overlap_large_row", line, f"the same in one dimension with a kernel of {large} ones")
