"""Every public function of the formulas, the references and the error helpers, fed random and
adversarial arguments: the only acceptable outcomes are a result or an InvalidInputError naming the
argument, within a few seconds (a hang fails)."""

from __future__ import annotations

import inspect

import pytest
from fuzzing import EXAMPLES, call_safely, small_arrays, values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import solutions.errors as errors
import solutions.formulas as formulas
import solutions.reference as reference
from solutions.reference import layers

FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _public_functions(module):
    return [getattr(module, name) for name in module.__all__ if inspect.isfunction(getattr(module, name))]


def _parameters(function):
    return [
        p for p in inspect.signature(function).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


ARRAY_ARGUMENTS = {"x", "weight", "bias", "grad_output", "grad_out", "mask"}


@st.composite
def arguments(draw, function):
    kwargs = {}
    for parameter in _parameters(function):
        if parameter.default is not inspect.Parameter.empty and draw(st.booleans()):
            continue  # leave it at its default
        if parameter.name in ARRAY_ARGUMENTS:
            kwargs[parameter.name] = draw(small_arrays() | values)
        elif parameter.name in ("f", "layers"):
            kwargs[parameter.name] = draw(values)
        else:
            kwargs[parameter.name] = draw(values)
    return kwargs


FUNCTIONS = [
    *_public_functions(formulas),
    *_public_functions(reference),
    errors.check_int,
    errors.check_bool,
    errors.check_choice,
    errors.check_spatial,
]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f"{f.__module__}.{f.__name__}")
@FUZZ
@given(data=st.data())
def test_public_function_rejects_bad_input_cleanly(function, data):
    kwargs = data.draw(arguments(function), label="arguments")
    call_safely(function, **kwargs)


@pytest.mark.parametrize("formula", formulas.all_formulas(), ids=lambda f: f"{f.name}:{f.anchor}")
@FUZZ
@given(data=st.data())
def test_every_formula_object_rejects_bad_input_cleanly(formula, data):
    kwargs = {name: data.draw(values, label=name) for name in formula.arguments if data.draw(st.booleans())}
    call_safely(formula, **kwargs)


LAYERS = [layers.Linear, layers.Conv, layers.ConvTranspose, layers.BatchNorm, layers.MaxPool, layers.AvgPool]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda cls: cls.__name__)
@FUZZ
@given(data=st.data())
def test_reference_layers_reject_bad_construction_and_input(layer, data):
    kwargs = data.draw(arguments(layer.__init__), label="arguments")
    kwargs.pop("self", None)
    built = call_safely(layer, **kwargs)
    if isinstance(built, layers.Layer):
        call_safely(built.forward, data.draw(small_arrays(), label="x"))
