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
# # Seminar 5: the checks in NumPy
#
# This notebook recomputes the numbers of the [Seminar 5](../../exercises/seminar5/) answers with
# plain NumPy: arrays are allocated and counted, convolutions are run and their products counted,
# and gradients are compared with finite differences. It imports the exercises' givens and derived
# results from the site's code, so every comparison below is between two independent computations.
# It runs on every build of the site; [download it](../seminar5.ipynb) to run it yourself after
# `pip install -e .` in a clone of the repository.

# %%
import numpy as np

from solutions import reference as ref
from solutions.exercises.catalog import derived
from solutions.reference import layers

# %% [markdown]
# ## Exercise 1: parameters are arrays
#
# A fully connected layer over the whole 100 × 100 image (Q.1.a) and one shared by all 10 × 10
# patches (Q.1.b): count the entries of their weight and bias arrays.

# %%
whole = layers.Linear(100 * 100, 1000, fill=0.0)
patchwise = layers.Linear(10 * 10, 1000, fill=0.0)
print(whole.weight.shape, whole.bias.shape, whole.num_parameters)
print(patchwise.weight.shape, patchwise.bias.shape, patchwise.num_parameters)
assert whole.num_parameters == derived("seminar5/ex1/q1a", "params")
assert patchwise.num_parameters == derived("seminar5/ex1/q1b", "params")

# %% [markdown]
# Cutting the image into patches and applying the shared layer gives one vector per patch, exactly
# what a convolution with a 10 × 10 kernel and stride 10 computes (Q.1.d):

# %%
rng = np.random.default_rng(0)
image = rng.standard_normal((1, 100, 100))
filters = rng.standard_normal((1000, 1, 10, 10))
conv = ref.cross_correlate(image, filters, stride=10)
patches = image[0].reshape(10, 10, 10, 10).swapaxes(1, 2).reshape(10, 10, 100)
dense = patches @ filters.reshape(1000, 100).T
print(conv.shape, np.abs(np.moveaxis(conv, 0, -1) - dense).max())
assert np.allclose(np.moveaxis(conv, 0, -1), dense)

# %% [markdown]
# The layer of Q.1.e to Q.1.i: a 32 × 32 × 3 input, five 5 × 5 filters. NumPy works channels first,
# (C, H, W).

# %%
x = np.zeros((3, 32, 32))
w = np.zeros((5, 3, 5, 5))
for stride in (1, 3):
    out = ref.cross_correlate(x, w, stride=stride)
    print(f"stride {stride}: output {out.shape}")
conv_layer = layers.Conv(3, 5, 5, fill=0.0)
print(
    "weights per filter:",
    conv_layer.weight[0].size,
    "layer:",
    conv_layer.weight.size,
    "with biases:",
    conv_layer.num_parameters,
)
assert conv_layer.num_parameters == derived("seminar5/ex1/q1f", "layer_params")

# %% [markdown]
# ## Exercise 3: forward and backward by hand, and by NumPy

# %%
x = np.array([[0, -1, 3], [2, 0.5, 1]], dtype=float)[None]
kernel = np.array([[0, 1], [1, 0.5]], dtype=float)[None, None]
y = ref.cross_correlate(x, kernel)
print("output:", y[0])

upstream = np.array([[1.0, 1.0]])[None]
scattered = ref.conv_input_grad(x.shape, kernel, upstream)
numeric = ref.numerical_gradient(lambda v: float((ref.cross_correlate(v, kernel) * upstream).sum()), x)
print("input gradient:\n", scattered[0])
print("largest difference from finite differences:", np.abs(scattered - numeric).max())

# %% [markdown]
# The gradient is a *full convolution* of the upstream gradient with the kernel. Sliding the
# upstream gradient over the kernel instead (a full cross-correlation of the kernel with the upstream
# gradient, the source's method) gives the same numbers only for an upstream gradient that reads the
# same turned by 180°, such as [1, 1]:

# %%
for g in ([[1.0, 1.0]], [[1.0, 2.0]]):
    g = np.array(g)[None]
    true = ref.conv_input_grad(x.shape, kernel, g)[0]
    convolved = ref.convolve(g, kernel, padding="full")[0]
    slid = ref.cross_correlate(kernel[0], g[None], padding="full")[0]
    assert np.allclose(true, convolved)
    print(
        g[0],
        "| full convolution matches:",
        np.allclose(true, convolved),
        "| sliding the gradient over the kernel matches:",
        np.allclose(true, slid),
    )

# %% [markdown]
# ## Exercise 5: a 3D convolution's output and cost
#
# One 3 × 3 × 3 filter over the 1 × 16 × 224 × 224 video, padding 1; the counter records every
# product the cross-correlation performs. The 64 filters of the layer each repeat them.

# %%
video = np.zeros((1, 16, 224, 224))
one_filter = np.zeros((1, 1, 3, 3, 3))
for stride in ((1, 1, 1), (2, 1, 1)):
    counter = ref.MacCounter()
    out = ref.cross_correlate(video, one_filter, stride=stride, padding=1, counter=counter)
    print(f"stride {stride}: output (64, {', '.join(map(str, out.shape[1:]))}), MACs {64 * counter.macs:,}")
assert 64 * counter.macs == derived("seminar5/ex5/q5d", "cost_q5c")

# %% [markdown]
# (2+1)D against 3D: the parameters of the pair of NumPy layers for each intermediate width, against
# the 3D layer's count.

# %%
three_d = layers.Conv(1, 64, 3, ndim=3, fill=0.0).num_parameters
for width in (4, 8, 9, 16, 64):
    pair = (
        layers.Conv(1, width, (1, 3, 3), ndim=3, fill=0.0).num_parameters
        + layers.Conv(width, 64, (3, 1, 1), ndim=3, fill=0.0).num_parameters
    )
    print(f"C_mid = {width:2d}: (2+1)D {pair:6,d}  3D {three_d:,}  fewer: {pair < three_d}")
