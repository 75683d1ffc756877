"""Output size of convolution, pooling and transposed convolution, as PyTorch computes it.

All sizes are per spatial dimension; the public functions accept an int (repeated for every
dimension, as PyTorch does) or a tuple with one entry per dimension, and return the same shape.

Derivation of the convolution case, from first principles: a kernel of ``k`` taps spaced ``d`` apart
spans ``k_eff = d(k - 1) + 1`` positions. On an input zero-padded to ``i + 2p``, a window may start at
0, s, 2s, ... as long as it ends inside, i.e. starts at most at ``i + 2p - k_eff``. Counting those
starts gives ``floor((i + 2p - k_eff) / s) + 1``: PyTorch's floor semantics.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from solutions.errors import InvalidInputError, check_bool, check_choice
from solutions.formulas._formula import Formula, Step, Value
from solutions.notation import symbol

__all__ = [
    "CONV_OUTPUT",
    "CONV_OUTPUT_ASYMMETRIC",
    "CONV_TRANSPOSE_OUTPUT",
    "FULL_PADDING",
    "POOL_OUTPUT",
    "POOL_OUTPUT_CEIL",
    "SAME_PADDING_LEFT",
    "SAME_PADDING_RIGHT",
    "conv_output_size",
    "conv_transpose_output_size",
    "padding_for_mode",
    "pool_output_size",
]

i, o, k, s, p, d, a = (symbol(key) for key in ("i", "o", "k", "s", "p", "d", "a"))
p_left, p_right, k_eff = symbol("p_left"), symbol("p_right"), symbol("k_eff")
o_ceil, o_full = symbol("o_ceil"), symbol("o_full")

_EFFECTIVE_KERNEL = Step(k_eff, d * (k - 1) + 1, r"$k$ taps spaced $d$ apart span $d(k - 1) + 1$ positions")


def _kernel_fits(values: dict[str, int]) -> None:
    span = values.get("dilation", 1) * (values["kernel_size"] - 1) + 1
    padded = values["input_size"] + values.get("padding_left", 0) + values.get("padding_right", 0)
    padded += 2 * values.get("padding", 0)
    if span > padded:
        raise InvalidInputError(
            "kernel_size",
            values["kernel_size"],
            f"at most the padded input size {padded} once dilated (dilation*(kernel_size-1)+1 = {span})",
        )


def _pool_padding_at_most_half(values: dict[str, int]) -> None:
    # PyTorch: "pad should be at most half of kernel size" -- the raw kernel size, even when dilated.
    if 2 * values["padding"] > values["kernel_size"]:
        allowed = f"at most half the kernel size {values['kernel_size']}"
        raise InvalidInputError("padding", values["padding"], allowed)


def _pool_ceil_output_positive(values: dict[str, int]) -> None:
    # In ceil mode PyTorch accepts a window longer than the padded input as long as one window
    # remains (input 1, kernel 4, stride 4 gives 1 output; stride 2 gives none and is an error).
    span = values["dilation"] * (values["kernel_size"] - 1) + 1
    numerator = values["input_size"] + 2 * values["padding"] - span
    count = -((-numerator) // values["stride"]) + 1
    if (count - 1) * values["stride"] >= values["input_size"] + values["padding"]:
        count -= 1
    if count < 1:
        raise InvalidInputError(
            "kernel_size", values["kernel_size"], "small enough to leave at least one window in ceil_mode"
        )


def _output_padding_small(values: dict[str, int]) -> None:
    # PyTorch: "output padding must be smaller than either stride or dilation".
    if not (values["output_padding"] < values["stride"] or values["output_padding"] < values["dilation"]):
        allowed = f"smaller than stride ({values['stride']}) or dilation ({values['dilation']})"
        raise InvalidInputError("output_padding", values["output_padding"], allowed)


def _transpose_output_positive(values: dict[str, int]) -> None:
    full = (values["input_size"] - 1) * values["stride"] + values["dilation"] * (values["kernel_size"] - 1) + 1
    if full - 2 * values["padding"] + values["output_padding"] < 1:
        raise InvalidInputError(
            "padding", values["padding"], f"small enough to leave at least one output (canvas is {full} long)"
        )


# (k_eff - 1) / 2 kept unevaluated: SymPy would print it distributed as k_eff/2 - 1/2.
_HALF_ZEROS = sp.Mul(k_eff - 1, sp.Pow(2, -1, evaluate=False), evaluate=False)
_SAME_LEFT = Step(p_left, sp.floor(_HALF_ZEROS), r"half of the $\hat{k} - 1$ zeros, rounded down")

_CONV_ARGUMENTS = {"input_size": i, "kernel_size": k, "stride": s, "padding": p, "dilation": d}
_CONV_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1}

CONV_OUTPUT = Formula(
    name="conv_output_size",
    title="Output size of a convolution",
    topic="output-size",
    anchor="convolution",
    arguments=_CONV_ARGUMENTS,
    defaults=_CONV_DEFAULTS,
    steps=[
        _EFFECTIVE_KERNEL,
        Step(
            o,
            sp.floor((i + 2 * p - k_eff) / s) + 1,
            r"windows start at $0, s, 2s, \dots$ and must fit: the last start is at most $i + 2p - \hat{k}$",
        ),
    ],
    requires=[_kernel_fits],
)

CONV_OUTPUT_ASYMMETRIC = Formula(
    name="conv_output_size",
    title="Output size of a convolution with unequal padding",
    topic="output-size",
    anchor="padding-modes",
    arguments={
        "input_size": i,
        "kernel_size": k,
        "stride": s,
        "padding_left": p_left,
        "padding_right": p_right,
        "dilation": d,
    },
    defaults={"stride": 1, "dilation": 1},
    steps=[
        _EFFECTIVE_KERNEL,
        Step(
            o,
            sp.floor((i + p_left + p_right - k_eff) / s) + 1,
            r"as for equal padding, with the padded length $i + p_{\mathrm{left}} + p_{\mathrm{right}}$",
        ),
    ],
    requires=[_kernel_fits],
)

POOL_OUTPUT = Formula(
    name="pool_output_size",
    title="Output size of pooling (ceil_mode=False)",
    topic="output-size",
    anchor="pooling",
    arguments=_CONV_ARGUMENTS,
    defaults=_CONV_DEFAULTS,
    steps=CONV_OUTPUT.steps,
    requires=[_kernel_fits, _pool_padding_at_most_half],
)

POOL_OUTPUT_CEIL = Formula(
    name="pool_output_size",
    title="Output size of pooling with ceil_mode=True",
    topic="output-size",
    anchor="pooling-ceil-mode",
    arguments=_CONV_ARGUMENTS,
    defaults=_CONV_DEFAULTS,
    steps=[
        _EFFECTIVE_KERNEL,
        Step(
            o_ceil,
            sp.ceiling((i + 2 * p - k_eff) / s) + 1,
            "rounding up keeps one more window when the last full one leaves inputs uncovered",
        ),
        Step(
            o,
            sp.Piecewise((o_ceil - 1, (o_ceil - 1) * s >= i + p), (o_ceil, True)),
            r"PyTorch drops that extra window if it would start at or after $i + p$, in the right padding",
        ),
    ],
    requires=[_pool_padding_at_most_half, _pool_ceil_output_positive],
)

CONV_TRANSPOSE_OUTPUT = Formula(
    name="conv_transpose_output_size",
    title="Output size of a transposed convolution",
    topic="output-size",
    anchor="transposed-convolution",
    arguments={**_CONV_ARGUMENTS, "output_padding": a},
    defaults={**_CONV_DEFAULTS, "output_padding": 0},
    steps=[
        _EFFECTIVE_KERNEL,
        Step(
            o_full,
            (i - 1) * s + k_eff,
            r"input $t$ scatters its kernel onto positions $ts, \dots, ts + \hat{k} - 1$; "
            r"the last input starts at $(i - 1)s$",
        ),
        Step(o, o_full - 2 * p + a, r"crop $p$ from each end, and keep $a$ extra positions at the far end"),
    ],
    requires=[_output_padding_small, _transpose_output_positive],
)

SAME_PADDING_LEFT = Formula(
    name="same_padding",
    title="Left padding of padding='same'",
    topic="output-size",
    anchor="padding-modes",
    arguments={"kernel_size": k, "dilation": d},
    defaults={"dilation": 1},
    steps=[
        _EFFECTIVE_KERNEL,
        _SAME_LEFT,
    ],
)

SAME_PADDING_RIGHT = Formula(
    name="same_padding",
    title="Right padding of padding='same'",
    topic="output-size",
    anchor="padding-modes",
    arguments={"kernel_size": k, "dilation": d},
    defaults={"dilation": 1},
    steps=[
        _EFFECTIVE_KERNEL,
        Step(
            p_right,
            sp.ceiling(_HALF_ZEROS),
            r"the other half, rounded up: one more zero on this side when $\hat{k}$ is even",
        ),
    ],
)

FULL_PADDING = Formula(
    name="full_padding",
    title="Padding of a 'full' convolution",
    topic="output-size",
    anchor="padding-modes",
    arguments={"kernel_size": k, "dilation": d},
    defaults={"dilation": 1},
    steps=[
        _EFFECTIVE_KERNEL,
        Step(p, k_eff - 1, r"every input position meets every tap: $\hat{k} - 1$ zeros on each side"),
    ],
)


# ----------------------------------------------------------------------------------------------
# Public functions: PyTorch-style arguments (int or tuple per dimension, padding modes).


def _dims(name: str, value: Any, ndim: int) -> tuple[Any, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) != ndim:
            raise InvalidInputError(name, value, f"an integer or a tuple of {ndim} entries (one per dimension)")
        return tuple(value)
    return (value,) * ndim


def _ndim(*values: Any) -> int:
    lengths = {len(v) for v in values if isinstance(v, (tuple, list))}
    if len(lengths) > 1:
        raise InvalidInputError("input_size", values[0], "tuples of one length across all arguments")
    ndim = lengths.pop() if lengths else 1
    if not 1 <= ndim <= 3:
        raise InvalidInputError("input_size", values[0], "1, 2 or 3 spatial dimensions")
    return ndim


def _shape(results: list[Value], as_tuple: bool) -> Value | tuple[Value, ...]:
    return tuple(results) if as_tuple else results[0]


def padding_for_mode(
    mode: str, kernel_size: Value | tuple[Value, ...], dilation: Value | tuple[Value, ...] = 1
) -> tuple[tuple[Value, Value], ...]:
    """The (left, right) padding per dimension of a padding mode: 'valid', 'same' or 'full'.

    'same' splits k_eff - 1 zeros with the extra one on the right (bottom) for even k_eff, as PyTorch
    does; 'full' puts k_eff - 1 zeros on each side.

    >>> padding_for_mode("same", 4)
    ((1, 2),)
    """
    check_choice("padding", mode, ("valid", "same", "full"))
    ndim = _ndim(kernel_size, dilation)
    ks, ds = _dims("kernel_size", kernel_size, ndim), _dims("dilation", dilation, ndim)
    out = []
    for kk, dd in zip(ks, ds, strict=True):
        if mode == "valid":
            SAME_PADDING_LEFT.bind(kernel_size=kk, dilation=dd)  # validates the arguments
            out.append((0, 0))
        elif mode == "same":
            out.append(
                (
                    SAME_PADDING_LEFT(kernel_size=kk, dilation=dd),
                    SAME_PADDING_RIGHT(kernel_size=kk, dilation=dd),
                )
            )
        else:
            full = FULL_PADDING(kernel_size=kk, dilation=dd)
            out.append((full, full))
    return tuple(out)


def conv_output_size(
    input_size: Value | tuple[Value, ...],
    kernel_size: Value | tuple[Value, ...],
    stride: Value | tuple[Value, ...] = 1,
    padding: Value | tuple[Value, ...] | str = 0,
    dilation: Value | tuple[Value, ...] = 1,
) -> Value | tuple[Value, ...]:
    """Output size of ``nn.Conv1d/2d/3d`` along each spatial dimension.

    ``padding`` may be an int, a tuple, or 'valid', 'same' (stride 1 only, as in PyTorch) or 'full'.

    >>> conv_output_size(32, 5, stride=3)
    10
    >>> conv_output_size((16, 224, 224), 3, stride=(2, 1, 1), padding=1)
    (8, 224, 224)
    """
    as_tuple = isinstance(input_size, (tuple, list))
    ndim = _ndim(input_size, kernel_size, stride, dilation, *([] if isinstance(padding, str) else [padding]))
    sizes, ks = _dims("input_size", input_size, ndim), _dims("kernel_size", kernel_size, ndim)
    ss, ds = _dims("stride", stride, ndim), _dims("dilation", dilation, ndim)
    if isinstance(padding, str):
        check_choice("padding", padding, ("valid", "same", "full"))
        if padding == "same" and any(st != 1 for st in ss):
            raise InvalidInputError("padding", padding, "an integer when stride > 1 ('same' needs stride 1)")
        pads = padding_for_mode(padding, ks, ds)
        results = [
            CONV_OUTPUT_ASYMMETRIC(
                input_size=n, kernel_size=kk, stride=st, padding_left=pl, padding_right=pr, dilation=dd
            )
            for n, kk, st, (pl, pr), dd in zip(sizes, ks, ss, pads, ds, strict=True)
        ]
        return _shape(results, as_tuple)
    ps = _dims("padding", padding, ndim)
    results = [
        CONV_OUTPUT(input_size=n, kernel_size=kk, stride=st, padding=pp, dilation=dd)
        for n, kk, st, pp, dd in zip(sizes, ks, ss, ps, ds, strict=True)
    ]
    return _shape(results, as_tuple)


def pool_output_size(
    input_size: Value | tuple[Value, ...],
    kernel_size: Value | tuple[Value, ...],
    stride: Value | tuple[Value, ...] | None = None,
    padding: Value | tuple[Value, ...] = 0,
    dilation: Value | tuple[Value, ...] = 1,
    ceil_mode: bool = False,
) -> Value | tuple[Value, ...]:
    """Output size of ``nn.MaxPool*`` / ``nn.AvgPool*`` (``stride`` defaults to ``kernel_size``).

    With ``ceil_mode=True`` the count of windows is rounded up, but a last window that would start
    in the right padding is dropped, exactly as PyTorch does.

    >>> pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True)
    3
    """
    check_bool("ceil_mode", ceil_mode)
    if stride is None:
        stride = kernel_size
    as_tuple = isinstance(input_size, (tuple, list))
    ndim = _ndim(input_size, kernel_size, stride, padding, dilation)
    formula = POOL_OUTPUT_CEIL if ceil_mode else POOL_OUTPUT
    results = [
        formula(input_size=n, kernel_size=kk, stride=st, padding=pp, dilation=dd)
        for n, kk, st, pp, dd in zip(
            _dims("input_size", input_size, ndim),
            _dims("kernel_size", kernel_size, ndim),
            _dims("stride", stride, ndim),
            _dims("padding", padding, ndim),
            _dims("dilation", dilation, ndim),
            strict=True,
        )
    ]
    return _shape(results, as_tuple)


def conv_transpose_output_size(
    input_size: Value | tuple[Value, ...],
    kernel_size: Value | tuple[Value, ...],
    stride: Value | tuple[Value, ...] = 1,
    padding: Value | tuple[Value, ...] = 0,
    output_padding: Value | tuple[Value, ...] = 0,
    dilation: Value | tuple[Value, ...] = 1,
) -> Value | tuple[Value, ...]:
    """Output size of ``nn.ConvTranspose1d/2d/3d`` along each spatial dimension.

    >>> conv_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1)
    8
    """
    as_tuple = isinstance(input_size, (tuple, list))
    ndim = _ndim(input_size, kernel_size, stride, padding, output_padding, dilation)
    results = [
        CONV_TRANSPOSE_OUTPUT(input_size=n, kernel_size=kk, stride=st, padding=pp, output_padding=aa, dilation=dd)
        for n, kk, st, pp, aa, dd in zip(
            _dims("input_size", input_size, ndim),
            _dims("kernel_size", kernel_size, ndim),
            _dims("stride", stride, ndim),
            _dims("padding", padding, ndim),
            _dims("output_padding", output_padding, ndim),
            _dims("dilation", dilation, ndim),
            strict=True,
        )
    ]
    return _shape(results, as_tuple)
