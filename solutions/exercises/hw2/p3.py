"""Homework 2, Problem 3: receptive fields of stacks, large against small filters, Inception
bottlenecks, dilation.

Receptive fields are confirmed with :func:`solutions.reference.receptive_field_mask`, which marks
the input pixels that reach one output unit by back-propagating through NumPy layers; weights by
counting the NumPy layers' arrays; multiply-accumulates by counting the products a NumPy
cross-correlation forms.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_macs, conv_output_size, conv_params, pool_output_size
from solutions.formulas.receptive_field import RF_JUMP_STEP, RF_SIZE_STEP
from solutions.notation import symbol
from solutions.reference import layers


def _field(stack: list[layers.Layer], input_size: int) -> tuple[int, bool]:
    """Receptive field of a middle output unit of a 1-channel NumPy stack: its extent, and no holes."""
    out = np.zeros((1, input_size, input_size))
    for layer in stack:
        out = layer(out)
    middle = (out.shape[1] // 2, out.shape[2] // 2)
    mask = ref.receptive_field_mask(stack, (1, input_size, input_size), middle)
    (size, _), (start, _) = ref.receptive_field_extent(mask)
    row = mask[start : start + size, start : start + size]
    return size, bool(row.all())


def _convs(count: int, k: int, **kwargs: int) -> list[layers.Layer]:
    return [layers.Conv(1, 1, k, fill=1.0, **kwargs) for _ in range(count)]


def _offsets(k: int, dilations: list[int]) -> list[int]:
    """Offsets from the first pixel of the field that a stack of dilated k-tap layers reaches."""
    return sorted(
        {sum(t * d for t, d in zip(taps, dilations, strict=True)) for taps in product(range(k), repeat=len(dilations))}
    )


def p3a_i(w: Work) -> None:
    k, depth, strided, stride = w.given.kernel_size, w.given.layers, w.given.strided_layer, w.given.stride
    w.note(
        "All strides 1: the jump stays 1 and each layer adds $k - 1$, so after $L$ layers the closed form of "
        "the receptive field gives"
    )
    L_, k_ = symbol("L"), symbol("k")
    plain = w.derive("r", 1 + L_ * (k_ - 1), {L_: depth, k_: k})
    w.result("rf_plain", plain, "Receptive field, all strides 1")
    w.note(f"With stride {stride} in layer {strided}, layer by layer (size, then jump):")
    size, jump = 1, 1
    for index in range(1, depth + 1):
        size = RF_SIZE_STEP(previous_size=size, previous_jump=jump, kernel_size=k)
        jump = RF_JUMP_STEP(previous_jump=jump, stride=stride if index == strided else 1)
    w.result("rf_strided", size, f"Receptive field, stride {stride} in layer {strided}")

    plain_field, _ = _field(_convs(depth, k), 21)
    strided_stack = [layers.Conv(1, 1, k, stride=stride if n == strided else 1, fill=1.0) for n in range(1, depth + 1)]
    strided_field, _ = _field(strided_stack, 33)
    w.check(
        "rf_plain",
        plain_field,
        f"the input pixels that reach the middle output of {depth} NumPy {k}×{k} convolutions span "
        f"{plain_field}×{plain_field}",
    )
    w.check(
        "rf_strided",
        strided_field,
        f"with stride {stride} in layer {strided} they span {strided_field}×{strided_field}",
    )


def p3a_ii(w: Work) -> None:
    C, L_, k_, r_ = symbol("C"), symbol("L"), symbol("k"), symbol("r")
    large, medium, small, stack, vgg = (w.given[name] for name in ("large", "medium", "small", "stack", "vgg"))
    w.note("Weights of one $k \\times k$ layer from $C$ to $C$ channels (no bias, as in the source):")
    w.result("weights_15", conv_params(C, C, large, bias=False), f"Weights of one {large} × {large} layer")
    w.result("weights_9", conv_params(C, C, medium, bias=False), f"Weights of one {medium} × {medium} layer")
    w.result("weights_7", conv_params(C, C, vgg, bias=False), f"Weights of one {vgg} × {vgg} layer")
    w.note(f"A stack of $L$ layers of {small} × {small} has $L$ times the weights of one, and (stride 1) the field:")
    stack_weights = L_ * k_**2 * C**2
    w.result(
        "weights_three_3x3",
        w.derive(r"W_{\text{stack}}", stack_weights, {L_: stack, k_: small}),
        f"Weights of {stack} stacked {small} × {small} layers",
    )
    w.result("rf_three_3x3", w.derive("r", 1 + L_ * (k_ - 1), {L_: stack, k_: small}), "Their receptive field")
    w.note("Solved for the number of layers that reach a field $r$:")
    (depth,) = (sp.together(x) for x in sp.solve(sp.Eq(1 + L_ * (k_ - 1), r_), L_, simplify=False))
    for size, key, weights_key in (
        (medium, "layers_for_9", "weights_four_3x3"),
        (large, "layers_for_15", "weights_seven_3x3"),
    ):
        count = w.derive("L", depth, {r_: size, k_: small})
        w.result(key, count, f"{small} × {small} layers that see {size} × {size}")
        w.result(
            weights_key,
            w.derive(r"W_{\text{stack}}", stack_weights, {L_: count, k_: small}),
            f"Weights of {count} stacked {small} × {small} layers",
        )

    channels = 4
    for key, k in (("weights_15", large), ("weights_9", medium), ("weights_7", vgg)):
        count = layers.Conv(channels, channels, k, bias=False, fill=0.0).num_parameters
        w.check_at(
            key, {"C": channels}, count, f"a NumPy `Conv({channels}, {channels}, {k}, bias=False)` holds {count:,}"
        )
    for key, count_layers in (("weights_three_3x3", stack), ("weights_four_3x3", 4), ("weights_seven_3x3", 7)):
        total = sum(
            layers.Conv(channels, channels, small, bias=False, fill=0.0).num_parameters for _ in range(count_layers)
        )
        w.check_at(
            key,
            {"C": channels},
            total,
            f"{count_layers} NumPy `Conv({channels}, {channels}, {small}, bias=False)` hold {total:,}",
        )
    fields = {n: _field(_convs(n, small), 2 * large + 1)[0] for n in range(1, 9)}
    listing = ", ".join(f"{n} → {size}" for n, size in fields.items())
    w.check(
        "rf_three_3x3",
        fields[stack],
        f"receptive-field masks of stacks of NumPy {small}×{small} convolutions: {listing}",
    )
    w.check(
        "layers_for_9",
        min(n for n, size in fields.items() if size >= medium),
        "the smallest stack above that reaches 9",
    )
    w.check(
        "layers_for_15",
        min(n for n, size in fields.items() if size >= large),
        "the smallest stack above that reaches 15",
    )


def p3b_i(w: Work) -> None:
    channels, height, width = w.given.input
    w.note("Each branch keeps the height and width if its padding adds $(k - 1)/2$ on each side, at stride 1:")
    paddings = []
    for k in w.given.kernel_sizes:
        padding = w.let("p", "(k - 1)/2", k=k)
        conv_output_size(height, k, padding=padding)
        paddings.append(padding)
    w.result("paddings", paddings, f"Padding of the {', '.join(f'{k} × {k}' for k in w.given.kernel_sizes)} branches")
    pool = w.given.pool_size
    pool_padding = w.let("p", "(k - 1)/2", k=pool)
    pool_output_size(height, pool, stride=1, padding=pool_padding)
    w.result("pool_padding", pool_padding, f"Padding of the {pool} × {pool} max pooling (stride 1)")

    reduce, out, k = w.given.reduce, w.given.out_channels, w.given.kernel_size
    w.note(f"The {k} × {k} branch straight on the input, weights and multiply-accumulates:")
    direct = conv_params(channels, out, k, bias=False)
    direct_macs = conv_macs((height, width), channels, out, k)
    w.note(f"With a 1 × 1 reduction to {reduce} channels first:")
    first, second = conv_params(channels, reduce, 1, bias=False), conv_params(reduce, out, k, bias=False)
    weights = w.let("W", "W_1 + W_2", W_1=first, W_2=second)
    first_macs, second_macs = (
        conv_macs((height, width), channels, reduce, 1),
        conv_macs((height, width), reduce, out, k),
    )
    macs = w.let("MACs", "MACs_1 + MACs_2", MACs_1=first_macs, MACs_2=second_macs)
    w.result("weights_direct", direct, f"Weights, {k} × {k} directly")
    w.result("weights_bottleneck", weights, "Weights, with the bottleneck")
    w.result("macs_direct", direct_macs, f"MACs, {k} × {k} directly")
    w.result("macs_bottleneck", macs, "MACs, with the bottleneck")
    w.result(
        "saving", w.derive(r"W_{\text{direct}} / W_{\text{bottleneck}}", sp.Rational(direct, weights)), "Times fewer"
    )

    x = np.zeros((channels, height, width))
    shapes = [
        ref.cross_correlate(x[:1], np.zeros((1, 1, k, k)), padding=p).shape[1:]
        for k, p in zip(w.given.kernel_sizes, paddings, strict=True)
    ]
    w.check(
        "paddings",
        paddings if all(s == (height, width) for s in shapes) else None,
        f"NumPy cross-correlations of a {height}×{width} map with these paddings return {shapes}",
    )
    pooled = ref.max_pool(x[:1], pool, stride=1, padding=pool_padding).shape[1:]
    w.check("pool_padding", pool_padding if pooled == (height, width) else None, f"NumPy max pooling returns {pooled}")
    w.check(
        "weights_direct",
        layers.Conv(channels, out, k, bias=False, fill=0.0).num_parameters,
        f"a NumPy `Conv({channels}, {out}, {k}, bias=False)`",
    )
    pair = (
        layers.Conv(channels, reduce, 1, bias=False, fill=0.0).num_parameters
        + layers.Conv(reduce, out, k, bias=False, fill=0.0).num_parameters
    )
    w.check(
        "weights_bottleneck",
        pair,
        f"NumPy `Conv({channels}, {reduce}, 1)` and `Conv({reduce}, {out}, {k})`, without biases",
    )

    def counted(c_in: int, c_out: int, kernel: int) -> int:
        counter = ref.MacCounter()
        ref.cross_correlate(
            np.zeros((c_in, height, width)),
            np.zeros((1, c_in, kernel, kernel)),
            padding=(kernel - 1) // 2,
            counter=counter,
        )
        return counter.macs * c_out

    w.check(
        "macs_direct",
        counted(channels, out, k),
        f"products a NumPy cross-correlation forms with one filter, times the {out} filters",
    )
    w.check(
        "macs_bottleneck", counted(channels, reduce, 1) + counted(reduce, out, k), "the same for the two layers, added"
    )
    w.check("saving", sp.Rational(direct, pair), "the ratio of the NumPy counts")


def p3b_ii(w: Work) -> None:
    k, d = w.given.kernel_size, w.given.dilation
    k_, d_ = symbol("k"), symbol("d")
    w.note("$k$ taps spaced $d$ apart span")
    span = w.let("k_eff", "d*(k - 1) + 1", d=d, k=k)
    w.result("effective_size", span, "Span of the dilated kernel")
    w.note("which is the source's form, $k + (k - 1)(d - 1)$, multiplied out:")
    w.derive(r"k + (k - 1)(d - 1) - \hat{k}", sp.expand(k_ + (k_ - 1) * (d_ - 1) - (d_ * (k_ - 1) + 1)))
    w.note("Taps sit at offsets $0, d, \\dots, (k - 1) d$ of the span, in each direction:")
    taps = {t * d for t in range(k)}
    pattern = w.derive("M", sp.Matrix(span, span, lambda r, c: int(r in taps and c in taps)))
    w.result("tap_pattern", pattern, "Taps (1) and skipped pixels (0)")
    w.note("Neither the parameters nor the multiply-accumulates of one output position mention $d$:")
    C_in, C_out = symbol("C_in"), symbol("C_out")
    params = conv_params(C_in, C_out, k)
    per_output = conv_macs((1, 1), C_in, C_out, k)
    w.result("params_unchanged", not (params.free_symbols & {d_}), "Parameters independent of the dilation")
    w.result("macs_per_output_unchanged", not (per_output.free_symbols & {d_}), "MACs per output independent of it")
    dilations = w.given.dilations
    w.note(f"Three {k} × {k} layers with dilations {', '.join(map(str, dilations))} (stride 1, so the jump stays 1):")
    size = 1
    for dilation in dilations:
        size = RF_SIZE_STEP(previous_size=size, previous_jump=1, kernel_size=k, dilation=dilation)
    w.result("rf_stack", size, "Receptive field of the dilated stack")
    w.note(
        "Which pixels of the field are reached: layer $\\ell$ adds $t_\\ell d_\\ell$ to the offset, with "
        f"$t_\\ell \\in \\{{0, \\dots, {k - 1}\\}}$, so the reachable offsets from the field's first pixel are"
    )
    reached = _offsets(k, dilations)
    w.derive(r"\{\textstyle\sum_\ell t_\ell d_\ell\}", sp.Matrix([reached]))
    w.result("stack_without_holes", len(reached) == size, "The stack reaches every pixel of its field")
    equal = w.given.equal_dilations
    w.note(f"and with dilations {', '.join(map(str, equal))}, whose field ends at the largest of its offsets:")
    reached_equal = _offsets(k, equal)
    w.derive(r"\{\textstyle\sum_\ell t_\ell d_\ell\}", sp.Matrix([reached_equal]))
    w.result(
        "holes_equal_dilations",
        len(reached_equal) < 1 + sum((k - 1) * dd for dd in equal),
        f"Holes with dilations {', '.join(map(str, equal))}",
    )

    mask = ref.receptive_field_mask([layers.Conv(1, 1, k, dilation=d, fill=1.0)], (1, span, span), (0, 0))
    w.check(
        "effective_size",
        ref.receptive_field_extent(mask)[0][0],
        f"the receptive-field mask of a NumPy `Conv(1, 1, {k}, dilation={d})` spans "
        f"{ref.receptive_field_extent(mask)[0]}",
    )
    w.check("tap_pattern", mask.astype(int), "the mask itself")
    plain, dilated = (layers.Conv(4, 4, k, dilation=dd, fill=0.0).num_parameters for dd in (1, d))
    w.check(
        "params_unchanged",
        plain == dilated,
        f"NumPy `Conv(4, 4, {k})` holds {plain} numbers with dilation 1 and {dilated} with dilation {d}",
    )
    counts = []
    for dd in (1, d):
        counter = ref.MacCounter()
        extent = dd * (k - 1) + 1
        ref.cross_correlate(np.zeros((4, extent, extent)), np.zeros((1, 4, k, k)), dilation=dd, counter=counter)
        counts.append(counter.macs)
    w.check(
        "macs_per_output_unchanged",
        counts[0] == counts[1],
        f"one output position of one filter over 4 channels: {counts[0]} products with dilation 1, "
        f"{counts[1]} with dilation {d}",
    )
    stack_size, dense = _field([layers.Conv(1, 1, k, dilation=dd, fill=1.0) for dd in dilations], 2 * size + 1)
    w.check("rf_stack", stack_size, f"the receptive-field mask of the NumPy stack spans {stack_size}×{stack_size}")
    w.check("stack_without_holes", dense, "every pixel of that span is marked")
    _, equal_dense = _field(
        [layers.Conv(1, 1, k, dilation=dd, fill=1.0) for dd in w.given.equal_dilations], 2 * size + 1
    )
    w.check(
        "holes_equal_dilations",
        not equal_dense,
        "the mask of the stack with equal dilations leaves pixels unmarked inside its span",
    )
