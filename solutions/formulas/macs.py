"""Multiply-accumulate operations (MACs) of one forward pass, for one input (batch size 1).

The convention, stated once for the whole site: a MAC is one product of an input value (padded zeros
included) and a weight, added to a running sum. Only convolutions, transposed convolutions and fully
connected layers perform them. Bias additions, activations, pooling and batch normalisation count 0.
FLOPs are about twice the MACs (one multiply and one add each); tools that report "FLOPs" differ on
this factor and on whether they count biases, so compare MACs.

* Convolution: every output position of every output channel is a dot product over the
  C_in / g channels of its group and the kernel: ``MACs = OUT_POSITIONS * C_out * (C_in / g) * K``.
* Transposed convolution: every input position of every input channel is scattered through the
  kernel into the C_out / g outputs of its group: ``MACs = IN_POSITIONS * C_in * (C_out / g) * K``.
* Fully connected: ``MACs = n_in * n_out``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sympy as sp

from solutions.errors import InvalidInputError
from solutions.formulas._formula import Formula, Step, Value, groups_divide
from solutions.formulas.parameters import kernel_arguments
from solutions.notation import symbol

__all__ = [
    "LINEAR_MACS",
    "conv_macs",
    "conv_macs_formula",
    "conv_transpose_macs",
    "conv_transpose_macs_formula",
    "linear_macs",
]

C_in, C_out, g, K = (symbol(key) for key in ("C_in", "C_out", "g", "K"))
n_in, n_out, MACS = symbol("n_in"), symbol("n_out"), symbol("MACs")
OUT_POSITIONS, IN_POSITIONS = symbol("O"), symbol("I")

_OUTPUT_KEYS = {1: ("o",), 2: ("o_h", "o_w"), 3: ("o_d", "o_h", "o_w")}
_INPUT_KEYS = {1: ("i",), 2: ("i_h", "i_w"), 3: ("i_d", "i_h", "i_w")}


def _size_arguments(name: str, keys: tuple[str, ...]) -> dict[str, sp.Symbol]:
    if len(keys) == 1:
        return {name: symbol(keys[0])}
    return {f"{name}_{n}": symbol(key) for n, key in enumerate(keys)}


@cache
def conv_macs_formula(ndim: int) -> Formula:
    """MACs of ``nn.Conv{ndim}d`` from its output size."""
    outputs = _size_arguments("output_size", _OUTPUT_KEYS[ndim])
    kernel = kernel_arguments(ndim)
    return Formula(
        name="conv_macs",
        title=f"MACs of a {ndim}-d convolution",
        topic="macs",
        anchor="convolution",
        arguments={**outputs, "in_channels": C_in, "out_channels": C_out, **kernel, "groups": g},
        defaults={"groups": 1},
        steps=[
            Step(OUT_POSITIONS, sp.Mul(*outputs.values()), "output positions"),
            Step(K, sp.Mul(*kernel.values()), "taps in one kernel slice"),
            Step(
                MACS,
                OUT_POSITIONS * C_out * (C_in / g) * K,
                "each output value: one product per tap and per input channel of its group",
            ),
        ],
        requires=[groups_divide],
    )


@cache
def conv_transpose_macs_formula(ndim: int) -> Formula:
    """MACs of ``nn.ConvTranspose{ndim}d`` from its input size."""
    inputs = _size_arguments("input_size", _INPUT_KEYS[ndim])
    kernel = kernel_arguments(ndim)
    return Formula(
        name="conv_transpose_macs",
        title=f"MACs of a {ndim}-d transposed convolution",
        topic="macs",
        anchor="transposed-convolution",
        arguments={**inputs, "in_channels": C_in, "out_channels": C_out, **kernel, "groups": g},
        defaults={"groups": 1},
        steps=[
            Step(IN_POSITIONS, sp.Mul(*inputs.values()), "input positions"),
            Step(K, sp.Mul(*kernel.values()), "taps in one kernel slice"),
            Step(
                MACS,
                IN_POSITIONS * C_in * (C_out / g) * K,
                "each input value is multiplied by every tap for each output channel of its group",
            ),
        ],
        requires=[groups_divide],
    )


LINEAR_MACS = Formula(
    name="linear_macs",
    title="MACs of a fully connected layer",
    topic="macs",
    anchor="linear",
    arguments={"in_features": n_in, "out_features": n_out},
    steps=[Step(MACS, n_in * n_out, "one product per weight")],
)


def _per_dim_kwargs(name: str, value: Any, ndim: int) -> dict[str, Any]:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim
    if len(values) != ndim:
        raise InvalidInputError(name, value, f"an integer or a tuple of {ndim} entries")
    if ndim == 1:
        return {name: values[0]}
    return {f"{name}_{n}": v for n, v in enumerate(values)}


def _ndim(size: Any, kernel_size: Any) -> int:
    for value in (size, kernel_size):
        if isinstance(value, (tuple, list)):
            if not 1 <= len(value) <= 3:
                raise InvalidInputError("kernel_size", value, "a tuple of 1 to 3 entries")
            return len(value)
    return 2


def conv_macs(
    output_size: Value | tuple[Value, ...],
    in_channels: Value,
    out_channels: Value,
    kernel_size: Value | tuple[Value, ...],
    groups: Value = 1,
) -> Value:
    """MACs of a convolution producing ``output_size`` (int = square 2-d, or a tuple per dimension).

    >>> conv_macs((28, 28), 3, 5, 5)
    294000
    """
    ndim = _ndim(output_size, kernel_size)
    return conv_macs_formula(ndim)(
        **_per_dim_kwargs("output_size", output_size, ndim),
        in_channels=in_channels,
        out_channels=out_channels,
        **_per_dim_kwargs("kernel_size", kernel_size, ndim),
        groups=groups,
    )


def conv_transpose_macs(
    input_size: Value | tuple[Value, ...],
    in_channels: Value,
    out_channels: Value,
    kernel_size: Value | tuple[Value, ...],
    groups: Value = 1,
) -> Value:
    """MACs of a transposed convolution reading ``input_size``.

    >>> conv_transpose_macs((4, 4), 1, 1, 3)
    144
    """
    ndim = _ndim(input_size, kernel_size)
    return conv_transpose_macs_formula(ndim)(
        **_per_dim_kwargs("input_size", input_size, ndim),
        in_channels=in_channels,
        out_channels=out_channels,
        **_per_dim_kwargs("kernel_size", kernel_size, ndim),
        groups=groups,
    )


def linear_macs(in_features: Value, out_features: Value) -> Value:
    """MACs of ``nn.Linear(in_features, out_features)`` for one input vector.

    >>> linear_macs(1024, 10)
    10240
    """
    return LINEAR_MACS(in_features=in_features, out_features=out_features)
