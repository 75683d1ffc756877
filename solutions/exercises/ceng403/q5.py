"""CENG 403 exam, Question 5: unshared, dilated, transposed, separable and 1 × 1 convolutions.

Counts are checked on NumPy layers; costs by counting the products the NumPy cross-correlation forms
(one filter at a time, times the number of filters, where a layer's products would not fit in
memory at once); the transposed convolution's overlaps by scatter-adding ones; an unshared layer by
a direct NumPy implementation with one weight array per output position.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import (
    conv_macs,
    conv_output_size,
    conv_params,
    conv_transpose_output_size,
    depthwise_params,
    depthwise_separable_ratio,
    pointwise_params,
    spatial_separable_ratio,
)
from solutions.formulas.receptive_field import RF_SIZE_STEP
from solutions.formulas.separable import SPATIAL_SEPARABLE_RATIO
from solutions.notation import indexed, symbol
from solutions.reference import layers


def _rounded(value: sp.Rational, digits: int) -> sp.Rational:
    """``value`` rounded half up to ``digits`` decimals, exactly."""
    scale = 10**digits
    return sp.Rational(sp.floor(value * scale + sp.Rational(1, 2)), scale)


def _locally_connected(x: np.ndarray, weight: np.ndarray, padding: int) -> np.ndarray:
    """An unshared convolution: ``weight`` is (o_h, o_w, C_out, C_in, k, k), one filter bank per position."""
    out_h, out_w, out_c, _, k, _ = weight.shape
    padded = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    y = np.zeros((out_c, out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            y[:, r, c] = np.tensordot(weight[r, c], padded[:, r : r + k, c : c + k], axes=3)
    return y


def _contributions(length: int, kernel: int, stride: int) -> list[int]:
    """How many (input, tap) products a transposed convolution adds into each output position."""
    size = (length - 1) * stride + kernel
    return [sum(1 for t in range(length) if 0 <= n - stride * t < kernel) for n in range(size)]


def q5a(w: Work) -> None:
    g = w.given
    k = g.kernel
    w.note("**Unshared.** A 3 × 3 window with padding 1 keeps the map's size; a convolution shares one filter,")
    shared = w.let("W", "K * C_in * C_out", K=k * k, C_in=1, C_out=1)
    with w.quietly():
        side = conv_output_size(g.map, k, padding=1)
    w.note("an unshared layer has one filter per output position:")
    unshared = w.let("W", "o_h * o_w * K * C_in * C_out", o_h=side, o_w=side, K=k * k, C_in=1, C_out=1)
    w.result("shared_weights", shared, "Shared 3 × 3 filter: weights")
    w.result("unshared_weights", unshared, "Unshared, on a 32 × 32 map: weights")

    w.note("**Dilated.** The span of $k$ taps spaced $d$ apart, from the receptive-field recurrence of one layer:")
    with w.quietly():
        general = RF_SIZE_STEP(previous_size=1, previous_jump=1, kernel_size=symbol("k"), dilation=symbol("d"))
    w.derive("r", general)
    w.result("span_formula", general, "Span of a dilated kernel")
    low, high = g.dilations
    spans = [RF_SIZE_STEP(previous_size=1, previous_jump=1, kernel_size=k, dilation=d) for d in (low, high)]
    w.result("span_d2", spans[0], "Span of a 3 × 3 kernel at dilation 2 (per side)")
    w.result("span_d4", spans[1], "Span at dilation 4 (per side)")
    w.result("dilated_weights", conv_params(1, 1, k, bias=False), "Weights of a dilated 3 × 3 kernel, any dilation")

    w.note("**Transposed.** In general, without padding, and for the example:")
    i_sym, k_sym, s_sym = symbol("i"), symbol("k"), symbol("s")
    w.result(
        "transposed_formula",
        conv_transpose_output_size(i_sym, k_sym, stride=s_sym),
        "Transposed convolution: output size, in general",
    )
    up = conv_transpose_output_size((g.small_input, g.small_input), g.up_kernel, stride=g.up_stride)
    w.result("upsampled", up, "Output of the 2 × 2 example")
    n, m_k, m_s = g.restore_input, g.overlap_kernels[0], g.up_stride
    w.note(
        f"Does a transposed convolution with the same $k$ and $s$ undo a convolution's change of size? With "
        f"$k = {m_k}$, $s = {m_s}$, a convolution of an input of {n}, then the transposed convolution of its output:"
    )
    down = conv_output_size(n, m_k, stride=m_s)
    back = conv_transpose_output_size(down, m_k, stride=m_s)
    w.result("size_after_round_trip", back, f"Size after the round trip, from {n}")
    w.result("transposed_restores_size", back == n, "Does the same $k$, $s$ always give the input size back?")
    w.note(
        "The floor of the convolution's formula discards the remainder of $(i - k)/s$; PyTorch's "
        "`output_padding` adds it back on one side:"
    )
    i_, k_, s_ = symbol("i"), symbol("k"), symbol("s")
    extra = w.derive(r"\text{output padding}", sp.Mod(i_ - k_, s_), {i_: n, k_: m_k, s_: m_s})
    w.result("output_padding_needed", extra, "Output padding needed to get the input size back")
    w.result(
        "size_with_output_padding",
        conv_transpose_output_size(down, m_k, stride=m_s, output_padding=extra),
        "Size after the round trip with that output padding",
    )
    w.note(
        f"Contributions to each output position along a row of {g.row} inputs, stride 2: output $n$ receives one "
        "product from every input $t$ with $0 \\le n - s t \\le k - 1$:"
    )
    counts = {}
    for size in g.overlap_kernels:
        lhs = rf"\text{{contributions}}_{{k = {size}}}"
        counts[size] = w.derive(lhs, sp.Matrix([_contributions(g.row, size, g.up_stride)]))[0]
    three, four = g.overlap_kernels
    w.result("overlaps_k3", counts[three], "Contributions per output position, $k = 3$")
    w.result("overlaps_k4", counts[four], "Contributions per output position, $k = 4$")
    interior = counts[three][three - 1 : len(counts[three]) - (three - 1)]
    w.result("uneven_overlap", len(set(interior)) > 1, "Uneven away from the borders when $s$ does not divide $k$?")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, g.map, g.map))
    bank = np.broadcast_to(rng.standard_normal((1, 1, k, k)), (side, side, 1, 1, k, k)).copy()
    same = np.allclose(_locally_connected(x, bank, 1), ref.cross_correlate(x, bank[0, 0], padding=1))
    w.check("shared_weights", bank[0, 0].size, f"one NumPy filter of shape {bank[0, 0].shape}")
    w.check(
        "unshared_weights",
        bank.size,
        f"the NumPy unshared layer's weight array has shape {bank.shape}; with every position's filter set equal "
        f"it reproduces the shared convolution ({'yes' if same else 'no'})",
    )
    for key, d in (("span_d2", low), ("span_d4", high)):
        mask = ref.receptive_field_mask([layers.Conv(1, 1, k, dilation=d, fill=1.0)], (1, 11, 11), (0, 0))
        sizes, _ = ref.receptive_field_extent(mask)
        w.check(
            key,
            sizes[0],
            f"a NumPy `Conv(1, 1, 3, dilation={d})` reads {int(mask.sum())} pixels spread over {sizes[0]}×{sizes[1]}",
        )
        w.check_at("span_formula", {"k": k, "d": d}, sizes[0], f"at $k = {k}$, $d = {d}$: measured {sizes[0]}")
    dilated = layers.Conv(1, 1, k, dilation=high, bias=False, fill=0.0)
    w.check(
        "dilated_weights",
        dilated.num_parameters,
        f"a NumPy `Conv(1, 1, 3, dilation={high})` holds {dilated.num_parameters}",
    )
    small = np.ones((1, g.small_input, g.small_input))
    out = ref.conv_transpose(small, np.ones((1, 1, g.up_kernel, g.up_kernel)), stride=g.up_stride)
    w.check("upsampled", out.shape[1:], f"the NumPy scatter-add transposed convolution returns {out.shape}")
    reduced = ref.cross_correlate(np.ones((1, n)), np.ones((1, 1, m_k)), stride=m_s)
    restored = ref.conv_transpose(reduced, np.ones((1, 1, m_k)), stride=m_s)
    w.check(
        "size_after_round_trip",
        restored.shape[1],
        f"NumPy: a row of {n} becomes {reduced.shape[1]} by the cross-correlation and {restored.shape[1]} by the "
        "transposed convolution",
    )
    trips = {
        size: ref.conv_transpose(
            ref.cross_correlate(np.ones((1, size)), np.ones((1, 1, m_k)), stride=m_s), np.ones((1, 1, m_k)), stride=m_s
        ).shape[1]
        for size in range(m_k, m_k + 2 * m_s)
    }
    w.check(
        "transposed_restores_size",
        all(size == back for size, back in trips.items()),
        "the same NumPy round trip for inputs " + ", ".join(f"{size} → {back}" for size, back in trips.items()),
    )
    lost = {size: size - back for size, back in trips.items()}
    w.check("output_padding_needed", lost[n], f"the NumPy round trip loses {lost[n]} of {n}")
    padded = np.pad(restored, ((0, 0), (0, lost[n])))
    w.check(
        "size_with_output_padding",
        padded.shape[1],
        f"padding the NumPy result by the lost {lost[n]} on one side gives {padded.shape[1]}",
    )
    for size in (3, 5):
        length = ref.conv_transpose(np.ones((1, 4)), np.ones((1, 1, size)), stride=2).shape[1]
        w.check_at(
            "transposed_formula", {"i": 4, "k": size, "s": 2}, length, f"$i = 4$, $k = {size}$, $s = 2$: {length}"
        )
    for key, size in (("overlaps_k3", three), ("overlaps_k4", four)):
        row = ref.conv_transpose(np.ones((1, g.row)), np.ones((1, 1, size)), stride=g.up_stride)[0]
        w.check(key, row, f"NumPy `conv_transpose` of ones with a kernel of ones returns {row.astype(int).tolist()}")
    row = ref.conv_transpose(np.ones((1, g.row)), np.ones((1, 1, three)), stride=g.up_stride)[0]
    inner = row[three - 1 : row.size - (three - 1)]
    w.check(
        "uneven_overlap", bool(inner.min() != inner.max()), f"its interior {inner.astype(int).tolist()} is not constant"
    )


def q5b(w: Work) -> None:
    g = w.given
    k = g.kernel
    column, row = sp.Matrix(g.column), sp.Matrix([g.row])
    outer = w.derive(r"\begin{bmatrix} 1 \\ 2 \\ 1 \end{bmatrix} \begin{bmatrix} 1& 2& 1 \end{bmatrix}", column * row)
    w.result("kernel", outer, "The kernel as an outer product")
    spatial_separable_ratio(k)
    steps = {step.symbol.name: value for step, value in SPATIAL_SEPARABLE_RATIO.evaluate_steps(kernel_size=k)}
    w.result("weights_full", steps["W_std"], "Weights of the 3 × 3 kernel")
    w.result("weights_separable", steps["W_sep"], "Weights of the column and the row")
    rho, w_std, w_sep = symbol("rho"), symbol("W_std"), symbol("W_sep")
    fewer = w.derive(
        r"\text{fewer, in \%}",
        sp.Mul(100, sp.Add(w_std, -w_sep), sp.Pow(w_std, -1, evaluate=False), evaluate=False),
        {w_std: steps["W_std"], w_sep: steps["W_sep"]},
    )
    w.result("reduction_percent", _rounded(fewer, 0), "Fewer weights, to the nearest whole percent")
    w.note("Multiply-accumulates per output position (each weight is used once per output):")
    full = conv_macs((1, 1), 1, 1, (k, k))
    vertical = conv_macs((1, 1), 1, 1, (k, 1))
    horizontal = conv_macs((1, 1), 1, 1, (1, k))
    both = w.let("MACs", "MACs_col + MACs_row", MACs_col=vertical, MACs_row=horizontal)
    w.result("macs_per_position_full", full, "MACs per position, 3 × 3 kernel")
    w.result("macs_per_position_separable", both, "MACs per position, column then row")
    w.note(
        "Column then row gives the 2-D result: with $w_{rc} = u_r v_c$, "
        r"$\sum_r u_r \sum_c v_c\, x_{rc} = \sum_{r,c} w_{rc}\, x_{rc}$ for every window. SymPy, on a window of "
        "symbols:"
    )
    window = sp.Matrix(3, 3, lambda r, c: indexed("x", f"{r + 1}{c + 1}"))
    two_d = sum(outer[r][c] * window[r, c] for r in range(3) for c in range(3))
    separable = sum(column[r] * sum(row[c] * window[r, c] for c in range(3)) for r in range(3))
    w.derive(r"\sum_{r} u_r \sum_{c} v_c\, x_{rc} - \sum_{r,c} w_{rc}\, x_{rc}", sp.expand(separable - two_d))
    w.result("same_output", sp.expand(separable - two_d) == 0, "Same output as the 3 × 3 kernel?")

    height, width, c_in = g.input
    c_out = g.out_channels
    w.note("**Depthwise separable**, from the example's channels:")
    standard = conv_params(c_in, c_out, k, bias=False)
    depthwise = depthwise_params(c_in, k, bias=False)
    pointwise = pointwise_params(c_in, c_out, bias=False)
    total = w.let("W_sep", "W_dw + W_pw", W_dw=depthwise, W_pw=pointwise)
    w.result("standard_weights", standard, "Standard 3 × 3 layer: weights")
    w.result("depthwise_weights", depthwise, "Depthwise step: weights")
    w.result("pointwise_weights", pointwise, "Pointwise step: weights")
    w.result("separable_weights", total, "Depthwise separable: weights")
    with w.quietly():
        general = depthwise_separable_ratio(symbol("C_in"), symbol("C_out"), symbol("k"))
    w.result("ratio_formula", general, "Fraction of the weights that remain, in general")
    ratio = depthwise_separable_ratio(c_in, c_out, k)
    factor = w.derive(r"\text{reduction}", 1 / rho, {rho: ratio})
    w.result("reduction", _rounded(factor, 1), "Reduction, to one decimal")
    w.result("reduction_from_ratio", _rounded(factor, 0), "Reduction from the ratio formula, to a whole number")
    c_out_sym, k_sym = symbol("C_out"), symbol("k")
    limit = sp.limit(1 / (1 / c_out_sym + 1 / k_sym**2), c_out_sym, sp.oo)
    w.derive(r"\lim_{C_{\mathrm{out}} \to \infty} 1 / \rho", limit)
    w.result("reduction_limit", limit.subs(k_sym, k), "Limit of the reduction for a very wide output")
    w.note(f"Costs on the {height} × {width} map, with padding 1 so that the size is kept:")
    with w.quietly():
        side = conv_output_size(height, k, padding=1)
    macs_standard = conv_macs((side, side), c_in, c_out, k)
    macs_dw = conv_macs((side, side), c_in, c_in, k, groups=c_in)
    macs_pw = conv_macs((side, side), c_in, c_out, 1)
    macs_separable = w.let("MACs", "MACs_dw + MACs_pw", MACs_dw=macs_dw, MACs_pw=macs_pw)
    w.result("macs_standard", macs_standard, "Standard layer: MACs")
    w.result("macs_separable", macs_separable, "Depthwise separable: MACs")
    w.result(
        "same_ratio_for_macs",
        sp.Rational(macs_separable, macs_standard) == ratio,
        "Do the MACs shrink by the same factor?",
    )

    image = np.random.default_rng(0).standard_normal((1, 8, 8))
    counters = [ref.MacCounter() for _ in range(3)]
    full_out = ref.cross_correlate(image, np.array(outer, dtype=float)[None, None], padding=1, counter=counters[0])
    col_out = ref.cross_correlate(
        image, np.array(g.column, dtype=float).reshape(1, 1, 3, 1), padding=(1, 0), counter=counters[1]
    )
    sep_out = ref.cross_correlate(
        col_out, np.array(g.row, dtype=float).reshape(1, 1, 1, 3), padding=(0, 1), counter=counters[2]
    )
    outer_np = np.outer(g.column, g.row)
    w.check("kernel", outer_np, f"`np.outer` returns {outer_np.tolist()}, of rank {np.linalg.matrix_rank(outer_np)}")
    w.check("weights_full", outer_np.size, f"the NumPy kernel has {outer_np.size} entries")
    w.check("weights_separable", len(g.column) + len(g.row), "the two NumPy vectors have 3 entries each")
    w.check("reduction_percent", round(100 * (1 - 6 / outer_np.size)), f"{100 * (1 - 6 / outer_np.size):.2f} %")
    positions = image[0].size
    w.check(
        "macs_per_position_full",
        counters[0].macs / positions,
        f"on an 8×8 NumPy image with padding 1, the 3×3 cross-correlation forms {counters[0].macs} products, "
        f"{counters[0].macs // positions} per output",
    )
    w.check(
        "macs_per_position_separable",
        (counters[1].macs + counters[2].macs) / positions,
        f"the column pass forms {counters[1].macs} and the row pass {counters[2].macs}",
    )
    w.check(
        "same_output",
        bool(np.allclose(full_out, sep_out)),
        f"the two NumPy results differ by at most {np.abs(full_out - sep_out).max():.1e}",
    )
    std_layer = layers.Conv(c_in, c_out, k, bias=False, fill=0.0)
    dw_layer = layers.Conv(c_in, c_in, k, groups=c_in, bias=False, fill=0.0)
    pw_layer = layers.Conv(c_in, c_out, 1, bias=False, fill=0.0)
    w.check("standard_weights", std_layer.weight.size, f"NumPy `Conv(128, 256, 3)`: weight {std_layer.weight.shape}")
    w.check(
        "depthwise_weights",
        dw_layer.weight.size,
        f"NumPy `Conv(128, 128, 3, groups=128)`: weight {dw_layer.weight.shape}",
    )
    w.check("pointwise_weights", pw_layer.weight.size, f"NumPy `Conv(128, 256, 1)`: weight {pw_layer.weight.shape}")
    w.check("separable_weights", dw_layer.weight.size + pw_layer.weight.size, "the two NumPy weights together")
    measured = std_layer.weight.size / (dw_layer.weight.size + pw_layer.weight.size)
    w.check("reduction", round(measured, 1), f"the NumPy counts give {measured:.4f}")
    w.check("reduction_from_ratio", round(measured), f"the same NumPy counts, {measured:.4f}, to a whole number")
    for out_channels in (64, 256, 1024):
        shapes = [(out_channels, c_in, k, k), (c_in, 1, k, k), (out_channels, c_in, 1, 1)]
        sizes = [int(np.prod(shape)) for shape in shapes]
        w.check_at(
            "ratio_formula",
            {"C_in": c_in, "C_out": out_channels, "k": k},
            sp.Rational(sizes[1] + sizes[2], sizes[0]),
            f"at $C_{{\\mathrm{{out}}}} = {out_channels}$, from NumPy weight shapes: "
            f"({sizes[1]} + {sizes[2]}) / {sizes[0]}",
        )
    huge = 10**12
    wide = k * k * c_in * huge / (k * k * c_in + c_in * huge)
    w.check("reduction_limit", wide, f"the counts for $C_{{\\mathrm{{out}}}} = 10^{{12}}$ give {wide:.10f}")
    x = np.zeros((c_in, height, width))
    one = ref.MacCounter()
    ref.cross_correlate(x, np.zeros((1, c_in, k, k)), padding=1, counter=one)
    w.check("macs_standard", one.macs * c_out, f"one NumPy filter forms {one.macs:,} products; times {c_out}")
    dw, pw = ref.MacCounter(), ref.MacCounter()
    ref.cross_correlate(x, np.zeros((c_in, 1, k, k)), padding=1, groups=c_in, counter=dw)
    ref.cross_correlate(x, np.zeros((1, c_in, 1, 1)), counter=pw)
    w.check(
        "macs_separable",
        dw.macs + pw.macs * c_out,
        f"the NumPy depthwise pass forms {dw.macs:,} products, a pointwise filter {pw.macs:,}, times {c_out}",
    )
    w.check(
        "same_ratio_for_macs",
        abs((dw.macs + pw.macs * c_out) / (one.macs * c_out) - measured**-1) < 1e-12,
        "the counted MACs and the counted weights give the same ratio",
    )


def q5c(w: Work) -> None:
    g = w.given
    height, width, c_in = g.input
    out = conv_output_size((height, width), 1)
    w.result("output_shape", (*out, g.out_channels), "Output of the 1 × 1 layer")
    w.result("pointwise_weights", pointwise_params(c_in, g.out_channels, bias=False), "Its weights")
    w.result("same_as_linear", True, "The same as one fully connected layer at every position?")
    w.note(
        "By definition $y_{:,r,c} = W x_{:,r,c}$ with $W$ of shape "
        r"$C_{\mathrm{out}} \times C_{\mathrm{in}}$ at every position $(r, c)$, which is what a fully connected "
        "layer does to one vector."
    )

    w.note("A 5 × 5 convolution reading 256 channels against one reading 64 (the subscript numbers the two):")
    o_h, o_w, c_out, kk = symbol("o_h"), symbol("o_w"), symbol("C_out"), symbol("k")
    c_1, c_2 = indexed("C_in", 1), indexed("C_in", 2)
    with w.quietly():
        wide_cost = conv_macs((o_h, o_w), c_1, c_out, kk)
        narrow_cost = conv_macs((o_h, o_w), c_2, c_out, kk)
    cut = w.derive(
        r"\mathrm{MACs}_{1} / \mathrm{MACs}_{2}",
        sp.Mul(wide_cost, sp.Pow(narrow_cost, -1, evaluate=False), evaluate=False),
        {c_1: g.example_in, c_2: g.example_mid, kk: 5},
    )
    w.result("reduction_5x5", cut, "5 × 5 layer on 64 instead of 256 channels: fewer MACs by")

    w.note(
        "**The source's example**, with $C_{\\mathrm{out},1}$ filters in the 3 × 3 branch and "
        "$C_{\\mathrm{out},2}$ in the 5 × 5 branch, first without the reductions, then with them:"
    )
    c_in_sym, c_mid = symbol("C_in"), symbol("C_mid")
    k_1, k_2, out_1, out_2 = indexed("k", 1), indexed("k", 2), indexed("C_out", 1), indexed("C_out", 2)
    values = {c_in_sym: g.example_in, c_mid: g.example_mid, k_1: 3, k_2: 5}
    without = w.derive(r"W_{\text{without}}", k_1**2 * c_in_sym * out_1 + k_2**2 * c_in_sym * out_2, values)
    branch_3 = w.derive(r"W_{3r}", c_in_sym * c_mid + k_1**2 * c_mid * out_1, values)
    branch_5 = w.derive(r"W_{5r}", c_in_sym * c_mid + k_2**2 * c_mid * out_2, values)
    with_reduction = w.derive(r"W_{\text{with}} = W_{3r} + W_{5r}", branch_3 + branch_5)
    w.result("params_without", without, "Weights of the two branches without the reductions")
    w.result("params_with", with_reduction, "Weights of the two branches with the reductions")
    w.note("The source's four terms, which count one 3 × 3 and one 5 × 5 filter, add up to")
    terms = w.let(
        "W",
        "C_in*C_mid + C_mid*k_1**2 + C_in*C_mid + C_mid*k_2**2",
        C_in=g.example_in,
        C_mid=g.example_mid,
        k_1=3,
        k_2=5,
    )
    w.result("params_with_sum", terms, "The source's four terms, added")
    w.note("With the same number of filters $C_{\\mathrm{out}}$ in both branches, the reductions save weights when")
    equal = {out_1: c_out, out_2: c_out}
    real = sp.Symbol("real_filters", positive=True)  # the crossing need not be an integer
    (bound,) = sp.solve(sp.Eq(with_reduction.xreplace(equal), without.xreplace(equal)).subs(c_out, real), real)
    w.derive(r"W_{\text{with}} < W_{\text{without}} \iff C_{\mathrm{out}}", bound, relation=">")
    first = int(sp.floor(bound)) + 1
    w.result("break_even", first, "Fewest filters per branch for which the reductions save weights")
    w.result(
        "reductions_add_weights",
        bool(sp.limit((with_reduction - without).xreplace(equal), c_out, sp.oo) > 0),
        "Do the reductions add weights whatever the number of filters?",
    )

    n = g.inception
    w.note(
        "**GoogLeNet's inception (3a)**: the 3 × 3 and 5 × 5 branches without and with their reductions "
        "(subscript r), then the whole module with its 1 × 1 branch and its pooling projection:"
    )
    w3 = w.let("W_3", "k**2 * C_in * C_out", k=3, C_in=n["in"], C_out=n["out_3x3"])
    w5 = w.let("W_5", "k**2 * C_in * C_out", k=5, C_in=n["in"], C_out=n["out_5x5"])
    w3r = w.let(
        "W_3r", "C_in * C_mid + k**2 * C_mid * C_out", C_in=n["in"], C_mid=n["reduce_3x3"], k=3, C_out=n["out_3x3"]
    )
    w5r = w.let(
        "W_5r", "C_in * C_mid + k**2 * C_mid * C_out", C_in=n["in"], C_mid=n["reduce_5x5"], k=5, C_out=n["out_5x5"]
    )
    plain = w.let("W", "W_3 + W_5", W_3=w3, W_5=w5)
    reduced = w.let("W", "W_3r + W_5r", W_3r=w3r, W_5r=w5r)
    big, small = indexed("W", "plain"), indexed("W", "reduced")
    saving = w.derive(r"\text{saving}", big / small, {big: plain, small: reduced})
    module = w.let(
        "W",
        "W_3r + W_5r + C_in*C_out_1 + C_in*C_out_4",
        W_3r=w3r,
        W_5r=w5r,
        C_in=n["in"],
        C_out_1=n["branch_1x1"],
        C_out_4=n["pool_proj"],
    )
    macs = w.let("MACs", "o_h * o_w * W", o_h=n["size"], o_w=n["size"], W=module)
    channels = w.let(
        "C_out",
        "C_out_1 + C_out_2 + C_out_3 + C_out_4",
        C_out_1=n["branch_1x1"],
        C_out_2=n["out_3x3"],
        C_out_3=n["out_5x5"],
        C_out_4=n["pool_proj"],
    )
    w.result("branches_without", plain, "Inception (3a), 3 × 3 and 5 × 5 branches without reductions: weights")
    w.result("branches_with", reduced, "The same branches with their reductions: weights")
    w.result("saving_3a", _rounded(saving, 2), "Saving, to two decimals")
    w.result("module_weights", module, "Whole module: weights")
    w.result("module_macs", macs, "Whole module: MACs")
    w.result("module_channels", channels, "Whole module: output channels")
    w.note("Against the 159K parameters of the paper's table, in percent:")
    ours, table = indexed("W", "module"), indexed("W", "table")
    gap = w.derive(
        r"\text{gap, in \%}",
        sp.Mul(100, sp.Add(ours, -table), sp.Pow(table, -1, evaluate=False), evaluate=False),
        {ours: module, table: n["paper_params"]},
    )
    w.result("params_gap_percent", _rounded(gap, 1), "Our weight count above the table's, in percent (one decimal)")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((c_in, height, width))
    layer = layers.Conv(c_in, g.out_channels, 1, bias=False)
    y = layer(x)
    linear = layers.Linear(c_in, g.out_channels, bias=False)
    linear.weight = layer.weight.reshape(g.out_channels, c_in)
    per_pixel = np.moveaxis(linear(np.moveaxis(x, 0, -1)), -1, 0)
    w.check("output_shape", (*y.shape[1:], y.shape[0]), f"a NumPy `Conv(128, 64, 1)` returns {y.shape} (C, H, W)")
    w.check("pointwise_weights", layer.weight.size, f"its weight has shape {layer.weight.shape}")
    w.check(
        "same_as_linear",
        bool(np.allclose(y, per_pixel)),
        "a NumPy `Linear(128, 64)` with the same weights, applied to every pixel's channel vector, gives the same "
        f"output (largest difference {np.abs(y - per_pixel).max():.1e})",
    )

    def cost(channels_in: int, kernel: int) -> int:
        counter = ref.MacCounter()
        ref.cross_correlate(
            np.zeros((channels_in, 16, 16)), np.zeros((1, channels_in, kernel, kernel)), padding="same", counter=counter
        )
        return counter.macs

    w.check(
        "reduction_5x5",
        cost(g.example_in, 5) / cost(g.example_mid, 5),
        "one NumPy 5×5 filter on a 16×16 map forms "
        f"{cost(g.example_in, 5):,} products over 256 channels and {cost(g.example_mid, 5):,} over 64",
    )

    def branches(filters_3: int, filters_5: int, reduce: bool) -> int:
        if not reduce:
            return (
                layers.Conv(g.example_in, filters_3, 3, bias=False, fill=0.0).num_parameters
                + layers.Conv(g.example_in, filters_5, 5, bias=False, fill=0.0).num_parameters
            )
        return sum(
            layers.Conv(c_a, c_b, size, bias=False, fill=0.0).num_parameters
            for c_a, c_b, size in (
                (g.example_in, g.example_mid, 1),
                (g.example_mid, filters_3, 3),
                (g.example_in, g.example_mid, 1),
                (g.example_mid, filters_5, 5),
            )
        )

    for filters in (1, 128):
        pairs = {"C_out_1": filters, "C_out_2": filters}
        w.check_at(
            "params_without",
            pairs,
            branches(filters, filters, False),
            f"NumPy layers, {filters} {'filter' if filters == 1 else 'filters'} each",
        )
        w.check_at(
            "params_with",
            pairs,
            branches(filters, filters, True),
            f"NumPy layers, {filters} {'filter' if filters == 1 else 'filters'} each",
        )
    w.check("params_with_sum", branches(1, 1, True), "the NumPy layers with one 3×3 and one 5×5 filter")
    table = {f: branches(f, f, True) < branches(f, f, False) for f in range(1, 9)}
    w.check(
        "break_even",
        min(f for f, saves in table.items() if saves),
        "NumPy layers for 1 to 8 filters per branch: the reductions save weights from "
        f"{min(f for f, saves in table.items() if saves)} filters on",
    )
    w.check("reductions_add_weights", all(not saves for saves in table.values()), "the same NumPy counts")

    def conv(c_a: int, c_b: int, size: int) -> layers.Conv:
        return layers.Conv(c_a, c_b, size, padding=size // 2, bias=False, fill=0.0)

    module_layers = [
        conv(n["in"], n["branch_1x1"], 1),
        conv(n["in"], n["reduce_3x3"], 1),
        conv(n["reduce_3x3"], n["out_3x3"], 3),
        conv(n["in"], n["reduce_5x5"], 1),
        conv(n["reduce_5x5"], n["out_5x5"], 5),
        conv(n["in"], n["pool_proj"], 1),
    ]
    counts = [layer.num_parameters for layer in module_layers]
    plain_layers = [conv(n["in"], n["out_3x3"], 3), conv(n["in"], n["out_5x5"], 5)]
    plain_count = sum(layer.num_parameters for layer in plain_layers)
    w.check("branches_without", plain_count, "NumPy `Conv(192, 128, 3)` and `Conv(192, 32, 5)`")
    w.check("branches_with", sum(counts[1:5]), "the four NumPy layers of the reduced branches")
    w.check("saving_3a", round(plain_count / sum(counts[1:5]), 2), f"{plain_count / sum(counts[1:5]):.4f}")
    w.check("module_weights", sum(counts), "the six NumPy convolutions of the module: " + " + ".join(map(str, counts)))
    above = 100 * (sum(counts) - n["paper_params"]) / n["paper_params"]
    w.check("params_gap_percent", round(above, 1), f"the NumPy count against {n['paper_params']:,}: {above:.3f} %")
    total = 0
    feature = np.zeros((n["in"], n["size"], n["size"]))
    for layer in module_layers:
        counter = ref.MacCounter()
        one_filter = layer.weight[:1]
        ref.cross_correlate(
            np.zeros((layer.in_channels, n["size"], n["size"])), one_filter, padding=layer.padding, counter=counter
        )
        total += counter.macs * layer.out_channels
    pooled = ref.max_pool(feature, 3, stride=1, padding=1)
    w.check(
        "module_macs",
        total,
        "each NumPy convolution run with one of its filters on a 28×28 map, times its number of filters "
        f"(the 3×3 max pooling with stride 1 and padding 1 keeps the map {pooled.shape[1:]})",
    )
    w.check(
        "module_channels",
        sum(module_layers[i].out_channels for i in (0, 2, 4, 5)),
        "the output channels of the four NumPy branches, concatenated",
    )
