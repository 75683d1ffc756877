"""The torch.nn layers the calculator understands, and what each one does to a shape.

Every layer class here mirrors one torch.nn class: the same name, the same keyword arguments with
the same defaults. :meth:`Layer.bind` checks a spec entry's arguments (inferring ``in_channels``,
``in_features`` and ``num_features`` from the input); :meth:`Layer.apply` computes the output shape,
parameters, buffers, MACs and the receptive-field step, every number by a call into
:mod:`solutions.formulas`, never by arithmetic of its own. :data:`CATALOG` maps class names to them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy as sp

from solutions.calculator import arguments as A
from solutions.calculator.arguments import INFERRED, REQUIRED, Arg
from solutions.errors import InvalidInputError
from solutions.formulas import (
    batchnorm_buffers,
    batchnorm_params,
    conv_macs,
    conv_output_size,
    conv_params,
    conv_transpose_macs,
    conv_transpose_output_size,
    conv_transpose_params,
    linear_macs,
    linear_params,
    padding_for_mode,
    pool_output_size,
)
from solutions.formulas._formula import Formula
from solutions.formulas.output_size import (
    CONV_OUTPUT,
    CONV_OUTPUT_ASYMMETRIC,
    CONV_TRANSPOSE_OUTPUT,
    POOL_OUTPUT,
    POOL_OUTPUT_CEIL,
)
from solutions.formulas.receptive_field import RF_JUMP_STEP, RF_SIZE_STEP, RF_START_STEP

__all__ = ["CATALOG", "Applied", "Layer", "RFState", "SizeFormula", "rank_name"]

#: Receptive field per spatial dimension: (size r, jump j, start u); None once it is no longer tracked.
RFState = tuple[tuple[int, int, int], ...] | None

_AXES = {0: "(C,)", 1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def rank_name(ndim: int) -> str:
    """How a shape with ``ndim`` spatial dimensions is written: (C, H, W) for 2."""
    return _AXES.get(ndim, f"{ndim + 1} dimensions")


@dataclass(frozen=True, slots=True)
class Applied:
    """What one layer does: its output shape and counts, and the receptive field after it."""

    shape: tuple[int, ...]
    params: int
    buffers: int
    macs: int
    rf: RFState


@dataclass(frozen=True)
class SizeFormula:
    """One spatial dimension of a layer as a formula of its input size (for ``solve``).

    ``formula`` is None for a layer that keeps the size; ``arguments`` are the formula's other
    arguments (numbers, or SymPy symbols for unknowns); ``constant`` is a fixed output size
    (adaptive pooling) that does not depend on the input at all.
    """

    formula: Formula | None
    arguments: Mapping[str, Any]
    constant: int | None = None


def _rf_step(
    rf: RFState, kernel: tuple[int, ...], stride: tuple[int, ...], pad_left: tuple[int, ...], dilation: tuple[int, ...]
) -> RFState:
    """The recurrence of :mod:`solutions.formulas.receptive_field`, one call per quantity and dimension."""
    if rf is None:
        return None
    return tuple(
        (
            RF_SIZE_STEP(previous_size=r, previous_jump=j, kernel_size=k, dilation=d),
            RF_JUMP_STEP(previous_jump=j, stride=s),
            RF_START_STEP(previous_start=u, previous_jump=j, padding=p),
        )
        for (r, j, u), k, s, p, d in zip(rf, kernel, stride, pad_left, dilation, strict=True)
    )


class Layer:
    """One torch.nn class: its arguments (name -> :class:`Arg`, in signature order) and its arithmetic."""

    name: str = ""
    #: Spatial dimensions the input must have; None: any shape.
    ndim: int | None = None
    #: What the layer is, for the Calculator page.
    what: str = ""
    args: Mapping[str, Arg] = {}

    def input_ranks(self) -> tuple[int, ...] | None:
        """Numbers of spatial dimensions the input may have (None: any)."""
        return None if self.ndim is None else (self.ndim,)

    def check_input(self, shape: tuple[int, ...], where: str) -> None:
        """Refuse an input of the wrong rank, as PyTorch would."""
        ranks = self.input_ranks()
        if ranks is not None and len(shape) - 1 not in ranks:
            allowed = " or ".join(rank_name(rank) for rank in ranks)
            raise InvalidInputError("input shape", shape, f"{allowed} for {self.name}", where)

    def bind(self, raw: Mapping[str, Any], shape: tuple[int, ...], where: str, infer: bool = True) -> dict[str, Any]:
        """The entry's arguments checked, with defaults filled in and inferred ones taken from ``shape``
        (with ``infer=False`` they stay None unless given: ``solve`` needs only the geometry)."""
        for name in raw:
            if name not in self.args:
                allowed = ", ".join(self.args) if self.args else "none (it takes no arguments)"
                raise InvalidInputError(name, raw[name], f"an argument of torch.nn.{self.name}: {allowed}", where)
        self.check_input(shape, where)
        bound: dict[str, Any] = {}
        for name, arg in self.args.items():
            value = raw.get(name, arg.default)
            if value is REQUIRED:
                raise InvalidInputError(name, None, f"given: torch.nn.{self.name} has no default for it", where)
            if not infer and arg.default is INFERRED:
                bound[name] = None if value is INFERRED else A.positive(name, value, self.ndim, where)
            elif value is INFERRED or (name in raw and arg.default is INFERRED):
                bound[name] = self._inferred(name, raw.get(name, INFERRED), shape, where)
            elif value is None and arg.default is None:
                bound[name] = None
            else:
                bound[name] = arg.check(name, value, self.ndim, where)
        return bound

    def _inferred(self, name: str, given: Any, shape: tuple[int, ...], where: str) -> int:
        actual = shape[0]
        if given is INFERRED:
            return actual
        value = A.positive(name, given, self.ndim, where)
        if value != actual:
            what = "features" if name == "in_features" else "channels"
            raise InvalidInputError(
                name, given, f"{actual}, the {what} of its input {shape} (or omitted, to take it from there)", where
            )
        return value

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        """Output shape, counts and receptive field; ``where`` names the layer in error messages."""
        raise NotImplementedError

    def size_formulas(
        self, a: dict[str, Any], unknowns: Mapping[str, sp.Symbol], rank: int
    ) -> list[SizeFormula] | None:
        """Each spatial dimension as a formula of its input size, with ``unknowns`` (argument name ->
        symbol) left symbolic; None if the layer mixes dimensions (no per-dimension formula)."""
        return None

    def sets_channels(self, a: dict[str, Any]) -> int | None:
        """The channels of the output if the layer sets them (None: it keeps its input's)."""
        return None


# ----------------------------------------------------------------------------------------------
# Convolutions


def _conv_padding_mode(
    a: dict[str, Any], pads: tuple[tuple[int, int], ...], spatial: tuple[int, ...], where: str
) -> None:
    """PyTorch's limits on non-zero padding modes (the sizes are those of zero padding)."""
    mode = a["padding_mode"]
    for (left, right), size in zip(pads, spatial, strict=True):
        if mode == "reflect" and max(left, right) >= size:
            allowed = f"less than the input size {size} with padding_mode='reflect'"
            raise InvalidInputError("padding", a["padding"], allowed, where)
        if mode == "circular" and max(left, right) > size:
            allowed = f"at most the input size {size} with padding_mode='circular'"
            raise InvalidInputError("padding", a["padding"], allowed, where)


class Conv(Layer):
    """``nn.Conv{1,2,3}d``; ``padding`` may also be 'same' or 'valid'."""

    def __init__(self, ndim: int) -> None:
        self.ndim = ndim
        self.name = f"Conv{ndim}d"
        self.what = f"{ndim}-d convolution"
        self.args = {
            "in_channels": Arg(A.positive, INFERRED),
            "out_channels": Arg(A.positive, REQUIRED, solvable=True),
            "kernel_size": Arg(A.spatial, REQUIRED, solvable=True),
            "stride": Arg(A.spatial, 1, solvable=True),
            "padding": Arg(A.conv_padding, 0, solvable=True),
            "dilation": Arg(A.spatial, 1, solvable=True),
            "groups": Arg(A.positive, 1),
            "bias": Arg(A.boolean, True),
            "padding_mode": Arg(A.choice("zeros", "reflect", "replicate", "circular"), "zeros"),
        }

    def pads(self, a: dict[str, Any]) -> tuple[tuple[int, int], ...]:
        padding = a["padding"]
        if isinstance(padding, str):
            return padding_for_mode(padding, a["kernel_size"], a["dilation"])
        return tuple((p, p) for p in padding)

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        spatial = shape[1:]
        out = conv_output_size(spatial, a["kernel_size"], a["stride"], a["padding"], a["dilation"])
        pads = self.pads(a)
        if a["padding_mode"] != "zeros":
            _conv_padding_mode(a, pads, spatial, where)
        c_in, c_out, kernel, groups = a["in_channels"], a["out_channels"], a["kernel_size"], a["groups"]
        params = conv_params(c_in, c_out, kernel, groups, a["bias"], ndim=self.ndim)
        macs = conv_macs(out, c_in, c_out, kernel, groups)
        rf = _rf_step(rf, kernel, a["stride"], tuple(left for left, _ in pads), a["dilation"])
        return Applied((c_out, *out), params, 0, macs, rf)

    def size_formulas(self, a: dict[str, Any], unknowns: Mapping[str, sp.Symbol], rank: int) -> list[SizeFormula]:
        out = []
        for n in range(self.ndim):
            values = {name: unknowns.get(name, a[name][n]) for name in ("kernel_size", "stride", "dilation")}
            if isinstance(a["padding"], str) and "padding" not in unknowns:
                left, right = padding_for_mode(a["padding"], values["kernel_size"], values["dilation"])[0]
                out.append(
                    SizeFormula(CONV_OUTPUT_ASYMMETRIC, {**values, "padding_left": left, "padding_right": right})
                )
            else:
                padding = unknowns.get("padding", a["padding"][n] if not isinstance(a["padding"], str) else 0)
                out.append(SizeFormula(CONV_OUTPUT, {**values, "padding": padding}))
        return out

    def sets_channels(self, a: dict[str, Any]) -> int | None:
        return a["out_channels"]


class ConvTranspose(Layer):
    """``nn.ConvTranspose{1,2,3}d``: upsamples, so the receptive field stops being a window here."""

    def __init__(self, ndim: int) -> None:
        self.ndim = ndim
        self.name = f"ConvTranspose{ndim}d"
        self.what = f"{ndim}-d transposed convolution (upsampling: ends receptive-field tracking)"
        self.args = {
            "in_channels": Arg(A.positive, INFERRED),
            "out_channels": Arg(A.positive, REQUIRED, solvable=True),
            "kernel_size": Arg(A.spatial, REQUIRED, solvable=True),
            "stride": Arg(A.spatial, 1, solvable=True),
            "padding": Arg(A.spatial0, 0, solvable=True),
            "output_padding": Arg(A.spatial0, 0, solvable=True),
            "groups": Arg(A.positive, 1),
            "bias": Arg(A.boolean, True),
            "dilation": Arg(A.spatial, 1, solvable=True),
            "padding_mode": Arg(A.choice("zeros"), "zeros"),
        }

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        spatial = shape[1:]
        kernel = a["kernel_size"]
        out = conv_transpose_output_size(spatial, kernel, a["stride"], a["padding"], a["output_padding"], a["dilation"])
        c_in, c_out, groups = a["in_channels"], a["out_channels"], a["groups"]
        params = conv_transpose_params(c_in, c_out, kernel, groups, a["bias"], ndim=self.ndim)
        macs = conv_transpose_macs(spatial, c_in, c_out, kernel, groups)
        return Applied((c_out, *out), params, 0, macs, None)

    def size_formulas(self, a: dict[str, Any], unknowns: Mapping[str, sp.Symbol], rank: int) -> list[SizeFormula]:
        names = ("kernel_size", "stride", "padding", "output_padding", "dilation")
        return [
            SizeFormula(CONV_TRANSPOSE_OUTPUT, {name: unknowns.get(name, a[name][n]) for name in names})
            for n in range(self.ndim)
        ]

    def sets_channels(self, a: dict[str, Any]) -> int | None:
        return a["out_channels"]


# ----------------------------------------------------------------------------------------------
# Pooling


class Pool(Layer):
    """``nn.MaxPool{1,2,3}d`` and ``nn.AvgPool{1,2,3}d``; ``stride`` defaults to ``kernel_size``."""

    def __init__(self, ndim: int, kind: str) -> None:
        self.ndim = ndim
        self.kind = kind
        self.name = f"{kind}Pool{ndim}d"
        self.what = f"{ndim}-d {'max' if kind == 'Max' else 'average'} pooling"
        self.args = {
            "kernel_size": Arg(A.spatial, REQUIRED, solvable=True),
            "stride": Arg(A.spatial, None, solvable=True),
            "padding": Arg(A.spatial0, 0, solvable=True),
        }
        if kind == "Max":
            self.args |= {
                "dilation": Arg(A.spatial, 1, solvable=True),
                "return_indices": Arg(A.false_only, False),
                "ceil_mode": Arg(A.boolean, False),
            }
        else:
            self.args |= {"ceil_mode": Arg(A.boolean, False), "count_include_pad": Arg(A.boolean, True)}
            if ndim > 1:
                self.args["divisor_override"] = Arg(A.optional_integer, None)

    def _geometry(self, a: dict[str, Any]) -> tuple[tuple[int, ...], ...]:
        kernel = a["kernel_size"]
        stride = kernel if a["stride"] is None else a["stride"]
        dilation = a.get("dilation", (1,) * self.ndim)
        return kernel, stride, a["padding"], dilation

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        kernel, stride, padding, dilation = self._geometry(a)
        if self.kind == "Avg" and self.ndim == 3:
            # avg_pool3d, unlike the other poolings, refuses an input (before padding) smaller than the kernel.
            for size, k in zip(shape[1:], kernel, strict=True):
                if k > size:
                    allowed = f"at most the input size {shape[1:]} in every dimension (AvgPool3d's rule)"
                    raise InvalidInputError("kernel_size", a["kernel_size"], allowed, where)
        out = pool_output_size(shape[1:], kernel, stride, padding, dilation, a["ceil_mode"])
        return Applied((shape[0], *out), 0, 0, 0, _rf_step(rf, kernel, stride, padding, dilation))

    def size_formulas(self, a: dict[str, Any], unknowns: Mapping[str, sp.Symbol], rank: int) -> list[SizeFormula]:
        formula = POOL_OUTPUT_CEIL if a["ceil_mode"] else POOL_OUTPUT
        kernel, stride, padding, dilation = self._geometry(a)
        out = []
        for n in range(self.ndim):
            k = unknowns.get("kernel_size", kernel[n])
            s = unknowns.get("stride", k if a["stride"] is None else stride[n])
            values = {
                "kernel_size": k,
                "stride": s,
                "padding": unknowns.get("padding", padding[n]),
                "dilation": unknowns.get("dilation", dilation[n]),
            }
            out.append(SizeFormula(formula, values))
        return out


class AdaptivePool(Layer):
    """Output size given; receptive field followed only where PyTorch's windows are regular."""

    def __init__(self, ndim: int, kind: str) -> None:
        self.ndim = ndim
        self.name = f"Adaptive{kind}Pool{ndim}d"
        self.what = f"{ndim}-d adaptive {'max' if kind == 'Max' else 'average'} pooling to a given size"
        self.args = {"output_size": Arg(A.adaptive_output_size, REQUIRED)}
        if kind == "Max":
            self.args["return_indices"] = Arg(A.false_only, False)

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        spatial = shape[1:]
        out = tuple(i if o is None else o for i, o in zip(spatial, a["output_size"], strict=True))
        return Applied((shape[0], *out), 0, 0, 0, self._rf(rf, spatial, out))

    @staticmethod
    def _rf(rf: RFState, spatial: tuple[int, ...], out: tuple[int, ...]) -> RFState:
        # Window t covers floor(t i / o) to ceil((t + 1) i / o) - 1: when o divides i that is a plain
        # pooling window of kernel = stride = i / o (o = i: the identity), so the recurrence applies.
        # Otherwise the windows differ in size and the receptive field is no longer one number.
        if rf is None or any(i % o for i, o in zip(spatial, out, strict=True)):
            return None
        kernel = tuple(i // o for i, o in zip(spatial, out, strict=True))
        return _rf_step(rf, kernel, kernel, (0,) * len(kernel), (1,) * len(kernel))

    def size_formulas(self, a: dict[str, Any], unknowns: Mapping[str, sp.Symbol], rank: int) -> list[SizeFormula]:
        return [SizeFormula(None, {}, constant=o) for o in a["output_size"]]


# ----------------------------------------------------------------------------------------------
# Normalisation, fully connected, reshaping, and shape-preserving layers


class BatchNorm(Layer):
    """``nn.BatchNorm{1,2,3}d``: learns a scale and shift per channel, and keeps running statistics."""

    def __init__(self, ndim: int) -> None:
        self.ndim = ndim
        self.name = f"BatchNorm{ndim}d"
        self.what = f"batch normalisation of {rank_name(ndim)}" + (" or (C,)" if ndim == 1 else "") + " inputs"
        self.args = {
            "num_features": Arg(A.positive, INFERRED),
            "eps": Arg(A.number, 1e-5),
            "momentum": Arg(A.optional_number, 0.1),
            "affine": Arg(A.boolean, True),
            "track_running_stats": Arg(A.boolean, True),
        }

    def input_ranks(self) -> tuple[int, ...]:
        return (0, 1) if self.ndim == 1 else (self.ndim,)

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        channels = a["num_features"]
        params = batchnorm_params(channels, a["affine"])
        buffers = batchnorm_buffers(channels, a["track_running_stats"])
        return Applied(shape, params, buffers, 0, rf)

    def size_formulas(self, a: dict[str, Any], unknowns: Mapping[str, sp.Symbol], rank: int) -> list[SizeFormula]:
        return [SizeFormula(None, {})] * rank


class Linear(Layer):
    """``nn.Linear`` on a flat input: on a (C, ...) tensor PyTorch would map the last axis only."""

    name = "Linear"
    what = "fully connected layer on a flat input (put a Flatten before it)"
    args: ClassVar[Mapping[str, Arg]] = {
        "in_features": Arg(A.positive, INFERRED),
        "out_features": Arg(A.positive, REQUIRED, solvable=True),
        "bias": Arg(A.boolean, True),
    }

    def check_input(self, shape: tuple[int, ...], where: str) -> None:
        if len(shape) != 1:
            allowed = f"flat, (features,): add `- Flatten` before Linear to flatten {shape}"
            raise InvalidInputError("input shape", shape, allowed, where)

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        n_in, n_out = a["in_features"], a["out_features"]
        return Applied((n_out,), linear_params(n_in, n_out, a["bias"]), 0, linear_macs(n_in, n_out), None)

    def sets_channels(self, a: dict[str, Any]) -> int | None:
        return a["out_features"]


class Flatten(Layer):
    """``nn.Flatten``, whose dims count the batch axis as 0."""

    name = "Flatten"
    what = "flattens dimensions start_dim..end_dim of the batched tensor (all but the batch, by default)"
    args: ClassVar[Mapping[str, Arg]] = {"start_dim": Arg(A.integer, 1), "end_dim": Arg(A.integer, -1)}

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        rank = len(shape) + 1  # with the batch axis, as torch sees it
        start, end = (a[name] + rank if a[name] < 0 else a[name] for name in ("start_dim", "end_dim"))
        for name, value in (("start_dim", start), ("end_dim", end)):
            if not 1 <= value < rank:
                allowed = f"from 1 to {rank - 1} or from {-rank + 1} to -1 (0 is the batch axis) for input {shape}"
                raise InvalidInputError(name, a[name], allowed, where)
        if start > end:
            raise InvalidInputError("start_dim", a["start_dim"], f"at most end_dim={a['end_dim']}", where)
        out = (*shape[: start - 1], math.prod(shape[start - 1 : end]), *shape[end:])
        return Applied(out, 0, 0, 0, rf if out == shape else None)


class Elementwise(Layer):
    """Activations, dropout and Identity: the output has the input's shape; nothing is learned."""

    def __init__(self, name: str, args: Mapping[str, Arg], what: str, ndim: int | None = None) -> None:
        self.name, self.args, self.what, self.ndim = name, dict(args), what, ndim

    def bind(self, raw: Mapping[str, Any], shape: tuple[int, ...], where: str, infer: bool = True) -> dict[str, Any]:
        if self.name == "Identity":  # nn.Identity accepts and ignores any arguments
            return {}
        bound = super().bind(raw, shape, where, infer)
        if "dim" in self.args:
            rank = len(shape) + 1
            if bound["dim"] is not None and not -rank <= bound["dim"] < rank:
                allowed = f"from {-rank} to {rank - 1}: the batched input {('N', *shape)} has {rank} dimensions"
                raise InvalidInputError("dim", bound["dim"], allowed, where)
            # torch's implicit choice when dim is None (legacy): dimension 0 for 1-, 3-d tensors, else 1.
            dim = bound["dim"] if bound["dim"] is not None else (0 if rank in (1, 3) else 1)
            bound["_mixes_spatial"] = (dim % rank) >= 2
        return bound

    def apply(self, a: dict[str, Any], shape: tuple[int, ...], rf: RFState, where: str = "") -> Applied:
        # A softmax along a spatial axis makes every output depend on that whole axis: no window.
        return Applied(shape, 0, 0, 0, None if a.get("_mixes_spatial") else rf)

    def size_formulas(self, a: dict[str, Any], unknowns: Mapping[str, sp.Symbol], rank: int) -> list[SizeFormula]:
        return [SizeFormula(None, {})] * rank


_INPLACE = {"inplace": Arg(A.boolean, False)}
_DIM = {"dim": Arg(A.dim, None)}
_ACTIVATIONS: dict[str, dict[str, Arg]] = {
    "ReLU": _INPLACE,
    "ReLU6": _INPLACE,
    "LeakyReLU": {"negative_slope": Arg(A.number, 0.01), **_INPLACE},
    "ELU": {"alpha": Arg(A.number, 1.0), **_INPLACE},
    "CELU": {"alpha": Arg(A.number, 1.0), **_INPLACE},
    "SELU": _INPLACE,
    "GELU": {"approximate": Arg(A.choice("none", "tanh"), "none")},
    "SiLU": _INPLACE,
    "Mish": _INPLACE,
    "Sigmoid": {},
    "Tanh": {},
    "Hardsigmoid": _INPLACE,
    "Hardswish": _INPLACE,
    "Hardtanh": {"min_val": Arg(A.number, -1.0), "max_val": Arg(A.number, 1.0), **_INPLACE},
    "Softplus": {"beta": Arg(A.number, 1.0), "threshold": Arg(A.number, 20.0)},
    "Softsign": {},
    "Tanhshrink": {},
    "LogSigmoid": {},
    "Softmax": _DIM,
    "LogSoftmax": _DIM,
    "Softmin": _DIM,
}

_DROPOUT = {"p": Arg(A.probability, 0.5), **_INPLACE}


def _catalog() -> dict[str, Layer]:
    layers: list[Layer] = []
    for ndim in (1, 2, 3):
        layers += [Conv(ndim), ConvTranspose(ndim)]
    for ndim in (1, 2, 3):
        layers += [Pool(ndim, "Max"), Pool(ndim, "Avg")]
    for ndim in (1, 2, 3):
        layers += [AdaptivePool(ndim, "Avg"), AdaptivePool(ndim, "Max")]
    layers += [BatchNorm(ndim) for ndim in (1, 2, 3)]
    layers += [Linear(), Flatten()]
    layers.append(Elementwise("Dropout", _DROPOUT, "dropout (the identity at inference)"))
    for ndim in (1, 2, 3):
        layers.append(Elementwise(f"Dropout{ndim}d", _DROPOUT, f"channel dropout of {rank_name(ndim)} inputs", ndim))
    layers.append(Elementwise("AlphaDropout", _DROPOUT, "alpha dropout (for SELU networks)"))
    layers.append(Elementwise("Identity", {}, "does nothing (accepts and ignores any arguments)"))
    for name, args in _ACTIVATIONS.items():
        layers.append(Elementwise(name, args, "activation (shape-preserving)"))
    return {layer.name: layer for layer in layers}


#: torch.nn class name -> the calculator's model of it.
CATALOG: dict[str, Layer] = _catalog()
