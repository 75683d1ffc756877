"""Homework 2, Problem 4: the formulas, the network reconstructed from its solution, and its table.

The network exists once, as a description in the calculator's torch.nn format built by
:func:`_description` from what 4 (network) derives; 4 (solution) computes every row from it with
:func:`solutions.calculator.summarize`. The checks rebuild it from NumPy layers: output sizes by a
forward pass with one channel (the sizes do not depend on the channels), parameters and buffers by
allocating the real layers, MACs by counting the products of that one-channel pass and multiplying
by the channel pairs it stands for, and receptive fields with back-propagated masks on a smaller
input (a unit away from the borders has the same field whatever the input's size).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import numpy as np
import sympy as sp
import yaml

from solutions import reference as ref
from solutions.calculator import solve, summarize
from solutions.calculator.spec import load_spec
from solutions.calculator.summary import Summary, walk
from solutions.exercises.catalog import find_part
from solutions.exercises.work import Work
from solutions.formulas import (
    batchnorm_buffers,
    batchnorm_params,
    conv_macs,
    conv_output_size,
    conv_params,
    pool_output_size,
    receptive_field_closed_form,
)
from solutions.formulas._formula import Formula
from solutions.formulas.output_size import CONV_OUTPUT
from solutions.formulas.parameters import BATCHNORM_BUFFERS, BATCHNORM_PARAMS
from solutions.formulas.receptive_field import RF_JUMP_STEP, RF_SIZE_STEP, RF_START_STEP, RFLayer
from solutions.notation import NOTATION, indexed, symbol
from solutions.reference import layers
from solutions.reference.pooling import pool_window_starts

SPATIAL = ("conv", "pool")
NETWORK = "hw2/p4/p4b"
SOLUTION = "hw2/p4/p4c"
#: Input size of the receptive-field masks: small enough to be quick, large enough for every layer
#: to have a unit whose field lies inside the image.
MASK_INPUT = 100


# ----------------------------------------------------------------------------------------------
# Receptive fields measured with NumPy masks


def _extent(stack: list[layers.Layer], size: int, unit: int) -> tuple[int, int]:
    """Size and first input row of the receptive field of output unit (unit, unit) of a 1-channel stack."""
    mask = ref.receptive_field_mask(stack, (1, size, size), (unit, unit))
    (rows, _), (start, _) = ref.receptive_field_extent(mask)
    return rows, start


def _output_side(stack: list[layers.Layer], size: int) -> int:
    out = np.zeros((1, size, size))
    for layer in stack:
        out = layer(out)
    return out.shape[1]


def _mask_size(field: int, jump: int, start: int) -> int:
    """An input large enough for two middle units of a layer to have fields wholly inside it."""
    return field + 2 * abs(start) + 4 * jump


def _field_size(stack: list[layers.Layer], size: int) -> int:
    """Receptive field size of a middle unit of a 1-channel stack (one mask)."""
    return _extent(stack, size, _output_side(stack, size) // 2)[0]


def _field(stack: list[layers.Layer], size: int) -> tuple[int, int, int]:
    """Receptive field size, jump and start of a 1-channel stack, from the masks of two middle units."""
    middle = _output_side(stack, size) // 2
    rows, first = _extent(stack, size, middle)
    _, second = _extent(stack, size, middle + 1)
    jump = second - first
    return rows, jump, first - middle * jump


# ----------------------------------------------------------------------------------------------
# 4(a)


def _general(w: Work, formula: Formula, value: Any) -> Any:
    """A formula with every argument left symbolic: its general form, linked to its derivation."""
    w.note(f"[{formula.title}](../../{formula.url}):")
    return w.derive(NOTATION[formula.symbol.name].latex, value)


def p4a(w: Work) -> None:
    i, k, s, p, d = (symbol(key) for key in ("i", "k", "s", "p", "d"))
    w.note("**Output sizes.** Pooling with window $k$, stride $s$ and padding $p$ (PyTorch's rule, without ceil mode):")
    w.result("pool_output", pool_output_size(i, k, s, p), "Output size of pooling")
    w.note(
        "The source's formula reads $p$ as the window; with $p$ the padding, as its notation says, compare an example:"
    )
    example = w.given.pool_example
    w.result("pool_example", pool_output_size(**example), "Pooled size in the example")
    source_formula = w.source.pool_output
    at = {i: example["input_size"], s: example["stride"], p: example["padding"]}
    w.result(
        "pool_source_at_example",
        w.derive(r"\lfloor (i - p)/s \rfloor + 1", source_formula, at),
        "The source's formula in the example, $p$ read as padding",
    )
    w.note("**A convolution** with dilation $d$: its $k$ taps, $d$ apart, span")
    w.result("effective_kernel", w.derive(r"\hat{k}", d * (k - 1) + 1), r"Span of a dilated kernel, $\hat{k}$")
    w.note("positions, and the windows of that span that fit in the padded input number")
    with w.quietly():
        conv_size = conv_output_size(i, k, s, p, d)
    w.result("conv_output", _general(w, CONV_OUTPUT, conv_size), "Output size of a convolution")
    w.note("**Receptive field**, along one dimension, starting from $r_0 = j_0 = 1$ before the first layer:")
    r_prev, j_prev = symbol("r_prev"), symbol("j_prev")
    with w.quietly():
        size = RF_SIZE_STEP(previous_size=r_prev, previous_jump=j_prev, kernel_size=k, dilation=d)
        jump = RF_JUMP_STEP(previous_jump=j_prev, stride=s)
    w.result("rf_recurrence", _general(w, RF_SIZE_STEP, size), r"Receptive field after layer $\ell$")
    w.result("jump_recurrence", _general(w, RF_JUMP_STEP, jump), r"Jump after layer $\ell$")
    w.note(
        "Unrolled, this is the [closed form](../../formulas/receptive-field.md#closed-form) (proved equal to the "
        "recurrence there); for three layers:"
    )
    stack = [RFLayer(indexed("k", n), indexed("s", n), 0, indexed("d", n)) for n in (1, 2, 3)]
    closed = w.derive("r_3", receptive_field_closed_form(stack).size)
    w.result("rf_closed_form_3", closed, "Receptive field after three layers")

    c_in, c_out, c = symbol("C_in"), symbol("C_out"), symbol("C")
    k_h, k_w, o_h, o_w = (symbol(key) for key in ("k_h", "k_w", "o_h", "o_w"))
    channels = w.given.channel_example
    w.note(
        "**Channels.** Pooling works on each channel separately and keeps their number. A convolution computes "
        "one output channel per filter, so $C_{\\mathrm{out}}$ is its number of filters, chosen freely: in "
        f"Layer1, $C_{{\\mathrm{{in}}}} = {channels['in_channels']}$ and "
        f"$C_{{\\mathrm{{out}}}} = {channels['out_channels']}$."
    )
    w.result(
        "conv_keeps_channels",
        channels["in_channels"] == channels["out_channels"],
        "A convolution has as many output channels as input channels",
    )
    w.note("**Parameters** of a convolution with a bias per filter:")
    w.result("conv_params", conv_params(c_in, c_out, (k_h, k_w)), "Parameters of a convolution")
    w.note("Batch normalisation over $C$ channels learns a scale $\\gamma$ and a shift $\\beta$ per channel;")
    with w.quietly():
        learnable, kept = batchnorm_params(c), batchnorm_buffers(c)
    bn = w.result("bn_params", _general(w, BATCHNORM_PARAMS, learnable), "Learnable parameters of batch normalisation")
    w.note("its running mean and variance are buffers, kept with PyTorch's counter of batches:")
    w.result("bn_buffers", _general(w, BATCHNORM_BUFFERS, kept), "Buffer entries of batch normalisation")
    w.result("bn_params_are_running_statistics", False, "The parameters counted are the running statistics")
    w.note("Counting the running mean and variance as parameters too, as Keras does (it keeps no counter):")
    w.result("bn_keras_count", w.derive(r"P + 2 C", bn + 2 * c), "Batch normalisation's count in Keras")
    w.note("**MACs** of a convolution: one product per tap and input channel, for every output value:")
    w.result("conv_macs", conv_macs((o_h, o_w), c_in, c_out, (k_h, k_w)), "MACs of a convolution")

    # Numeric checks on small examples of our own.
    side, window, stride, pad = (example[name] for name in ("input_size", "kernel_size", "stride", "padding"))
    pooled = ref.max_pool(np.zeros((1, side, side)), window, stride, padding=pad).shape[1]
    how = (
        f"NumPy max pooling of a {side}×{side} map, window {window}, stride {stride}, padding {pad}, "
        f"returns {pooled}×{pooled}"
    )
    w.check_at("pool_output", {"i": side, "k": window, "s": stride, "p": pad}, pooled, how)
    w.check("pool_example", pooled, how)
    narrow = ref.max_pool(np.zeros((1, side, side)), pad, stride).shape[1]
    w.check(
        "pool_source_at_example",
        narrow,
        f"what the source's formula computes is pooling with a window of $p$ and no padding: NumPy max pooling with "
        f"window {pad}, stride {stride} returns {narrow}×{narrow}",
    )
    unpadded = ref.max_pool(np.zeros((1, 126, 126)), 2, 2).shape[1]
    w.check_at(
        "pool_output",
        {"i": 126, "k": 2, "s": 2, "p": 0},
        unpadded,
        f"NumPy max pooling of a 126×126 map, window 2, stride 2, no padding, returns {unpadded}×{unpadded}",
    )
    dilated = layers.Conv(1, 1, 3, dilation=2, fill=0.0)(np.zeros((1, 63, 63))).shape[1]
    w.check_at(
        "conv_output",
        {"i": 63, "k": 3, "s": 1, "p": 0, "d": 2},
        dilated,
        f"a NumPy `Conv(1, 1, 3, dilation=2)` maps 63×63 to {dilated}×{dilated}",
    )
    span, _ = _extent([layers.Conv(1, 1, 3, dilation=2, fill=1.0)], 5, 0)
    w.check_at("effective_kernel", {"k": 3, "d": 2}, span, f"its receptive-field mask spans {span} pixels")
    strided = layers.Conv(1, 1, 3, stride=2, fill=1.0)
    rf, jump, _ = _field([strided, layers.Conv(1, 1, 3, dilation=2, fill=1.0)], 31)
    w.check_at(
        "rf_recurrence",
        {"r_prev": 3, "j_prev": 2, "k": 3, "d": 2},
        rf,
        f"masks of NumPy layers: a 3×3 convolution with stride 2 (field 3, jump 2), then one with dilation 2: {rf}",
    )
    _, jump, _ = _field([strided, layers.MaxPool(2, 2)], 31)
    w.check_at(
        "jump_recurrence", {"j_prev": 2, "s": 2}, jump, f"the first of them then 2×2 pooling with stride 2: jump {jump}"
    )
    three = [strided, layers.Conv(1, 1, 3, dilation=2, fill=1.0), layers.MaxPool(2, 2)]
    rf3, _, _ = _field(three, 41)
    w.check_at(
        "rf_closed_form_3",
        {"k_1": 3, "s_1": 2, "d_1": 1, "k_2": 3, "s_2": 1, "d_2": 2, "k_3": 2, "s_3": 2, "d_3": 1},
        rf3,
        f"the mask of the three layers (3×3 stride 2; 3×3 dilation 2; 2×2 pooling stride 2) spans {rf3}",
    )
    conv = layers.Conv(64, 128, 3, fill=0.0)
    w.check_at(
        "conv_params",
        {"C_in": 64, "C_out": 128, "k_h": 3, "k_w": 3},
        conv.num_parameters,
        f"a NumPy `Conv(64, 128, 3)` holds {conv.num_parameters:,} numbers",
    )
    c_from, c_to, width = (channels[name] for name in ("in_channels", "out_channels", "kernel_size"))
    image = np.zeros((c_from, channels["size"], channels["size"]))
    mapped = layers.Conv(c_from, c_to, width, padding=channels["padding"], fill=0.0)(image)
    w.check(
        "conv_keeps_channels",
        mapped.shape[0] == image.shape[0],
        f"a NumPy `Conv({c_from}, {c_to}, {width}, padding={channels['padding']})` maps an input of shape "
        f"{image.shape} to one of shape {mapped.shape}",
    )
    norm = layers.BatchNorm(32)
    w.check_at(
        "bn_params", {"C": 32}, norm.num_parameters, f"a NumPy `BatchNorm(32)` holds {norm.num_parameters} parameters"
    )
    w.check_at(
        "bn_buffers",
        {"C": 32},
        norm.num_buffers,
        "the same layer's buffers (running mean, running variance, counter) hold "
        f"{' + '.join(str(b.size) for b in norm.buffers())} = {norm.num_buffers}",
    )
    statistics = {id(norm.running_mean), id(norm.running_var)}
    w.check(
        "bn_params_are_running_statistics",
        any(id(array) in statistics for array in norm.parameters()),
        "the arrays in its `parameters()` are `weight` ($\\gamma$) and `bias` ($\\beta$); the running statistics "
        "are in `buffers()`",
    )
    keras = norm.num_parameters + norm.running_mean.size + norm.running_var.size
    w.check_at("bn_keras_count", {"C": 32}, keras, f"its parameters and running statistics: {keras}")
    counter = ref.MacCounter()
    ref.cross_correlate(np.zeros((1, 63, 63)), np.zeros((1, 1, 3, 3)), dilation=2, counter=counter)
    w.check_at(
        "conv_macs",
        {"o_h": 59, "o_w": 59, "C_in": 64, "C_out": 128, "k_h": 3, "k_w": 3},
        counter.macs * 64 * 128,
        f"a NumPy cross-correlation of one 63×63 channel with one 3×3 filter (dilation 2) forms {counter.macs:,} "
        "products; 64 input and 128 output channels repeat them for every pair",
    )


# ----------------------------------------------------------------------------------------------
# 4 (network): the reconstruction


def _description(evidence: list[dict[str, Any]], net: dict[str, Any], input_size: int) -> dict[str, Any]:
    """The network as one description in the calculator's torch.nn format."""
    entries: list[dict[str, Any]] = []
    spatial = iter(range(len(net["kernel_sizes"])))
    outputs = iter(net["fc_out"])
    for item in evidence:
        kind = item["kind"]
        if kind in SPATIAL:
            n = next(spatial)
            geometry = {"kernel_size": net["kernel_sizes"][n], "stride": net["strides"][n]}
            if kind == "pool":
                entries.append({"MaxPool2d": geometry})
                continue
            if net["paddings"][n] != 0:
                geometry["padding"] = net["paddings"][n]
            if net["dilations"][n] != 1:
                geometry["dilation"] = net["dilations"][n]
            if geometry["stride"] == 1:
                del geometry["stride"]
            entries.append({"Conv2d": {"out_channels": net["channels"][n], **geometry}})
        elif kind == "bn":
            entries.append({"BatchNorm2d": {}})
        else:
            if not entries or "Linear" not in entries[-1]:
                entries.append({"Flatten": {}})
            entries.append({"Linear": {"out_features": next(outputs)}})
    return {"input": [net["input_channels"], input_size, input_size], "layers": entries}


def _values(work: Work) -> dict[str, Any]:
    return {key: result.value for key, result in work.results.items()}


def _network(results: dict[str, Any]) -> dict[str, Any]:
    return {
        key: results[key]
        for key in ("input_channels", "kernel_sizes", "strides", "paddings", "dilations", "channels", "fc_out")
    }


def _numpy_spatial(description: dict[str, Any]) -> list[layers.Layer]:
    """The convolutions, batch normalisations and poolings as 1-channel NumPy layers (for sizes, fields, MACs)."""
    out: list[layers.Layer] = []
    for entry in description["layers"]:
        ((kind, args),) = entry.items()
        if kind == "Conv2d":
            geometry = {
                name: args.get(name, default) for name, default in (("stride", 1), ("padding", 0), ("dilation", 1))
            }
            out.append(layers.Conv(1, 1, args["kernel_size"], fill=1.0, **geometry))
        elif kind == "MaxPool2d":
            out.append(layers.MaxPool(args["kernel_size"], args["stride"]))
        elif kind == "BatchNorm2d":
            out.append(layers.BatchNorm(1))
    return out


def _sizes(stack: list[layers.Layer], size: int, counters: list[ref.MacCounter] | None = None) -> list[int]:
    """Output side of every layer of a 1-channel stack on a size × size input (MACs into ``counters``)."""
    out, sides = np.zeros((1, size, size)), []
    for n, layer in enumerate(stack):
        out = layer(out, None if counters is None else counters[n])
        sides.append(out.shape[1])
    return sides


def _unique(values: list[int]) -> int | None:
    return values[0] if len(values) == 1 else None


def p4b(w: Work) -> None:
    evidence = w.given.evidence
    spatial = [item for item in evidence if item["kind"] in SPATIAL]
    fcs = [item for item in evidence if item["kind"] == "fc"]
    first, last = spatial[0], spatial[-1]
    span_of = f"{first['name']} to {last['name']}"

    w.note(
        "**Kernels and channels.** Each convolution's parameter count is printed as "
        "$(k_H k_W C_{\\mathrm{in}} + 1)\\, C_{\\mathrm{out}}$, so its factors give the kernel and the channels; "
        "each convolution's input channels are those of the convolution before it, as they must be (pooling and "
        "batch normalisation keep the channels). A pooling layer's window is the $a$ of its worked size "
        "$\\lfloor (H_{\\mathrm{in}} - a)/b \\rfloor + 1$, and every receptive-field term "
        "$r_{\\ell-1} + (k - 1) \\times d \\times j_{\\ell-1}$ repeats the kernel size."
    )
    kernels, channels_out = [], []
    current = first["params"][2]
    for item in spatial:
        if item["kind"] == "conv":
            k_h, k_w, c_in, c_out = item["params"]
            if k_h != k_w or c_in != current:
                raise ValueError(f"{item['name']}: kernel {k_h}×{k_w}, {c_in} input channels after {current}")
            kernels.append(k_h)
            current = c_out
        else:
            kernels.append(item["size"][1])
        channels_out.append(current)
    if kernels != [item["rf"][1] for item in spatial]:
        raise ValueError("the kernel sizes of the counts and of the receptive-field terms differ")
    w.result("input_channels", first["params"][2], "Input channels (an RGB image)")
    w.result("kernel_sizes", kernels, f"Kernel (window) sizes of {span_of}")
    w.result("channels", channels_out, f"Output channels of {span_of}")

    w.note(
        "**Dilation.** A worked size $\\lfloor (H_{\\mathrm{in}} - a)/b \\rfloor + 1$ is the size formula with no "
        "padding, span $\\hat{k} = a$ and stride $s = b$. For a convolution the span and the kernel size give the "
        "dilation, solving $\\hat{k} = d(k - 1) + 1$:"
    )
    k_, k_eff, d_ = symbol("k"), symbol("k_eff"), symbol("d")
    (dilation_of,) = (sp.together(x) for x in sp.solve(sp.Eq(d_ * (k_ - 1) + 1, k_eff), d_, simplify=False))
    dilations = []
    for item, k in zip(spatial, kernels, strict=True):
        if item["kind"] == "conv" and "size" in item:
            name = f"d_{{\\mathrm{{{item['name']}}}}}"
            dilations.append(w.derive(name, dilation_of, {k_: k, k_eff: item["size"][1]}))
        else:  # the first layer, which has no worked size, and the poolings
            dilations.append(item["rf"][2])
    for item, k, dilation in zip(spatial, kernels, dilations, strict=True):
        if dilation != 1:
            r_prev, _, d, j = item["rf"]
            w.note(
                f"{item['name']} is worked with a span of {item['size'][1]} while its parameter count has a {k} × {k} "
                f"kernel: a {k} × {k} kernel with dilation {dilation}. Its receptive-field term, "
                f"${r_prev} + ({k} - 1) \\times {d} \\times {j}$, has the same factor {d}; all the others have 1."
            )
    if [item["rf"][2] for item in spatial] != dilations:
        raise ValueError("the dilations of the size terms and of the receptive-field terms differ")
    w.result("dilations", dilations, f"Dilations of {span_of}")

    w.note(
        "**Strides.** Each receptive-field term shows the jump before its layer, and a jump is the product of the "
        f"strides so far, so $s_\\ell = j_\\ell / j_{{\\ell-1}}$. The jumps before {span_of} are:"
    )
    jumps = [item["rf"][3] for item in spatial]
    w.derive(rf"(j_0, \dots, j_{{{len(jumps) - 1}}})", sp.Matrix([jumps]))
    ratios = [sp.Rational(after, before) for before, after in pairwise(jumps)]
    # A copy: the derivation step keeps the list it returns, which must stay the seven ratios.
    strides = [*w.derive(rf"(s_1, \dots, s_{{{len(ratios)}}})", sp.Matrix([ratios]))[0], last["size"][2]]
    w.note(
        f"{last['name']}'s stride, after which no term follows, is the $b$ of its worked size. The worked sizes of "
        f"the other layers show the same strides as the jumps; {first['name']} has no worked size, so its stride "
        "comes from the jumps alone. No worked size has a $2p$ term: no padding after the first layer."
    )
    if [item["size"][2] for item in spatial[1:-1]] != strides[1:-1]:
        raise ValueError("the strides of the size terms and of the jumps differ")
    w.result("strides", strides, f"Strides of {span_of}")

    w.note(
        f"**{first['name']}'s input.** Nothing prints its input or padding. With stride {strides[0]}, kernel "
        f"{kernels[0]} and dilation {dilations[0]}, its output of {first['out'][0]} fixes only $i + 2p$:"
    )
    i_, p_ = symbol("i"), symbol("p")
    size = conv_output_size(i_, kernels[0], stride=strides[0], padding=p_, dilation=dilations[0])
    (input_of,) = sp.solve(sp.Eq(size, first["out"][0]), i_, simplify=False)
    w.derive("i", input_of)
    w.result("input_plus_twice_padding", input_of + 2 * p_, f"What {first['name']}'s output fixes: $i + 2p$")
    layer1 = {"Conv2d": {"out_channels": channels_out[0], "kernel_size": kernels[0], "padding": "?"}}
    bounds = {"input": list(w.given.input_range), "padding": [0, (kernels[0] - 1) // 2]}
    problem = {
        "input": [first["params"][2], "?", "?"],
        "layers": [layer1],
        "target": [channels_out[0]] + 2 * [first["out"][0]],
    }
    with w.quietly():  # its forward confirmations would repeat Layer1's formulas for every pair
        found = solve({**problem, "range": bounds})
    w.note(
        f"The calculator's `solve`, given {first['name']} with the input's size and the padding written \"?\" "
        f"(input {bounds['input'][0]} to {bounds['input'][1]}, padding {bounds['padding'][0]} to "
        f"{bounds['padding'][1]}, up to the padding that keeps the size; PyTorch allows more, which continues the "
        "family), finds the same family: the pairs (input, padding) listed in the answer."
    )
    w.result(
        "solved_pairs",
        [[solution["input"], solution["padding"]] for solution in found.solutions],
        f"(input, padding) pairs that give {first['name']}'s output, found by `solve`",
    )
    chosen = w.given.input_size
    w.note(f"We take the input of {chosen}, which needs the padding")
    padding = w.derive("p", sp.solve(sp.Eq(input_of, i_), p_, simplify=False)[0], {i_: chosen})
    w.result("paddings", [padding] + [0] * (len(spatial) - 1), f"Paddings of {span_of} (the first: our choice)")

    w.note(
        "**Rows left unread.** The last window of a layer starts at $s(o - 1)$ in the padded input and spans "
        "$\\hat{k}$ positions, while the input's last row is at $p + i - 1$, so the floor in the size formula "
        "leaves $\\max(0,\\, i + p - s(o - 1) - \\hat{k})$ rows (and columns) at the end unread:"
    )
    s_, o_ = symbol("s"), symbol("o")
    leftover = sp.Max(0, i_ + p_ - s_ * (o_ - 1) - k_eff)
    sizes_in = [chosen] + [item["out"][0] for item in spatial[:-1]]
    unread = [
        leftover.xreplace({i_: size, p_: pad, s_: stride, o_: item["out"][0], k_eff: d * (k - 1) + 1})
        for size, pad, stride, item, d, k in zip(
            sizes_in, [padding] + [0] * (len(spatial) - 1), strides, spatial, dilations, kernels, strict=True
        )
    ]
    w.result(
        "unread_rows",
        w.derive(f"(\\text{{unread}}_1, \\dots, \\text{{unread}}_{{{len(unread)}}})", sp.Matrix([unread]))[0],
        f"Rows left unread at the end of the input, {span_of}",
    )

    fc_in = fcs[0]["params"][0]
    side = last["out"][0]
    w.note(
        f"**Fully connected layers.** {fcs[0]['name']}'s count $n_{{\\mathrm{{in}}}} n_{{\\mathrm{{out}}}} + "
        f"n_{{\\mathrm{{out}}}}$ has $n_{{\\mathrm{{in}}}} = {fc_in}$. Read as the flattened last map of "
        f"${side} \\times {side}$, that is"
    )
    n_in, o_h, o_w = symbol("n_in"), symbol("o_h"), symbol("o_w")
    flattened = w.derive("C", n_in / (o_h * o_w), {n_in: fc_in, o_h: side, o_w: side})
    w.note(
        f"channels, {last['name']}'s {channels_out[-1]}: {fcs[0]['name']} reads the flattened last map, with no "
        "layer between them."
    )
    if flattened != channels_out[-1]:
        raise ValueError("the first fully connected layer does not read the flattened last map")
    w.result("fc_in", fc_in, f"Inputs of {fcs[0]['name']}, the flattened last map")
    w.result("fc_out", [item["params"][1] for item in fcs], f"Outputs of {fcs[0]['name']} to {fcs[-1]['name']}")

    net = _network(_values(w))
    description = _description(evidence, net, chosen)
    w.note(
        "Put together, the network is this one description, in the calculator's format (torch.nn classes and "
        "their arguments, defaults left out). [4 (solution)](#p4c) computes every number from it.\n\n"
        f"```yaml\n{yaml.safe_dump(description, sort_keys=False, default_flow_style=None, width=100)}```"
    )

    alternative = {**net, "paddings": [0, *net["paddings"][1:]]}
    unpadded_size = int(input_of.subs(p_, 0))
    with w.quietly():
        padded_summary = summarize(description)
        unpadded_summary = summarize(_description(evidence, alternative, unpadded_size))
    w.note(
        f"**What the choice of input changes.** With $i + 2p$ fixed, {first['name']}'s output is the same, and so "
        "is everything after it: the calculator gives the same rows (output shapes, parameters, buffers, MACs, "
        f"receptive fields, jumps) for an input of {chosen} with padding {padding} and for one of {unpadded_size} "
        "without padding. What differs lies outside the table. With padding, the receptive field of unit 0 "
        "reaches into the padding: its start moves by $p$ (the third quantity of the "
        "[recurrence](../../formulas/receptive-field.md#recurrence)):"
    )
    w.result(
        "numbers_independent",
        _rows(padded_summary) == _rows(unpadded_summary),
        "Every row of the table is the same for either input",
    )
    start = RF_START_STEP(previous_start=0, previous_jump=1, padding=padding)
    w.result("rf_start_same_padding", start, f"Start of the receptive fields, input {chosen}, padding {padding}")
    unpadded_start = RF_START_STEP(previous_start=0, previous_jump=1, padding=0)
    w.result("rf_start_no_padding", unpadded_start, f"Start, input {unpadded_size}, no padding")
    w.note("No later layer pads, so every later layer's fields keep this start.")
    w.note(
        f"And {first['name']}'s MACs count the products with the padding's zeros too, as frameworks do. Along one "
        "axis (stride 1, $p < k$) the first and the last $p$ outputs have $p, p - 1, \\dots, 1$ taps on the padding, "
        "so of a row's $k\\,o$ products $k\\,o - p(p + 1)$ meet pixels; over both axes and all channel pairs:"
    )
    c_in, c_out, o_ = symbol("C_in"), symbol("C_out"), symbol("o")
    on_pixels = (k_ * o_ - p_ * (p_ + 1)) ** 2 * c_in * c_out
    values = {k_: kernels[0], o_: first["out"][0], c_in: net["input_channels"], c_out: channels_out[0]}
    w.result(
        "pixel_products_same_padding",
        w.derive(r"N_{\text{pixels}}", on_pixels, {**values, p_: padding}),
        f"{first['name']}'s products with image pixels, padding {padding}",
    )
    w.result(
        "pixel_products_no_padding",
        w.derive(r"N_{\text{pixels}}", on_pixels, {**values, p_: 0}),
        "The same without padding: all of its MACs",
    )

    _check_network(w, net, description, _description(evidence, alternative, unpadded_size))


def _rows(summary: Summary) -> list[tuple[Any, ...]]:
    return [(r.type, r.output_shape, r.params, r.buffers, r.macs, r.receptive_field, r.jump) for r in summary.rows]


def _variant(layer: layers.Layer, ndim: int = 2, **change: int) -> layers.Layer:
    """A 1-channel copy of a NumPy convolution or pooling layer with one geometry value changed, in 1 or 2-d."""
    geometry = {name: _value(layer, name) for name in ("kernel_size", "stride", "padding", "dilation")}
    geometry.update(change)
    if isinstance(layer, layers.MaxPool):
        return layers.MaxPool(**geometry)
    return layers.Conv(1, 1, fill=1.0, ndim=ndim, **geometry)


def _unread_rows(layer: layers.Layer, size: int) -> int:
    """Rows at the end of an input of ``size`` that no window of the layer reads (along one axis)."""
    k, s, p, d = (_value(layer, name) for name in ("kernel_size", "stride", "padding", "dilation"))
    if isinstance(layer, layers.MaxPool):
        read = np.zeros(size + 2 * p, dtype=bool)
        for start in pool_window_starts(size, k, s, p, d, False):
            read[start + d * np.arange(k)] = True
        read = read[p : p + size]
    else:
        out = _variant(layer, 1)(np.zeros((1, size))).shape[1]
        ones = np.ones((1, 1, k))
        read = ref.conv_input_grad((1, size), ones, np.ones((1, out)), stride=s, padding=p, dilation=d)[0] != 0
    return size - 1 - int(np.flatnonzero(read)[-1])


def _value(layer: layers.Layer, name: str) -> int:
    """One geometry value of a NumPy layer (the layers keep per-axis tuples; the network is square)."""
    value = getattr(layer, name)
    return value[0] if isinstance(value, tuple) else value


def _check_network(w: Work, net: dict[str, Any], description: dict[str, Any], other: dict[str, Any]) -> None:
    printed = {key: int(v) if getattr(v, "is_Integer", False) else v for key, v in find_part(SOLUTION).source.items()}
    evidence = w.given.evidence
    spatial = [item for item in evidence if item["kind"] in SPATIAL]
    first, chosen = spatial[0], w.given.input_size
    k1, c1 = net["kernel_sizes"][0], net["channels"][0]
    fits = [c for c in range(1, 9) if layers.Conv(c, c1, k1, fill=0.0).num_parameters == printed["layer1_params"]]
    w.check(
        "input_channels",
        _unique(fits),
        f"NumPy `Conv(C, {c1}, {k1})` for C = 1 to 8: only C = {', '.join(map(str, fits))} holds the printed "
        f"{printed['layer1_params']:,} parameters",
    )
    low, high = w.given.input_range
    pairs = [
        (size, pad)
        for size in range(low, high + 1)
        for pad in range((k1 - 1) // 2 + 1)
        if layers.Conv(1, 1, k1, padding=pad, ndim=1, fill=0.0)(np.zeros((1, size))).shape[1] == first["out"][0]
    ]
    w.check(
        "input_plus_twice_padding",
        _unique(sorted({size + 2 * pad for size, pad in pairs})),
        f"one-dimensional NumPy `Conv(1, 1, {k1}, padding=p)` (the size along each axis) on inputs of {low} to "
        f"{high} with p = 0 to {(k1 - 1) // 2}: the (input, padding) pairs that give {first['out'][0]} are "
        f"{', '.join(f'({s}, {p})' for s, p in pairs)}",
    )
    w.check("solved_pairs", [list(pair) for pair in pairs], "the same NumPy search")

    # One hyperparameter at a time, the others as reconstructed: which of the values tried give the
    # printed output size and, through the layers before, the printed receptive field?
    stack = _numpy_spatial(description)
    positions = [n for n, layer in enumerate(stack) if isinstance(layer, (layers.Conv, layers.MaxPool))]
    inputs = [chosen] + [item["out"][0] for item in spatial[:-1]]

    def reproducing(n: int, name: str, values: range) -> int | None:
        item, layer = spatial[n], stack[positions[n]]
        kept = []
        for value in values:
            try:  # the size along one axis, with a one-dimensional copy of the layer
                side = _variant(layer, 1, **{name: value})(np.zeros((1, inputs[n]))).shape[1]
            except Exception:  # a window longer than the padded input, or padding PyTorch refuses
                continue
            if side == item["out"][0]:
                kept.append(value)
        if len(kept) > 1:  # several give the printed size: the printed receptive field decides
            field = printed[f"layer{item['name'].removeprefix('Layer')}_rf"]
            size = _mask_size(field, item["rf"][3], net["paddings"][0])
            before = stack[: positions[n]]
            kept = [v for v in kept if _field_size([*before, _variant(layer, **{name: v})], size) == field]
        return _unique(kept)

    tried = {"kernel_sizes": ("kernel_size", range(1, 10)), "strides": ("stride", range(1, 5))}
    tried |= {"paddings": ("padding", range(4)), "dilations": ("dilation", range(1, 5))}
    for key, (name, values) in tried.items():
        found = [reproducing(n, name, values) for n in range(len(spatial))]
        w.check(
            key,
            found,
            f"for each layer, NumPy layers with every other value as reconstructed and the {name.replace('_', ' ')} "
            f"set to {values.start} to {values.stop - 1}: the one value that gives the printed output size (where "
            "several do, the printed receptive field, from masks through the layers before, decides)",
        )
    channels: list[int | None] = []
    c_in = net["input_channels"]
    for n, item in enumerate(spatial):
        if item["kind"] == "conv":
            k, d = net["kernel_sizes"][n], net["dilations"][n]
            count = printed[f"layer{item['name'].removeprefix('Layer')}_params"]
            one = layers.Conv(c_in, 1, k, fill=0.0).num_parameters
            c_out = count // one if count % one == 0 else None
            out = layers.Conv(c_in, c_out, k, dilation=d, fill=0.0)(np.zeros((c_in, d * (k - 1) + 1, d * (k - 1) + 1)))
            c_in = out.shape[0]
        channels.append(c_in)
    w.check(
        "channels",
        channels,
        "each printed count divided by the parameters of one filter, a NumPy `Conv(C_in, 1, k)`; a forward pass of "
        "the resulting layer on its input's channels returns that many (pooling keeps the channels)",
    )
    sides = _sizes(stack, chosen)
    flat = layers.Flatten()(np.zeros((channels[-1], sides[-1], sides[-1])))
    unread = []
    for n, size in enumerate(inputs):
        unread.append(_unread_rows(stack[positions[n]], size))
    w.check(
        "unread_rows",
        unread,
        "one-dimensional copies of the NumPy layers: the input rows that some window reads (for a convolution, "
        "those that receive a gradient from an output of ones; for pooling, the windows PyTorch keeps), and how "
        "many rows after the last of them",
    )
    w.check("fc_in", flat.size, f"NumPy `Flatten` of the last map, {channels[-1]}×{sides[-1]}×{sides[-1]}")
    fcs = [item for item in evidence if item["kind"] == "fc"]
    outputs = [
        sp.Rational(printed[f"fc{n}_params"], layers.Linear(item["params"][0], 1, fill=0.0).num_parameters)
        for n, item in enumerate(fcs, 1)
    ]
    w.check("fc_out", outputs, "each printed count divided by the parameters of one output, a NumPy `Linear(n_in, 1)`")

    unpadded_size = other["input"][1]
    other_sides = _sizes(_numpy_spatial(other), unpadded_size)
    counters = [ref.MacCounter(), ref.MacCounter()]
    kernel = np.ones((1, 1, k1, k1))
    ref.cross_correlate(np.zeros((1, chosen, chosen)), kernel, padding=net["paddings"][0], counter=counters[0])
    ref.cross_correlate(np.zeros((1, unpadded_size, unpadded_size)), kernel, counter=counters[1])
    padded_field = _field(stack, MASK_INPUT)
    unpadded_field = _field(_numpy_spatial(other), MASK_INPUT + 2 * net["paddings"][0])
    w.check(
        "numbers_independent",
        sides == other_sides and counters[0].macs == counters[1].macs and padded_field[:2] == unpadded_field[:2],
        f"one-channel NumPy passes from {chosen} with padding {net['paddings'][0]} and from {unpadded_size} without: "
        f"the same output sizes, {', '.join(map(str, sides))}; {first['name']} forms {counters[0].macs:,} products "
        f"per channel pair in both; the last layer's masks span {padded_field[0]} and {unpadded_field[0]} pixels, "
        f"with jumps {padded_field[1]} and {unpadded_field[1]}",
    )
    w.check(
        "rf_start_same_padding",
        padded_field[2],
        "the first row of the mask of a middle unit of the last layer, less the unit's index times the jump",
    )
    w.check("rf_start_no_padding", unpadded_field[2], "the same without padding")
    pairs_of_channels = net["input_channels"] * net["channels"][0]
    image = np.ones((1, chosen, chosen))
    on_pixels = int(ref.cross_correlate(image, kernel, padding=net["paddings"][0]).sum())
    w.check(
        "pixel_products_same_padding",
        on_pixels * pairs_of_channels,
        f"a NumPy cross-correlation of an image of ones with a kernel of ones adds 1 for each product with a pixel: "
        f"{on_pixels:,}, times {pairs_of_channels} channel pairs",
    )
    w.check(
        "pixel_products_no_padding",
        counters[1].macs * pairs_of_channels,
        "without padding every product meets a pixel: the counted products, times the channel pairs",
    )


# ----------------------------------------------------------------------------------------------
# 4 (solution): the table


def _rows_named(evidence: list[dict[str, Any]]) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    """(key prefix, display name, evidence) of each row of the description; Flatten has no source row."""
    last = 0
    fc = 0
    for item in evidence:
        kind = item["kind"]
        if kind in SPATIAL:
            last = int(item["name"].removeprefix("Layer"))
            yield f"layer{last}", item["name"], item
        elif kind == "bn":
            name = f"BN{last}" if item["name"] == f"BN{last}" else f"BN{last} (printed {item['name']})"
            yield f"bn{last}", name, item
        else:
            fc += 1
            if fc == 1:
                yield "flatten", "Flatten", None
            yield f"fc{fc}", item["name"], item


def p4c(w: Work) -> None:
    network = find_part(NETWORK)
    results = _values(network.solve())
    evidence, chosen = network.givens["evidence"], network.givens["input_size"]
    description = _description(evidence, _network(results), chosen)
    named = list(_rows_named(evidence))
    with w.quietly():
        summary = summarize(description)
    names = ", ".join(name for _, name, item in named if item is not None)
    flatten = next(row.index for row, (key, _, _) in zip(summary.rows, named, strict=True) if key == "flatten")
    w.note(
        "The calculator's summary of the description of [4 (network)](#p4b): shapes channels first (C × H × W), "
        "receptive field and jump per spatial dimension. In the source's names the rows are, in order: "
        f"{names}; row {flatten}, the flattening, is implicit in the source."
    )
    # Cells kept on one line: the shapes and layer names would otherwise wrap in the page's column.
    w.note(f'<div markdown="1" style="white-space: nowrap">\n\n{summary.to_markdown()}\n</div>')
    w.note(
        "Each row's formulas, in order (output size, parameters, MACs, then the receptive field's size, jump "
        "and start for each spatial dimension):"
    )
    spec = load_spec(description)
    steps = walk(spec.input_shape, list(spec.layers()))
    for row, (_, name, _) in zip(summary.rows, named, strict=True):
        w.note(
            f'<details class="abstract" markdown="1"><summary>{row.index} · {name} · <code>{row.type}</code></summary>'
        )
        _, applied = next(steps)
        w.note("</details>")
        if (applied.shape, applied.params, applied.macs) != (row.output_shape, row.params, row.macs):
            raise AssertionError(f"walk and summarize disagree on row {row.index}")

    for row, (key, name, item) in zip(summary.rows, named, strict=True):
        c, *spatial = row.output_shape
        if key == "flatten":
            w.result("flatten_size", c, "Flatten: values of the flattened map")
            continue
        if key.startswith("fc"):
            w.result(f"{key}_params", row.params, f"{name}: parameters")
            w.result(f"{key}_macs", row.macs, f"{name}: MACs")
            continue
        if key.startswith("layer") and "size" in item:
            w.result(f"{key}_h_out", spatial[0], f"{name}: output height")
        w.result(f"{key}_shape", (*spatial, c), f"{name}: output H × W × C")
        if key.startswith("bn"):
            w.result(f"{key}_params", row.params, f"{name}: parameters")
            w.result(f"{key}_macs", row.macs, f"{name}: MACs")
            if name.startswith(f"BN{key[2:]} (printed"):
                w.result(f"{key}_follows_layer", int(key[2:]), f"{name}: the layer it follows")
            continue
        w.result(f"{key}_params", row.params, f"{name}: parameters")
        w.result(f"{key}_macs", row.macs, f"{name}: MACs")
        w.result(f"{key}_rf", row.receptive_field[0], f"{name}: receptive field")
    spatial_rows = [row for row in summary.rows if row.receptive_field is not None]
    w.result("jumps", [row.jump[0] for row in spatial_rows], "Jumps of rows 1 to 13")
    norms = [row for row in summary.rows if row.type.startswith("BatchNorm")]
    w.result("bn_buffers", [row.buffers for row in norms], "Buffers of the batch normalisations")
    w.result("rf_last", spatial_rows[-1].receptive_field[0], "Receptive field of the last map")
    w.result("total_params", summary.total_params, "Total parameters")
    w.result("total_buffers", summary.total_buffers, "Total buffer entries")
    w.result("total_macs", summary.total_macs, "Total MACs")
    w.result("param_bytes", summary.param_bytes, "Parameter memory in bytes (fp32)")
    w.result("largest_activation", summary.largest_activation.elements, "Largest activation, in elements")

    _check_table(w, description, summary, named)


def _check_table(w: Work, description: dict[str, Any], summary: Summary, named: list[tuple[str, str, Any]]) -> None:
    size = description["input"][1]
    channels_in = description["input"][0]
    stack = _numpy_spatial(description)
    counters = [ref.MacCounter() for _ in stack]
    sides = _sizes(stack, size, counters)
    # Masks for the convolutions and poolings; batch normalisation is pointwise and keeps the field.
    fields: list[tuple[int, int, int]] = []
    for n, row in enumerate(summary.rows[: len(stack)]):
        if isinstance(stack[n], layers.BatchNorm):
            fields.append(fields[-1])
        else:
            fields.append(_field(stack[: n + 1], _mask_size(row.receptive_field[0], row.jump[0], row.start[0])))
    totals = {"params": 0, "buffers": 0, "macs": 0}
    activations = []
    channels = channels_in
    spatial_index = 0
    for position, ((key, _, item), entry) in enumerate(zip(named, description["layers"], strict=True)):
        ((kind, args),) = entry.items()
        if kind in ("Conv2d", "BatchNorm2d", "MaxPool2d"):
            n = spatial_index
            spatial_index += 1
            side = sides[n]
        if kind == "Conv2d":
            k, d = args["kernel_size"], args.get("dilation", 1)
            conv = layers.Conv(channels, args["out_channels"], k, dilation=d, fill=0.0)
            out = conv(np.zeros((channels, d * (k - 1) + 1, d * (k - 1) + 1)))
            macs = counters[n].macs * channels * out.shape[0]
            w.check(
                f"{key}_shape",
                (side, side, out.shape[0]),
                f"a one-channel NumPy pass gives {side}×{side}; one window of the real "
                f"`Conv({channels}, {out.shape[0]}, {k})` gives {out.shape[0]} channels",
            )
            if "size" in item:
                w.check(f"{key}_h_out", side, "the one-channel pass")
            w.check(
                f"{key}_params",
                conv.num_parameters,
                f"NumPy `Conv({channels}, {out.shape[0]}, {k})` holds {conv.num_parameters:,}",
            )
            w.check(
                f"{key}_macs",
                macs,
                f"{counters[n].macs:,} products in the one-channel pass, × {channels} × {out.shape[0]} channel pairs",
            )
            w.check(f"{key}_rf", fields[n][0], f"the receptive-field mask of rows 1 to {n + 1} spans {fields[n][0]}")
            totals["params"] += conv.num_parameters
            totals["macs"] += macs
            channels = out.shape[0]
        elif kind == "BatchNorm2d":
            norm = layers.BatchNorm(channels)
            w.check(f"{key}_shape", (side, side, channels), "batch normalisation keeps the shape of its input")
            w.check(f"{key}_params", norm.num_parameters, f"NumPy `BatchNorm({channels})` holds {norm.num_parameters}")
            w.check(f"{key}_macs", counters[n].macs, "the NumPy pass forms no products of inputs with weights")
            if f"{key}_follows_layer" in w.results:
                before = [e for e in description["layers"][:position] if next(iter(e)) in ("Conv2d", "MaxPool2d")]
                w.check(
                    f"{key}_follows_layer",
                    len(before),
                    f"counting the convolutions and poolings before it in the description: {len(before)}",
                )
            totals["params"] += norm.num_parameters
            totals["buffers"] += norm.num_buffers
        elif kind == "MaxPool2d":
            w.check(
                f"{key}_shape",
                (side, side, channels),
                f"the one-channel pass gives {side}×{side}; pooling keeps the channels",
            )
            w.check(f"{key}_h_out", side, "the one-channel pass")
            w.check(
                f"{key}_params", sum(a.size for a in layers.MaxPool(2).parameters()), "NumPy `MaxPool` owns no arrays"
            )
            w.check(f"{key}_macs", counters[n].macs, "and forms no products")
            w.check(f"{key}_rf", fields[n][0], f"the receptive-field mask of rows 1 to {n + 1} spans {fields[n][0]}")
        elif kind == "Flatten":
            flat = layers.Flatten()(np.zeros((channels, sides[-1], sides[-1])))
            w.check("flatten_size", flat.size, f"NumPy `Flatten` of a {channels}×{sides[-1]}×{sides[-1]} array")
            channels = flat.size
        elif kind == "Linear":
            n_out = args["out_features"]
            reduced = n_out > 1024 or channels * n_out > 2_000_000
            layer = layers.Linear(channels, 1 if reduced else n_out, fill=0.0)
            counter = ref.MacCounter()
            layer(np.zeros(channels), counter)
            factor = n_out if reduced else 1
            how = (
                f"NumPy `Linear({channels}, 1)` (one output), × {n_out}"
                if reduced
                else f"NumPy `Linear({channels}, {n_out})`"
            )
            w.check(f"{key}_params", layer.num_parameters * factor, f"{how}: parameters")
            w.check(f"{key}_macs", counter.macs * factor, f"{how}: products in a forward pass")
            totals["params"] += layer.num_parameters * factor
            totals["macs"] += counter.macs * factor
            channels = n_out
        activations.append(channels * (sides[n] ** 2 if kind in ("Conv2d", "BatchNorm2d", "MaxPool2d") else 1))
    w.check(
        "jumps",
        [field[1] for field in fields],
        "differences between the masks' first rows for two neighbouring units of each convolution and pooling "
        "(batch normalisation, pointwise, keeps the jump of the layer before)",
    )
    norms = [
        layers.BatchNorm(row.output_shape[0]).num_buffers for row in summary.rows if row.type.startswith("BatchNorm")
    ]
    w.check("bn_buffers", norms, "NumPy `BatchNorm` buffers: running mean, running variance, counter")
    w.check("rf_last", fields[-1][0], "the last mask")
    w.check("total_params", totals["params"], "the sum of the NumPy counts above")
    w.check("total_buffers", totals["buffers"], "the sum of the NumPy batch normalisations' buffers")
    w.check("total_macs", totals["macs"], "the sum of the NumPy counts above")
    w.check(
        "param_bytes", totals["params"] * np.dtype(np.float32).itemsize, "the parameter count × 4 bytes per float32"
    )
    w.check("largest_activation", max(activations), "the largest array of the NumPy passes (channels × height × width)")
