"""The calculator and the command line, fed random and adversarial specs and arguments: a result,
or a clear error (InvalidInputError in Python; one ``error:`` line and a non-zero status on the
command line), never a traceback and never a hang."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

import pytest
import yaml
from fuzzing import EXAMPLES, call_safely, time_limit, values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solutions.calculator import load_spec, solve, summarize
from solutions.cli import main

FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LAYER_TYPES = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose2d",
    "MaxPool2d",
    "AvgPool1d",
    "AdaptiveAvgPool2d",
    "BatchNorm2d",
    "Linear",
    "Flatten",
    "ReLU",
    "Dropout",
    "Identity",
    "Conv4d",
    "",
    "conv2d",
]
ARGUMENTS = [
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "ceil_mode",
    "output_padding",
    "out_features",
    "output_size",
    "repeat",
    "target",
    "range",
    "typo",
]

layer_entries = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            t: st.dictionaries(st.sampled_from(ARGUMENTS), values | st.just("?"), max_size=4) for t in LAYER_TYPES
        },
    ),
    st.sampled_from(LAYER_TYPES),
    values,
)
specs = st.one_of(
    st.fixed_dictionaries(
        {"input": st.lists(st.integers(-1, 40), max_size=5) | values},
        optional={"layers": st.lists(layer_entries, max_size=5) | values, "target": values, "range": values},
    ),
    values,
)


@FUZZ
@given(specs)
def test_summarize_and_solve_reject_bad_specs_cleanly(spec):
    call_safely(summarize, spec)
    call_safely(solve, spec)
    call_safely(load_spec, spec)


@FUZZ
@given(
    text=st.text(max_size=80) | st.sampled_from(["input: [3, 8, 8]\nlayers: [", "{", "- - -", "input: !!python/none"])
)
def test_yaml_text_that_does_not_parse_is_an_error_with_a_line(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    call_safely(summarize, path)


argv = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "summarize",
                "solve",
                "check",
                "render",
                "new",
                "new-set",
                "--format",
                "json",
                "markdown",
                "csv",
                "table",
                "--range",
                "stride=1:4",
                "-",
                "--help",
                "x/y",
                "/nonexistent",
                "solutions/calculator/examples/alexnet.yaml",
            ]
        ),
        st.text(max_size=6),
    ),
    max_size=4,
)


@FUZZ
@given(argv)
def test_command_line_answers_with_a_status_not_a_traceback(arguments):
    if any(a in ("new", "new-set", "render") for a in arguments):
        arguments = ["--help"]  # these write files; their refusals are tested in tests/contrib
    stdout, stderr = io.StringIO(), io.StringIO()
    with time_limit(30), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = main(arguments)
        except SystemExit as exit:  # argparse's own usage errors and --help
            status = exit.code
    assert status in (0, 1, 2), status
    assert "Traceback" not in stderr.getvalue()


@pytest.mark.parametrize(
    "spec",
    [
        "not a spec",
        json.dumps({"input": [3, 8, 8], "layers": [{"Conv2d": {"out_channels": 4, "kernel_size": 20}}]}),
        yaml.safe_dump(
            {"input": [3, 8, 8], "layers": [{"Conv2d": {"out_channels": 4, "stride": 0, "kernel_size": 3}}]}
        ),
        "input: [3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 4, kernel_size: 3\n",
    ],
)
def test_the_command_line_process_prints_one_error_line(spec, tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(spec, encoding="utf-8")
    for command in ("summarize", "solve"):
        result = subprocess.run(
            [sys.executable, "-m", "solutions", command, str(path)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 2, result
        assert "Traceback" not in result.stderr and result.stderr.startswith("error:"), result.stderr
