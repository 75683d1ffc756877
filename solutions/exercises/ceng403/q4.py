"""CENG 403 exam, Question 4: output sizes, stride and the parameters of AlexNet's first layer.

Output sizes are checked by running the NumPy cross-correlation (which finds its output size by
walking window positions), costs by counting the products it forms, and which inputs a strided
layer reads by its input gradient with all-ones weights.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_macs, conv_output_size, conv_params
from solutions.notation import indexed, symbol
from solutions.reference import layers


def _rounded(value: sp.Rational, digits: int) -> sp.Rational:
    """``value`` rounded half up to ``digits`` decimals, exactly."""
    scale = 10**digits
    return sp.Rational(sp.floor(value * scale + sp.Rational(1, 2)), scale)


def _row_length(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output length of a NumPy cross-correlation along one dimension."""
    row = ref.cross_correlate(np.zeros((1, size)), np.zeros((1, 1, kernel)), stride=stride, padding=padding)
    return row.shape[1]


def _reads(size: int, kernel: int, stride: int) -> np.ndarray:
    """How many windows read each input position: the input gradient of all-ones weights."""
    out = _row_length(size, kernel, stride)
    return ref.conv_input_grad((1, size), np.ones((1, 1, kernel)), np.ones((1, out)), stride=stride)[0]


def q4a(w: Work) -> None:
    g = w.given
    i, k, s, p = (symbol(key) for key in ("i", "k", "s", "p"))
    w.note("In general:")
    general = conv_output_size(i, k, stride=s, padding=p)
    w.result("final_formula", general, "Output size, in general")
    w.note(
        "The same count, set out as the source's derivation does: the window has $N$ possible starts at "
        "stride 1, of which every $s$-th is kept, starting with the first. That is $N/s$ rounded up, "
        r"$\lceil N/s \rceil = \lfloor (N - 1)/s \rfloor + 1$, the formula above:"
    )
    count = i + 2 * p - k + 1
    w.derive("N", count)
    kept = w.derive("o", sp.ceiling(count / s))
    w.result("strided_positions", kept, "Windows kept from the $N$ starts")

    w.note("AlexNet's first layer:")
    w.result(
        "output_size",
        conv_output_size(g.input, g.kernel, stride=g.stride, padding=g.padding),
        "Output size of AlexNet's first layer",
    )
    alexnet = {i: g.input, k: g.kernel, s: g.stride, p: g.padding}
    starts = w.derive("N", count, alexnet)
    w.result("stride1_positions", starts, "Window starts at stride 1")
    w.result("positions_over_stride", w.derive("N / s", count / s, alexnet), "Those starts divided by the stride")

    w.note(f"An input of {g.other_input}: without the floor the count is a fraction,")
    other = {"i": g.other_input, "k": g.kernel, "s": g.stride, "p": g.padding}
    w.result("unfloored_other", w.let("o", "(i + 2*p - k)/s + 1", **other), "Unrounded output size")
    w.result(
        "output_other",
        conv_output_size(g.other_input, g.kernel, stride=g.stride, padding=g.padding),
        "Output size (rounded down)",
    )
    leftover = sp.Mod(i + 2 * p - k, s)
    values = {i: g.other_input, k: g.kernel, s: g.stride, p: g.padding}
    w.result("unread_other", w.derive(r"\text{unread}", leftover, values), "Input positions no window reaches")

    w.note("The input size the AlexNet paper states, without and with padding:")
    paper = conv_output_size(g.paper_input, g.kernel, stride=g.stride)
    padded = conv_output_size(g.paper_input, g.kernel, stride=g.stride, padding=g.paper_padding)
    w.result("output_paper", paper, "Output size for the paper's input")
    w.result("output_paper_padded", padded, "The same with padding 2")

    cases = [(g.input, g.padding), (g.other_input, g.padding), (g.paper_input, g.paper_padding)]
    for size, pad in cases:
        length = _row_length(size, g.kernel, g.stride, pad)
        how = f"for $i = {size}$, $p = {pad}$ the NumPy cross-correlation returns {length} outputs"
        w.check_at("final_formula", {"i": size, "k": g.kernel, "s": g.stride, "p": pad}, length, how)
        w.check_at("strided_positions", {"i": size, "k": g.kernel, "s": g.stride, "p": pad}, length, how)
    w.check("output_size", _row_length(g.input, g.kernel, g.stride), "the NumPy cross-correlation along one row")
    at_one = _row_length(g.input, g.kernel)
    w.check("stride1_positions", at_one, f"at stride 1 it returns {at_one} outputs")
    w.check("positions_over_stride", at_one / g.stride, f"{at_one} / {g.stride} in floating point")
    other_one = _row_length(g.other_input, g.kernel)
    w.check(
        "unfloored_other",
        (other_one - 1) / g.stride + 1,
        f"$(N - 1)/s + 1$ with the {other_one} stride-1 starts NumPy finds for $i = {g.other_input}$",
    )
    w.check("output_other", _row_length(g.other_input, g.kernel, g.stride), "the NumPy cross-correlation")
    reads = _reads(g.other_input, g.kernel, g.stride)
    w.check(
        "unread_other",
        int(np.count_nonzero(reads == 0)),
        "the input gradient of all-ones weights is zero at the last "
        f"{int(np.count_nonzero(reads == 0))} positions (indices {np.flatnonzero(reads == 0).tolist()})",
    )
    w.check("output_paper", _row_length(g.paper_input, g.kernel, g.stride), "the NumPy cross-correlation")
    w.check(
        "output_paper_padded",
        _row_length(g.paper_input, g.kernel, g.stride, g.paper_padding),
        "the NumPy cross-correlation with padding 2",
    )


def q4b(w: Work) -> None:
    g = w.given
    with w.quietly():
        side = conv_output_size(g.input, g.kernel, stride=g.stride)
        side_one = conv_output_size(g.input, g.kernel)
    positions_in = w.let("I", "i_h * i_w", i_h=g.input, i_w=g.input)
    positions_out = w.let("O", "o_h * o_w", o_h=side, o_w=side)
    big, small = symbol("I"), symbol("O")
    ratio = w.derive(r"\text{reduction}", big / small, {big: positions_in, small: positions_out})
    w.result("positions_in", positions_in, "Input positions")
    w.result("positions_out", positions_out, "Output positions")
    w.result("reduction", _rounded(ratio, 0), "Reduction, to the nearest whole number")
    w.note("Every input pixel is read by at most this many windows along each direction:")
    reads = w.let("r", "ceiling(k/s)", k=g.kernel, s=g.stride)
    w.result("max_reads", reads, "Windows that read one pixel, per direction (at most)")
    w.note(
        "Whether any pixel is left unread along a row: consecutive windows start $s$ apart and are $k$ wide, so "
        "the gap between them is"
    )
    i, k, s, o = (symbol(key) for key in ("i", "k", "s", "o"))
    gap = w.derive(r"\text{gap}", sp.Max(0, s - k), {s: g.stride, k: g.kernel})
    w.note("and the last window ends this many pixels before the end of the row:")
    tail = w.derive(r"\text{tail}", i - ((o - 1) * s + k), {i: g.input, o: side, s: g.stride, k: g.kernel})
    w.result(
        "first_layer_skips_pixels",
        bool(gap > 0 or tail > 0),
        f"Does the {g.kernel} × {g.kernel}, stride-{g.stride} layer leave input pixels unread?",
    )

    w.note(
        f"The layer's cost at stride {g.stride} and, for comparison, at stride 1 (output {side_one} × {side_one}); "
        "the subscript of MACs is the stride:"
    )
    macs = conv_macs((side, side), g.channels, g.filters, g.kernel)
    macs_one = conv_macs((side_one, side_one), g.channels, g.filters, g.kernel)
    dense, strided = indexed("MACs", 1), indexed("MACs", g.stride)
    saving = w.derive(r"\text{saving}", dense / strided, {dense: macs_one, strided: macs})
    w.result("macs", macs, f"MACs at stride {g.stride}")
    w.result("macs_stride1", macs_one, "MACs at stride 1")
    w.result("macs_ratio", _rounded(saving, 1), "Saving, to one decimal")

    w.note(f"Stride {g.stride} on a {g.late_map} × {g.late_map} map, with a {g.late_kernel} × {g.late_kernel} kernel:")
    late = conv_output_size(g.late_map, g.late_kernel, stride=g.stride)
    w.result("late_output", late, "Output size, 3 × 3 kernel without padding")
    w.note("With the padding of 1 that AlexNet's 3 × 3 layers use, or with a 1 × 1 kernel:")
    late_padded = conv_output_size(g.late_map, g.late_kernel, stride=g.stride, padding=1)
    late_one = conv_output_size(g.late_map, 1, stride=g.stride)
    w.result("late_output_padded", late_padded, "Output size, 3 × 3 kernel with padding 1")
    w.result("late_output_1x1", late_one, "Output size, 1 × 1 kernel")
    starts = range(0, late_one * g.stride, g.stride)
    skipped = [pos for pos in range(g.late_map) if pos not in starts]
    w.note(
        f"Numbering the inputs from 0, as the figures do, the 1 × 1 kernel reads inputs "
        f"{', '.join(map(str, starts))} of the {g.late_map} and never reads {', '.join(map(str, skipped))}: "
        f"{len(skipped)} of every row's {g.late_map}."
    )
    with w.quietly():
        kernels = [
            size for size in range(1, g.late_map + 1) if conv_output_size(g.late_map, size, stride=g.stride) == late
        ]
    w.result("kernels_for_late_output", kernels, f"Kernel sizes without padding that give {late} × {late}")
    w.note(
        f"A {g.late_kernel}-wide window moved by {g.stride} never reads some rows and columns; counting the positions "
        "that the windows cover and those they miss:"
    )
    total = w.let("I", "i_h * i_w", i_h=g.late_map, i_w=g.late_map)
    i_h, i_w, o_h, o_w, k_h, k_w = (symbol(key) for key in ("i_h", "i_w", "o_h", "o_w", "k_h", "k_w"))
    unread = w.derive(
        r"\text{unread}",
        i_h * i_w - (o_h * k_h) * (o_w * k_w),
        {i_h: g.late_map, i_w: g.late_map, o_h: late, o_w: late, k_h: g.late_kernel, k_w: g.late_kernel},
    )
    w.result("late_positions", total, "Positions of the map")
    w.result("unread_positions", unread, "Positions no window reads")

    w.check(
        "positions_in",
        np.zeros((g.input, g.input)).size,
        f"a {g.input}×{g.input} NumPy array has {g.input**2:,} entries",
    )
    out = ref.cross_correlate(
        np.zeros((g.channels, g.input, g.input)), np.zeros((1, g.channels, g.kernel, g.kernel)), stride=g.stride
    )
    w.check("positions_out", out[0].size, f"the NumPy cross-correlation returns a map of shape {out.shape[1:]}")
    w.check(
        "reduction",
        round(g.input**2 / out[0].size),
        f"{g.input**2:,} / {out[0].size:,} = {g.input**2 / out[0].size:.3f}",
    )
    row_reads = _reads(g.input, g.kernel, g.stride)
    w.check(
        "max_reads",
        int(row_reads.max()),
        f"the input gradient of all-ones weights along one row counts the windows per pixel: {int(row_reads.min())} "
        f"to {int(row_reads.max())}, never 0",
    )
    w.check(
        "first_layer_skips_pixels",
        bool(row_reads.min() == 0),
        f"the same count: the fewest windows that read a pixel is {int(row_reads.min())}",
    )
    counts = {}
    for stride in (g.stride, 1):
        counter = ref.MacCounter()
        image = np.zeros((g.channels, g.input, g.input))
        ref.cross_correlate(image, np.zeros((1, g.channels, g.kernel, g.kernel)), stride=stride, counter=counter)
        counts[stride] = counter.macs * g.filters
    w.check(
        "macs",
        counts[g.stride],
        f"one NumPy filter at stride {g.stride} forms {counts[g.stride] // g.filters:,} products; "
        f"times {g.filters} filters",
    )
    w.check(
        "macs_stride1", counts[1], f"at stride 1: {counts[1] // g.filters:,} products per filter, times {g.filters}"
    )
    w.check("macs_ratio", round(counts[1] / counts[g.stride], 1), f"{counts[1] / counts[g.stride]:.4f}")
    w.check(
        "late_output", _row_length(g.late_map, g.late_kernel, g.stride), "the NumPy cross-correlation along one row"
    )
    w.check("late_output_padded", _row_length(g.late_map, g.late_kernel, g.stride, 1), "the same with padding 1")
    w.check("late_output_1x1", _row_length(g.late_map, 1, g.stride), "the same with a 1-wide kernel")
    found = [size for size in range(1, g.late_map + 1) if _row_length(g.late_map, size, g.stride) == late]
    w.check("kernels_for_late_output", found, f"NumPy cross-correlations with kernels 1 to {g.late_map}")
    grad = ref.conv_input_grad(
        (1, g.late_map, g.late_map),
        np.ones((1, 1, g.late_kernel, g.late_kernel)),
        np.ones((1, late, late)),
        stride=g.stride,
    )[0]
    w.check("late_positions", grad.size, f"the {g.late_map}×{g.late_map} NumPy map")
    w.check(
        "unread_positions",
        int(np.count_nonzero(grad == 0)),
        "the input gradient of all-ones weights is zero at the positions no window reads",
    )


def q4c(w: Work) -> None:
    g = w.given
    per_filter = w.let("W", "k_h * k_w * C_in", k_h=g.kernel, k_w=g.kernel, C_in=g.channels)
    w.result("weights_per_filter", per_filter, "Weights of one filter")
    w.result("params_per_filter", w.let("P", "W + 1", W=per_filter), "Weights and bias of one filter")
    params = conv_params(g.channels, g.filters, g.kernel)
    with w.quietly():
        weights = conv_params(g.channels, g.filters, g.kernel, bias=False)
    w.result("weights", weights, "Weights of the layer")
    w.result("biases", params - weights, "Biases of the layer")
    w.result("params", params, "Parameters of the layer")

    layer = layers.Conv(g.channels, g.filters, g.kernel, fill=0.0)
    w.check(
        "weights_per_filter", layer.weight[0].size, f"one filter of the NumPy weight has shape {layer.weight.shape[1:]}"
    )
    w.check("params_per_filter", layer.weight[0].size + 1, "plus its entry of the bias")
    w.check("weights", layer.weight.size, f"a NumPy `Conv(3, 96, 11)` weight has shape {layer.weight.shape}")
    w.check("biases", layer.bias.size, f"its bias has shape {layer.bias.shape}")
    w.check("params", layer.num_parameters, f"{layer.num_parameters:,} numbers in all")
