"""CENG 403 exam, Question 2: receptive fields of stacked convolutions.

Fields are derived with the receptive-field recurrence and its closed form, and measured with the
NumPy reference, which back-propagates a one-hot gradient through all-ones layers and marks every
input position that reaches the chosen output unit.
"""

from __future__ import annotations

import numpy as np

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas.receptive_field import RF_SIZE_STEP
from solutions.reference import layers


def _measured_field(stack: list[layers.Layer], length: int, ndim: int) -> int:
    """Width of the field of the output unit in the middle of the map, measured on a NumPy stack."""
    shape = (1,) + (length,) * ndim
    out = layers.Sequential(*stack)(np.zeros(shape)).shape
    centre = tuple(size // 2 for size in out[1:])
    sizes, _ = ref.receptive_field_extent(ref.receptive_field_mask(stack, shape, centre))
    return sizes[0]


def _convs(count: int, kernel: int, ndim: int) -> list[layers.Layer]:
    return [layers.Conv(1, 1, kernel, ndim=ndim, fill=1.0) for _ in range(count)]


def q2a(w: Work) -> None:
    g = w.given
    k = g.kernel
    height, width = g.image
    w.result("inputs_fc", w.let("n_in", "i_h * i_w", i_h=height, i_w=width), "Inputs of a fully connected unit")
    w.result("inputs_local", w.let("K", "k_h * k_w", k_h=k, k_w=k), "Inputs of a unit with a 3 × 3 window")

    w.note("The field is square; along one dimension, stride 1, the first two layers by the recurrence:")
    first = RF_SIZE_STEP(previous_size=1, previous_jump=1, kernel_size=k)
    second = RF_SIZE_STEP(previous_size=first, previous_jump=1, kernel_size=k)
    w.note("Each stride-1 layer adds $k - 1$, so after $L$ layers (derived in 3(b)):")
    fifth = w.let("r", "1 + L*(k - 1)", L=g.depth, k=k)
    w.result("rf_layer1", first, "Field after one layer (pixels per side)")
    w.result("rf_layer2", second, "Field after two layers (pixels per side)")
    w.result("rf_layer5", fifth, "Field after five layers (pixels per side)")
    w.note("The same formula solved for the depth at which stride-1 layers would reach the source's value:")
    needed = w.let("L", "(r - 1)/(k - 1)", r=w.source.rf_layer5, k=k)
    w.result("layers_for_51", needed, "Stride-1 3 × 3 layers needed for a field of 51")
    (k1, s1, _), (k2, s2, _), (k3, _, _) = g.alexnet
    w.note(
        "With downsampling the field grows much faster. AlexNet's first convolution, first max pooling "
        "and second convolution, by the closed form (each layer's $k - 1$ counts in units of the strides "
        "before it):"
    )
    alexnet = w.let("r", "k_1 + (k_2 - 1)*s_1 + (k_3 - 1)*s_1*s_2", k_1=k1, s_1=s1, k_2=k2, s_2=s2, k_3=k3)
    w.result("alexnet_rf", alexnet, "Field of AlexNet's second convolution")

    w.check("inputs_fc", height * width, f"a NumPy image of shape ({height}, {width}) has {height * width:,} pixels")
    weight = layers.Conv(1, 1, k, fill=0.0).weight
    w.check("inputs_local", weight.size, f"a NumPy `Conv(1, 1, {k})` has a weight of shape {weight.shape}")
    for key, depth in (("rf_layer1", 1), ("rf_layer2", 2), ("rf_layer5", g.depth)):
        size = _measured_field(_convs(depth, k, 2), 15, 2)
        w.check(
            key,
            size,
            f"a one-hot gradient sent back through {depth} stacked all-ones NumPy {k}×{k} `Conv` "
            f"{'layer' if depth == 1 else 'layers'} reaches {size}×{size} pixels of a 15×15 input",
        )
    reach = {depth: _measured_field(_convs(depth, k, 1), 61, 1) for depth in (needed - 1, needed)}
    w.check(
        "layers_for_51",
        min(depth for depth, size in reach.items() if size >= w.source.rf_layer5),
        "the same measurement along one dimension: "
        + ", ".join(f"{depth} layers reach {size}" for depth, size in reach.items()),
    )
    (_, _, p1), (_, _, p2), (_, _, p3) = g.alexnet
    stack = [
        layers.Conv(1, 1, k1, stride=s1, padding=p1, ndim=1, fill=1.0),
        layers.MaxPool(k2, stride=s2, padding=p2),
        layers.Conv(1, 1, k3, padding=p3, ndim=1, fill=1.0),
    ]
    size = _measured_field(stack, 227, 1)
    w.check(
        "alexnet_rf",
        size,
        "the measurement through NumPy conv (11, stride 4), max pool (3, stride 2) and conv (5, padding 2) "
        f"on a 227-pixel row: {size} pixels",
    )
