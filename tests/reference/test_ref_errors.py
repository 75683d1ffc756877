"""Bad arguments to the references raise InvalidInputError naming the argument, never a raw error."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solutions.errors import InvalidInputError
from solutions.reference.activations import relu, relu_grad
from solutions.reference.correlate import convolve, cross_correlate
from solutions.reference.counting import MacCounter
from solutions.reference.gradients import conv_input_grad, numerical_gradient
from solutions.reference.layers import (
    AvgPool,
    BatchNorm,
    Conv,
    ConvTranspose,
    Linear,
    MaxPool,
    ReLU,
    Sequential,
)
from solutions.reference.pooling import adaptive_avg_pool, avg_pool, max_pool, pool_window_starts
from solutions.reference.receptive import receptive_field_extent, receptive_field_mask
from solutions.reference.transposed import conv_transpose

X = np.ones((2, 5, 5))
W = np.ones((4, 2, 3, 3))
WT = np.ones((2, 3, 3, 3))

CASES = {
    # cross_correlate / convolve
    "x not an array": (lambda: cross_correlate("abc", W), "x"),
    "x without spatial axis": (lambda: cross_correlate(np.ones(3), W), "x"),
    "x with zero-length axis": (lambda: cross_correlate(np.ones((2, 0, 5)), W), "x"),
    "x ragged": (lambda: cross_correlate([[1, 2], [3]], W), "x"),
    "x complex": (lambda: cross_correlate(X + 1j, W), "x"),
    "weight wrong ndim": (lambda: cross_correlate(X, np.ones((4, 2, 3))), "weight"),
    "weight wrong in-channels": (lambda: cross_correlate(X, np.ones((4, 3, 3, 3))), "weight"),
    "kernel larger than padded input": (
        lambda: cross_correlate(X, np.ones((4, 2, 7, 3)), padding=0),
        "weight",
    ),
    "dilated kernel larger than input": (lambda: cross_correlate(X, W, dilation=3), "weight"),
    "stride zero": (lambda: cross_correlate(X, W, stride=0), "stride"),
    "stride bool": (lambda: cross_correlate(X, W, stride=True), "stride"),
    "stride float": (lambda: cross_correlate(X, W, stride=1.0), "stride"),
    "stride wrong tuple length": (lambda: cross_correlate(X, W, stride=(1, 1, 1)), "stride"),
    "padding negative": (lambda: cross_correlate(X, W, padding=-1), "padding"),
    "padding unknown string": (lambda: cross_correlate(X, W, padding="half"), "padding"),
    "padding same with stride": (lambda: cross_correlate(X, W, stride=2, padding="same"), "padding"),
    "dilation zero": (lambda: convolve(X, W, dilation=0), "dilation"),
    "groups not dividing in": (
        lambda: cross_correlate(np.ones((3, 5, 5)), np.ones((3, 1, 3, 3)), groups=2),
        "groups",
    ),
    "groups not dividing out": (lambda: cross_correlate(X, np.ones((3, 1, 3, 3)), groups=2), "groups"),
    "groups zero": (lambda: cross_correlate(X, W, groups=0), "groups"),
    "bias wrong length": (lambda: cross_correlate(X, W, np.ones(3)), "bias"),
    "counter wrong type": (lambda: cross_correlate(X, W, counter=0), "counter"),
    "counter negative add": (lambda: MacCounter().add(-1), "n"),
    # conv_transpose
    "transpose weight in-channels": (lambda: conv_transpose(X, np.ones((3, 3, 3, 3))), "weight"),
    "transpose output_padding too big": (
        lambda: conv_transpose(X, WT, stride=2, output_padding=2),
        "output_padding",
    ),
    "transpose output_padding vs dilation": (
        lambda: conv_transpose(X, WT, output_padding=1),
        "output_padding",
    ),
    "transpose padding eats output": (lambda: conv_transpose(X, WT, padding=4), "padding"),
    "transpose groups": (lambda: conv_transpose(X, WT, groups=3), "groups"),
    "transpose string padding": (lambda: conv_transpose(X, WT, padding="same"), "padding"),
    # pooling
    "pool kernel zero": (lambda: max_pool(X, 0), "kernel_size"),
    "window starts negative padding": (lambda: pool_window_starts(5, 2, 2, -1, 1, False), "padding"),
    "pool padding over half kernel": (lambda: max_pool(X, 2, padding=2), "padding"),
    "avg pool padding over half kernel": (lambda: avg_pool(X, 3, padding=2), "padding"),
    "pool kernel larger than input": (lambda: max_pool(X, 7), "kernel_size"),
    "pool ceil_mode not bool": (lambda: max_pool(X, 2, ceil_mode=1), "ceil_mode"),
    "avg count_include_pad not bool": (lambda: avg_pool(X, 2, count_include_pad="yes"), "count_include_pad"),
    "avg pool 3d kernel beyond input": (
        lambda: avg_pool(np.ones((1, 3, 1, 3)), (1, 2, 1), 1, (0, 1, 0)),
        "kernel_size",
    ),
    "pool stride tuple length": (lambda: avg_pool(X, 2, stride=(1,)), "stride"),
    "adaptive output zero": (lambda: adaptive_avg_pool(X, 0), "output_size"),
    "adaptive output tuple length": (lambda: adaptive_avg_pool(X, (2, 2, 2)), "output_size"),
    "adaptive 1d None": (lambda: adaptive_avg_pool(np.ones((1, 4)), (None,)), "output_size"),
    # activations and gradients
    "relu string": (lambda: relu("x"), "x"),
    "relu_grad shapes": (lambda: relu_grad(np.ones(3), np.ones(4)), "grad_out"),
    "input_grad shape type": (lambda: conv_input_grad("2x5x5", W, np.ones((4, 3, 3))), "input_shape"),
    "input_grad shape zero": (lambda: conv_input_grad((2, 0, 5), W, np.ones((4, 3, 3))), "input_shape"),
    "input_grad grad_output shape": (
        lambda: conv_input_grad((2, 5, 5), W, np.ones((4, 2, 3))),
        "grad_output",
    ),
    "input_grad groups": (lambda: conv_input_grad((2, 5, 5), W, np.ones((4, 3, 3)), groups=3), "groups"),
    "numerical f not callable": (lambda: numerical_gradient(3, np.ones(2)), "f"),
    "numerical f not scalar": (lambda: numerical_gradient(lambda z: z, np.ones(2)), "f"),
    "numerical eps zero": (lambda: numerical_gradient(np.sum, np.ones(2), eps=0), "eps"),
    # layers
    "linear in_features zero": (lambda: Linear(0, 3), "in_features"),
    "linear bias not bool": (lambda: Linear(2, 3, bias=1), "bias"),
    "linear seed negative": (lambda: Linear(2, 3, seed=-1), "seed"),
    "linear fill string": (lambda: Linear(2, 3, fill="one"), "fill"),
    "linear input width": (lambda: Linear(2, 3)(np.ones(4)), "x"),
    "conv ndim 4": (lambda: Conv(1, 1, 3, ndim=4), "ndim"),
    "conv groups": (lambda: Conv(4, 6, 3, groups=4), "groups"),
    "conv kernel tuple length": (lambda: Conv(1, 1, (3, 3, 3)), "kernel_size"),
    "conv same with stride": (lambda: Conv(1, 1, 3, stride=2, padding="same"), "padding"),
    "conv input channels": (lambda: Conv(3, 1, 3)(X), "x"),
    "conv input spatial axes": (lambda: Conv(2, 1, 3, ndim=3)(X), "x"),
    "conv input too small": (lambda: Conv(2, 1, 7)(X), "weight"),
    "conv_t output_padding": (lambda: ConvTranspose(1, 1, 3, stride=2, output_padding=2), "output_padding"),
    "batchnorm features": (lambda: BatchNorm(0), "num_features"),
    "batchnorm eps": (lambda: BatchNorm(2, eps=0.0), "eps"),
    "batchnorm input channels": (lambda: BatchNorm(3)(X), "x"),
    "batchnorm batch statistics of one value": (
        lambda: BatchNorm(2, track_running_stats=False)(np.ones((2, 1, 1))),
        "x",
    ),
    "maxpool kernel": (lambda: MaxPool(-1), "kernel_size"),
    "avgpool count_include_pad": (lambda: AvgPool(2, count_include_pad=None), "count_include_pad"),
    "relu layer counter": (lambda: ReLU()(X, counter="c"), "counter"),
    "sequential non-layer": (lambda: Sequential(ReLU(), max), "layers[1]"),
    # receptive fields
    "receptive unsupported layer": (
        lambda: receptive_field_mask([Linear(2, 2)], (2, 5, 5), (0,)),
        "layers[0]",
    ),
    "receptive layers not a list": (lambda: receptive_field_mask(ReLU(), (2, 5, 5), (0, 0)), "layers"),
    "receptive input_shape": (lambda: receptive_field_mask([ReLU()], (5,), (0,)), "input_shape"),
    "receptive index out of range": (
        lambda: receptive_field_mask([MaxPool(2)], (1, 4, 4), (2, 0)),
        "output_index",
    ),
    "receptive index length": (lambda: receptive_field_mask([MaxPool(2)], (1, 4, 4), (0,)), "output_index"),
    "receptive index negative": (
        lambda: receptive_field_mask([MaxPool(2)], (1, 4, 4), (-1, 0)),
        "output_index",
    ),
    "receptive stack does not fit": (
        lambda: receptive_field_mask([Conv(1, 1, 5)], (1, 3, 3), (0, 0)),
        "weight",
    ),
    "extent of empty mask": (lambda: receptive_field_extent(np.zeros((3, 3), dtype=bool)), "mask"),
    "extent of non-bool mask": (lambda: receptive_field_extent(np.ones((3, 3))), "mask"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_raises_invalid_input_error_naming_the_argument(name):
    call, argument = CASES[name]
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.argument == argument
    assert f"{argument}=" in str(info.value)
    assert "must be" in str(info.value)


def test_receptive_field_errors_say_which_layer():
    with pytest.raises(InvalidInputError, match=r"^layers\[1\]: "):
        receptive_field_mask([ReLU(), Conv(1, 1, 5)], (1, 3, 3), (0, 0))


spatial_value = st.one_of(
    st.integers(-3, 4),
    st.booleans(),
    st.floats(-2, 4),
    st.none(),
    st.text(max_size=3),
    st.lists(st.integers(-1, 4), max_size=4).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(
    stride=spatial_value,
    padding=st.one_of(spatial_value, st.sampled_from(["same", "valid", "full"])),
    dilation=spatial_value,
    groups=spatial_value,
    shape=st.tuples(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6)),
    kernel=st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 4), st.integers(1, 4)),
)
def test_arbitrary_arguments_give_a_result_or_invalid_input_error(stride, padding, dilation, groups, shape, kernel):
    x, w = np.ones(shape), np.ones(kernel)
    for call in (
        lambda: cross_correlate(x, w, stride=stride, padding=padding, dilation=dilation, groups=groups),
        lambda: conv_input_grad(shape, w, np.ones((2, 2, 2)), stride=stride, padding=padding, dilation=dilation),
        lambda: conv_transpose(x, w, stride=stride, padding=padding, dilation=dilation, groups=groups),
        lambda: max_pool(x, kernel[2:], stride=stride, padding=padding, dilation=dilation),
        lambda: avg_pool(x, kernel[2:], stride=stride, padding=padding, ceil_mode=True),
    ):
        with contextlib.suppress(InvalidInputError):
            call()
