"""Bad input gets one clear message naming the layer, the argument, the value and what is allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from solutions.calculator import solve, summarize
from solutions.cli import main
from solutions.errors import InvalidInputError

ROOT = Path(__file__).parents[2]


def net(*layers: Any, shape: list[Any] | None = None) -> dict[str, Any]:
    return {"input": shape or [3, 8, 8], "layers": list(layers)}


CASES = [
    # (spec, fragments the message must contain)
    (net({"Conv2D": {"out_channels": 4, "kernel_size": 3}}), ["layer 1 (Conv2D)", "type='Conv2D'", "'Conv2d'?"]),
    (net({"Convolution2d": {}}), ["layer 1 (Convolution2d)", "torch.nn class"]),
    (
        net("ReLU", {"Conv2d": {"out_channels": 4, "kernel_sise": 3}}),
        ["layer 2 (Conv2d)", "kernel_sise=3", "'kernel_size'?"],
    ),
    (net({"Conv2d": {"out_channels": 4}}), ["layer 1 (Conv2d)", "kernel_size=None", "must be given"]),
    (net({"Conv2d": {"out_channels": 0, "kernel_size": 3}}), ["layer 1 (Conv2d)", "out_channels=0", "integer >= 1"]),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": 2.5}}), ["kernel_size=2.5", "integer >= 1"]),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": "3"}}), ["kernel_size='3'", "integer >= 1"]),
    (net({"Conv2d": {"out_channels": True, "kernel_size": 3}}), ["out_channels=True", "integer >= 1"]),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": [3, True]}}), ["kernel_size=[3, True]", "2 integers >= 1"]),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": [3, 3, 3]}}), ["kernel_size=[3, 3, 3]", "tuple of 2"]),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": 3, "bias": 1}}), ["bias=1", "True or False"]),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": 3, "padding": -1}}), ["padding=-1", ">= 0"]),
    (
        net({"Conv2d": {"out_channels": 4, "kernel_size": 9}}),
        ["layer 1 (Conv2d)", "kernel_size=9", "padded input size 8"],
    ),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": 3, "dilation": 4}}), ["kernel_size=3", "once dilated"]),
    (net({"MaxPool2d": {"kernel_size": 2, "padding": 2}}), ["layer 1 (MaxPool2d)", "padding=2", "half the kernel"]),
    (net({"AvgPool3d": {"kernel_size": 3}}, shape=[1, 2, 8, 8]), ["layer 1 (AvgPool3d)", "input size (2, 8, 8)"]),
    (
        net({"ConvTranspose2d": {"out_channels": 4, "kernel_size": 3, "stride": 2, "output_padding": 2}}),
        ["layer 1 (ConvTranspose2d)", "output_padding=2", "smaller than stride (2) or dilation (1)"],
    ),
    (
        net({"ConvTranspose2d": {"out_channels": 4, "kernel_size": 3, "padding": "same"}}),
        ["layer 1 (ConvTranspose2d)", "padding='same'"],
    ),
    (
        net({"Conv2d": {"out_channels": 4, "kernel_size": 3, "stride": 2, "padding": "same"}}),
        ["layer 1 (Conv2d)", "padding='same'", "stride > 1"],
    ),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": 3, "padding": "full"}}), ["padding='full'", "'same', 'valid'"]),
    (
        net({"Conv2d": {"out_channels": 4, "kernel_size": 3, "groups": 2}}),
        ["layer 1 (Conv2d)", "groups=2", "in_channels=3"],
    ),
    (net({"Conv2d": {"out_channels": 5, "kernel_size": 3, "groups": 3}}), ["groups=3", "out_channels=5"]),
    (net({"Conv2d": {"in_channels": 4, "out_channels": 4, "kernel_size": 3}}), ["in_channels=4", "must be 3"]),
    (net({"BatchNorm2d": {"num_features": 5}}), ["layer 1 (BatchNorm2d)", "num_features=5", "must be 3"]),
    (net("Flatten", {"Linear": {"in_features": 10, "out_features": 2}}), ["layer 2 (Linear)", "in_features=10", "192"]),
    (net({"Linear": {"out_features": 2}}), ["layer 1 (Linear)", "Flatten"]),
    (net({"Conv1d": {"out_channels": 2, "kernel_size": 3}}), ["layer 1 (Conv1d)", "input shape=(3, 8, 8)", "(C, L)"]),
    (net({"MaxPool2d": {"kernel_size": 2, "return_indices": True}}), ["return_indices=True", "(output, indices)"]),
    (net({"Dropout": {"p": 1.5}}), ["layer 1 (Dropout)", "p=1.5", "from 0 to 1"]),
    (net({"Softmax": {"dim": 5}}), ["layer 1 (Softmax)", "dim=5"]),
    (net({"Flatten": {"start_dim": 0}}), ["layer 1 (Flatten)", "start_dim=0"]),
    (net({"AdaptiveAvgPool1d": {"output_size": [None]}}, shape=[2, 5]), ["output_size=[None]"]),
    (
        net({"Conv2d": {"out_channels": 4, "kernel_size": 3}, "ReLU": None}),
        ["layer 1", "one torch.nn class per list item"],
    ),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": 3}, "repeat": 0}), ["layer 1 (Conv2d)", "repeat=0"]),
    (net({"Conv2d": {"out_channels": 4, "kernel_size": 3}, "repeat": True}), ["repeat=True"]),
    (net({"Conv2d": [4, 3]}), ["layer 1 (Conv2d)", "arguments=[4, 3]", "mapping of keyword arguments"]),
    (net({"Sequential": []}), ["layer 1 (Sequential)", "non-empty list"]),
    (
        net({"Conv2d": {"out_channels": 4, "kernel_size": 3}, "repeat": 3}, {"MaxPool2d": {"kernel_size": 3}}),
        ["layer 4 (MaxPool2d)", "kernel_size=3"],
    ),
    ({"input": [3, 8, 8]}, ["layers=None", "given"]),
    ({"input": [3, 0, 8], "layers": ["ReLU"]}, ["input=[3, 0, 8]", "integers >= 1"]),
    ({"input": [3, 8, 8], "layers": []}, ["layers=[]", "non-empty"]),
    ({"inputs": [3, 8], "layers": ["ReLU"]}, ["inputs=", "'input'?"]),
    ({"input": [3, 8, 8], "layers": ["ReLU"], "target": [3, 0]}, ["target=[3, 0]"]),
]


@pytest.mark.parametrize(("spec", "fragments"), CASES)
def test_bad_spec_is_refused_with_a_clear_message(spec: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(InvalidInputError) as info:
        summarize(spec)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "\n" not in message


def test_repeated_layer_error_names_the_repetition_row() -> None:
    spec = net({"Conv2d": {"out_channels": 4, "kernel_size": 3}, "repeat": 5})
    with pytest.raises(InvalidInputError, match=r"^layer 4 \(Conv2d\): kernel_size=3"):
        summarize(spec)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("input: [3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 8, kernel_size: 3\n  - ReLU\n")
    with pytest.raises(InvalidInputError) as info:
        summarize(path)
    assert f"{path}:" in str(info.value) and "opened at line 3" in str(info.value)
    path.write_text('{"input": [3, 8], "layers": [}')
    json_path = tmp_path / "broken.json"
    json_path.write_text('{"input": [3, 8], "layers": [}')
    with pytest.raises(InvalidInputError, match="valid JSON"):
        summarize(json_path)


def test_unquoted_question_mark_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("input: [3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 8, kernel_size: ?}\ntarget: [8, 6, 6]\n")
    with pytest.raises(InvalidInputError, match="in quotes"):
        solve(path)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        (net({"Conv2d": {"out_channels": 4, "kernel_size": 3}}), 'an unknown to solve for, written "?"'),
        ({**net({"Conv2d": {"out_channels": 4, "kernel_size": "?"}})}, "target=None"),
        (net({"Conv2d": {"out_channels": 4, "kernel_size": "?", "groups": "?"}}), "groups='?'"),
        (
            {**net({"Conv2d": {"out_channels": "?", "kernel_size": "?", "stride": "?"}}), "target": [4, 3, 3]},
            "at most two unknowns",
        ),
        (
            {
                **net({"Conv2d": {"out_channels": 4, "kernel_size": "?"}}),
                "target": [4, 3, 3],
                "range": {"stride": [1, 2]},
            },
            "range.stride",
        ),
        (
            {
                **net({"Conv2d": {"out_channels": 4, "kernel_size": "?"}}),
                "target": [4, 3, 3],
                "range": {"kernel_size": [3, 1]},
            },
            "range.kernel_size",
        ),
    ],
)
def test_bad_solve_spec(spec: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        solve(spec)
    assert fragment in str(info.value)


def test_summarize_refuses_unknowns() -> None:
    with pytest.raises(InvalidInputError, match="use `solve`"):
        summarize(net({"Conv2d": {"out_channels": 4, "kernel_size": "?"}}))


def test_cli_reports_one_line_and_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("input: [3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, kernel_size: 3, groups: 2}\n")
    assert main(["summarize", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: layer 1 (Conv2d): groups=2") and err.count("\n") == 1
    assert main(["summarize", str(tmp_path / "missing.yaml")]) == 2
    assert "readable" in capsys.readouterr().err
    assert main(["solve", str(path)]) == 2


def test_no_traceback_from_the_real_command(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("input: [3, 8, 8]\nlayers:\n  - Conv2D: {out_channels: 4, kernel_size: 3}\n")
    done = subprocess.run(
        [sys.executable, "-m", "solutions", "summarize", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "did you mean 'Conv2d'?" in done.stderr
