"""CENG 403 exam, Question 1: what a fully connected layer on a large image costs, and which part of a
convolution makes it equivariant to shifts.

The layer has ten billion weights, too many to allocate for a check. The checks therefore count a
NumPy layer with a single hidden unit (all units are alike) and multiply by the number of units,
and read byte counts from a broadcast NumPy view, which has the full shape and dtype but no storage.
Equivariance is checked by shifting a random input of a NumPy locally connected layer (one weight
vector per output position) and of the same layer with one weight vector copied to every position.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import linear_macs, linear_params
from solutions.notation import indexed, symbol
from solutions.reference import layers


def _weight_view(n_in: int, n_out: int) -> np.ndarray:
    """A float32 weight matrix of shape (n_out, n_in) as a broadcast view: shape and nbytes, no memory."""
    return np.broadcast_to(np.zeros((), dtype=np.float32), (n_out, n_in))


def q1a(w: Work) -> None:
    g = w.given
    height, width, channels = g.image
    n_in = w.let("n_in", "i_h * i_w * C_in", i_h=height, i_w=width, C_in=channels)
    w.result("inputs", n_in, "Inputs of every hidden unit")
    params = linear_params(n_in, g.hidden)
    with w.quietly():
        weights = linear_params(n_in, g.hidden, bias=False)
    w.result("weights", weights, "Weights of the layer")
    w.result("biases", params - weights, "Biases, one per unit")
    w.result("params", params, "Parameters of the layer")

    w.note("Stored in float32, $e$ bytes per number; a gigabyte (GB) is $10^9$ bytes:")
    memory = w.let("M", "e * W", e=g.bytes_per_number, W=weights)
    w.result("memory_bytes", memory, "Memory for the weights (float32)", "bytes")
    giga = sp.Pow(sp.Pow(10, 9, evaluate=False), -1, evaluate=False)
    memory_gb = w.derive(r"M_{\mathrm{GB}}", sp.Mul(symbol("M"), giga, evaluate=False), {symbol("M"): memory})
    w.result("memory_gb", memory_gb, "The same, in gigabytes", "GB")
    w.note("Training with Adam keeps four arrays of this size: weights, gradients and Adam's two running moments:")
    training_gb = w.derive(
        r"M_{\mathrm{Adam}, \mathrm{GB}}", sp.Mul(4, symbol("M"), giga, evaluate=False), {symbol("M"): memory}
    )
    w.result("training_memory_gb", training_gb, "Weights, gradients and Adam's two moments", "GB")
    w.result(
        "training_over_budget",
        bool(training_gb > g.budget_gb),
        f"More than {g.budget_gb} GB during training?",
    )

    w.result("macs", linear_macs(n_in, g.hidden), "Multiply-accumulates per image")

    w.note("The rule of thumb asks for a fixed number of examples per weight:")
    examples = w.let("n_train", f"{g.examples_per_weight} * W", W=weights)
    w.result("examples_needed", examples, "Training examples the rule of thumb asks for")
    weight_count = symbol("W")
    factor = w.derive(
        r"\frac{n_{\mathrm{train}}(2W)}{n_{\mathrm{train}}(W)}",
        sp.Mul(
            g.examples_per_weight * 2 * weight_count,
            sp.Pow(g.examples_per_weight * weight_count, -1, evaluate=False),
            evaluate=False,
        ),
        {weight_count: weights},
    )
    w.result("data_factor_when_weights_double", factor, "Data needed when the weights double")

    w.note(
        "Doubling the image's side, with the hidden layer kept at the same fraction of the inputs; "
        "call the new count of weights $W_2$:"
    )
    scale = g.side_factor**2
    bigger = linear_params(n_in * scale, g.hidden * scale, bias=False)
    growth = w.derive(r"\text{growth}", indexed("W", 2) / symbol("W"), {indexed("W", 2): bigger, symbol("W"): weights})
    w.result("growth_when_side_doubles", growth, "Growth of the weights when the side doubles")

    # Checks: one hidden unit as a NumPy layer, times the number of units.
    image = np.zeros((channels, height, width))
    unit = layers.Linear(image.size, 1, fill=0.0)
    w.check(
        "inputs", image.reshape(-1).size, f"a flattened NumPy image of shape {image.shape} has {image.size:,} entries"
    )
    w.check(
        "weights",
        unit.weight.size * g.hidden,
        f"a NumPy `Linear({image.size}, 1)` has a weight of shape {unit.weight.shape}; "
        f"the {g.hidden:,} units each have one",
    )
    w.check("biases", unit.bias.size * g.hidden, f"and a bias of shape {unit.bias.shape}, once per unit")
    w.check("params", unit.num_parameters * g.hidden, f"{unit.num_parameters:,} numbers per unit, times {g.hidden:,}")
    view = _weight_view(image.size, g.hidden)
    w.check(
        "memory_bytes",
        view.nbytes,
        f"a float32 NumPy view of shape {view.shape} reports `nbytes` = {view.nbytes:,}",
    )
    w.check("memory_gb", view.nbytes / 1e9, "the same, in units of $10^9$ bytes")
    adam = sum(_weight_view(image.size, g.hidden).nbytes for _ in ("weights", "gradients", "m", "v")) / 1e9
    w.check("training_memory_gb", adam, "four such views (weights, gradients, Adam's m and v)")
    w.check("training_over_budget", adam > g.budget_gb, f"{adam:g} GB against {g.budget_gb} GB")
    counter = ref.MacCounter()
    unit(np.ones(image.size), counter=counter)
    w.check(
        "macs",
        counter.macs * g.hidden,
        f"one unit's NumPy forward pass forms {counter.macs:,} products; the {g.hidden:,} units each do the same",
    )

    def rule(count: np.int64) -> np.int64:
        return np.int64(g.examples_per_weight) * count

    w.check("examples_needed", int(rule(np.int64(view.size))), f"{g.examples_per_weight} × `view.size` in NumPy int64")
    w.check(
        "data_factor_when_weights_double",
        float(rule(np.int64(2 * view.size)) / rule(np.int64(view.size))),
        "the rule evaluated in NumPy for twice the weights, divided by its value for the weights",
    )
    big_view = _weight_view(image.size * scale, g.hidden * scale)
    w.check(
        "growth_when_side_doubles",
        big_view.size / view.size,
        f"a view of shape {big_view.shape} against {view.shape}: {big_view.size:,} / {view.size:,} entries",
    )


def _locally_connected(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """A one-dimensional unshared convolution: ``weight`` is (o, k), one window of weights per output."""
    out, k = weight.shape
    return np.array([weight[t] @ x[t : t + k] for t in range(out)])


def q1c(w: Work) -> None:
    g = w.given
    k = g.kernel
    w.note(
        "Local windows without sharing (a locally connected layer), along one dimension: output $t$ has its "
        "own weights $w_{t,j}$ and reads $y_t = \\sum_j w_{t,j} x_{t+j-1}$. Shift the input right by one, "
        "$x'_m = x_{m-1}$. Equivariance asks that output $t$ of the shifted input equal output $t - 1$ of the "
        f"original one; with a window of $k = {k}$ the difference is"
    )
    xs = [indexed("x", f"t+{j - 2}" if j > 2 else ("t-1" if j == 1 else "t")) for j in range(1, k + 1)]
    own = [indexed("w", f"t,{j}") for j in range(1, k + 1)]
    previous = [indexed("w", f"t-1,{j}") for j in range(1, k + 1)]
    difference = w.derive("y'_t - y_{t-1}", sum((own[j] - previous[j]) * xs[j] for j in range(k)))
    w.result(
        "local_connectivity_gives_equivariance",
        sp.expand(difference) == 0,
        "Does local connectivity by itself (each window with its own weights) make a layer shift-equivariant?",
    )
    w.note("It vanishes for every input only when $w_{t,j} = w_{t-1,j}$ for every $j$: with one shared $w_j$,")
    shared = [indexed("w", j) for j in range(1, k + 1)]
    tied = w.derive(
        "y'_t - y_{t-1}",
        sum((own[j] - previous[j]) * xs[j] for j in range(k)),
        {**dict(zip(own, shared, strict=True)), **dict(zip(previous, shared, strict=True))},
    )
    w.result("weight_sharing_gives_equivariance", tied == 0, "With the weights shared, is the layer shift-equivariant?")

    rng = np.random.default_rng(0)
    x = np.zeros(g.length)
    x[1:-1] = rng.standard_normal(g.length - 2)  # zero at both ends, so a shift by one loses nothing
    moved = np.roll(x, 1)
    out = g.length - k + 1
    unshared = rng.standard_normal((out, k))
    tied_weights = np.broadcast_to(rng.standard_normal(k), (out, k))
    gaps = {}
    for name, weight in (("unshared", unshared), ("shared", tied_weights)):
        before, after = _locally_connected(x, weight), _locally_connected(moved, weight)
        gaps[name] = float(np.abs(after[1:] - before[:-1]).max())
    w.check(
        "local_connectivity_gives_equivariance",
        gaps["unshared"] < 1e-12,
        f"a NumPy locally connected layer with random weights ({out} positions, windows of {k}) on a random "
        f"input of length {g.length} and on the input shifted by one: the shifted output differs from the "
        f"output moved by one by up to {gaps['unshared']:.2f}",
    )
    w.check(
        "weight_sharing_gives_equivariance",
        gaps["shared"] < 1e-12,
        f"the same layer with one random window of weights copied to every position: largest difference "
        f"{gaps['shared']:.1e}",
    )
