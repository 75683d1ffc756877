"""summarize: rows, totals, output formats, receptive-field rules, and that every number is a formula's."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sympy as sp
import yaml

from solutions.calculator import LargestActivation, LayerRow, Summary, load_spec, summarize
from solutions.formulas._formula import Formula, FormulaCall, recording

EXAMPLES = Path(__file__).parents[2] / "solutions" / "calculator" / "examples"


def conv(out: int, k: int, **kwargs: object) -> dict:
    return {"Conv2d": {"out_channels": out, "kernel_size": k, **kwargs}}


def test_public_api_names() -> None:
    summary = summarize({"input": [3, 8, 8], "layers": [conv(4, 3)]})
    assert isinstance(summary, Summary)
    assert isinstance(summary.rows[0], LayerRow)
    row = summary.rows[0]
    assert (row.index, row.type, row.output_shape) == (1, "Conv2d", (4, 6, 6))
    assert (row.params, row.buffers, row.macs) == (3 * 4 * 9 + 4, 0, 36 * 4 * 3 * 9)
    assert (row.receptive_field, row.jump) == ((3, 3), (1, 1))
    assert summary.input_shape == (3, 8, 8)
    assert summary.largest_activation == LargestActivation(4 * 6 * 6, 1)
    elements, index = summary.largest_activation
    assert (elements, index) == (144, 1)


def test_alexnet_and_vgg16_totals_without_torch() -> None:
    alexnet = summarize(EXAMPLES / "alexnet.yaml")
    assert alexnet.total_params == 61_100_840
    assert alexnet.param_bytes == 4 * 61_100_840
    assert alexnet.total_macs == 714_188_480
    assert [row.receptive_field for row in alexnet.rows if row.type == "MaxPool2d"][-1] == (195, 195)
    vgg = summarize(str(EXAMPLES / "vgg16.yaml"))
    assert vgg.total_params == 138_357_544
    assert vgg.total_macs == 15_470_264_320
    assert [row.receptive_field for row in vgg.rows if row.type == "MaxPool2d"][-1] == (212, 212)
    assert vgg.largest_activation == (64 * 224 * 224, 1)
    assert len(vgg.rows) == 40


def test_repeat_and_sequential_give_one_row_per_layer() -> None:
    spec = {
        "input": [3, 20, 20],
        "layers": [
            {**conv(8, 3), "repeat": 3},
            {"Sequential": [conv(8, 3, padding=1), "ReLU"], "repeat": 2},
            "Flatten",
            {"Linear": {"out_features": 10}},
        ],
    }
    rows = summarize(spec).rows
    assert [row.type for row in rows] == ["Conv2d"] * 3 + ["Conv2d", "ReLU"] * 2 + ["Flatten", "Linear"]
    assert [row.index for row in rows] == list(range(1, 10))
    assert rows[0].params == 3 * 8 * 9 + 8 and rows[1].params == 8 * 8 * 9 + 8  # in_channels inferred each time
    assert rows[-2].output_shape == (8 * 14 * 14,)
    assert rows[-1].params == 8 * 14 * 14 * 10 + 10


def test_summary_accepts_dict_path_string_and_json(tmp_path: Path) -> None:
    spec = {"input": [1, 16], "layers": [{"Conv1d": {"out_channels": 2, "kernel_size": 3}}]}
    (tmp_path / "net.json").write_text(json.dumps(spec))
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(spec))
    expected = summarize(spec).to_json()
    assert summarize(tmp_path / "net.json").to_json() == expected
    assert summarize(str(tmp_path / "net.yaml")).to_json() == expected
    assert summarize(load_spec(spec)).to_json() == expected


def test_json_has_the_documented_keys_and_integers() -> None:
    data = summarize(EXAMPLES / "alexnet.yaml").to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["input_shape"] == [3, 224, 224]
    for key in ("total_params", "total_buffers", "total_macs", "param_bytes"):
        assert type(data[key]) is int
    first = data["layers"][0]
    assert set(first) == {"index", "type", "output_shape", "params", "buffers", "macs", "receptive_field", "jump"}
    assert first == {
        "index": 1,
        "type": "Conv2d",
        "output_shape": [64, 55, 55],
        "params": 23296,
        "buffers": 0,
        "macs": 70276800,
        "receptive_field": [11, 11],
        "jump": [4, 4],
    }
    assert data["layers"][-1]["receptive_field"] is None and data["layers"][-1]["jump"] is None
    assert data["largest_activation"]["elements"] == 64 * 55 * 55
    assert data["largest_activation"]["index"] == 1


def test_table_markdown_and_csv() -> None:
    summary = summarize(EXAMPLES / "vgg16.yaml")
    table = summary.to_table()
    assert "138,357,544" in table and "Largest activation" in table
    header = table.splitlines()[2]
    assert header.split() == ["#", "Layer", "Output", "shape", "Params", "Buffers", "MACs", "RF", "Jump"]
    markdown = summary.to_markdown()
    lines = markdown.splitlines()
    assert lines[0].startswith("| # | Layer |") and lines[1].startswith("|---:|")
    assert sum(line.startswith("| ") for line in lines) == 1 + len(summary.rows)
    assert "**Total parameters:** 138,357,544" in markdown
    rows = list(csv.reader(io.StringIO(summary.to_csv())))
    assert rows[0][:3] == ["index", "type", "output_shape"]
    assert rows[1][:6] == ["1", "Conv2d", "64x224x224", "1792", "0", "86704128"]
    assert rows[-1][1:4] == ["total", "", "138357544"]


def test_receptive_field_stops_at_upsampling_flatten_and_irregular_adaptive_pooling() -> None:
    spec = {
        "input": [1, 32, 32],
        "layers": [
            conv(4, 3, stride=2),
            {"AdaptiveAvgPool2d": {"output_size": [15, 5]}},  # 15 = 15 (identity); 15 -> 5 regular (3)
            {"AdaptiveAvgPool2d": {"output_size": [4, 5]}},  # 15 -> 4 irregular
            conv(4, 1),
        ],
    }
    rows = summarize(spec).rows
    assert rows[0].receptive_field == (3, 3) and rows[0].jump == (2, 2)
    assert rows[1].receptive_field == (3, 3 + 2 * 2 * 1) and rows[1].jump == (2, 6)
    assert rows[2].receptive_field is None and rows[3].receptive_field is None
    spec = {
        "input": [1, 16],
        "layers": [
            {"Conv1d": {"out_channels": 2, "kernel_size": 3}},
            {"ConvTranspose1d": {"out_channels": 2, "kernel_size": 2, "stride": 2}},
            {"Conv1d": {"out_channels": 2, "kernel_size": 3}},
        ],
    }
    assert [row.receptive_field for row in summarize(spec).rows] == [(3,), None, None]
    spec = {"input": [2, 6, 6], "layers": [{"Softmax": {"dim": 1}}, {"Softmax": {"dim": -1}}, conv(2, 3)]}
    assert [row.receptive_field for row in summarize(spec).rows] == [(1, 1), None, None]


def test_same_padding_start_uses_the_left_padding() -> None:
    rows = summarize(
        {"input": [1, 10], "layers": [{"Conv1d": {"out_channels": 1, "kernel_size": 4, "padding": "same"}}]}
    ).rows
    assert rows[0].output_shape == (1, 10) and rows[0].start == (-1,) and rows[0].receptive_field == (4,)


def test_every_number_comes_from_a_formula_call() -> None:
    """Record the formula calls summarize makes: each count in a row is the result of one of them."""
    calls: list[FormulaCall] = []
    with recording(calls):
        summary = summarize(EXAMPLES / "alexnet.yaml")
    results = {call.result for call in calls}
    for row in summary.rows:
        for value in (row.params, row.macs, row.buffers):
            assert value == 0 or value in results, row
        for value in (*row.output_shape[1:], *(row.receptive_field or ()), *(row.jump or ())):
            assert value in results or row.type in ("Flatten", "Linear", "AdaptiveAvgPool2d") or value == 1
    names = {call.formula.name for call in calls}
    assert {"conv_output_size", "pool_output_size", "conv_params", "conv_macs", "linear_params"} <= names
    assert {"linear_macs", "receptive_field"} <= names


def test_summarize_stays_on_the_compiled_integer_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SymPy expression is built while summarizing: every formula call takes integers."""
    evaluate = Formula._evaluate

    def integers_only(self: Formula, bound: dict) -> object:
        assert all(type(value) is int for value in bound.values()), (self.name, bound)
        return evaluate(self, bound)

    monkeypatch.setattr(Formula, "_evaluate", integers_only)
    monkeypatch.setattr(Formula, "evaluate_steps", lambda *a, **k: pytest.fail("steps evaluated"))
    summarize(EXAMPLES / "vgg16.yaml")
    summarize(EXAMPLES / "unet.yaml")


def test_depthwise_separable_example_matches_the_separable_formula() -> None:
    from solutions.formulas import depthwise_separable_ratio

    rows = summarize(EXAMPLES / "depthwise_separable.yaml").rows
    depthwise, pointwise = (row for row in rows if row.type == "Conv2d")
    c_in, c_out = 32, 64
    standard = 3 * 3 * c_in * c_out  # weights of the 3x3 convolution it replaces
    weights = depthwise.params + pointwise.params  # bias=False in both
    assert sp.Rational(weights, standard) == depthwise_separable_ratio(c_in, c_out, 3)


def test_memory_does_not_depend_on_the_input_size() -> None:
    """Nothing proportional to the activations is allocated: a 2048x2048 VGG-16 summarizes like a 224 one."""
    import tracemalloc

    spec = yaml.safe_load((EXAMPLES / "vgg16.yaml").read_text())
    peaks = []
    for size in (224, 2048):
        spec["input"] = [3, size, size]
        summarize(spec)  # warm caches
        tracemalloc.start()
        summarize(spec)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 2 * peaks[0] + 10_000
