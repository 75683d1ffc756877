"""Receptive field of a stack of convolution and pooling layers, along one spatial dimension.

Three numbers describe where output unit ``t`` of layer ℓ looks in the input, following Araujo,
Norris and Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill (2019):

* size ``r``: input positions from the first to the last one it reads (dilation leaves holes
  inside, which do not shrink the size);
* jump ``j``: how far apart in the input adjacent output units are (the effective stride);
* start ``u``: the input index of the first position output unit 0 reads, so unit ``t`` reads
  ``u + t j`` to ``u + t j + r - 1``. Negative values lie in the zero padding.

Before any layer ``r = 1, j = 1, u = 0``. Layer ℓ, with kernel ``k``, stride ``s``, padding ``p`` and
dilation ``d``, reads ``d(k - 1) + 1`` of its input positions, ``j_{ℓ-1}`` apart in the input:

    r_ℓ = r_{ℓ-1} + (k_ℓ - 1) d_ℓ j_{ℓ-1},   j_ℓ = j_{ℓ-1} s_ℓ,   u_ℓ = u_{ℓ-1} - p_ℓ j_{ℓ-1}.

Unrolled, this gives the closed form ``r_L = 1 + Σ_ℓ (k_ℓ - 1) d_ℓ Π_{m<ℓ} s_m``,
``j_L = Π_ℓ s_ℓ`` and ``u_L = -Σ_ℓ p_ℓ Π_{m<ℓ} s_m``; both are implemented and must agree.
Transposed convolutions (upsampling) are outside this model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from solutions.errors import InvalidInputError
from solutions.formulas._formula import Formula, Step, Value
from solutions.notation import indexed, symbol

__all__ = [
    "RF_JUMP_STEP",
    "RF_SIZE_STEP",
    "RF_START_STEP",
    "RFLayer",
    "ReceptiveField",
    "closed_form_expressions",
    "closed_form_latex",
    "receptive_field",
    "receptive_field_closed_form",
    "receptive_field_table",
    "recurrence_expressions",
]

r, j, u = symbol("r"), symbol("j"), symbol("u")
r_prev, j_prev, u_prev = symbol("r_prev"), symbol("j_prev"), symbol("u_prev")
k, s, p, d = symbol("k"), symbol("s"), symbol("p"), symbol("d")

RF_SIZE_STEP = Formula(
    name="receptive_field",
    title="Receptive field size after one more layer",
    topic="receptive-field",
    anchor="recurrence",
    arguments={"previous_size": r_prev, "previous_jump": j_prev, "kernel_size": k, "dilation": d},
    defaults={"dilation": 1},
    steps=[
        Step(
            r,
            r_prev + (k - 1) * d * j_prev,
            r"$k - 1$ gaps of $d$ positions of the layer's input, each $j_{\ell-1}$ input positions wide",
        )
    ],
)

RF_JUMP_STEP = Formula(
    name="receptive_field",
    title="Jump after one more layer",
    topic="receptive-field",
    anchor="recurrence",
    arguments={"previous_jump": j_prev, "stride": s},
    defaults={"stride": 1},
    steps=[
        Step(j, j_prev * s, r"adjacent outputs are $s$ of the layer's inputs apart, each $j_{\ell-1}$ input positions")
    ],
)

RF_START_STEP = Formula(
    name="receptive_field",
    title="Start after one more layer",
    topic="receptive-field",
    anchor="recurrence",
    arguments={"previous_start": u_prev, "previous_jump": j_prev, "padding": p},
    defaults={"padding": 0},
    steps=[
        Step(
            u,
            u_prev - p * j_prev,
            r"output 0 starts $p$ of the layer's inputs before its first one, each $j_{\ell-1}$ wide",
        )
    ],
)


@dataclass(frozen=True)
class RFLayer:
    """The geometry of one convolution or pooling layer along one spatial dimension."""

    kernel_size: Value
    stride: Value = 1
    padding: Value = 0
    dilation: Value = 1

    @classmethod
    def of(cls, layer: RFLayer | Mapping[str, Any] | Sequence[Any]) -> RFLayer:
        """Accept an RFLayer, a mapping with PyTorch's names, or a (k, s, p, d) tuple."""
        if isinstance(layer, RFLayer):
            return layer
        if isinstance(layer, Mapping):
            unknown = set(layer) - {"kernel_size", "stride", "padding", "dilation"}
            if unknown:
                raise InvalidInputError(sorted(unknown)[0], layer, "one of kernel_size, stride, padding, dilation")
            return cls(**layer)
        if isinstance(layer, (tuple, list)) and 1 <= len(layer) <= 4:
            return cls(*layer)
        raise InvalidInputError("layer", layer, "an RFLayer, a mapping or a (k, s, p, d) tuple")


@dataclass(frozen=True)
class ReceptiveField:
    """Size, jump and start of the receptive field of a layer's output units."""

    size: Value
    jump: Value
    start: Value

    @property
    def center(self) -> Value:
        """Input coordinate of the centre of output unit 0's receptive field (a half-integer if r is even)."""
        return sp.nsimplify(self.start + sp.Rational(1, 2) * (self.size - 1))


_INPUT = ReceptiveField(size=1, jump=1, start=0)


def _layers(layers: Iterable[Any]) -> list[RFLayer]:
    if isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, Iterable):
        raise InvalidInputError("layers", layers, "a sequence of layers: RFLayer, mappings or (k, s, p, d) tuples")
    out = [RFLayer.of(layer) for layer in layers]
    for layer in out:  # validate every argument the same way the layer formulas do
        RF_SIZE_STEP.bind(previous_size=1, previous_jump=1, kernel_size=layer.kernel_size, dilation=layer.dilation)
        RF_JUMP_STEP.bind(previous_jump=1, stride=layer.stride)
        RF_START_STEP.bind(previous_start=0, previous_jump=1, padding=layer.padding)
    return out


def receptive_field_table(layers: Iterable[Any]) -> list[ReceptiveField]:
    """Receptive field after each layer, by the recurrence (one entry per layer).

    >>> [rf.size for rf in receptive_field_table([(3, 1), (3, 1), (2, 2)])]
    [3, 5, 6]
    """
    table: list[ReceptiveField] = []
    before = _INPUT
    for layer in _layers(layers):
        after = ReceptiveField(
            size=RF_SIZE_STEP(
                previous_size=before.size,
                previous_jump=before.jump,
                kernel_size=layer.kernel_size,
                dilation=layer.dilation,
            ),
            jump=RF_JUMP_STEP(previous_jump=before.jump, stride=layer.stride),
            start=RF_START_STEP(previous_start=before.start, previous_jump=before.jump, padding=layer.padding),
        )
        table.append(after)
        before = after
    return table


def receptive_field(layers: Iterable[Any]) -> ReceptiveField:
    """Receptive field of the last layer's output units, by the recurrence.

    >>> receptive_field([(11, 4, 0), (3, 2, 0), (5, 1, 2)])
    ReceptiveField(size=51, jump=8, start=-16)
    """
    table = receptive_field_table(layers)
    return table[-1] if table else _INPUT


def receptive_field_closed_form(layers: Iterable[Any]) -> ReceptiveField:
    """Receptive field of the last layer's output units, by the closed form.

    >>> receptive_field_closed_form([(11, 4, 0), (3, 2, 0), (5, 1, 2)])
    ReceptiveField(size=51, jump=8, start=-16)
    """
    size: Value = 1
    start: Value = 0
    jump: Value = 1  # product of the strides of the layers before ℓ
    for layer in _layers(layers):
        size += (layer.kernel_size - 1) * layer.dilation * jump
        start -= layer.padding * jump
        jump *= layer.stride
    return ReceptiveField(*(int(x) if getattr(x, "is_Integer", False) else x for x in (size, jump, start)))


def _symbolic_stack(depth: int) -> list[RFLayer]:
    return [RFLayer(indexed("k", n), indexed("s", n), indexed("p", n), indexed("d", n)) for n in range(1, depth + 1)]


def recurrence_expressions(depth: int) -> ReceptiveField:
    """The recurrence unrolled over ``depth`` symbolic layers (k_1, s_1, p_1, d_1, ...)."""
    return receptive_field(_symbolic_stack(depth))


def closed_form_expressions(depth: int) -> ReceptiveField:
    """The closed form over ``depth`` symbolic layers; equal to :func:`recurrence_expressions`."""
    return receptive_field_closed_form(_symbolic_stack(depth))


def closed_form_latex() -> dict[str, str]:
    """The closed form with Σ and Π, as LaTeX, for the formula page."""
    ell, m, L = sp.symbols("ell m L", integer=True, positive=True)
    kk, ss, pp, dd = (sp.IndexedBase(name) for name in "kspd")
    strides_before = sp.Product(ss[m], (m, 1, ell - 1))
    names = {ell: r"\ell"}
    return {
        "size": sp.latex(1 + sp.Sum((kk[ell] - 1) * dd[ell] * strides_before, (ell, 1, L)), symbol_names=names),
        "jump": sp.latex(sp.Product(ss[ell], (ell, 1, L)), symbol_names=names),
        "start": sp.latex(-sp.Sum(pp[ell] * strides_before, (ell, 1, L)), symbol_names=names),
    }
