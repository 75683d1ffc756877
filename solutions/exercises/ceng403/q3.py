"""CENG 403 exam, Question 3: what restricted connectivity and sharing save; receptive-field growth;
translation equivariance on a one-dimensional example.

Counts are checked on NumPy layers (one unit of a too-large layer, times the number of units);
receptive fields by back-propagating a one-hot gradient through all-ones NumPy layers; the
one-dimensional example with the NumPy convolution and cross-correlation.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, conv_params, linear_params
from solutions.notation import indexed, symbol
from solutions.reference import layers


def _rounded(value: sp.Rational, digits: int) -> sp.Rational:
    """``value`` rounded half up to ``digits`` decimals, exactly."""
    scale = 10**digits
    return sp.Rational(sp.floor(value * scale + sp.Rational(1, 2)), scale)


def q3a(w: Work) -> None:
    g = w.given
    height, width, channels = g.image
    k = g.kernel
    n_in = w.let("n_in", "i_h * i_w * C_in", i_h=height, i_w=width, C_in=channels)
    fc = linear_params(n_in, g.hidden, bias=False)
    w.result("fc_weights", fc, "Fully connected: weights")
    w.note("Restricted connectivity alone: every unit keeps its own window of $K$ weights:")
    local = w.let("W", "K * n_out", K=k * k, n_out=g.hidden)
    w.result("local_weights", local, "Each unit with its own 3 × 3 window: weights")
    fc_sym, local_sym = indexed("W", "fc"), indexed("W", "local")
    fewer = w.derive(
        r"\text{fewer, in \%}",
        sp.Mul(100, sp.Add(fc_sym, -local_sym), sp.Pow(fc_sym, -1, evaluate=False), evaluate=False),
        {local_sym: local, fc_sym: fc},
    )
    w.result("percent_fewer", _rounded(fewer, 3), "Fewer weights, in percent (three decimals)")
    w.note("With sharing, all units of the map use one filter; its weights do not depend on the image size:")
    w.result("shared_weights", conv_params(1, 1, k, bias=False), "One shared 3 × 3 filter: weights")

    w.note("The colour example: a convolution with 64 filters, then a fully connected layer with 64 units:")
    rgb_height, rgb_width, rgb_channels = g.rgb
    conv = conv_params(rgb_channels, g.filters, k)
    with w.quietly():
        conv_weights = conv_params(rgb_channels, g.filters, k, bias=False)
    w.result("conv_weights", conv_weights, "Convolution: weights")
    w.result("conv_params", conv, "Convolution: weights and biases")
    rgb_inputs = w.let("n_in", "i_h * i_w * C_in", i_h=rgb_height, i_w=rgb_width, C_in=rgb_channels)
    fc64 = linear_params(rgb_inputs, g.filters, bias=False)
    w.result("fc64_weights", fc64, "Fully connected layer with 64 units: weights")
    conv_sym = indexed("W", "conv")
    ratio = w.derive(r"\text{reduction}", fc_sym / conv_sym, {fc_sym: fc64, conv_sym: conv_weights})
    w.result("reduction", sp.floor(ratio), "Reduction factor (whole part)")
    w.note("A fully connected layer with as many outputs as the convolution:")
    out_height, out_width = conv_output_size((rgb_height, rgb_width), k)
    w.result("conv_output", (out_height, out_width, g.filters), "Convolution's output volume")
    n_out = w.let("n_out", "o_h * o_w * C_out", o_h=out_height, o_w=out_width, C_out=g.filters)
    same_output = linear_params(rgb_inputs, n_out, bias=False)
    w.result("fc_same_output_weights", same_output, "Fully connected layer with the same outputs: weights")

    unit = layers.Linear(n_in, 1, fill=0.0)
    w.check(
        "fc_weights",
        unit.weight.size * g.hidden,
        f"a NumPy `Linear({n_in}, 1)` has a weight of shape {unit.weight.shape}; {g.hidden:,} units",
    )
    windows = np.zeros((g.hidden, k, k))
    w.check("local_weights", windows.size, f"one {k}×{k} NumPy array per unit: shape {windows.shape}")
    percent = 100 * (1 - windows.size / (unit.weight.size * g.hidden))
    w.check("percent_fewer", round(percent, 3), f"the two NumPy counts give {percent:.6f} %")
    shared = layers.Conv(1, 1, k, fill=1.0)
    sizes = [shared(np.zeros((1, side, side))).shape for side in (100, 1000)]
    w.check(
        "shared_weights",
        shared.weight.size,
        f"one NumPy `Conv(1, 1, {k})` with a weight of shape {shared.weight.shape} runs on a 100×100 and a "
        f"1000×1000 image alike (outputs {sizes[0]} and {sizes[1]})",
    )
    colour = layers.Conv(rgb_channels, g.filters, k, fill=0.0)
    w.check("conv_weights", colour.weight.size, f"a NumPy `Conv(3, 64, 3)` weight has shape {colour.weight.shape}")
    w.check("conv_params", colour.num_parameters, f"with its bias of shape {colour.bias.shape}")
    colour_unit = layers.Linear(rgb_inputs, 1, fill=0.0)
    w.check(
        "fc64_weights",
        colour_unit.weight.size * g.filters,
        f"a NumPy `Linear({rgb_inputs}, 1)` weight {colour_unit.weight.shape}, once per unit",
    )
    w.check(
        "reduction",
        (colour_unit.weight.size * g.filters) // colour.weight.size,
        "the two NumPy counts divided, whole part",
    )
    image = np.zeros((rgb_channels, rgb_height, rgb_width))
    one_map = ref.cross_correlate(image, np.zeros((1, rgb_channels, k, k)))
    w.check(
        "conv_output",
        (*one_map.shape[1:], g.filters),
        f"a NumPy cross-correlation with one filter returns {one_map.shape}; each of the 64 filters adds a channel",
    )
    view = np.broadcast_to(np.zeros((), dtype=np.float32), (one_map.size * g.filters, image.size))
    w.check(
        "fc_same_output_weights",
        view.size,
        f"a NumPy weight view of shape {view.shape} (outputs × inputs) has {view.size:,} entries",
    )


def q3b(w: Work) -> None:
    g = w.given
    k, depth_symbol, ell = symbol("k"), symbol("L"), symbol("ell")
    w.note(
        "With stride 1 and no dilation every jump is 1, so the recurrence adds $k - 1$ per layer. "
        "Summed over $L$ layers:"
    )
    total = 1 + sp.Sum(k - 1, (ell, 1, depth_symbol))
    w.derive("r_L", total)
    formula = w.derive("r_L", total.doit())
    w.result("rf_formula", formula, "Field after $L$ layers (stride 1)")
    column = sp.Matrix([formula.subs(depth_symbol, n) for n in range(1, g.depth + 1)])
    lhs = r"\begin{bmatrix} " + r" \\ ".join(f"r_{n}" for n in range(1, g.depth + 1)) + r" \end{bmatrix}"
    fields = w.derive(lhs, column, {k: g.kernel})
    w.result("rf_layers", [entry for (entry,) in fields], "Fields after layers 1 to 4")
    w.note("Stride-1 layers needed for a field as wide as the image:")
    needed = w.let("L", "ceiling((r - 1)/(k - 1))", r=g.image_side, k=g.kernel)
    w.result("layers_for_224", needed, "Stride-1 3 × 3 layers to cover 224 pixels")

    w.note(
        "Stacked small kernels against one large kernel with the same field, counting weights with "
        "$C_{\\mathrm{in}}$ channels in and out of every layer:"
    )
    c, k1, k2, k3 = symbol("C_in"), indexed("k", 1), indexed("k", 2), indexed("k", 3)
    two = w.derive(
        r"\frac{2 W_{3 \times 3}}{W_{5 \times 5}}",
        sp.Mul(2, k1**2 * c**2, sp.Pow(k2**2 * c**2, -1, evaluate=False), evaluate=False),
        {k1: g.kernel, k2: 5},
    )
    three = w.derive(
        r"\frac{3 W_{3 \times 3}}{W_{7 \times 7}}",
        sp.Mul(3, k1**2 * c**2, sp.Pow(k3**2 * c**2, -1, evaluate=False), evaluate=False),
        {k1: g.kernel, k3: 7},
    )
    w.result("ratio_two_3x3", two, "Two 3 × 3 layers against one 5 × 5: fraction of the weights")
    w.result("ratio_three_3x3", three, "Three 3 × 3 layers against one 7 × 7: fraction of the weights")

    measured = []
    for depth in range(1, g.depth + 1):
        stack = [layers.Conv(1, 1, g.kernel, fill=1.0) for _ in range(depth)]
        mask = ref.receptive_field_mask(stack, (1, 15, 15), (7 - depth, 7 - depth))
        measured.append(ref.receptive_field_extent(mask)[0][0])
    how = f"one-hot gradients sent back through 1 to 4 all-ones NumPy {g.kernel}×{g.kernel} convolutions reach "
    w.check("rf_layers", measured, how + ", ".join(f"{m}×{m}" for m in measured) + " pixels")
    for depth, size in enumerate(measured, 1):
        w.check_at("rf_formula", {"L": depth, "k": g.kernel}, size, f"at $L = {depth}$: measured {size}")
    wide = [layers.Conv(1, 1, 5, ndim=1, fill=1.0), layers.Conv(1, 1, 5, ndim=1, fill=1.0)]
    size = ref.receptive_field_extent(ref.receptive_field_mask(wide, (1, 20), (8,)))[0][0]
    w.check_at("rf_formula", {"L": 2, "k": 5}, size, f"with $k = 5$, $L = 2$: measured {size}")

    def reach(count: int) -> int:
        stack = [layers.Conv(1, 1, g.kernel, ndim=1, fill=1.0) for _ in range(count)]
        mask = ref.receptive_field_mask(stack, (1, g.image_side + 2), (0,))
        return ref.receptive_field_extent(mask)[0][0]

    short, enough = reach(needed - 1), reach(needed)
    w.check(
        "layers_for_224",
        needed if short < g.image_side <= enough else None,
        f"measured along one dimension: {needed - 1} layers reach {short} pixels, {needed} reach {enough}",
    )
    channels = 8
    small, five, seven = (layers.Conv(channels, channels, size, bias=False, fill=0.0) for size in (3, 5, 7))
    w.check(
        "ratio_two_3x3",
        2 * small.weight.size / five.weight.size,
        f"NumPy layers with {channels} channels: 2 × {small.weight.size} / {five.weight.size} weights",
    )
    w.check(
        "ratio_three_3x3",
        3 * small.weight.size / seven.weight.size,
        f"3 × {small.weight.size} / {seven.weight.size} weights",
    )


def q3c(w: Work) -> None:
    g = w.given
    x, kernel, shift = g.x, g.kernel, g.shift
    n = len(x)
    w_1, w_2 = indexed("w", 1), indexed("w", 2)
    w.note(
        "A true convolution flips the kernel before sliding it, so output $t$ (counting from 1) is "
        "$y_t = w_1 x_{t+1} + w_2 x_t$; with the kernel given,"
    )
    x_next, x_here = indexed("x", "t+1"), indexed("x", "t")
    w.derive("y_t", w_1 * x_next + w_2 * x_here, {w_1: kernel[0], w_2: kernel[1]})
    length = conv_output_size(n, len(kernel))
    xs = [indexed("x", t) for t in range(1, n + 1)]
    values = dict(zip(xs, x, strict=True))
    w.note("Written as columns (the transpose of the output row):")
    convolution = sp.Matrix([xs[t + 1] - xs[t] for t in range(length)])
    output = [entry for (entry,) in w.derive(r"y^{\top}", convolution, values)]
    w.result("output", output, "Output of the convolution")
    w.note("A cross-correlation (what libraries call convolution) uses the kernel unflipped, $w_1 x_t + w_2 x_{t+1}$:")
    correlation = sp.Matrix([xs[t] - xs[t + 1] for t in range(length)])
    correlated = [entry for (entry,) in w.derive(r"y^{\star\top}", correlation, values)]
    w.result("correlation_output", correlated, "Output of the cross-correlation")
    w.result("output_length", length, "Length of either output")
    shifted = [0] * shift + list(x[: n - shift])
    w.note(f"Shifting $x$ right by {shift} (zeros enter on the left, the last values drop off):")
    w.result("shifted_input", w.derive("x'", sp.Matrix([shifted]))[0], "Shifted input")
    w.note("The same outputs, computed from the entries of $x'$:")
    shifted_values = dict(zip(xs, shifted, strict=True))
    shifted_output = [entry for (entry,) in w.derive(r"y'^{\top}", convolution, shifted_values)]
    w.result("shifted_output", shifted_output, "Output for the shifted input")
    moved = [0] * shift + list(output[: length - shift])
    w.result("output_shifts_too", shifted_output == moved, "Is it the old output shifted by the same amount?")
    w.note("A full convolution would pad $k - 1$ zeros at each end; its length, for comparison:")
    full = conv_output_size(n, len(kernel), padding="full")
    w.result("full_output_length", full, "Length of a full convolution's output")

    w.note(
        "Rotating an image by 90° turns vertical edges into horizontal ones. On a horizontal edge every "
        "row $r$ of a 3 × 3 window is constant, $x_r$, so the response of a filter $w$ is "
        r"$y = \sum_r x_r \sum_c w_{rc}$. The rows of the vertical-edge filter sum to"
    )
    edge = sp.Matrix(g.vertical_edge_filter)
    taps = {indexed("w", f"{r + 1}{c + 1}"): edge[r, c] for r in range(3) for c in range(3)}
    row_sums = sp.Matrix([sum(indexed("w", f"{r + 1}{c + 1}") for c in range(3)) for r in range(3)])
    sums = [
        entry
        for (entry,) in w.derive(
            r"\begin{bmatrix} \sum_c w_{1c} \\ \sum_c w_{2c} \\ \sum_c w_{3c} "
            r"\end{bmatrix}",
            row_sums,
            taps,
        )
    ]
    rows = [indexed("x", r + 1) for r in range(3)]
    response = w.derive(r"y = \sum_r x_r \sum_c w_{rc}", sum(rows[r] * sums[r] for r in range(3)))
    w.result("rotated_response", response, "Vertical-edge filter on a horizontal edge")

    signal = np.array(x, dtype=float)[None]
    taps_array = np.array(kernel, dtype=float)[None, None]
    conv_out = ref.convolve(signal, taps_array)[0]
    corr_out = ref.cross_correlate(signal, taps_array)[0]
    w.check("output", conv_out, f"NumPy `convolve` returns {conv_out.astype(int).tolist()}")
    w.check("correlation_output", corr_out, f"NumPy `cross_correlate` returns {corr_out.astype(int).tolist()}")
    w.check("output_length", conv_out.size, f"both NumPy outputs have {conv_out.size} entries")
    moved_signal = np.roll(signal, shift, axis=1)
    moved_signal[:, :shift] = 0
    w.check("shifted_input", moved_signal[0], f"`np.roll` by {shift} with the wrapped values zeroed")
    moved_out = ref.convolve(moved_signal, taps_array)[0]
    w.check(
        "shifted_output", moved_out, f"NumPy `convolve` of the shifted input returns {moved_out.astype(int).tolist()}"
    )
    expected = np.concatenate([np.zeros(shift), conv_out[: conv_out.size - shift]])
    w.check(
        "output_shifts_too",
        bool(np.array_equal(moved_out, expected)),
        f"the first output shifted by {shift} in NumPy is {expected.astype(int).tolist()}",
    )
    full_out = ref.convolve(signal, taps_array, padding="full")[0]
    w.check(
        "full_output_length",
        full_out.size,
        f"NumPy `convolve(..., padding='full')` returns {full_out.size} entries: {full_out.astype(int).tolist()}",
    )
    image = np.zeros((1, 8, 8))
    image[:, :4, :] = 1.0  # bright top half: a horizontal edge
    vertical = ref.cross_correlate(image, edge_array := np.array(g.vertical_edge_filter, dtype=float)[None, None])
    horizontal = ref.cross_correlate(image, np.rot90(edge_array, k=-1, axes=(2, 3)).copy())
    w.check(
        "rotated_response",
        float(np.abs(vertical).max()),
        "on an 8×8 NumPy image with a horizontal edge the vertical-edge filter's largest response is "
        f"{np.abs(vertical).max():g}; the same filter rotated by 90° responds with up to {np.abs(horizontal).max():g}",
    )
