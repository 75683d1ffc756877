"""Seminar 5, Exercise 1: fully connected versus convolutional layers.

Each function derives one part with the general formulas (recorded as the steps on the page) and
confirms every result with the NumPy references, which count by allocating and computing.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, conv_params, linear_params
from solutions.notation import symbol
from solutions.reference import layers


def _hwc(chw: tuple[int, ...]) -> tuple[int, ...]:
    """NumPy's (C, H, W) as the source's H × W × C."""
    return (*chw[1:], chw[0])


def q1a(w: Work) -> None:
    height, width, channels = w.given.image
    n_in = w.let("n_in", "i_h * i_w * C_in", i_h=height, i_w=width, C_in=channels)
    w.result("params", linear_params(n_in, w.given.out_features), "Parameters of the layer, biases included")

    layer = layers.Linear(n_in, w.given.out_features, fill=0.0)
    w.check(
        "params",
        layer.num_parameters,
        f"a NumPy `Linear({n_in}, {w.given.out_features})` layer allocates a weight of shape "
        f"{layer.weight.shape} and a bias of shape {layer.bias.shape}: {layer.num_parameters:,} numbers",
    )


def q1b(w: Work) -> None:
    height, width, channels = w.given.image
    patch = w.given.patch
    n_in = w.let("n_in", "k_h * k_w * C_in", k_h=patch, k_w=patch, C_in=channels)
    w.result("params", linear_params(n_in, w.given.out_features), "Parameters of the shared layer")
    w.note("Non-overlapping patches are windows of the patch's size moved by a whole patch each step:")
    rows, cols = conv_output_size((height, width), kernel_size=patch, stride=patch)
    w.result("vectors", w.let("O", "o_h * o_w", o_h=rows, o_w=cols), "Feature vectors, one per patch")

    layer = layers.Linear(n_in, w.given.out_features, fill=0.0)
    w.check(
        "params",
        layer.num_parameters,
        f"a NumPy `Linear({n_in}, {w.given.out_features})` layer holds {layer.num_parameters:,} numbers",
    )
    image = np.arange(height * width * channels, dtype=float).reshape(height, width)
    patches = image.reshape(height // patch, patch, width // patch, patch).swapaxes(1, 2).reshape(-1, patch * patch)
    vectors = layer(patches)
    w.check(
        "vectors",
        vectors.shape[0],
        f"cutting a {height}×{width} NumPy array into {patch}×{patch} blocks gives {patches.shape[0]} rows of "
        f"{patches.shape[1]} pixels, and the layer maps them to an array of shape {vectors.shape}",
    )


def q1c(w: Work) -> None:
    height, width, channels = w.given.image
    out_channels = w.given.out_features
    w.note(
        "The fully connected layer makes one vector of the whole image, so the convolution must have a single "
        "output position. Which kernels give that without padding? The network calculator solves the "
        "output-size relation for the kernel:"
    )
    found = w.solve(
        {
            "input": [channels, height, width],
            "layers": [{"Conv2d": {"out_channels": out_channels, "kernel_size": "?"}}],
            "target": [out_channels, 1, 1],
            "range": {"kernel_size": [1, height]},
        }
    )
    (solution,) = found.solutions
    kernel = solution["kernel_size"]
    w.note("With that kernel and no padding, the output size does not depend on the stride $s$ at all:")
    side = conv_output_size(height, kernel_size=kernel, stride=symbol("s"), padding=0)
    w.result("kernel_size", kernel, "Kernel size (height = width)")
    w.result("stride_must_be_1", side != 1, "Stride 1 needed for a single output vector")
    w.result("padding", 0, "Padding")
    w.result("in_channels", channels, "Input channels")
    w.result("out_channels", out_channels, "Output channels (filters), one per feature")
    params = conv_params(channels, out_channels, kernel)
    w.result("params", params, "Parameters, the same as the fully connected layer of Q.1.a")

    rng = np.random.default_rng(0)
    image = rng.standard_normal((channels, height, width))
    filters = rng.standard_normal((out_channels, channels, kernel, kernel))
    conv = ref.cross_correlate(image, filters)
    dense = filters.reshape(out_channels, -1) @ image.reshape(-1)
    w.check(
        "kernel_size",
        kernel if conv.shape[1:] == (1, 1) and np.allclose(conv[:, 0, 0], dense) else None,
        f"a NumPy cross-correlation of a random {height}×{width} image with {out_channels} random "
        f"{kernel}×{kernel} filters returns shape {conv.shape}, equal to the fully connected layer with the "
        f"filters as rows of its weight matrix",
    )
    shapes = {s: ref.cross_correlate(image, filters[:2], stride=s).shape[1:] for s in (1, 2, 7, 100)}
    w.check(
        "stride_must_be_1",
        any(shape != (1, 1) for shape in shapes.values()),
        "the same cross-correlation with strides "
        + ", ".join(f"{s} → {shape}" for s, shape in shapes.items())
        + ": one position for every stride",
    )
    w.check("padding", 0, "the check above used no padding")
    w.check("in_channels", image.shape[0], f"the image array has {image.shape[0]} channel")
    w.check("out_channels", conv.shape[0], f"the output array has {conv.shape[0]} channels")
    layer = layers.Conv(channels, out_channels, kernel, fill=0.0)
    w.check(
        "params",
        layer.num_parameters,
        f"a NumPy `Conv({channels}, {out_channels}, {kernel})` layer holds {layer.num_parameters:,} numbers",
    )


def q1d(w: Work) -> None:
    height, width, channels = w.given.image
    patch, out_channels = w.given.patch, w.given.out_features
    side = height // patch
    w.note(
        "The patch-wise layer gives one vector per patch, a grid of patches across the image. The network "
        "calculator finds every kernel size and stride that give that many output positions without padding:"
    )
    found = w.solve(
        {
            "input": [channels, height, width],
            "layers": [{"Conv2d": {"out_channels": out_channels, "kernel_size": "?", "stride": "?"}}],
            "target": [out_channels, side, side],
            "range": {"kernel_size": [1, height], "stride": [1, height]},
        }
    )
    tiling = [pair for pair in found.solutions if pair["kernel_size"] == pair["stride"]]
    w.note(
        f"Of those {len(found.solutions)} pairs, one moves the kernel by exactly its own size, so that the windows "
        "neither overlap nor leave gaps, as the patches do:"
    )
    ((kernel, stride),) = [(pair["kernel_size"], pair["stride"]) for pair in tiling]
    side = conv_output_size(height, kernel_size=kernel, stride=stride)
    w.result("kernel_size", kernel, "Kernel size (height = width), one patch")
    w.result("stride", stride, "Stride, one whole patch")
    w.result("padding", 0, "Padding")
    w.result("in_channels", channels, "Input channels")
    w.result("out_channels", out_channels, "Output channels (filters)")
    w.result("output", (side, side, out_channels), "Output volume: one vector per patch")

    rng = np.random.default_rng(1)
    image = rng.standard_normal((channels, height, width))
    filters = rng.standard_normal((out_channels, channels, kernel, kernel))
    conv = ref.cross_correlate(image, filters, stride=stride)
    patches = image[0].reshape(side, patch, side, patch).swapaxes(1, 2).reshape(side, side, -1)
    dense = patches @ filters.reshape(out_channels, -1).T
    same = np.allclose(np.moveaxis(conv, 0, -1), dense)
    how = (
        f"a NumPy cross-correlation of a random {height}×{width} image with {out_channels} random {kernel}×{kernel} "
        f"filters at stride {stride} returns shape {conv.shape}, and every output position equals the shared "
        "fully connected layer applied to the patch at that position"
    )
    w.check("kernel_size", kernel if same else None, how)
    w.check("stride", stride if same else None, "the same check")
    w.check("padding", 0, "the check used no padding")
    w.check("in_channels", image.shape[0], f"the image array has {image.shape[0]} channel")
    w.check("out_channels", conv.shape[0], f"the output array has {conv.shape[0]} channels")
    w.check("output", _hwc(conv.shape), f"the output array has shape {conv.shape} (C, H, W)")


def _output_volume(w: Work) -> None:
    height, width, channels = w.given.input
    k, filters, stride = w.given.kernel_size, w.given.filters, w.given.stride
    side = conv_output_size(height, kernel_size=k, stride=stride, padding=w.given.padding)
    w.result("shape", (side, side, filters), "Output volume (height × width × channels)")

    out = ref.cross_correlate(np.zeros((channels, height, width)), np.zeros((filters, channels, k, k)), stride=stride)
    w.check(
        "shape",
        _hwc(out.shape),
        f"a NumPy cross-correlation of a {channels}×{height}×{width} input with {filters} filters of "
        f"{channels}×{k}×{k} at stride {stride} returns shape {out.shape} (C, H, W)",
    )


def q1e(w: Work) -> None:
    _output_volume(w)


def q1f(w: Work) -> None:
    channels, k, filters = w.given.input[2], w.given.kernel_size, w.given.filters
    w.result("filter_weights", conv_params(channels, 1, k, bias=False), "Weights of one filter")
    w.result("layer_weights", conv_params(channels, filters, k, bias=False), "Weights of the layer")
    w.result("filter_params", conv_params(channels, 1, k), "Parameters of one filter with its bias")
    w.result("layer_params", conv_params(channels, filters, k), "Parameters of the layer with biases")

    layer = layers.Conv(channels, filters, k, fill=0.0)
    shape = layer.weight.shape
    w.check(
        "filter_weights", layer.weight[0].size, f"one filter of a NumPy `Conv` weight {shape} has shape {shape[1:]}"
    )
    w.check(
        "layer_weights", layer.weight.size, f"the NumPy `Conv({channels}, {filters}, {k})` weight has shape {shape}"
    )
    w.check("filter_params", layer.weight[0].size + 1, "one filter's weights plus its entry of the bias")
    w.check("layer_params", layer.num_parameters, f"the layer's weight {shape} and bias {layer.bias.shape} together")


def q1g(w: Work) -> None:
    height, width, channels = w.given.input
    k, filters = w.given.kernel_size, w.given.filters
    depth = w.let("C_in", "C_out", C_out=filters)
    w.result("next_filter_depth", depth, "Depth of a filter in the next layer")

    out = layers.Conv(channels, filters, k, fill=1.0)(np.ones((channels, height, width)))
    following = layers.Conv(out.shape[0], 1, 3, fill=1.0)
    following(out)  # a filter of any other depth would be rejected by this forward pass
    w.check(
        "next_filter_depth",
        following.weight.shape[1],
        f"this layer's NumPy output has shape {out.shape}; a following `Conv` that accepts it has filters of "
        f"shape {following.weight.shape[1:]}",
    )


def q1h(w: Work) -> None:
    _output_volume(w)
    height, k, stride = w.given.input[0], w.given.kernel_size, w.given.stride
    i, kk, s = symbol("i"), symbol("k"), symbol("s")
    with w.quietly():
        general = conv_output_size(i, kernel_size=kk, stride=s)
    w.note("Without padding, the number of window positions along one side is")
    w.derive("o", general)
    w.result("output_size_formula", general, "Output size without padding")
    other = w.given.other_stride
    w.note(f"At stride {other} (same input and kernel), the source's formula without the floor, and the convolution:")
    source = w.derive(r"o_{\text{source}}", w.source.output_size_formula, {i: height, kk: k, s: other})
    w.result("source_formula_at_other_stride", source, f"For comparison: the source's formula at stride {other}")
    w.result(
        "size_at_other_stride", conv_output_size(height, kernel_size=k, stride=other), f"Output size at stride {other}"
    )

    for step in (stride, other):
        out = ref.cross_correlate(np.zeros((1, height, height)), np.zeros((1, 1, k, k)), stride=step)
        w.check_at(
            "output_size_formula",
            {"i": height, "k": k, "s": step},
            out.shape[1],
            f"a NumPy cross-correlation of {height} positions with a {k}-wide kernel at stride {step} returns "
            f"{out.shape[1]}",
        )
    w.check("size_at_other_stride", out.shape[1], f"the same NumPy cross-correlation at stride {other}")
    w.check(
        "source_formula_at_other_stride",
        sp.Rational(height - k, other) + 1,
        f"({height} − {k})/{other} + 1 in exact arithmetic: not a whole number of windows",
    )


def q1i(w: Work) -> None:
    channels, k, filters, stride = w.given.input[2], w.given.kernel_size, w.given.filters, w.given.stride
    w.result("weights", conv_params(channels, filters, k, bias=False), "Weights, any stride")
    w.result("params", conv_params(channels, filters, k), "Parameters (weights and biases), any stride")

    layer = layers.Conv(channels, filters, k, stride=stride, fill=0.0)
    w.check(
        "params",
        layer.num_parameters,
        f"a NumPy `Conv({channels}, {filters}, {k}, stride={stride})` holds "
        f"{layer.num_parameters} numbers, as with stride 1",
    )
    w.check(
        "weights",
        layer.weight.size,
        f"of which its weight array, of shape {layer.weight.shape}, holds {layer.weight.size}",
    )
