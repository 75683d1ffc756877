"""Every general formula equals what the independent NumPy references actually do.

Hypothesis draws random layers (1 to 3 spatial dimensions, padding strings, dilation, groups,
ceil_mode, output_padding); the references find sizes by walking window positions, count
parameters by allocating arrays and count MACs by performing the products.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from solutions import reference as ref
from solutions.formulas import (
    batchnorm_buffers,
    batchnorm_params,
    conv_macs,
    conv_output_size,
    conv_params,
    conv_transpose_macs,
    conv_transpose_output_size,
    conv_transpose_params,
    depthwise_params,
    depthwise_separable_ratio,
    linear_macs,
    linear_params,
    pointwise_params,
    pool_output_size,
    spatial_separable_ratio,
)
from solutions.reference import layers

SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def conv_layers(draw, strings: bool = True):
    ndim = draw(st.integers(1, 3))
    per_dim = st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)
    kernel, dilation = draw(per_dim), draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    stride = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    padding = draw(
        st.sampled_from(["valid", "same", "full"])
        if strings and draw(st.booleans())
        else st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim)
    )
    if padding == "same":
        stride = [1] * ndim
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    pads = [0] * ndim if isinstance(padding, str) else padding
    size = [draw(st.integers(max(1, s - 2 * p), s + 6)) for s, p in zip(span, pads, strict=True)]
    groups = draw(st.sampled_from([1, 2, 3]))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 3))
    return dict(
        size=size,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        c_in=c_in,
        c_out=c_out,
        bias=draw(st.booleans()),
    )


def _tuple(values):
    return values if isinstance(values, str) else tuple(values)


@SETTINGS
@given(conv_layers())
def test_conv_output_size_and_macs_equal_a_real_cross_correlation(case):
    counter = ref.MacCounter()
    x = np.zeros((case["c_in"], *case["size"]))
    w = np.zeros((case["c_out"], case["c_in"] // case["groups"], *case["kernel"]))
    out = ref.cross_correlate(
        x,
        w,
        stride=_tuple(case["stride"]),
        padding=_tuple(case["padding"]),
        dilation=_tuple(case["dilation"]),
        groups=case["groups"],
        counter=counter,
    )
    size = conv_output_size(
        tuple(case["size"]),
        tuple(case["kernel"]),
        tuple(case["stride"]),
        _tuple(case["padding"]),
        tuple(case["dilation"]),
    )
    assert size == out.shape[1:]
    macs = conv_macs(size, case["c_in"], case["c_out"], tuple(case["kernel"]), case["groups"])
    assert macs == counter.macs


@SETTINGS
@given(conv_layers(strings=False))
def test_conv_params_equal_the_arrays_of_a_layer(case):
    ndim = len(case["size"])
    layer = layers.Conv(
        case["c_in"],
        case["c_out"],
        tuple(case["kernel"]),
        groups=case["groups"],
        bias=case["bias"],
        ndim=ndim,
        fill=0.0,
    )
    assert conv_params(case["c_in"], case["c_out"], tuple(case["kernel"]), case["groups"], case["bias"]) == (
        layer.num_parameters
    )
    transposed = layers.ConvTranspose(
        case["c_in"],
        case["c_out"],
        tuple(case["kernel"]),
        groups=case["groups"],
        bias=case["bias"],
        ndim=ndim,
        fill=0.0,
    )
    assert (
        conv_transpose_params(case["c_in"], case["c_out"], tuple(case["kernel"]), case["groups"], case["bias"])
        == transposed.num_parameters
    )


@st.composite
def transposed_layers(draw):
    ndim = draw(st.integers(1, 3))
    dims = []
    for _ in range(ndim):
        k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        a = draw(st.integers(0, max(s, d) - 1))
        i = draw(st.integers(1, 5))
        full = (i - 1) * s + d * (k - 1) + 1
        p = draw(st.integers(0, max(0, (full + a - 1) // 2)))
        assume(full - 2 * p + a >= 1)
        dims.append((i, k, s, p, a, d))
    groups = draw(st.sampled_from([1, 2]))
    return dims, groups, groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))


@SETTINGS
@given(transposed_layers())
def test_transposed_output_size_and_macs_equal_a_real_scatter_add(case):
    dims, groups, c_in, c_out = case
    i, k, s, p, a, d = (tuple(column) for column in zip(*dims, strict=True))
    counter = ref.MacCounter()
    out = ref.conv_transpose(
        np.zeros((c_in, *i)),
        np.zeros((c_in, c_out // groups, *k)),
        stride=s,
        padding=p,
        output_padding=a,
        dilation=d,
        groups=groups,
        counter=counter,
    )
    assert conv_transpose_output_size(i, k, s, p, a, d) == out.shape[1:]
    assert conv_transpose_macs(i, c_in, c_out, k, groups) == counter.macs


@st.composite
def pooling_layers(draw):
    ndim = draw(st.integers(1, 3))
    dims = []
    for _ in range(ndim):
        k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        p = draw(st.integers(0, k // 2))
        i = draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 12))
        dims.append((i, k, s, p, d))
    return dims, draw(st.booleans())


@SETTINGS
@given(pooling_layers())
def test_pool_output_size_equals_real_pooling(case):
    dims, ceil_mode = case
    i, k, s, p, d = (tuple(column) for column in zip(*dims, strict=True))
    out = ref.max_pool(np.zeros((1, *i)), k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
    assert pool_output_size(i, k, s, p, d, ceil_mode) == out.shape[1:]
    # PyTorch's avg_pool3d (mirrored by the reference) refuses inputs smaller than the kernel.
    if all(dd == 1 for dd in d) and (len(i) < 3 or all(ii >= kk for ii, kk in zip(i, k, strict=True))):
        avg = ref.avg_pool(np.zeros((1, *i)), k, stride=s, padding=p, ceil_mode=ceil_mode)
        assert pool_output_size(i, k, s, p, 1, ceil_mode) == avg.shape[1:]


def test_ceil_mode_drops_a_window_that_would_start_in_the_right_padding():
    # Rounding up would give a 4th window starting at padded position 6 >= i + p = 6: PyTorch drops it.
    assert pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True) == 3
    assert ref.max_pool(np.zeros((1, 5)), 2, stride=2, padding=1, ceil_mode=True).shape == (1, 3)
    # Here the extra window starts inside the input and is kept.
    assert pool_output_size(6, 3, stride=2, ceil_mode=True) == 3
    assert pool_output_size(6, 3, stride=2, ceil_mode=False) == 2


@SETTINGS
@given(st.integers(1, 300), st.integers(1, 300), st.booleans())
def test_linear_params_and_macs_equal_a_real_layer(n_in, n_out, bias):
    layer = layers.Linear(n_in, n_out, bias=bias, fill=0.0)
    counter = ref.MacCounter()
    layer(np.zeros(n_in), counter)
    assert linear_params(n_in, n_out, bias) == layer.num_parameters
    assert linear_macs(n_in, n_out) == counter.macs


@SETTINGS
@given(st.integers(1, 8), st.integers(1, 3), st.integers(1, 5), st.integers(1, 3), st.booleans())
def test_depthwise_pointwise_and_batchnorm_counts_equal_real_layers(channels, multiplier, kernel, ndim, bias):
    depthwise = layers.Conv(channels, channels * multiplier, kernel, groups=channels, bias=bias, ndim=ndim, fill=0.0)
    assert depthwise_params(channels, kernel, multiplier, bias, ndim=ndim) == depthwise.num_parameters
    pointwise = layers.Conv(channels, multiplier, 1, bias=bias, fill=0.0)
    assert pointwise_params(channels, multiplier, bias) == pointwise.num_parameters
    norm = layers.BatchNorm(channels)
    assert batchnorm_params(channels) == norm.num_parameters
    assert batchnorm_buffers(channels) == norm.num_buffers


@SETTINGS
@given(st.integers(1, 9))
def test_spatial_separable_ratio_equals_the_ratio_of_real_kernels(k):
    full = layers.Conv(1, 1, k, bias=False, fill=0.0).num_parameters
    column = layers.Conv(1, 1, (k, 1), bias=False, fill=0.0).num_parameters
    row = layers.Conv(1, 1, (1, k), bias=False, fill=0.0).num_parameters
    assert spatial_separable_ratio(k) == sp.Rational(column + row, full)


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 6), st.sampled_from([1, 3, 5]), st.integers(5, 9))
def test_depthwise_separable_ratio_equals_weights_and_macs_of_real_layers(c_in, c_out, k, side):
    standard = layers.Conv(c_in, c_out, k, padding=k // 2, bias=False, fill=0.0)
    depthwise = layers.Conv(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False, fill=0.0)
    pointwise = layers.Conv(c_in, c_out, 1, bias=False, fill=0.0)
    ratio = depthwise_separable_ratio(c_in, c_out, k)
    assert ratio * standard.num_parameters == depthwise.num_parameters + pointwise.num_parameters
    x = np.zeros((c_in, side, side))
    full_count, split_count = ref.MacCounter(), ref.MacCounter()
    standard(x, full_count)
    pointwise(depthwise(x, split_count), split_count)
    assert ratio * full_count.macs == split_count.macs


def test_same_padding_puts_the_extra_zero_on_the_right():
    from solutions.formulas import padding_for_mode

    assert padding_for_mode("same", (4, 3, 2), (1, 1, 3)) == ((1, 2), (1, 1), (1, 2))
    assert conv_output_size(7, 4, padding="same") == 7
    assert math.prod(conv_output_size((5, 6), (2, 3), padding="full")) == (5 + 1) * (6 + 2)
