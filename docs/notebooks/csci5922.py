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
# # CSCI 5922 problem set 3: the checks in NumPy
#
# This notebook recomputes the numbers of the [CSCI 5922 problem set 3](../../exercises/csci5922/)
# answers with plain NumPy: layers are allocated and their arrays counted, convolutions are run, and
# the lost input of Q3 is rebuilt a second time, by least squares on a system that NumPy assembles
# itself. Each result is compared with the one the site derived (exactly, in SymPy). It runs on every
# build of the site; [download it](../csci5922.ipynb) to run it yourself after `pip install -e .` in a
# clone of the repository.

# %%
import numpy as np

from solutions import reference as ref
from solutions.exercises.catalog import derived, find_part
from solutions.reference import layers

# %% [markdown]
# ## Q2a: a fully connected network on a 224 × 224 RGB image
#
# The hidden layer's weight matrix is far too large to allocate (its size in float64 is printed
# below). Every hidden unit owns one row of the weight matrix and one bias, so one unit is allocated
# and counted, and the count is multiplied by the number of units. The output layer is small enough
# to allocate.

# %%
n_in = np.zeros((3, 224, 224)).size
hidden = n_in // 2
one_unit = layers.Linear(n_in, 1, fill=0.0)
hidden_params = hidden * one_unit.num_parameters
output_params = layers.Linear(hidden, 100, fill=0.0).num_parameters
print(f"input {n_in:,}, hidden {hidden:,}; the hidden weights would take {n_in * hidden * 8 / 1e9:.0f} GB")
print(f"hidden layer {hidden_params:,}, output layer {output_params:,}, total {hidden_params + output_params:,}")
assert hidden_params == derived("csci5922/q2/q2a_i", "params_hidden")
assert output_params == derived("csci5922/q2/q2a_i", "params_output")
assert hidden_params + output_params == derived("csci5922/q2/q2a_ii", "total")

# %% [markdown]
# ## Q2b: identical 7 × 7 convolutions from 224 down to 8
#
# The output size does not depend on the number of channels, so the stack is run with one channel:
# count the layers until the side is 8. (The MAC counts in the site's tables are checked the same
# way: one input and one output channel per layer, times the number of channel pairs.)

# %%
x = np.zeros((1, 224, 224))
kernel = np.zeros((1, 1, 7, 7))
depth = 0
conv_macs = 0  # products formed with one input and one output channel, for the MAC check below
while x.shape[1] > 8:
    counter = ref.MacCounter()
    x = ref.cross_correlate(x, kernel, counter=counter)
    conv_macs += counter.macs
    depth += 1
conv = layers.Conv(3, 3, 7, fill=0.0)
head = layers.Linear(3 * 8 * 8, 100, fill=0.0)
total = depth * conv.num_parameters + head.num_parameters
print(f"{depth} layers of {conv.num_parameters} parameters, a head of {head.num_parameters:,}: {total:,}")
assert depth == derived("csci5922/q2/q2b_ii", "layers")
assert conv.num_parameters == derived("csci5922/q2/q2b_i", "params")
assert total == derived("csci5922/q2/q2b_iv", "total")

# %% [markdown]
# Multiply-accumulates: the loop above ran each convolution on the real spatial size with one input
# and one output channel and counted the products; each of the 3 × 3 channel pairs repeats them. The
# head adds one product per weight.

# %%
macs = 3 * 3 * conv_macs
counter = ref.MacCounter()
head(np.zeros(head.in_features), counter=counter)
print(f"MACs: convolutions {macs:,}, head {counter.macs:,}, total {macs + counter.macs:,}")
assert macs + counter.macs == derived("csci5922/q2/q2b_iv", "macs")

# %% [markdown]
# The source's output-size formula has no floor. At stride 1 that does not matter; at stride 2 it
# gives a fraction where the convolution returns a whole number of positions:

# %%
strided = ref.cross_correlate(np.zeros((1, 224, 224)), kernel, stride=2)
print("NumPy at stride 2:", strided.shape[1], "| the formula without the floor:", (224 - 7) / 2 + 1)

# %% [markdown]
# ## Q3: the lost input, rebuilt by NumPy
#
# The kernel is Q3b's first step (the first input entry times the kernel) divided by that entry. The
# transposed convolution is linear in its input, so its matrix $A$ has one column per input entry:
# the reference scatter-add of that unit input, flattened. Q3b's final answer is the right-hand side.

# %%
given = find_part("csci5922/q3/q3a").givens
w = np.array(given["first_step"], dtype=float)[:3, :3] / given["first_entry"]
z = np.array(given["transposed_output"], dtype=float)
columns = []
for n in range(16):
    unit = np.zeros((1, 4, 4))
    unit.flat[n] = 1.0
    columns.append(ref.conv_transpose(unit, w[None, None]).reshape(-1))
A = np.column_stack(columns)
print(
    "A:",
    A.shape,
    "rank",
    np.linalg.matrix_rank(A),
    "| with z appended:",
    np.linalg.matrix_rank(np.column_stack([A, z.reshape(-1)])),
)
solution, *_ = np.linalg.lstsq(A, z.reshape(-1), rcond=None)
x = solution.reshape(4, 4)
print("x =\n", x.round(12) + 0.0)
print("largest residual:", np.abs(A @ solution - z.reshape(-1)).max())
assert np.linalg.matrix_rank(A) == derived("csci5922/q3/q3a", "rank") == 16
assert np.allclose(x, np.array(derived("csci5922/q3/q3a", "input"), dtype=float))

# %% [markdown]
# The same input and kernel give Q3a's output. The kernel is unchanged by a 180° rotation, so the
# cross-correlation (what frameworks call convolution) and the true convolution agree:

# %%
y = ref.cross_correlate(x[None], w[None, None])[0]
print(
    "cross-correlation:",
    y.round(12).tolist(),
    "| convolution:",
    ref.convolve(x[None], w[None, None])[0].round(12).tolist(),
)
assert np.allclose(y, np.array(derived("csci5922/q3/q3a", "output"), dtype=float))

# %% [markdown]
# The source's worked products print the kernel's row 1, column 2 as +1. With that weight the output
# would differ; only −1 reproduces the source's own outputs:

# %%
for weight in (-1, 1):
    trial = w.copy()
    trial[0, 1] = weight
    print(f"w12 = {weight:+d}:", ref.cross_correlate(x[None], trial[None, None])[0].round(12).tolist())

# %% [markdown]
# Q3b: the scatter-add of the rebuilt input reproduces the answer, while the pseudocode as printed
# (rows `i : j + K_h`) fails at its second step:

# %%
out = ref.conv_transpose(x[None], w[None, None])[0]
print("scatter-add equals Q3b's answer:", np.allclose(out, z))
literal = np.zeros((6, 6))
try:
    for i in range(4):
        for j in range(4):
            literal[i : j + 3, j : j + 3] += x[i, j] * w
except ValueError as error:
    print("the printed pseudocode fails:", error)
assert derived("csci5922/q3/q3b", "algorithm_as_printed_works") is False

# %% [markdown]
# ## Q4: the encoder's 3 × 3 layers
#
# Count the layers that take 224 to 16. The layers after the fifth are all identical; one layer of
# each distinct shape is allocated and counted as often as it occurs.

# %%
x = np.zeros((1, 224, 224))
depth = 0
while x.shape[1] > 16:
    x = ref.cross_correlate(x, np.zeros((1, 1, 3, 3)))
    depth += 1
channels = [3, 16, 32, 64, 128, 256]
distinct = [layers.Conv(c_in, c_out, 3, fill=0.0) for c_in, c_out in zip(channels, [*channels[1:], 256], strict=True)]
repeats = [1, 1, 1, 1, 1, depth - 5]
params = sum(n * layer.num_parameters for n, layer in zip(repeats, distinct, strict=True))
biases = sum(n * layer.bias.size for n, layer in zip(repeats, distinct, strict=True))
print(f"{depth} layers, {params:,} parameters, of which {biases:,} biases")
assert depth == derived("csci5922/q4/q4", "layers")
assert params == derived("csci5922/q4/q4", "total")
assert biases == derived("csci5922/q4/q4", "bias_terms")

# %% [markdown]
# The encoder's multiply-accumulates, counted the same way as Q2b's (one channel pair per layer, run
# on the real spatial size, times the layer's channel pairs), and the receptive field of the latent
# map, found by back-propagating a one-hot gradient through all-ones layers along one side:

# %%
outs = channels[1:] + [256] * (depth - 5)
ins = [3, *outs[:-1]]
x = np.zeros((1, 224, 224))
macs = 0
for c_in, c_out in zip(ins, outs, strict=True):
    counter = ref.MacCounter()
    x = ref.cross_correlate(x, np.zeros((1, 1, 3, 3)), counter=counter)
    macs += c_in * c_out * counter.macs
mask = ref.receptive_field_mask([layers.Conv(1, 1, 3, ndim=1, fill=1.0) for _ in range(depth)], (1, 224), (0,))
(field,), _ = ref.receptive_field_extent(mask)
print(f"MACs {macs:,}; receptive field {field} × {field}")
assert macs == derived("csci5922/q4/q4", "macs")
assert field == derived("csci5922/q4/q4", "receptive_field")
