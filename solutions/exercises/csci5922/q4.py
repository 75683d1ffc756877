"""CSCI 5922 problem set 3, Q4: how many 3 × 3 layers take 224 to 16, and their parameters.

The layer count is solved from the output-size formula with SymPy; the parameters are derived per
distinct layer with the general formula. The NumPy checks run the stack (one channel suffices for
the sizes, which do not depend on the channels) and allocate one layer of each distinct shape: the
identical later layers would hold some 470 MB of arrays between them, so the one allocated is counted
once per layer.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, conv_params
from solutions.notation import indexed, symbol
from solutions.reference import layers


def _plan(w: Work, depth: int) -> list[tuple[int, int]]:
    """(C_in, C_out) of every layer: the listed channels, then the last one repeated."""
    listed = list(w.given.channels)
    outs = listed + [listed[-1]] * (depth - len(listed))
    ins = [w.given.image[0], *outs[:-1]]
    return list(zip(ins, outs, strict=True))


def _stack_depth(w: Work) -> tuple[int, str]:
    """NumPy: apply the layer (one channel: sizes do not depend on channels) until the latent size."""
    size, k = w.given.image[1], w.given.kernel_size
    x = np.zeros((1, size, size))
    kernel = np.zeros((1, 1, k, k))
    count = 0
    while x.shape[1] > w.given.latent:
        x = ref.cross_correlate(x, kernel, stride=w.given.stride, padding=w.given.padding)
        count += 1
    how = (
        f"applying a NumPy {k}×{k} cross-correlation (stride {w.given.stride}, no padding) again and again to a "
        f"{size}×{size} array reaches {x.shape[1]}×{x.shape[2]} after {count} applications"
    )
    return count, how


def q4(w: Work) -> None:
    size, k, latent = w.given.image[1], w.given.kernel_size, w.given.latent
    i, o, L, kk = symbol("i"), symbol("o"), symbol("L"), symbol("k")
    w.note("**Layers.** One layer, with the input size left general:")
    one = conv_output_size(i, kernel_size=k, stride=w.given.stride, padding=w.given.padding)
    w.note(
        "Every layer takes $k - 1$ more away, so after $L$ layers the side is $i - L(k - 1)$. "
        "Setting it equal to the latent size and solving for $L$ (SymPy):"
    )
    (solution,) = sp.solve(sp.Eq(i - L * (kk - 1), o), L)
    depth = w.derive("L", solution, {i: size, o: latent, kk: k})
    with w.quietly():
        general = conv_output_size(i, kernel_size=kk, stride=symbol("s"), padding=symbol("p"))

    plan = _plan(w, depth)
    listed = len(w.given.channels)
    w.note(
        f"**Parameters.** The first {listed} layers each change the channel count; every later layer maps "
        f"{plan[-1][1]} channels to {plan[-1][1]}. Layer by layer:"
    )
    counts = [conv_params(c_in, c_out, k) for c_in, c_out in plan[: listed + 1]]
    w.note(f"Layers {listed + 1} to {depth} are all the last one; how many, and what they hold together:")
    same = w.derive(rf"\#\{{{listed + 1}, \dots, L\}}", L - listed, {L: depth})
    p_same = indexed("P", listed + 1)
    together = w.derive(rf"(L - {listed})\, P_{{{listed + 1}}}", (L - listed) * p_same, {L: depth, p_same: counts[-1]})
    w.note("All layers together:")
    terms = " + ".join(f"P_{n}" for n in range(1, listed + 1))
    values = {f"P_{n}": counts[n - 1] for n in range(1, listed + 2)}
    total = w.let("P", f"{terms} + (L - {listed}) * P_{listed + 1}", L=depth, **values)
    w.note("Biases: one per output channel of every layer.")
    outs = [indexed("C_out", n) for n in range(1, listed + 2)]
    bias_expr = sp.Add(*outs[:-1], (L - listed) * outs[-1], evaluate=False)
    bias_values = {sym: plan[n][1] for n, sym in enumerate(outs)} | {L: depth}
    biases = w.derive(r"\textstyle\sum_\ell C_{\mathrm{out},\ell}", bias_expr, bias_values)

    w.result("shrink_per_layer", sp.expand(i - one), "Pixels lost per layer along each side")
    w.result("layers", depth, "Number of layers")
    w.result("output_size_formula", general, "Output size of a convolution")
    for n in range(1, listed + 1):
        c_in, c_out = plan[n - 1]
        w.result(f"params_layer_{n}", counts[n - 1], f"Parameters of layer {n} ({c_in} → {c_out} channels)")
    w.result("identical_layers", same, f"Identical layers after layer {listed}")
    w.result("params_identical_layers", together, "Their parameters together")
    w.result("bias_terms", biases, "Biases in the encoder")
    w.result("total", total, "Parameters of the encoder")

    count, how = _stack_depth(w)
    w.check("layers", count, how)
    w.check("identical_layers", count - listed, f"the NumPy stack's {count} layers, less the first {listed}")
    one_layer = ref.cross_correlate(np.zeros((1, size, size)), np.zeros((1, 1, k, k)))
    w.check("shrink_per_layer", size - one_layer.shape[1], f"one NumPy layer turns {size} into {one_layer.shape[1]}")
    strided = ref.cross_correlate(np.zeros((1, size, size)), np.zeros((1, 1, k, k)), stride=2)
    w.check_at(
        "output_size_formula",
        {"i": size, "k": k, "s": 2, "p": 0},
        strided.shape[1],
        f"a NumPy cross-correlation of {size} positions with a {k}-wide kernel at stride 2 returns "
        f"{strided.shape[1]} positions (the source's formula gives {sp.Rational(size - k, 2) + 1})",
    )
    distinct = [layers.Conv(c_in, c_out, k, fill=0.0) for c_in, c_out in plan[: listed + 1]]
    for n, layer in enumerate(distinct[:listed], start=1):
        w.check(
            f"params_layer_{n}",
            layer.num_parameters,
            f"a NumPy `Conv({layer.in_channels}, {layer.out_channels}, {k})` allocates a weight "
            f"{layer.weight.shape} and a bias {layer.bias.shape}: {layer.num_parameters:,} numbers",
        )
    repeated = distinct[-1]
    copies = count - listed
    w.check(
        "params_identical_layers",
        copies * repeated.num_parameters,
        f"one NumPy `Conv({repeated.in_channels}, {repeated.out_channels}, {k})` holds "
        f"{repeated.num_parameters:,} numbers; its {copies} copies hold {copies * repeated.num_parameters:,}",
    )
    bias_count = sum(layer.bias.size for layer in distinct[:listed]) + copies * repeated.bias.size
    w.check("bias_terms", bias_count, "the NumPy layers' bias arrays, counted the same way")
    all_count = sum(layer.num_parameters for layer in distinct[:listed]) + copies * repeated.num_parameters
    w.check("total", all_count, f"the NumPy layers' arrays: {all_count:,} numbers")
