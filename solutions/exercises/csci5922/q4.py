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
from solutions.calculator import Summary, solve, summarize
from solutions.exercises.work import Work
from solutions.formulas import conv_output_size, conv_params
from solutions.notation import indexed, symbol
from solutions.reference import layers
from solutions.render.latex import latex_value


def _plan(w: Work, depth: int) -> list[tuple[int, int]]:
    """(C_in, C_out) of every layer: the listed channels, then the last one repeated."""
    listed = list(w.given.channels)
    outs = listed + [listed[-1]] * (depth - len(listed))
    ins = [w.given.image[0], *outs[:-1]]
    return list(zip(ins, outs, strict=True))


def _network(w: Work, repeat: int | str) -> dict:
    """The encoder as a network spec: one layer per listed channel count, the last one repeated."""
    conv = {"kernel_size": w.given.kernel_size, "stride": w.given.stride, "padding": w.given.padding}
    *first, last = w.given.channels
    entries: list[dict] = [{"Conv2d": {"out_channels": c, **conv}} for c in first]
    entries.append({"Conv2d": {"out_channels": last, **conv}, "repeat": repeat})
    return {"input": list(w.given.image), "layers": entries}


def _solved_depth(w: Work) -> tuple[int, str]:
    """How many identical layers take the image to the latent size, from the calculator's ``solve``.

    Output sizes do not depend on channel counts, so one layer type repeated stands for the encoder.
    """
    conv = {"out_channels": w.given.channels[-1], "kernel_size": w.given.kernel_size}
    conv |= {"stride": w.given.stride, "padding": w.given.padding}
    spec = {
        "input": list(w.given.image),
        "layers": [{"Conv2d": conv, "repeat": "?"}],
        "target": [w.given.channels[-1], w.given.latent, w.given.latent],
    }
    with w.quietly():
        found = solve(spec)
    (solution,) = found.solutions
    return solution["repeat"], found.explanation_for("../../")


def _macs_by_running(w: Work, plan: list[tuple[int, int]]) -> tuple[int, str]:
    """MACs counted by NumPy: each layer run with one input and one output channel on the real spatial
    size (each pair of channels repeats exactly those products), times its channel pairs."""
    k = w.given.kernel_size
    x = np.zeros((1, *w.given.image[1:]))
    kernel = np.zeros((1, 1, k, k))
    total = 0
    for c_in, c_out in plan:
        counter = ref.MacCounter()
        x = ref.cross_correlate(x, kernel, counter=counter)
        total += counter.macs * c_in * c_out
    how = (
        f"NumPy runs each of the {len(plan)} layers on the real spatial size with one input and one output channel, "
        f"counting the products, and multiplies by the layer's $C_{{\\mathrm{{in}}}} C_{{\\mathrm{{out}}}}$ channel "
        f"pairs, which each repeat them (the full layers, up to 256 × 256 channels, would be too slow to run here)"
    )
    return total, how


def _table(summary: Summary) -> str:
    """The calculator's Markdown table, indented for an admonition; shapes kept on one line."""
    text = summary.to_markdown().replace(" × ", "\u202f×\u202f")
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())


def _stack_depth(w: Work) -> tuple[int, str]:
    """NumPy: apply the layer along one side of the image until it reaches the target size.

    Height and width shrink alike, and the size does not depend on the channels, so a one-channel 1-d
    cross-correlation along one side stands for the layer (and runs in a fraction of the time).
    """
    size, k = w.given.image[1], w.given.kernel_size
    x = np.zeros((1, size))
    kernel = np.zeros((1, 1, k))
    count = 0
    while x.shape[1] > w.given.latent:
        x = ref.cross_correlate(x, kernel, stride=w.given.stride, padding=w.given.padding)
        count += 1
    how = (
        f"applying a NumPy cross-correlation with a {k}-wide kernel (stride {w.given.stride}, no padding) again and "
        f"again along one side of {size} positions (height and width shrink alike) reaches {x.shape[1]} after "
        f"{count} applications"
    )
    return count, how


def q4(w: Work) -> None:
    size, k, latent = w.given.image[1], w.given.kernel_size, w.given.latent
    i, o, L, kk = symbol("i"), symbol("o"), symbol("L"), symbol("k")
    listed = len(w.given.channels)
    w.note(
        "**Layers, with the network calculator.** Output sizes do not depend on the channel counts, so the "
        "question is how many identical layers take the image to the latent size: written as a network whose "
        'layer is repeated an unknown number of times (`repeat: "?"`), with the latent map as the target, '
        "the calculator's `solve` derives:"
    )
    depth, explanation = _solved_depth(w)
    w.note(explanation)
    w.note("**Cross-check with SymPy.** One layer, with the input size left general:")
    one = conv_output_size(i, kernel_size=k, stride=w.given.stride, padding=w.given.padding)
    w.note(
        "Every layer takes $k - 1$ more away, so after $L$ layers the side is $i - L(k - 1)$. "
        "Setting it equal to the latent size and solving for $L$:"
    )
    (solution,) = sp.solve(sp.Eq(i - L * (kk - 1), o), L)
    by_sympy = w.derive("L", solution, {i: size, o: latent, kk: k})
    if by_sympy != depth:
        raise ArithmeticError(f"the calculator finds {depth} layers, the SymPy equation {by_sympy}")
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
    w.note(f"All layers together, the first {listed} and the rest:")
    first_sum = sum(counts[:listed])
    shown = " + ".join(latex_value(c) for c in counts[:listed])
    w.derive(rf"P_1 + \dots + P_{listed} = {shown}", sp.Integer(first_sum))
    lhs = (
        rf"P = (P_1 + \dots + P_{listed}) + (L - {listed})\, P_{listed + 1} = {latex_value(first_sum)} + "
        rf"({depth} - {listed}) \cdot {latex_value(counts[-1])}"
    )
    total = w.derive(lhs, sp.Integer(first_sum + (depth - listed) * counts[-1]))
    w.note("Biases: one per output channel of every layer.")
    outs = [c_out for _, c_out in plan]
    shown = " + ".join(latex_value(c) for c in outs[:listed])
    lhs = (
        rf"\textstyle\sum_\ell C_{{\mathrm{{out}},\ell}} = {shown} + ({depth} - {listed}) \cdot {latex_value(outs[-1])}"
    )
    biases = w.derive(lhs, sp.Integer(sum(outs)))

    with w.quietly():
        summary = summarize(_network(w, depth - (listed - 1)))
    if summary.total_params != total:
        raise ArithmeticError(f"the calculator totals {summary.total_params}, the derivation {total}")
    w.note(
        "**Layer by layer.** The network calculator's `summarize`, on the same description of the network, gives "
        "each layer's output shape (channels × height × width), parameters, multiply-accumulates (MACs, for one "
        "image; [how they are counted](../../formulas/macs.md#convolution)), and the receptive field (RF) and jump "
        "of its outputs along height and width. Its parameter total is the one derived above."
    )
    table = _table(summary)
    w.note(f'???+ abstract "The encoder, {len(summary.rows)} layers"\n\n{table}')
    w.note("The receptive field grows by $k - 1$ with every stride-1 layer:")
    field = w.let("r", "1 + L * (k - 1)", L=depth, k=k)
    if (field, field) != summary.rows[-1].receptive_field:
        raise ArithmeticError(f"the calculator's receptive field is {summary.rows[-1].receptive_field}, not {field}")

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
    w.result("macs", summary.total_macs, "Multiply-accumulates for one image")
    w.result("receptive_field", field, "Receptive field of the latent map's units (square)")

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
    w.check("layers", by_sympy, "the SymPy equation above, solved independently of the calculator")
    macs, how = _macs_by_running(w, plan)
    w.check("macs", macs, how)
    stack_1d = [layers.Conv(1, 1, k, ndim=1, fill=1.0) for _ in range(depth)]
    mask = ref.receptive_field_mask(stack_1d, (1, size), (0,))
    (extent,), _ = ref.receptive_field_extent(mask)
    w.check(
        "receptive_field",
        extent,
        f"back-propagating a one-hot gradient through {depth} NumPy `Conv` layers of width {k} (one spatial "
        f"dimension; the field is square) marks {extent} input positions",
    )
