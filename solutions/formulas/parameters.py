"""Learnable parameters (and buffers) of the layers PyTorch provides.

Counts are what ``sum(p.numel() for p in module.parameters())`` returns for the matching
``torch.nn`` module; batch normalisation's running statistics are not learned and are counted
separately as buffers, as ``module.buffers()`` holds them.

A convolution's weight tensor has shape ``(C_out, C_in / g, *kernel_size)``: each of the C_out
filters sees only the C_in / g channels of its group. A transposed convolution stores
``(C_in, C_out / g, *kernel_size)``: the same number of weights.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sympy as sp

from solutions.errors import InvalidInputError, check_bool
from solutions.formulas._formula import Formula, Step, Value, groups_divide
from solutions.notation import symbol

__all__ = [
    "BATCHNORM_BUFFERS",
    "BATCHNORM_PARAMS",
    "LINEAR_PARAMS",
    "POINTWISE_PARAMS",
    "batchnorm_buffers",
    "batchnorm_params",
    "conv_params",
    "conv_params_formula",
    "conv_transpose_params",
    "conv_transpose_params_formula",
    "depthwise_params",
    "depthwise_params_formula",
    "kernel_symbols",
    "linear_params",
    "pointwise_params",
]

C_in, C_out, C, g, m, b = (symbol(key) for key in ("C_in", "C_out", "C", "g", "m", "b"))
n_in, n_out, W, P, B, K = (symbol(key) for key in ("n_in", "n_out", "W", "P", "B", "K"))

_KERNEL_KEYS = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}


def kernel_symbols(ndim: int) -> tuple[sp.Symbol, ...]:
    """Kernel-size symbols for 1, 2 or 3 spatial dimensions: (k,), (k_H, k_W), (k_D, k_H, k_W)."""
    return tuple(symbol(key) for key in _KERNEL_KEYS[ndim])


def kernel_arguments(ndim: int) -> dict[str, sp.Symbol]:
    """Formula argument names for a kernel: ``kernel_size`` in 1-d, ``kernel_size_0``, ... otherwise."""
    symbols = kernel_symbols(ndim)
    if ndim == 1:
        return {"kernel_size": symbols[0]}
    return {f"kernel_size_{n}": sym for n, sym in enumerate(symbols)}


def _bias_is_flag(values: dict[str, int]) -> None:
    if values["bias"] not in (0, 1):
        raise InvalidInputError("bias", values["bias"], "True or False (1 or 0)")


LINEAR_PARAMS = Formula(
    name="linear_params",
    title="Parameters of a fully connected layer",
    topic="parameters",
    anchor="linear",
    arguments={"in_features": n_in, "out_features": n_out, "bias": b},
    defaults={"bias": 1},
    steps=[
        Step(W, n_in * n_out, "one weight per (input, output) pair"),
        Step(P, W + b * n_out, "plus one bias per output"),
    ],
    requires=[_bias_is_flag],
)


@cache
def conv_params_formula(ndim: int) -> Formula:
    """Parameters of ``nn.Conv{ndim}d``; the kernel is given per dimension."""
    kernel = kernel_arguments(ndim)
    return Formula(
        name="conv_params",
        title=f"Parameters of a {ndim}-d convolution",
        topic="parameters",
        anchor="convolution",
        arguments={"in_channels": C_in, "out_channels": C_out, **kernel, "groups": g, "bias": b},
        defaults={"groups": 1, "bias": 1},
        steps=[
            Step(K, sp.Mul(*kernel.values()), "taps in one kernel slice"),
            Step(
                W,
                C_out * (C_in / g) * K,
                r"$C_{\mathrm{out}}$ filters, each over the $C_{\mathrm{in}} / g$ channels of its group",
            ),
            Step(P, W + b * C_out, "plus one bias per output channel"),
        ],
        requires=[groups_divide, _bias_is_flag],
    )


@cache
def conv_transpose_params_formula(ndim: int) -> Formula:
    """Parameters of ``nn.ConvTranspose{ndim}d``: weight shape (C_in, C_out / g, *kernel)."""
    kernel = kernel_arguments(ndim)
    return Formula(
        name="conv_transpose_params",
        title=f"Parameters of a {ndim}-d transposed convolution",
        topic="parameters",
        anchor="transposed-convolution",
        arguments={"in_channels": C_in, "out_channels": C_out, **kernel, "groups": g, "bias": b},
        defaults={"groups": 1, "bias": 1},
        steps=[
            Step(K, sp.Mul(*kernel.values()), "taps in one kernel slice"),
            Step(
                W,
                C_in * (C_out / g) * K,
                r"each input channel scatters into the $C_{\mathrm{out}} / g$ outputs of its group",
            ),
            Step(P, W + b * C_out, "plus one bias per output channel"),
        ],
        requires=[groups_divide, _bias_is_flag],
    )


@cache
def depthwise_params_formula(ndim: int) -> Formula:
    """Parameters of a depthwise convolution: groups = in_channels, out_channels = m * in_channels."""
    kernel = kernel_arguments(ndim)
    return Formula(
        name="depthwise_params",
        title=f"Parameters of a {ndim}-d depthwise convolution",
        topic="parameters",
        anchor="depthwise",
        arguments={"in_channels": C_in, **kernel, "channel_multiplier": m, "bias": b},
        defaults={"channel_multiplier": 1, "bias": 1},
        steps=[
            Step(K, sp.Mul(*kernel.values()), "taps in one kernel slice"),
            Step(W, C_in * m * K, r"$m$ filters per input channel, each seeing only that channel"),
            Step(P, W + b * C_in * m, "plus one bias per output channel"),
        ],
        requires=[_bias_is_flag],
    )


POINTWISE_PARAMS = Formula(
    name="pointwise_params",
    title="Parameters of a pointwise (1×1) convolution",
    topic="parameters",
    anchor="pointwise",
    arguments={"in_channels": C_in, "out_channels": C_out, "bias": b},
    defaults={"bias": 1},
    steps=[
        Step(W, C_in * C_out, "a 1×1 kernel: one weight per (input, output) channel pair"),
        Step(P, W + b * C_out, "plus one bias per output channel"),
    ],
    requires=[_bias_is_flag],
)

BATCHNORM_PARAMS = Formula(
    name="batchnorm_params",
    title="Learnable parameters of batch normalisation",
    topic="parameters",
    anchor="batch-normalisation",
    arguments={"num_features": C},
    steps=[Step(P, 2 * C, r"a scale $\gamma$ and a shift $\beta$ per channel")],
)

BATCHNORM_BUFFERS = Formula(
    name="batchnorm_buffers",
    title="Buffers of batch normalisation",
    topic="parameters",
    anchor="batch-normalisation",
    arguments={"num_features": C},
    steps=[Step(B, 2 * C + 1, "running mean and variance per channel, plus the `num_batches_tracked` counter")],
)


def _kernel_kwargs(kernel_size: Any, ndim: int | None) -> tuple[int, dict[str, Any]]:
    if isinstance(kernel_size, (tuple, list)):
        if ndim is not None and ndim != len(kernel_size):
            raise InvalidInputError("kernel_size", kernel_size, f"a tuple of {ndim} entries (ndim={ndim})")
        ndim = len(kernel_size)
        if not 1 <= ndim <= 3:
            raise InvalidInputError("kernel_size", kernel_size, "an integer or a tuple of 1 to 3 entries")
        sizes = tuple(kernel_size)
    else:
        ndim = 2 if ndim is None else ndim
        if isinstance(ndim, bool) or not isinstance(ndim, int) or ndim not in (1, 2, 3):
            raise InvalidInputError("ndim", ndim, "1, 2 or 3")
        sizes = (kernel_size,) * ndim
    return ndim, dict(zip(kernel_arguments(ndim), sizes, strict=True))


def linear_params(in_features: Value, out_features: Value, bias: bool = True) -> Value:
    """Parameters of ``nn.Linear(in_features, out_features, bias)``.

    >>> linear_params(100 * 100, 1000)
    10001000
    """
    return LINEAR_PARAMS(in_features=in_features, out_features=out_features, bias=int(check_bool("bias", bias)))


def conv_params(
    in_channels: Value,
    out_channels: Value,
    kernel_size: Value | tuple[Value, ...],
    groups: Value = 1,
    bias: bool = True,
    ndim: int | None = None,
) -> Value:
    """Parameters of ``nn.Conv{ndim}d``. An int ``kernel_size`` is square (cubic); ``ndim`` defaults to 2.

    >>> conv_params(3, 5, 5)
    380
    >>> conv_params(1, 64, 3, ndim=3)
    1792
    """
    ndim, kernel = _kernel_kwargs(kernel_size, ndim)
    return conv_params_formula(ndim)(
        in_channels=in_channels,
        out_channels=out_channels,
        **kernel,
        groups=groups,
        bias=int(check_bool("bias", bias)),
    )


def conv_transpose_params(
    in_channels: Value,
    out_channels: Value,
    kernel_size: Value | tuple[Value, ...],
    groups: Value = 1,
    bias: bool = True,
    ndim: int | None = None,
) -> Value:
    """Parameters of ``nn.ConvTranspose{ndim}d``.

    >>> conv_transpose_params(16, 8, 4, groups=2)
    1032
    """
    ndim, kernel = _kernel_kwargs(kernel_size, ndim)
    return conv_transpose_params_formula(ndim)(
        in_channels=in_channels,
        out_channels=out_channels,
        **kernel,
        groups=groups,
        bias=int(check_bool("bias", bias)),
    )


def depthwise_params(
    in_channels: Value,
    kernel_size: Value | tuple[Value, ...],
    channel_multiplier: Value = 1,
    bias: bool = True,
    ndim: int | None = None,
) -> Value:
    """Parameters of a depthwise convolution (``groups=in_channels``).

    >>> depthwise_params(128, 3, bias=False)
    1152
    """
    ndim, kernel = _kernel_kwargs(kernel_size, ndim)
    return depthwise_params_formula(ndim)(
        in_channels=in_channels,
        **kernel,
        channel_multiplier=channel_multiplier,
        bias=int(check_bool("bias", bias)),
    )


def pointwise_params(in_channels: Value, out_channels: Value, bias: bool = True) -> Value:
    """Parameters of a pointwise (1×1) convolution.

    >>> pointwise_params(128, 256, bias=False)
    32768
    """
    return POINTWISE_PARAMS(in_channels=in_channels, out_channels=out_channels, bias=int(check_bool("bias", bias)))


def batchnorm_params(num_features: Value, affine: bool = True) -> Value:
    """Learnable parameters of ``nn.BatchNorm*d`` (gamma and beta; none if ``affine=False``).

    >>> batchnorm_params(32)
    64
    """
    return BATCHNORM_PARAMS(num_features=num_features) if check_bool("affine", affine) else 0


def batchnorm_buffers(num_features: Value, track_running_stats: bool = True) -> Value:
    """Buffer entries of ``nn.BatchNorm*d``: running mean, running variance, num_batches_tracked.

    >>> batchnorm_buffers(32)
    65
    """
    if not check_bool("track_running_stats", track_running_stats):
        BATCHNORM_BUFFERS.bind(num_features=num_features)
        return 0
    return BATCHNORM_BUFFERS(num_features=num_features)
