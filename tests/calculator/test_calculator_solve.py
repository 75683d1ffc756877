"""solve: the worked examples, the derivation's steps, and agreement with brute force on random problems."""

from __future__ import annotations

import contextlib
import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from solutions.calculator import SolveResult, solve, summarize
from solutions.cli import main
from solutions.errors import InvalidInputError

EXAMPLES = Path(__file__).parents[2] / "solutions" / "calculator" / "examples"


def values(result: SolveResult) -> list[tuple[int, ...]]:
    return [tuple(s.values()) for s in result.solutions]


def test_kernel_that_maps_512_to_504() -> None:
    result = solve(EXAMPLES / "solve_kernel.yaml")
    assert result.solutions == [{"kernel_size": 9}]
    assert result.method == "derived"
    assert r"k \leq 9" in result.explanation and r"k \geq 9" in result.explanation


def test_alexnet_stride_and_padding() -> None:
    result = solve(EXAMPLES / "solve_stride_padding.yaml")
    assert {"stride": 4, "padding": 0} in result.solutions
    assert values(result) == [(4, 0), (4, 1)]  # in the default ranges: stride 1-16, padding 0-16
    assert result.beyond_range  # stride 5 with padding 27-29, ...
    assert "54 s" in result.explanation and r"p \geq 27 s - 108" in result.explanation
    wider = yaml.safe_load((EXAMPLES / "solve_stride_padding.yaml").read_text())
    wider["range"] = {"padding": [0, 30]}
    assert values(solve(wider)) == [(4, 0), (4, 1), (5, 27), (5, 28), (5, 29)]


@pytest.mark.parametrize(("name", "repeat"), [("solve_repeat_3x3", 104), ("solve_repeat_7x7", 36)])
def test_how_many_identical_convolutions(name: str, repeat: int) -> None:
    result = solve(EXAMPLES / f"{name}.yaml")
    assert result.solutions == [{"repeat": repeat}]
    assert result.method == "derived"
    assert r"\delta" in result.explanation
    spec = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    spec["layers"][0]["repeat"] = repeat
    assert summarize(spec).rows[-1].output_shape == tuple(spec["target"])
    assert len(summarize(spec).rows) == repeat


def test_the_104_layer_encoder_example_ends_at_16() -> None:
    rows = summarize(EXAMPLES / "csci5922_q4.yaml").rows
    assert len(rows) == 104 and rows[-1].output_shape == (256, 16, 16)
    assert [row.output_shape[0] for row in rows[:5]] == [16, 32, 64, 128, 256]


def alexnet() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "alexnet.yaml").read_text())


def test_target_on_an_entry_is_reached_backwards_through_later_layers() -> None:
    spec = alexnet()
    spec["layers"][0]["Conv2d"]["stride"] = "?"
    spec["layers"][12]["target"] = [256, 6, 6]  # after the third max pooling
    result = solve(spec)
    assert result.solutions == [{"stride": 4}]
    assert "Layer 13 (MaxPool2d) must output 6" in result.explanation
    assert result.targets == ["entry 13 (layer 13) outputs (256, 6, 6)"]


def test_input_size() -> None:
    spec = alexnet()
    spec["input"] = [3, "?", "?"]
    spec["layers"][0]["target"] = [64, 55, 55]
    assert values(solve(spec)) == [(223,), (224,), (225,), (226,)]
    spec["layers"][0]["target"] = None
    del spec["layers"][0]["target"]
    spec["target"] = [1000]
    spec["range"] = {"input": [60, 70]}  # a flat target after Flatten: evaluated over the range
    result = solve(spec)
    assert result.method == "enumerated" and values(result) == [(n,) for n in range(63, 71)]


def test_output_padding_and_a_pair_with_a_rejected_candidate() -> None:
    layer = {"out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": "?"}
    spec = {"input": [8, 4, 4], "layers": [{"ConvTranspose2d": layer}], "target": [4, 8, 8]}
    assert solve(spec).solutions == [{"output_padding": 1}]
    layer["stride"] = "?"
    result = solve(spec)
    assert result.solutions == [{"stride": 2, "output_padding": 1}]
    assert result.rejected[0][0] == {"stride": 1, "output_padding": 4}
    assert "smaller than stride (1)" in result.rejected[0][1]


def test_channels() -> None:
    spec = {"input": [3, 8, 8], "layers": [{"Conv2d": {"out_channels": "?", "kernel_size": 3}}], "target": [12, 6, 6]}
    assert solve(spec).solutions == [{"out_channels": 12}]


def test_no_solution_says_so() -> None:
    spec = {"input": [3, 32, 32], "layers": [{"Conv2d": {"out_channels": 4, "kernel_size": 3, "stride": "?"}}]}
    spec["target"] = [4, 7, 7]
    result = solve(spec)
    assert result.solutions == [] and not result.beyond_range
    assert "No solution" in result.to_markdown() and "no integer" in result.explanation
    spec["target"] = [4, 1, 1]
    result = solve(spec)
    assert result.solutions == [] and result.beyond_range  # s >= 30
    assert main(["solve", str(EXAMPLES / "solve_kernel.yaml")]) == 0


def test_ceil_mode_falls_back_to_evaluation() -> None:
    spec = {
        "input": [3, 32, 32],
        "layers": [
            {"Conv2d": {"out_channels": 4, "kernel_size": 3, "stride": "?"}},
            {"MaxPool2d": {"kernel_size": 2, "ceil_mode": True}},
        ],
        "target": [4, 8, 8],
    }
    result = solve(spec)
    assert result.method == "enumerated" and result.solutions == [{"stride": 2}]
    assert "case split" in result.explanation


def test_repeat_of_a_strided_layer_is_iterated_and_of_a_block_is_derived() -> None:
    layer = {"Conv2d": {"out_channels": 4, "kernel_size": 3, "stride": 2}, "repeat": "?"}
    result = solve({"input": [3, 32, 32], "layers": [layer], "target": [4, 3, 3]})
    assert result.method == "iterated" and result.solutions == [{"repeat": 3}]
    block = {"Sequential": [{"Conv2d": {"out_channels": 8, "kernel_size": 3}}, "ReLU", "BatchNorm2d"], "repeat": "?"}
    result = solve(
        {"input": [3, 64, 64], "layers": [block, "Flatten"], "target": [8 * 4 * 4]} | {"range": {"repeat": [1, 40]}}
    )
    assert result.solutions == [{"repeat": 30}]
    result = solve({"input": [3, 64, 64], "layers": [block], "target": [8, 4, 4]})
    assert result.solutions == [{"repeat": 30}] and result.method == "derived"


def test_markdown_text_and_json_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    result = solve(EXAMPLES / "solve_stride_padding.yaml")
    markdown = result.to_markdown(base="../")
    assert "](../formulas/output-size.md#convolution)" in markdown
    assert "| `stride` | `padding` |" in markdown and "| 4 | 0 |" in markdown
    assert "$$" in markdown
    text = result.to_text()
    assert "$" not in text and "stride = 4, padding = 0" in text
    data = result.to_json()
    assert data["solutions"] == [{"stride": 4, "padding": 0}, {"stride": 4, "padding": 1}]
    assert data["ranges"] == {"stride": [1, 16], "padding": [0, 16]}
    assert (
        main(["solve", str(EXAMPLES / "solve_stride_padding.yaml"), "--range", "padding=0:30", "--format", "json"]) == 0
    )
    assert '"padding": 29' in capsys.readouterr().out


# ----------------------------------------------------------------------------------------------
# The derivation against brute force


def _meets(spec: dict[str, Any]) -> bool:
    try:
        rows = summarize(spec).rows
    except InvalidInputError:
        return False
    got = rows[-1].output_shape
    want = spec["target"]
    return len(got) == len(want) and all(w is None or w == g for w, g in zip(want, got, strict=True))


@st.composite
def problems(draw: st.DrawFn) -> tuple[dict[str, Any], str, tuple[int, int]]:
    ndim = draw(st.integers(1, 2))
    size = draw(st.integers(3, 30))
    kind = draw(st.sampled_from(["Conv", "MaxPool", "AvgPool", "ConvTranspose"]))
    args: dict[str, Any] = {"kernel_size": draw(st.integers(1, 5)), "stride": draw(st.integers(1, 4))}
    if kind in ("Conv", "ConvTranspose"):
        args["out_channels"] = 2
    args["padding"] = draw(st.integers(0, args["kernel_size"] // 2 if "Pool" in kind else 3))
    if kind != "AvgPool":
        args["dilation"] = draw(st.integers(1, 3))
    if "Pool" in kind and draw(st.integers(0, 3)) == 0:
        args["ceil_mode"] = True  # no derivation: evaluated over the range
    if kind == "ConvTranspose":
        args["output_padding"] = draw(st.integers(0, max(args["stride"], args["dilation"]) - 1))
    first = {f"{kind}{ndim}d": args}
    layers = [first]
    if draw(st.booleans()):
        layers.append({f"MaxPool{ndim}d": {"kernel_size": draw(st.integers(1, 3)), "stride": draw(st.integers(1, 3))}})
    if draw(st.booleans()):
        layers.append({f"Conv{ndim}d": {"out_channels": 3, "kernel_size": draw(st.integers(1, 3))}})
    spec: dict[str, Any] = {"input": [2, *([size] * ndim)], "layers": layers}
    unknown = draw(st.sampled_from([*sorted(set(args) - {"out_channels", "ceil_mode"}), "input", "repeat"]))
    low = 0 if unknown in ("padding", "output_padding") else 1
    limits = (low, low + 12) if unknown != "input" else (1, 40)
    truth = copy.deepcopy(spec)
    if unknown == "repeat":
        truth["layers"][0]["repeat"] = draw(st.integers(1, 4))
        spec["layers"][0]["repeat"] = "?"
    elif unknown == "input":
        spec["input"] = [2, *(["?"] * ndim)]
    else:
        args[unknown] = "?"
    summary = None
    with contextlib.suppress(InvalidInputError):
        summary = summarize(truth)
    assume(summary is not None)
    spec["target"] = list(summary.rows[-1].output_shape)
    spec["range"] = {unknown: list(limits)}
    return spec, unknown, limits


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(problems())
def test_solutions_are_exactly_the_values_brute_force_finds(
    problem: tuple[dict[str, Any], str, tuple[int, int]],
) -> None:
    spec, unknown, limits = problem
    result = solve(spec)
    brute = []
    for value in range(limits[0], limits[1] + 1):
        trial = copy.deepcopy(spec)
        if unknown == "repeat":
            trial["layers"][0]["repeat"] = value
        elif unknown == "input":
            trial["input"] = [2 if n == 0 else value for n, _ in enumerate(trial["input"])]
        else:
            (name,) = trial["layers"][0]
            trial["layers"][0][name][unknown] = value
        if _meets(trial):
            brute.append(value)
    assert [s[unknown] for s in result.solutions] == brute, (result.method, result.to_text())
