"""CSCI 5922 problem set 3, Q3: a convolution and a transposed convolution by hand.

The figure with the input and the kernel is lost. The kernel is Q3b's first worked step divided by
the input entry it names; the input is the solution of the linear system "transposed convolution of
an unknown 4 × 4 input with that kernel = Q3b's final answer", solved exactly in SymPy (36 equations
in 16 unknowns; both ranks are computed to show the solution exists and is unique). The NumPy checks
rebuild the system independently, column by column, by running the reference scatter-add on each unit
input, and solve it by least squares.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, conv_transpose_output_size
from solutions.formulas.matrices import cross_correlation, entries
from solutions.notation import indexed, symbol
from solutions.render.latex import latex, latex_substituted, latex_value


def _tex(matrix: sp.Matrix) -> str:
    """LaTeX of a matrix for the left-hand side of a step (no " & ", which the page layout reserves)."""
    return latex(matrix).replace(" & ", "&")


def _scatter(x: sp.Matrix, kernel: sp.Matrix) -> sp.Matrix:
    """Transposed convolution (stride 1, no padding): each x[a, b] adds x[a, b] * kernel at (a, b)."""
    out = sp.zeros(x.rows + kernel.rows - 1, x.cols + kernel.cols - 1)
    for a in range(x.rows):
        for b in range(x.cols):
            out[a : a + kernel.rows, b : b + kernel.cols] += x[a, b] * kernel
    return out


def _kernel(w: Work) -> sp.Matrix:
    """The stamped block of Q3b's first step divided by the input entry it names."""
    k = w.given.kernel_size
    canvas = sp.Matrix(w.given.first_step)
    block = canvas[:k, :k]
    if any(canvas[r, c] != 0 for r in range(canvas.rows) for c in range(canvas.cols) if r >= k or c >= k):
        raise ValueError("the first step stamps more than one k × k block")
    return block / w.given.first_entry


def _system(w: Work, kernel: sp.Matrix) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix, sp.Matrix]:
    """The unknown input, its scatter-add, and the system A vec(x) = vec(z) it must satisfy."""
    rows, cols = w.given.input_shape
    xs = entries("x", rows, cols)
    scattered = _scatter(xs, kernel)
    target = sp.Matrix(w.given.transposed_output)
    equations = [scattered[n] - target[n] for n in range(len(target))]
    matrix, rhs = sp.linear_eq_to_matrix(equations, list(xs))
    return xs, scattered, matrix, rhs


def _input(w: Work) -> tuple[sp.Matrix, sp.Matrix]:
    """The reconstructed input and the kernel (no steps recorded: for Q3b, which reuses them)."""
    kernel = _kernel(w)
    xs, _, matrix, rhs = _system(w, kernel)
    (solution,) = sp.linsolve((matrix, rhs), list(xs))
    return sp.Matrix(xs.rows, xs.cols, list(solution)), kernel


def _aligned_block(lines: list[str]) -> str:
    """Display math with one aligned line per entry, indented to sit inside an admonition."""
    fence = "$" * 2  # the display-math delimiter, kept out of this listing's text on the page
    math = [fence, r"\begin{aligned}", " \\\\\n".join(lines), r"\end{aligned}", fence]
    return "\n".join(f"    {line}" for line in "\n".join(math).splitlines())


def _equations_note(scattered: sp.Matrix, target: sp.Matrix) -> str:
    """The equations in two columns: the top half of the canvas's rows beside the bottom half."""
    equations = [
        f"z_{{{r + 1}{c + 1}}} &= {latex(scattered[r, c])} = {latex_value(int(target[r, c]))}"
        for r in range(scattered.rows)
        for c in range(scattered.cols)
    ]
    half = (len(equations) + 1) // 2
    right = equations[half:] + [""] * (2 * half - len(equations))
    lines = [f"{a} &\\qquad {b}" if b else a for a, b in zip(equations[:half], right, strict=True)]
    indented = _aligned_block(lines)
    return f'??? note "The {len(equations)} equations, one per output entry"\n\n{indented}'


def _by_hand_note(kernel: sp.Matrix, xs: sp.Matrix, solution: sp.Matrix, target: sp.Matrix) -> str:
    """Forward substitution: w_11 != 0, so z_rc (r, c within the input) gives x_rc from earlier entries."""
    lead = kernel[0, 0]
    values = {xs[n]: solution[n] for n in range(len(xs))}
    lines = []
    for r in range(xs.rows):
        for c in range(xs.cols):
            z = indexed("z", f"{r + 1}{c + 1}")
            others = [
                -kernel[a, b] * xs[r - a, c - b]
                for a in range(kernel.rows)
                for b in range(kernel.cols)
                if (a, b) != (0, 0) and r - a >= 0 and c - b >= 0 and kernel[a, b] != 0
            ]
            expr = sp.Add(z, *others, evaluate=False)
            if lead != 1:
                expr = sp.Mul(expr, 1 / lead, evaluate=False)
            known = {sym: values[sym] for sym in expr.free_symbols if sym in values} | {z: target[r, c]}
            chain = [latex(expr, order="none")]
            if len(expr.args) > 1 or lead != 1:
                chain.append(latex_substituted(expr, known, order="none"))
            chain.append(latex_value(int(solution[r, c])))
            lines.append(f"x_{{{r + 1}{c + 1}}} &= " + " = ".join(chain))
    indented = _aligned_block(lines)
    intro = (
        f"Because $w_{{11}} = {latex_value(int(lead))} \\neq 0$, the output entry $z_{{rc}}$ for $r, c \\le {xs.rows}$ "
        "contains $x_{rc}$ and otherwise only entries above or to the left of it, so the unknowns can be "
        "solved one at a time, in reading order; the other equations are then checks."
    )
    return f'??? note "By hand: one unknown at a time"\n\n    {intro}\n\n{indented}'


def _numeric_system(w: Work) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NumPy: the kernel, and the system built column by column from the reference scatter-add."""
    k = w.given.kernel_size
    kernel = np.array(w.given.first_step, dtype=float)[:k, :k] / w.given.first_entry
    rows, cols = w.given.input_shape
    columns = []
    for n in range(rows * cols):
        unit = np.zeros((1, rows, cols))
        unit.flat[n] = 1.0
        columns.append(ref.conv_transpose(unit, kernel[None, None]).reshape(-1))
    matrix = np.column_stack(columns)
    rhs = np.array(w.given.transposed_output, dtype=float).reshape(-1)
    return kernel, matrix, rhs, np.linalg.lstsq(matrix, rhs, rcond=None)[0].reshape(rows, cols)


def q3a(w: Work) -> None:
    rows, cols = w.given.input_shape
    k = w.given.kernel_size
    first = w.given.first_entry
    w.note(
        "**1. The kernel.** Q3b's first step stamps $x_{11}\\, w$, with $x_{11} = [[given.first_entry]]$, onto the "
        "top-left corner of an empty canvas. Dividing the stamped block by $x_{11}$:"
    )
    block = sp.Matrix(w.given.first_step)[:k, :k]
    kernel = sp.Matrix(w.derive(rf"w = \tfrac{{1}}{{{first}}} {_tex(block)}", _kernel(w)))

    xs, scattered, matrix, rhs = _system(w, kernel)
    target = sp.Matrix(w.given.transposed_output)
    n_eq, n_unknown = matrix.shape
    w.note(
        f"**2. The input.** In Q3b every input entry $x_{{ab}}$ adds $x_{{ab}}\\, w$ to the {k} × {k} block of a "
        f"{target.rows} × {target.cols} canvas whose top-left corner is at $(a, b)$. With the {n_unknown} entries "
        f"of $x$ unknown, each of the {n_eq} canvas entries $z_{{rc}}$ is a linear combination of them, and Q3b's "
        f"final answer gives its value: {n_eq} linear equations $A\\, \\mathrm{{vec}}(x) = \\mathrm{{vec}}(z)$ in "
        f"{n_unknown} unknowns."
    )
    w.note(_equations_note(scattered, target))
    w.note("SymPy computes both ranks exactly:")
    rank = w.derive(r"\operatorname{rank} A", sp.Integer(matrix.rank()))
    rank_augmented = w.derive(
        r"\operatorname{rank}\, [A \mid \mathrm{vec}(z)]", sp.Integer(matrix.row_join(rhs).rank())
    )
    w.note(
        f"Appending the right-hand side adds no rank, so the {n_eq} equations are consistent; and the rank equals "
        f"the number of unknowns, {n_unknown}, so they have exactly one solution. SymPy's exact solution:"
    )
    (solution,) = sp.linsolve((matrix, rhs), list(xs))
    solved = sp.Matrix(rows, cols, list(solution))
    rebuilt = w.derive("x", solved)
    w.note(_by_hand_note(kernel, xs, solved, target))

    w.note(
        "**3. The convolution.** As deep-learning frameworks compute it (a cross-correlation: the kernel slides "
        "over the input unflipped), with stride 1 and no padding. The output size first:"
    )
    out_rows, out_cols = conv_output_size((rows, cols), kernel_size=k)
    i, kk = symbol("i"), symbol("k")
    with w.quietly():
        general = conv_output_size(i, kernel_size=kk)
    w.note("In general, at stride 1 without padding, and the source's formula as written, for comparison:")
    w.derive("o", general)
    source_here = w.derive(r"o_{\text{source}}", w.source.output_size_formula, {i: rows, kk: k})
    w.note(
        "Output $y_{rc}$ sums the input window whose top-left entry is $x_{rc}$, multiplied entry by entry with $w$:"
    )
    outputs = sp.zeros(out_rows, out_cols)
    for r in range(out_rows):
        for c in range(out_cols):
            window = solved[r : r + k, c : c + k]
            products = window.multiply_elementwise(kernel)
            lhs = rf"y_{{{r + 1}{c + 1}}} = \textstyle\sum {_tex(window)} \odot w = \textstyle\sum {_tex(products)}"
            outputs[r, c] = w.derive(lhs, sp.Integer(sum(products)))

    printed = w.source.kernel_as_worked[0][1]
    w.note(
        f"**4. The weight $w_{{12}}$.** Q3b's kernel has $w_{{12}} = {latex_value(kernel[0, 1])}$; the source's "
        f"products of $y_{{11}}$, $y_{{12}}$ and $y_{{22}}$ print ${latex_value(printed)}$. Leaving $w_{{12}}$ unknown "
        "and every other weight as it is:"
    )
    w12 = indexed("w", "12")
    open_kernel = kernel.copy()
    open_kernel[0, 1] = w12
    in_w12 = cross_correlation(solved, open_kernel)
    w.derive("y", in_w12)
    mismatch = [e for e in (in_w12 - sp.Matrix(w.source.output)) if e != 0]
    (solved_w12,) = sp.solve(mismatch, w12, dict=True)
    w.note(
        f"Setting it equal to the source's output ${latex(sp.Matrix(w.source.output))}$ leaves {len(mismatch)} "
        "equations in $w_{12}$, with one common solution:"
    )
    w12_value = w.derive("w_{12}", solved_w12[w12])
    w.note("With the weight the worked products print instead:")
    with_printed = w.derive(rf"y\big|_{{w_{{12}} = {printed}}}", in_w12.subs(w12, printed))
    w.note(
        "**5. Convolution or cross-correlation.** The mathematical convolution rotates the kernel by 180° before "
        "sliding it; this kernel is unchanged by the rotation, so both give the output above:"
    )
    rotated = w.derive(r"w \text{ rotated by } 180^\circ", kernel[::-1, ::-1])

    w.result("kernel", kernel.tolist(), "Kernel $w$, from Q3b's first step")
    w.result("input", rebuilt, "The lost input $x$, rebuilt from Q3b's answer")
    w.result("rank", rank, "Rank of the system's matrix $A$ (the number of unknowns)")
    w.result("rank_augmented", rank_augmented, "Rank with Q3b's answer appended as a column")
    w.result("output_size", out_rows, "Output size (the output is square)")
    w.result("output", outputs.tolist(), "Output $y$")
    w.result("output_size_formula", general, "Output size at stride 1 without padding")
    w.result("source_formula_here", source_here, "The source's formula $i - k + 2$, here")
    w.result("w12_solved", w12_value, "The $w_{12}$ that gives the source's output")
    w.result("output_with_printed_kernel", with_printed, "Output with $w_{12}$ as the worked products print it")
    w.result("kernel_as_worked", kernel.tolist(), "Kernel the worked products must use")
    w.result("kernel_as_worked_y21", kernel.tolist(), "Kernel the worked products of $y_{21}$ must use")
    w.result("rotation_invariant", rotated == kernel.tolist(), "Is $w$ unchanged by a 180° rotation?")

    for r in range(out_rows):
        for c in range(out_cols):
            name = f"y{r + 1}{c + 1}"
            w.result(f"window_{name}", solved[r : r + k, c : c + k].tolist(), f"Input window of $y_{{{r + 1}{c + 1}}}$")
            w.result(f"terms_{name}", outputs[r, c], f"Sum of the nine products of $y_{{{r + 1}{c + 1}}}$")
            w.result(f"short_{name}", outputs[r, c], f"Shortened sum of $y_{{{r + 1}{c + 1}}}$")
    windows = [sp.Matrix(w.source[f"window_y{r + 1}{c + 1}"]) for r in range(out_rows) for c in range(out_cols)]
    truth = [solved[r : r + k, c : c + k] for r in range(out_rows) for c in range(out_cols)]
    matching = sum(
        int(a == b)
        for printed_w, true_w in zip(windows, truth, strict=True)
        for a, b in zip(printed_w, true_w, strict=True)
    )
    w.result("printed_values", sum(len(m) for m in windows), "Input values the worked products print")
    w.result("printed_values_matching", matching, "Of those, equal to the rebuilt input")

    # NumPy checks: the system rebuilt from the reference scatter-add, solved by least squares.
    kernel_np, matrix_np, rhs_np, input_np = _numeric_system(w)
    replay = ref.conv_transpose(input_np[None], kernel_np[None, None])[0]
    w.check("kernel", kernel_np, f"the first step's top-left {k}×{k} block divided by {first} in NumPy")
    w.check(
        "rank",
        np.linalg.matrix_rank(matrix_np),
        f"NumPy builds $A$ column by column, running the reference scatter-add on each of the {n_unknown} unit "
        f"inputs; `matrix_rank` gives {np.linalg.matrix_rank(matrix_np)}",
    )
    augmented_np = np.column_stack([matrix_np, rhs_np])
    w.check("rank_augmented", np.linalg.matrix_rank(augmented_np), "`matrix_rank` of $A$ with the answer appended")
    w.check(
        "input",
        input_np,
        f"NumPy least squares on that system; the scatter-add of its solution reproduces Q3b's answer to "
        f"{np.abs(replay - np.array(w.given.transposed_output)).max():.0e} in every entry",
    )
    conv = ref.cross_correlate(input_np[None], kernel_np[None, None])[0]
    w.check("output", conv, f"NumPy cross-correlation of the rebuilt input with the kernel: {conv.round(12).tolist()}")
    w.check("output_size", conv.shape[0], f"that output has shape {conv.shape}")
    for size, width in ((rows, k), (5, 2)):
        shape = ref.cross_correlate(np.zeros((1, size, size)), np.zeros((1, 1, width, width))).shape[1]
        w.check_at(
            "output_size_formula",
            {"i": size, "k": width},
            shape,
            f"NumPy: input {size}, kernel {width} → {shape} positions",
        )
    w.check("source_formula_here", rows - k + 2, f"{rows} − {k} + 2, the formula as written")
    for r in range(out_rows):
        for c in range(out_cols):
            name = f"y{r + 1}{c + 1}"
            window_np = input_np[r : r + k, c : c + k]
            w.check(f"window_{name}", window_np, f"rows {r + 1}–{r + k}, columns {c + 1}–{c + k} of the NumPy input")
            w.check(f"terms_{name}", float((window_np * kernel_np).sum()), "the nine NumPy products, summed")
            w.check(f"short_{name}", conv[r, c], "the NumPy output entry")
    source_out = np.array(w.source.output, dtype=float)
    fits = []
    for value in range(-3, 4):
        trial = kernel_np.copy()
        trial[0, 1] = value
        if np.allclose(ref.cross_correlate(input_np[None], trial[None, None])[0], source_out):
            fits.append(value)
    w.check(
        "w12_solved",
        fits[0] if len(fits) == 1 else None,
        f"trying $w_{{12}}$ from −3 to 3 in NumPy, only {fits} reproduces the source's output {w.source.output}",
    )
    trial = kernel_np.copy()
    trial[0, 1] = printed
    got = ref.cross_correlate(input_np[None], trial[None, None])[0]
    w.check("output_with_printed_kernel", got, f"NumPy with the printed kernel gives {got.round(12).tolist()}")
    how = f"the NumPy kernel from Q3b's first step; with it NumPy reproduces the source's output {w.source.output}"
    w.check("kernel_as_worked", kernel_np if np.allclose(conv, source_out) else None, how)
    w.check("kernel_as_worked_y21", kernel_np, "the same NumPy kernel")
    flipped = ref.convolve(input_np[None], kernel_np[None, None])[0]
    w.check(
        "rotation_invariant",
        bool(np.array_equal(kernel_np, kernel_np[::-1, ::-1]) and np.allclose(flipped, conv)),
        f"NumPy: the rotated kernel equals the kernel, and the true convolution gives {flipped.round(12).tolist()} too",
    )
    printed_np = np.stack(
        [np.array(w.source[f"window_y{r + 1}{c + 1}"]) for r in range(out_rows) for c in range(out_cols)]
    )
    true_np = np.stack([input_np[r : r + k, c : c + k] for r in range(out_rows) for c in range(out_cols)])
    w.check("printed_values", printed_np.size, f"the four printed windows stacked in NumPy: shape {printed_np.shape}")
    w.check("printed_values_matching", int(np.isclose(printed_np, true_np).sum()), "entries equal to the NumPy input's")


def q3b(w: Work) -> None:
    solved, kernel = _input(w)
    rows, cols = solved.shape
    k = kernel.rows
    w.note("With the input rebuilt in Q3a and the kernel:")
    w.derive("x", solved)
    w.derive("w", kernel)
    out_shape = conv_transpose_output_size((rows, cols), kernel_size=k)
    w.result("output_shape", out_shape, "Output size (rows × columns)")
    i, kk = symbol("i"), symbol("k")
    with w.quietly():
        general = conv_transpose_output_size(i, kernel_size=kk)
    w.note("In general, at stride 1 without padding:")
    w.derive("o", general)
    w.result("output_size_formula", general, "Output size along one dimension, stride 1, no padding")
    w.note("One stamp per input entry:")
    steps = w.let("I", "i_h * i_w", i_h=rows, i_w=cols)
    w.result("steps", steps, "Stamps, one per input entry")
    w.note("The first stamp, $x_{11}\\, w$ with its top-left corner at $(1, 1)$:")
    first = sp.zeros(*out_shape)
    first[:k, :k] = solved[0, 0] * kernel
    w.result("first_step", w.derive(r"x_{11}\, w \text{ at } (1, 1)", first), "Canvas after the first stamp")
    w.note("The running sum after all stamps of each input row:")
    canvas = sp.zeros(*out_shape)
    for a in range(rows):
        for b in range(cols):
            canvas[a : a + k, b : b + k] += solved[a, b] * kernel
        value = w.derive(rf"z \text{{ after row {a + 1} of }} x", canvas.copy())
    w.result("output", value, "Output $z$")
    w.note(
        "The source's pseudocode updates the rows `i : j + K_h` (1-indexed, stop excluded) for input entry "
        f"$(i, j)$, with `i` and `j` its loop indices. The number of rows that slice spans, $j + K_h - i$, for each "
        f"of the {rows * cols} entries:"
    )
    heights = sp.Matrix(rows, cols, lambda a, b: (b + 1) + k - (a + 1))
    w.result("printed_block_rows", w.derive(r"\bigl(j + K_h - i\bigr)_{ij}", heights), "Rows the printed slice spans")
    w.result("algorithm_as_printed_works", all(h == k for h in heights), "Does the pseudocode work as printed?")

    x_np = np.array(solved.tolist(), dtype=float)
    k_np = np.array(kernel.tolist(), dtype=float)
    counter = ref.MacCounter()
    out = ref.conv_transpose(x_np[None], k_np[None, None], counter=counter)[0]
    w.check("output_shape", out.shape, f"the NumPy scatter-add returns shape {out.shape}")
    for size, width in ((rows, k), (5, 2)):
        shape = ref.conv_transpose(np.zeros((1, size)), np.zeros((1, 1, width))).shape[1]
        w.check_at(
            "output_size_formula", {"i": size, "k": width}, shape, f"NumPy: input {size}, kernel {width} → {shape}"
        )
    w.check(
        "steps",
        counter.macs // k_np.size,
        f"the NumPy scatter-add forms {counter.macs} products, {k_np.size} per stamped input entry",
    )
    only_first = np.zeros_like(x_np)
    only_first[0, 0] = x_np[0, 0]
    first_np = ref.conv_transpose(only_first[None], k_np[None, None])[0]
    w.check("first_step", first_np, "the NumPy scatter-add of an input holding only $x_{11}$")
    w.check("output", out, "the NumPy scatter-add of the whole input")
    spans = np.array([[np.zeros(out.shape)[a : b + k, b : b + k].shape[0] for b in range(cols)] for a in range(rows)])
    w.check("printed_block_rows", spans, "the row count of each printed slice, taken from a NumPy array (0-indexed)")
    literal = np.zeros(out.shape)
    try:
        for a in range(rows):
            for b in range(cols):
                literal[a : b + k, b : b + k] += x_np[a, b] * k_np
        works = bool(np.array_equal(literal, out))
        error = "it runs"
    except ValueError as problem:
        works = False
        error = f"NumPy stops at the second stamp: {problem}"
    w.check("algorithm_as_printed_works", works, f"the pseudocode run literally in NumPy: {error}")
