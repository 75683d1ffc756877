"""The NumPy layers own as many parameters and buffers as torch.nn's, compute the same forward pass,
and their receptive-field masks equal the set of inputs with a nonzero gradient in PyTorch."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="cross-checks against PyTorch; install with: pip install torch==2.13.0")

import numpy as np  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from ref_naive import naive_conv  # noqa: E402

from solutions.errors import InvalidInputError  # noqa: E402
from solutions.reference.counting import MacCounter  # noqa: E402
from solutions.reference.layers import (  # noqa: E402
    AvgPool,
    BatchNorm,
    Conv,
    ConvTranspose,
    Flatten,
    Linear,
    MaxPool,
    ReLU,
    Sequential,
)
from solutions.reference.receptive import receptive_field_mask  # noqa: E402

pytestmark = pytest.mark.torch
nn = torch.nn

CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
CONV_T = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
BN = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}


def numel(module) -> tuple[int, int]:
    return sum(p.numel() for p in module.parameters()), sum(b.numel() for b in module.buffers())


def counts(layer) -> tuple[int, int]:
    assert layer.num_parameters == sum(p.size for p in layer.parameters())
    assert layer.num_buffers == sum(b.size for b in layer.buffers())
    return layer.num_parameters, layer.num_buffers


def load(module, layer):
    """Copy the NumPy layer's arrays into the torch module (float64)."""
    module = module.double()
    with torch.no_grad():
        for name in ("weight", "bias"):
            value = getattr(layer, name, None)
            if value is not None:
                getattr(module, name).copy_(torch.from_numpy(value))
    return module.eval()


conv_args = st.fixed_dictionaries(
    {
        "ndim": st.integers(1, 3),
        "groups": st.integers(1, 3),
        "in_per_group": st.integers(1, 3),
        "out_per_group": st.integers(1, 3),
        "kernel": st.integers(1, 3),
        "stride": st.integers(1, 2),
        "padding": st.integers(0, 2),
        "dilation": st.integers(1, 2),
        "bias": st.booleans(),
        "seed": st.integers(0, 1000),
    }
)


@settings(max_examples=40, deadline=None)
@given(conv_args)
def test_conv_counts_forward_and_macs_match_torch(a):
    cin, cout = a["groups"] * a["in_per_group"], a["groups"] * a["out_per_group"]
    args = {k: a[k] for k in ("stride", "padding", "dilation", "groups", "bias")}
    layer = Conv(cin, cout, a["kernel"], ndim=a["ndim"], seed=a["seed"], **args)
    module = load(CONV[a["ndim"]](cin, cout, a["kernel"], **args), layer)
    assert counts(layer) == numel(module)

    size = a["dilation"] * (a["kernel"] - 1) + (3 if a["ndim"] < 3 else 1)
    x = np.random.default_rng(a["seed"]).standard_normal((cin, *([size] * a["ndim"])))
    counter = MacCounter()
    got = layer(x, counter)
    np.testing.assert_allclose(got, module(torch.from_numpy(x)[None])[0].detach().numpy(), atol=1e-10)
    nd = a["ndim"]
    _, macs = naive_conv(
        x,
        layer.weight,
        layer.bias,
        (a["stride"],) * nd,
        [(a["padding"],) * 2] * nd,
        (a["dilation"],) * nd,
        a["groups"],
    )
    assert counter.macs == macs


@settings(max_examples=30, deadline=None)
@given(conv_args, st.integers(0, 1))
def test_conv_transpose_counts_and_forward_match_torch(a, output_padding):
    cin, cout = a["groups"] * a["in_per_group"], a["groups"] * a["out_per_group"]
    output_padding = min(output_padding, max(a["stride"], a["dilation"]) - 1)
    args = {k: a[k] for k in ("stride", "padding", "dilation", "groups", "bias")}
    layer = ConvTranspose(cin, cout, a["kernel"], output_padding=output_padding, ndim=a["ndim"], seed=a["seed"], **args)
    module = load(CONV_T[a["ndim"]](cin, cout, a["kernel"], output_padding=output_padding, **args), layer)
    assert counts(layer) == numel(module)
    x = np.random.default_rng(a["seed"]).standard_normal((cin, *([3] * a["ndim"])))
    counter = MacCounter()
    try:
        got = layer(x, counter)
    except InvalidInputError:
        with pytest.raises(RuntimeError):
            module(torch.from_numpy(x)[None])
        return
    np.testing.assert_allclose(got, module(torch.from_numpy(x)[None])[0].detach().numpy(), atol=1e-10)
    assert counter.macs == x.size * a["kernel"] ** a["ndim"] * a["out_per_group"]


@pytest.mark.parametrize(("in_features", "out_features", "bias"), [(1, 1, True), (7, 3, False), (128, 10, True)])
def test_linear_counts_forward_and_macs_match_torch(in_features, out_features, bias):
    layer = Linear(in_features, out_features, bias, seed=4)
    module = load(nn.Linear(in_features, out_features, bias), layer)
    assert counts(layer) == numel(module)
    x = np.random.default_rng(1).standard_normal(in_features)
    counter = MacCounter()
    np.testing.assert_allclose(layer(x, counter), module(torch.from_numpy(x)).detach().numpy(), atol=1e-12)
    assert counter.macs == in_features * out_features


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("track_running_stats", [True, False])
def test_batch_norm_counts_and_inference_forward_match_torch(ndim, affine, track_running_stats):
    layer = BatchNorm(5, affine=affine, track_running_stats=track_running_stats)
    module = BN[ndim](5, affine=affine, track_running_stats=track_running_stats).double()
    assert counts(layer) == numel(module)
    rng = np.random.default_rng(ndim)
    if affine:
        layer.weight[:] = rng.standard_normal(5)
        layer.bias[:] = rng.standard_normal(5)
    if track_running_stats:
        layer.running_mean[:] = rng.standard_normal(5)
        layer.running_var[:] = rng.uniform(0.5, 2.0, 5)
        module.running_mean.copy_(torch.from_numpy(layer.running_mean))
        module.running_var.copy_(torch.from_numpy(layer.running_var))
    module = load(module, layer)
    x = rng.standard_normal((5, *([4] * ndim)))
    np.testing.assert_allclose(layer(x), module(torch.from_numpy(x)[None])[0].detach().numpy(), atol=1e-10)


def test_parameter_free_layers_and_a_small_network_match_torch():
    for layer, module in [
        (MaxPool(2), nn.MaxPool2d(2)),
        (AvgPool(3, 2, 1), nn.AvgPool2d(3, 2, 1)),
        (ReLU(), nn.ReLU()),
        (Flatten(), nn.Flatten()),
    ]:
        assert counts(layer) == numel(module) == (0, 0)
    net = Sequential(
        Conv(3, 8, 3, padding="same"),
        BatchNorm(8),
        ReLU(),
        MaxPool(2),
        Flatten(),
        Linear(8 * 4 * 4, 10, seed=1),
    )
    tnet = nn.Sequential(
        load(nn.Conv2d(3, 8, 3, padding="same"), net.layers[0]),
        load(nn.BatchNorm2d(8), net.layers[1]),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        load(nn.Linear(128, 10), net.layers[5]),
    )
    assert counts(net) == numel(tnet) == (3 * 8 * 9 + 8 + 16 + 128 * 10 + 10, 17)
    x = np.random.default_rng(0).standard_normal((3, 8, 8))
    counter = MacCounter()
    np.testing.assert_allclose(net(x, counter), tnet(torch.from_numpy(x)[None])[0].detach().numpy(), atol=1e-10)
    assert counter.macs == 8 * 3 * 9 * 8 * 8 + 128 * 10


# --- receptive fields --------------------------------------------------------------------------------


def torch_layer(layer, x):
    """Apply ``layer`` to torch tensor ``x`` (batch of one) with all weights one and biases zero.

    Max pooling routes its gradient to a single winner, so it is replaced by a depthwise all-ones
    convolution over the same windows (padded on the right for a ceil-mode overhang and cut to
    PyTorch's own max-pool output size), which sends gradient to every position of each window.
    """
    nd = x.dim() - 2
    if isinstance(layer, Conv):
        weight = torch.ones(layer.weight.shape, dtype=x.dtype)
        padding = layer.padding
        if padding == "full":
            padding = tuple(d * (k - 1) for k, d in zip(layer.kernel_size, layer.dilation, strict=True))
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
        return conv(x, weight, None, layer.stride, padding, layer.dilation, layer.groups)
    if isinstance(layer, ConvTranspose):
        conv_t = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[nd]
        weight = torch.ones(layer.weight.shape, dtype=x.dtype)
        return conv_t(x, weight, None, layer.stride, layer.padding, layer.output_padding, layer.groups, layer.dilation)
    if isinstance(layer, AvgPool):
        avg = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[nd]
        return avg(x, layer.kernel_size, layer.stride, layer.padding, layer.ceil_mode, layer.count_include_pad)
    if isinstance(layer, MaxPool):
        pool = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[nd]
        with torch.no_grad():
            shape = pool(x, layer.kernel_size, layer.stride, layer.padding, layer.dilation, layer.ceil_mode).shape
        k = layer.kernel_size
        kernel = tuple(k) if isinstance(k, tuple) else (k,) * nd
        stride = kernel if layer.stride is None else layer.stride
        p = layer.padding if isinstance(layer.padding, tuple) else (layer.padding,) * nd
        s = stride if isinstance(stride, tuple) else (stride,) * nd
        pads = [amount for axis in reversed(range(nd)) for amount in (p[axis], p[axis] + s[axis])]
        weight = torch.ones((x.shape[1], 1, *kernel), dtype=x.dtype)
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
        out = conv(F.pad(x, pads), weight, None, stride, 0, layer.dilation, x.shape[1])
        return out[(slice(None), slice(None), *(slice(0, n) for n in shape[2:]))]
    if isinstance(layer, ReLU):
        return F.relu(x)
    if isinstance(layer, BatchNorm):
        n = layer.num_features
        return F.batch_norm(x, torch.zeros(n, dtype=x.dtype), torch.ones(n, dtype=x.dtype), training=False)
    raise AssertionError(layer)


@st.composite
def layer_stacks(draw):
    nd = draw(st.integers(1, 3))
    channels = draw(st.integers(1, 2))
    layers = []
    c = channels
    for _ in range(draw(st.integers(1, 4 if nd < 3 else 2))):
        kind = draw(st.sampled_from(["conv", "conv", "max", "avg", "relu", "bn", "convT"]))
        k = draw(st.integers(1, 3))
        s = draw(st.integers(1, 2))
        if kind == "conv":
            groups = draw(st.sampled_from([g for g in (1, 2) if c % g == 0]))
            out = groups * draw(st.integers(1, 2))
            padding = draw(st.sampled_from([0, 1, "same", "valid", "full"]))
            if padding == "same":
                s = 1
            d = draw(st.integers(1, 2))
            layers.append(Conv(c, out, k, s, padding, d, groups, ndim=nd))
            c = out
        elif kind == "convT":
            d = draw(st.integers(1, 2))
            op = draw(st.integers(0, max(s, d) - 1))
            layers.append(ConvTranspose(c, 1, k, s, draw(st.integers(0, 1)), op, d, ndim=nd))
            c = 1
        elif kind == "max":
            layers.append(MaxPool(k, s, draw(st.integers(0, k // 2)), draw(st.integers(1, 2)), draw(st.booleans())))
        elif kind == "avg":
            layers.append(AvgPool(k, s, draw(st.integers(0, k // 2)), draw(st.booleans()), draw(st.booleans())))
        elif kind == "relu":
            layers.append(ReLU())
        else:
            layers.append(BatchNorm(c))
    size = draw(st.integers(3, 12 if nd < 3 else 6))
    return layers, (channels, *([size] * nd)), draw(st.randoms(use_true_random=False))


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=150, deadline=None)
@given(layer_stacks())
def test_receptive_field_mask_matches_torch_gradient(case):
    layers, input_shape, random = case
    out = np.zeros(input_shape)
    try:
        for layer in layers:
            out = layer(out)
    except InvalidInputError:
        assume(False)
    index = tuple(random.randrange(n) for n in out.shape[1:])
    mask = receptive_field_mask(layers, input_shape, index)

    x = torch.ones((1, *input_shape), dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        y = torch_layer(layer, y)
    assert tuple(y.shape[1:]) == out.shape
    y[(0, 0, *index)].backward()
    np.testing.assert_array_equal(mask, (x.grad[0] != 0).any(dim=0).numpy())
