"""Seminar 5, Exercise 3: a small convolution forward and backward, and a ReLU's gradient.

The input gradient is derived symbolically (SymPy differentiates the loss written out in the input
entries), then confirmed with the NumPy scatter-add gradient and with finite differences.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size
from solutions.formulas.matrices import cross_correlation, entries, rotate_180


def _values(symbols: sp.Matrix, numbers: list[list]) -> dict[sp.Symbol, object]:
    return {symbols[r, c]: numbers[r][c] for r in range(symbols.rows) for c in range(symbols.cols)}


def q3a(w: Work) -> None:
    x, kernel = w.given.x, w.given.kernel
    rows, cols = conv_output_size((len(x), len(x[0])), kernel_size=(len(kernel), len(kernel[0])))
    w.note("Output $(r, c)$ multiplies the kernel with the input window whose top-left entry is $x_{rc}$:")
    outputs, factors = [], []
    for r in range(rows):
        for c in range(cols):
            pairs = [
                (f"x_{r + a + 1}{c + b + 1}", f"w_{a + 1}{b + 1}", x[r + a][c + b], kernel[a][b])
                for a in range(len(kernel))
                for b in range(len(kernel[0]))
            ]
            terms = " + ".join(f"{xs}*{ws}" for xs, ws, _, _ in pairs)
            values = {xs: xv for xs, _, xv, _ in pairs} | {ws: wv for _, ws, _, wv in pairs}
            outputs.append(w.let(f"y_{r + 1}{c + 1}", terms, **values))
            factors.append([[xv, wv] for _, _, xv, wv in pairs])
    w.result("output", [outputs[r * cols : (r + 1) * cols] for r in range(rows)], "Output $y$")
    w.result(
        "second_output_terms",
        factors[1],
        "Factor pairs ($x$ entry, $w$ entry) of the four products that make the second output, $y_{12}$",
    )

    x_array, k_array = np.array(x, dtype=float), np.array(kernel, dtype=float)
    out = ref.cross_correlate(x_array[None], k_array[None, None])[0]
    window = x_array[: k_array.shape[0], 1 : 1 + k_array.shape[1]]
    w.check("output", out, f"a NumPy cross-correlation returns {out.tolist()}")
    w.check(
        "second_output_terms",
        np.stack([window.ravel(), k_array.ravel()], axis=1),
        f"NumPy's window under the kernel's second position, {window.tolist()}, read beside the kernel",
    )


def q3b(w: Work) -> None:
    x, kernel, upstream, other = w.given.x, w.given.kernel, w.given.upstream, w.given.other_upstream
    xs, ks = entries("x", len(x), len(x[0])), entries("w", len(kernel), len(kernel[0]))
    deltas = entries("delta", len(upstream), len(upstream[0]))
    outputs = cross_correlation(xs, ks)
    loss = sum(deltas[r, c] * outputs[r, c] for r in range(outputs.rows) for c in range(outputs.cols))
    w.note(
        r"Write the loss's dependence on the outputs as $\mathcal{L}$ with upstream gradient "
        r"$\delta_{rc} = \partial \mathcal{L} / \partial y_{rc}$. By the chain rule "
        r"$\partial \mathcal{L}/\partial x_{ab} = \sum_{rc} \delta_{rc}\, \partial y_{rc}/\partial x_{ab}$, "
        "which SymPy evaluates from the outputs written out in the entries of $x$:"
    )
    gradient = xs.applyfunc(lambda entry: sp.diff(loss, entry))
    lhs = r"\frac{\partial \mathcal{L}}{\partial x}"
    values = _values(ks, kernel) | _values(deltas, upstream)
    result = w.derive(lhs, gradient, values)
    w.result("input_gradient", result, r"Gradient $\partial \mathcal{L} / \partial x$")

    w.note(
        "As one operation on $\\delta$ and $w$, these entries are a full convolution: pad $\\delta$ with zeros "
        "(one less than the kernel's size on each side), rotate the kernel by 180° and slide it over $\\delta$:"
    )
    padded = sp.zeros(deltas.rows + 2 * (ks.rows - 1), deltas.cols + 2 * (ks.cols - 1))
    padded[ks.rows - 1 : ks.rows - 1 + deltas.rows, ks.cols - 1 : ks.cols - 1 + deltas.cols] = deltas
    w.derive(r"\delta *_{\text{full}} w", cross_correlation(padded, rotate_180(ks)))
    w.note(
        "The source computes it the other way round, sliding $\\delta$ over the kernel (a full "
        "cross-correlation of $w$ with $\\delta$), which meets each weight with the wrong entry of $\\delta$:"
    )
    padded_kernel = sp.zeros(ks.rows + 2 * (deltas.rows - 1), ks.cols + 2 * (deltas.cols - 1))
    padded_kernel[deltas.rows - 1 : deltas.rows - 1 + ks.rows, deltas.cols - 1 : deltas.cols - 1 + ks.cols] = ks
    sliding = cross_correlation(padded_kernel, deltas)
    w.derive(r"w \star_{\text{full}} \delta", sliding)
    w.derive(
        r"w \star_{\text{full}} \delta - \frac{\partial \mathcal{L}}{\partial x}",
        (sliding - gradient).applyfunc(sp.factor),
    )
    w.note(
        "The difference vanishes for every kernel only when $\\delta_{11} = \\delta_{12}$, that is when $\\delta$ "
        f"reads the same turned by 180°. The given {upstream[0]} does, so the source's numbers are right here; "
        f"for an upstream gradient {other[0]} they are not:"
    )
    is_gradient = sp.expand(sliding - gradient) == sp.zeros(*gradient.shape)
    w.result(
        "cross_correlation_is_gradient",
        is_gradient,
        r"Is sliding $\delta$ over the kernel ($w \star_{\text{full}} \delta$) the input gradient for every "
        r"$\delta$?",
    )
    other_values = _values(ks, kernel) | _values(deltas, other)
    w.result(
        "other_input_gradient",
        w.derive(lhs, gradient, other_values),
        f"Gradient $\\partial \\mathcal{{L}} / \\partial x$ for the upstream gradient {other[0]}",
    )
    w.result(
        "other_sliding",
        w.derive(r"w \star_{\text{full}} \delta", sliding, other_values),
        f"Sliding $\\delta$ = {other[0]} over the kernel, as the source does",
    )
    top_middle = [[padded_kernel[0, 1 + c], upstream[0][c]] for c in range(deltas.cols)]
    w.result(
        "top_middle_terms",
        [[kernel_value.xreplace(_values(ks, kernel)), delta] for kernel_value, delta in top_middle],
        "Factor pairs ($w$ entry, $\\delta$ entry) of the source's top-middle sum",
    )

    x_array, k_array = np.array(x, dtype=float)[None], np.array(kernel, dtype=float)[None, None]
    g_array, other_array = np.array(upstream, dtype=float)[None], np.array(other, dtype=float)[None]
    scattered = ref.conv_input_grad(x_array.shape, k_array, g_array)[0]
    numeric = ref.numerical_gradient(lambda v: float((ref.cross_correlate(v, k_array) * g_array).sum()), x_array)[0]
    w.check(
        "input_gradient",
        scattered,
        f"the NumPy chain rule (scatter-add of δ·w into the input) gives {scattered.tolist()}",
    )
    w.check("input_gradient", numeric, "central finite differences of the loss agree to 1e-9")
    true = ref.conv_input_grad(x_array.shape, k_array, other_array)[0]
    slid = ref.cross_correlate(k_array[0], other_array[None], padding="full")[0]
    w.check("other_input_gradient", true, f"the NumPy chain rule gives {true.tolist()}")
    w.check("other_sliding", slid, f"NumPy's full cross-correlation of the kernel with δ gives {slid.tolist()}")
    w.check(
        "cross_correlation_is_gradient",
        bool(np.allclose(true, slid)),
        f"for δ = {other[0]} the two NumPy results above differ",
    )
    kernel_padded = np.pad(k_array[0, 0], ((0, 0), (len(upstream[0]) - 1,) * 2))
    pairs = np.stack([kernel_padded[0, 1 : 1 + len(upstream[0])], g_array[0, 0]], axis=1)
    w.check(
        "top_middle_terms",
        pairs,
        f"NumPy's zero-padded kernel, first row, second position, read beside δ: {pairs.tolist()}",
    )


def q3c(w: Work) -> None:
    x, upstream = sp.Matrix(w.given.x_relu), sp.Matrix(w.given.upstream)
    relu = x.applyfunc(lambda v: sp.Max(0, v))
    w.result("relu_output", w.derive(r"y = \max(0, x)", relu), "ReLU output $y$")
    slope = x.applyfunc(lambda v: 1 if v > 0 else 0)
    w.derive(r"\mathbb{1}[x > 0]", slope)
    gradient = sp.matrix_multiply_elementwise(upstream, slope)
    w.result(
        "input_gradient",
        w.derive(r"\frac{\partial \mathcal{L}}{\partial x} = \delta \odot \mathbb{1}[x > 0]", gradient),
        r"Gradient $\partial \mathcal{L} / \partial x$",
    )

    x_array = np.array(w.given.x_relu, dtype=float)
    out = ref.relu(x_array)
    grad = ref.relu_grad(x_array, np.array(w.given.upstream, dtype=float))
    w.check("relu_output", out, f"NumPy `relu` returns {out.tolist()}")
    w.check("input_gradient", grad, f"NumPy `relu_grad` returns {grad.tolist()}")
