"""Deep Learning ch. 9, Exercise 3: a vertical-edge kernel with valid, same and full padding, then ReLU and pooling.

Sizes and paddings come from the general formulas; the output matrices are written out exactly with
SymPy (each entry a sum of products of pixels and weights) and confirmed with the NumPy references.
The lost input image is recovered from the source's full output by solving the linear equations that
output imposes on the pixels.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, padding_for_mode, pool_output_size
from solutions.formulas.matrices import cross_correlation, entries
from solutions.notation import symbol


def _pad(matrix: sp.Matrix, p: int) -> sp.Matrix:
    """``matrix`` surrounded by ``p`` rows and columns of zeros on every side."""
    padded = sp.zeros(matrix.rows + 2 * p, matrix.cols + 2 * p)
    padded[p : p + matrix.rows, p : p + matrix.cols] = matrix
    return padded


def _pairs_met(image: np.ndarray, k: int, p: int) -> np.ndarray:
    """For every pixel and every kernel tap, in how many window positions the tap lies over the pixel.

    Each pixel becomes its own one-hot image (one channel each); cross-correlating it with a one-hot
    kernel after padding every side with ``p`` zeros, and summing the output, counts the meetings.
    """
    pixels = image.size
    one_hot = np.eye(pixels).reshape(pixels, *image.shape)
    padded = np.pad(one_hot, ((0, 0), (p, p), (p, p)))
    counts = np.zeros((pixels, k, k))
    for a in range(k):
        for b in range(k):
            tap = np.zeros((pixels, 1, k, k))
            tap[:, 0, a, b] = 1.0
            counts[:, a, b] = ref.cross_correlate(padded, tap, groups=pixels).sum(axis=(1, 2))
    return counts


def ex3a(w: Work) -> None:
    image, kernel = sp.Matrix(w.given.image), sp.Matrix(w.given.kernel)
    rows, cols, k = image.rows, image.cols, kernel.rows

    w.note(
        "**The image.** The full output is linear in the pixels. Write the pixels as unknowns $x_{ab}$, "
        "cross-correlate them with $K$ (full padding, derived below) and set the result equal to the source's "
        "$A_{\\mathrm{full}}$: that gives one equation per output entry. SymPy finds exactly one solution, "
        "the image the source prints:"
    )
    with w.quietly():
        ((p_solve, _),) = padding_for_mode("full", k)
    unknowns = entries("x", rows, cols)
    full = cross_correlation(_pad(unknowns, p_solve), kernel)
    target = sp.Matrix(w.source.output_full)
    (solution,) = sp.linsolve(list(full - target), list(unknowns))
    if any(sp.sympify(value).free_symbols for value in solution):
        raise AssertionError("the full output does not determine the image")
    recovered = w.derive("X", sp.Matrix(rows, cols, list(solution)))
    w.result("image", recovered, "The only image whose full output is the source's $A_{\\mathrm{full}}$")

    w.note("**Valid.** No zeros are added; the kernel only visits positions where it lies wholly inside the image.")
    shape_valid = conv_output_size((rows, cols), kernel_size=k)
    w.result("output_shape_valid", shape_valid, "Output size, valid (rows × columns)")
    positions = w.let("O", "o_h * o_w", o_h=shape_valid[0], o_w=shape_valid[1])
    w.result("valid_positions", positions, "Positions of the kernel inside the image")
    if any(kernel[a, b] != kernel[0, b] for a in range(k) for b in range(k)):
        raise AssertionError("the column-sum form below needs a kernel whose columns are constant")
    w.note(
        "Every column of $K$ is constant ($w_{1b} = w_{2b} = w_{3b}$), so an output weighs the column sums of its "
        "window. The first row of outputs reads rows 1 to 3 of $X$, whose column sums are"
    )
    pixel = {unknowns[r, c]: image[r, c] for r in range(rows) for c in range(cols)}
    sums = sp.Matrix([[sum(unknowns[0:k, c])] for c in range(cols)])
    lhs = rf"\left(x_{{1b}} + x_{{2b}} + x_{{3b}}\right)_{{b = 1}}^{{{cols}}}"
    column_sums = [row[0] for row in w.derive(lhs, sums, pixel)]
    w.result("column_sums", column_sums, "Column sums of rows 1 to 3 of $X$, the bracketed sums of (1.1)")
    w.note(
        "Output $y_{1c}$ weighs the sums of columns $c$ to $c + 2$ with $w_{11}, w_{12}, w_{13}$, as the source "
        "writes in (1.1):"
    )
    for c in range(shape_valid[1]):
        terms = " + ".join(f"w_1{b + 1}*{column_sums[c + b]}" for b in range(k))
        value = w.let(f"y_1{c + 1}", terms, **{f"w_1{b + 1}": kernel[0, b] for b in range(k)})
        w.result(f"worked_y1{c + 1}", value, f"$y_{{1{c + 1}}}$ worked as in (1.1)")
    w.note(
        "The second row does the same with rows 2 to 4. In general, output $(r, c)$ is "
        "$\\sum_{a,b} w_{ab}\\, x_{r+a-1,\\, c+b-1}$ with the kernel not flipped, and the whole output is"
    )
    a_valid = w.derive(r"A_{\mathrm{valid}}", cross_correlation(image, kernel))
    w.result("output_valid", a_valid, "$A_{\\mathrm{valid}}$")

    w.note(
        "**Same.** At stride 1 the output keeps the image's size when the kernel's $\\hat{k} - 1$ extra positions "
        "are made up with zeros, split between the two sides:"
    )
    ((left, right),) = padding_for_mode("same", k)
    if left != right:
        raise AssertionError("an odd kernel pads both sides equally")
    w.result("padding_same", left, "Rows and columns of zeros on each side, same")
    shape_same = conv_output_size((rows, cols), kernel_size=k, padding=left)
    w.result("output_shape_same", shape_same, "Output size, same")
    padded = w.derive(r"\tilde{X}", _pad(image, left))
    w.result("padded_same", padded, "Zero-padded image $\\tilde{X}$, same")
    w.note("The same sum as for the valid case, now over $\\tilde{X}$:")
    a_same = w.derive(r"A_{\mathrm{same}}", cross_correlation(_pad(image, left), kernel))
    w.result("output_same", a_same, "$A_{\\mathrm{same}}$")

    w.note("**Full.** Enough zeros on each side that every pixel meets every weight of the kernel:")
    ((p_full, _),) = padding_for_mode("full", k)
    w.result("padding_full", p_full, "Rows and columns of zeros on each side, full")
    shape_full = conv_output_size((rows, cols), kernel_size=k, padding=p_full)
    w.result("output_shape_full", shape_full, "Output size, full")
    w.note(
        "Pixel $x_{ab}$ meets weight $w_{cd}$ in exactly one window position, the one that puts that weight over "
        "it. The hardest cases are the first pixel of a row under the last weight, and the last pixel under the "
        "first weight; both windows fit inside the padded image when each side has"
    )
    bound = w.derive("p", symbol("k") - 1, {symbol("k"): k}, relation=r"\ge")
    w.result(
        "every_pixel_meets_every_weight",
        p_full >= bound,
        "Every pixel meets every weight exactly once, full",
    )
    w.note("which the full padding meets with equality. The same sum over $X$ padded this way gives")
    a_full = w.derive(r"A_{\mathrm{full}}", cross_correlation(_pad(image, p_full), kernel))
    w.result("output_full", a_full, "$A_{\\mathrm{full}}$")

    w.note(
        "**Which operation.** All three matrices are cross-correlations: the kernel is not flipped. That is "
        "what the source's own answer to 1(b) says networks compute, and it calls the full case a full "
        "correlation. A true convolution would first turn $K$ by 180°, which for this kernel changes its sign:"
    )
    rotated = w.derive(r"\operatorname{rot}_{180^\circ} K", kernel[::-1, ::-1])
    w.result(
        "convolution_negates",
        sp.Matrix(rotated) == -kernel,
        "A true convolution gives $-A$ in every mode",
    )
    w.note(
        "So a true convolution gives each matrix above with every sign changed. The source's matrices are the "
        "cross-correlations, consistent with its own convention; [3(b)](#ex3b) shows where the sign starts to matter."
    )

    x = np.array(w.given.image, dtype=float)[None]
    weight = np.array(w.given.kernel, dtype=float)[None, None]
    out_valid = ref.cross_correlate(x, weight)[0]
    columns = np.eye(x.size).reshape(x.size, *x.shape[1:])
    matrix = np.stack([ref.cross_correlate(one[None], weight, padding="full")[0].ravel() for one in columns], axis=1)
    rank = np.linalg.matrix_rank(matrix)
    least_squares = np.linalg.lstsq(matrix, np.array(w.source.output_full, dtype=float).ravel(), rcond=None)[0]
    w.check(
        "image",
        least_squares.reshape(x.shape[1:]) if rank == x.size else None,
        f"the NumPy full cross-correlations of the {x.size} one-pixel images, as the columns of a "
        f"{matrix.shape[0]} × {matrix.shape[1]} matrix, have rank {rank}, so no two images share a full output; "
        "least squares on the source's $A_{\\mathrm{full}}$ returns this image",
    )
    w.check("output_shape_valid", out_valid.shape, f"the NumPy cross-correlation returns shape {out_valid.shape}")
    w.check("valid_positions", out_valid.size, f"that output has {out_valid.size} entries")
    w.check("column_sums", x[0, :k].sum(axis=0), "NumPy sums the first three rows of $X$ column by column")
    for c in range(shape_valid[1]):
        w.check(
            f"worked_y1{c + 1}",
            out_valid[0, c],
            f"entry (1, {c + 1}) of the NumPy cross-correlation, which uses all nine weights",
        )
    w.check("output_valid", out_valid, "the NumPy cross-correlation without padding")

    trials = {p: ref.cross_correlate(np.pad(x, ((0, 0), (p, p), (p, p))), weight).shape[1:] for p in range(4)}
    smallest = min(p for p, shape in trials.items() if shape == x.shape[1:])
    w.check(
        "padding_same",
        smallest,
        "padding the image with NumPy and cross-correlating without padding: "
        + ", ".join(f"{p} → {shape}" for p, shape in trials.items())
        + f"; the size is kept first at {smallest}",
    )
    out_same = ref.cross_correlate(x, weight, padding="same")[0]
    w.check("output_shape_same", out_same.shape, f"`padding='same'` returns shape {out_same.shape}")
    w.check("padded_same", np.pad(x[0], smallest), f"`numpy.pad` with {smallest}")
    w.check("output_same", out_same, "the NumPy cross-correlation with `padding='same'`")

    meetings = {p: _pairs_met(x[0], k, p) for p in range(k)}
    every_once = {p: bool((counts == 1).all()) for p, counts in meetings.items()}
    first = min(p for p, ok in every_once.items() if ok)
    missed = {p: int((counts == 0).sum()) for p, counts in meetings.items()}
    w.check(
        "padding_full",
        first,
        f"counting, for each of the {x.size} pixels and {k * k} weights, the window positions where they meet "
        "(NumPy cross-correlations of one-pixel images with one-weight kernels): pairs never meeting with "
        + ", ".join(f"padding {p}: {n}" for p, n in missed.items())
        + f"; every pair meets exactly once first at padding {first}",
    )
    w.check("every_pixel_meets_every_weight", every_once[p_full], f"the same count at padding {p_full}")
    out_full = ref.cross_correlate(x, weight, padding="full")[0]
    w.check("output_shape_full", out_full.shape, f"`padding='full'` returns shape {out_full.shape}")
    w.check("output_full", out_full, "the NumPy cross-correlation with `padding='full'`")
    modes = ("valid", "same", "full")
    negated = all(
        np.array_equal(ref.convolve(x, weight, padding=m), -ref.cross_correlate(x, weight, padding=m)) for m in modes
    )
    w.check(
        "convolution_negates",
        negated,
        "the NumPy `convolve` (kernel flipped) returns the negative of `cross_correlate` with padding "
        + ", ".join(f"'{m}'" for m in modes),
    )


def _same_output(w: Work) -> sp.Matrix:
    """A_same of 3(a), recomputed without recording steps."""
    image, kernel = sp.Matrix(w.given.image), sp.Matrix(w.given.kernel)
    with w.quietly():
        ((p, _),) = padding_for_mode("same", kernel.rows)
    return cross_correlation(_pad(image, p), kernel)


def _max_pool(y: sp.Matrix, size: int, shape: tuple[int, int]) -> sp.Matrix:
    """Maximum of each non-overlapping size × size block."""
    return sp.Matrix(*shape, lambda r, c: sp.Max(*y[r * size : (r + 1) * size, c * size : (c + 1) * size]))


def ex3b(w: Work) -> None:
    size = w.given.pool
    a_same = _same_output(w)
    w.note("The detector stage applies the ReLU to each entry of $A_{\\mathrm{same}}$ from 3(a):")
    y = w.derive(r"Y_{\mathrm{same}} = \max\{A_{\mathrm{same}}, 0\}", a_same.applyfunc(lambda v: sp.Max(v, 0)))
    w.result("relu_same", y, "$Y_{\\mathrm{same}}$")
    w.note(
        "Max pooling over non-overlapping neighbourhoods is a window of the neighbourhood's size moved by its own "
        "size each step:"
    )
    shape = pool_output_size(a_same.shape, kernel_size=size)
    w.result("pooled_shape", shape, "Pooled size (rows × columns)")
    k_h, k_w = symbol("k_h"), symbol("k_w")
    window = w.derive(r"\text{values per window}", k_h * k_w, {k_h: size, k_w: size})
    w.result("window_values", window, "Values combined into one pooled value")
    pooled = w.derive(r"P_{\mathrm{same}}", _max_pool(sp.Matrix(y), size, shape))
    w.result("pooled_same", pooled, "$P_{\\mathrm{same}}$")
    w.note(
        "Had the stage computed a true convolution, $A_{\\mathrm{same}}$ would change sign (3(a)); the ReLU would "
        "then keep the right-hand edge instead, and pooling would give the mirror image:"
    )
    flipped = (-a_same).applyfunc(lambda v: sp.Max(v, 0))
    mirror = w.derive(r"P_{\mathrm{same}}^{\mathrm{conv}}", _max_pool(flipped, size, shape))
    w.result("pooled_with_convolution", mirror, "$P_{\\mathrm{same}}$ if the stage computed a true convolution")

    x = np.array(w.given.image, dtype=float)[None]
    weight = np.array(w.given.kernel, dtype=float)[None, None]
    detected = ref.relu(ref.cross_correlate(x, weight, padding="same"))
    pooled_np = ref.max_pool(detected, size)
    w.check("relu_same", detected[0], "NumPy `relu` of the `padding='same'` cross-correlation")
    w.check("pooled_shape", pooled_np.shape[1:], f"NumPy `max_pool` with window {size} returns {pooled_np.shape[1:]}")
    rows, cols = detected.shape[1:]
    blocks = detected[0].reshape(rows // size, size, cols // size, size).swapaxes(1, 2)
    w.check(
        "window_values",
        blocks.shape[2] * blocks.shape[3],
        f"cutting $Y_{{\\mathrm{{same}}}}$ into blocks with NumPy gives blocks of shape {blocks.shape[2:]}, and "
        f"their maxima equal `max_pool`'s output: {bool(np.array_equal(blocks.max(axis=(2, 3)), pooled_np[0]))}",
    )
    w.check("pooled_same", pooled_np[0], "NumPy `max_pool` of the ReLU output")
    convolved = ref.max_pool(ref.relu(ref.convolve(x, weight, padding="same")), size)[0]
    w.check("pooled_with_convolution", convolved, "NumPy `convolve`, then `relu`, then `max_pool`")
