# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Homework 2: the checks in NumPy
#
# This notebook recomputes the numbers of the [Homework 2](../../exercises/hw2/) answers with plain
# NumPy: layers are allocated and their arrays counted, convolutions are run and their products
# counted, and receptive fields are found by sending a gradient back through the layers. It takes
# the derived results from the site's code and asserts that the two independent computations agree.
# It runs on every build of the site; [download it](../hw2.ipynb) to run it yourself after
# `pip install -e .` in a clone of the repository.

# %%
import numpy as np

from solutions import reference as ref
from solutions.exercises.catalog import derived, find_part
from solutions.reference import layers


def field(stack, size):
    """Receptive field of a middle output unit of a one-channel stack: its size and first input row."""
    out = np.zeros((1, size, size))
    for layer in stack:
        out = layer(out)
    middle = out.shape[1] // 2
    mask = ref.receptive_field_mask(stack, (1, size, size), (middle, middle))
    (rows, _), (start, _) = ref.receptive_field_extent(mask)
    return rows, start


# %% [markdown]
# ## Problem 1: shared weights against a fully connected layer
#
# Eight 3 × 3 filters on a 28 × 28 image, against a fully connected layer producing the same
# 8 × 26 × 26 output from the flattened image:

# %%
conv = layers.Conv(1, 8, 3, fill=0.0)
out = conv(np.zeros((1, 28, 28)))
dense = layers.Linear(28 * 28, out.size, fill=0.0)
print("convolution:", conv.weight.shape, conv.bias.shape, conv.num_parameters)
print("fully connected:", dense.weight.shape, dense.bias.shape, f"{dense.num_parameters:,}")
assert conv.num_parameters == derived("hw2/p1/p1a", "conv_params")
assert dense.num_parameters == derived("hw2/p1/p1a", "fc_params")

# %% [markdown]
# The detector of 1(b)(i) finds its pattern equally well anywhere, but not rotated or enlarged:

# %%
part = find_part("hw2/p1/p1b_i")
pattern, detector = np.array(part.givens["pattern"], float), np.array(part.givens["filter"], float)
image = np.zeros((16, 16))
image[2:7, 3:8] = pattern
shifted = np.zeros((16, 16))
shifted[9:14, 8:13] = pattern
small = np.zeros((8, 8))
small[1:6, 1:6] = pattern
cases = {"original": image, "shifted": shifted, "rotated": np.rot90(image), "enlarged": np.kron(small, np.ones((2, 2)))}
best = {name: ref.cross_correlate(x[None], detector[None, None]).max() for name, x in cases.items()}
print(best)
assert best["original"] == derived("hw2/p1/p1b_i", "best_response") == best["shifted"]
assert best["rotated"] < best["original"] and best["enlarged"] < best["original"]

# %% [markdown]
# ## Problem 2: global pooling against a fully connected layer, and a rotated edge

# %%
rng = np.random.default_rng(2)
feature_map = np.zeros((4, 6, 6))
feature_map[:, 1:4, 1:3] = rng.standard_normal((4, 3, 2))
moved = np.roll(feature_map, (1, 2), axis=(1, 2))
fc = layers.Linear(feature_map.size, 10, seed=3)
print("global average pooling:", np.abs(ref.adaptive_avg_pool(feature_map, 1) - ref.adaptive_avg_pool(moved, 1)).max())
print("flatten + fully connected:", np.abs(fc(feature_map.reshape(-1)) - fc(moved.reshape(-1))).max())
assert derived("hw2/p2/p2b", "global_pooling_invariant") and not derived("hw2/p2/p2b", "flatten_fc_invariant")

edge = np.zeros((1, 6, 6))
edge[0, :3] = 1.0
horizontal = np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], float)[None, None]
print(ref.cross_correlate(edge, horizontal)[0])
print(ref.cross_correlate(np.rot90(edge, axes=(1, 2)), horizontal)[0])
assert np.abs(ref.cross_correlate(np.rot90(edge, axes=(1, 2)), horizontal)).max() == derived(
    "hw2/p2/p2c", "rotated_edge_response"
)

# %% [markdown]
# ## Problem 3: receptive fields of stacks
#
# Stacks of 3 × 3 convolutions (stride 1), and three 3 × 3 layers with dilations 1, 2 and 4:

# %%
for depth in (3, 4, 7):
    size, _ = field([layers.Conv(1, 1, 3, fill=1.0) for _ in range(depth)], 31)
    print(f"{depth} layers of 3×3: field {size}")
assert field([layers.Conv(1, 1, 3, fill=1.0) for _ in range(3)], 31)[0] == derived("hw2/p3/p3a_ii", "rf_three_3x3")
dilated = [layers.Conv(1, 1, 3, dilation=d, fill=1.0) for d in (1, 2, 4)]
size, start = field(dilated, 31)
mask = ref.receptive_field_mask(dilated, (1, 31, 31), (8, 8))
print("dilations 1, 2, 4: field", size, "| one row of it:", mask[start + size // 2, start : start + size].astype(int))
assert size == derived("hw2/p3/p3b_ii", "rf_stack")

# %% [markdown]
# ## Problem 4: the reconstructed network, layer by layer
#
# The network of 4 (network), rebuilt from its derived hyperparameters as NumPy layers. Output
# sizes do not depend on the channels, so one channel runs through the whole 256 × 256 input and a
# `MacCounter` counts the products of each layer; every pair of input and output channels repeats
# them. Parameters are counted by allocating the real layers (the first fully connected layer with
# one output, since its outputs are all alike). Receptive fields come from masks on a 100 × 100 input,
# for a unit away from the borders.

# %%
network = find_part("hw2/p4/p4b")
net = {key: result.value for key, result in network.solve().results.items()}
kinds = [item["kind"] for item in network.givens["evidence"] if item["kind"] in ("conv", "pool")]

rows, x, c_in = [], np.zeros((1, 256, 256)), net["input_channels"]
for n, kind in enumerate(kinds):
    k, s, p, d = (net[key][n] for key in ("kernel_sizes", "strides", "paddings", "dilations"))
    c_out = net["channels"][n]
    if kind == "pool":
        one_channel, params, pairs = layers.MaxPool(k, s), 0, 0
    else:
        one_channel = layers.Conv(1, 1, k, stride=s, padding=p, dilation=d, fill=1.0)
        params = layers.Conv(c_in, c_out, k, stride=s, padding=p, dilation=d, fill=0.0).num_parameters
        pairs = c_in * c_out
    counter = ref.MacCounter()
    x = one_channel(x, counter)
    stack = [*(row[-1] for row in rows), one_channel]
    rf, _ = field(stack, 100)
    rows.append((n + 1, kind, (x.shape[1], x.shape[2], c_out), params, counter.macs * pairs, rf, one_channel))
    c_in = c_out

print(f"{'layer':>5} {'kind':>5} {'H × W × C':>16} {'params':>9} {'MACs':>13} {'RF':>3}")
for number, kind, shape, params, macs, rf, _ in rows:
    print(f"{number:>5} {kind:>5} {' × '.join(map(str, shape)):>16} {params:>9,} {macs:>13,} {rf:>3}")

# %% [markdown]
# Every row agrees with the derivation (and so with the source's printed numbers):

# %%
key = "hw2/p4/p4c"
for number, _kind, shape, params, macs, rf, _ in rows:
    assert shape == derived(key, f"layer{number}_shape"), number
    assert params == derived(key, f"layer{number}_params"), number
    assert macs == derived(key, f"layer{number}_macs"), number
    assert rf == derived(key, f"layer{number}_rf"), number

flat = x.shape[1] * x.shape[2] * net["channels"][-1]
fc1 = layers.Linear(flat, 1, fill=0.0)
counter = ref.MacCounter()
fc1(np.zeros(flat), counter)
print(f"FC1: {fc1.num_parameters * 1024:,} parameters, {counter.macs * 1024:,} MACs")
assert fc1.num_parameters * 1024 == derived("hw2/p4/p4c", "fc1_params")
assert counter.macs * 1024 == derived("hw2/p4/p4c", "fc1_macs")

# %% [markdown]
# Batch normalisation: two learnable arrays ($\gamma$, $\beta$) and three buffers (running mean,
# running variance and the batch counter), so $2C$ parameters and $2C + 1$ buffer entries:

# %%
norm = layers.BatchNorm(32)
print([a.shape for a in norm.parameters()], [b.shape for b in norm.buffers()])
assert norm.num_parameters == derived("hw2/p4/p4c", "bn1_params")
assert norm.num_buffers == derived("hw2/p4/p4c", "bn_buffers")[0]
