"""The NumPy references agree with naive pure-Python loops, finite differences and a worked example."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ref_naive import (
    conv_arrays,
    conv_cases,
    naive_conv,
    naive_conv_transpose,
    naive_pool,
    pool_cases,
    transpose_cases,
)

from solutions.errors import InvalidInputError
from solutions.reference.activations import relu, relu_grad
from solutions.reference.correlate import convolve, cross_correlate
from solutions.reference.counting import MacCounter
from solutions.reference.gradients import conv_input_grad, numerical_gradient
from solutions.reference.layers import AvgPool, BatchNorm, Conv, MaxPool, ReLU
from solutions.reference.pooling import adaptive_avg_pool, avg_pool, max_pool, pool_window_starts
from solutions.reference.receptive import receptive_field_extent, receptive_field_mask
from solutions.reference.transposed import conv_transpose

FEW = settings(max_examples=60, deadline=None)


# --- the worked example the site depends on -------------------------------------------------------

X_EXAMPLE = np.array([[[0.0, -1.0, 3.0], [2.0, 0.5, 1.0]]])
W_EXAMPLE = np.array([[[[0.0, 1.0], [1.0, 0.5]]]])


def test_worked_example_forward():
    counter = MacCounter()
    out = cross_correlate(X_EXAMPLE, W_EXAMPLE, counter=counter)
    np.testing.assert_array_equal(out, [[[1.25, 4.0]]])
    assert counter.macs == 2 * 4


def test_worked_example_input_gradient():
    grad = conv_input_grad((1, 2, 3), W_EXAMPLE, np.array([[[1.0, 1.0]]]))
    np.testing.assert_array_equal(grad, [[[0.0, 1.0, 1.0], [1.0, 1.5, 0.5]]])
    numeric = numerical_gradient(lambda z: cross_correlate(z, W_EXAMPLE).sum(), X_EXAMPLE)
    np.testing.assert_allclose(numeric, grad, atol=1e-8)


# --- convolution ------------------------------------------------------------------------------------


@FEW
@given(conv_cases())
def test_cross_correlate_matches_loops_and_counts_macs(case):
    x, w, b = conv_arrays(case)
    counter = MacCounter()
    got = cross_correlate(
        x,
        w,
        b,
        stride=case["stride"],
        padding=case["padding"],
        dilation=case["dilation"],
        groups=case["groups"],
        counter=counter,
    )
    want, macs = naive_conv(x, w, b, case["stride"], case["pads"], case["dilation"], case["groups"])
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert counter.macs == macs


@FEW
@given(conv_cases())
def test_convolve_is_correlation_with_flipped_kernel(case):
    x, w, b = conv_arrays(case)
    args = {k: case[k] for k in ("stride", "padding", "dilation")}
    flipped = w[(slice(None), slice(None), *([slice(None, None, -1)] * case["ndim"]))]
    want, _ = naive_conv(x, flipped, b, case["stride"], case["pads"], case["dilation"], case["groups"])
    np.testing.assert_allclose(convolve(x, w, b, groups=case["groups"], **args), want, atol=1e-12)


@pytest.mark.parametrize("mode", ["full", "valid"])
@pytest.mark.parametrize(("n", "k"), [(5, 3), (6, 2), (4, 4), (7, 1)])
def test_convolve_matches_numpy_convolve(mode, n, k):
    rng = np.random.default_rng(n * 10 + k)
    signal, kernel = rng.standard_normal(n), rng.standard_normal(k)
    got = convolve(signal[None], kernel[None, None], padding=mode)[0]
    np.testing.assert_allclose(got, np.convolve(signal, kernel, mode), atol=1e-12)


def test_convolve_same_odd_kernel_matches_numpy_and_even_kernel_keeps_last_entries():
    signal = np.array([1.0, 2.0, 3.0, 4.0])
    odd = np.array([1.0, 10.0, 100.0])
    np.testing.assert_allclose(
        convolve(signal[None], odd[None, None], padding="same")[0], np.convolve(signal, odd, "same")
    )
    even = np.array([1.0, 10.0])
    full = np.convolve(signal, even, "full")
    np.testing.assert_allclose(convolve(signal[None], even[None, None], padding="same")[0], full[1:])


def test_same_padding_puts_the_extra_zero_on_the_right():
    # Kernel [1, 10] over [1..6]: output i reads x[i] and x[i+1], the last one reading a padded zero.
    out = cross_correlate(np.arange(1.0, 7.0)[None], np.array([[[1.0, 10.0]]]), padding="same")
    np.testing.assert_array_equal(out, [[21.0, 32.0, 43.0, 54.0, 65.0, 6.0]])


def test_window_starts_keep_only_windows_ending_inside():
    # padded length 7, kernel extent 3, stride 2: starts 0, 2, 4 (4+2 = 6 is the last index); 6 would overhang
    out = cross_correlate(np.ones((1, 7)), np.ones((1, 1, 3)), stride=2)
    assert out.shape == (1, 3)


# --- transposed convolution -------------------------------------------------------------------------


@FEW
@given(transpose_cases())
def test_conv_transpose_matches_gather_loops_and_counts_macs(case):
    x, w, b, args = case
    counter = MacCounter()
    got = conv_transpose(x, w, b, counter=counter, **args)
    want, macs = naive_conv_transpose(x, w, b, **args)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert counter.macs == macs


def test_conv_transpose_is_adjoint_of_cross_correlate():
    # <conv(x), y> == <x, conv_transpose(y)> for the same weight, when output_padding restores x's size.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 7))  # width: (7 + 2 - 2) // 2 + 1 = 4 back to 6, + 1
    w = rng.standard_normal((3, 2, 3, 2))
    y_shape = cross_correlate(x, w, stride=2, padding=1).shape
    y = rng.standard_normal(y_shape)
    back = conv_transpose(y, w, stride=2, padding=1, output_padding=(0, 1))
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cross_correlate(x, w, stride=2, padding=1) * y), np.sum(x * back))


# --- pooling ------------------------------------------------------------------------------------------


@FEW
@given(pool_cases())
def test_max_pool_matches_pytorch_loop_logic(case):
    x, kernel, stride, padding, dilation, ceil_mode = case
    got = max_pool(x, kernel, stride, padding, dilation, ceil_mode)
    want = naive_pool(x, kernel, stride, padding, dilation, ceil_mode, "max")
    np.testing.assert_array_equal(got, want)


@FEW
@given(pool_cases(with_dilation=False), st.booleans())
def test_avg_pool_matches_pytorch_loop_logic(case, count_include_pad):
    x, kernel, stride, padding, _, ceil_mode = case
    if x.ndim == 4 and any(n < k for n, k in zip(x.shape[1:], kernel, strict=True)):
        with pytest.raises(InvalidInputError, match="kernel_size"):  # PyTorch's avg_pool3d rule
            avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad)
        return
    got = avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad)
    want = naive_pool(x, kernel, stride, padding, (1,) * len(kernel), ceil_mode, "avg", count_include_pad)
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_ceil_mode_drops_a_window_that_would_start_in_the_right_padding():
    # input 5, kernel 2, stride 2, padding 1: padded length 7; windows start at 0, 2, 4 and end at 5,
    # leaving padded index 6 uncovered, but a window at 6 would start in the right padding.
    assert pool_window_starts(5, 2, 2, 1, 1, ceil_mode=True) == [0, 2, 4]
    x = np.arange(1.0, 6.0)[None]
    np.testing.assert_array_equal(max_pool(x, 2, 2, 1, ceil_mode=True), [[1.0, 3.0, 5.0]])


def test_ceil_mode_keeps_a_partial_window_and_avg_divisor_ignores_its_overhang():
    # input 6, kernel 3, stride 2, padding 1: padded length 8, full windows at 0, 2, 4; a ceil window at 6
    # covers x[5], one padding zero and one position past the padded input.
    assert pool_window_starts(6, 3, 2, 1, 1, ceil_mode=True) == [0, 2, 4, 6]
    x = np.arange(1.0, 7.0)[None]
    np.testing.assert_allclose(avg_pool(x, 3, 2, 1, ceil_mode=True), [[1.0, 3.0, 5.0, 3.0]])
    np.testing.assert_allclose(avg_pool(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), [[1.5, 3.0, 5.0, 6.0]])


def test_ceil_mode_allows_a_kernel_longer_than_the_input_when_stride_allows():
    assert pool_window_starts(1, 4, 4, 0, 1, ceil_mode=True) == [0]
    assert pool_window_starts(1, 4, 2, 0, 1, ceil_mode=True) == []
    np.testing.assert_array_equal(avg_pool(np.full((1, 1), 3.0), 4, 4, ceil_mode=True), [[3.0]])


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda nd: st.tuples(
            st.lists(st.integers(1, 7), min_size=nd, max_size=nd),
            st.lists(st.integers(1, 9), min_size=nd, max_size=nd),
        )
    ),
    st.integers(0, 2**32 - 1),
)
def test_adaptive_avg_pool_matches_loops(sizes, seed):
    spatial, output = sizes
    x = np.random.default_rng(seed).standard_normal((2, *spatial))
    got = adaptive_avg_pool(x, tuple(output))
    assert got.shape == (2, *output)
    for c, pos in itertools.product(range(2), itertools.product(*(range(o) for o in output))):
        bounds = [
            (math.floor(i * n / o), math.ceil((i + 1) * n / o)) for i, n, o in zip(pos, spatial, output, strict=True)
        ]
        window = [x[(c, *idx)] for idx in itertools.product(*(range(a, b) for a, b in bounds))]
        assert got[(c, *pos)] == pytest.approx(sum(window) / len(window))


# --- activations and gradients -------------------------------------------------------------------------


def test_relu_and_its_gradient_at_zero():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu(x), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu_grad(x, np.array([5.0, 5.0, 5.0])), [0.0, 0.0, 5.0])


@settings(max_examples=25, deadline=None)
@given(conv_cases(max_ndim=2))
def test_conv_input_grad_matches_finite_differences(case):
    x, w, b = conv_arrays(case)
    args = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    out = cross_correlate(x, w, b, **args)
    upstream = np.random.default_rng(case["seed"] + 1).standard_normal(out.shape)
    analytic = conv_input_grad(x.shape, w, upstream, **args)
    numeric = numerical_gradient(lambda z: float(np.sum(cross_correlate(z, w, b, **args) * upstream)), x)
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)


def test_numerical_gradient_of_a_quadratic():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda z: float(np.sum(z**2)), x), 2 * x, atol=1e-8)


# --- receptive fields ------------------------------------------------------------------------------------


def test_receptive_field_of_stacked_3x3_convs_and_dilation_holes():
    mask = receptive_field_mask([Conv(1, 1, 3, ndim=1), Conv(1, 1, 3, ndim=1)], (1, 9), (2,))
    np.testing.assert_array_equal(np.flatnonzero(mask), [2, 3, 4, 5, 6])
    holes = receptive_field_mask([Conv(1, 1, 2, dilation=3, ndim=1)], (1, 9), (1,))
    np.testing.assert_array_equal(np.flatnonzero(holes), [1, 4])
    assert receptive_field_extent(holes) == ((4,), (1,))


def test_receptive_field_through_pooling_and_relu_with_padding():
    layers = [Conv(2, 3, 3, padding=1), ReLU(), MaxPool(2), Conv(3, 1, 3, padding=1), AvgPool(2)]
    mask = receptive_field_mask(layers, (2, 16, 16), (0, 1))
    # rows: avg-pool row 0 <- conv rows 0-1 <- pool rows 0-2 (-1 is padding) <- conv rows 0-5 <- input 0-6
    # columns: avg-pool column 1 <- conv 2-3 <- pool 1-4 <- conv 2-9 <- input 1-10 (the full size, 10)
    assert mask.shape == (16, 16)
    assert receptive_field_extent(mask) == ((7, 10), (0, 1))
    assert mask[:7, 1:11].all() and mask.sum() == 70


def test_batch_norm_without_running_statistics_mixes_every_position_of_a_channel():
    layers = [Conv(1, 1, 3, ndim=1), BatchNorm(1, track_running_stats=False)]
    assert receptive_field_mask(layers, (1, 9), (3,)).all()
    assert np.flatnonzero(receptive_field_mask([Conv(1, 1, 3, ndim=1), BatchNorm(1)], (1, 9), (3,))).tolist() == [
        3,
        4,
        5,
    ]
