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
from solutions.formulas.matrices import cross_correlation, entries


def _values(symbols: sp.Matrix, numbers: list[list]) -> dict[sp.Symbol, object]:
    return {symbols[r, c]: numbers[r][c] for r in range(symbols.rows) for c in range(symbols.cols)}


def q3a(w: Work) -> None:
    x, kernel = w.given.x, w.given.kernel
    rows, cols = conv_output_size((len(x), len(x[0])), kernel_size=(len(kernel), len(kernel[0])))
    w.note("Output $(r, c)$ multiplies the kernel with the input window whose top-left entry is $x_{rc}$:")
    outputs = []
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
    w.result("output", [outputs[r * cols : (r + 1) * cols] for r in range(rows)], "Output $y$")
    w.result("second_output_terms", outputs[1], "Sum of the four products for the second output, $y_{12}$")

    out = ref.cross_correlate(np.array(x, dtype=float)[None], np.array(kernel, dtype=float)[None, None])[0]
    w.check("output", out, f"a NumPy cross-correlation returns {out.tolist()}")
    w.check("second_output_terms", out[0, 1], f"its second entry is {out[0, 1]}")


def q3b(w: Work) -> None:
    x, kernel, upstream = w.given.x, w.given.kernel, w.given.upstream
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
        "The same entries, as one operation on $\\delta$ and $w$: a full cross-correlation of $\\delta$ with "
        "the kernel as it is pairs each $\\delta$ with the mirrored weight,"
    )
    padded = sp.zeros(deltas.rows + 2 * (ks.rows - 1), deltas.cols + 2 * (ks.cols - 1))
    padded[ks.rows - 1 : ks.rows - 1 + deltas.rows, ks.cols - 1 : ks.cols - 1 + deltas.cols] = deltas
    full_correlation = cross_correlation(padded, ks)
    w.derive(r"\delta \star_{\text{full}} w", full_correlation)
    w.note("whereas rotating the kernel by 180° first (a full convolution) gives exactly the gradient:")
    full_convolution = cross_correlation(padded, ks[::-1, ::-1])
    w.derive(r"\delta *_{\text{full}} w", full_convolution)
    is_gradient = sp.expand(full_correlation - gradient) == sp.zeros(*gradient.shape)
    w.result(
        "cross_correlation_is_gradient",
        is_gradient,
        "Is the full cross-correlation of $\\delta$ with $w$ the input gradient?",
    )

    x_array, k_array = np.array(x, dtype=float)[None], np.array(kernel, dtype=float)[None, None]
    g_array = np.array(upstream, dtype=float)[None]
    scattered = ref.conv_input_grad(x_array.shape, k_array, g_array)[0]
    numeric = ref.numerical_gradient(lambda v: float((ref.cross_correlate(v, k_array) * g_array).sum()), x_array)[0]
    w.check(
        "input_gradient",
        scattered,
        f"the NumPy chain rule (scatter-add of δ·w into the input) gives {scattered.tolist()}",
    )
    w.check("input_gradient", numeric, "central finite differences of the loss agree to 1e-9")
    other = np.array([[1.0, 2.0]])[None]
    true = ref.conv_input_grad(x_array.shape, k_array, other)[0]
    correlated = ref.cross_correlate(other, k_array, padding="full")[0]
    w.check(
        "cross_correlation_is_gradient",
        bool(np.allclose(true, correlated)),
        f"with upstream gradient [1, 2], the true input gradient is {true.tolist()} but the full NumPy "
        f"cross-correlation gives {correlated.tolist()}",
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
