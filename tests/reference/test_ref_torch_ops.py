"""The NumPy references agree with PyTorch's functional ops and autograd on random configurations."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="cross-checks against PyTorch; install with: pip install torch==2.13.0")

import numpy as np  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from ref_naive import conv_arrays, conv_cases, pool_cases, transpose_cases  # noqa: E402

from solutions.errors import InvalidInputError  # noqa: E402
from solutions.reference.activations import relu_grad  # noqa: E402
from solutions.reference.correlate import convolve, cross_correlate  # noqa: E402
from solutions.reference.gradients import conv_input_grad  # noqa: E402
from solutions.reference.pooling import adaptive_avg_pool, avg_pool, max_pool  # noqa: E402
from solutions.reference.transposed import conv_transpose  # noqa: E402

pytestmark = pytest.mark.torch
MANY = settings(max_examples=100, deadline=None)

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
ADAPTIVE = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}


def t(array):
    return None if array is None else torch.from_numpy(np.ascontiguousarray(array))


def torch_padding(case):
    """PyTorch has no 'full'; give it the explicit amounts."""
    if case["padding"] == "full":
        return tuple(left for left, _ in case["pads"])
    return case["padding"]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@MANY
@given(conv_cases())
def test_cross_correlate_matches_torch_conv(case):
    x, w, b = conv_arrays(case)
    got = cross_correlate(
        x,
        w,
        b,
        stride=case["stride"],
        padding=case["padding"],
        dilation=case["dilation"],
        groups=case["groups"],
    )
    want = CONV[case["ndim"]](
        t(x)[None],
        t(w),
        t(b),
        stride=case["stride"],
        padding=torch_padding(case),
        dilation=case["dilation"],
        groups=case["groups"],
    )[0].numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-10)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=20, deadline=None)
@given(conv_cases())
def test_convolve_matches_torch_conv_with_flipped_weight(case):
    x, w, b = conv_arrays(case)
    got = convolve(
        x,
        w,
        b,
        stride=case["stride"],
        padding=case["padding"],
        dilation=case["dilation"],
        groups=case["groups"],
    )
    flipped = torch.flip(t(w), dims=tuple(range(2, w.ndim)))
    want = CONV[case["ndim"]](
        t(x)[None],
        flipped,
        t(b),
        stride=case["stride"],
        padding=torch_padding(case),
        dilation=case["dilation"],
        groups=case["groups"],
    )[0].numpy()
    np.testing.assert_allclose(got, want, atol=1e-10)


@MANY
@given(transpose_cases())
def test_conv_transpose_matches_torch(case):
    x, w, b, args = case
    got = conv_transpose(x, w, b, **args)
    want = CONV_T[x.ndim - 1](t(x)[None], t(w), t(b), **args)[0].numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-10)


@MANY
@given(pool_cases())
def test_max_pool_matches_torch(case):
    x, kernel, stride, padding, dilation, ceil_mode = case
    got = max_pool(x, kernel, stride, padding, dilation, ceil_mode)
    want = MAX[x.ndim - 1](t(x)[None], kernel, stride, padding, dilation, ceil_mode=ceil_mode)[0].numpy()
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@MANY
@given(pool_cases(with_dilation=False), st.booleans())
def test_avg_pool_matches_torch(case, count_include_pad):
    x, kernel, stride, padding, _, ceil_mode = case
    if x.ndim == 4 and any(n < k for n, k in zip(x.shape[1:], kernel, strict=True)):
        with pytest.raises(RuntimeError, match="smaller than kernel size"):
            F.avg_pool3d(t(x)[None], kernel, stride, padding, ceil_mode, count_include_pad)
        with pytest.raises(InvalidInputError, match="kernel_size"):
            avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad)
        return
    got = avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad)
    want = AVG[x.ndim - 1](t(x)[None], kernel, stride, padding, ceil_mode, count_include_pad)[0].numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize(
    ("n", "k", "s", "p"),
    [
        (5, 2, 2, 1),  # the ceil window would start in the right padding: dropped, 3 outputs
        (6, 3, 2, 1),  # the ceil window starts on the last input element: kept, 4 outputs
        (4, 3, 2, 1),  # ceil window covers the right padding and overhangs
        (1, 4, 4, 0),  # kernel longer than the input, allowed in ceil mode
        (7, 2, 3, 1),
    ],
)
@pytest.mark.parametrize("stride_none", [False, True])
def test_ceil_mode_edge_cases_match_torch(n, k, s, p, stride_none):
    x = np.arange(1.0, n + 1.0)[None]
    stride = None if stride_none else s
    for count_include_pad in (True, False):
        want = F.avg_pool1d(t(x)[None], k, stride, p, True, count_include_pad)[0].numpy()
        np.testing.assert_allclose(avg_pool(x, k, stride, p, True, count_include_pad), want)
    want = F.max_pool1d(t(x)[None], k, stride, p, ceil_mode=True)[0].numpy()
    np.testing.assert_array_equal(max_pool(x, k, stride, p, ceil_mode=True), want)


def test_max_pool_window_entirely_in_padding_is_minus_infinity_like_torch():
    x = np.ones((1, 1))
    want = F.max_pool1d(t(x)[None], 2, 1, 1, dilation=2)[0].numpy()
    np.testing.assert_array_equal(max_pool(x, 2, 1, 1, dilation=2), want)
    assert np.isneginf(want).all()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda nd: st.tuples(
            st.lists(st.integers(1, 7), min_size=nd, max_size=nd),
            st.lists(st.integers(1, 9) | (st.none() if nd > 1 else st.nothing()), min_size=nd, max_size=nd),
        )
    ),
    st.integers(0, 2**32 - 1),
)
def test_adaptive_avg_pool_matches_torch(sizes, seed):
    spatial, output = sizes
    x = np.random.default_rng(seed).standard_normal((2, *spatial))
    want = ADAPTIVE[len(spatial)](t(x)[None], tuple(output))[0].numpy()
    np.testing.assert_allclose(adaptive_avg_pool(x, tuple(output)), want, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@MANY
@given(conv_cases())
def test_conv_input_grad_matches_torch_autograd(case):
    x, w, b = conv_arrays(case)
    args = {"stride": case["stride"], "dilation": case["dilation"], "groups": case["groups"]}
    xt = t(x)[None].requires_grad_(True)
    out = CONV[case["ndim"]](xt, t(w), t(b), padding=torch_padding(case), **args)
    upstream = np.random.default_rng(case["seed"] + 7).standard_normal(tuple(out.shape[1:]))
    out.backward(t(upstream)[None])
    got = conv_input_grad(x.shape, w, upstream, padding=case["padding"], **args)
    np.testing.assert_allclose(got, xt.grad[0].numpy(), atol=1e-10)


def test_worked_example_matches_torch():
    x = np.array([[[0.0, -1.0, 3.0], [2.0, 0.5, 1.0]]])
    w = np.array([[[[0.0, 1.0], [1.0, 0.5]]]])
    xt = t(x)[None].requires_grad_(True)
    out = F.conv2d(xt, t(w))
    out.backward(torch.ones_like(out))
    np.testing.assert_array_equal(out.detach()[0].numpy(), [[[1.25, 4.0]]])
    np.testing.assert_array_equal(xt.grad[0].numpy(), conv_input_grad((1, 2, 3), w, np.ones((1, 1, 2))))


def test_relu_grad_matches_torch_autograd_including_zero():
    x = np.array([-1.5, 0.0, 0.0, 2.0, -0.0])
    xt = t(x).requires_grad_(True)
    upstream = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    torch.relu(xt).backward(t(upstream))
    np.testing.assert_array_equal(relu_grad(x, upstream), xt.grad.numpy())
