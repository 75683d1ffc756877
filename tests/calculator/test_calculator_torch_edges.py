"""Every small configuration of the edge cases, against PyTorch: ceil_mode (including the last window
PyTorch drops), padding strings with dilation, and output_padding with dilation."""

from __future__ import annotations

import itertools

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is needed for the cross-check: pip install torch==2.13.0")

from solutions.calculator import summarize  # noqa: E402
from solutions.errors import InvalidInputError  # noqa: E402

pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")]
nn = torch.nn


def torch_length(module: torch.nn.Module, length: int) -> int | None:
    try:
        out = module(torch.zeros(1, 1, length))
    except RuntimeError:
        return None
    return out.shape[-1] if out.numel() else None


def ours(layer: dict, length: int) -> int | None:
    try:
        return summarize({"input": [1, length], "layers": [layer]}).rows[0].output_shape[-1]
    except InvalidInputError:
        return None


@pytest.mark.parametrize("kind", ["Max", "Avg"])
def test_ceil_mode_pooling_every_small_case(kind: str) -> None:
    dropped = compared = 0
    for length, k, s, d in itertools.product(range(1, 13), range(1, 5), range(1, 5), (1, 2) if kind == "Max" else (1,)):
        for p in range(k // 2 + 1):
            args = {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": True}
            if kind == "Max":
                args["dilation"] = d
            expected = torch_length(getattr(nn, f"{kind}Pool1d")(**args), length)
            assert ours({f"{kind}Pool1d": args}, length) == expected, (length, args)
            compared += 1
            if expected is not None:
                span = d * (k - 1) + 1
                rounded_up = -(-(length + 2 * p - span) // s) + 1
                dropped += expected == rounded_up - 1
    assert compared >= 384 and dropped >= 20, (compared, dropped)  # the dropped-window rule was exercised


def test_same_and_valid_padding_with_dilation_and_even_kernels() -> None:
    for length, k, d, padding in itertools.product(range(1, 10), range(1, 6), range(1, 4), ("same", "valid")):
        args = {"in_channels": 1, "out_channels": 1, "kernel_size": k, "dilation": d, "padding": padding}
        expected = torch_length(nn.Conv1d(**args), length)
        layer = {"Conv1d": {key: v for key, v in args.items() if key != "in_channels"}}
        assert ours(layer, length) == expected, (length, args)


def test_transposed_output_padding_with_dilation() -> None:
    for length, k, s, d, p, a in itertools.product(
        range(1, 5), range(1, 4), range(1, 4), range(1, 4), range(3), range(3)
    ):
        args = {"kernel_size": k, "stride": s, "dilation": d, "padding": p, "output_padding": a}
        try:
            module = nn.ConvTranspose1d(1, 1, **args)
            expected = torch_length(module, length)
        except (RuntimeError, ValueError):
            expected = None
        assert ours({"ConvTranspose1d": {"out_channels": 1, **args}}, length) == expected, (length, args)
