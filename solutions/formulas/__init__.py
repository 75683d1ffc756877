"""General formulas of convolutional-network arithmetic, derived once with SymPy.

Each public function takes PyTorch's argument names and returns an exact ``int`` for integer
arguments or a SymPy expression for symbolic ones::

    >>> from solutions.formulas import conv_output_size, conv_params
    >>> conv_output_size(32, kernel_size=5, stride=3)
    10
    >>> from solutions.notation import symbol
    >>> conv_output_size(symbol("i"), kernel_size=3, padding=1)
    i

The modules, one per quantity: :mod:`.output_size`, :mod:`.parameters`, :mod:`.macs`,
:mod:`.receptive_field`, :mod:`.separable`. Each derivation is a :class:`Formula` (named SymPy steps);
:func:`all_formulas` lists them for the formula reference pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from solutions.formulas import macs as _macs
from solutions.formulas import output_size as _output_size
from solutions.formulas import parameters as _parameters
from solutions.formulas import receptive_field as _receptive_field
from solutions.formulas import separable as _separable
from solutions.formulas._formula import Formula, Step, Value
from solutions.formulas.macs import conv_macs, conv_transpose_macs, linear_macs
from solutions.formulas.output_size import (
    conv_output_size,
    conv_transpose_output_size,
    padding_for_mode,
    pool_output_size,
)
from solutions.formulas.parameters import (
    batchnorm_buffers,
    batchnorm_params,
    conv_params,
    conv_transpose_params,
    depthwise_params,
    linear_params,
    pointwise_params,
)
from solutions.formulas.receptive_field import (
    ReceptiveField,
    RFLayer,
    receptive_field,
    receptive_field_closed_form,
    receptive_field_table,
)
from solutions.formulas.separable import depthwise_separable_ratio, spatial_separable_ratio

__all__ = [
    "Formula",
    "RFLayer",
    "ReceptiveField",
    "Step",
    "Value",
    "all_formulas",
    "batchnorm_buffers",
    "batchnorm_params",
    "conv_macs",
    "conv_output_size",
    "conv_params",
    "conv_transpose_macs",
    "conv_transpose_output_size",
    "conv_transpose_params",
    "depthwise_params",
    "depthwise_separable_ratio",
    "linear_macs",
    "linear_params",
    "padding_for_mode",
    "pointwise_params",
    "pool_output_size",
    "receptive_field",
    "receptive_field_closed_form",
    "receptive_field_table",
    "spatial_separable_ratio",
]

#: The formula reference pages, in reading order: slug -> module.
TOPICS = {
    "output-size": _output_size,
    "parameters": _parameters,
    "macs": _macs,
    "receptive-field": _receptive_field,
    "separable": _separable,
}


@cache
def all_formulas() -> tuple[Formula, ...]:
    """Every module-level Formula plus the 1-3-d variants of the per-dimension ones, in page order."""
    found: list[Formula] = []
    for module in TOPICS.values():
        for value in vars(module).values():
            if isinstance(value, Formula) and value not in found:
                found.append(value)
    for factory in (
        _parameters.conv_params_formula,
        _parameters.conv_transpose_params_formula,
        _parameters.depthwise_params_formula,
        _macs.conv_macs_formula,
        _macs.conv_transpose_macs_formula,
    ):
        found.extend(factory(ndim) for ndim in (1, 2, 3))
    return tuple(found)


def iter_formulas(topic: str) -> Iterator[Formula]:
    """The formulas derived on one reference page."""
    return (formula for formula in all_formulas() if formula.topic == topic)
