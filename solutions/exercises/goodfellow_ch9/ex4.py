"""Deep Learning ch. 9, Exercise 4 (Gonzalez and Woods, Exercise 13.3): sizes through a two-layer network.

Forward sizes come from the general formulas. The kernel size of 4(a) is found backwards, by solving
the output-size relation for k with SymPy. The checks run the NumPy references on arrays of the real
sizes (one channel where the channels do not matter) and walk window positions one by one for every
odd kernel size, so that no other kernel or stride is overlooked.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, pool_output_size
from solutions.notation import symbol
from solutions.reference import layers
from solutions.reference.pooling import pool_window_starts


def _windows(length: int, kernel_size: int, stride: int) -> int:
    """Number of unpadded windows along one axis, walked one start at a time (no formula)."""
    return len(pool_window_starts(length, kernel_size, stride, 0, 1, False))


def ex4a(w: Work) -> None:
    i, k, o, s = (symbol(name) for name in ("i", "k", "o", "s"))
    side_in, side_out = w.given.input[0], w.given.layer1_size[0]
    w.note("Without padding and at stride 1, the output size along one dimension is, in general,")
    general = conv_output_size(i, kernel_size=k)
    w.result("output_formula", general, "Output size without padding, stride 1")
    w.note("Solving $o = [[output_formula]]$ for $k$ (SymPy's `solve`) and putting in the sizes of the first layer:")
    (solved,) = sp.solve(sp.Eq(general, o), k)
    w.result("kernel_formula", solved, "Kernel size from the input and output sizes")
    kernel = w.derive("k", solved, {i: side_in, o: side_out})
    w.note("The network calculator derives the same from the layer written with its kernel unknown:")
    found = w.solve(
        {
            "input": [w.given.input[2], side_in, side_in],
            "layers": [{"Conv2d": {"out_channels": w.given.layer1_maps, "kernel_size": "?"}}],
            "target": [w.given.layer1_maps, side_out, side_out],
        }
    )
    if found.solutions != [{"kernel_size": kernel}]:
        raise ArithmeticError(f"the calculator finds {found.solutions}, SymPy k = {kernel}")
    w.result("kernel_shape", (kernel, kernel), "Spatial size of the first layer's kernels")
    if kernel % 2 != 1:
        raise AssertionError("the question promises an odd kernel")
    w.note(
        "The side is odd, as the question requires. Each kernel also spans the [[given.input.2]] colour channels "
        "of the input, and there is one kernel per feature map.\n\n"
        "The stride is not given. Even the smallest kernel, $k = 1$, gives at stride $s$ the output size"
    )
    smallest = conv_output_size(side_in, kernel_size=1, stride=s)
    at_two = w.derive(r"o\,\big|_{s = 2}", smallest, {s: 2})
    w.note(
        "already less than the first layer's [[given.layer1_size.0]] at $s = 2$, and it only shrinks as $s$ grows. "
        "The stride must be 1."
    )
    w.result("stride", 1 if at_two < side_out else None, "Stride (no larger stride reaches the output size)")

    signal = np.zeros((1, side_in))
    one_d = ref.cross_correlate(signal, np.zeros((1, 1, kernel)))
    w.check_at(
        "output_formula",
        {"i": side_in, "k": kernel},
        one_d.shape[1],
        f"a NumPy cross-correlation of a length-{side_in} signal with a {kernel}-tap kernel returns "
        f"{one_d.shape[1]} values",
    )
    odd = range(1, side_in + 1, 2)
    fitting = [size for size in odd if _windows(side_in, size, 1) == side_out]
    w.check_at(
        "kernel_formula",
        {"i": side_in, "o": side_out},
        fitting[0] if len(fitting) == 1 else None,
        f"walking the window positions for every odd kernel size from 1 to {odd[-1]} at stride 1: "
        f"only {fitting} gives {side_out} windows",
    )
    image = np.zeros((1, side_in, w.given.input[1]))
    maps = ref.cross_correlate(image, np.zeros((1, 1, kernel, kernel)))
    w.check(
        "kernel_shape",
        (kernel, kernel) if maps.shape[1:] == tuple(w.given.layer1_size) else None,
        f"a NumPy cross-correlation of a {side_in} × {w.given.input[1]} image with a {kernel} × {kernel} kernel "
        f"returns maps of {maps.shape[1]} × {maps.shape[2]}",
    )
    strides = range(1, 5)
    possible = [st for st in strides if any(_windows(side_in, size, st) == side_out for size in odd)]
    w.check(
        "stride",
        possible[0] if len(possible) == 1 else None,
        f"walking the windows for every odd kernel size at strides {strides[0]} to {strides[-1]}: only stride "
        f"{possible} reaches {side_out}; the most windows at stride 2 is {_windows(side_in, 1, 2)}",
    )


def ex4b(w: Work) -> None:
    size = w.given.pool
    shape = pool_output_size(tuple(w.given.layer1_size), kernel_size=size)
    w.result("pooled_shape", shape, "Pooled maps of the first layer (height × width)")
    i, o = symbol("i"), symbol("o")
    ratio = w.derive(r"\text{ratio}", o / i, {o: shape[0], i: w.given.layer1_size[0]})
    w.result("side_ratio", ratio, "Factor by which each side shrinks")
    w.note(
        "Each side halves, so a pooled map keeps a quarter of the values of the map it summarises. This relies on "
        "the neighbourhoods not overlapping (the window moves by its own size), the convention of the source. "
        "Windows of the same size moved by one position would overlap and give"
    )
    overlapping = pool_output_size(tuple(w.given.layer1_size), kernel_size=size, stride=1)
    w.result("pooled_shape_overlapping", overlapping, "Pooled maps if the windows moved by one position")

    pooled = ref.max_pool(np.zeros((1, *w.given.layer1_size)), size)
    w.check("pooled_shape", pooled.shape[1:], f"NumPy `max_pool` with window {size} returns {pooled.shape[1:]}")
    w.check(
        "side_ratio",
        pooled.shape[1] / w.given.layer1_size[0],
        f"{pooled.shape[1]} / {w.given.layer1_size[0]} from the NumPy shapes",
    )
    sliding = ref.max_pool(np.zeros((1, *w.given.layer1_size)), size, stride=1)
    w.check(
        "pooled_shape_overlapping",
        sliding.shape[1:],
        f"NumPy `max_pool` with window {size} and stride 1 returns {sliding.shape[1:]}",
    )


def ex4c(w: Work) -> None:
    w.note("Pooling maps each feature map to one pooled map, so the pooled maps are as many as the maps:")
    depth = w.let("C_out", "C_in", C_in=w.given.layer1_maps)
    w.result("depth", depth, "Pooled feature maps of the first layer")

    pooled = ref.max_pool(np.zeros((w.given.layer1_maps, *w.given.layer1_size)), w.given.pool)
    w.check(
        "depth",
        pooled.shape[0],
        f"NumPy `max_pool` of {w.given.layer1_maps} maps of {w.given.layer1_size[0]} × {w.given.layer1_size[1]} "
        f"returns shape {pooled.shape}",
    )


def _pooled_first_layer(w: Work) -> tuple[int, int]:
    with w.quietly():
        return pool_output_size(tuple(w.given.layer1_size), kernel_size=w.given.pool)


def ex4d(w: Work) -> None:
    side = _pooled_first_layer(w)
    w.note("The second layer's input is the pooled maps of 4(b). Without padding, at stride 1:")
    shape = conv_output_size(side, kernel_size=w.given.layer2_kernel)
    w.result("shape", shape, "Feature maps of the second layer (height × width)")
    w.note("The source writes the same relation as the input minus $(k - 1)/2$ on each side:")
    worked = w.let("o", "i - 2*(k - 1)/2", i=side[0], k=w.given.layer2_kernel)
    w.result("side_worked", worked, "Side in the source's form")

    k = w.given.layer2_kernel
    maps = ref.cross_correlate(np.zeros((1, *side)), np.zeros((1, 1, k, k)))
    w.check(
        "shape",
        maps.shape[1:],
        f"a NumPy cross-correlation of a {side[0]} × {side[1]} map with a {k} × {k} kernel returns {maps.shape[1:]}",
    )
    w.check("side_worked", maps.shape[1], "the same NumPy output")


def ex4e(w: Work) -> None:
    with w.quietly():
        side = conv_output_size(_pooled_first_layer(w), kernel_size=w.given.layer2_kernel)
    w.note("The second layer's maps (4(d)) are pooled like the first layer's:")
    pooled = pool_output_size(side, kernel_size=w.given.pool)
    w.result("pooled_shape", pooled, "Pooled maps of the second layer (height × width)")
    w.note("Flattening lines up every value of every pooled map in one vector:")
    length = w.let("n_in", "o_h * o_w * C_out", o_h=pooled[0], o_w=pooled[1], C_out=w.given.layer2_maps)
    w.result("flattened", length, "Length of the flattened vector")

    first = _pooled_first_layer(w)
    network = layers.Sequential(
        layers.Conv(w.given.layer1_maps, w.given.layer2_maps, w.given.layer2_kernel, fill=0.0),
        layers.MaxPool(w.given.pool),
    )
    maps = network(np.zeros((w.given.layer1_maps, *first)))
    vector = layers.Flatten()(maps)
    w.check(
        "pooled_shape",
        maps.shape[1:],
        f"the NumPy second layer (`Conv({w.given.layer1_maps}, {w.given.layer2_maps}, {w.given.layer2_kernel})`, "
        f"then `MaxPool({w.given.pool})`) on the {w.given.layer1_maps} pooled maps of {first[0]} × {first[1]} "
        f"returns shape {maps.shape}",
    )
    w.check("flattened", vector.size, f"NumPy `Flatten` of that output returns a vector of shape {vector.shape}")
