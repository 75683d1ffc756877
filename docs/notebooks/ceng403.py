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
# # CENG 403 exam: the checks in NumPy
#
# This notebook recomputes the numbers of the [CENG 403 exam](../../exercises/ceng403/) answers with
# plain NumPy: layers are allocated and their arrays counted, convolutions are run and their products
# counted, receptive fields are found by sending a gradient backwards, and the gradient of bilinear
# sampling is compared with finite differences. Each result is compared with the one the site derived
# with its formulas, and the places where the exam's answer key goes wrong are recomputed directly.
# It runs on every build of the site; [download it](../ceng403.ipynb) to run it yourself after
# `pip install -e .` in a clone of the repository.

# %%
import itertools

import numpy as np

from solutions import reference as ref
from solutions.exercises.catalog import derived
from solutions.reference import layers

# %% [markdown]
# ## Question 1: a fully connected layer on a megapixel image
#
# Ten billion weights do not fit in memory, but NumPy can describe the weight matrix without
# storing it: a broadcast view has the full shape and dtype, and reports the bytes it would take.
# One hidden unit, a real `Linear` layer, gives the count and the cost per unit.

# %%
weights = np.broadcast_to(np.zeros((), dtype=np.float32), (10_000, 1_000_000))
unit = layers.Linear(1_000_000, 1, fill=0.0)
counter = ref.MacCounter()
unit(np.ones(1_000_000), counter=counter)
print(f"weights {weights.size:,}, float32 bytes {weights.nbytes:,}, MACs per image {counter.macs * 10_000:,}")
assert weights.size == derived("ceng403/q1/q1a", "weights")
assert weights.nbytes / 1e9 == derived("ceng403/q1/q1a", "memory_gb")
assert counter.macs * 10_000 == derived("ceng403/q1/q1a", "macs")

# %% [markdown]
# ## Questions 2 and 3: receptive fields, measured
#
# Send a one-hot gradient back from one output unit through all-ones layers; the input pixels it
# reaches are the unit's receptive field. Stacked 3 × 3 convolutions with stride 1 grow by 2 pixels
# per layer, so five of them see 11 × 11, not the 51 × 51 the answer key states. A field of 51 needs
# subsampling, as in AlexNet's first three layers.

# %%
for depth in range(1, 6):
    stack = [layers.Conv(1, 1, 3, fill=1.0) for _ in range(depth)]
    mask = ref.receptive_field_mask(stack, (1, 15, 15), (7 - depth, 7 - depth))
    print(f"{depth} layer(s): field {ref.receptive_field_extent(mask)[0]}")
assert ref.receptive_field_extent(mask)[0][0] == derived("ceng403/q2/q2a", "rf_layer5")

alexnet = [
    layers.Conv(1, 1, 11, stride=4, ndim=1, fill=1.0),
    layers.MaxPool(3, stride=2),
    layers.Conv(1, 1, 5, padding=2, ndim=1, fill=1.0),
]
field = ref.receptive_field_extent(ref.receptive_field_mask(alexnet, (1, 227), (13,)))[0][0]
print("AlexNet conv1 -> pool1 -> conv2:", field)
assert field == derived("ceng403/q2/q2a", "alexnet_rf")

# %% [markdown]
# ## Question 3(c): equivariance on a short signal
#
# The answer key's output is that of a true convolution (the kernel flipped); libraries' "convolution",
# a cross-correlation, gives the negated sequence. After the shift the output has 6 entries, like
# before, and is the old output moved right by 2: the final −3 is pushed off the end.

# %%
x = np.array([[0, 0, 1, 2, 3, 0, 0]], dtype=float)
kernel = np.array([[[1, -1]]], dtype=float)
shifted = np.zeros_like(x)
shifted[:, 2:] = x[:, :-2]
for name, signal in (("x", x), ("shifted x", shifted)):
    print(
        f"{name:10s} convolution {ref.convolve(signal, kernel)[0].astype(int).tolist()}   "
        f"cross-correlation {ref.cross_correlate(signal, kernel)[0].astype(int).tolist()}"
    )
assert ref.convolve(shifted, kernel)[0].tolist() == derived("ceng403/q3/q3c", "shifted_output")

# %% [markdown]
# ## Question 4: AlexNet's first layer
#
# Output sizes come from walking the window positions; the parameters from the arrays of a `Conv`.

# %%
for size, padding in ((227, 0), (225, 0), (224, 0), (224, 2)):
    out = ref.cross_correlate(np.zeros((3, size, size)), np.zeros((1, 3, 11, 11)), stride=4, padding=padding)
    print(f"input {size}, padding {padding}: output {out.shape[1]} x {out.shape[2]}")
conv1 = layers.Conv(3, 96, 11, stride=4, fill=0.0)
print("parameters:", conv1.weight.shape, "+", conv1.bias.shape, "=", conv1.num_parameters)
assert conv1.num_parameters == derived("ceng403/q4/q4c", "params")

# %% [markdown]
# ## Question 5: separable convolutions and the Inception module
#
# Depthwise separable against standard: 8.69 times fewer weights, the same figure as the ratio
# formula gives (9 would be the limit for an unboundedly wide output).

# %%
standard = layers.Conv(128, 256, 3, bias=False, fill=0.0)
depthwise = layers.Conv(128, 128, 3, groups=128, bias=False, fill=0.0)
pointwise = layers.Conv(128, 256, 1, bias=False, fill=0.0)
separable = depthwise.num_parameters + pointwise.num_parameters
print(
    f"standard {standard.num_parameters:,}, separable {separable:,}, "
    f"ratio {standard.num_parameters / separable:.4f}, formula {1 / (1 / 256 + 1 / 9):.4f}"
)
assert separable == derived("ceng403/q5/q5b", "separable_weights")

# %% [markdown]
# GoogLeNet's inception (3a) (Szegedy et al., 2015): the 3 × 3 and 5 × 5 branches with and without
# their 1 × 1 reductions, and the whole module's weights and MACs, each convolution run with one of
# its filters and the count multiplied by its number of filters.


# %%
def conv(c_in, c_out, k):
    return layers.Conv(c_in, c_out, k, padding=k // 2, bias=False, fill=0.0)


module = [conv(192, 64, 1), conv(192, 96, 1), conv(96, 128, 3), conv(192, 16, 1), conv(16, 32, 5), conv(192, 32, 1)]
plain = conv(192, 128, 3).num_parameters + conv(192, 32, 5).num_parameters
reduced = sum(layer.num_parameters for layer in module[1:5])
macs = 0
for layer in module:
    counter = ref.MacCounter()
    ref.cross_correlate(np.zeros((layer.in_channels, 28, 28)), layer.weight[:1], padding=layer.padding, counter=counter)
    macs += counter.macs * layer.out_channels
print(f"branches without reductions {plain:,}, with {reduced:,} ({plain / reduced:.2f} times fewer)")
print(f"module: {sum(layer.num_parameters for layer in module):,} weights, {macs:,} MACs")
assert macs == derived("ceng403/q5/q5c", "module_macs")

# %% [markdown]
# ## Question 6: what a deformable convolution costs, and its gradient
#
# One output position of a 3 × 3 deformable convolution on 256 channels: the offset branch (a
# convolution to 18 channels), bilinear sampling of the 9 shifted taps, and the main convolution.
# The offset branch alone costs 18 times a standard filter.


# %%
def bilinear(image, px, py, counter=None):
    value = np.zeros(image.shape[0])
    for row in (int(np.floor(py)), int(np.floor(py)) + 1):
        for col in (int(np.floor(px)), int(np.floor(px)) + 1):
            value += max(0.0, 1 - abs(col - px)) * max(0.0, 1 - abs(row - py)) * image[:, row, col]
            if counter is not None:
                counter.add(image.shape[0])
    return value


rng = np.random.default_rng(0)
image = rng.standard_normal((256, 7, 7))
counts = {name: ref.MacCounter() for name in ("offsets", "interpolation", "main")}
offsets = ref.cross_correlate(
    image[:, 2:5, 2:5], rng.standard_normal((18, 256, 3, 3)) * 0.02, counter=counts["offsets"]
)[:, 0, 0]
samples = np.zeros((256, 3, 3))
for n, (a, b) in enumerate(itertools.product((-1, 0, 1), repeat=2)):
    samples[:, a + 1, b + 1] = bilinear(
        image, 3 + b + offsets[2 * n + 1], 3 + a + offsets[2 * n], counts["interpolation"]
    )
ref.cross_correlate(samples, rng.standard_normal((1, 256, 3, 3)), counter=counts["main"])
print({name: c.macs for name, c in counts.items()}, "total", sum(c.macs for c in counts.values()))
assert sum(c.macs for c in counts.values()) == derived("ceng403/q6/q6a", "total_macs")

# %% [markdown]
# The sampled value's derivative with respect to the offset, by central differences, against the
# derived $\partial v / \partial \Delta x = 0.7 (x_{22} - x_{12}) + 0.3 (x_{23} - x_{13})$:

# %%
picture = rng.standard_normal((1, 5, 5))
step = 1e-4
numeric = (bilinear(picture, 1.7 + step, 2.3)[0] - bilinear(picture, 1.7 - step, 2.3)[0]) / (2 * step)
formula = 0.7 * (picture[0, 2, 2] - picture[0, 2, 1]) + 0.3 * (picture[0, 3, 2] - picture[0, 3, 1])
print(f"finite difference {numeric:.8f}, formula {formula:.8f}")
assert abs(numeric - formula) < 1e-8
