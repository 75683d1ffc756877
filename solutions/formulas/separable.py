"""Separable convolutions: how much a factorised layer saves over the standard one.

* Spatially separable: a k×k kernel that is an outer product of a k×1 column and a 1×k row
  is replaced by the two 1-d kernels, ``k + k = 2k`` weights instead of ``k^2``: ratio ``2/k``.
  Only rank-1 kernels factor this way.
* Depthwise separable (MobileNet, Xception): a k×k depthwise convolution per input channel followed
  by a 1×1 pointwise convolution, ``k^2 C_in + C_in C_out`` weights instead of ``k^2 C_in C_out``:
  ratio ``1/C_out + 1/k^2``. Both stages run over the same output positions, so the ratio of MACs
  is the same number.

Ratios are exact SymPy rationals; counts exclude biases.
"""

from __future__ import annotations

from solutions.formulas._formula import Formula, Step, Value
from solutions.notation import symbol

__all__ = [
    "DEPTHWISE_SEPARABLE_RATIO",
    "SPATIAL_SEPARABLE_RATIO",
    "depthwise_separable_ratio",
    "spatial_separable_ratio",
]

k, C_in, C_out = symbol("k"), symbol("C_in"), symbol("C_out")
W_std, W_sep, rho = symbol("W_std"), symbol("W_sep"), symbol("rho")

SPATIAL_SEPARABLE_RATIO = Formula(
    name="spatial_separable_ratio",
    title="Spatially separable kernel: weights relative to k×k",
    topic="separable",
    anchor="spatial",
    arguments={"kernel_size": k},
    steps=[
        Step(W_std, k**2, r"a $k \times k$ kernel"),
        Step(W_sep, k + k, r"a $k \times 1$ column and a $1 \times k$ row"),
        Step(rho, W_sep / W_std, "fraction of the weights that remain"),
    ],
    integer=False,
)

DEPTHWISE_SEPARABLE_RATIO = Formula(
    name="depthwise_separable_ratio",
    title="Depthwise separable convolution: cost relative to a standard convolution",
    topic="separable",
    anchor="depthwise",
    arguments={"in_channels": C_in, "out_channels": C_out, "kernel_size": k},
    steps=[
        Step(W_std, k**2 * C_in * C_out, r"$C_{\mathrm{out}}$ filters of size $k \times k \times C_{\mathrm{in}}$"),
        Step(
            W_sep,
            k**2 * C_in + C_in * C_out,
            r"one $k \times k$ filter per input channel, "
            r"then a $1 \times 1$ mix of $C_{\mathrm{in}}$ into $C_{\mathrm{out}}$ channels",
        ),
        Step(rho, W_sep / W_std, "fraction of weights (and of MACs) that remain"),
    ],
    integer=False,
)


def spatial_separable_ratio(kernel_size: Value) -> Value:
    """Weights of a spatially separable k×k kernel relative to the full kernel: ``2/k``.

    >>> spatial_separable_ratio(3)
    2/3
    """
    return SPATIAL_SEPARABLE_RATIO(kernel_size=kernel_size)


def depthwise_separable_ratio(in_channels: Value, out_channels: Value, kernel_size: Value) -> Value:
    """Cost of a depthwise separable convolution relative to a standard one: ``1/C_out + 1/k^2``.

    >>> depthwise_separable_ratio(128, 256, 3)
    265/2304
    """
    return DEPTHWISE_SEPARABLE_RATIO(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size)
