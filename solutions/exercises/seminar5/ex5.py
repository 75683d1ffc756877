"""Seminar 5, Exercise 5: a 3D convolution over a video, its cost, and (2+1)D factorisation.

Large MAC counts are confirmed by running the NumPy cross-correlation on the real input size with one
filter (counting the products it performs) and scaling by the number of filters, which repeat it.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_macs, conv_output_size, conv_params
from solutions.notation import symbol
from solutions.reference import layers


def q5a(w: Work) -> None:
    channels, k, filters = w.given.input[0], w.given.kernel_size, w.given.out_channels
    w.note("`nn.Conv3d` stores $(C_{\\mathrm{out}}, C_{\\mathrm{in}}/g, k_D, k_H, k_W)$:")
    w.result("weight_shape", (filters, channels, k, k, k), "Weight tensor shape")
    w.result("weights", conv_params(channels, filters, k, bias=False, ndim=3), "Weights")
    w.result("params", conv_params(channels, filters, k, ndim=3), "Parameters, with the 64 biases")

    layer = layers.Conv(channels, filters, k, ndim=3, fill=0.0)
    w.check(
        "weight_shape",
        layer.weight.shape,
        f"a NumPy `Conv({channels}, {filters}, {k}, ndim=3)` weight has shape {layer.weight.shape}",
    )
    w.check("weights", layer.weight.size, f"that weight holds {layer.weight.size:,} numbers")
    w.check("params", layer.num_parameters, f"with its bias of shape {layer.bias.shape}: {layer.num_parameters:,}")


def _output_shape(w: Work) -> None:
    channels, *size = w.given.input
    k, stride, padding = w.given.kernel_size, tuple(w.given.stride), w.given.padding
    out = conv_output_size(tuple(size), kernel_size=k, stride=stride, padding=padding)
    w.result("shape", (w.given.out_channels, *out), "Output (channels, frames, height, width)")

    video = np.zeros((channels, *size))
    one_filter = ref.cross_correlate(video, np.zeros((1, channels, k, k, k)), stride=stride, padding=padding)
    w.check(
        "shape",
        (w.given.out_channels, *one_filter.shape[1:]),
        f"a NumPy cross-correlation of the {'×'.join(map(str, video.shape))} video with one {k}×{k}×{k} filter "
        f"at stride {stride}, padding {padding} returns {one_filter.shape}; each of the {w.given.out_channels} "
        "filters adds one such channel",
    )


def q5b(w: Work) -> None:
    _output_shape(w)


def q5c(w: Work) -> None:
    _output_shape(w)


def _macs_by_running(w: Work, stride: tuple[int, ...]) -> tuple[int, str]:
    """MACs the NumPy reference performs for one filter, times the number of filters."""
    channels, *size = w.given.input
    k = w.given.kernel_size
    counter = ref.MacCounter()
    ref.cross_correlate(
        np.zeros((channels, *size)),
        np.zeros((1, channels, k, k, k)),
        stride=stride,
        padding=w.given.padding,
        counter=counter,
    )
    total = counter.macs * w.given.out_channels
    how = (
        f"the NumPy cross-correlation with one filter at stride {stride} performs {counter.macs:,} "
        f"multiply-accumulates; the {w.given.out_channels} filters each repeat them: {total:,}"
    )
    return total, how


def q5d(w: Work) -> None:
    k, c_in, c_out = symbol("k"), symbol("C_in"), symbol("C_out")
    o_d, o_h, o_w = symbol("o_d"), symbol("o_h"), symbol("o_w")
    w.note("In general, with the output size $o_D \\times o_H \\times o_W$:")
    cost = conv_macs((o_d, o_h, o_w), c_in, c_out, (k, k, k))
    w.result("cost_formula", cost, "Cost of the layer, in MACs")
    channels, *size = w.given.input
    w.note("In the setting of Q.5.c (stride 2 in time), the output size first:")
    out = conv_output_size(
        tuple(size), kernel_size=w.given.kernel_size, stride=tuple(w.given.stride), padding=w.given.padding
    )
    macs = conv_macs(out, channels, w.given.out_channels, w.given.kernel_size)
    w.result("cost_q5c", macs, "Cost in the setting of Q.5.c")
    w.note("The source's formula counts input positions instead; in the same setting it gives")
    setting = {k: w.given.kernel_size, c_in: channels, c_out: w.given.out_channels}
    setting |= dict(zip((symbol("i_d"), symbol("i_h"), symbol("i_w")), size, strict=True))
    source_value = w.derive(r"\mathrm{MACs}_{\text{source}}", w.source.cost_formula, setting)
    w.result("cost_q5c_source_formula", source_value, "The source's formula in the setting of Q.5.c")

    total, how = _macs_by_running(w, tuple(w.given.stride))
    at = {"k": w.given.kernel_size, "C_in": channels, "C_out": w.given.out_channels}
    at |= dict(zip(("o_d", "o_h", "o_w"), out, strict=True))
    w.check_at("cost_formula", at, total, how)
    w.check("cost_q5c", total, how)
    stride_one, how_one = _macs_by_running(w, (1, 1, 1))
    w.check(
        "cost_q5c_source_formula",
        stride_one,
        f"the source's count is that of the layer at stride 1, where outputs and inputs are equally many: {how_one}",
    )


def _crossing(left: sp.Expr, right: sp.Expr, width: sp.Symbol) -> sp.Expr:
    """The real width at which two counts are equal (solved over the reals: it need not be an integer)."""
    real = sp.Symbol("real_width", positive=True)
    (root,) = sp.solve(sp.Eq(left.subs(width, real), sp.sympify(right).subs(width, real)), real)
    return sp.factor(root)


def _weights_3d(c_in: int, c_out: int, k: int) -> int:
    return layers.Conv(c_in, c_out, k, bias=False, ndim=3, fill=0.0).num_parameters


def q5e(w: Work) -> None:
    channels, k, filters = w.given.input[0], w.given.kernel_size, w.given.out_channels
    c_mid, c_in, c_out, kk = symbol("C_mid"), symbol("C_in"), symbol("C_out"), symbol("k")
    w.note(
        "In general, counting weights only: a 3D layer against a 1×k×k layer to $C_{\\mathrm{mid}}$ channels "
        "followed by a k×1×1 layer,"
    )
    with w.quietly():
        general_3d = conv_params(c_in, c_out, (kk, kk, kk), bias=False)
        general_21 = conv_params(c_in, c_mid, (1, kk, kk), bias=False) + conv_params(
            c_mid, c_out, (kk, 1, 1), bias=False
        )
    w.derive(r"W_{3\mathrm{D}}", general_3d)
    w.derive(r"W_{(2+1)\mathrm{D}}", sp.factor(general_21))
    bound = _crossing(general_21, general_3d, c_mid)
    w.derive(r"W_{(2+1)\mathrm{D}} < W_{3\mathrm{D}} \iff C_{\mathrm{mid}}", bound, relation="<")
    w.result("width_bound", bound, "Widths with fewer weights than 3D: $C_{\\mathrm{mid}}$ below")
    w.note(
        "With every width equal ($C_{\\mathrm{in}} = C_{\\mathrm{mid}} = C_{\\mathrm{out}}$) the pair is smaller for "
        "every kernel wider than 1:"
    )
    equal = {c_mid: c_in, c_out: c_in}
    ratio = w.derive(
        r"\frac{W_{(2+1)\mathrm{D}}}{W_{3\mathrm{D}}}",
        sp.factor(sp.cancel(general_21.subs(equal) / general_3d.subs(equal))),
        {kk: k},
    )
    w.result("equal_width_ratio", ratio, f"Weights of the pair over those of the 3D layer, equal widths, $k = {k}$")
    w.note(
        "With the intermediate width equal to the output width ($C_{\\mathrm{mid}} = C_{\\mathrm{out}}$), the "
        "condition becomes one on how much wider the output is than the input:"
    )
    same_width = _crossing(general_21.subs(c_mid, c_out), general_3d, c_out)
    w.derive(r"W_{(2+1)\mathrm{D}} < W_{3\mathrm{D}} \iff C_{\mathrm{out}}", same_width, relation="<")
    w.result(
        "same_width_bound",
        same_width,
        "With $C_{\\mathrm{mid}} = C_{\\mathrm{out}}$, fewer weights while $C_{\\mathrm{out}}$ is below",
    )

    w.note("With the biases and the numbers of this exercise:")
    params_3d = conv_params(channels, filters, k, ndim=3)
    spatial = conv_params(channels, c_mid, (1, k, k))
    temporal = conv_params(c_mid, filters, (k, 1, 1))
    params_21 = w.derive(r"P_{(2+1)\mathrm{D}}", spatial + temporal)
    w.result("params_3d", params_3d, "Parameters of the 3D layer")
    w.result("params_2plus1d", params_21, "Parameters of the (2+1)D pair")
    crossing = _crossing(params_21, params_3d, c_mid)
    largest = w.derive(r"\max \{ C_{\mathrm{mid}} : P_{(2+1)\mathrm{D}} < P_{3\mathrm{D}} \}", sp.ceiling(crossing) - 1)
    w.result("max_width_fewer", largest, "Largest width with fewer parameters than the 3D layer")
    w.result(
        "fewer_params_for_every_width",
        bool(sp.limit(params_21 - params_3d, c_mid, sp.oo) < 0),
        "Fewer parameters for every width?",
    )

    def pair(width: int) -> int:
        return (
            layers.Conv(channels, width, (1, k, k), ndim=3, fill=0.0).num_parameters
            + layers.Conv(width, filters, (k, 1, 1), ndim=3, fill=0.0).num_parameters
        )

    widths = range(1, 65)
    counts = {width: pair(width) for width in widths}
    reference_3d = layers.Conv(channels, filters, k, ndim=3, fill=0.0).num_parameters
    w.check("params_3d", reference_3d, f"a NumPy `Conv({channels}, {filters}, {k}, ndim=3)` holds {reference_3d:,}")
    for width in (8, 9):
        w.check_at(
            "params_2plus1d",
            {"C_mid": width},
            counts[width],
            f"NumPy layers for $C_{{\\mathrm{{mid}}}} = {width}$ hold {counts[width]:,} numbers",
        )

    def pair_weights(c_in: int, width: int, c_out: int = filters) -> int:
        spatial_layer = layers.Conv(c_in, width, (1, k, k), bias=False, ndim=3, fill=0.0)
        temporal_layer = layers.Conv(width, c_out, (k, 1, 1), bias=False, ndim=3, fill=0.0)
        return spatial_layer.num_parameters + temporal_layer.num_parameters

    slope = pair_weights(channels, 2) - pair_weights(channels, 1)
    weights_3d = _weights_3d(channels, filters, k)
    w.check_at(
        "width_bound",
        {"C_in": channels, "C_out": filters, "k": k},
        sp.Rational(weights_3d, slope),
        f"the NumPy pair's weight arrays grow by {slope} per unit of width and the 3D weight holds {weights_3d:,}: "
        f"equal at width {weights_3d}/{slope}",
    )
    square = {width: pair_weights(width, width, width) for width in (1, 4, 16)}
    cubic = {width: _weights_3d(width, width, k) for width in square}
    w.check(
        "equal_width_ratio",
        sp.Rational(square[16], cubic[16]),
        f"NumPy layers of width 16: {square[16]:,} weights in the pair, {cubic[16]:,} in the 3D layer",
    )
    tied = [out for out in range(1, 33) if pair_weights(channels, out, out) == _weights_3d(channels, out, k)]
    w.check_at(
        "same_width_bound",
        {"C_in": channels, "k": k},
        tied[0],
        f"with {channels} input channel, NumPy layers with $C_{{\\mathrm{{mid}}}} = C_{{\\mathrm{{out}}}}$ from 1 "
        f"to 32 tie with the 3D layer at $C_{{\\mathrm{{out}}}} = {tied[0]}$ only",
    )
    fewer = [width for width in widths if counts[width] < reference_3d]
    w.check(
        "max_width_fewer",
        max(fewer),
        f"counting the NumPy layers' arrays for widths 1 to 64, the pair is "
        f"smaller than the 3D layer for widths {min(fewer)} to {max(fewer)} only",
    )
    w.check(
        "fewer_params_for_every_width", len(fewer) == len(widths), f"widths {max(fewer) + 1} to 64 give more parameters"
    )
