"""CSCI 5922 problem set 3, Q2: a fully connected and a convolutional classifier, counted.

Each function derives one part with the general formulas (recorded as the steps on the page) and
confirms every result with the NumPy references, which count by allocating arrays and running layers.
The first fully connected layer has over eleven billion weights, too many to allocate: its count is
confirmed on one output unit (one row of the weight matrix and one bias), which every unit repeats.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.calculator import Summary, solve, summarize
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, conv_params, linear_params
from solutions.notation import indexed, symbol
from solutions.reference import layers


def _fc_widths(w: Work) -> tuple[int, int, int]:
    """Input length, hidden width and classes of the network of Q2a (recorded as steps)."""
    channels, height, width = w.given.image
    n_in = w.let("n_in", "C_in * i_h * i_w", C_in=channels, i_h=height, i_w=width)
    w.note("The hidden layer is half as wide as the input vector:")
    hidden = w.let("n_out_1", "n_in * Rational(1, 2)", n_in=n_in)
    return n_in, hidden, w.given.classes


def _one_unit(n_in: int, units: int) -> tuple[int, str]:
    """Parameters of a fully connected layer counted on one output unit, times the units."""
    unit = layers.Linear(n_in, 1, fill=0.0)
    total = units * unit.num_parameters
    how = (
        f"a NumPy `Linear({n_in}, 1)`, one output unit, allocates a weight {unit.weight.shape} and a bias "
        f"{unit.bias.shape}: {unit.num_parameters:,} numbers; the layer's {units:,} units each own such a "
        f"row and bias: {total:,}"
    )
    return total, how


def q2a_i(w: Work) -> None:
    n_in, hidden, classes = _fc_widths(w)
    w.result("n_in", n_in, "Length of the flattened input, $d_{\\mathrm{in}}$ in the source")
    w.result("hidden_width", hidden, "Width of the hidden layer, $d_{h_1}$")
    w.note("Each layer has one weight per (input, output) pair and one bias per output:")
    hidden_params = linear_params(n_in, hidden)
    output_params = linear_params(hidden, classes)
    w.result("params_hidden", hidden_params, "Parameters of the hidden layer, $\\theta_{h_1}$")
    w.result("params_output", output_params, "Parameters of the output layer, $\\theta_{\\mathrm{out}}$")
    n_in_sym, n_out_sym = symbol("n_in"), symbol("n_out")
    with w.quietly():
        general = linear_params(n_in_sym, n_out_sym)
    w.result("layer_formula", general, "Parameters of a fully connected layer")

    image = np.zeros(w.given.image)
    w.check(
        "n_in", image.reshape(-1).size, f"a NumPy image of shape {image.shape}, flattened, has {image.size:,} entries"
    )
    w.check("hidden_width", image.size // 2, f"half of those {image.size:,} entries")
    total, how = _one_unit(n_in, hidden)
    w.check("params_hidden", total, how)
    output_layer = layers.Linear(hidden, classes, fill=0.0)
    w.check(
        "params_output",
        output_layer.num_parameters,
        f"a NumPy `Linear({hidden}, {classes})` allocates a weight {output_layer.weight.shape} and a bias "
        f"{output_layer.bias.shape}: {output_layer.num_parameters:,} numbers",
    )
    small = layers.Linear(5, 4, fill=0.0)
    w.check_at(
        "layer_formula",
        {"n_in": 5, "n_out": 4},
        small.num_parameters,
        f"a NumPy `Linear(5, 4)` holds {small.num_parameters} numbers",
    )


def q2a_ii(w: Work) -> None:
    n_in, hidden, classes = _fc_widths(w)
    with w.quietly():
        hidden_params = linear_params(n_in, hidden)
        output_params = linear_params(hidden, classes)
    w.note("With the two layers' counts of Q2a(i):")
    total = w.let("P", "P_1 + P_2", P_1=hidden_params, P_2=output_params)
    w.result("total", total, "Parameters of the network")
    p_1, p = indexed("P", 1), symbol("P")
    share = w.derive(r"P_1 / P", p_1 / p, {p_1: hidden_params, p: total})
    w.result("hidden_share", sp.Rational(round(share * 10_000), 10_000), "Share of the hidden layer, to four digits")

    first, how_first = _one_unit(n_in, hidden)
    second = layers.Linear(hidden, classes, fill=0.0).num_parameters
    w.check(
        "total",
        first + second,
        f"{how_first}; plus the {second:,} numbers of a NumPy `Linear({hidden}, {classes})`",
    )
    w.check("hidden_share", round(first / (first + second), 4), "the same NumPy counts, divided")


def q2b_i(w: Work) -> None:
    channels, k = w.given.channels, w.given.kernel_size
    params = conv_params(channels, channels, k)
    w.result("params", params, "Parameters of the layer")
    c_in, c_out, kk = symbol("C_in"), symbol("C_out"), symbol("k")
    with w.quietly():
        general = conv_params(c_in, c_out, kk)
    w.note(
        "The source's regrouping is the same count with the bias split off, $(C_{\\mathrm{in}} k^2 + 1)\\, "
        "C_{\\mathrm{out}} = C_{\\mathrm{in}} C_{\\mathrm{out}} k^2 + C_{\\mathrm{out}}$; "
        "with $C_{\\mathrm{in}} = C_{\\mathrm{out}} = 3$ it reads"
    )
    regrouped = w.derive("P", general, {c_in: channels, c_out: channels, kk: k})
    w.result(
        "params_regrouped",
        regrouped,
        "The source's regrouped form, $C_{\\mathrm{in}} C_{\\mathrm{out}} k^2 + C_{\\mathrm{out}}$",
    )
    identity = sp.expand((c_in * kk**2 + 1) * c_out - general) == 0
    w.result(
        "weights", conv_params(channels, channels, k, bias=False), "Weights, $C_{\\mathrm{in}} C_{\\mathrm{out}} k^2$"
    )
    w.result("biases", params - w.results["weights"].value, "Biases, one per output channel")
    w.result("regrouping_is_identity", identity, "Does the regrouping hold for every kernel size?")

    layer = layers.Conv(channels, channels, k, fill=0.0)
    w.check(
        "params",
        layer.num_parameters,
        f"a NumPy `Conv({channels}, {channels}, {k})` allocates a weight {layer.weight.shape} and a bias "
        f"{layer.bias.shape}: {layer.num_parameters} numbers",
    )
    w.check("params_regrouped", layer.weight.size + layer.bias.size, "the weight's entries plus the bias's")
    w.check("weights", layer.weight.size, f"the weight {layer.weight.shape} has {layer.weight.size} entries")
    w.check("biases", layer.bias.size, f"the bias has shape {layer.bias.shape}")
    sizes = (1, 2, 3, 5, 7, 11)
    agree = all(
        layers.Conv(channels, channels, size, fill=0.0).num_parameters == size**2 * channels**2 + channels
        for size in sizes
    )
    w.check(
        "regrouping_is_identity",
        agree,
        f"NumPy `Conv(3, 3, k)` layers for k = {', '.join(map(str, sizes))} each hold k²·3² + 3 numbers",
    )


def _stack_depth(w: Work) -> tuple[int, str]:
    """NumPy: apply the layer along one side of the image until it reaches the target size.

    Height and width shrink alike, and the size does not depend on the channels, so a one-channel 1-d
    cross-correlation along one side stands for the layer (and runs in a fraction of the time).
    """
    size, k = w.given.image[1], w.given.kernel_size
    x = np.zeros((1, size))
    kernel = np.zeros((1, 1, k))
    count = 0
    while x.shape[1] > w.given.target[1]:
        x = ref.cross_correlate(x, kernel, stride=w.given.stride, padding=w.given.padding)
        count += 1
    how = (
        f"applying a NumPy cross-correlation with a {k}-wide kernel (stride {w.given.stride}, no padding) again and "
        f"again along one side of {size} positions (height and width shrink alike) reaches {x.shape[1]} after "
        f"{count} applications"
    )
    return count, how


def _table(summary: Summary) -> str:
    """The calculator's Markdown table, indented for an admonition; shapes kept on one line."""
    text = summary.to_markdown().replace(" × ", "\u202f×\u202f")
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())


def _stack(w: Work, repeat: int | str) -> dict:
    """The identical convolutions as one entry of a network spec (``repeat: "?"`` to solve for it)."""
    conv = {
        "out_channels": w.given.channels,
        "kernel_size": w.given.kernel_size,
        "stride": w.given.stride,
        "padding": w.given.padding,
    }
    return {"Conv2d": conv, "repeat": repeat}


def _network(w: Work, depth: int) -> dict:
    """The whole network of Q2b: the stack, then flatten and the fully connected layer."""
    head = [{"Flatten": {}}, {"Linear": {"out_features": w.given.classes}}]
    return {"input": list(w.given.image), "layers": [_stack(w, depth), *head]}


def _solved_depth(w: Work) -> tuple[int, str]:
    """The number of layers from the network calculator's ``solve`` (no steps recorded)."""
    spec = {"input": list(w.given.image), "layers": [_stack(w, "?")], "target": list(w.given.target)}
    with w.quietly():
        found = solve(spec)
    (solution,) = found.solutions
    return solution["repeat"], found.explanation_for("../../")


def q2b_ii(w: Work) -> None:
    size, k = w.given.image[1], w.given.kernel_size
    target = w.given.target[1]
    i, o, L, kk = symbol("i"), symbol("o"), symbol("L"), symbol("k")
    w.note(
        "**With the network calculator.** The stack written as a network whose number of layers is unknown "
        '(`repeat: "?"`), with the required output as its target; the calculator\'s `solve` derives:'
    )
    depth, explanation = _solved_depth(w)
    w.note(explanation)
    w.note("**Cross-check with SymPy.** One layer, stride 1 and no padding, with the input size left general:")
    one = conv_output_size(i, kernel_size=k, stride=w.given.stride, padding=w.given.padding)
    w.result("shrink_per_layer", sp.expand(i - one), "Pixels lost per layer along each side length")
    w.note(
        "Every layer takes $k - 1$ more away, so after $L$ layers the side is $i - L(k - 1)$. "
        "Setting it equal to the target and solving for $L$:"
    )
    (solution,) = sp.solve(sp.Eq(i - L * (kk - 1), o), L)
    by_sympy = w.derive("L", solution, {i: size, o: target, kk: k})
    if by_sympy != depth:
        raise ArithmeticError(f"the calculator finds {depth} layers, the SymPy equation {by_sympy}")
    w.result("layers", depth, "Number of layers")
    with w.quietly():
        general = conv_output_size(i, kernel_size=kk, stride=symbol("s"), padding=symbol("p"))
    w.note("The output-size formula in general, as a convolution computes it:")
    w.derive("o", general)
    w.result("output_size_formula", general, "Output size of a convolution")
    w.note("At stride 2 (same input and kernel), the source's formula without the floor, and the convolution:")
    source = w.derive(
        r"o_{\text{source}}", w.source.output_size_formula, {i: size, kk: k, symbol("s"): 2, symbol("p"): 0}
    )
    w.result("source_formula_at_stride_2", source, "For comparison: the source's formula at stride 2")
    at_two = conv_output_size(size, kernel_size=k, stride=2)
    w.result("size_at_stride_2", at_two, "Output size at stride 2")

    count, how = _stack_depth(w)
    w.check("layers", count, how)
    w.check("layers", by_sympy, "the SymPy equation above, solved independently of the calculator")
    one_layer = ref.cross_correlate(np.zeros((1, size, size)), np.zeros((1, 1, k, k)))
    w.check("shrink_per_layer", size - one_layer.shape[1], f"one NumPy layer turns {size} into {one_layer.shape[1]}")
    strided = ref.cross_correlate(np.zeros((1, size, size)), np.zeros((1, 1, k, k)), stride=2)
    w.check_at(
        "output_size_formula",
        {"i": size, "k": k, "s": 2, "p": 0},
        strided.shape[1],
        f"a NumPy cross-correlation of {size} positions with a {k}-wide kernel at stride 2 returns "
        f"{strided.shape[1]} positions",
    )
    w.check_at(
        "output_size_formula",
        {"i": size, "k": k, "s": 1, "p": 0},
        one_layer.shape[1],
        f"at stride 1 it returns {one_layer.shape[1]}",
    )
    w.check("size_at_stride_2", strided.shape[1], "the same NumPy cross-correlation at stride 2")
    w.check(
        "source_formula_at_stride_2",
        sp.Rational(size - k, 2) + 1,
        f"({size} − {k})/2 + 1 in exact arithmetic: not a whole number of windows",
    )


def q2b_iii(w: Work) -> None:
    channels, height, width = w.given.features
    n_in = w.let("n_in", "C_in * i_h * i_w", C_in=channels, i_h=height, i_w=width)
    w.result("n_in", n_in, "Length of the flattened feature maps")
    w.result("params", linear_params(n_in, w.given.classes), "Parameters of the layer")

    features = np.zeros(w.given.features)
    layer = layers.Linear(features.size, w.given.classes, fill=0.0)
    w.check("n_in", features.reshape(-1).size, f"a NumPy array of shape {features.shape}, flattened")
    w.check(
        "params",
        layer.num_parameters,
        f"a NumPy `Linear({features.size}, {w.given.classes})` allocates a weight {layer.weight.shape} and a "
        f"bias {layer.bias.shape}: {layer.num_parameters:,} numbers",
    )


def _macs_by_running(w: Work, depth: int) -> tuple[int, str]:
    """MACs of the network counted by NumPy: each convolution run with one input and one output channel
    (every pair of channels repeats exactly those products), then the fully connected layer."""
    channels, k = w.given.channels, w.given.kernel_size
    x = np.zeros((1, *w.given.image[1:]))
    kernel = np.zeros((1, 1, k, k))
    conv_macs = 0
    for _ in range(depth):
        counter = ref.MacCounter()
        x = ref.cross_correlate(x, kernel, counter=counter)
        conv_macs += counter.macs * channels * channels
    head = layers.Linear(int(np.prod(w.given.target)), w.given.classes, fill=0.0)
    counter = ref.MacCounter()
    head(np.zeros(head.in_features), counter=counter)
    how = (
        f"NumPy runs each of the {depth} convolutions on the real spatial size with one input and one output "
        f"channel, counting the products; the {channels}×{channels} channel pairs each repeat them: {conv_macs:,}; "
        f"the NumPy `Linear` head forms {counter.macs:,} more"
    )
    return conv_macs + counter.macs, how


def q2b_iv(w: Work) -> None:
    channels, k = w.given.channels, w.given.kernel_size
    with w.quietly():
        per_layer = conv_params(channels, channels, k)
        depth, _ = _solved_depth(w)
        fc = linear_params(int(np.prod(w.given.target)), w.given.classes)
    w.note("With the counts of Q2b(i) to Q2b(iii):")
    total = w.let("P", "L * P_conv + P_fc", L=depth, P_conv=per_layer, P_fc=fc)
    w.result("total", total, "Parameters of the network")
    with w.quietly():
        n_in = int(np.prod(w.given.image))
        dense = linear_params(n_in, n_in // 2) + linear_params(n_in // 2, w.given.classes)
    w.note("Against the fully connected network of Q2a(ii), with $P_{\\mathrm{Q2a}}$ its count:")
    big = indexed("P", "Q2a")
    ratio = w.derive(r"\text{ratio}", sp.floor(big / symbol("P")), {big: dense, symbol("P"): total})
    w.result("ratio", ratio, "The fully connected network has this many times as many parameters, rounded down")

    with w.quietly():
        summary = summarize(_network(w, depth))
    if summary.total_params != total:
        raise ArithmeticError(f"the calculator totals {summary.total_params}, the derivation {total}")
    w.note(
        "**Layer by layer.** The network calculator's `summarize`, on the same description of the network as in "
        "Q2b(ii), gives each layer's output shape (channels × height × width), parameters, multiply-accumulates "
        "(MACs, for one image; [how they are counted](../../formulas/macs.md#convolution)), and the receptive "
        "field (RF) and jump of its outputs along height and width:"
    )
    table = _table(summary)
    w.note(f'???+ abstract "The network of Q2b, {len(summary.rows)} layers"\n\n{table}')
    w.note("The receptive field grows by $k - 1$ with every stride-1 layer:")
    last_conv = summary.rows[depth - 1]
    field = w.let("r", "1 + L * (k - 1)", L=depth, k=k)
    if (field, field) != last_conv.receptive_field:
        raise ArithmeticError(f"the calculator's receptive field is {last_conv.receptive_field}, not {field}")
    w.result("macs", summary.total_macs, "Multiply-accumulates for one image")
    w.result("receptive_field", field, "Receptive field of the last convolution's outputs (square)")

    stack = [layers.Conv(channels, channels, k, fill=0.0) for _ in range(depth)]
    head = layers.Linear(int(np.prod(w.given.target)), w.given.classes, fill=0.0)
    counted = sum(layer.num_parameters for layer in stack) + head.num_parameters
    w.check(
        "total",
        counted,
        f"{depth} NumPy `Conv({channels}, {channels}, {k})` layers and a `Linear` head hold {counted:,} numbers",
    )
    first = n_in // 2 * layers.Linear(n_in, 1, fill=0.0).num_parameters
    second = layers.Linear(n_in // 2, w.given.classes, fill=0.0).num_parameters
    w.check(
        "ratio",
        (first + second) // counted,
        f"the NumPy count of Q2a(ii), {first + second:,} (the hidden layer counted on one unit), "
        f"integer-divided by {counted:,}",
    )
    macs, how = _macs_by_running(w, depth)
    w.check("macs", macs, how)
    stack_1d = [layers.Conv(1, 1, k, ndim=1, fill=1.0) for _ in range(depth)]
    mask = ref.receptive_field_mask(stack_1d, (1, w.given.image[1]), (0,))
    (extent,), _ = ref.receptive_field_extent(mask)
    w.check(
        "receptive_field",
        extent,
        f"back-propagating a one-hot gradient through {depth} NumPy `Conv` layers of width {k} (one spatial "
        f"dimension; the field is square) marks {extent} input positions",
    )
